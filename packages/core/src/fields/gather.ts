// Row copies in a given order (a segment sorted by start) with their min/max, one function per array type: a
// loop that reads Float64Array, Uint32Array, Uint16Array and Uint8Array columns in turn turns
// megamorphic in V8 and costs several times as much a row. These run for every finished session, on
// the receiving thread (the hot store's copy) and on the storage thread (the segment's sort).

import type { ColumnArray, ColumnType } from './columns.js';

type Gather = (dst: ColumnArray, src: ColumnArray, order: Uint32Array, rows: number, range: Float64Array) => void;
type MinMax = (a: ColumnArray, rows: number) => { min: number; max: number };

function gatherF64(dst: Float64Array, src: Float64Array, order: Uint32Array, rows: number, range: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = src[order[i]!]!;
    dst[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min;
  range[1] = max;
}
function gatherU32(dst: Uint32Array, src: Uint32Array, order: Uint32Array, rows: number, range: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = src[order[i]!]!;
    dst[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min;
  range[1] = max;
}
function gatherU16(dst: Uint16Array, src: Uint16Array, order: Uint32Array, rows: number, range: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = src[order[i]!]!;
    dst[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min;
  range[1] = max;
}
function gatherU8(dst: Uint8Array, src: Uint8Array, order: Uint32Array, rows: number, range: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = src[order[i]!]!;
    dst[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min;
  range[1] = max;
}
function gatherIp(dst: Uint32Array, src: Uint32Array, order: Uint32Array, rows: number, range: Float64Array): void {
  range[0] = NaN;
  range[1] = NaN;
  for (let i = 0; i < rows; i++) {
    const o = order[i]! * 4;
    const d = i * 4;
    dst[d] = src[o]!;
    dst[d + 1] = src[o + 1]!;
    dst[d + 2] = src[o + 2]!;
    dst[d + 3] = src[o + 3]!;
  }
}
function minMaxF64(a: Float64Array, rows: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
function minMaxU32(a: Uint32Array, rows: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
function minMaxU16(a: Uint16Array, rows: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
function minMaxU8(a: Uint8Array, rows: number): { min: number; max: number } {
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


const RANGE = new Float64Array(2);

/**
 * dst[i] = src[order[i]] for the first `rows` rows (ip: 4 words a row); returns the smallest and
 * largest value copied, in the same pass (NaN for ip columns).
 */
export function gatherRows(type: ColumnType, dst: ColumnArray, src: ColumnArray, order: Uint32Array, rows: number): { min: number; max: number } {
  GATHER[type](dst, src, order, rows, RANGE);
  return { min: RANGE[0]!, max: RANGE[1]! };
}

/** Smallest and largest of the first `rows` values (not for ip columns). */
export function minMax(type: ColumnType, a: ColumnArray, rows: number): { min: number; max: number } {
  return MIN_MAX[type](a, rows);
}
