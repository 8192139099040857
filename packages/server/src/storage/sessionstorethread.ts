// The main thread's side of ftserver's storage: finished sessions wait here (visible to queries) until
// the storage thread (storageworker.ts) has checkpointed and stored them, without blocking ingestion.

import { Worker } from 'node:worker_threads';
import {
  MemorySource,
  StoreError,
  sortedMemorySegment,
  type ColumnArray,
  type Columns,
  type SegmentFileInfo,
  type SegmentInfo,
  type StoreErrorCode,
  type StoreLogger,
} from '@opentraq/core';
import { STORAGE_INITIAL_OLD_SPACE_MB, startWorkerWithOldSpace } from '../heaptuning.js';
import type { SessionRows } from './checkpoint.js';
import { hotSource } from './hotsource.js';
import type { CycleReport, RecoveryReport, SessionStoreOptions, SessionStoreStats } from './sessionstore.js';
import type { StorageErrorData, StorageReply, StorageRequest, StorageResult, StoreView } from './storagemessages.js';
import { ViewLeases, type LeasedSource } from './viewleases.js';

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
  /**
   * Told when the storage thread dies. Nothing restarts it: from then on every cycle fails with that
   * error (the store counts as failing, so at most maxHeldRows finished sessions are held) and close()
   * only ends what is left; restart the server, which recovers from the last committed checkpoint.
   */
  onWorkerError?(e: Error): void;
  /** The bound on finished sessions held in memory while the store cannot write (see maxHeldRows); default none. */
  maxHeldRows?: number;
  /** A monotonic clock in ms (default performance.now): when the last query came, for SORT_AFTER_QUERY_MS. */
  now?: () => number;
}

/**
 * After a query, finished sessions are sorted as they come for this long (ms), so that a dashboard's
 * next query (one refreshing every minute, or every few) finds them sorted and does not pause the
 * receiving thread for it.
 */
export const SORT_AFTER_QUERY_MS = 300_000;

function checkMaxHeldRows(n: number): number {
  if (n === Infinity || (Number.isSafeInteger(n) && n >= 1)) return n;
  throw new StoreError('USAGE', `the bound on finished sessions held while the store cannot write must be a whole number >= 1 (sessiontables.memcachesize), got ${String(n)}`);
}

export class SessionStoreThread {
  private worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: StorageResult): void; reject(e: Error): void }>();
  private readonly logger: StoreLogger | undefined;
  /** Finished sessions not yet handed to the storage thread. */
  private pending = new MemorySource();
  private pendingCount = 0;
  /** Until then (ms, on `now`) finished sessions are sorted as they come: a query came less than SORT_AFTER_QUERY_MS ago. */
  private sortUntil = -Infinity;
  private readonly now: () => number;
  /** The store is open: a thread that ends before that is the start's failure, not news of its own. */
  private opened = false;
  /** Finished sessions sorted by start for queries, by batch (SegmentRef's `unsorted`): made by the first query that reads a batch. */
  private sortedCopies = new Map<number, SegmentInfo>();
  /**
   * Finished sessions the storage thread has and no segment file holds: those it reported in its last
   * answer (view.held), plus those handed over in requests it had not seen then. Kept for queries;
   * never sent again, the thread keeps them until it has stored them.
   */
  private inFlight: SegmentInfo[] = [];
  private inFlightCount = 0;
  /** The finished sessions each unanswered request handed over, by request id. */
  private handedOver: { id: number; parts: readonly SegmentInfo[] }[] = [];
  private view: StoreView;
  /** The running queries, by the view they read: the files of those views stay on disk. */
  private readonly leases = new ViewLeases(() => this.view.epoch);
  /** The oldestRead sent with the last request. */
  private sentOldestRead = 0;
  private heldLimit = Infinity;
  /** Finished sessions dropped since start because the store could not write and maxHeldRows were held. */
  droppedSessions = 0;
  /** Dropped in the current failure of the store (reported when it writes again). */
  private droppedInFailure = 0;
  private running: Promise<CycleReport> | undefined;
  /** Why the storage thread is gone (it crashed or exited); requests then fail at once with this. */
  private dead: Error | undefined;
  /** close() ended the thread: its exit is not a failure. */
  private closing = false;
  cycles = 0;
  lastCycle: CycleReport | null = null;
  /** Sessions delivered to the store since start. */
  accepted = 0;
  readonly databasePath: string;

  private constructor(worker: Worker, opts: SessionStoreThreadOptions, view: StoreView) {
    this.worker = worker;
    this.logger = opts.logger;
    this.databasePath = opts.databasePath;
    this.view = view;
    this.now = opts.now ?? (() => performance.now());
    if (opts.maxHeldRows !== undefined) this.maxHeldRows = opts.maxHeldRows;
  }

  /**
   * While the store cannot write (its last cycle failed), finished sessions are held in memory, and
   * queryable there, up to this many (waiting and handed to the storage thread together); sessions
   * finishing beyond it are dropped and counted (droppedSessions), so that a long disk outage costs at
   * most this much memory and the tracker and listeners go on. A store that writes holds no bound.
   * ftserver sets it to sessiontables.memcachesize. Throws StoreError (USAGE) for anything but a
   * whole number >= 1 or Infinity.
   */
  get maxHeldRows(): number {
    return this.heldLimit;
  }

  set maxHeldRows(n: number) {
    this.heldLimit = checkMaxHeldRows(n);
  }

  /**
   * Start the storage thread and open the store there (with the checkpoint recovery of
   * SessionStore.open). Rejects with the store's error (StorageThreadError carrying its name and code).
   */
  static async open(opts: SessionStoreThreadOptions): Promise<{ store: SessionStoreThread; recovery: RecoveryReport }> {
    if (opts.maxHeldRows !== undefined) checkMaxHeldRows(opts.maxHeldRows);
    let worker: Worker;
    try {
      worker = await startWorkerWithOldSpace(STORAGE_INITIAL_OLD_SPACE_MB, () => new Worker(workerUrl()));
    } catch (e) {
      throw new StorageThreadError({ name: 'StorageThreadError', code: 'WORKER_FAILED', message: `the storage thread did not start: ${(e as Error).message}` });
    }
    const empty: StoreView = {
      epoch: 0,
      segments: [],
      held: [],
      stats: { segments: 0, partialSegments: 0, rows: 0, bytes: 0, unflushedRows: 0, corruptSegments: 0, pendingRows: 0, generation: 0, writeFailures: 0, failing: false },
      retiredFiles: 0,
    };
    const s = new SessionStoreThread(worker, opts, empty);
    s.attach(opts);
    const { logger: _logger, onWorkerError: _onError, maxHeldRows: _max, now: _now, ...options } = opts;
    try {
      const r = await s.request({ type: 'open', options });
      s.opened = true;
      return { store: s, recovery: r.recovery! };
    } catch (e) {
      // the store could not open: ending the thread is part of failing, not news of its own
      s.closing = true;
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
      if (r.view !== undefined) this.seeView(r.view, r.id);
      if (r.kind === 'result') w.resolve(r);
      else w.reject(rebuildError(r.error));
    });
    const fail = (e: Error): void => {
      if (this.dead !== undefined) return;
      this.dead = e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
      // ended by close(), or before the store was open (open() rejects with the reason): not news
      if (!this.closing && this.opened) opts.onWorkerError?.(e);
    };
    this.worker.on('error', (e) => fail(new StorageThreadError({ name: 'StorageThreadError', code: 'WORKER_FAILED', message: `the storage thread crashed: ${e.message}` })));
    this.worker.on('exit', (code) => fail(new StorageThreadError({ name: 'StorageThreadError', code: 'WORKER_FAILED', message: `the storage thread exited (code ${code})` })));
  }

  private request(req: Request, transfer: ArrayBuffer[] = [], handed: readonly SegmentInfo[] = []): Promise<StorageResult> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const id = this.nextId++;
    if (handed.length > 0) this.handedOver.push({ id, parts: handed });
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as StorageRequest, transfer);
    });
  }

  /**
   * The storage thread's answer to request `id`: its files and the finished sessions it holds, of
   * every request up to this one (it answers them in order). Those handed over in later requests are
   * still only here.
   */
  private seeView(v: StoreView, id: number): void {
    const wasFailing = this.view.stats.failing;
    this.view = v;
    this.handedOver = this.handedOver.filter((h) => h.id > id);
    this.inFlight = [...v.held, ...this.handedOver.flatMap((h) => h.parts)];
    this.inFlightCount = this.inFlight.reduce((n, p) => n + p.rows, 0);
    this.keepSortedCopies([...this.inFlight, ...this.pending.all()]);
    if (wasFailing && !v.stats.failing && this.droppedInFailure > 0) {
      this.logger?.warn({ dropped: this.droppedInFailure }, 'finished sessions were dropped while the store could not write (counted in opentraq_sessions_dropped_total)');
      this.droppedInFailure = 0;
    }
  }

  /**
   * The pipeline's onSessions: finished sessions, copied (the caller reuses its columns). While the
   * store cannot write, those beyond maxHeldRows are dropped and counted instead.
   */
  accept(cols: Columns, rows: number): void {
    if (rows === 0) return;
    let take = rows;
    if (this.failing) {
      take = Math.max(0, Math.min(rows, this.heldLimit - this.pendingRows));
      if (take < rows) this.drop(rows - take);
      if (take === 0) return;
    }
    // While queries come (one in the last five minutes) the batches are sorted now, a little at a time, so
    // that the next query does not stop this thread to sort them all at once. Otherwise they are
    // copied in the order they finished: the storage thread's segment writer sorts them anyway, and a
    // query that comes after all sorts those it reaches (sortedCopy).
    if (this.now() < this.sortUntil) this.pending.append(cols, take);
    else this.pending.appendUnsorted(cols, take);
    this.pendingCount += take;
    this.accepted += take;
  }

  private drop(rows: number): void {
    if (this.droppedInFailure === 0) {
      this.logger?.warn(
        { held: this.pendingRows, limit: this.heldLimit },
        'the store cannot write and the memory for finished sessions is full (sessiontables.memcachesize): newly finished sessions are dropped, and counted in opentraq_sessions_dropped_total, until it writes again',
      );
    }
    this.droppedSessions += rows;
    this.droppedInFailure += rows;
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
   * A failure rejects; the sessions stay on the storage thread (and queryable here) and go with the
   * next cycle.
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
      // the finished sessions' columns are SharedArrayBuffers: both threads read the same memory; the
      // answer (result or failure) says which of them the store's files now hold (seeView)
      const r = await this.request({ type: 'cycle', finished: [...parts], active: act, oldestRead: this.oldestRead() }, buffersOf(act), parts);
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
    await this.request({ type: 'reconfigure', ...o, oldestRead: this.oldestRead() });
  }

  /** The oldest epoch a running query reads, as sent now with a request. */
  private oldestRead(): number {
    this.sentOldestRead = this.leases.oldest();
    return this.sentOldestRead;
  }

  /**
   * Files dropped from the store wait on disk for queries, and queries have ended since the last
   * request: a cycle now would delete some of them. An idle server runs one for that alone.
   */
  get filesToDelete(): boolean {
    return this.view.retiredFiles > 0 && this.leases.oldest() > this.sentOldestRead;
  }

  /** Query sources not released yet: the queries running, as far as the store knows. */
  get leasedSources(): number {
    return this.leases.size;
  }

  /** The store cannot write now: its last cycle failed (as the storage thread last reported), or the thread is gone. */
  get failing(): boolean {
    return this.view.stats.failing || this.dead !== undefined;
  }

  /** The segment files as the storage thread last reported them, oldest first. */
  list(): readonly SegmentFileInfo[] {
    return this.view.segments;
  }

  /**
   * A source over everything stored now plus `active` (the tracker's snapshot): what one query reads.
   * The segment lists are taken now; later cycles do not change what this query sees, and delete
   * none of its files before release() (call it once the query is over, however it ends).
   */
  querySource(active: SessionRows | null): LeasedSource {
    this.sortUntil = this.now() + SORT_AFTER_QUERY_MS;
    const memory = [...this.inFlight, ...this.pending.all()];
    this.keepSortedCopies(memory);
    return this.leases.lease(hotSource(this.view.segments, memory, active, (m) => this.sortedCopy(m)), this.view.epoch);
  }

  /**
   * The copy of batch `m` sorted by start that queries read: made by the first query whose time frame
   * reaches the batch, kept until the batch is stored.
   */
  private sortedCopy(m: SegmentInfo): SegmentInfo {
    const batch = m.ref.kind === 'memory' ? m.ref.unsorted : undefined;
    if (batch === undefined) return m;
    const have = this.sortedCopies.get(batch);
    // batches are numbered by this thread's MemorySource; a copy that does not match is not this batch's
    if (have !== undefined && have.rows === m.rows && have.startMin === m.startMin && have.endMax === m.endMax) return have;
    const copy = sortedMemorySegment(m);
    // a query that reaches a batch after it was stored reads the copy but leaves no copy behind
    if ([...this.inFlight, ...this.pending.all()].some((x) => x.ref.kind === 'memory' && x.ref.unsorted === batch)) this.sortedCopies.set(batch, copy);
    return copy;
  }

  /** Let go of the sorted copies of batches no longer among `memory` (stored since). */
  private keepSortedCopies(memory: readonly SegmentInfo[]): void {
    if (this.sortedCopies.size === 0) return;
    const present = new Set<number>();
    for (const m of memory) if (m.ref.kind === 'memory' && m.ref.unsorted !== undefined) present.add(m.ref.unsorted);
    for (const batch of this.sortedCopies.keys()) if (!present.has(batch)) this.sortedCopies.delete(batch);
  }

  /** Batches of finished sessions held sorted for queries now (besides their unsorted originals). */
  get sortedBatches(): number {
    return this.sortedCopies.size;
  }

  stats(): SessionStoreStats & { droppedSessions: number } {
    return { ...this.view.stats, failing: this.failing, pendingRows: this.pendingRows, droppedSessions: this.droppedSessions };
  }

  /** Close the store on the storage thread (the caller has run the final cycle) and end the thread. */
  async close(): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    if (this.dead !== undefined) return;
    try {
      await this.request({ type: 'close' });
    } finally {
      this.closing = true;
      await this.worker.terminate();
      this.dead ??= new StorageThreadError({ name: 'StorageThreadError', code: 'WORKER_FAILED', message: 'the storage thread was closed' });
    }
  }
}
