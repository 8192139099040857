// Row copies in a given order (a segment sorted by start) with their min/max, one function per array
// type: a loop that reads Float64Array, Uint32Array, Uint16Array and Uint8Array columns in turn turns
// megamorphic in V8 and costs several times as much a row. These run for every finished session, on
// the receiving thread (the hot store's copy) and on the storage thread (the segment's sort).
//
// The per-type functions are compiled from one source text (new Function): each compilation is a
// function of its own to V8, with its own type feedback, so each stays monomorphic.

import type { ColumnArray, ColumnType } from './columns.js';

type Gather = (dst: ColumnArray, src: ColumnArray, order: Uint32Array, rows: number, range: Float64Array) => void;
type MinMax = (a: ColumnArray, rows: number, range: Float64Array) => void;

const GATHER_SOURCE = `
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = src[order[i]];
    dst[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min;
  range[1] = max;`;

const GATHER_IP_SOURCE = `
  for (let i = 0; i < rows; i++) {
    const o = order[i] * 4;
    const d = i * 4;
    dst[d] = src[o];
    dst[d + 1] = src[o + 1];
    dst[d + 2] = src[o + 2];
    dst[d + 3] = src[o + 3];
  }
  range[0] = NaN;
  range[1] = NaN;`;

const MIN_MAX_SOURCE = `
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = a[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min;
  range[1] = max;`;

// the type in a comment makes each source text differ, so that no engine can share one compilation
const gather = (type: ColumnType, body: string): Gather => new Function('dst', 'src', 'order', 'rows', 'range', `'use strict'; // ${type}${body}`) as Gather;
const minMaxOf = (type: ColumnType): MinMax => new Function('a', 'rows', 'range', `'use strict'; // ${type}${MIN_MAX_SOURCE}`) as MinMax;

const GATHER: Readonly<Record<ColumnType, Gather>> = {
  f64: gather('f64', GATHER_SOURCE),
  u32: gather('u32', GATHER_SOURCE),
  u16: gather('u16', GATHER_SOURCE),
  u8: gather('u8', GATHER_SOURCE),
  ip: gather('ip', GATHER_IP_SOURCE),
};
const MIN_MAX: Readonly<Record<ColumnType, MinMax>> = { f64: minMaxOf('f64'), u32: minMaxOf('u32'), u16: minMaxOf('u16'), u8: minMaxOf('u8'), ip: minMaxOf('ip') };

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
  MIN_MAX[type](a, rows, RANGE);
  return { min: RANGE[0]!, max: RANGE[1]! };
}
