// Sums of address entities for rankings keyed by one address column, filled from segments'
// sorted dictionaries without entity ids: IPv4 by a forward walk, other addresses by a hash.

import type { ColumnArray } from '../fields/columns.js';
import { V4_MAPPED_W2 } from '../fields/ipcodec.js';
import type { KeyIndex } from './keyindex.js';
import { KeyTable } from './keytable.js';
import { sortKeys } from './sortkeys.js';
import type { DictColumn } from './source.js';

/** Sums per address, as ACC 0..5: bytes sent, bytes received, packets sent, packets received, initiated, accepted. */
export const ADDRESS_SUM_WIDTH = 6;

const W = ADDRESS_SUM_WIDTH;

/** After the last key: no key is above it, so a walk stops there without a bounds test. */
const SENTINEL = 0xffffffff;

/**
 * Adds the sums of codes [k, to) of `dict` (their low words: IPv4-mapped addresses) to those
 * of the table's `n` keys (ascending, then SENTINEL) in one forward walk, converted by `conv`
 * (see AddressSums.add), the rows to the slots c0 and c1 (-1: none); returns the first code
 * with rows whose key is not there, or `to`.
 */
function walk(keys: Uint32Array, n: number, sums: Float64Array, dict: ColumnArray, k: number, to: number, src: Float64Array, sw: number, c0: number, c1: number, conv: Float64Array): number {
  const b0 = conv[0]!, s0 = conv[1]!, b1 = conv[2]!, s1 = conv[3]!, b2 = conv[4]!, s2 = conv[5]!, b3 = conv[6]!, s3 = conv[7]!;
  const w = W;
  // start at the first key not below the first code's: a new key is rare, but the walk restarts
  // after one (both steps computed every time: a profile that never saw one would deoptimise)
  const first = dict[4 * k + 3]!;
  let i = 0;
  let hi = n;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    const below = keys[mid]! < first;
    const up = mid + 1;
    i = below ? up : i;
    hi = below ? hi : mid;
  }
  for (; k < to; k++) {
    const q = k * sw;
    const rows = src[q + 4]!;
    if (rows === 0) continue;
    const x = dict[4 * k + 3]!;
    while (keys[i]! < x) i++;
    if (i >= n || keys[i] !== x) return k;
    const o = i * w;
    sums[o] += b0 * rows + s0 * src[q]!;
    sums[o + 1] += b1 * rows + s1 * src[q + 1]!;
    sums[o + 2] += b2 * rows + s2 * src[q + 2]!;
    sums[o + 3] += b3 * rows + s3 * src[q + 3]!;
    sums[o + c0] += rows;
    if (c1 >= 0) sums[o + c1] += rows;
  }
  return to;
}

/** Adds the sums of code q/sw of `src` to the sums at `o` of `dst`, converted by `conv` (see AddressSums.add). */
function addCode(dst: Float64Array, o: number, src: Float64Array, q: number, c0: number, c1: number, conv: Float64Array): void {
  const rows = src[q + 4]!;
  dst[o] += conv[0]! * rows + conv[1]! * src[q]!;
  dst[o + 1] += conv[2]! * rows + conv[3]! * src[q + 1]!;
  dst[o + 2] += conv[4]! * rows + conv[5]! * src[q + 2]!;
  dst[o + 3] += conv[6]! * rows + conv[7]! * src[q + 3]!;
  dst[o + c0] += rows;
  if (c1 >= 0) dst[o + c1] += rows;
}

/**
 * Sums of the low words of IPv4-mapped addresses, in address order. Segments hold most of the
 * addresses seen before, and both this table and a segment's dictionary are in address order,
 * so one forward walk finds every address of the segment: a few steps each, on memory read in
 * order, where a hash lookup and then the entity's sums would be a cache miss each. Keys not
 * here yet go to a small hash table, and join the sorted table once they are a quarter of it.
 * Nothing depends on the order for exactness: a key out of order in a damaged dictionary is
 * only found in the hash table or kept twice (made one when they join). Whole numbers only
 * (segments entirely inside the frame), so sums are exact in any order.
 */
class V4Sums {
  /** Keys ascending, `size` of them, then SENTINEL. */
  keys = Uint32Array.of(SENTINEL);
  sums = new Float64Array(0);
  size = 0;
  /** Keys not in the sorted table: index by key, the keys and their sums by index. */
  private pendingIndex = new KeyTable(1, 1024);
  private pendingKeys = new Uint32Array(512);
  private pendingSums = new Float64Array(512 * W);
  private pending = 0;

  get count(): number {
    return this.size + this.pending;
  }

  /** Adds the code sums of codes [from, to) of `dict` (see AddressSums.add). */
  addRun(dict: ColumnArray, from: number, to: number, src: Float64Array, sw: number, c0: number, c1: number, conv: Float64Array): void {
    let k = from;
    while (k < to) {
      k = walk(this.keys, this.size, this.sums, dict, k, to, src, sw, c0, c1, conv);
      if (k >= to) break;
      // the slot first: making room for it may replace pendingSums
      const slot = this.pendingSlot(dict[4 * k + 3]!);
      addCode(this.pendingSums, slot * W, src, k * sw, c0, c1, conv);
      k++;
    }
    if (this.pending > Math.max(1024, this.size >>> 2)) this.rebuild();
  }

  /** Index of key x among the pending keys, added (with zero sums) when absent. */
  private pendingSlot(x: number): number {
    const p = this.pending;
    const g = this.pendingIndex.get1(x, p);
    if (g !== p) return g;
    this.pending++;
    if (p + 1 > this.pendingKeys.length) {
      const keys = new Uint32Array(2 * this.pendingKeys.length);
      keys.set(this.pendingKeys);
      this.pendingKeys = keys;
      const sums = new Float64Array(2 * this.pendingSums.length);
      sums.set(this.pendingSums);
      this.pendingSums = sums;
    }
    this.pendingKeys[p] = x;
    return p;
  }

  /** Merges the pending keys into the sorted table (equal keys, from a damaged dictionary, become one). */
  rebuild(): void {
    const m = this.pending;
    if (m === 0) return;
    const order = sortKeys(this.pendingKeys, 1, m);
    const n = this.size;
    const keys = new Uint32Array(n + m + 1);
    const sums = new Float64Array((n + m) * W);
    const [ok, os, pk, ps] = [this.keys, this.sums, this.pendingKeys, this.pendingSums];
    let i = 0;
    let j = 0;
    let out = -1;
    while (i < n || j < m) {
      const fromOld = j >= m || (i < n && ok[i]! <= pk[order[j]!]!);
      const key = fromOld ? ok[i]! : pk[order[j]!]!;
      const [src, row] = fromOld ? [os, i++] : [ps, order[j++]!];
      if (out < 0 || keys[out] !== key) keys[++out] = key;
      for (let w = 0; w < W; w++) sums[out * W + w] += src[row * W + w]!;
    }
    keys.fill(SENTINEL, out + 1);
    this.keys = keys;
    this.sums = sums;
    this.size = out + 1;
    ps.fill(0, 0, m * W);
    this.pending = 0;
    // as big as it grew: the next pending keys are about as many
    this.pendingIndex = new KeyTable(1, m);
  }
}

/**
 * Sums of other addresses (four words), by a hash of the address: they are sparse in the
 * address space (a segment holds a small part of them, each far from the next), so a walk in
 * order would step over many. Put in address order only when asked for (sorted()).
 */
class OtherSums {
  private readonly index = new KeyTable(4, 1024);
  keys = new Uint32Array(4 * 512);
  sums = new Float64Array(512 * W);
  size = 0;

  get count(): number {
    return this.size;
  }

  /** Adds the code sums of codes [from, to) of `dict` (see AddressSums.add). */
  addRun(dict: ColumnArray, from: number, to: number, src: Float64Array, sw: number, c0: number, c1: number, conv: Float64Array): void {
    const index = this.index;
    for (let k = from; k < to; k++) {
      const q = k * sw;
      if (src[q + 4] === 0) continue;
      const xo = 4 * k;
      const n = this.size;
      const slot = index.get4(dict[xo]!, dict[xo + 1]!, dict[xo + 2]!, dict[xo + 3]!, n);
      if (slot === n) this.append(dict, xo);
      addCode(this.sums, slot * W, src, q, c0, c1, conv);
    }
  }

  private append(dict: ColumnArray, xo: number): void {
    const n = this.size++;
    if (4 * this.size > this.keys.length) {
      const keys = new Uint32Array(2 * this.keys.length);
      keys.set(this.keys);
      this.keys = keys;
      const sums = new Float64Array(2 * this.sums.length);
      sums.set(this.sums);
      this.sums = sums;
    }
    for (let w = 0; w < 4; w++) this.keys[4 * n + w] = dict[xo + w]!;
  }

  /** Indices of the keys in address order. */
  sorted(): Uint32Array {
    return sortKeys(this.keys, 4, this.size);
  }
}

/** Full keys (4 words an address) and their sums (`accWidth` a key), in address order. */
export interface SortedAddresses {
  readonly count: number;
  readonly keys: Uint32Array;
  readonly acc: Float64Array;
}

/**
 * The sums of one address column's entities (IP): IPv4-mapped addresses by their low word,
 * the others by all four words. They become entities either with ids (settle: when the
 * ranking also has entities by id that need them) or as they are, in address order (sorted).
 */
export class AddressSums {
  private readonly v4 = new V4Sums();
  private readonly other = new OtherSums();

  /** Addresses held (an address found both in and out of the IPv4-mapped runs of damaged dictionaries counts twice). */
  get count(): number {
    return this.v4.count + this.other.count;
  }

  /**
   * Adds the code sums `src` (`srcWidth` values per code: 4 volumes, then the rows) of the
   * dictionary `d` to its addresses, the rows to the slots `countSlots`, and zeroes them
   * there; false (nothing added) when the reader did not mark its IPv4-mapped run (d.v4).
   * Volume k of a code adds conv[2k] × rows + conv[2k + 1] × its sum (sums of steps of a
   * frame of reference become values: see CodeSums.fold).
   */
  add(d: DictColumn, src: Float64Array, srcWidth: number, countSlots: readonly number[], conv: Float64Array): boolean {
    if (d.v4 === undefined) return false;
    const [from, to] = d.v4;
    const c0 = countSlots[0]!;
    const c1 = countSlots.length > 1 ? countSlots[1]! : -1;
    this.other.addRun(d.dict, 0, from, src, srcWidth, c0, c1, conv);
    this.v4.addRun(d.dict, from, to, src, srcWidth, c0, c1, conv);
    this.other.addRun(d.dict, to, d.size, src, srcWidth, c0, c1, conv);
    src.fill(0, 0, d.size * srcWidth);
    return true;
  }

  /**
   * Adds the sums of every address to its entity's ACC slots (ids from `ix`, which gets the
   * addresses it lacks: IPv4-mapped ones in its compact table, others in its full table) and
   * zeroes them. `acc` is called once the ids are known, before any slot is written (so the
   * caller can grow it). The addresses stay, for the segments still to come.
   */
  settle(ix: KeyIndex, acc: () => Float64Array, accWidth: number): void {
    const v4 = this.v4;
    const other = this.other;
    v4.rebuild();
    const ids = new Int32Array(v4.size + other.size);
    const touched = (sums: Float64Array, k: number): boolean => sums[k * W + 4] !== 0 || sums[k * W + 5] !== 0;
    for (let k = 0; k < v4.size; k++) ids[k] = touched(v4.sums, k) ? ix.compact1(v4.keys[k]!) : -1;
    // idOfValue, not fullN: an IPv4-mapped address in a damaged dictionary's other runs still gets its one id
    for (let k = 0; k < other.size; k++) ids[v4.size + k] = touched(other.sums, k) ? ix.idOfValue(other.keys, k) : -1;
    const a = acc();
    const add = (src: Float64Array, k: number, id: number): void => {
      if (id < 0) return;
      const o = id * accWidth;
      for (let w = 0; w < W; w++) {
        a[o + w] += src[k * W + w]!;
        src[k * W + w] = 0;
      }
    };
    for (let k = 0; k < v4.size; k++) add(v4.sums, k, ids[k]!);
    for (let k = 0; k < other.size; k++) add(other.sums, k, ids[v4.size + k]!);
  }

  /**
   * Every address with rows, in address order (words compared as unsigned numbers: other
   * addresses below ::ffff:0:0, the IPv4-mapped ones, then the others), with its sums in
   * the first 6 of `accWidth` slots: what settle() would make entities of, without ids and
   * without sorting most of them. The sums here are zeroed.
   */
  sorted(accWidth: number): SortedAddresses {
    const v4 = this.v4;
    const other = this.other;
    v4.rebuild();
    const order = other.sorted();
    const cap = v4.size + other.size;
    const keys = new Uint32Array(4 * cap);
    const acc = new Float64Array(accWidth * cap);
    const ok = other.keys;
    let i = 0;
    let j = 0;
    let m = 0;
    // merges the two lists; an IPv4-mapped address among the others (a damaged dictionary) joins its IPv4 twin
    while (i < v4.size || j < other.size) {
      let fromV4: boolean;
      if (j >= other.size) fromV4 = true;
      else if (i >= v4.size) fromV4 = false;
      else {
        // the other address against ::ffff:x (x = v4.keys[i]), its IPv4 twin first on a tie
        const o = 4 * order[j]!;
        const w2 = ok[o + 2]!;
        fromV4 = ok[o]! !== 0 || ok[o + 1]! !== 0 || w2 > V4_MAPPED_W2 || (w2 === V4_MAPPED_W2 && v4.keys[i]! <= ok[o + 3]!);
      }
      const src = fromV4 ? v4.sums : other.sums;
      const row = fromV4 ? i++ : order[j++]!;
      if (src[row * W + 4] === 0 && src[row * W + 5] === 0) continue;
      const k0 = fromV4 ? 0 : ok[4 * row]!;
      const k1 = fromV4 ? 0 : ok[4 * row + 1]!;
      const k2 = fromV4 ? V4_MAPPED_W2 : ok[4 * row + 2]!;
      const k3 = fromV4 ? v4.keys[row]! : ok[4 * row + 3]!;
      const b = 4 * m;
      if (m === 0 || keys[b - 4] !== k0 || keys[b - 3] !== k1 || keys[b - 2] !== k2 || keys[b - 1] !== k3) {
        keys[b] = k0;
        keys[b + 1] = k1;
        keys[b + 2] = k2;
        keys[b + 3] = k3;
        m++;
      }
      const o = (m - 1) * accWidth;
      for (let w = 0; w < W; w++) {
        acc[o + w] += src[row * W + w]!;
        src[row * W + w] = 0;
      }
    }
    return { count: m, keys: keys.subarray(0, 4 * m), acc: acc.subarray(0, accWidth * m) };
  }
}
