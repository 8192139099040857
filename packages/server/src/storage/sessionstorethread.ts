// The main thread's side of ftserver's storage: finished sessions wait here (visible to queries) until
// the storage thread (storageworker.ts) has checkpointed and stored them, without blocking ingestion.

import { Worker } from 'node:worker_threads';
import {
  MemorySource,
  StoreError,
  type ColumnArray,
  type Columns,
  type SegmentFileInfo,
  type SegmentInfo,
  type SessionSource,
  type StoreErrorCode,
  type StoreLogger,
  type StoreStats,
} from '@opentraq/core';
import type { SessionRows } from './checkpoint.js';
import { hotSource } from './hotsource.js';
import type { CycleReport, RecoveryReport, SessionStoreOptions } from './sessionstore.js';
import type { StorageErrorData, StorageReply, StorageRequest, StorageResult, StoreView } from './storagemessages.js';

type Request = StorageRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** An error of the storage thread, rebuilt here with the name, code and message it had there. */
export class StorageThreadError extends Error {
  readonly code: string;
  constructor(data: StorageErrorData) {
    super(data.message);
    this.name = data.name;
    this.code = data.code ?? 'STORAGE';
  }
}

/** The storage thread's error as this thread should see it: a StoreError again (with its code), else a StorageThreadError. */
function rebuildError(data: StorageErrorData): Error {
  if (data.name === 'StoreError' && data.code !== undefined) return new StoreError(data.code as StoreErrorCode, data.message);
  return new StorageThreadError(data);
}

function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./storageworker${ext}`, import.meta.url);
}

function buffersOf(rows: SessionRows | null): ArrayBuffer[] {
  if (rows === null) return [];
  const set = new Set<ArrayBuffer>();
  for (const a of Object.values(rows.cols) as ColumnArray[]) set.add(a.buffer as ArrayBuffer);
  return [...set];
}

export interface SessionStoreThreadOptions extends SessionStoreOptions {
  /** Told when the storage thread dies (it is restarted at the next request). */
  onWorkerError?(e: Error): void;
}

export class SessionStoreThread {
  private worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: StorageResult): void; reject(e: Error): void }>();
  private readonly logger: StoreLogger | undefined;
  /** Finished sessions not yet handed to the storage thread. */
  private pending = new MemorySource();
  private pendingCount = 0;
  /** Handed over, not yet confirmed stored (kept for queries, and resent as nothing: the thread keeps them on failure). */
  private inFlight: SegmentInfo[] = [];
  private inFlightCount = 0;
  private view: StoreView;
  private running: Promise<CycleReport> | undefined;
  cycles = 0;
  lastCycle: CycleReport | null = null;
  /** Sessions delivered to the store since start. */
  accepted = 0;
  readonly databasePath: string;

  private constructor(worker: Worker, opts: SessionStoreOptions, view: StoreView) {
    this.worker = worker;
    this.logger = opts.logger;
    this.databasePath = opts.databasePath;
    this.view = view;
  }

  /**
   * Start the storage thread and open the store there (with the checkpoint recovery of
   * SessionStore.open). Rejects with the store's error (StorageThreadError carrying its name and code).
   */
  static async open(opts: SessionStoreThreadOptions): Promise<{ store: SessionStoreThread; recovery: RecoveryReport }> {
    const worker = new Worker(workerUrl());
    const empty: StoreView = { segments: [], stats: { segments: 0, partialSegments: 0, rows: 0, bytes: 0, unflushedRows: 0, corruptSegments: 0, generation: 0 } };
    const s = new SessionStoreThread(worker, opts, empty);
    s.attach(opts);
    const { logger: _logger, onWorkerError: _onError, ...options } = opts;
    try {
      const r = await s.request({ type: 'open', options });
      return { store: s, recovery: r.recovery! };
    } catch (e) {
      await worker.terminate();
      throw e;
    }
  }

  private attach(opts: SessionStoreThreadOptions): void {
    this.worker.on('message', (r: StorageReply) => {
      if (r.kind === 'warning') {
        this.logger?.warn(r.details, r.message);
        return;
      }
      const w = this.waiting.get(r.id);
      if (w === undefined) return;
      this.waiting.delete(r.id);
      if (r.view !== undefined) this.view = r.view;
      if (r.kind === 'result') w.resolve(r);
      else w.reject(rebuildError(r.error));
    });
    const fail = (e: Error): void => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
      opts.onWorkerError?.(e);
    };
    this.worker.on('error', (e) => fail(new StorageThreadError({ name: 'StorageThreadError', code: 'WORKER_FAILED', message: `the storage thread crashed: ${e.message}` })));
    this.worker.on('exit', (code) => {
      if (this.waiting.size > 0) fail(new StorageThreadError({ name: 'StorageThreadError', code: 'WORKER_FAILED', message: `the storage thread exited (code ${code})` }));
    });
  }

  private request(req: Request, transfer: ArrayBuffer[] = []): Promise<StorageResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as StorageRequest, transfer);
    });
  }

  /** The pipeline's onSessions: finished sessions, copied (the caller reuses its columns). */
  accept(cols: Columns, rows: number): void {
    if (rows === 0) return;
    this.pending.append(cols, rows);
    this.pendingCount += rows;
    this.accepted += rows;
  }

  /** Finished sessions not yet confirmed in a store segment (waiting here or being written). */
  get pendingRows(): number {
    return this.pendingCount + this.inFlightCount;
  }

  /** Finished sessions waiting for the next cycle (not yet handed to the storage thread). */
  get waitingRows(): number {
    return this.pendingCount;
  }

  /** A cycle is being written now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * One durability cycle on the storage thread: a checkpoint of the finished sessions waiting here and
   * of the active ones, then the finished ones into the store. Resolves when both are on disk.
   *
   * `takeActive` is called when the cycle starts (after any running cycle): it may deliver finished
   * sessions through accept() first and returns the tracker's snapshot, whose buffers are handed over.
   * Both are taken in the same instant, so every session is in exactly one of the two parts.
   * A failure rejects; the sessions stay pending on the storage thread and go with the next cycle.
   */
  async cycle(takeActive: () => SessionRows | null): Promise<CycleReport> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    const active = takeActive();
    const parts = this.pending.all();
    this.pending = new MemorySource();
    this.inFlight.push(...parts);
    this.inFlightCount += this.pendingCount;
    this.pendingCount = 0;
    const act = active !== null && active.rows > 0 ? active : null;
    const run = (async () => {
      // the finished sessions' columns are SharedArrayBuffers: both threads read the same memory
      const r = await this.request({ type: 'cycle', finished: [...parts], active: act }, buffersOf(act));
      // everything handed over so far is now in the store (a failed cycle's rows went with this one)
      this.inFlight = [];
      this.inFlightCount = 0;
      this.cycles++;
      this.lastCycle = r.report!;
      return r.report!;
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  /** Apply new segment settings (SIGHUP) on the storage thread, after any running cycle. */
  async reconfigure(o: { segmentCount: number; segmentSize: number; computeCrc: boolean }): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    await this.request({ type: 'reconfigure', ...o });
  }

  /** The segment files as the storage thread last reported them, oldest first. */
  list(): readonly SegmentFileInfo[] {
    return this.view.segments;
  }

  /**
   * A source over everything stored now plus `active` (the tracker's snapshot): what one query reads.
   * The segment lists are taken now; later cycles do not change what this query sees.
   */
  querySource(active: SessionRows | null): SessionSource {
    return hotSource(this.view.segments, [...this.inFlight, ...this.pending.all()], active);
  }

  stats(): StoreStats & { pendingRows: number; generation: number } {
    return { ...this.view.stats, pendingRows: this.pendingRows };
  }

  /** Close the store on the storage thread (the caller has run the final cycle) and end the thread. */
  async close(): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    try {
      await this.request({ type: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }
}
