// exp and log built from + - * / only, so generated values are bit-identical on every engine.
// ECMAScript lets Math.exp/log/pow be approximations that differ between platforms; IEEE 754 basic operations may not.

const LN2_HI = 6.93147180369123816490e-1; // low 21 bits zero: k * LN2_HI is exact for |k| < 2^21
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2_64 = 92.33248261689366; // 64 / ln 2

/** A double's high word, read through typed-array aliasing; the word order is detected, so results do not depend on it. */
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** 2^k for k in [-1022, 1023], built by exact doubling and halving. */
const POW2 = new Float64Array(2046);
POW2[1022] = 1;
for (let k = 1; k <= 1023; k++) POW2[1022 + k] = POW2[1022 + k - 1]! * 2;
for (let k = 1; k <= 1022; k++) POW2[1022 - k] = POW2[1022 - k + 1]! / 2;

/** e^r by its Taylor series, for building the tables: 30 terms are exact to double precision for |r| <= 0.7. */
function expSeries(r: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 1; n <= 30; n++) {
    term = (term * r) / n;
    sum += term;
  }
  return sum;
}

/** log(1 + r) by 2·atanh(r / (2 + r)), for building the tables. */
function log1pSeries(r: number): number {
  const s = r / (2 + r);
  const s2 = s * s;
  let term = s;
  let sum = s;
  for (let n = 3; n <= 61; n += 2) {
    term *= s2;
    sum += term / n;
  }
  return 2 * sum;
}

const THIRD = 1 / 3;
const SIXTH = 1 / 6;
const SEVENTH = 1 / 7;

/** 2^(j/64), j = 0..63. */
const EXP_T = new Float64Array(64);
for (let j = 0; j < 64; j++) EXP_T[j] = expSeries((j * LN2_HI + j * LN2_LO) / 64);

/** For m in [1 + j/128, 1 + (j+1)/128): the interval's midpoint c, 1/c and log c. */
const LOG_INV_C = new Float64Array(128);
const LOG_C = new Float64Array(128);
for (let j = 0; j < 128; j++) {
  const c = 1 + (j + 0.5) / 128;
  LOG_INV_C[j] = 1 / c;
  LOG_C[j] = log1pSeries(c - 1);
}

/** Natural logarithm; NaN for x < 0 or NaN, -Infinity for 0. */
export function detLog(x: number): number {
  if (!(x > 0) || x === Infinity) return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  let v = x;
  let e = -1023;
  if (v < 2.2250738585072014e-308) {
    v *= 18014398509481984; // 2^54: lift subnormals into the normal range
    e -= 54;
  }
  F64[0] = v;
  const hi = U32[HI]!;
  const biased = hi >>> 20;
  e += biased;
  const j = (hi >>> 13) & 127;
  // The mantissa m in [1, 2), by an exact power-of-two scaling (2^-1023 is out of the table: two steps).
  const m = biased === 2046 ? v * 0.5 * POW2[0]! : v * POW2[2045 - biased]!;
  // m = c·(1 + r) with |r| < 1/256: seven series terms reach double precision.
  const r = m * LOG_INV_C[j]! - 1;
  const p = r * (1 - r * (0.5 - r * (THIRD - r * (0.25 - r * (0.2 - r * (SIXTH - r * SEVENTH))))));
  return e * LN2_HI + (e * LN2_LO + (LOG_C[j]! + p));
}

/** e^x; 0 below -708, Infinity above 709.78. */
export function detExp(x: number): number {
  if (x !== x) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -708) return 0;
  // x = (64e + j)·ln2/64 + r, |r| <= ln2/128: e^x = 2^e · 2^(j/64) · e^r, e^r by six series terms.
  const k = Math.round(x * INV_LN2_64);
  const r = x - k * (LN2_HI / 64) - k * (LN2_LO / 64);
  const j = k & 63;
  const e = (k - j) / 64;
  const p = 1 + r * (1 + r * (0.5 + r * (SIXTH + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  // The domain limits keep e in [-1022, 1024]; only 1024 needs two steps.
  if (e > 1023) return EXP_T[j]! * p * 2 * POW2[1022 + e - 1]!;
  return EXP_T[j]! * p * POW2[1022 + e]!;
}

/** b^e for b > 0. */
export function detPow(b: number, e: number): number {
  return detExp(e * detLog(b));
}
