// Per-segment sums of one dictionary-coded key column, indexed by code: small enough to stay
// in the cache while rows hit them at random, folded into the per-entity sums once per code.

import type { ColumnArray } from '../fields/columns.js';
import type { PartKind } from './keyindex.js';
import { ACC_WIDTH, type RankState } from './rankstate.js';
import type { DictColumn } from './source.js';

/** Volumes summed per code, in the entity's view: bytes sent, bytes received, packets sent, packets received (ACC 0..3). */
export const CODE_SUM_WIDTH = 4;

/** 32 bits of dictionary entry k that tell most values apart: an address's last word, a MAC's low word, a word itself. */
function fingerprint(kind: PartKind, dict: ColumnArray, k: number): number {
  return (kind === 'ip' ? dict[4 * k + 3]! : dict[k]!) >>> 0;
}

/**
 * Sums and session counts of the rows of one segment, by the code of one key column. Only
 * whole numbers go in (segments entirely inside the frame, nothing pro-rated), so adding
 * them to the entities' sums per code gives exactly what adding them row by row gives.
 */
export class CodeSums {
  sums: Float64Array = new Float64Array(0);
  /**
   * Per code k: at 2k the rows added (0: none, and its sums are 0 too), at 2k + 1 the
   * fingerprint of its value, so a kernel compares two codes' values on the line it touches.
   */
  counts: Uint32Array = new Uint32Array(0);

  /** Makes room for the codes of `d` (row counts and sums all 0: fold leaves them so) and writes their fingerprints. */
  prepare(kind: PartKind, d: DictColumn): void {
    const size = d.size;
    if (this.counts.length < 2 * size) {
      const n = Math.max(size, 1024);
      this.sums = new Float64Array(n * CODE_SUM_WIDTH);
      this.counts = new Uint32Array(2 * n);
    }
    const counts = this.counts;
    for (let k = 0; k < size; k++) counts[2 * k + 1] = fingerprint(kind, d.dict, k);
  }

  /**
   * Adds each touched code's sums to its entity in st.acc, its row count to the ACC slots
   * `countSlots`, and zeroes the code's slots. The entity is `memo[code]` when the kernel
   * found it, else the value dict[code] is looked up here (and kept in the memo): codes in
   * a row, independent of each other, where the rows would wait on one lookup after another.
   */
  fold(st: RankState, memo: Int32Array, dict: ColumnArray, size: number, countSlots: readonly number[]): void {
    const { sums, counts } = this;
    const ix = st.ix;
    for (let k = 0; k < size; k++) if (counts[2 * k] !== 0 && memo[k]! < 0) memo[k] = ix.idOfValue(dict, k);
    st.ensure();
    const acc = st.acc;
    const c0 = countSlots[0]!;
    const c1 = countSlots.length > 1 ? countSlots[1]! : -1;
    for (let k = 0; k < size; k++) {
      const n = counts[2 * k]!;
      if (n === 0) continue;
      const o = memo[k]! * ACC_WIDTH;
      const q = k * CODE_SUM_WIDTH;
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
      counts[2 * k] = 0;
    }
  }
}
