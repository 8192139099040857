// Sums of address entities kept in address order, for rankings keyed by one address column: the
// sorted dictionary of each segment is merged in, without a hash lookup and with sequential memory.

import type { ColumnArray } from '../fields/columns.js';
import type { KeyIndex } from './keyindex.js';
import { KeyTable } from './keytable.js';
import { sortKeys } from './sortkeys.js';
import type { DictColumn } from './source.js';

/** Sums per address, as ACC 0..5: bytes sent, bytes received, packets sent, packets received, initiated, accepted. */
export const ADDRESS_SUM_WIDTH = 6;

const W = ADDRESS_SUM_WIDTH;

/** Sign of (words of entry i of `keys`, `width` words an entry) − (the words of x at xs[xo..]). */
function compareKey(keys: Uint32Array, i: number, width: number, xs: ColumnArray, xo: number): number {
  for (let w = 0; w < width; w++) {
    const d = keys[i * width + w]! - xs[xo + w]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The first index in [i, n) whose 4-word key is not below the key at xs[xo..], keys ascending:
 * a gallop (1, 2, 4 … entries ahead) then a binary search, since other addresses are sparse
 * (a segment holds a small part of them, so the next one is often many entries ahead). Most
 * addresses differ in their first word: the others are compared only on a tie.
 */
function firstNotBelow(keys: Uint32Array, i: number, n: number, xs: ColumnArray, xo: number): number {
  const x0 = xs[xo]!;
  if (i >= n || !below(keys, i, x0, xs, xo)) return i;
  // keys[lo] is below, keys[hi] (or the end) is not
  let lo = i;
  let step = 1;
  let hi = i + 1;
  while (hi < n && below(keys, hi, x0, xs, xo)) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (below(keys, mid, x0, xs, xo)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Key j (4 words) is below the key at xs[xo..], whose first word is x0. */
function below(keys: Uint32Array, j: number, x0: number, xs: ColumnArray, xo: number): boolean {
  const k0 = keys[4 * j]!;
  return k0 < x0 || (k0 === x0 && compareKey(keys, j, 4, xs, xo) < 0);
}

/**
 * Sums of keys of `width` words (1: the low word of IPv4-mapped addresses, 4: other addresses)
 * in key order. Segments hold most of the addresses seen before, and both this table and a
 * segment's dictionary are in address order, so one forward walk finds every address of the
 * segment: about (addresses here) / (addresses of the segment) steps each, on memory read in
 * order, where a hash lookup and then the entity's sums would be a cache miss each. Keys not
 * here yet go to a small hash table, and join the sorted table once they are a quarter of it.
 * Nothing depends on the order for exactness: a key out of order in a damaged dictionary is
 * only found in the hash table or kept twice, and settle() adds every row of sums to its
 * entity. Whole numbers only (segments entirely inside the frame), so sums are exact in any order.
 */
export class SortedSums {
  readonly width: 1 | 4;
  /** Keys in ascending order (words compared as unsigned numbers, first word first); `size` of them. */
  private keys = new Uint32Array(0);
  private sums = new Float64Array(0);
  private size = 0;
  /** Keys not in the sorted table: index by key, the keys and their sums by index. */
  private pendingIndex: KeyTable;
  private pendingKeys: Uint32Array;
  private pendingSums: Float64Array;
  private pending = 0;

  constructor(width: 1 | 4) {
    this.width = width;
    this.pendingIndex = new KeyTable(width, 1024);
    this.pendingKeys = new Uint32Array(512 * width);
    this.pendingSums = new Float64Array(512 * W);
  }

  /** Keys held (sorted and pending). */
  get count(): number {
    return this.size + this.pending;
  }

  /**
   * Adds the code sums `src` (`srcWidth` values per code: 4 volumes, then the rows) of the codes
   * [from, to) of `dict` to their keys' sums, the rows to the slots `countSlots`, and zeroes
   * them there. Code k's key is the `width` words at dict[4k + 4 − width].
   */
  addRun(dict: ColumnArray, from: number, to: number, src: Float64Array, srcWidth: number, countSlots: readonly number[]): void {
    const keys = this.keys;
    const sums = this.sums;
    const n = this.size;
    const width = this.width;
    const at = 4 - width;
    const c0 = countSlots[0]!;
    const c1 = countSlots.length > 1 ? countSlots[1]! : -1;
    let i = 0;
    for (let k = from; k < to; k++) {
      const q = k * srcWidth;
      const rows = src[q + 4]!;
      if (rows === 0) continue;
      const xo = 4 * k + at;
      let found: boolean;
      if (width === 1) {
        const x = dict[xo]!;
        while (i < n && keys[i]! < x) i++;
        found = i < n && keys[i] === x;
      } else {
        i = firstNotBelow(keys, i, n, dict, xo);
        found = i < n && compareKey(keys, i, 4, dict, xo) === 0;
      }
      let target: Float64Array = sums;
      let o = i * W;
      if (!found) {
        o = this.pendingSlot(dict, xo) * W;
        target = this.pendingSums;
      }
      target[o] += src[q]!;
      target[o + 1] += src[q + 1]!;
      target[o + 2] += src[q + 2]!;
      target[o + 3] += src[q + 3]!;
      target[o + c0] += rows;
      if (c1 >= 0) target[o + c1] += rows;
    }
    src.fill(0, from * srcWidth, to * srcWidth);
    if (this.pending > Math.max(1024, this.size >>> 2)) this.rebuild();
  }

  /** Index of the key at xs[xo..] among the pending keys, added (with zero sums) when absent. */
  private pendingSlot(xs: ColumnArray, xo: number): number {
    const p = this.pending;
    const g = this.width === 1 ? this.pendingIndex.get1(xs[xo]!, p) : this.pendingIndex.get4(xs[xo]!, xs[xo + 1]!, xs[xo + 2]!, xs[xo + 3]!, p);
    if (g !== p) return g;
    this.pending++;
    const width = this.width;
    if ((p + 1) * width > this.pendingKeys.length) {
      const keys = new Uint32Array(2 * this.pendingKeys.length);
      keys.set(this.pendingKeys);
      this.pendingKeys = keys;
      const sums = new Float64Array(2 * this.pendingSums.length);
      sums.set(this.pendingSums);
      this.pendingSums = sums;
    }
    for (let w = 0; w < width; w++) this.pendingKeys[p * width + w] = xs[xo + w]!;
    return p;
  }

  /** Merges the pending keys into the sorted table (equal keys, from a damaged dictionary, become one). */
  private rebuild(): void {
    const width = this.width;
    const m = this.pending;
    const order = sortKeys(this.pendingKeys, width, m);
    const n = this.size;
    const keys = new Uint32Array((n + m) * width);
    const sums = new Float64Array((n + m) * W);
    const [ok, os, pk, ps] = [this.keys, this.sums, this.pendingKeys, this.pendingSums];
    let i = 0;
    let j = 0;
    let out = -1;
    const take = (src: Uint32Array, srcSums: Float64Array, row: number): void => {
      if (out < 0 || compareKey(keys, out, width, src, row * width) !== 0) {
        out++;
        for (let w = 0; w < width; w++) keys[out * width + w] = src[row * width + w]!;
      }
      for (let w = 0; w < W; w++) sums[out * W + w] += srcSums[row * W + w]!;
    };
    while (i < n && j < m) {
      const p = order[j]!;
      if (compareKey(ok, i, width, pk, p * width) <= 0) take(ok, os, i++);
      else {
        take(pk, ps, p);
        j++;
      }
    }
    while (i < n) take(ok, os, i++);
    while (j < m) take(pk, ps, order[j++]!);
    this.keys = keys;
    this.sums = sums;
    this.size = out + 1;
    ps.fill(0, 0, m * W);
    this.pending = 0;
    // as big as it grew: the next pending keys are about as many
    this.pendingIndex = new KeyTable(width, m);
  }

  /**
   * Adds the sums of every key to its entity's ACC slots (ids from `ix`, which gets the keys it
   * lacks: low words as IPv4-mapped addresses in its compact table, others in its full table)
   * and zeroes them. `acc` is called once the ids are known, before any slot is written (so
   * the caller can grow it). The keys stay, for the segments still to come.
   */
  settle(ix: KeyIndex, acc: () => Float64Array, accWidth: number): void {
    const all = this.size + this.pending;
    if (all === 0) return;
    const width = this.width;
    const ids = new Int32Array(all);
    // idOfValue, not fullN: an IPv4-mapped address in a damaged dictionary's other runs still gets its one id
    const idOf = (keys: Uint32Array, k: number): number => (width === 1 ? ix.compact1(keys[k]!) : ix.idOfValue(keys, k));
    for (let k = 0; k < this.size; k++) ids[k] = this.sums[k * W + 4] !== 0 || this.sums[k * W + 5] !== 0 ? idOf(this.keys, k) : -1;
    for (let p = 0; p < this.pending; p++) ids[this.size + p] = this.pendingSums[p * W + 4] !== 0 || this.pendingSums[p * W + 5] !== 0 ? idOf(this.pendingKeys, p) : -1;
    const a = acc();
    const add = (src: Float64Array, k: number, id: number): void => {
      if (id < 0) return;
      const o = id * accWidth;
      for (let w = 0; w < W; w++) {
        a[o + w] += src[k * W + w]!;
        src[k * W + w] = 0;
      }
    };
    for (let k = 0; k < this.size; k++) add(this.sums, k, ids[k]!);
    for (let p = 0; p < this.pending; p++) add(this.pendingSums, p, ids[this.size + p]!);
  }
}

/**
 * The sums of one address column's entities (IP): IPv4-mapped addresses by their low word,
 * the others by all four words, each in address order.
 */
export class AddressSums {
  readonly v4 = new SortedSums(1);
  readonly other = new SortedSums(4);

  /**
   * Adds the code sums of a dictionary whose IPv4-mapped run the reader marked (d.v4) and
   * zeroes them; false (nothing added) when it did not.
   */
  add(d: DictColumn, src: Float64Array, srcWidth: number, countSlots: readonly number[]): boolean {
    if (d.v4 === undefined) return false;
    const [from, to] = d.v4;
    this.other.addRun(d.dict, 0, from, src, srcWidth, countSlots);
    this.v4.addRun(d.dict, from, to, src, srcWidth, countSlots);
    this.other.addRun(d.dict, to, d.size, src, srcWidth, countSlots);
    return true;
  }

  settle(ix: KeyIndex, acc: () => Float64Array, accWidth: number): void {
    this.v4.settle(ix, acc, accWidth);
    this.other.settle(ix, acc, accWidth);
  }
}
