// A fixed set of worker threads that run rankings over groups of segments and send back
// partial aggregates. Created once (per server), reused by every query, closed at shutdown.

import { Worker } from 'node:worker_threads';
import type { ShareSpec } from './entityshare.js';
import { QueryError, type QueryErrorCode } from './queryerror.js';
import type { RankQuery } from './rankquery.js';
import type { RankPartial } from './rankstate.js';
import type { SegmentInfo } from './source.js';

/** What the main thread asks a worker. */
export interface RankTask {
  readonly query: RankQuery;
  readonly segments: readonly SegmentInfo[];
  /** Rank only the entities of this share (the segments are then all of the query's). */
  readonly share?: ShareSpec;
  /**
   * Claim segments instead of ranking them all: shared by every task of the query, it holds
   * the index of the next segment not yet claimed (Atomics.add), so each is ranked once.
   */
  readonly claim?: Int32Array;
  /** Progress: the worker adds 1 at index k (Atomics.add) once it has ranked segments[k]. */
  readonly progress?: Int32Array;
}

/** A failure inside a worker, as it crosses the thread boundary. */
export interface WorkerFailure {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly partial: RankPartial }
  | { readonly id: number; readonly ok: false; readonly error: WorkerFailure };

interface Pending {
  readonly resolve: (p: RankPartial) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** The worker script beside this module, with this module's extension (.ts under the test runner, .js once built). */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./rankworker${ext}`, import.meta.url);
}

const QUERY_CODES: ReadonlySet<string> = new Set<QueryErrorCode>([
  'UNKNOWN_ENTITY',
  'UNKNOWN_COUNT',
  'BAD_UNIQUE',
  'BAD_DIRECTION',
  'BAD_TIME_FRAME',
  'BAD_ROWS',
  'BAD_SLICES',
  'UNKNOWN_COLUMN',
  'BAD_BATCH',
  'UNSUPPORTED_SEGMENT',
]);

function toError(f: WorkerFailure): Error {
  if (f.name === 'QueryError' && f.code !== null && QUERY_CODES.has(f.code)) return new QueryError(f.code as QueryErrorCode, f.message);
  return new QueryError('WORKER_FAILED', `a query worker failed: ${f.name}${f.code === null ? '' : ` (${f.code})`}: ${f.message}`);
}

/**
 * Workers open segment files themselves (the store keeps a dropped file until no
 * query can still be reading it) and read memory segments' SharedArrayBuffers directly.
 */
export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new QueryError('BAD_WORKERS', `a worker pool needs a positive whole number of threads (got ${String(size)})`);
    this.size = size;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerUrl()), pending: new Map() };
    this.attach(slot);
    return slot;
  }

  private attach(slot: Slot): void {
    const w = slot.worker;
    w.unref();
    w.on('message', (reply: WorkerReply) => {
      const p = slot.pending.get(reply.id);
      if (p === undefined) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) w.unref();
      if (reply.ok) p.resolve(reply.partial);
      else p.reject(toError(reply.error));
    });
    const fail = (err: Error): void => {
      if (slot.worker !== w) return;
      const pending = [...slot.pending.values()];
      slot.pending.clear();
      if (!this.closed) {
        slot.worker = new Worker(workerUrl());
        this.attach(slot);
      }
      for (const p of pending) p.reject(err);
    };
    w.on('error', (err) => fail(new QueryError('WORKER_FAILED', `a query worker crashed: ${err.message}`)));
    w.on('exit', (code) => {
      if (!this.closed) fail(new QueryError('WORKER_FAILED', `a query worker exited unexpectedly (code ${code})`));
    });
  }

  /** Runs one task on the least busy worker. */
  run(task: RankTask): Promise<RankPartial> {
    if (this.closed) return Promise.reject(new QueryError('POOL_CLOSED', 'the query worker pool is closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    return new Promise<RankPartial>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, ...task });
    });
  }

  /** Stops every worker; queries still running fail with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new QueryError('POOL_CLOSED', 'the query worker pool was closed while a query ran');
    for (const s of this.slots) {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
