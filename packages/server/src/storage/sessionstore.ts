// Where ftserver keeps sessions: the columnar segment store on disk, the finished sessions not yet
// in it in memory, and the durability checkpoint that ties them together (checkpoint.ts).
// Queries see all of it, plus the tracker's active sessions handed in at query time.

import {
  ColumnStore,
  MemorySource,
  StoreError,
  type Columns,
  type SegmentInfo,
  type SessionSource,
  type StoreLogger,
  type StoreStats,
} from '@opentraq/core';
import { hotSource } from './hotsource.js';
import { RetiredFiles } from './retiredfiles.js';
import { CheckpointError, readCheckpoint, setCheckpointAside, writeCheckpoint, type SessionRows } from './checkpoint.js';
import { unstoredRows } from './unstoredrows.js';

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
  /** Finished sessions that were only in the checkpoint and are now stored (or held in memory until the store can write). */
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

/** The store's totals as ftserver reports them (/metrics, the storage thread's view). */
export type SessionStoreStats = StoreStats & {
  /** Finished sessions in memory, not yet in a segment file (waiting for a cycle, or kept while the store cannot write). */
  readonly pendingRows: number;
  readonly generation: number;
  /** Durability cycles that could not write (checkpoint or store) since open. */
  readonly writeFailures: number;
  /** The last cycle could not write: the store is failing now. */
  readonly failing: boolean;
};

type Step = 'checkpoint' | 'store';

export class SessionStore {
  private cs: ColumnStore;
  private readonly storeLogger: StoreLogger | undefined;
  readonly databasePath: string;
  private segmentOptions: { segmentCount: number; segmentSize: number; computeCrc: boolean };
  /** Finished sessions no checkpoint holds yet. */
  private pending = new MemorySource();
  private pendingCount = 0;
  /** Finished sessions the committed checkpoint holds and the store's files do not (its writes failed), oldest first. */
  private unstored: SegmentInfo[] = [];
  private unstoredCount = 0;
  /** The store's next segment id recorded by the committed checkpoint: only segments from it on can hold rows of `unstored`. */
  private committedFromId: number;
  /**
   * False from a failed store write until the store is opened again from its files and `unstored` is
   * matched against them. Meanwhile the store object is never written to: its buffer may hold rows
   * that `unstored` holds too, and writing them would store them twice.
   */
  private storeKnown = true;
  private generation: number;
  /** Files the store dropped that a query reading an older list may still open, and the epoch of the list. */
  private readonly retired: RetiredFiles;
  /** When the current run of failing cycles began (null: the last cycle wrote everything), and its length. */
  private failingSince: Date | null = null;
  private failedCycles = 0;
  cycles = 0;
  lastCycle: CycleReport | null = null;
  /** Sessions delivered to the store since start. */
  accepted = 0;
  /** Durability cycles that could not write (checkpoint or store) since open. */
  writeFailures = 0;

  private constructor(store: ColumnStore, opts: SessionStoreOptions, generation: number, retired: RetiredFiles) {
    this.cs = store;
    this.retired = retired;
    this.storeLogger = opts.logger;
    this.databasePath = opts.databasePath;
    this.segmentOptions = { segmentCount: opts.segmentCount, segmentSize: opts.segmentSize, computeCrc: opts.computeCrc };
    this.generation = generation;
    this.committedFromId = store.nextSegmentId;
  }

  /**
   * Open the store and restore what the last checkpoint holds that the store does not. Throws
   * StoreError for a store it cannot use (VERSION: written by a newer server) and CheckpointError
   * for an unreadable checkpoint. A store that cannot be written (a full disk) does not stop the
   * start: the restored sessions stay in memory and go with the next cycles.
   */
  static open(opts: SessionStoreOptions): { store: SessionStore; recovery: RecoveryReport } {
    const retired = new RetiredFiles(opts.logger);
    const cs = openColumnStore(opts.databasePath, opts, opts.logger, retired);
    // no query reads anything yet: what the open dropped goes now
    retired.deleteUpTo(retired.epoch);
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
    const s = new SessionStore(cs, opts, ck?.record.generation ?? 0, retired);
    if (ck === null) return { store: s, recovery: { checkpoint: false, finishedRestored: 0, finishedAlreadyStored: 0, activeRestored: 0 } };
    // No segment written since the commit: the finished part is only in the checkpoint. Otherwise the
    // crash may have come between two writes of the same append (a full segment, then the partial with
    // the rest), so the rows the new segments hold are taken out and only the others restored.
    let restoredFinished = 0;
    if (ck.finished !== null && ck.finished.rows > 0) {
      const kept = unstoredRows([new MemorySource().append(ck.finished.cols, ck.finished.rows)], cs, ck.record.nextSegmentId, opts.logger);
      s.acceptSegments(kept);
      restoredFinished = kept.reduce((n, p) => n + p.rows, 0);
    }
    if (ck.active !== null) s.accept(ck.active.cols, ck.active.rows);
    try {
      // the same cycle as always: checkpoint first, then the store, so a crash now loses nothing either
      s.cycle(null);
    } catch (e) {
      // A write the disk refused is reported by the cycle; the sessions stay in memory, and the last
      // committed checkpoint (the one just read, or the new one if only the store failed) holds them all.
      if (!s.failing) throw e;
    }
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

  /**
   * Numbers the store's list of files as queries see it (the storage thread's views): each cycle and
   * reconfigure starts a new epoch, and a file dropped during epoch E is in no list of E or later.
   */
  get epoch(): number {
    return this.retired.epoch;
  }

  /** Files dropped from the store and kept on disk for queries that may still read them. */
  get retiredFiles(): number {
    return this.retired.size;
  }

  /**
   * Delete the dropped files no query reads any more (those dropped at `oldestRead`, the oldest
   * epoch a running query reads, or before) and start a new epoch: what every change of the store
   * begins with.
   */
  private nextEpoch(oldestRead: number): void {
    this.retired.deleteUpTo(oldestRead);
    this.retired.nextEpoch();
  }

  /** The segment store (opened again after a failed write and by reconfigure: do not keep it). */
  get store(): ColumnStore {
    return this.cs;
  }

  /**
   * Apply new segment settings (SIGHUP): the store is closed (flushing its buffer) and opened again
   * with them. A smaller segmentcount drops the oldest segments at once (deleted as in cycle()). When
   * the store cannot be opened again this throws, and every cycle tries again before it writes anything.
   */
  reconfigure(o: { segmentCount: number; segmentSize: number; computeCrc: boolean }, oldestRead = this.epoch): void {
    this.nextEpoch(oldestRead);
    this.segmentOptions = { ...o };
    if (this.storeKnown) this.closeStore();
    // opened at once with the new settings; if that fails, the next cycle tries again before it writes
    this.storeKnown = false;
    this.openStoreAgain();
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

  /** The last cycle could not write (checkpoint or store). */
  get failing(): boolean {
    return this.failingSince !== null;
  }

  /** Finished sessions not yet in a store segment. */
  get pendingRows(): number {
    return this.pendingCount + this.unstoredCount;
  }

  /** The finished sessions not yet in a store segment, as memory segments, oldest first: what queries read of them. */
  held(): SegmentInfo[] {
    return [...this.unstored, ...this.pending.all()];
  }

  /**
   * The durability cycle (every storageinterval, and at stop with active = null): commit a checkpoint
   * of the finished sessions and `active`, then append the finished ones to the store and flush it.
   *
   * A cycle that cannot write (a full disk, an I/O error, a read-only file system) throws and loses
   * nothing: when the checkpoint fails, the previous one stays committed and the finished sessions
   * stay pending; when the store fails, the store is opened again from its files (what a restart
   * would find) and the sessions they do not hold stay in memory. The next cycle checkpoints and
   * stores all of them, oldest first, however many cycles failed before.
   *
   * The files the store drops (merged partials, segments past retention) stay on disk while a query
   * may read them: `oldestRead` is the oldest epoch whose list a running query reads (the main
   * thread's leases); files dropped after it are deleted by a later cycle. By default none is read.
   */
  cycle(active: SessionRows | null, oldestRead = this.epoch): CycleReport {
    const t0 = performance.now();
    this.nextEpoch(oldestRead);
    try {
      this.openStoreAgain();
    } catch (e) {
      this.failed('store', e);
      throw e;
    }
    // the batches as they arrived, never copied together: the checkpoint and the store's buffer each
    // take their rows straight from them
    const finished = this.held();
    const rows = this.pendingRows;
    const act = active !== null && active.rows > 0 ? active : null;
    if (rows === 0 && act === null && !this.failing && this.generation > 0 && this.lastCycle !== null && this.lastCycle.finished === 0 && this.lastCycle.active === 0) {
      // nothing then, nothing now: the committed checkpoint already says so (while failing, the write
      // is tried anyway: it tells when the disk takes writes again)
      return (this.lastCycle = { finished: 0, active: 0, ms: performance.now() - t0 });
    }
    // A generation number is used once, even by a write that failed: a failure after the commit's
    // rename (the directory's fsync) may have committed it, and a retry under the same number would
    // delete that checkpoint's files before committing its own.
    const generation = ++this.generation;
    let fromId: number;
    try {
      fromId = this.cs.nextSegmentId;
      writeCheckpoint(this.databasePath, generation, fromId, finished.map(rowsOf), act, this.segmentOptions.computeCrc);
    } catch (e) {
      this.failed('checkpoint', e);
      throw e;
    }
    // from here the committed checkpoint holds these rows: they leave memory only once the store has them
    this.committedFromId = fromId;
    this.unstored = finished;
    this.unstoredCount = rows;
    this.pending = new MemorySource();
    this.pendingCount = 0;
    if (rows > 0) {
      try {
        for (const part of finished) this.cs.append(rowsOf(part).cols, part.rows);
        this.cs.flush();
      } catch (e) {
        this.storeKnown = false;
        try {
          // at once, so that queries meanwhile see the rows the files hold there and the others here
          this.openStoreAgain();
        } catch {
          // Tried again at the start of the next cycle, which writes nothing until it succeeds.
          // Meanwhile the files the dropped store object wrote keep queries from counting rows twice.
          try {
            this.matchFiles();
          } catch {
            // unreadable files: queries cannot read them either
          }
        }
        this.failed('store', e);
        throw e;
      }
    }
    this.unstored = [];
    this.unstoredCount = 0;
    this.cycles++;
    this.lastCycle = { finished: rows, active: act?.rows ?? 0, ms: performance.now() - t0 };
    this.succeeded(rows);
    return this.lastCycle;
  }

  /**
   * After a failed store write, the store object's memory (its buffer, what it believes written) is
   * not known to match its files: it is dropped unflushed and the store opened again from them, as a
   * restart after a crash would, and the rows those files hold since the committed checkpoint are taken
   * out of `unstored`. Dropping it loses nothing: its buffer holds rows that are in files or in
   * `unstored`. Throws when the store cannot be opened or read; `storeKnown` then stays false.
   */
  private openStoreAgain(): void {
    if (this.storeKnown) return;
    this.cs = openColumnStore(this.databasePath, this.segmentOptions, this.storeLogger, this.retired);
    this.matchFiles();
    this.storeKnown = true;
  }

  /** Take out of `unstored` the rows the store's segments written since the committed checkpoint hold. */
  private matchFiles(): void {
    const kept = unstoredRows(this.unstored, this.cs, this.committedFromId, this.storeLogger);
    this.unstored = kept;
    this.unstoredCount = kept.reduce((n, p) => n + p.rows, 0);
  }

  private closeStore(): void {
    try {
      this.cs.close();
    } catch (e) {
      // Between cycles every row of the store's buffer is in a file (the last cycle flushed it, or the
      // store was opened again from its files), so a flush failing here leaves nothing behind.
      this.storeLogger?.warn({ path: this.cs.dir, error: (e as Error).message }, 'the store could not be closed cleanly; every session it held is in its files');
    }
  }

  private failed(step: Step, e: unknown): void {
    this.writeFailures++;
    this.failedCycles++;
    if (this.failingSince !== null) return;
    this.failingSince = new Date();
    this.storeLogger?.warn(
      { step, error: e instanceof Error ? e.message : String(e), held: this.pendingRows },
      step === 'checkpoint'
        ? 'the storage cycle cannot write the checkpoint: finished sessions stay in memory (queries see them) and are stored, in order, once the disk takes writes again; until then a crash loses those not in the last committed checkpoint'
        : 'the store cannot write its segment files: finished sessions stay in memory (queries see them) and in the checkpoint, and are stored, in order, once the disk takes writes again',
    );
  }

  private succeeded(rows: number): void {
    if (this.failingSince === null) return;
    this.storeLogger?.warn(
      { failed_cycles: this.failedCycles, since: this.failingSince.toISOString(), stored: rows },
      'the store writes again: the finished sessions kept in memory while it could not are stored',
    );
    this.failingSince = null;
    this.failedCycles = 0;
  }

  /**
   * A source over everything stored now plus `active` (the tracker's snapshot): what one query reads.
   * The segment lists are taken now; later cycles do not change what this query sees.
   */
  querySource(active: SessionRows | null): SessionSource {
    return hotSource(this.cs.list(), this.held(), active);
  }

  stats(): SessionStoreStats {
    return { ...this.cs.stats(), pendingRows: this.pendingRows, generation: this.generation, writeFailures: this.writeFailures, failing: this.failing };
  }

  /** Close the segment store (the caller has run the final cycle, and no query runs any more). */
  close(): void {
    // a store object dropped after a failed write is never flushed (see openStoreAgain)
    if (this.storeKnown) this.closeStore();
    this.retired.deleteUpTo(Infinity);
  }
}

function openColumnStore(
  databasePath: string,
  o: { segmentCount: number; segmentSize: number; computeCrc: boolean },
  logger: StoreLogger | undefined,
  retired: RetiredFiles,
): ColumnStore {
  return ColumnStore.open(databasePath, {
    segmentCount: o.segmentCount,
    segmentSize: o.segmentSize,
    computeCrc: o.computeCrc,
    onDropped: (file) => retired.add(file),
    ...(logger === undefined ? {} : { logger }),
  });
}
