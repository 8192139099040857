// Per-segment sums of one dictionary-coded key column, indexed by code: small enough to stay
// in the cache while rows hit them at random, folded into the per-entity sums once per code.

import type { ColumnArray } from '../fields/columns.js';
import type { PartKind } from './keyindex.js';
import { ACC_WIDTH, type RankState } from './rankstate.js';
import type { DictColumn } from './source.js';

/**
 * Values kept per code, in the entity's view: bytes sent, bytes received, packets sent,
 * packets received (ACC 0..3), then the rows added (0: none, and the sums are 0 too).
 */
export const CODE_SUM_WIDTH = 5;

/**
 * Sums and session counts of the rows of one segment, by the code of one key column. Only
 * whole numbers go in (segments entirely inside the frame, nothing pro-rated), so adding
 * them to the entities' sums per code gives exactly what adding them row by row gives.
 */
export class CodeSums {
  /** CODE_SUM_WIDTH values per code, one record a row touches: 4 volumes and the row count. */
  sums: Float64Array = new Float64Array(0);
  /**
   * For the client side of a sided entity whose other side is coded too: per code, the code
   * of the same value in the other column's dictionary, or -1 (see linkTwins).
   */
  twin: Int32Array = new Int32Array(0);

  /** Makes room for the codes of `d` (sums all 0: fold leaves them so). */
  prepare(d: DictColumn): void {
    const size = d.size;
    if (this.sums.length < CODE_SUM_WIDTH * size) this.sums = new Float64Array(CODE_SUM_WIDTH * Math.max(size, 1024));
  }

  /**
   * Fills `twin` for the codes of `a` (this column's dictionary) with the code of the equal
   * value in `b`, so that a kernel tells a session of an entity with itself by one load.
   */
  linkTwins(kind: PartKind, a: DictColumn, b: DictColumn): void {
    if (this.twin.length < a.size) this.twin = new Int32Array(Math.max(a.size, 1024));
    matchDictionaries(kind, a, b, this.twin);
  }

  /**
   * Adds each touched code's sums to its entity in st.acc, its row count to the ACC slots
   * `countSlots`, and zeroes the code's slots. The entity is `memo[code]` when the kernel
   * found it, else the value of the code in `d` is looked up here (and kept in the memo):
   * codes in a row, independent of each other, where rows would wait on one lookup after another.
   */
  fold(st: RankState, memo: Int32Array, d: DictColumn, countSlots: readonly number[]): void {
    const sums = this.sums;
    const ix = st.ix;
    const { dict, size } = d;
    // addresses of a dictionary whose IPv4-mapped run the reader marked go to the address-ordered sums, without ids
    if (st.addr !== null && st.addr.add(d, sums, CODE_SUM_WIDTH, countSlots)) return;
    for (let k = 0; k < size; k++) if (sums[k * CODE_SUM_WIDTH + 4] !== 0 && memo[k]! < 0) memo[k] = ix.idOfValue(dict, k);
    st.ensure();
    const acc = st.acc;
    const c0 = countSlots[0]!;
    const c1 = countSlots.length > 1 ? countSlots[1]! : -1;
    for (let k = 0; k < size; k++) {
      const q = k * CODE_SUM_WIDTH;
      const n = sums[q + 4]!;
      if (n === 0) continue;
      const o = memo[k]! * ACC_WIDTH;
      acc[o] += sums[q]!;
      acc[o + 1] += sums[q + 1]!;
      acc[o + 2] += sums[q + 2]!;
      acc[o + 3] += sums[q + 3]!;
      acc[o + c0] += n;
      if (c1 >= 0) acc[o + c1] += n;
      sums[q] = 0;
      sums[q + 1] = 0;
      sums[q + 2] = 0;
      sums[q + 3] = 0;
      sums[q + 4] = 0;
    }
  }
}

/**
 * Merges entries [i, iEnd) of a with [j, jEnd) of b, one value an entry at index `stride` ×
 * entry + `at` (words, MACs, the low words of IPv4-mapped addresses): out[i] = the index of the
 * equal entry of b, or -1. False when either range is not strictly ascending.
 */
function mergeValues(da: ColumnArray, i: number, iEnd: number, db: ColumnArray, j: number, jEnd: number, stride: number, at: number, out: Int32Array): boolean {
  let prevA = -1;
  let prevB = -1;
  let vb = j < jEnd ? db[j * stride + at]! : 0;
  for (; i < iEnd; i++) {
    const va = da[i * stride + at]!;
    if (va <= prevA) return false;
    prevA = va;
    while (j < jEnd && vb < va) {
      if (vb <= prevB) return false;
      prevB = vb;
      if (++j < jEnd) vb = db[j * stride + at]!;
    }
    out[i] = j < jEnd && vb === va ? j : -1;
  }
  for (; j < jEnd; j++) {
    vb = db[j * stride + at]!;
    if (vb <= prevB) return false;
    prevB = vb;
  }
  return true;
}

/** Entry i of a compared with entry j of b, addresses word by word: negative, 0 or positive. */
function compareIp(a: ColumnArray, i: number, b: ColumnArray, j: number): number {
  const d = a[4 * i]! - b[4 * j]!;
  if (d !== 0) return d;
  for (let w = 1; w < 4; w++) {
    const e = a[4 * i + w]! - b[4 * j + w]!;
    if (e !== 0) return e;
  }
  return 0;
}

/** mergeValues for whole addresses (four words an entry), the order checked as the merge goes. */
function mergeIp(da: ColumnArray, i: number, iEnd: number, db: ColumnArray, j: number, jEnd: number, out: Int32Array): boolean {
  const [i0, j0] = [i, j];
  for (; i < iEnd; i++) {
    if (i > i0 && compareIp(da, i - 1, da, i) >= 0) return false;
    for (; j < jEnd; j++) {
      // most addresses differ in their first word
      const first = db[4 * j]! - da[4 * i]!;
      if (first > 0 || (first === 0 && compareIp(db, j, da, i) >= 0)) break;
      if (j > j0 && compareIp(db, j - 1, db, j) >= 0) return false;
    }
    out[i] = j < jEnd && compareIp(db, j, da, i) === 0 ? j : -1;
  }
  for (let k = Math.max(j, j0 + 1); k < jEnd; k++) if (compareIp(db, k - 1, db, k) >= 0) return false;
  return true;
}

/**
 * out[k] = the index in b of a's entry k, or -1 when b lacks it. Dictionaries are stored in
 * ascending order, so merging does it; IPv4-mapped runs the reader marks are merged by their
 * low word alone, the few other addresses word by word. Dictionaries out of order (a damaged
 * file without checksums, a source that does not sort) are matched through a map instead, so
 * the answer never depends on the order.
 */
export function matchDictionaries(kind: PartKind, a: DictColumn, b: DictColumn, out: Int32Array): void {
  let ok: boolean;
  if (kind !== 'ip') {
    ok = mergeValues(a.dict, 0, a.size, b.dict, 0, b.size, 1, 0, out);
  } else if (a.v4 !== undefined && b.v4 !== undefined) {
    const [a0, a1] = a.v4;
    const [b0, b1] = b.v4;
    ok =
      mergeIp(a.dict, 0, a0, b.dict, 0, b0, out) &&
      mergeValues(a.dict, a0, a1, b.dict, b0, b1, 4, 3, out) &&
      mergeIp(a.dict, a1, a.size, b.dict, b1, b.size, out);
  } else {
    ok = mergeIp(a.dict, 0, a.size, b.dict, 0, b.size, out);
  }
  if (!ok) matchByMap(kind, a, b, out);
}

function matchByMap(kind: PartKind, a: DictColumn, b: DictColumn, out: Int32Array): void {
  const width = kind === 'ip' ? 4 : 1;
  const keyOf = (d: ColumnArray, k: number): string => Array.from(d.subarray(width * k, width * k + width)).join(',');
  const inB = new Map<string, number>();
  for (let j = b.size - 1; j >= 0; j--) inB.set(keyOf(b.dict, j), j);
  for (let i = 0; i < a.size; i++) out[i] = inB.get(keyOf(a.dict, i)) ?? -1;
}
