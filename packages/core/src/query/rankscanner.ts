// Runs one ranking over segments, a chunk of rows at a time: time pruning by binary
// search, the compiled filter, the either-field side marks, then the generated kernel.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { compileToJs, restrictToSide, type CompiledFilter } from '../filter/index.js';
import { compileKernel, kernelColumns, type RankKernel } from './rankkernel.js';
import type { RankPlan } from './rankquery.js';
import type { RankState } from './rankstate.js';
import type { SegmentInfo } from './source.js';

/** Rows per filter/kernel call: big enough to amortise calls, small enough to stay in cache. */
export const CHUNK_ROWS = 8192;

export type ColumnReader = (names: readonly ColumnName[]) => Partial<Record<ColumnName, ColumnArray>>;

/** Index of the first row whose start is >= t (rows are sorted by start). */
export function firstStartAtOrAfter(start: Float64Array, rows: number, t: number): number {
  let lo = 0;
  let hi = rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (start[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every session of the segment lies entirely inside [from, to): no time column is needed to rank it. */
export function segmentInside(info: SegmentInfo, from: number, to: number): boolean {
  return info.startMin >= from && info.endMax <= to && info.startMax < to;
}

export class RankScanner {
  private readonly plan: RankPlan;
  private readonly kernel: RankKernel;
  private readonly filter: CompiledFilter | null;
  private readonly sides: readonly [CompiledFilter, CompiledFilter] | null;
  private readonly baseColumns: readonly ColumnName[];
  private readonly sel = new Uint32Array(CHUNK_ROWS);
  private readonly sideSel = new Uint32Array(CHUNK_ROWS);
  private readonly marks = new Uint8Array(CHUNK_ROWS);

  constructor(plan: RankPlan) {
    this.plan = plan;
    this.kernel = compileKernel(plan);
    this.filter = plan.filter === null ? null : compileToJs(plan.filter);
    this.sides =
      plan.filter !== null && plan.eitherField !== null
        ? [compileToJs(restrictToSide(plan.filter, plan.eitherField, 'client')), compileToJs(restrictToSide(plan.filter, plan.eitherField, 'server'))]
        : null;
    const set = new Set<ColumnName>(kernelColumns(plan));
    for (const f of [this.filter, ...(this.sides ?? [])]) if (f !== null) for (const c of f.columns) set.add(c);
    this.baseColumns = [...set];
  }

  /** The columns scanning this segment reads. */
  columnsFor(info: SegmentInfo): ColumnName[] {
    const inside = segmentInside(info, this.plan.fromUs, this.plan.toUs);
    const names = [...this.baseColumns];
    if (!inside || this.plan.slices > 0) for (const t of ['start', 'end'] as const) if (!names.includes(t)) names.push(t);
    return names;
  }

  scan(info: SegmentInfo, read: ColumnReader, st: RankState): void {
    const { fromUs, toUs } = this.plan;
    const inside = segmentInside(info, fromUs, toUs);
    const cols = read(this.columnsFor(info));
    const hi = inside ? info.rows : firstStartAtOrAfter(cols.start as Float64Array, info.rows, toUs);
    for (let lo = 0; lo < hi; lo += CHUNK_ROWS) {
      const end = Math.min(lo + CHUNK_ROWS, hi);
      let sel: Uint32Array | null = null;
      let n = 0;
      if (this.filter !== null) {
        n = this.filter.select(cols, lo, end, this.sel);
        if (n === 0) continue;
        sel = this.sel;
      }
      let marks: Uint8Array | null = null;
      if (this.sides !== null) {
        marks = this.marks;
        marks.fill(0, 0, end - lo);
        for (let side = 0; side < 2; side++) {
          const m = this.sides[side]!.select(cols, lo, end, this.sideSel);
          const bit = side + 1;
          for (let i = 0; i < m; i++) marks[this.sideSel[i]! - lo]! |= bit;
        }
      }
      this.kernel(st, cols, lo, end, sel, n, marks, !inside);
    }
  }
}
