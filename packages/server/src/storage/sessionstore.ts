// Where ftserver keeps sessions: the columnar segment store on disk, the finished sessions of the
// current cycle in memory, and the durability checkpoint that ties them together (checkpoint.ts).
// Queries see all of it, plus the tracker's active sessions handed in at query time.

import {
  COLUMN_DEFS,
  ColumnStore,
  MemorySource,
  StoreError,
  allocColumns,
  wordsPerRow,
  type ColumnArray,
  type ColumnName,
  type Columns,
  type SegmentInfo,
  type SessionSource,
  type StoreLogger,
  type StoreStats,
} from '@opentraq/core';
import { hotSource } from './hotsource.js';
import { CheckpointError, readCheckpoint, setCheckpointAside, writeCheckpoint, type SessionRows } from './checkpoint.js';

export interface SessionStoreOptions {
  databasePath: string;
  segmentCount: number;
  segmentSize: number;
  computeCrc: boolean;
  logger?: StoreLogger;
}

/** What open() found and restored. */
export interface RecoveryReport {
  /** A checkpoint was found (the last stop was a crash, or a clean stop with nothing left behind). */
  readonly checkpoint: boolean;
  /** Finished sessions that were only in the checkpoint and are now stored. */
  readonly finishedRestored: number;
  /** Finished sessions the checkpoint held that the store already had. */
  readonly finishedAlreadyStored: number;
  /** Sessions active at the checkpoint, now stored as they were then (a connection that goes on continues as a new session). */
  readonly activeRestored: number;
}

export interface CycleReport {
  readonly finished: number;
  readonly active: number;
  readonly ms: number;
}

function rowsOf(info: SegmentInfo): SessionRows {
  if (info.ref.kind !== 'memory') throw new Error('not a memory segment');
  return { cols: info.ref.columns as Columns, rows: info.rows };
}

/** A session row's identity for recovery: when it started, between whom, reported by whom, how much. */
const FINGERPRINT: readonly ColumnName[] = ['start', 'end', 'clnip', 'srvip', 'clnport', 'srvport', 'proto', 'expip', 'srcid', 'clnbyts', 'srvbyts', 'clnpkts', 'srvpkts', 'flows'];

function fingerprint(cols: Partial<Record<ColumnName, ColumnArray>>, i: number): string {
  let key = '';
  for (const name of FINGERPRINT) {
    const a = cols[name]!;
    if (name === 'clnip' || name === 'srvip' || name === 'expip') key += `${a[4 * i]},${a[4 * i + 1]},${a[4 * i + 2]},${a[4 * i + 3]}|`;
    else key += `${a[i]}|`;
  }
  return key;
}

/** The rows of `part` that the segments with ids >= fromId do not hold (counted as a multiset). */
function notIn(part: SessionRows, cs: ColumnStore, fromId: number): SessionRows | null {
  const held = new Map<string, number>();
  for (const info of cs.list()) {
    if (info.id < fromId) continue;
    const reader = cs.open(info);
    try {
      const cols = reader.read(FINGERPRINT);
      for (let i = 0; i < info.rows; i++) {
        const k = fingerprint(cols, i);
        held.set(k, (held.get(k) ?? 0) + 1);
      }
    } finally {
      reader.close();
    }
  }
  const keep: number[] = [];
  for (let i = 0; i < part.rows; i++) {
    const k = fingerprint(part.cols, i);
    const n = held.get(k) ?? 0;
    if (n > 0) held.set(k, n - 1);
    else keep.push(i);
  }
  if (keep.length === 0) return null;
  if (keep.length === part.rows) return part;
  const cols = allocColumns(keep.length);
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    const src = part.cols[d.name] as ColumnArray;
    const dst = cols[d.name] as ColumnArray;
    keep.forEach((row, j) => dst.set(src.subarray(row * w, row * w + w), j * w));
  }
  return { cols, rows: keep.length };
}

export class SessionStore {
  private cs: ColumnStore;
  private readonly storeLogger: StoreLogger | undefined;
  readonly databasePath: string;
  private pending = new MemorySource();
  private pendingCount = 0;
  private generation: number;
  private computeCrc: boolean;
  cycles = 0;
  lastCycle: CycleReport | null = null;
  /** Sessions delivered to the store since start. */
  accepted = 0;

  private constructor(store: ColumnStore, opts: SessionStoreOptions, generation: number) {
    this.cs = store;
    this.storeLogger = opts.logger;
    this.databasePath = opts.databasePath;
    this.computeCrc = opts.computeCrc;
    this.generation = generation;
  }

  /**
   * Open the store and restore what the last checkpoint holds that the store does not. Throws
   * StoreError for a store it cannot use (VERSION: written by a newer server) and CheckpointError
   * for an unreadable checkpoint.
   */
  static open(opts: SessionStoreOptions): { store: SessionStore; recovery: RecoveryReport } {
    const cs = ColumnStore.open(opts.databasePath, {
      segmentCount: opts.segmentCount,
      segmentSize: opts.segmentSize,
      computeCrc: opts.computeCrc,
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    });
    let ck;
    try {
      ck = readCheckpoint(opts.databasePath);
    } catch (e) {
      // A torn or garbled checkpoint must not keep the server down after a crash (server.md §3: no
      // manual step): it is set aside and reported; the active sessions it held are lost. A newer
      // version or an unreadable directory is not damage, and stops the start.
      const damaged = (e instanceof CheckpointError && e.damaged) || (e instanceof StoreError && (e.code === 'CORRUPT' || e.code === 'MISSING'));
      if (!damaged) {
        cs.close();
        throw e;
      }
      let aside: string;
      try {
        aside = setCheckpointAside(opts.databasePath);
      } catch (moveError) {
        cs.close();
        throw moveError;
      }
      opts.logger?.warn({ path: aside, error: (e as Error).message }, 'the checkpoint of the last run is damaged: set aside, the sessions it alone held are lost; starting without it');
      ck = null;
    }
    const s = new SessionStore(cs, opts, ck?.record.generation ?? 0);
    if (ck === null) return { store: s, recovery: { checkpoint: false, finishedRestored: 0, finishedAlreadyStored: 0, activeRestored: 0 } };
    // No segment written since the commit: the finished part is only in the checkpoint. Otherwise the
    // crash may have come between two writes of the same append (a full segment, then the partial with
    // the rest), so the rows the new segments hold are taken out and only the others restored.
    let finished = ck.finished;
    if (finished !== null && cs.nextSegmentId > ck.record.nextSegmentId) finished = notIn(finished, cs, ck.record.nextSegmentId);
    const restoredFinished = finished?.rows ?? 0;
    if (finished !== null) s.accept(finished.cols, finished.rows);
    if (ck.active !== null) s.accept(ck.active.cols, ck.active.rows);
    // the same cycle as always: checkpoint first, then the store, so a crash now loses nothing either
    s.cycle(null);
    return {
      store: s,
      recovery: {
        checkpoint: true,
        finishedRestored: restoredFinished,
        finishedAlreadyStored: (ck.finished?.rows ?? 0) - restoredFinished,
        activeRestored: ck.active?.rows ?? 0,
      },
    };
  }

  /** The segment store (reopened by reconfigure: do not keep it). */
  get store(): ColumnStore {
    return this.cs;
  }

  /**
   * Apply new segment settings (SIGHUP): the store is closed (flushing its buffer) and opened again
   * with them. A smaller segmentcount deletes the oldest segments at once.
   */
  reconfigure(o: { segmentCount: number; segmentSize: number; computeCrc: boolean }): void {
    this.cs.close();
    this.computeCrc = o.computeCrc;
    this.cs = ColumnStore.open(this.databasePath, { ...o, ...(this.storeLogger === undefined ? {} : { logger: this.storeLogger }) });
  }

  /** The pipeline's onSessions: finished sessions, copied (the caller reuses its columns). */
  accept(cols: Columns, rows: number): void {
    if (rows === 0) return;
    this.pending.append(cols, rows);
    this.pendingCount += rows;
    this.accepted += rows;
  }

  /** Finished sessions already held as memory segments (the main thread's, in SharedArrayBuffers): no copy. */
  acceptSegments(parts: readonly SegmentInfo[]): void {
    for (const p of parts) {
      this.pending.adopt(p);
      this.pendingCount += p.rows;
      this.accepted += p.rows;
    }
  }

  /** Finished sessions not yet in a store segment. */
  get pendingRows(): number {
    return this.pendingCount;
  }

  /**
   * The durability cycle (every storageinterval, and at stop with active = null): commit a checkpoint
   * of the finished sessions and `active`, then append the finished ones to the store and flush it.
   * A failing checkpoint write throws and keeps the finished sessions pending for the next cycle.
   */
  cycle(active: SessionRows | null): CycleReport {
    const t0 = performance.now();
    // the batches as they arrived, never copied together: the checkpoint and the store's buffer each
    // take their rows straight from them
    const finished = this.pending.all().map(rowsOf);
    const rows = this.pendingCount;
    const act = active !== null && active.rows > 0 ? active : null;
    if (rows === 0 && act === null && this.generation > 0 && this.lastCycle !== null && this.lastCycle.finished === 0 && this.lastCycle.active === 0) {
      // nothing then, nothing now: the committed checkpoint already says so
      return (this.lastCycle = { finished: 0, active: 0, ms: performance.now() - t0 });
    }
    writeCheckpoint(this.databasePath, this.generation + 1, this.cs.nextSegmentId, finished, act, this.computeCrc);
    this.generation++;
    // from here the checkpoint covers these rows, whatever happens to the store write
    this.pending = new MemorySource();
    this.pendingCount = 0;
    if (rows > 0) {
      for (const part of finished) this.cs.append(part.cols, part.rows);
      this.cs.flush();
    }
    this.cycles++;
    return (this.lastCycle = { finished: rows, active: act?.rows ?? 0, ms: performance.now() - t0 });
  }

  /**
   * A source over everything stored now plus `active` (the tracker's snapshot): what one query reads.
   * The segment lists are taken now; later cycles do not change what this query sees.
   */
  querySource(active: SessionRows | null): SessionSource {
    return hotSource(this.cs.list(), this.pending.all(), active);
  }

  stats(): StoreStats & { pendingRows: number; generation: number } {
    return { ...this.cs.stats(), pendingRows: this.pendingCount, generation: this.generation };
  }

  /** Close the segment store (the caller has run the final cycle). */
  close(): void {
    this.cs.close();
  }
}
