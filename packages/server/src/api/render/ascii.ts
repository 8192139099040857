// Text and whole numbers written as ASCII bytes straight into an output buffer, so that
// formatting a session row allocates no string per value.

/** The two ASCII digits of 0..99, at 2·n and 2·n + 1: numbers are written two digits a division. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

const TWO_32 = 4294967296;
const TEN_8 = 100_000_000;

/** Writes an ASCII string at buf[pos]; returns the end. */
export function writeText(buf: Uint8Array, pos: number, s: string): number {
  for (let j = 0; j < s.length; j++) buf[pos + j] = s.charCodeAt(j);
  return pos + s.length;
}

/** Writes a whole number 0 <= v < 2^32 in decimal at buf[pos]; returns the end. */
export function writeUint32(buf: Uint8Array, pos: number, v: number): number {
  if (v < 100) {
    if (v < 10) {
      buf[pos] = 48 + v;
      return pos + 1;
    }
    const d = v << 1;
    buf[pos] = DIGIT_PAIRS[d]!;
    buf[pos + 1] = DIGIT_PAIRS[d + 1]!;
    return pos + 2;
  }
  if (v < 10000) {
    const q = (v / 100) >>> 0;
    const d = (v - q * 100) << 1;
    if (q < 10) {
      buf[pos] = 48 + q;
      buf[pos + 1] = DIGIT_PAIRS[d]!;
      buf[pos + 2] = DIGIT_PAIRS[d + 1]!;
      return pos + 3;
    }
    const e = q << 1;
    buf[pos] = DIGIT_PAIRS[e]!;
    buf[pos + 1] = DIGIT_PAIRS[e + 1]!;
    buf[pos + 2] = DIGIT_PAIRS[d]!;
    buf[pos + 3] = DIGIT_PAIRS[d + 1]!;
    return pos + 4;
  }
  const len = v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
  let end = pos + len;
  let x = v;
  while (x >= 100) {
    const q = (x / 100) >>> 0;
    const d = (x - q * 100) << 1;
    buf[--end] = DIGIT_PAIRS[d + 1]!;
    buf[--end] = DIGIT_PAIRS[d]!;
    x = q;
  }
  if (x >= 10) {
    const d = x << 1;
    buf[--end] = DIGIT_PAIRS[d + 1]!;
    buf[--end] = DIGIT_PAIRS[d]!;
  } else {
    buf[--end] = 48 + x;
  }
  return pos + len;
}

/** Writes 0 <= v < 10^8 as exactly eight digits (leading zeros) at buf[pos]; returns the end. */
function writeEightDigits(buf: Uint8Array, pos: number, v: number): number {
  let x = v;
  for (let end = pos + 8; end > pos; end -= 2) {
    const q = (x / 100) >>> 0;
    const d = (x - q * 100) << 1;
    buf[end - 1] = DIGIT_PAIRS[d + 1]!;
    buf[end - 2] = DIGIT_PAIRS[d]!;
    x = q;
  }
  return pos + 8;
}

/** Writes a whole number 0 <= v <= 2^53 in decimal at buf[pos]; returns the end. */
export function writeUint(buf: Uint8Array, pos: number, v: number): number {
  if (v < TWO_32) return writeUint32(buf, pos, v);
  // above 2^32 in two parts: the high one is below 2^53 / 10^8 < 2^27
  const high = Math.floor(v / TEN_8);
  return writeEightDigits(buf, writeUint32(buf, pos, high), v - high * TEN_8);
}

/** Writes 0 <= v < 100 as exactly two digits at buf[pos]. */
export function writeTwoDigits(buf: Uint8Array, pos: number, v: number): void {
  const d = v << 1;
  buf[pos] = DIGIT_PAIRS[d]!;
  buf[pos + 1] = DIGIT_PAIRS[d + 1]!;
}

/** Writes 0 <= v < 10^6 as exactly six digits (leading zeros) at buf[pos]. */
export function writeSixDigits(buf: Uint8Array, pos: number, v: number): void {
  const a = (v / 10000) >>> 0;
  const rest = v - a * 10000;
  const b = (rest / 100) >>> 0;
  writeTwoDigits(buf, pos, a);
  writeTwoDigits(buf, pos + 2, b);
  writeTwoDigits(buf, pos + 4, rest - b * 100);
}

/** Whether this machine stores words little-endian: 32-bit copies of text keep its byte order with it. */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The 32-bit word that DataView.setUint32(pos, word, LITTLE_ENDIAN) stores as the bytes `b0 b1 b2 b3`
 * (the codes of up to four characters; missing ones 0): four bytes of text in one store.
 */
export function wordOf(text: string, from = 0): number {
  const c = (j: number): number => (from + j < text.length ? text.charCodeAt(from + j) & 255 : 0);
  return LITTLE_ENDIAN ? (c(0) | (c(1) << 8) | (c(2) << 16) | (c(3) << 24)) >>> 0 : ((c(0) << 24) | (c(1) << 16) | (c(2) << 8) | c(3)) >>> 0;
}
