// Constant-time sampling from a fixed discrete distribution (Vose's alias method):
// the generator draws hosts, services and AS numbers from tables of up to millions of weights per row.

import type { Rng } from './rng.js';

export class AliasTable {
  readonly size: number;
  /**
   * Per slot: acceptance threshold (probability × 2^32), the slot's own value, its alias's value.
   * Twelve bytes a slot, read together: the big host tables are drawn from at random, so cache lines count.
   */
  private readonly slots: Uint32Array;

  /**
   * @param weights non-negative, at least one positive
   * @param values what sample() returns for each weight (default: its index); 32-bit unsigned integers
   */
  constructor(weights: ArrayLike<number>, values?: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || w === Infinity) throw new RangeError(`alias table weight ${i} is ${w}; weights must be finite and >= 0`);
      total += w;
    }
    if (n === 0 || !(total > 0)) throw new RangeError('alias table needs at least one positive weight');
    if (values && values.length !== n) throw new RangeError(`alias table has ${n} weights but ${values.length} values`);
    this.size = n;
    const prob = new Float64Array(n);
    const alias = new Uint32Array(n);
    const scaled = new Float64Array(n);
    const small = new Uint32Array(n);
    const large = new Uint32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      if (scaled[i]! < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const l = large[nl - 1]!;
      prob[s] = scaled[s]!;
      alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // Leftovers are 1 up to rounding error; their alias is themselves, so the 2^-32 rejection is harmless.
    for (const [list, count] of [[large, nl], [small, ns]] as const) {
      for (let k = 0; k < count; k++) {
        prob[list[k]!] = 1;
        alias[list[k]!] = list[k]!;
      }
    }
    this.slots = new Uint32Array(n * 3);
    for (let i = 0; i < n; i++) {
      this.slots[i * 3] = Math.min(0xffffffff, Math.round(prob[i]! * 4294967296));
      this.slots[i * 3 + 1] = values ? values[i]! : i;
      this.slots[i * 3 + 2] = values ? values[alias[i]!]! : alias[i]!;
    }
  }

  sample(rng: Rng): number {
    const o = rng.nextInt(this.size) * 3;
    return rng.nextU32() < this.slots[o]! ? this.slots[o + 1]! : this.slots[o + 2]!;
  }
}
