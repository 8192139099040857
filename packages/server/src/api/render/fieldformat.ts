// How each output format of the field table (fields.ts DisplayFormat) is written in the API's
// answers — the one place that decides it: the value writers and the code RowEncoder compiles per field.

import { formatTcpFlags, type DisplayFormat } from '@opentraq/core';
import { LITTLE_ENDIAN, wordOf, writeText, writeUint, writeUint32 } from './ascii.js';
import { IP_MAX_BYTES } from './ipformatter.js';
import { LOCAL_TIME_MAX_BYTES } from './localtimeformatter.js';

export type OutputSyntax = 'json' | 'csv';

/**
 * Whether JSON carries the format as a string. Addresses, MACs, country codes and TCP flags
 * (`...A..S.`) are text; times (UTC epoch seconds with a µs fraction), protocols (6, not TCP),
 * ports, counts and every other integer are numbers. CSV writes the same text unquoted, except
 * times: `MM/DD/YYYY hh:mm:ss.ffffff` in the answer's time zone, as ftsq prints them. No value
 * contains a comma, quote or line break, so CSV needs no quoting.
 */
export function isJsonString(format: DisplayFormat): boolean {
  return format === 'ip' || format === 'mac' || format === 'cc' || format === 'flags';
}

const QUOTE = 34;
const MAC_LIMIT = 2 ** 48;
const TWO_32 = 4294967296;

/** A number of a count or integer column that is not a whole number below 2^32 (rare: big counts, damage). */
function writeNumber(buf: Uint8Array, pos: number, v: number, missing: string): number {
  if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return writeUint(buf, pos, v);
  return writeText(buf, pos, Number.isFinite(v) ? String(v) : missing);
}

/** JSON times: seconds with the µs fraction, trailing zeros dropped — the same number as us / 1e6. */
function writeEpoch(buf: Uint8Array, pos: number, raw: number): number {
  const us = Math.round(raw);
  if (!Number.isSafeInteger(us)) return writeText(buf, pos, 'null');
  let abs = us;
  if (us < 0) {
    buf[pos++] = 45;
    abs = -us;
  }
  const sec = Math.floor(abs / 1_000_000);
  let frac = abs - sec * 1_000_000;
  pos = sec < TWO_32 ? writeUint32(buf, pos, sec) : writeUint(buf, pos, sec);
  if (frac === 0) return pos;
  let digits = 6;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  buf[pos] = 46;
  for (let k = digits; k >= 1; k--) {
    const t = (frac / 10) | 0;
    buf[pos + k] = 48 + (frac - t * 10);
    frac = t;
  }
  return pos + digits + 1;
}

/** Per byte value: its two lowercase hex digits and a colon, as one word (the fourth byte is junk, overwritten next). */
const HEX_COLON = Uint32Array.from({ length: 256 }, (_, v) => wordOf(`${v.toString(16).padStart(2, '0')}:`));

/** `aa:bb:cc:dd:ee:ff` (quoted when `quote` is the quote byte, not when it is 0); `missing` unless a 48-bit whole number. */
function writeMac(buf: Uint8Array, view: DataView, pos: number, v: number, quote: number, missing: string): number {
  if (!(v >= 0 && v < MAC_LIMIT && Number.isInteger(v))) return writeText(buf, pos, missing);
  if (quote !== 0) buf[pos++] = quote;
  const hi = Math.floor(v / TWO_32);
  const lo = v >>> 0;
  view.setUint32(pos, HEX_COLON[hi >>> 8]!, LITTLE_ENDIAN);
  view.setUint32(pos + 3, HEX_COLON[hi & 255]!, LITTLE_ENDIAN);
  view.setUint32(pos + 6, HEX_COLON[lo >>> 24]!, LITTLE_ENDIAN);
  view.setUint32(pos + 9, HEX_COLON[(lo >>> 16) & 255]!, LITTLE_ENDIAN);
  view.setUint32(pos + 12, HEX_COLON[(lo >>> 8) & 255]!, LITTLE_ENDIAN);
  view.setUint32(pos + 15, HEX_COLON[lo & 255]!, LITTLE_ENDIAN);
  // the last pair is kept without its colon
  pos += 17;
  if (quote !== 0) buf[pos++] = quote;
  return pos;
}

/** core's formatTcpFlags of every byte, eight characters each, as two words. */
const FLAG_WORDS = Uint32Array.from({ length: 512 }, (_, i) => wordOf(formatTcpFlags(i >> 1), (i & 1) * 4));

/** The TCP flags `v` (the low byte counts) as `CEUAPRSF` letters and dots. */
function writeFlags(view: DataView, pos: number, v: number): number {
  const at = (v & 255) << 1;
  view.setUint32(pos, FLAG_WORDS[at]!, LITTLE_ENDIAN);
  view.setUint32(pos + 4, FLAG_WORDS[at + 1]!, LITTLE_ENDIAN);
  return pos + 8;
}

/** 1 for the bytes a country code may hold (letters and digits); 0 is unknown, anything else damage: both read `--`. */
const COUNTRY_CHAR = Uint8Array.from({ length: 256 }, (_, c) => ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? 1 : 0));

/** The writers above under the names the compiled code calls them by (RowEncoder hands them over). */
export const FIELD_WRITERS = { U: writeUint32, N: writeNumber, E: writeEpoch, M: writeMac, F: writeFlags, C: COUNTRY_CHAR } as const;

/** The compiled statements of one field. */
export interface FieldCode {
  /** JavaScript that writes the value of row `i` of column `c<k>` at `b[p]` and advances `p`. */
  readonly source: string;
  /** Most bytes it writes, quotes included. */
  readonly maxBytes: number;
}

/**
 * The statements that write field `k` of `format` in `syntax`, calling FIELD_WRITERS, `IP` (an
 * IpFormatter), `t<k>` (a LocalTimeFormatter) and `MISS` (the text of a missing value). Built from
 * numbers and fixed identifiers only: nothing a request sends ends up in generated code.
 */
export function fieldCode(k: number, format: DisplayFormat, syntax: OutputSyntax): FieldCode {
  const c = `c${k}`;
  const json = syntax === 'json';
  const quoted = (s: string, bytes: number): FieldCode =>
    json ? { source: `b[p++] = ${QUOTE}; ${s} b[p++] = ${QUOTE};`, maxBytes: bytes + 2 } : { source: s, maxBytes: bytes };
  switch (format) {
    case 'time':
      return json ? { source: `p = E(b, p, ${c}[i]);`, maxBytes: 24 } : { source: `p = t${k}.write(b, dv, p, ${c}[i], MISS);`, maxBytes: LOCAL_TIME_MAX_BYTES };
    case 'ip':
      return quoted(`p = IP.write(b, dv, p, ${c}, i * 4);`, IP_MAX_BYTES);
    case 'mac':
      return { source: `p = M(b, dv, p, ${c}[i], ${json ? QUOTE : 0}, MISS);`, maxBytes: 19 };
    case 'cc':
      return quoted(`{ const v = ${c}[i]; const a = v >>> 8; const z = v & 255; const ok = C[a] === 1 && C[z] === 1; b[p] = ok ? a : 45; b[p + 1] = ok ? z : 45; p += 2; }`, 2);
    case 'flags':
      return quoted(`p = F(dv, p, ${c}[i]);`, 8);
    case 'int':
    case 'proto':
    case 'decimal':
      // nearly every value is a whole number below 2^32 (all of a u8/u16/u32 column); the rest take the general writer
      return { source: `{ const v = ${c}[i]; if ((v >>> 0) !== v) p = N(b, p, v, MISS); else if (v < 10) b[p++] = 48 + v; else p = U(b, p, v); }`, maxBytes: 24 };
  }
}
