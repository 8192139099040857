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
  /** Codes of `twin` that have a code of the same value on the other side. */
  twins = 0;
  private readonly totals = new Float64Array(CODE_SUM_WIDTH);

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
    const twin = this.twin;
    matchDictionaries(kind, a, b, twin);
    let twins = 0;
    for (let k = 0; k < a.size; k++) twins += twin[k]! >= 0 ? 1 : 0;
    this.twins = twins;
  }

  /**
   * Adds the rows and volumes of every code to st's totals: the totals of a segment whose
   * every selected row went to these code sums (CompiledKernel.totalsBy). `conv` as for fold.
   */
  addTotals(st: RankState, size: number, conv: Float64Array): void {
    const t = this.totals;
    t.fill(0);
    sumCodes(this.sums, size, t);
    const rows = t[4]!;
    const value = (k: number): number => conv[2 * k]! * rows + conv[2 * k + 1]! * t[k]!;
    st.sessions += rows;
    st.bytesW += value(0) + value(1);
    st.packetsW += value(2) + value(3);
  }

  /**
   * Adds each touched code's sums to its entity in st.acc, its row count to the ACC slots
   * `countSlots`, and zeroes the code's slots. Value k of a code is conv[2k] × rows +
   * conv[2k + 1] × its sum: sums of steps of a frame of reference (VolumeFrames) become sums
   * of values here (IDENTITY: they are values). The entity is `memo[code]` when the kernel
   * found it, else the value of the code in `d` is looked up here (and kept in the memo):
   * codes in a row, independent of each other, where rows would wait on one lookup after another.
   */
  fold(st: RankState, memo: Int32Array, d: DictColumn, countSlots: readonly number[], conv: Float64Array = IDENTITY): void {
    const sums = this.sums;
    const ix = st.ix;
    const { dict, size } = d;
    // addresses of a dictionary whose IPv4-mapped run the reader marked go to the address-ordered sums, without ids
    if (st.addr !== null && st.addr.add(d, sums, CODE_SUM_WIDTH, countSlots, conv)) return;
    for (let k = 0; k < size; k++) if (sums[k * CODE_SUM_WIDTH + 4] !== 0 && memo[k]! < 0) memo[k] = ix.idOfValue(dict, k);
    st.ensure();
    foldById(st.acc, sums, memo, size, countSlots[0]!, countSlots.length > 1 ? countSlots[1]! : -1, conv);
  }
}

/** Value k of a code is 0 × rows + 1 × its sum: sums of values, nothing to convert (see CodeSums.fold). */
export const IDENTITY = Float64Array.of(0, 1, 0, 1, 0, 1, 0, 1);

// The loops over every code are functions of typed arrays and numbers, with nothing after the
// loop but a return: V8 compiles such a loop while it runs (on-stack replacement) with what it
// has seen so far; an operation after the loop that it had not seen yet would send every later
// call back to unoptimised code, and so would the map of an object that a query made and that
// died with it.

/** Adds each of the CODE_SUM_WIDTH values over the first `size` codes of `sums` to out[0..] (whole numbers: exact). */
function sumCodes(sums: Float64Array, size: number, out: Float64Array): void {
  const w = CODE_SUM_WIDTH;
  for (let k = 0; k < size; k++) {
    const q = k * w;
    out[0] += sums[q]!;
    out[1] += sums[q + 1]!;
    out[2] += sums[q + 2]!;
    out[3] += sums[q + 3]!;
    out[4] += sums[q + 4]!;
  }
}

/** CodeSums.fold's adding, code by code into the entity `memo[code]` of acc (ACC_WIDTH a row), zeroing the code sums. */
function foldById(acc: Float64Array, sums: Float64Array, memo: Int32Array, size: number, c0: number, c1: number, conv: Float64Array): void {
  const w = CODE_SUM_WIDTH;
  const aw = ACC_WIDTH;
  const b0 = conv[0]!, s0 = conv[1]!, b1 = conv[2]!, s1 = conv[3]!, b2 = conv[4]!, s2 = conv[5]!, b3 = conv[6]!, s3 = conv[7]!;
  for (let k = 0; k < size; k++) {
    const q = k * w;
    const n = sums[q + 4]!;
    if (n === 0) continue;
    const o = memo[k]! * aw;
    acc[o] += b0 * n + s0 * sums[q]!;
    acc[o + 1] += b1 * n + s1 * sums[q + 1]!;
    acc[o + 2] += b2 * n + s2 * sums[q + 2]!;
    acc[o + 3] += b3 * n + s3 * sums[q + 3]!;
    acc[o + c0] += n;
    if (c1 >= 0) acc[o + c1] += n;
    sums[q] = 0;
    sums[q + 1] = 0;
    sums[q + 2] = 0;
    sums[q + 3] = 0;
    sums[q + 4] = 0;
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

/** The address at a[ao..] is below the one at b[bo..] (words as unsigned numbers; most differ in their first). */
function below4(a: ColumnArray, ao: number, b: ColumnArray, bo: number): boolean {
  const a0 = a[ao]!;
  const b0 = b[bo]!;
  if (a0 !== b0) return a0 < b0;
  const a1 = a[ao + 1]!;
  const b1 = b[bo + 1]!;
  if (a1 !== b1) return a1 < b1;
  const a2 = a[ao + 2]!;
  const b2 = b[bo + 2]!;
  if (a2 !== b2) return a2 < b2;
  return a[ao + 3]! < b[bo + 3]!;
}

/** The addresses at a[ao..] and b[bo..] are equal. */
function same4(a: ColumnArray, ao: number, b: ColumnArray, bo: number): boolean {
  return a[ao] === b[bo] && a[ao + 1] === b[bo + 1] && a[ao + 2] === b[bo + 2] && a[ao + 3] === b[bo + 3];
}

/** mergeValues for whole addresses (four words an entry), the order checked as the merge goes. */
function mergeIp(da: ColumnArray, i: number, iEnd: number, db: ColumnArray, j: number, jEnd: number, out: Int32Array): boolean {
  const [i0, j0] = [i, j];
  for (; i < iEnd; i++) {
    const ao = 4 * i;
    if (i > i0 && !below4(da, ao - 4, da, ao)) return false;
    for (; j < jEnd && below4(db, 4 * j, da, ao); j++) if (j > j0 && !below4(db, 4 * j - 4, db, 4 * j)) return false;
    out[i] = j < jEnd && same4(db, 4 * j, da, ao) ? j : -1;
  }
  for (let k = Math.max(j, j0 + 1); k < jEnd; k++) if (!below4(db, 4 * k - 4, db, 4 * k)) return false;
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
