// Test helper: builds sFlow v2/v4/v5 datagrams and the packets inside their sampled headers byte by
// byte, so unit tests state exactly what is on the wire (sample layouts, record lengths, odd values).
import { parseIp } from '../../src/fields/ipcodec.js';
import { Bytes, concat } from './build.js';

// ---- packets (sampled headers)

export function macBytes(s: string): number[] {
  return s.split(':').map((x) => parseInt(x, 16));
}

/** Ethernet header; `tags` are [tpid, vid] pairs placed before `type`. */
export function ethernet(dst: string, src: string, type: number, tags: [number, number][] = []): Uint8Array {
  const b = new Bytes().raw(macBytes(dst)).raw(macBytes(src));
  for (const [tpid, vid] of tags) b.u16(tpid).u16(vid);
  return b.u16(type).done();
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  tos?: number;
  /** Total length field; default header + payload. */
  totalLength?: number;
  /** Flags and fragment offset word. */
  frag?: number;
  ihl?: number;
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const ihl = o.ihl ?? 5;
  const b = new Bytes()
    .u8(0x40 | ihl)
    .u8(o.tos ?? 0)
    .u16(o.totalLength ?? ihl * 4 + payload.length)
    .u16(0x1234)
    .u16(o.frag ?? 0)
    .u8(64)
    .u8(o.proto)
    .u16(0)
    .ip4(o.src)
    .ip4(o.dst);
  b.zeros(Math.max(0, ihl * 4 - 20));
  return concat(b.done(), payload);
}

export function ip6(s: string): number[] {
  const w = parseIp(s)!;
  const out: number[] = [];
  for (const x of w) out.push(x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255);
  return out;
}

/** IPv6 header; `next` is the first next-header value (payload may start with extension headers). */
export function ipv6(o: { src: string; dst: string; next: number; tclass?: number; payloadLength?: number }, payload: Uint8Array): Uint8Array {
  const tc = o.tclass ?? 0;
  const b = new Bytes()
    .u8(0x60 | (tc >> 4))
    .u8((tc & 15) << 4)
    .u16(0)
    .u16(o.payloadLength ?? payload.length)
    .u8(o.next)
    .u8(64)
    .raw(ip6(o.src))
    .raw(ip6(o.dst));
  return concat(b.done(), payload);
}

export function tcp(sport: number, dport: number, flags: number, dataOffsetWords = 5): Uint8Array {
  const b = new Bytes().u16(sport).u16(dport).u32(1000).u32(2000).u8(dataOffsetWords << 4).u8(flags).u16(8192).u16(0).u16(0);
  b.zeros(Math.max(0, dataOffsetWords * 4 - 20));
  return b.done();
}

export function udp(sport: number, dport: number, payloadLength = 0): Uint8Array {
  return new Bytes().u16(sport).u16(dport).u16(8 + payloadLength).u16(0).zeros(payloadLength).done();
}

export function icmp(type: number, code: number): Uint8Array {
  return new Bytes().u8(type).u8(code).u16(0).u32(0).done();
}

// ---- sFlow structures

/** XDR opaque<>: length, bytes, zero padding to 4. */
export function opaque(data: Uint8Array | number[]): Uint8Array {
  const b = new Bytes().u32(data.length).raw(data);
  return b.zeros((4 - (data.length % 4)) % 4).done();
}

export function address(s: string): Uint8Array {
  if (s.includes(':')) return new Bytes().u32(2).raw(ip6(s)).done();
  return new Bytes().u32(1).ip4(s).done();
}

export interface DatagramOpts {
  version: 2 | 4 | 5 | number;
  agent: string;
  /** Agent address type override (e.g. 0 unknown, 7 invalid); the address bytes follow `agent`. */
  agentType?: number;
  subAgent?: number;
  seq?: number;
  uptime?: number;
  /** Sample count; default the number of samples. */
  count?: number;
}

export function datagram(o: DatagramOpts, ...samples: Uint8Array[]): Uint8Array {
  const b = new Bytes().u32(o.version);
  if (o.agentType !== undefined) {
    b.u32(o.agentType);
    if (o.agentType === 1) b.ip4(o.agent);
    else if (o.agentType === 2) b.raw(ip6(o.agent));
  } else {
    b.raw(address(o.agent));
  }
  if (o.version === 5) b.u32(o.subAgent ?? 0);
  b.u32(o.seq ?? 1).u32(o.uptime ?? 60_000).u32(o.count ?? samples.length);
  return concat(b.done(), ...samples);
}

/** A v5 sample or record: format word (enterprise << 12 | format), length word (body length unless overridden), body. */
export function tlv(format: number, body: Uint8Array, lengthOverride?: number): Uint8Array {
  return concat(new Bytes().u32(format).u32(lengthOverride ?? body.length).done(), body);
}

export interface FlowSampleOpts {
  seq?: number;
  rate: number;
  pool?: number;
  drops?: number;
  /** Compact: the whole 32-bit interface words. Expanded: the value words. */
  input: number;
  output: number;
  /** Expanded only: format words. */
  inputFormat?: number;
  outputFormat?: number;
  recordCount?: number;
}

export function flowSampleV5(o: FlowSampleOpts & { expanded?: boolean }, ...records: Uint8Array[]): Uint8Array {
  const b = new Bytes().u32(o.seq ?? 1);
  if (o.expanded) {
    b.u32(0).u32(o.input).u32(o.rate).u32(o.pool ?? 0).u32(o.drops ?? 0);
    b.u32(o.inputFormat ?? 0).u32(o.input).u32(o.outputFormat ?? 0).u32(o.output);
  } else {
    b.u32(o.input & 0xffffff).u32(o.rate).u32(o.pool ?? 0).u32(o.drops ?? 0).u32(o.input).u32(o.output);
  }
  b.u32(o.recordCount ?? records.length);
  return tlv(o.expanded ? 3 : 1, concat(b.done(), ...records));
}

export function counterSampleV5(o: { seq?: number; ifIndex: number; expanded?: boolean; recordCount?: number }, ...records: Uint8Array[]): Uint8Array {
  const b = new Bytes().u32(o.seq ?? 1);
  if (o.expanded) b.u32(0).u32(o.ifIndex);
  else b.u32(o.ifIndex & 0xffffff);
  b.u32(o.recordCount ?? records.length);
  return tlv(o.expanded ? 4 : 2, concat(b.done(), ...records));
}

/** Sampled header body (v5 record 1 without its TLV head; v2/v4 when `stripped` is null). */
export function sampledHeader(protocol: number, frameLength: number, stripped: number | null, header: Uint8Array): Uint8Array {
  const b = new Bytes().u32(protocol).u32(frameLength);
  if (stripped !== null) b.u32(stripped);
  return concat(b.done(), opaque(header));
}

export function ipv4Data(o: { length: number; proto: number; src: string; dst: string; sport: number; dport: number; flags?: number; tos?: number }): Uint8Array {
  return new Bytes().u32(o.length).u32(o.proto).ip4(o.src).ip4(o.dst).u32(o.sport).u32(o.dport).u32(o.flags ?? 0).u32(o.tos ?? 0).done();
}

export function ipv6Data(o: { length: number; proto: number; src: string; dst: string; sport: number; dport: number; flags?: number; priority?: number }): Uint8Array {
  return new Bytes()
    .u32(o.length)
    .u32(o.proto)
    .raw(ip6(o.src))
    .raw(ip6(o.dst))
    .u32(o.sport)
    .u32(o.dport)
    .u32(o.flags ?? 0)
    .u32(o.priority ?? 0)
    .done();
}

export function ethernetData(length: number, src: string, dst: string, type: number): Uint8Array {
  return new Bytes().u32(length).raw(macBytes(src)).zeros(2).raw(macBytes(dst)).zeros(2).u32(type).done();
}

export function extSwitch(inVlan: number, outVlan: number): Uint8Array {
  return new Bytes().u32(inVlan).u32(0).u32(outVlan).u32(0).done();
}

export function extRouter(nextHop: string, srcMask: number, dstMask: number): Uint8Array {
  return concat(address(nextHop), new Bytes().u32(srcMask).u32(dstMask).done());
}

/** Extended gateway: v5 (with next hop) and v4 take path segments; v2 a flat AS list. */
export function extGateway(version: number, o: { nextHop?: string; as: number; srcAs: number; peerAs: number; path: number[][]; communities?: number[]; localPref?: number }): Uint8Array {
  const parts: Uint8Array[] = [];
  if (version >= 5) parts.push(address(o.nextHop ?? '0.0.0.0'));
  const b = new Bytes().u32(o.as).u32(o.srcAs).u32(o.peerAs);
  if (version === 2) {
    const flat = o.path.flat();
    b.u32(flat.length);
    for (const a of flat) b.u32(a);
  } else {
    b.u32(o.path.length);
    for (const seg of o.path) {
      b.u32(2).u32(seg.length);
      for (const a of seg) b.u32(a);
    }
    b.u32(o.communities?.length ?? 0);
    for (const c of o.communities ?? []) b.u32(c);
    b.u32(o.localPref ?? 100);
  }
  parts.push(b.done());
  return concat(...parts);
}

export interface Generic {
  ifIndex: number;
  ifType?: number;
  ifSpeed?: number;
  ifDirection?: number;
  ifStatus?: number;
  inOctets?: number;
  inUcast?: number;
  inMcast?: number;
  inBcast?: number;
  inDiscards?: number;
  inErrors?: number;
  inUnknown?: number;
  outOctets?: number;
  outUcast?: number;
  outMcast?: number;
  outBcast?: number;
  outDiscards?: number;
  outErrors?: number;
  promiscuous?: number;
}

export function genericCounters(g: Generic): Uint8Array {
  return new Bytes()
    .u32(g.ifIndex)
    .u32(g.ifType ?? 6)
    .u64(g.ifSpeed ?? 1e9)
    .u32(g.ifDirection ?? 1)
    .u32(g.ifStatus ?? 3)
    .u64(g.inOctets ?? 0)
    .u32(g.inUcast ?? 0)
    .u32(g.inMcast ?? 0)
    .u32(g.inBcast ?? 0)
    .u32(g.inDiscards ?? 0)
    .u32(g.inErrors ?? 0)
    .u32(g.inUnknown ?? 0)
    .u64(g.outOctets ?? 0)
    .u32(g.outUcast ?? 0)
    .u32(g.outMcast ?? 0)
    .u32(g.outBcast ?? 0)
    .u32(g.outDiscards ?? 0)
    .u32(g.outErrors ?? 0)
    .u32(g.promiscuous ?? 2)
    .done();
}

// ---- sFlow v2 / v4

/** v2/v4 flow sample with its type word: packet data type 1 header, 2 IPv4, 3 IPv6; extended items as [type, body]. */
export function flowSampleV2V4(o: { rate: number; input: number; output: number; packetType: number; packet: Uint8Array; extended?: [number, Uint8Array][]; extendedCount?: number }): Uint8Array {
  const b = new Bytes().u32(1).u32(1).u32(o.input & 0xffffff).u32(o.rate).u32(0).u32(0).u32(o.input).u32(o.output).u32(o.packetType);
  const ext = o.extended ?? [];
  const tail = new Bytes().u32(o.extendedCount ?? ext.length);
  const parts = [b.done(), o.packet, tail.done()];
  for (const [type, body] of ext) parts.push(new Bytes().u32(type).done(), body);
  return concat(...parts);
}

/** v2/v4 counters sample with its type word: counters_version then the block(s). */
export function counterSampleV2V4(o: { seq?: number; ifIndex: number; version: number }, ...blocks: Uint8Array[]): Uint8Array {
  return concat(new Bytes().u32(2).u32(o.seq ?? 1).u32(o.ifIndex & 0xffffff).u32(30).u32(o.version).done(), ...blocks);
}
