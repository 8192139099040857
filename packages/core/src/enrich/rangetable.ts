// Address → integer lookups over sorted step functions, the one in-memory form of every country and
// ASN source (mmdb, CSV, cache file): a binary search on typed arrays, no objects per range.

import { V4_MAPPED_W2 } from '../fields/ipcodec.js';

/**
 * Two step functions, one per address family. Entry i covers the addresses from its start up to the
 * next entry's start; the first start is 0 and the last entry runs to the end of the family's space.
 * A value of 0 means "unknown". IPv6 starts are four big-endian words per entry.
 */
export class RangeTable {
  readonly v4Starts: Uint32Array;
  readonly v4Values: Uint32Array;
  readonly v6Starts: Uint32Array;
  readonly v6Values: Uint32Array;

  /** Throws RangeError when the arrays do not form step functions (lengths, first start, order). */
  constructor(v4Starts: Uint32Array, v4Values: Uint32Array, v6Starts: Uint32Array, v6Values: Uint32Array) {
    if (v4Starts.length !== v4Values.length || v4Starts.length === 0 || v4Starts[0] !== 0) {
      throw new RangeError('IPv4 table: starts and values must have one entry each per range, the first starting at 0');
    }
    for (let i = 1; i < v4Starts.length; i++) {
      if (v4Starts[i]! <= v4Starts[i - 1]!) throw new RangeError(`IPv4 table: start ${i} is not above the one before`);
    }
    if (v6Starts.length !== 4 * v6Values.length || v6Values.length === 0 || (v6Starts[0]! | v6Starts[1]! | v6Starts[2]! | v6Starts[3]!) !== 0) {
      throw new RangeError('IPv6 table: starts must have four words per value, the first starting at ::');
    }
    for (let i = 1; i < v6Values.length; i++) {
      if (compareStarts(v6Starts, 4 * i, v6Starts, 4 * (i - 1)) <= 0) throw new RangeError(`IPv6 table: start ${i} is not above the one before`);
    }
    this.v4Starts = v4Starts;
    this.v4Values = v4Values;
    this.v6Starts = v6Starts;
    this.v6Values = v6Values;
  }

  /** Value for an IPv4 address given as an unsigned 32-bit integer. */
  lookup4(x: number): number {
    const s = this.v4Starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return this.v4Values[lo]!;
  }

  /** Value for an address in the four-word form of ipcodec.ts; IPv4-mapped addresses use the IPv4 table. */
  lookup(w0: number, w1: number, w2: number, w3: number): number {
    if (w0 === 0 && w1 === 0 && w2 === V4_MAPPED_W2) return this.lookup4(w3);
    const s = this.v6Starts;
    let lo = 0;
    let hi = this.v6Values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const o = 4 * mid;
      // Is start[mid] <= address? Compare word by word, most significant first.
      let le: boolean;
      if (s[o] !== w0) le = s[o]! < w0;
      else if (s[o + 1] !== w1) le = s[o + 1]! < w1;
      else if (s[o + 2] !== w2) le = s[o + 2]! < w2;
      else le = s[o + 3]! <= w3;
      if (le) lo = mid;
      else hi = mid - 1;
    }
    return this.v6Values[lo]!;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.v4Starts.byteLength + this.v4Values.byteLength + this.v6Starts.byteLength + this.v6Values.byteLength;
  }

  /** Number of steps in both families together. */
  get entries(): number {
    return this.v4Values.length + this.v6Values.length;
  }
}

/** Compare two four-word starts: negative, zero or positive. */
function compareStarts(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  for (let k = 0; k < 4; k++) if (a[ao + k] !== b[bo + k]) return a[ao + k]! < b[bo + k]! ? -1 : 1;
  return 0;
}
