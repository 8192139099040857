// Lookup structures that compiled filters call for long value lists, so that a list of
// thousands of ports or address blocks costs a hash probe per row, not thousands of tests.

import type { IpWords } from '../fields/ipcodec.js';

function mix(h: number, x: number): number {
  const m = Math.imul(h ^ x, 0x9e3779b1);
  return m ^ (m >>> 15);
}

/** Smallest power of two that keeps an open-addressing table at most half full. */
function tableSize(n: number): number {
  let size = 8;
  while (size < 2 * n) size *= 2;
  return size;
}

/** Whether x lies in one of the sorted, disjoint inclusive intervals [r[2k], r[2k+1]]. */
export function inRanges(r: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = r.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < r[2 * mid]!) hi = mid;
    else if (x > r[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A set of 32-bit unsigned integers (open addressing over typed arrays; faster than Set for column values). */
export class U32Set {
  private readonly keys: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  constructor(values: readonly number[]) {
    const size = tableSize(values.length);
    this.keys = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    for (const v of values) {
      if (v !== v >>> 0) throw new RangeError(`${v} is not a 32-bit unsigned integer`);
      const k = v | 0;
      let h = mix(0, k) & this.mask;
      while (this.used[h] === 1 && this.keys[h] !== k) h = (h + 1) & this.mask;
      this.keys[h] = k;
      this.used[h] = 1;
    }
  }

  has(x: number): boolean {
    if (x !== x >>> 0) return false;
    const k = x | 0;
    const keys = this.keys;
    const used = this.used;
    let h = mix(0, k) & this.mask;
    while (used[h] === 1) {
      if (keys[h] === k) return true;
      h = (h + 1) & this.mask;
    }
    return false;
  }
}

/** Address blocks of one prefix length: a hash set of their masked words. */
export class IpBlockSet {
  private readonly m0: number;
  private readonly m1: number;
  private readonly m2: number;
  private readonly m3: number;
  private readonly keys: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  /** `blocks` hold masked words (see makeCidr); all share `masks`. */
  constructor(masks: IpWords, blocks: readonly IpWords[]) {
    this.m0 = masks[0] | 0;
    this.m1 = masks[1] | 0;
    this.m2 = masks[2] | 0;
    this.m3 = masks[3] | 0;
    const size = tableSize(blocks.length);
    this.keys = new Int32Array(4 * size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    for (const w of blocks) {
      const a0 = w[0] & this.m0;
      const a1 = w[1] & this.m1;
      const a2 = w[2] & this.m2;
      const a3 = w[3] & this.m3;
      let h = this.slot(a0, a1, a2, a3);
      while (this.used[h] === 1 && !this.equalAt(h, a0, a1, a2, a3)) h = (h + 1) & this.mask;
      this.keys.set([a0, a1, a2, a3], 4 * h);
      this.used[h] = 1;
    }
  }

  private slot(a0: number, a1: number, a2: number, a3: number): number {
    return mix(mix(mix(mix(0, a0), a1), a2), a3) & this.mask;
  }

  private equalAt(h: number, a0: number, a1: number, a2: number, a3: number): boolean {
    const k = this.keys;
    const b = 4 * h;
    return k[b + 3] === a3 && k[b + 2] === a2 && k[b + 1] === a1 && k[b] === a0;
  }

  /** Whether the address at words [o, o + 4) of an ip column lies in one of the blocks. */
  hasAt(col: Uint32Array, o: number): boolean {
    const a0 = col[o]! & this.m0;
    const a1 = col[o + 1]! & this.m1;
    const a2 = col[o + 2]! & this.m2;
    const a3 = col[o + 3]! & this.m3;
    const used = this.used;
    let h = this.slot(a0, a1, a2, a3);
    while (used[h] === 1) {
      if (this.equalAt(h, a0, a1, a2, a3)) return true;
      h = (h + 1) & this.mask;
    }
    return false;
  }
}
