// Reads address-range CSV files in the ip-location-db layout (also DB-IP lite):
// `start,end,CC[,...]` for countries and `start,end,ASN,"AS name"` for autonomous systems.

import { parseIp } from '../fields/ipcodec.js';
import { EnrichError } from './enricherror.js';
import { countryValue } from './countryvalue.js';
import type { DataKind, RangeSink } from './rangesink.js';

const AS_FIELD = /^(?:AS)?(\d{1,10})$/i;
const CC_FIELD = /^(?:[A-Za-z]{2}|--)?$/;

/** Split one CSV line into fields; double quotes enclose a field, "" inside one is a quote. */
function splitCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') return null;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** Dotted-quad IPv4 to an unsigned integer, or -1. */
function dottedQuad(s: string): number {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

/** IPv6 text (RFC 4291 forms) into four big-endian words; false when malformed. */
function ipv6Into(s: string, out: Uint32Array): boolean {
  if (s.includes('.') || s.includes('%')) {
    const w = parseIp(s);
    if (w === null || !s.includes(':')) return false;
    out.set(w);
    return true;
  }
  const groups = GROUPS;
  let n = 0;
  let gap = -1;
  let i = 0;
  const len = s.length;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let v = 0;
    let digits = 0;
    for (; i < len && digits < 5; i++, digits++) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    if (digits === 0 || digits > 4 || n === 8) return false;
    groups[n++] = v;
    if (i === len) break;
    if (s.charCodeAt(i) !== 58) return false;
    if (s.charCodeAt(i + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i += 2;
    } else {
      i++;
      if (i === len) return false;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const fill = gap < 0 ? 0 : 8 - n;
  for (let k = 0, g = 0; k < 8; k++) {
    const v = gap >= 0 && k >= gap && k < gap + fill ? 0 : groups[g++]!;
    if (k % 2 === 0) out[k >> 1] = v * 65536;
    else out[k >> 1] = out[k >> 1]! + v;
  }
  return true;
}

const GROUPS = new Int32Array(8);

/** A decimal integer below 2^128 into four big-endian words; false when it is not one. */
function decimal128Into(s: string, out: Uint32Array): boolean {
  if (!/^\d{1,39}$/.test(s)) return false;
  // Eight 16-bit limbs, least significant first: limbs * 10 + digit never overflows a double.
  const limbs = new Array<number>(8).fill(0);
  for (let i = 0; i < s.length; i++) {
    let carry = s.charCodeAt(i) - 48;
    for (let k = 0; k < 8; k++) {
      const t = limbs[k]! * 10 + carry;
      limbs[k] = t & 0xffff;
      carry = Math.floor(t / 65536);
    }
    if (carry !== 0) return false;
  }
  for (let k = 0; k < 4; k++) out[3 - k] = limbs[2 * k + 1]! * 65536 + limbs[2 * k]!;
  return true;
}

/** Which family a file of decimal bounds is in: from its name, else from the size of its first range's end. */
function decimalFamily(path: string, firstEnd: string): 4 | 6 {
  const base = path.toLowerCase();
  if (/ipv6|v6/.test(base.slice(base.lastIndexOf('/') + 1))) return 6;
  if (/ipv4|v4/.test(base.slice(base.lastIndexOf('/') + 1))) return 4;
  return firstEnd.length > 10 || Number(firstEnd) > 0xffffffff ? 6 : 4;
}

/** What the third field of a data line says the file holds, or null when it is neither. */
function kindOfField(field: string): DataKind | null {
  if (AS_FIELD.test(field)) return 'asn';
  if (field !== '' && CC_FIELD.test(field)) return 'country';
  return null;
}

/** Whether a field is an address bound of some form (to tell a header line from data). */
function isBound(field: string): boolean {
  return dottedQuad(field) >= 0 || /^\d{1,39}$/.test(field) || (field.includes(':') && parseIp(field) !== null);
}

/** The data lines of a CSV text: [line number, fields], skipping blank and # lines and one header line. */
function* dataLines(text: string, path: string): Generator<[number, string[]]> {
  let lineNo = 0;
  let first = true;
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    let line = text.slice(at, nl);
    at = nl + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line.startsWith('#')) continue;
    const fields = splitCsvLine(line);
    if (fields === null) throw new EnrichError('FORMAT', `line ${lineNo}: unbalanced double quotes`, path);
    if (first) {
      first = false;
      if (!isBound(fields[0]!.trim())) continue;
    }
    yield [lineNo, fields];
  }
}

/** What a CSV text holds, from its first data line; throws FORMAT when it is not a range CSV. */
export function csvKind(text: string, path: string): DataKind {
  for (const [lineNo, fields] of dataLines(text, path)) {
    const kind = fields.length >= 3 ? kindOfField(fields[2]!.trim()) : null;
    if (kind === null || !isBound(fields[0]!.trim())) {
      throw new EnrichError(
        'FORMAT',
        `line ${lineNo}: expected "start,end,CC" (country) or "start,end,ASN,name" (AS), with start and end addresses or integers`,
        path,
      );
    }
    return kind;
  }
  throw new EnrichError('FORMAT', 'no data lines: expected "start,end,CC" or "start,end,ASN,name" lines', path);
}

/**
 * Read every line of a range CSV into `sink`, whose kind the file must hold. Bounds are inclusive;
 * each line's start and end are dotted IPv4, IPv6 text, or decimal integers (the -num files), both
 * of the same family.
 */
export function readRangeCsv(text: string, path: string, sink: RangeSink): void {
  let family: 4 | 6 | 0 = 0;
  const first = new Uint32Array(4);
  const last = new Uint32Array(4);
  const bad = (lineNo: number, detail: string): EnrichError => new EnrichError('FORMAT', `line ${lineNo}: ${detail}`, path);
  /** Parse a bound into `out` (IPv4: word 0 only); returns its family. */
  const bound = (field: string, out: Uint32Array, lineNo: number, endField: string): 4 | 6 => {
    const f = field.trim();
    const v4 = dottedQuad(f);
    if (v4 >= 0) {
      out[0] = v4;
      return 4;
    }
    if (f.includes(':')) {
      if (!ipv6Into(f, out)) throw bad(lineNo, `"${f}" is not an IPv6 address`);
      return 6;
    }
    if (f.includes('.')) throw bad(lineNo, `"${f}" is not an IPv4 address`);
    if (family === 0) family = decimalFamily(path, endField.trim());
    if (family === 4) {
      if (!/^\d{1,10}$/.test(f) || Number(f) > 0xffffffff) throw bad(lineNo, `"${f}" is not an IPv4 address or a 32-bit integer`);
      out[0] = Number(f);
      return 4;
    }
    if (!decimal128Into(f, out)) throw bad(lineNo, `"${f}" is not an IPv6 address or a 128-bit integer`);
    return 6;
  };
  for (const [lineNo, fields] of dataLines(text, path)) {
    if (fields.length < 3) throw bad(lineNo, `expected at least 3 comma-separated fields, found ${fields.length}`);
    const third = fields[2]!.trim();
    const kind = kindOfField(third);
    if (kind !== sink.kind) {
      const label = (k: DataKind): string => (k === 'asn' ? 'AS' : 'country');
      throw bad(
        lineNo,
        kind === null ? `"${third}" is neither a country code nor an AS number` : `${kind === 'asn' ? 'an' : 'a'} ${label(kind)} line in a file of ${label(sink.kind)} data`,
      );
    }
    let value: number;
    if (kind === 'asn') {
      value = Number(AS_FIELD.exec(third)![1]);
      if (value > 0xffffffff) throw bad(lineNo, `AS number ${value} is above 4294967295`);
      if (fields.length >= 4 && !sink.names.has(value)) sink.addName(value, fields.slice(3).join(',').trim());
    } else {
      value = countryValue(third);
    }
    const family4 = bound(fields[0]!, first, lineNo, fields[1]!) === 4;
    if ((bound(fields[1]!, last, lineNo, fields[1]!) === 4) !== family4) throw bad(lineNo, 'start and end are of different address families');
    try {
      (family4 ? sink.v4 : sink.v6).add(first, last, value);
    } catch (e) {
      throw bad(lineNo, (e as Error).message);
    }
  }
}
