// Reads MaxMind DB (.mmdb) files — MaxMind GeoLite2/GeoIP2, DB-IP, ip-location-db, IPinfo — by
// walking the whole search tree once into address ranges, so lookups never touch the file again.

import { Reader } from 'maxmind';
import { formatIp } from '../fields/ipcodec.js';
import { countryValue } from './countryvalue.js';
import { EnrichError } from './enricherror.js';
import type { DataKind, RangeSink } from './rangesink.js';

/** Whether a file starts like a MaxMind DB: its metadata marker sits in the last 128 KiB. */
export function looksLikeMmdb(bytes: Uint8Array): boolean {
  const marker = Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1');
  const from = Math.max(0, bytes.length - 128 * 1024);
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, bytes.length - from).lastIndexOf(marker) >= 0;
}

/** What one decoded data record says; null fields mean the record does not carry that data. */
interface RecordData {
  country: number | null;
  asn: number | null;
  name: string;
}

function member(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/**
 * The fields we understand: MaxMind/DB-IP `country.iso_code` (else `registered_country.iso_code`),
 * ip-location-db and IPinfo `country_code`; `autonomous_system_number` / `autonomous_system_organization`
 * (MaxMind, DB-IP, ip-location-db) and IPinfo's `asn` ("AS13335") / `as_name`.
 */
function recordData(rec: unknown): RecordData {
  const cc = member(member(rec, 'country'), 'iso_code') ?? member(member(rec, 'registered_country'), 'iso_code') ?? member(rec, 'country_code');
  let asnField = member(rec, 'autonomous_system_number') ?? member(rec, 'asn');
  if (typeof asnField === 'string' && /^(AS)?\d{1,10}$/i.test(asnField)) asnField = Number(asnField.replace(/^AS/i, ''));
  const name = member(rec, 'autonomous_system_organization') ?? member(rec, 'as_name');
  const country = typeof cc === 'string' ? Math.max(0, countryValue(cc)) : null;
  const asn = typeof asnField === 'number' && Number.isInteger(asnField) && asnField >= 0 && asnField <= 0xffffffff ? asnField : null;
  return { country, asn, name: typeof name === 'string' ? name : '' };
}

type LeafVisitor = (first: Uint32Array, last: Uint32Array, family: 4 | 6, data: RecordData) => boolean;

/**
 * Visit every data leaf of the tree in address order: IPv4 first (as 1-word keys), then IPv6 (4 words)
 * outside ::/8, which holds the IPv4 subtree and its IPv4-mapped alias. Other references to the IPv4
 * subtree (MaxMind's 6to4 and Teredo aliases) are not followed: those addresses count as IPv6 networks.
 * The visitor returns false to stop.
 */
function walkTree(bytes: Buffer, path: string, visit: LeafVisitor): void {
  let reader: Reader<never>;
  try {
    reader = new Reader<never>(bytes);
  } catch (e) {
    throw new EnrichError('FORMAT', `not a readable MaxMind DB file: ${(e as Error).message}`, path, e);
  }
  const { nodeCount, recordSize, nodeByteSize, ipVersion, searchTreeSize } = reader.metadata;
  if (![24, 28, 32].includes(recordSize) || (ipVersion !== 4 && ipVersion !== 6)) {
    throw new EnrichError('FORMAT', `unsupported MaxMind DB layout (record size ${recordSize}, IP version ${ipVersion})`, path);
  }
  if (searchTreeSize + 16 > bytes.length) throw new EnrichError('FORMAT', 'the file is shorter than its search tree: truncated?', path);
  const left = (node: number): number => {
    const o = node * nodeByteSize;
    const low = (bytes[o]! << 16) | (bytes[o + 1]! << 8) | bytes[o + 2]!;
    if (recordSize === 24) return low;
    if (recordSize === 28) return ((bytes[o + 3]! & 0xf0) * 0x100000 + low) >>> 0;
    return bytes.readUInt32BE(o);
  };
  const right = (node: number): number => {
    const o = node * nodeByteSize;
    if (recordSize === 24) return (bytes[o + 3]! << 16) | (bytes[o + 4]! << 8) | bytes[o + 5]!;
    if (recordSize === 28) return ((bytes[o + 3]! & 0x0f) * 0x1000000 + ((bytes[o + 4]! << 16) | (bytes[o + 5]! << 8) | bytes[o + 6]!)) >>> 0;
    return bytes.readUInt32BE(o + 4);
  };
  const malformed = (): EnrichError => new EnrichError('FORMAT', 'the MaxMind DB search tree is malformed', path);
  const dataByPointer = new Map<number, RecordData>();
  const decode = (pointer: number, first: Uint32Array, family: 4 | 6): RecordData => {
    let data = dataByPointer.get(pointer);
    if (data === undefined) {
      // The reader follows the same path to the same record for the leaf's first address.
      const text = family === 4 ? formatIp(0, 0, 0xffff, first[0]!) : formatIp(first[0]!, first[1]!, first[2]!, first[3]!);
      let rec: unknown;
      try {
        rec = reader.get(text);
      } catch (e) {
        throw new EnrichError('FORMAT', `cannot decode the record for ${text}: ${(e as Error).message}`, path, e);
      }
      data = recordData(rec);
      dataByPointer.set(pointer, data);
    }
    return data;
  };
  const maxVisits = 2 * nodeCount + 256;
  let visits = 0;
  let stopped = false;

  // IPv4: the subtree reached by 96 left turns in an IPv6 tree, the whole tree in an IPv4 one.
  let v4Root = 0;
  if (ipVersion === 6) {
    for (let d = 0; d < 96 && v4Root < nodeCount; d++) v4Root = left(v4Root);
  }
  const key4 = new Uint32Array(1);
  const last4 = new Uint32Array(1);
  const walk4 = (record: number, d: number, prefix: number): void => {
    if (stopped) return;
    if (record < nodeCount) {
      if (d >= 32 || ++visits > maxVisits) throw malformed();
      walk4(left(record), d + 1, prefix);
      walk4(right(record), d + 1, prefix + 2 ** (31 - d));
    } else if (record > nodeCount) {
      key4[0] = prefix;
      last4[0] = prefix + 2 ** (32 - d) - 1;
      if (!visit(key4, last4, 4, decode(record, key4, 4))) stopped = true;
    }
  };
  // When the walk down ended early, v4Root is a leaf (or nothing) that covers all of IPv4.
  walk4(v4Root, 0, 0);
  if (ipVersion === 4 || stopped) return;

  const key6 = new Uint32Array(4);
  const last6 = new Uint32Array(4);
  const walk6 = (record: number, d: number): void => {
    if (stopped) return;
    if (record < nodeCount) {
      if (d >= 128 || ++visits > maxVisits) throw malformed();
      if ((d === 8 && key6[0] === 0) || record === v4Root) return;
      const w = d >>> 5;
      const bit = 2 ** (31 - (d & 31));
      walk6(left(record), d + 1);
      key6[w] = key6[w]! + bit;
      walk6(right(record), d + 1);
      key6[w] = key6[w]! - bit;
    } else if (record > nodeCount) {
      for (let k = 0; k < 4; k++) {
        const fixed = Math.min(32, Math.max(0, d - 32 * k));
        last6[k] = fixed === 32 ? key6[k]! : (key6[k]! | (2 ** (32 - fixed) - 1)) >>> 0;
      }
      if (!visit(key6, last6, 6, decode(record, key6, 6))) stopped = true;
    }
  };
  walk6(0, 0);
}

/** Which kinds of data an mmdb holds, judged by the records of its first leaves. */
export function mmdbKinds(bytes: Buffer, path: string): DataKind[] {
  let leaves = 0;
  let country = false;
  let asn = false;
  walkTree(bytes, path, (_first, _last, _family, data) => {
    country ||= data.country !== null;
    asn ||= data.asn !== null;
    return ++leaves < 256;
  });
  const kinds: DataKind[] = [];
  if (country) kinds.push('country');
  if (asn) kinds.push('asn');
  return kinds;
}

/** Read every leaf of an mmdb into `sink`; throws NO_DATA when no record carries the sink's kind of data. */
export function readMmdb(bytes: Buffer, path: string, sink: RangeSink): void {
  let found = false;
  walkTree(bytes, path, (first, last, family, data) => {
    const value = sink.kind === 'country' ? data.country : data.asn;
    if (value !== null) found = true;
    if (sink.kind === 'asn' && value !== null) sink.addName(value, data.name);
    (family === 4 ? sink.v4 : sink.v6).add(first, last, value ?? 0);
    return true;
  });
  if (!found) {
    throw new EnrichError(
      'NO_DATA',
      sink.kind === 'country'
        ? 'holds no country data: no record has country.iso_code, registered_country.iso_code or country_code'
        : 'holds no AS data: no record has autonomous_system_number or asn',
      path,
    );
  }
}
