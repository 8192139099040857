// Runs one ranking over segments, a chunk of rows at a time: time pruning by binary
// search, the compiled filter, the either-field side marks, then the generated kernel.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { compileToJs, restrictToSide, type CompiledFilter } from '../filter/index.js';
import { CodeSums } from './codesums.js';
import { partKind } from './keyindex.js';
import { EntityShare, type ShareSpec } from './entityshare.js';
import { codableColumns, compileKernel, kernelColumns, type CompiledKernel } from './rankkernel.js';
import type { RankPlan } from './rankquery.js';
import type { RankState } from './rankstate.js';
import type { DictColumn, SegmentInfo, SegmentReader } from './source.js';

/** Rows per filter/kernel call: big enough to amortise calls, small enough to stay in cache. */
export const CHUNK_ROWS = 8192;

/** What a scan needs of an open segment. */
export type ColumnSource = Pick<SegmentReader, 'read' | 'readEncoded'>;

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
  /** Kernels by coded columns and inside-or-not, so a segment costs no source generation. */
  private readonly kernels = new Map<string, CompiledKernel>();
  /** Key columns no filter reads: these may come as dictionary codes. */
  private readonly codable: readonly ColumnName[];
  /** Memo arrays, grown to the largest dictionary seen and reused from segment to segment. */
  private memos: Int32Array[] = [];
  /** Per-code sums of inside kernels, reused from segment to segment (left zeroed by fold). */
  private readonly codeSums: CodeSums[] = [];
  /** Decode arrays reused from segment to segment (see SegmentReader.read): a segment's columns live until the next is read. */
  private readonly scratch: Partial<Record<ColumnName, ColumnArray>> = {};
  private readonly filter: CompiledFilter | null;
  private readonly sides: readonly [CompiledFilter, CompiledFilter] | null;
  private readonly baseColumns: readonly ColumnName[];
  private readonly sel = new Uint32Array(CHUNK_ROWS);
  private readonly sideSel = new Uint32Array(CHUNK_ROWS);
  private readonly marks = new Uint8Array(CHUNK_ROWS);
  /** Set when this thread ranks only the entities of one share (see EntityShare). */
  private readonly share: EntityShare | null;
  private readonly shareSel = new Uint32Array(CHUNK_ROWS);
  private readonly shareMarks = new Uint8Array(CHUNK_ROWS);

  constructor(plan: RankPlan, share?: ShareSpec) {
    this.plan = plan;
    this.share = share === undefined ? null : new EntityShare(plan, share, CHUNK_ROWS);
    this.filter = plan.filter === null ? null : compileToJs(plan.filter);
    this.sides =
      plan.filter !== null && plan.eitherField !== null
        ? [compileToJs(restrictToSide(plan.filter, plan.eitherField, 'client')), compileToJs(restrictToSide(plan.filter, plan.eitherField, 'server'))]
        : null;
    const set = new Set<ColumnName>(kernelColumns(plan));
    for (const f of [this.filter, ...(this.sides ?? [])]) if (f !== null) for (const c of f.columns) set.add(c);
    this.baseColumns = [...set];
    const filtered = new Set<ColumnName>();
    for (const f of [this.filter, ...(this.sides ?? [])]) if (f !== null) for (const c of f.columns) filtered.add(c);
    this.codable = codableColumns(plan).filter((c) => !filtered.has(c));
  }

  /** The columns scanning this segment reads. */
  columnsFor(info: SegmentInfo): ColumnName[] {
    const inside = segmentInside(info, this.plan.fromUs, this.plan.toUs);
    const names = [...this.baseColumns];
    if (!inside || this.plan.slices > 0) for (const t of ['start', 'end'] as const) if (!names.includes(t)) names.push(t);
    return names;
  }

  /** The columns of the segment, the codable ones as dictionary codes when the reader has them. */
  private readColumns(info: SegmentInfo, src: ColumnSource): { cols: Partial<Record<ColumnName, ColumnArray>>; dicts: Partial<Record<ColumnName, DictColumn>> } {
    const names = this.columnsFor(info);
    const dicts: Partial<Record<ColumnName, DictColumn>> = {};
    if (src.readEncoded === undefined || this.codable.length === 0) return { cols: src.read(names, this.scratch), dicts };
    const codable = new Set(this.codable);
    const cols = src.read(names.filter((c) => !codable.has(c)), this.scratch);
    const enc = src.readEncoded(this.codable, this.scratch);
    for (const c of this.codable) {
      const e = enc[c]!;
      if (e.kind === 'dict') dicts[c] = e;
      else cols[c] = e.values;
    }
    return { cols, dicts };
  }

  /** The kernel for this segment's coded columns, with its memos cleared and code sums sized for the dictionaries. */
  private kernelFor(
    dicts: Partial<Record<ColumnName, DictColumn>>,
    inside: boolean,
  ): { kernel: CompiledKernel; memos: Int32Array[]; codeSums: CodeSums[] } {
    const names = Object.keys(dicts) as ColumnName[];
    const shared = this.share?.sided ?? false;
    const key = `${inside ? 'in' : 'part'}:${names.join(',')}`;
    let kernel = this.kernels.get(key);
    if (kernel === undefined) {
      kernel = compileKernel(this.plan, new Set(names), inside, shared);
      this.kernels.set(key, kernel);
    }
    const memos = kernel.memoColumns.map((c, i) => {
      const size = dicts[c]!.size;
      let m = this.memos[i];
      if (m === undefined || m.length < size) m = this.memos[i] = new Int32Array(Math.max(size, 1024));
      m.fill(-1, 0, size);
      return m;
    });
    const codeSums = kernel.codeSums.map((spec, i) => {
      const s = (this.codeSums[i] ??= new CodeSums());
      s.prepare(dicts[spec.column]!);
      return s;
    });
    kernel.codeSums.forEach((spec, i) => {
      if (spec.twinOf >= 0) codeSums[i]!.linkTwins(partKind(spec.column), dicts[spec.column]!, dicts[kernel.codeSums[spec.twinOf]!.column]!);
    });
    return { kernel, memos, codeSums };
  }

  scan(info: SegmentInfo, src: ColumnSource, st: RankState): void {
    const { fromUs, toUs } = this.plan;
    const inside = segmentInside(info, fromUs, toUs);
    if (!inside) st.useFractions();
    const { cols, dicts } = this.readColumns(info, src);
    const { kernel, memos, codeSums } = this.kernelFor(dicts, inside);
    this.share?.prepare(dicts);
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
      let shareMarks: Uint8Array | null = null;
      if (this.share !== null) {
        if (this.share.sided) {
          shareMarks = this.shareMarks;
          n = this.share.markSides(cols, dicts, lo, end, sel, n, shareMarks, this.shareSel);
        } else n = this.share.select(cols, dicts, lo, end, sel, n, this.shareSel);
        if (n === 0) continue;
        sel = this.shareSel;
      }
      let marks: Uint8Array | null = shareMarks;
      if (this.sides !== null) {
        marks = this.marks;
        marks.fill(0, 0, end - lo);
        for (let side = 0; side < 2; side++) {
          const m = this.sides[side]!.select(cols, lo, end, this.sideSel);
          const bit = side + 1;
          for (let i = 0; i < m; i++) marks[this.sideSel[i]! - lo]! |= bit;
        }
        // a side is ranked when the filter allows it and it is this share's; the totals bit stays
        if (shareMarks !== null) {
          for (let j = 0; j < n; j++) {
            const i = sel![j]! - lo;
            marks[i] = (shareMarks[i]! & 4) | (shareMarks[i]! & marks[i]! & 3);
          }
        }
      }
      kernel.run(st, cols, lo, end, sel, n, marks, dicts, memos, codeSums);
    }
    kernel.codeSums.forEach((spec, i) => codeSums[i]!.fold(st, memos[spec.memo]!, dicts[spec.column]!, spec.countSlots));
  }
}
