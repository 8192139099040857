// A direct-mapped cache in front of a RangeTable: flow addresses are Zipf-distributed, so a few
// thousand slots answer most lookups with one probe instead of a twenty-step binary search.

import { V4_MAPPED_W2 } from '../fields/ipcodec.js';
import type { RangeTable } from './rangetable.js';

/** Default slots per family (a power of two): 16384 IPv4 slots take 128 KiB, IPv6 ones 320 KiB. */
export const DEFAULT_CACHE_SLOTS = 16384;

export class LookupCache {
  readonly table: RangeTable;
  readonly slots: number;
  private readonly shift: number;
  /** IPv4: [address, value] per slot. */
  private readonly v4: Uint32Array;
  /** IPv6: [w0, w1, w2, w3, value] per slot. */
  private readonly v6: Uint32Array;

  /** `slots` is rounded up to a power of two (at least 16); 0 turns the cache off (every lookup searches the table). */
  constructor(table: RangeTable, slots: number = DEFAULT_CACHE_SLOTS) {
    if (!Number.isInteger(slots) || slots < 0 || slots > 1 << 24) throw new RangeError(`cache slots must be an integer from 0 to 16777216, not ${slots}`);
    let bits = 0;
    while (1 << bits < Math.max(slots, 16)) bits++;
    this.table = table;
    this.slots = slots === 0 ? 0 : 1 << bits;
    this.shift = 32 - bits;
    this.v4 = new Uint32Array(2 * this.slots);
    this.v6 = new Uint32Array(5 * this.slots);
    // An empty slot holds address 0 (0.0.0.0, ::): give it that address's real value, so empty slots need no flag.
    const zero4 = table.lookup4(0);
    const zero6 = table.lookup(0, 0, 0, 0);
    for (let i = 0; i < this.slots; i++) {
      this.v4[2 * i + 1] = zero4;
      this.v6[5 * i + 4] = zero6;
    }
  }

  /** Value for an address in the four-word form of ipcodec.ts. */
  lookup(w0: number, w1: number, w2: number, w3: number): number {
    if (this.slots === 0) return this.table.lookup(w0, w1, w2, w3);
    if (w0 === 0 && w1 === 0 && w2 === V4_MAPPED_W2) {
      const c = this.v4;
      const i = (Math.imul(w3, 0x9e3779b1) >>> this.shift) << 1;
      if (c[i] === w3) return c[i + 1]!;
      const v = this.table.lookup4(w3);
      c[i] = w3;
      c[i + 1] = v;
      return v;
    }
    const c = this.v6;
    let h = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b), 0x9e3779b1);
    h = Math.imul(h ^ w2 ^ Math.imul(w3, 0xc2b2ae35), 0x27d4eb2f);
    const i = (h >>> this.shift) * 5;
    if (c[i] === w0 && c[i + 1] === w1 && c[i + 2] === w2 && c[i + 3] === w3) return c[i + 4]!;
    const v = this.table.lookup(w0, w1, w2, w3);
    c[i] = w0;
    c[i + 1] = w1;
    c[i + 2] = w2;
    c[i + 3] = w3;
    c[i + 4] = v;
    return v;
  }

  /** Bytes held by the slots. */
  get byteLength(): number {
    return this.v4.byteLength + this.v6.byteLength;
  }
}
