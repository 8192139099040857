// A minimal MaxMind DB writer for test fixtures (spec: maxmind.github.io/MaxMind-DB): a search tree
// of the given networks and a data section of maps, strings and unsigned integers. Tests check what
// it writes against the `maxmind` reader before trusting it.

import { makeCidr, parseIp } from '../../src/fields/ipcodec.js';

export type MmdbValue = string | number | { readonly [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** CIDR text; IPv4 networks go under ::/96 in an IPv6 tree. */
  readonly cidr: string;
  readonly data: MmdbValue;
}

function control(type: number, size: number): number[] {
  const out: number[] = [];
  let sizeBits: number;
  const extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) {
    sizeBits = 29;
    extra.push(size - 29);
  } else if (size < 65821) {
    sizeBits = 30;
    extra.push((size - 285) >> 8, (size - 285) & 255);
  } else {
    sizeBits = 31;
    const s = size - 65821;
    extra.push((s >> 16) & 255, (s >> 8) & 255, s & 255);
  }
  if (type <= 7) out.push((type << 5) | sizeBits);
  else out.push(sizeBits, type - 7);
  return [...out, ...extra];
}

function uintBytes(v: number): number[] {
  const out: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256);
  return out;
}

function encode(v: MmdbValue | readonly MmdbValue[], as?: 'u16' | 'u64'): number[] {
  if (Array.isArray(v)) return [...control(11, v.length), ...v.flatMap((x) => encode(x))];
  if (typeof v === 'string') {
    const b = [...Buffer.from(v, 'utf8')];
    return [...control(2, b.length), ...b];
  }
  if (typeof v === 'number') {
    const b = uintBytes(v);
    return [...control(as === 'u16' ? 5 : as === 'u64' ? 9 : 6, b.length), ...b];
  }
  const keys = Object.keys(v);
  return [...control(7, keys.length), ...keys.flatMap((k) => [...encode(k), ...encode((v as Record<string, MmdbValue>)[k]!)])];
}

/** The bits of a network's prefix, most significant first, in a tree of the given IP version. */
function prefixBits(cidr: string, ipVersion: 4 | 6): number[] {
  const [addr, len] = cidr.split('/') as [string, string];
  const v4 = !addr.includes(':');
  const block = makeCidr(parseIp(addr)!, Number(len), v4);
  const words = ipVersion === 4 ? [block.words[3]] : block.words;
  const bits = ipVersion === 4 ? Number(len) : block.bits;
  // In an IPv6 tree IPv4 sits under ::/96 (not ::ffff:0:0/96), as the reader expects.
  const w = ipVersion === 6 && v4 ? [0, 0, 0, block.words[3]] : words;
  const out: number[] = [];
  for (let i = 0; i < bits; i++) out.push((w[i >> 5]! >>> (31 - (i & 31))) & 1);
  return out;
}

export function writeMmdb(options: { ipVersion: 4 | 6; recordSize: 24 | 28 | 32; networks: readonly MmdbNetwork[]; databaseType?: string }): Buffer {
  const { ipVersion, recordSize } = options;
  // Records: -1 empty, >= 0 node index, <= -2 data at offset -(r + 2).
  const left: number[] = [-1];
  const right: number[] = [-1];
  const data: number[] = [];
  for (const net of options.networks) {
    const offset = data.length;
    data.push(...encode(net.data));
    const bits = prefixBits(net.cidr, ipVersion);
    let node = 0;
    for (let d = 0; d < bits.length; d++) {
      const side = bits[d] === 1 ? right : left;
      if (d === bits.length - 1) {
        side[node] = -(offset + 2);
        break;
      }
      let next = side[node]!;
      if (next < 0) {
        // Empty or a wider network's leaf: split it into a node whose halves keep the old record.
        left.push(next);
        right.push(next);
        next = left.length - 1;
        side[node] = next;
      }
      node = next;
    }
  }
  const nodeCount = left.length;
  const rec = (r: number): number => (r === -1 ? nodeCount : r >= 0 ? r : nodeCount + 16 + (-r - 2));
  const tree: number[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const l = rec(left[n]!);
    const r = rec(right[n]!);
    if (recordSize === 24) tree.push(l >> 16, (l >> 8) & 255, l & 255, r >> 16, (r >> 8) & 255, r & 255);
    else if (recordSize === 28) tree.push((l >> 16) & 255, (l >> 8) & 255, l & 255, ((l >>> 24) << 4) | (r >>> 24), (r >> 16) & 255, (r >> 8) & 255, r & 255);
    else tree.push(...[24, 16, 8, 0].map((s) => (l >>> s) & 255), ...[24, 16, 8, 0].map((s) => (r >>> s) & 255));
  }
  const meta = [
    ...control(7, 9),
    ...encode('node_count'), ...encode(nodeCount),
    ...encode('record_size'), ...encode(recordSize, 'u16'),
    ...encode('ip_version'), ...encode(ipVersion, 'u16'),
    ...encode('database_type'), ...encode(options.databaseType ?? 'opentraq-test'),
    ...encode('languages'), ...encode([]),
    ...encode('binary_format_major_version'), ...encode(2, 'u16'),
    ...encode('binary_format_minor_version'), ...encode(0, 'u16'),
    ...encode('build_epoch'), ...encode(1700000000, 'u64'),
    ...encode('description'), ...encode({}),
  ];
  return Buffer.from([...tree, ...new Array<number>(16).fill(0), ...data, ...Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'), ...meta]);
}
