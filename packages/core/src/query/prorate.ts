// Pro-rating of a session's volume to a time frame or a time slice, quantised so
// that sums are exact and independent of the order (and the thread) they are made in.

/** Pro-rated volumes are counted in units of 2^-20 (see docs/queries.md, "Exact sums"). */
export const UNIT = 1048576;

/**
 * The part of volume `v` of session [s, e] that lies before instant `x`, in units.
 * A session with e <= s is an instant at s: all of it lies before any x > s.
 * The expression is the documented definition; keep it byte for byte.
 */
export function unitsBefore(v: number, s: number, e: number, x: number): number {
  if (e <= s) return x > s ? Math.round(v * UNIT) : 0;
  const c = x < s ? s : x > e ? e : x;
  return Math.round(v * ((c - s) / (e - s)) * UNIT);
}

/**
 * Volumes below this (2^33) have fewer than 2^53 units: their unit counts are whole numbers a
 * double holds exactly, and unitsWithin's difference of two of them is exact.
 */
export const EXACT_VOLUME = 2 ** 33;

/** The units of volume `v` of session [s, e] that fall inside [from, to); exact for v below EXACT_VOLUME. */
export function unitsWithin(v: number, s: number, e: number, from: number, to: number): number {
  return unitsBefore(v, s, e, to) - unitsBefore(v, s, e, from);
}

/**
 * A unit count (a whole number, beyond 2^53 for large volumes) modulo 2^20, exactly: the division
 * by a power of two, the floor and the product are exact, and so is the difference, being a whole
 * number below 2^20.
 */
function unitsPastWhole(u: number): number {
  return u - Math.floor(u / UNIT) * UNIT;
}

/**
 * The whole part of the share of volume `v` of [s, e] inside [from, to): ⌊(b − a) / 2^20⌋ for
 * a = unitsBefore(from) and b = unitsBefore(to), exactly, for every v below 2^53. From
 * EXACT_VOLUME on, a and b pass 2^53 and b − a in doubles rounds; taken apart as
 * (⌊b / 2^20⌋ − ⌊a / 2^20⌋) × 2^20 + (b mod 2^20 − a mod 2^20), every term is exact.
 */
export function wholeWithin(v: number, s: number, e: number, from: number, to: number): number {
  const b = unitsBefore(v, s, e, to);
  const a = unitsBefore(v, s, e, from);
  return Math.floor(b / UNIT) - Math.floor(a / UNIT) - (unitsPastWhole(b) < unitsPastWhole(a) ? 1 : 0);
}

/** The units (0 ≤ u < 2^20) of that share left over beyond wholeWithin: (b − a) mod 2^20, exactly, for every v below 2^53. */
export function unitsLeftWithin(v: number, s: number, e: number, from: number, to: number): number {
  const d = unitsPastWhole(unitsBefore(v, s, e, to)) - unitsPastWhole(unitsBefore(v, s, e, from));
  return d < 0 ? d + UNIT : d;
}

/** Whether session [s, e] takes part in frame [from, to) (time.md). */
export function overlaps(s: number, e: number, from: number, to: number): boolean {
  return e > s ? s < to && e > from : s >= from && s < to;
}

/** N equal slices of a frame: slice k is [bounds[k], bounds[k+1]). */
export class SliceGrid {
  readonly from: number;
  readonly to: number;
  readonly n: number;
  readonly bounds: Float64Array;
  /** Set by range(): the first and last slice a session overlaps. */
  k0 = 0;
  k1 = 0;

  constructor(from: number, to: number, n: number) {
    this.from = from;
    this.to = to;
    this.n = n;
    this.bounds = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) this.bounds[k] = from + ((to - from) * k) / n;
    this.bounds[n] = to;
  }

  /** The slice holding instant t (from <= t < to): the largest k with bounds[k] <= t. */
  index(t: number): number {
    const b = this.bounds;
    let k = Math.floor(((t - this.from) * this.n) / (this.to - this.from));
    if (k < 0) k = 0;
    if (k > this.n - 1) k = this.n - 1;
    while (k > 0 && b[k]! > t) k--;
    while (k < this.n - 1 && b[k + 1]! <= t) k++;
    return k;
  }

  /**
   * Sets k0..k1 to the slices that session [s, e] (which overlaps the frame)
   * overlaps by the same rule as a frame: s < slice end && e > slice start.
   */
  range(s: number, e: number): void {
    if (e <= s) {
      this.k0 = this.k1 = this.index(s);
      return;
    }
    const a = s > this.from ? s : this.from;
    const z = e < this.to ? e : this.to;
    this.k0 = this.index(a);
    let k1 = z >= this.to ? this.n - 1 : this.index(z);
    if (this.bounds[k1] === z && k1 > this.k0) k1--;
    this.k1 = k1;
  }
}
