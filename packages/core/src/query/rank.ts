// ftstat's engine: ranks the entities of the sessions in a frame, on the calling thread
// or on a worker pool, with results that are the same to the last bit either way.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { shareable } from './entityshare.js';
import { QueryError } from './queryerror.js';
import { planRank, type RankQuery } from './rankquery.js';
import { finishRank, type RankResult } from './rankresult.js';
import { RankScanner } from './rankscanner.js';
import { RankState } from './rankstate.js';
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
}

/** Splits segments into k groups of about the same number of rows (largest first, to the lightest group). */
export function partitionSegments(infos: readonly SegmentInfo[], k: number): SegmentInfo[][] {
  const groups: SegmentInfo[][] = Array.from({ length: k }, () => []);
  const load = new Array<number>(k).fill(0);
  const bySize = infos.map((s, i) => ({ s, i })).sort((a, b) => b.s.rows - a.s.rows || a.i - b.i);
  for (const { s } of bySize) {
    let g = 0;
    for (let j = 1; j < k; j++) if (load[j]! < load[g]!) g = j;
    groups[g]!.push(s);
    load[g]! += s.rows;
  }
  return groups.filter((g) => g.length > 0);
}

/** A segment as a worker receives it: files by path, memory segments cut down to the columns read (shared, not copied). */
function forWorker(info: SegmentInfo, names: readonly ColumnName[]): SegmentInfo {
  if (info.ref.kind === 'file') return info;
  const all = info.ref.columns;
  const columns: Partial<Record<ColumnName, ColumnArray>> = {};
  for (const n of names) if (all[n] !== undefined) columns[n] = all[n];
  return { ...info, ref: { kind: 'memory', rows: info.rows, columns } };
}

export async function rank(source: SessionSource, q: RankQuery, opts: RankOptions = {}): Promise<RankResult> {
  const plan = planRank(q);
  const workers = opts.workers ?? opts.pool?.size ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new QueryError('BAD_WORKERS', `workers must be a positive whole number (got ${String(opts.workers)})`);
  const infos = source.segments(plan.fromUs, plan.toUs);
  const st = new RankState(plan);
  const scanner = new RankScanner(plan);

  if ((opts.pool === undefined && workers === 1) || infos.length === 0) {
    for (const info of infos) {
      const reader = source.open(info);
      try {
        scanner.scan(info, reader, st);
      } finally {
        reader.close();
      }
    }
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
      await Promise.all(Array.from({ length: k }, (_, index) => pool.run({ query: q, segments, share: { index, of: k } }).then((p) => st.merge(p))));
      return finishRank(st);
    }
    const groups = partitionSegments(infos, k);
    // each partial is merged as it arrives, while slower workers still scan (merging is order-independent)
    await Promise.all(
      groups.map((g) => pool.run({ query: q, segments: g.map((info) => forWorker(info, scanner.columnsFor(info))) }).then((p) => st.merge(p))),
    );
    return finishRank(st);
  } finally {
    if (opts.pool === undefined) await pool.close();
  }
}
