// ftstat's engine: ranks the entities of the sessions in a frame, on the calling thread
// or on a worker pool, with results that are the same to the last bit either way.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { shareable } from './entityshare.js';
import { QueryError } from './queryerror.js';
import { planRank, type RankQuery } from './rankquery.js';
import { finishRank, type RankResult } from './rankresult.js';
import { RankScanner } from './rankscanner.js';
import { RankState } from './rankstate.js';
import { knownDamaged, type SkippedSegment } from './skippedsegment.js';
import type { SegmentInfo, SessionSource } from './source.js';
import { WorkerPool } from './workerpool.js';

export interface RankOptions {
  /**
   * Threads to spread the segments over. Without a pool: 1 (the default) ranks on the
   * calling thread, more starts a pool for this call only. With a pool: at most this many
   * of its threads (default: all of them).
   */
  readonly workers?: number;
  /** A pool to run on; the calling thread then only merges the partial results. */
  readonly pool?: WorkerPool;
  /**
   * Told how far the scan is: the rows of the segments scanned so far and of all the query's segments
   * (every row of a segment is looked at, so these count stored sessions, not matches). Called after
   * each segment on the calling thread, which then lets the event loop run before the next one (a
   * caller that reports progress must be able to send it); every `progressMs` (default 200) while
   * workers scan; and with scanned = 0 at the start and scanned = total at the end.
   */
  readonly onProgress?: (scannedRows: number, totalRows: number) => void;
  readonly progressMs?: number;
}

/** Segments scanned per index of `segments` (shared with the workers, which count them), turned into rows. */
function scannedRows(segments: readonly SegmentInfo[], done: Int32Array, perSegment: number): number {
  let rows = 0;
  for (let k = 0; k < segments.length; k++) rows += segments[k]!.rows * Math.min(1, Atomics.load(done, k) / perSegment);
  return Math.round(rows);
}

/** Runs `work`, reporting the workers' progress on `done` every `ms` while it runs. */
async function withProgress(work: Promise<void>, report: (() => void) | null, ms: number): Promise<void> {
  if (report === null) return work;
  const timer = setInterval(report, ms);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
}

/** The order workers claim segments in: largest first, so that the last claims are small and the workers finish together. */
function claimOrder(infos: readonly SegmentInfo[]): SegmentInfo[] {
  return infos
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.rows - a.s.rows || a.i - b.i)
    .map((x) => x.s);
}

/**
 * A segment as a worker receives it: what scanning needs (no statistics or column directory
 * to clone), files by path, memory segments cut down to the columns read (shared, not copied).
 */
function forWorker(info: SegmentInfo, names: readonly ColumnName[]): SegmentInfo {
  const { id, rows, startMin, startMax, endMax } = info;
  if (info.ref.kind === 'file') return { id, rows, startMin, startMax, endMax, stats: {}, ref: { kind: 'file', path: info.ref.path } };
  const all = info.ref.columns;
  const columns: Partial<Record<ColumnName, ColumnArray>> = {};
  for (const n of names) if (all[n] !== undefined) columns[n] = all[n];
  return { id, rows, startMin, startMax, endMax, stats: {}, ref: { kind: 'memory', rows: info.rows, columns, ...(info.ref.unsorted === undefined ? {} : { unsorted: info.ref.unsorted }) } };
}

export async function rank(source: SessionSource, q: RankQuery, opts: RankOptions = {}): Promise<RankResult> {
  const plan = planRank(q);
  const workers = opts.workers ?? opts.pool?.size ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new QueryError('BAD_WORKERS', `workers must be a positive whole number (got ${String(opts.workers)})`);
  const st = new RankState(plan);
  // segments the source already knows to be damaged are skipped unopened, and said so
  const infos: SegmentInfo[] = [];
  for (const info of source.segments(plan.fromUs, plan.toUs)) {
    const known = knownDamaged(info);
    if (known === null) infos.push(info);
    else st.skipped.push(known);
  }
  // segments found damaged now: the source is told once each, as soon as they are found
  const told = new Set<number>();
  const tell = (found: readonly SkippedSegment[]): void => {
    for (const s of found) {
      if (told.has(s.id)) continue;
      told.add(s.id);
      source.segmentDamaged?.(s);
    }
  };
  const scanner = new RankScanner(plan);
  const onProgress = opts.onProgress;
  const total = infos.reduce((n, s) => n + s.rows, 0);
  const progressMs = opts.progressMs ?? 200;
  onProgress?.(0, total);

  if ((opts.pool === undefined && workers === 1) || infos.length === 0) {
    let scanned = 0;
    for (const info of infos) {
      const skipped = scanner.scanOrSkip(info, (i) => source.open(i), st);
      if (skipped !== null) tell([skipped]);
      scanned += info.rows;
      if (onProgress !== undefined && scanned < total) {
        onProgress(scanned, total);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    onProgress?.(total, total);
    return finishRank(st);
  }

  const pool = opts.pool ?? new WorkerPool(workers);
  try {
    const k = Math.min(workers, pool.size);
    if (shareable(plan) && k > 1) {
      // Every worker reads every segment but keeps only its share of the entities: the
      // partials are then disjoint and are appended, where merging millions of pairs by
      // key on this thread would cost more than the whole scan.
      const segments = infos.map((info) => forWorker(info, scanner.columnsFor(info)));
      const progress = onProgress === undefined ? undefined : new Int32Array(new SharedArrayBuffer(4 * segments.length));
      const report = progress === undefined ? null : () => onProgress!(scannedRows(segments, progress, k), total);
      await withProgress(
        Promise.all(
          Array.from({ length: k }, (_, index) =>
            pool.run({ query: q, segments, share: { index, of: k }, progress }).then((p) => {
              st.merge(p);
              tell(p.skipped);
            }),
          ),
        ).then(() => undefined),
        report,
        progressMs,
      );
      onProgress?.(total, total);
      return finishRank(st);
    }
    // Every worker gets every segment and claims the next unclaimed one from a shared counter
    // until none is left: a worker slowed down (another query, another process on its core)
    // takes fewer, so all finish together. Each partial is merged as it arrives (in any order).
    const segments = claimOrder(infos).map((info) => forWorker(info, scanner.columnsFor(info)));
    const claim = new Int32Array(new SharedArrayBuffer(4));
    const progress = onProgress === undefined ? undefined : new Int32Array(new SharedArrayBuffer(4 * segments.length));
    const report = progress === undefined ? null : () => onProgress!(scannedRows(segments, progress, 1), total);
    await withProgress(
      Promise.all(
        Array.from({ length: Math.min(k, segments.length) }, () =>
          pool.run({ query: q, segments, claim, progress }).then((p) => {
            st.merge(p);
            tell(p.skipped);
          }),
        ),
      ).then(() => undefined),
      report,
      progressMs,
    );
    onProgress?.(total, total);
    return finishRank(st);
  } finally {
    if (opts.pool === undefined) await pool.close();
  }
}
