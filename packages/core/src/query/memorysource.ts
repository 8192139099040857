// A SessionSource over batches held in memory (the server's hot store, tests): each batch becomes
// one segment, its columns in SharedArrayBuffers so that worker threads read them without a copy —
// sorted by start (append), or as given (appendUnsorted: queries then read a sorted copy, made by
// sortedMemorySegment; this source's own segments() lists such a batch but its open() refuses it).

import { COLUMN_DEFS, COLUMNS, wordsPerRow, type ColumnArray, type ColumnName, type ColumnType, type Columns } from '../fields/columns.js';
import { gatherRows, minMax } from '../fields/gather.js';
import { align8 } from '../store/format.js';
import { sortOrder } from '../store/sortorder.js';
import { QueryError } from './queryerror.js';
import type { ColumnStats, SegmentInfo, SegmentReader, SessionSource } from './source.js';

/** Names the batches of appendUnsorted (SegmentRef's `unsorted`). */
let nextBatch = 1;

const ARRAY_TYPES: Readonly<Record<ColumnType, { new (b: SharedArrayBuffer): ColumnArray; name: string; BYTES_PER_ELEMENT: number }>> = {
  f64: Float64Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
  ip: Uint32Array,
};

/** Reads a 'memory' segment: the arrays of its ref, no copy. */
export function memorySegmentReader(info: SegmentInfo): SegmentReader {
  const ref = info.ref;
  if (ref.kind !== 'memory') throw new QueryError('UNSUPPORTED_SEGMENT', `segment ${info.id} is a ${ref.kind} segment, not a memory one`);
  if (ref.unsorted !== undefined) throw new QueryError('UNSUPPORTED_SEGMENT', `memory segment ${info.id} is not sorted by start: a query reads its sorted copy (sortedMemorySegment)`);
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

/** Throws QueryError (BAD_BATCH) unless `columns` is a full set of columns holding `rows` rows. */
function checkBatch(columns: Columns, rows: number): void {
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
}

/**
 * The segment a query reads for `info`: itself, or for an unsorted memory segment
 * (MemorySource.appendUnsorted) a copy sorted by start with every column's statistics, under the same id.
 */
export function sortedMemorySegment(info: SegmentInfo): SegmentInfo {
  if (info.ref.kind !== 'memory' || info.ref.unsorted === undefined) return info;
  return { ...new MemorySource().append(info.ref.columns as Columns, info.rows), id: info.id };
}

export class MemorySource implements SessionSource {
  private list: SegmentInfo[] = [];
  private nextId = 1;

  /**
   * Adds `rows` sessions given as a full set of columns (allocColumns) as one new
   * segment. The columns are copied (sorted by start, stable), so the caller may reuse them.
   */
  append(columns: Columns, rows: number): SegmentInfo {
    checkBatch(columns, rows);
    const order = sortOrder(columns.start as Float64Array, rows);
    const out = {} as Record<ColumnName, ColumnArray>;
    const stats: Partial<Record<ColumnName, ColumnStats>> = {};
    for (const def of COLUMN_DEFS) {
      const w = wordsPerRow(def.type);
      const T = ARRAY_TYPES[def.type];
      const dst = new T(new SharedArrayBuffer(rows * w * T.BYTES_PER_ELEMENT));
      const src = columns[def.name];
      if (order === undefined) {
        dst.set(src.subarray(0, rows * w));
        if (w === 1) stats[def.name] = minMax(def.type, dst, rows);
      } else {
        const range = gatherRows(def.type, dst, src, order, rows);
        if (w === 1) stats[def.name] = range;
      }
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
   * Adds `rows` sessions as one new segment copied as they are, in one SharedArrayBuffer, not sorted
   * by start: cheaper than append() (a copy, and the start and end ranges only) for batches that are
   * mostly stored without being queried. Queries read it through sortedMemorySegment().
   */
  appendUnsorted(columns: Columns, rows: number): SegmentInfo {
    checkBatch(columns, rows);
    let bytes = 0;
    for (const def of COLUMN_DEFS) bytes += align8(rows * wordsPerRow(def.type) * ARRAY_TYPES[def.type].BYTES_PER_ELEMENT);
    const buf = new SharedArrayBuffer(bytes);
    const out = {} as Record<ColumnName, ColumnArray>;
    let at = 0;
    for (const def of COLUMN_DEFS) {
      const T = ARRAY_TYPES[def.type] as unknown as new (b: SharedArrayBuffer, offset: number, length: number) => ColumnArray;
      const n = rows * wordsPerRow(def.type);
      const dst = new T(buf, at, n);
      dst.set(columns[def.name].subarray(0, n));
      out[def.name] = dst;
      at += align8(n * ARRAY_TYPES[def.type].BYTES_PER_ELEMENT);
    }
    const start = minMax('f64', out.start, rows);
    const end = minMax('f64', out.end, rows);
    return this.insert({
      id: 0,
      rows,
      startMin: start.min,
      startMax: start.max,
      endMax: end.max,
      stats: { start, end },
      ref: { kind: 'memory', rows, columns: out, unsorted: nextBatch++ },
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
