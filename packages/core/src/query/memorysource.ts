// A SessionSource over batches held in memory (the server's hot store, tests): each
// batch becomes one segment sorted by start, its columns in SharedArrayBuffers so that
// worker threads read them without a copy.

import { COLUMN_DEFS, COLUMNS, wordsPerRow, type ColumnArray, type ColumnName, type ColumnType, type Columns } from '../fields/columns.js';
import { sortOrder } from '../store/sortorder.js';
import { QueryError } from './queryerror.js';
import type { ColumnStats, SegmentInfo, SegmentReader, SessionSource } from './source.js';

const ARRAY_TYPES: Readonly<Record<ColumnType, { new (b: SharedArrayBuffer): ColumnArray; name: string; BYTES_PER_ELEMENT: number }>> = {
  f64: Float64Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
  ip: Uint32Array,
};

// One function per array type for the copy and the stats: a loop that reads Float64Array, Uint32Array,
// Uint16Array and Uint8Array columns in turn turns megamorphic in V8 and costs several times as much
// a row (this copy is on the receiving thread for every finished session).
type Gather = (dst: ColumnArray, src: ColumnArray, order: Uint32Array, rows: number) => void;
type MinMax = (a: ColumnArray, rows: number) => ColumnStats;

function gatherF64(dst: Float64Array, src: Float64Array, order: Uint32Array, rows: number): void {
  for (let i = 0; i < rows; i++) dst[i] = src[order[i]!]!;
}
function gatherU32(dst: Uint32Array, src: Uint32Array, order: Uint32Array, rows: number): void {
  for (let i = 0; i < rows; i++) dst[i] = src[order[i]!]!;
}
function gatherU16(dst: Uint16Array, src: Uint16Array, order: Uint32Array, rows: number): void {
  for (let i = 0; i < rows; i++) dst[i] = src[order[i]!]!;
}
function gatherU8(dst: Uint8Array, src: Uint8Array, order: Uint32Array, rows: number): void {
  for (let i = 0; i < rows; i++) dst[i] = src[order[i]!]!;
}
function gatherIp(dst: Uint32Array, src: Uint32Array, order: Uint32Array, rows: number): void {
  for (let i = 0; i < rows; i++) {
    const o = order[i]! * 4;
    const d = i * 4;
    dst[d] = src[o]!;
    dst[d + 1] = src[o + 1]!;
    dst[d + 2] = src[o + 2]!;
    dst[d + 3] = src[o + 3]!;
  }
}
function minMaxF64(a: Float64Array, rows: number): ColumnStats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
function minMaxU32(a: Uint32Array, rows: number): ColumnStats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
function minMaxU16(a: Uint16Array, rows: number): ColumnStats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
function minMaxU8(a: Uint8Array, rows: number): ColumnStats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
const GATHER = { f64: gatherF64, u32: gatherU32, u16: gatherU16, u8: gatherU8, ip: gatherIp } as unknown as Readonly<Record<ColumnType, Gather>>;
const MIN_MAX = { f64: minMaxF64, u32: minMaxU32, u16: minMaxU16, u8: minMaxU8, ip: minMaxU32 } as unknown as Readonly<Record<ColumnType, MinMax>>;

/** Reads a 'memory' segment: the arrays of its ref, no copy. */
export function memorySegmentReader(info: SegmentInfo): SegmentReader {
  const ref = info.ref;
  if (ref.kind !== 'memory') throw new QueryError('UNSUPPORTED_SEGMENT', `segment ${info.id} is a ${ref.kind} segment, not a memory one`);
  return {
    info,
    read(names) {
      const out: Partial<Record<ColumnName, ColumnArray>> = {};
      for (const n of names) {
        const a = ref.columns[n];
        if (a === undefined) {
          throw new QueryError(COLUMNS.has(n) ? 'BAD_BATCH' : 'UNKNOWN_COLUMN', `memory segment ${info.id} has no column ${JSON.stringify(n)}`);
        }
        out[n] = a;
      }
      return out;
    },
    close() {},
  };
}

export class MemorySource implements SessionSource {
  private list: SegmentInfo[] = [];
  private nextId = 1;

  /**
   * Adds `rows` sessions given as a full set of columns (allocColumns) as one new
   * segment. The columns are copied (sorted by start, stable), so the caller may reuse them.
   */
  append(columns: Columns, rows: number): SegmentInfo {
    if (!Number.isSafeInteger(rows) || rows <= 0) throw new QueryError('BAD_BATCH', `a batch needs a positive whole number of rows (got ${String(rows)})`);
    for (const def of COLUMN_DEFS) {
      const a = columns[def.name] as ColumnArray | undefined;
      const want = ARRAY_TYPES[def.type];
      if (a === undefined) throw new QueryError('BAD_BATCH', `the batch has no column ${def.name}`);
      if (!(a instanceof (want as unknown as typeof Float64Array))) {
        throw new QueryError('BAD_BATCH', `column ${def.name} must be a ${want.name} (got ${a.constructor.name})`);
      }
      if (a.length < rows * wordsPerRow(def.type)) {
        throw new QueryError('BAD_BATCH', `column ${def.name} holds ${a.length} values, fewer than the ${rows * wordsPerRow(def.type)} of ${rows} rows`);
      }
    }
    const order = sortOrder(columns.start as Float64Array, rows);
    const out = {} as Record<ColumnName, ColumnArray>;
    const stats: Partial<Record<ColumnName, ColumnStats>> = {};
    for (const def of COLUMN_DEFS) {
      const w = wordsPerRow(def.type);
      const T = ARRAY_TYPES[def.type];
      const dst = new T(new SharedArrayBuffer(rows * w * T.BYTES_PER_ELEMENT));
      const src = columns[def.name];
      if (order === undefined) dst.set(src.subarray(0, rows * w));
      else if (w === 4) gatherIp(dst as Uint32Array, src as Uint32Array, order, rows);
      else GATHER[def.type](dst, src, order, rows);
      if (w === 1) stats[def.name] = MIN_MAX[def.type](dst, rows);
      out[def.name] = dst;
    }
    return this.insert({
      id: 0,
      rows,
      startMin: stats.start!.min,
      startMax: stats.start!.max,
      endMax: stats.end!.max,
      stats,
      ref: { kind: 'memory', rows, columns: out },
    });
  }

  /**
   * Adds a memory segment made by another MemorySource (possibly in another thread: its columns are
   * SharedArrayBuffers) without copying it; it gets an id of this source.
   */
  adopt(info: SegmentInfo): SegmentInfo {
    if (info.ref.kind !== 'memory') throw new QueryError('UNSUPPORTED_SEGMENT', `segment ${info.id} is a ${info.ref.kind} segment, not a memory one`);
    return this.insert(info);
  }

  /** Keeps the list ordered by startMin then id (binary search: batches arrive mostly in order). */
  private insert(from: SegmentInfo): SegmentInfo {
    const info: SegmentInfo = { ...from, id: this.nextId++ };
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.startMin <= info.startMin) lo = mid + 1;
      else hi = mid;
    }
    this.list.splice(lo, 0, info);
    return info;
  }

  /** Drops a segment (once the hot store has written it to disk); false when there is none with that id. */
  remove(id: number): boolean {
    const i = this.list.findIndex((s) => s.id === id);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** Every segment, ordered by startMin then id. */
  all(): readonly SegmentInfo[] {
    return this.list;
  }

  segments(fromUs: number, toUs: number): SegmentInfo[] {
    return this.list.filter((s) => s.startMin < toUs && s.endMax >= fromUs);
  }

  open(info: SegmentInfo): SegmentReader {
    return memorySegmentReader(info);
  }
}
