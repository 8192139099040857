// How each output format of the field table (fields.ts DisplayFormat) is written in the API's
// answers — the one place that decides it — encoded row by row as ASCII into one buffer a batch.

import { formatIp, formatTcpFlags, type ColumnArray, type DisplayFormat } from '@opentraq/core';
import { writeText, writeUint } from './ascii.js';
import { LOCAL_TIME_MAX_BYTES, LocalTimeFormatter } from './localtimeformatter.js';

export type OutputSyntax = 'json' | 'csv';

/**
 * Whether JSON carries the format as a string. Addresses, MACs, country codes and TCP flags
 * (`...A..S.`) are text; times (UTC epoch seconds with a µs fraction), protocols (6, not TCP),
 * ports, counts and every other integer are numbers. CSV writes the same text unquoted, except
 * times: the local time zone's `MM/DD/YYYY hh:mm:ss.ffffff`, as ftsq prints them. No value
 * contains a comma, quote or line break, so CSV needs no quoting.
 */
export function isJsonString(format: DisplayFormat): boolean {
  return format === 'ip' || format === 'mac' || format === 'cc' || format === 'flags';
}

/** How a value is encoded; one per DisplayFormat and syntax. */
const NUMBER = 0;
const EPOCH = 1;
const LOCAL_TIME = 2;
const IP = 3;
const MAC = 4;
const COUNTRY = 5;
const FLAGS = 6;

/** Most bytes a value of each kind takes, quotes included. */
const MAX_BYTES = [24, 24, LOCAL_TIME_MAX_BYTES, 41, 19, 4, 10];

function kindOf(format: DisplayFormat, syntax: OutputSyntax): number {
  switch (format) {
    case 'time':
      return syntax === 'json' ? EPOCH : LOCAL_TIME;
    case 'ip':
      return IP;
    case 'mac':
      return MAC;
    case 'cc':
      return COUNTRY;
    case 'flags':
      return FLAGS;
    case 'int':
    case 'proto':
    case 'decimal':
      return NUMBER;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const FLAG_TEXT = Array.from({ length: 256 }, (_, i) => formatTcpFlags(i));
const MAC_LIMIT = 2 ** 48;

function isCountryChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function bytesOf(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/**
 * Encodes rows of session columns as text: per row `rowStart`, then for each field its prefix
 * and value, then `rowEnd`. Keeps its buffer and caches from one batch to the next.
 */
export class RowEncoder {
  private readonly kinds: Int32Array;
  private readonly prefixes: Uint8Array[];
  private readonly rowStart: Uint8Array;
  private readonly rowEnd: Uint8Array;
  private readonly q: number;
  private readonly missing: string;
  private readonly maxRow: number;
  private readonly times: LocalTimeFormatter[];
  private buf: Buffer = Buffer.alloc(1 << 16);

  constructor(formats: readonly DisplayFormat[], prefixes: readonly string[], rowStart: string, rowEnd: string, syntax: OutputSyntax) {
    this.kinds = Int32Array.from(formats, (f) => kindOf(f, syntax));
    this.prefixes = prefixes.map(bytesOf);
    this.rowStart = bytesOf(rowStart);
    this.rowEnd = bytesOf(rowEnd);
    this.q = syntax === 'json' ? 34 : -1;
    this.missing = syntax === 'json' ? 'null' : '';
    this.times = formats.map(() => new LocalTimeFormatter());
    let max = rowStart.length + rowEnd.length;
    this.kinds.forEach((k, i) => (max += prefixes[i]!.length + MAX_BYTES[k]!));
    this.maxRow = max;
  }

  /** Rows [0, rows) of `cols` (cols[k]: the column of field k; ip columns 4 words a row). */
  encode(cols: readonly ColumnArray[], rows: number): string {
    const n = this.kinds.length;
    const kinds = this.kinds;
    const q = this.q;
    let buf = this.buf;
    let pos = 0;
    for (let i = 0; i < rows; i++) {
      if (pos + this.maxRow > buf.length) {
        const grown = Buffer.alloc(Math.max(buf.length * 2, pos + this.maxRow));
        buf.copy(grown, 0, 0, pos);
        buf = this.buf = grown;
      }
      pos = copy(buf, pos, this.rowStart);
      for (let k = 0; k < n; k++) {
        pos = copy(buf, pos, this.prefixes[k]!);
        const col = cols[k]!;
        switch (kinds[k]) {
          case NUMBER:
            pos = this.number(buf, pos, col[i]!);
            break;
          case EPOCH:
            pos = this.epoch(buf, pos, col[i]!);
            break;
          case LOCAL_TIME: {
            const us = Math.round(col[i]!);
            pos = Number.isSafeInteger(us) ? this.times[k]!.write(buf, pos, us) : writeText(buf, pos, this.missing);
            break;
          }
          case IP: {
            const o = i * 4;
            const w0 = col[o]!;
            const w1 = col[o + 1]!;
            const w2 = col[o + 2]!;
            const w3 = col[o + 3]!;
            if (q > 0) buf[pos++] = q;
            if (w0 === 0 && w1 === 0 && w2 === 0xffff) {
              pos = writeUint(buf, pos, w3 >>> 24);
              buf[pos++] = 46;
              pos = writeUint(buf, pos, (w3 >>> 16) & 255);
              buf[pos++] = 46;
              pos = writeUint(buf, pos, (w3 >>> 8) & 255);
              buf[pos++] = 46;
              pos = writeUint(buf, pos, w3 & 255);
            } else {
              pos = writeText(buf, pos, formatIp(w0, w1, w2, w3));
            }
            if (q > 0) buf[pos++] = q;
            break;
          }
          case MAC:
            pos = this.mac(buf, pos, col[i]!);
            break;
          case COUNTRY: {
            const v = col[i]!;
            const a = v >>> 8;
            const b = v & 255;
            if (q > 0) buf[pos++] = q;
            // 0 is unknown; anything that is not two letters or digits (a damaged column) reads the same
            const known = isCountryChar(a) && isCountryChar(b);
            buf[pos] = known ? a : 45;
            buf[pos + 1] = known ? b : 45;
            pos += 2;
            if (q > 0) buf[pos++] = q;
            break;
          }
          case FLAGS:
            if (q > 0) buf[pos++] = q;
            pos = writeText(buf, pos, FLAG_TEXT[col[i]! & 255]!);
            if (q > 0) buf[pos++] = q;
            break;
        }
      }
      pos = copy(buf, pos, this.rowEnd);
    }
    return buf.toString('latin1', 0, pos);
  }

  private number(buf: Buffer, pos: number, v: number): number {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return writeUint(buf, pos, v);
    return writeText(buf, pos, Number.isFinite(v) ? String(v) : this.missing);
  }

  /** Seconds with the µs fraction, trailing zeros dropped: the same number as us / 1e6. */
  private epoch(buf: Buffer, pos: number, raw: number): number {
    const us = Math.round(raw);
    if (!Number.isSafeInteger(us)) return writeText(buf, pos, 'null');
    let abs = us;
    if (us < 0) {
      buf[pos++] = 45;
      abs = -us;
    }
    const sec = Math.floor(abs / 1_000_000);
    let frac = abs - sec * 1_000_000;
    pos = writeUint(buf, pos, sec);
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

  private mac(buf: Buffer, pos: number, v: number): number {
    if (!(v >= 0 && v < MAC_LIMIT && Number.isInteger(v))) return writeText(buf, pos, this.missing);
    const q = this.q;
    if (q > 0) buf[pos++] = q;
    const hi = Math.floor(v / 4294967296);
    const lo = v >>> 0;
    pos = writeText(buf, pos, HEX[hi >>> 8]!);
    buf[pos++] = 58;
    pos = writeText(buf, pos, HEX[hi & 255]!);
    buf[pos++] = 58;
    pos = writeText(buf, pos, HEX[lo >>> 24]!);
    buf[pos++] = 58;
    pos = writeText(buf, pos, HEX[(lo >>> 16) & 255]!);
    buf[pos++] = 58;
    pos = writeText(buf, pos, HEX[(lo >>> 8) & 255]!);
    buf[pos++] = 58;
    pos = writeText(buf, pos, HEX[lo & 255]!);
    if (q > 0) buf[pos++] = q;
    return pos;
  }
}

function copy(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  for (let j = 0; j < bytes.length; j++) buf[pos + j] = bytes[j]!;
  return pos + bytes.length;
}
