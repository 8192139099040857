// Runs one ranking over segments, a chunk of rows at a time: time pruning by binary
// search, the compiled filter, the either-field side marks, then the generated kernel.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { compileToJs, restrictToSide, type CompiledFilter } from '../filter/index.js';
import { CodeSums, IDENTITY } from './codesums.js';
import { partKind } from './keyindex.js';
import { EntityShare, type ShareSpec } from './entityshare.js';
import { codableColumns, compileKernel, kernelColumns, type ByCodeKernel, type CompiledKernel, type SelfSpec } from './rankkernel.js';
import type { RankPlan } from './rankquery.js';
import { ACC, ACC_WIDTH, type RankState } from './rankstate.js';
import { skippedSegment, type SkippedSegment } from './skippedsegment.js';
import type { DictColumn, FrameColumn, SegmentInfo, SegmentReader } from './source.js';
import { VOLUME_COLUMNS, VolumeFrames } from './volumeframes.js';

/** Rows per filter/kernel call: big enough to amortise calls, small enough to stay in cache. */
export const CHUNK_ROWS = 8192;

const FRAMED: ReadonlySet<ColumnName> = new Set(VOLUME_COLUMNS);

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
  /** The same for the volume columns read as frames (their stored bytes: not the decoded arrays of `scratch`). */
  private readonly frameScratch: Partial<Record<ColumnName, ColumnArray>> = {};
  /** The volumes of a segment whose kernel sums them by code alone. */
  private readonly frames = new VolumeFrames();
  /** No filter reads a volume column: kernels that sum volumes by code alone may read them as frames. */
  private readonly framable: boolean;
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
  /** Per code sums, how their sums of steps become values (CodeSums.fold's `conv`), reused from segment to segment. */
  private readonly conversions: Float64Array[] = [];
  /** What a ByCodeKernel lists: sessions of an entity with itself. */
  private readonly selfRows = new Uint32Array(CHUNK_ROWS);
  /** What a ByCodeKernel adds up when the totals do not come from code sums: rows, then the sums of bc, bs, pc, ps. */
  private readonly tot = new Float64Array(5);

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
    this.framable = VOLUME_COLUMNS.every((c) => !filtered.has(c));
  }

  /** The columns scanning this segment reads. */
  columnsFor(info: SegmentInfo): ColumnName[] {
    const inside = segmentInside(info, this.plan.fromUs, this.plan.toUs);
    const names = [...this.baseColumns];
    if (!inside || this.plan.slices > 0) for (const t of ['start', 'end'] as const) if (!names.includes(t)) names.push(t);
    return names;
  }

  /**
   * The columns of the segment, the codable ones as dictionary codes when the reader has them,
   * and the kernel for them, its memos cleared and code sums sized for the dictionaries. When
   * that kernel sums volumes by code alone, they are read as frames (stored parts, not decoded)
   * and the kernel compiled for their part types is used instead.
   */
  private prepare(
    info: SegmentInfo,
    src: ColumnSource,
    inside: boolean,
  ): {
    cols: Partial<Record<ColumnName, ColumnArray>>;
    dicts: Partial<Record<ColumnName, DictColumn>>;
    frames: VolumeFrames | null;
    kernel: CompiledKernel;
    memos: Int32Array[];
    codeSums: CodeSums[];
  } {
    let names = this.columnsFor(info);
    const dicts: Partial<Record<ColumnName, DictColumn>> = {};
    let cols: Partial<Record<ColumnName, ColumnArray>> = {};
    if (src.readEncoded !== undefined && this.codable.length > 0) {
      const enc = src.readEncoded(this.codable, this.scratch);
      for (const c of this.codable) {
        const e = enc[c]!;
        if (e.kind === 'dict') dicts[c] = e;
        else if (e.kind === 'plain') cols[c] = e.values;
      }
      const codable = new Set(this.codable);
      names = names.filter((c) => !codable.has(c));
    }
    let kernel = this.kernelOf(Object.keys(dicts) as ColumnName[], inside, null);
    let frames: VolumeFrames | null = null;
    if (kernel.byCode && this.framable && src.readEncoded !== undefined) {
      frames = this.readFrames(info, src);
      kernel = this.kernelOf(Object.keys(dicts) as ColumnName[], inside, frames.types);
      names = names.filter((c) => !FRAMED.has(c));
    }
    cols = { ...src.read(names, this.scratch), ...cols };
    return { cols, dicts, frames, kernel, ...this.kernelState(kernel, dicts) };
  }

  /** The volume columns as frames (those stored otherwise, or not summable in steps, decoded). */
  private readFrames(info: SegmentInfo, src: ColumnSource): VolumeFrames {
    const enc = src.readEncoded!(VOLUME_COLUMNS, this.frameScratch, FRAMED);
    const columns = VOLUME_COLUMNS.map((c): FrameColumn | ColumnArray => {
      const e = enc[c]!;
      return e.kind === 'frame' ? e : e.kind === 'plain' ? e.values : src.read([c], this.scratch)[c]!;
    });
    if (!this.frames.prepare(columns, info.rows)) {
      const values = src.read(VOLUME_COLUMNS, this.scratch);
      this.frames.prepare(
        VOLUME_COLUMNS.map((c) => values[c]!),
        info.rows,
      );
    }
    return this.frames;
  }

  /** The kernel for a segment's coded columns, inside the frame or not, reading frames with these part types or not. */
  private kernelOf(coded: readonly ColumnName[], inside: boolean, frames: string | null): CompiledKernel {
    const shared = this.share?.sided ?? false;
    const key = `${inside ? 'in' : 'part'}:${coded.join(',')}:${frames ?? ''}`;
    let kernel = this.kernels.get(key);
    if (kernel === undefined) {
      kernel = compileKernel(this.plan, new Set(coded), inside, shared, frames);
      this.kernels.set(key, kernel);
    }
    return kernel;
  }

  /** The kernel's memos cleared and code sums sized for the segment's dictionaries. */
  private kernelState(kernel: CompiledKernel, dicts: Partial<Record<ColumnName, DictColumn>>): { memos: Int32Array[]; codeSums: CodeSums[] } {
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
    return { memos, codeSums };
  }

  /**
   * Opens segment `info` with `open`, ranks it into st and closes it. A segment found damaged
   * (StoreError CORRUPT, from opening it or from any of its columns) adds nothing to st: it is
   * recorded in st.skipped and returned. Any other failure is thrown.
   */
  scanOrSkip(info: SegmentInfo, open: (info: SegmentInfo) => SegmentReader, st: RankState): SkippedSegment | null {
    let reader: SegmentReader | undefined;
    try {
      reader = open(info);
      this.scan(info, reader, st);
      return null;
    } catch (e) {
      const skipped = skippedSegment(info, e);
      if (skipped === null) throw e;
      st.skipped.push(skipped);
      return skipped;
    } finally {
      reader?.close();
    }
  }

  scan(info: SegmentInfo, src: ColumnSource, st: RankState): void {
    const { fromUs, toUs } = this.plan;
    const inside = segmentInside(info, fromUs, toUs);
    // Every column is read, and checked, before anything is added to st: a segment found damaged
    // (its reader throws) adds nothing, so a query can skip it and stay exact over the others.
    const { cols, dicts, frames, kernel, memos, codeSums } = this.prepare(info, src, inside);
    if (!inside) st.useFractions();
    this.share?.prepare(dicts);
    // a ByCodeKernel takes arrays: gathered once for the segment
    let byCode: Parameters<ByCodeKernel> | null = null;
    if (kernel.byCode) {
      const self = kernel.self;
      byCode = [
        0,
        0,
        null,
        0,
        null,
        frames?.parts ?? VOLUME_COLUMNS.map((c) => cols[c]!),
        kernel.coded.map((c) => dicts[c]!.codes),
        codeSums.map((c) => c.sums),
        kernel.codeSums.map((spec, i) => (spec.twinOf >= 0 ? codeSums[i]!.twin : null)),
        frames?.highParts ?? null,
        self !== null && codeSums[self.of]!.twins > 0 ? this.selfRows : null,
        this.tot,
      ];
    }
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
      if (byCode !== null && kernel.byCode) {
        byCode[0] = lo;
        byCode[1] = end;
        byCode[2] = sel;
        byCode[3] = n;
        byCode[4] = marks;
        const count = kernel.run(...byCode);
        if (count > 0) this.addSelfRows(st, kernel.self!, count, dicts, memos);
      } else if (!kernel.byCode) kernel.run(st, cols, lo, end, sel, n, marks, dicts, memos, codeSums);
    }
    if (kernel.byCode && kernel.totalsBy < 0) this.addTotals(st, frames);
    kernel.codeSums.forEach((spec, i) => {
      const d = dicts[spec.column]!;
      const conv = frames === null ? IDENTITY : this.conversion(i, frames, spec.volumes);
      if (i === kernel.totalsBy) codeSums[i]!.addTotals(st, d.size, conv);
      codeSums[i]!.fold(st, memos[spec.memo]!, d, spec.countSlots, conv);
    });
  }

  /** Counts the sessions of an entity with itself that a ByCodeKernel listed (rows of selfRows) in the entity's ACC.self. */
  private addSelfRows(st: RankState, self: SelfSpec, count: number, dicts: Partial<Record<ColumnName, DictColumn>>, memos: readonly Int32Array[]): void {
    const d = dicts[self.column]!;
    const memo = memos[self.memo]!;
    for (let j = 0; j < count; j++) {
      const code = d.codes[this.selfRows[j]!]!;
      let id = memo[code]!;
      if (id < 0) memo[code] = id = st.ix.idOfValue(d.dict, code);
      st.ensure();
      st.acc[id * ACC_WIDTH + ACC.self] += 1;
    }
  }

  /** How code sums `i`, whose value k sums volume volumes[k] in steps of `frames`, become values (see CodeSums.fold). */
  private conversion(i: number, frames: VolumeFrames, volumes: readonly number[]): Float64Array {
    const conv = (this.conversions[i] ??= new Float64Array(8));
    volumes.forEach((v, k) => {
      conv[2 * k] = frames.base[v]!;
      conv[2 * k + 1] = frames.step[v]!;
    });
    return conv;
  }

  /** Adds what a ByCodeKernel added up in `tot` (sums of steps with frames) to st's totals, and clears it. */
  private addTotals(st: RankState, frames: VolumeFrames | null): void {
    const t = this.tot;
    const n = t[0]!;
    const value = (k: number): number => (frames === null ? t[k + 1]! : frames.sum(k, n, t[k + 1]!));
    st.sessions += n;
    st.bytesW += value(0) + value(1);
    st.packetsW += value(2) + value(3);
    t.fill(0);
  }
}
