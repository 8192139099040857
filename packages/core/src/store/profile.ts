// One or two passes over a column that tell the encoder which encodings apply and how big each would be,
// without encoding it: range, integrality, common step, varint size, pfor exceptions, distinct values (up to DICT_LIMIT).

import { V4_MAPPED_W2 } from '../fields/ipcodec.js';

/** The numeric arrays the encoder reads: a column's own array or a transform's residuals. */
export type NumericArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** Most distinct values a dictionary holds (2-byte indices). */
export const DICT_LIMIT = 65536;

const hashF64 = new Float64Array(1);
const hashWords = new Uint32Array(hashF64.buffer);

function hashNumber(v: number): number {
  if (v >>> 0 === v) return Math.imul(v ^ (v >>> 16), 0x9e3779b1);
  hashF64[0] = v;
  return Math.imul(hashWords[0]! ^ Math.imul(hashWords[1]!, 0x85ebca6b), 0x9e3779b1);
}

function tableBits(n: number): number {
  // load factor ≤ 1/2 at DICT_LIMIT keys, and no bigger than the column needs
  return Math.max(4, Math.min(17, Math.ceil(Math.log2(Math.max(2, n))) + 1));
}

/** Distinct values of a column, then each one's index in ascending order (the dictionary). */
export interface DistinctValues {
  readonly size: number;
  /** The values in ascending order; afterwards rank(v) gives each value's index in it. */
  sorted(): Float64Array;
  rank(v: number): number;
  /** After sorted(): out[i] = rank(values[i]) for the n rows the set was built from, in that order. */
  rankRows(values: NumericArray, n: number, out: Uint8Array | Uint16Array): void;
}

/**
 * Open-addressing set of finite numbers (at most DICT_LIMIT). Built row by row (add() once per row,
 * in order), it remembers each row's slot, so that a dictionary's indices need no second hashing.
 */
export class NumberSet implements DistinctValues {
  private readonly bits: number;
  private readonly keys: Float64Array;
  private readonly used: Uint8Array;
  private ranks: Uint32Array | undefined;
  private last = NaN;
  private lastSlot = 0;
  /** Slot of each row added so far. */
  private readonly rowSlots: Uint32Array;
  private rows = 0;
  size = 0;

  constructor(expected: number) {
    this.bits = tableBits(Math.min(expected, DICT_LIMIT));
    this.keys = new Float64Array(1 << this.bits);
    this.used = new Uint8Array(1 << this.bits);
    this.rowSlots = new Uint32Array(expected);
  }

  /** Adds the next row's value v; false when that would exceed DICT_LIMIT keys or the table (the set is then useless). */
  add(v: number): boolean {
    if (v === this.last) {
      this.rowSlots[this.rows++] = this.lastSlot;
      return true;
    }
    this.last = v;
    const mask = (1 << this.bits) - 1;
    let i = hashNumber(v) >>> (32 - this.bits);
    for (;;) {
      if (this.used[i] === 0) {
        if (this.size >= DICT_LIMIT || this.size * 2 >= this.keys.length) return false;
        this.used[i] = 1;
        this.keys[i] = v;
        this.size++;
        break;
      }
      if (this.keys[i] === v) break;
      i = (i + 1) & mask;
    }
    this.lastSlot = i;
    this.rowSlots[this.rows++] = i;
    return true;
  }

  rankRows(values: NumericArray, n: number, out: Uint8Array | Uint16Array): void {
    const ranks = this.ranks!;
    const slots = this.rowSlots;
    // a set built from other rows than these (or more than it expected) looks each value up instead
    if (this.rows !== n || n > slots.length) {
      for (let i = 0; i < n; i++) out[i] = this.rank(values[i]!);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = ranks[slots[i]!]!;
  }

  private slot(v: number): number {
    const mask = (1 << this.bits) - 1;
    let i = hashNumber(v) >>> (32 - this.bits);
    while (this.keys[i] !== v) i = (i + 1) & mask;
    return i;
  }

  sorted(): Float64Array {
    const out = new Float64Array(this.size);
    let k = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.used[i] === 1) out[k++] = this.keys[i]!;
    out.sort();
    this.ranks = new Uint32Array(this.keys.length);
    for (let r = 0; r < out.length; r++) this.ranks[this.slot(out[r]!)] = r;
    return out;
  }

  rank(v: number): number {
    return this.ranks![this.slot(v)]!;
  }
}

/**
 * Distinct values of a u8 or u16 column: a presence table indexed by value, no hashing. Only the
 * values from `lo` to `hi` (the column's min and max) are looked at: a u16 table has 65,536 entries,
 * more than a partial segment has rows, and most u16 columns (VLANs, firewall events, translated
 * ports, country codes) hold a narrow range.
 */
class SmallSet implements DistinctValues {
  readonly size: number;
  private readonly hist: Uint32Array;
  private readonly lo: number;
  private readonly hi: number;
  private ranks: Uint32Array | undefined;

  constructor(hist: Uint32Array, lo: number, hi: number) {
    let size = 0;
    for (let v = lo; v <= hi; v++) if (hist[v] !== 0) size++;
    this.hist = hist;
    this.lo = lo;
    this.hi = hi;
    this.size = size;
  }

  sorted(): Float64Array {
    const out = new Float64Array(this.size);
    // ranks are read by value: values outside [lo, hi] are not in the set and rank 0, as before
    const ranks = (this.ranks = new Uint32Array(this.hi + 1));
    let r = 0;
    for (let v = this.lo; v <= this.hi; v++) {
      if (this.hist[v] !== 0) {
        ranks[v] = r;
        out[r++] = v;
      }
    }
    return out;
  }

  rank(v: number): number {
    if (this.ranks === undefined) this.sorted();
    return this.ranks![v] ?? 0;
  }

  rankRows(values: NumericArray, n: number, out: Uint8Array | Uint16Array): void {
    if (this.ranks === undefined) this.sorted();
    const ranks = this.ranks!;
    for (let i = 0; i < n; i++) out[i] = ranks[values[i]!] ?? 0;
  }
}

export interface NumericProfile {
  readonly n: number;
  /** No NaN or infinity. */
  readonly finite: boolean;
  /** Every value is a safe integer. */
  readonly integral: boolean;
  readonly min: number;
  readonly max: number;
  /** Greatest common divisor of (value − min) over the rows: 0 when all equal; 1 when not integral. */
  readonly step: number;
  /** Bytes of LEB128 varints of (value − min) / step (NaN when not integral). */
  readonly varintBytes: number;
  /**
   * Rows whose (value − min) / step does not fit in 1, 2 and 4 bytes (in that order): the
   * exceptions 'pfor' would patch at each width (NaN when not integral).
   */
  readonly pforExceptions: readonly [number, number, number];
  /** Distinct values, or undefined when more than DICT_LIMIT or not finite. */
  readonly distinct: DistinctValues | undefined;
  /** Rows i ≥ 1 with v[i] ≥ v[i−1]: how sorted the column is (delta pays off only when nearly all). */
  readonly ascending: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function varintLength(x: number): number {
  if (x < 0x80) return 1;
  if (x < 0x4000) return 2;
  if (x < 0x200000) return 3;
  if (x < 0x10000000) return 4;
  let len = 4;
  for (let y = Math.floor(x / 0x10000000); y > 0; y = Math.floor(y / 128)) len++;
  return len;
}

/**
 * Which costly parts of a profile to compute; all by default. An encoder that already knows which
 * encoding it will try (a column plan kept from the previous segment) skips the others: without
 * `distinct` no dictionary is offered, without `sizes` neither varint nor pfor, and without `step`
 * the step is taken as 1 (a frame of reference then stores (value − min) itself, still exact).
 */
export interface ProfileParts {
  readonly distinct: boolean;
  readonly step: boolean;
  readonly sizes: boolean;
}

export const ALL_PARTS: ProfileParts = { distinct: true, step: true, sizes: true };

/** Profile the first n values of a numeric array (u8 and u16 columns are always profiled whole: it is one cheap pass). */
export function profileNumeric(values: NumericArray, n: number, parts: ProfileParts = ALL_PARTS): NumericProfile {
  if (values instanceof Uint8Array || values instanceof Uint16Array) return profileSmall(values, n);
  return profileWide(values, n, parts);
}

/** u8 and u16: one pass filling a histogram, then everything from the histogram. */
function profileSmall(values: Uint8Array | Uint16Array, n: number): NumericProfile {
  const hist = new Uint32Array(values instanceof Uint8Array ? 0x100 : 0x10000);
  let ascending = 0;
  let prev = 0;
  let lo = hist.length;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    hist[v]!++;
    if (v >= prev) ascending++;
    prev = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (n > 0) ascending--;
  let min = 0;
  let max = 0;
  let step = 0;
  // with no rows lo > hi: every loop over [lo, hi] below and in SmallSet is empty
  if (n > 0) {
    min = lo;
    max = hi;
    for (let v = lo + 1; v <= hi && step !== 1; v++) if (hist[v] !== 0) step = gcd(v - min, step);
  }
  const div = step === 0 ? 1 : step;
  let varintBytes = 0;
  let over1 = 0;
  let over2 = 0;
  for (let v = min; v <= max; v++) {
    const c = hist[v]!;
    if (c === 0) continue;
    const x = (v - min) / div;
    varintBytes += c * varintLength(x);
    if (x >= 0x100) over1 += c;
    if (x >= 0x10000) over2 += c;
  }
  return { n, finite: true, integral: true, min, max, step, varintBytes, pforExceptions: [over1, over2, 0], distinct: new SmallSet(hist, lo, hi), ascending };
}

/**
 * Every 4096 rows the distinct values are counted against the rows seen: once more than half of them
 * are distinct, a dictionary hardly ever pays (its 2-byte index plus a key per two rows costs at least
 * what 'raw' does for u32), and hashing every further value costs ~20 % of a segment's encoding.
 */
const DICT_CHECK_MASK = 4095;

/** f64 and u32: a pass for range, integrality, step and distinct values, another for varint sizes. */
function profileWide(values: Float64Array | Uint32Array, n: number, parts: ProfileParts): NumericProfile {
  let min = Infinity;
  let max = -Infinity;
  let finite = true;
  let integral = true;
  let ascending = 0;
  let set: NumberSet | undefined = parts.distinct ? new NumberSet(n) : undefined;
  // gcd of differences to the first value equals gcd of differences to the minimum
  const v0 = n > 0 ? values[0]! : 0;
  // without the step part, 1 from the start ends the gcd work at once
  let step = parts.step ? 0 : 1;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v >= prev) ascending++;
    prev = v;
    if (!Number.isSafeInteger(v)) {
      integral = false;
      if (!Number.isFinite(v)) finite = false;
    } else if (integral && step !== 1) {
      // once a value is not a safe integer the step is not used; and v0 may then be NaN, whose gcd never ends
      step = gcd(Math.abs(v - v0), step);
    }
    if (set !== undefined && (!set.add(v) || ((i & DICT_CHECK_MASK) === DICT_CHECK_MASK && set.size * 2 > i + 1))) set = undefined;
  }
  if (n > 0) ascending--;
  if (n === 0) min = max = 0;
  let varintBytes = NaN;
  let pforExceptions: [number, number, number] = [NaN, NaN, NaN];
  // all equal: step 0, whether or not it was searched
  if (min === max) step = 0;
  if (!integral || !Number.isSafeInteger(max - min)) {
    step = 1;
  } else if (parts.sizes) {
    const div = step === 0 ? 1 : step;
    varintBytes = 0;
    let over1 = 0;
    let over2 = 0;
    let over4 = 0;
    for (let i = 0; i < n; i++) {
      const x = (values[i]! - min) / div;
      varintBytes += varintLength(x);
      if (x >= 0x100) {
        over1++;
        if (x >= 0x10000) {
          over2++;
          if (x > 0xffffffff) over4++;
        }
      }
    }
    pforExceptions = [over1, over2, over4];
  }
  return { n, finite, integral, min, max, step, varintBytes, pforExceptions, distinct: finite ? set : undefined, ascending };
}

/** Open-addressing set of 128-bit addresses (four words each), at most DICT_LIMIT; remembers each row's slot as NumberSet does. */
export class IpSet {
  private readonly bits: number;
  private readonly keys: Uint32Array;
  private readonly used: Uint8Array;
  private ranks: Uint32Array | undefined;
  private readonly rowSlots: Uint32Array;
  private rows = 0;
  size = 0;
  /** Distinct IPv4-mapped addresses (::ffff:a.b.c.d). */
  v4 = 0;
  /** Distinct addresses that sort below the IPv4-mapped ones (::, ::1, …, first three words 0, 0, < 0xffff). */
  belowV4 = 0;

  constructor(expected: number) {
    this.bits = tableBits(Math.min(expected, DICT_LIMIT));
    this.keys = new Uint32Array(4 << this.bits);
    this.used = new Uint8Array(1 << this.bits);
    this.rowSlots = new Uint32Array(expected);
  }

  private static hash(w: Uint32Array, o: number): number {
    let h = Math.imul(w[o]! ^ 0x27d4eb2f, 0x9e3779b1);
    h = Math.imul(h ^ w[o + 1]!, 0x85ebca6b);
    h = Math.imul(h ^ w[o + 2]!, 0xc2b2ae35);
    h = Math.imul(h ^ w[o + 3]!, 0x9e3779b1);
    return h ^ (h >>> 15);
  }

  private find(w: Uint32Array, o: number): number {
    const mask = (1 << this.bits) - 1;
    const k = this.keys;
    let i = IpSet.hash(w, o) >>> (32 - this.bits);
    while (
      this.used[i] === 1 &&
      !(k[4 * i] === w[o] && k[4 * i + 1] === w[o + 1] && k[4 * i + 2] === w[o + 2] && k[4 * i + 3] === w[o + 3])
    ) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** Adds the next row's address, at words[o..o+3]; false when the set would exceed DICT_LIMIT. */
  add(w: Uint32Array, o: number): boolean {
    const i = this.find(w, o);
    if (this.used[i] === 1) {
      this.rowSlots[this.rows++] = i;
      return true;
    }
    if (this.size >= DICT_LIMIT || this.size * 2 >= this.used.length) return false;
    this.rowSlots[this.rows++] = i;
    this.used[i] = 1;
    const k = this.keys;
    k[4 * i] = w[o]!;
    k[4 * i + 1] = w[o + 1]!;
    k[4 * i + 2] = w[o + 2]!;
    k[4 * i + 3] = w[o + 3]!;
    this.size++;
    if (w[o] === 0 && w[o + 1] === 0) {
      if (w[o + 2] === V4_MAPPED_W2) this.v4++;
      else if (w[o + 2]! < V4_MAPPED_W2) this.belowV4++;
    }
    return true;
  }

  /** The addresses in ascending (word by word) order, four words each; afterwards rank() works. */
  sorted(): Uint32Array {
    const slots: number[] = [];
    for (let i = 0; i < this.used.length; i++) if (this.used[i] === 1) slots.push(i);
    const k = this.keys;
    slots.sort((a, b) => {
      for (let j = 0; j < 4; j++) {
        const d = k[4 * a + j]! - k[4 * b + j]!;
        if (d !== 0) return d;
      }
      return 0;
    });
    const out = new Uint32Array(4 * slots.length);
    this.ranks = new Uint32Array(this.used.length);
    slots.forEach((s, r) => {
      out.set(k.subarray(4 * s, 4 * s + 4), 4 * r);
      this.ranks![s] = r;
    });
    return out;
  }

  rank(w: Uint32Array, o: number): number {
    return this.ranks![this.find(w, o)]!;
  }

  /** After sorted(): out[i] = rank of row i's address, for the n rows the set was built from. */
  rankRows(words: Uint32Array, n: number, out: Uint8Array | Uint16Array): void {
    const ranks = this.ranks!;
    const slots = this.rowSlots;
    if (this.rows !== n || n > slots.length) {
      for (let i = 0; i < n; i++) out[i] = this.rank(words, 4 * i);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = ranks[slots[i]!]!;
  }
}

export interface IpProfile {
  readonly n: number;
  /** Every row is an IPv4-mapped address (::ffff:a.b.c.d). */
  readonly allV4: boolean;
  /** Every row holds the same address. */
  readonly constant: boolean;
  readonly distinct: IpSet | undefined;
}

/** Profile the first n addresses; without `distinct` no dictionary is offered (see ProfileParts). */
export function profileIp(words: Uint32Array, n: number, distinctToo = true): IpProfile {
  let allV4 = true;
  let constant = true;
  let distinct: IpSet | undefined = distinctToo ? new IpSet(n) : undefined;
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    if (words[o] !== 0 || words[o + 1] !== 0 || words[o + 2] !== 0xffff) allV4 = false;
    if (i > 0 && (words[o] !== words[0] || words[o + 1] !== words[1] || words[o + 2] !== words[2] || words[o + 3] !== words[3])) {
      constant = false;
    }
    if (distinct !== undefined && !distinct.add(words, o)) distinct = undefined;
  }
  return { n, allV4, constant, distinct };
}
