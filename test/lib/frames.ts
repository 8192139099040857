// Frame builders for generated captures: Ethernet (with an optional 802.1Q tag), IPv4, IPv6, TCP, UDP
// and ICMP / ICMPv6 echo, with correct checksums (tshark verifies them; the exporters do not).
import { parseIp } from '../../packages/core/src/fields/ipcodec.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** TCP flag bits as NetFlow reports them. */
export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

/** 4 bytes of an IPv4 address or 16 of an IPv6 one. */
export function addressBytes(text: string): Uint8Array {
  const w = parseIp(text);
  if (w === null) throw new Error(`frames: "${text}" is not an IP address`);
  const v4 = w[0] === 0 && w[1] === 0 && w[2] === 0xffff && !text.includes(':');
  const words = v4 ? [w[3]] : w;
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((x, i) => dv.setUint32(i * 4, x, false));
  return out;
}

function macBytes(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new Error(`frames: "${text}" is not a MAC address`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RFC 1071 one's-complement sum of `parts`, folded and complemented; 0 is sent as 0xffff only by UDP (caller). */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The pseudo-header of TCP / UDP / ICMPv6 checksums, for either IP version. */
function pseudoHeader(src: string, dst: string, proto: number, length: number): Uint8Array {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  if (s.length !== d.length) throw new Error(`frames: ${src} and ${dst} are not of one IP version`);
  if (s.length === 4) {
    const tail = Uint8Array.from([0, proto, length >> 8, length & 255]);
    return concat(s, d, tail);
  }
  const tail = Uint8Array.from([length >>> 24, (length >> 16) & 255, (length >> 8) & 255, length & 255, 0, 0, 0, proto]);
  return concat(s, d, tail);
}

export interface EthernetSpec {
  dst: string;
  src: string;
  etherType: number;
  /** 802.1Q VLAN id (1-4094): the frame gets a tag with this id (priority 0). */
  vlan?: number;
  payload: Uint8Array;
}

export function ethernet(o: EthernetSpec): Uint8Array {
  const head = new Uint8Array(o.vlan === undefined ? 14 : 18);
  const dv = new DataView(head.buffer);
  head.set(macBytes(o.dst), 0);
  head.set(macBytes(o.src), 6);
  if (o.vlan !== undefined) {
    if (!Number.isInteger(o.vlan) || o.vlan < 1 || o.vlan > 4094) throw new Error(`frames: VLAN id ${o.vlan} is not 1-4094`);
    dv.setUint16(12, 0x8100);
    dv.setUint16(14, o.vlan);
    dv.setUint16(16, o.etherType);
  } else {
    dv.setUint16(12, o.etherType);
  }
  return concat(head, o.payload);
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  proto: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  tos?: number;
}

export function ipv4(o: Ipv4Spec): Uint8Array {
  const h = new Uint8Array(20);
  const dv = new DataView(h.buffer);
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  dv.setUint16(2, 20 + o.payload.length);
  dv.setUint16(4, o.id ?? 0);
  dv.setUint16(6, 0x4000); // don't fragment
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(addressBytes(o.src), 12);
  h.set(addressBytes(o.dst), 16);
  dv.setUint16(10, internetChecksum(h));
  return concat(h, o.payload);
}

export interface Ipv6Spec {
  src: string;
  dst: string;
  nextHeader: number;
  payload: Uint8Array;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

export function ipv6(o: Ipv6Spec): Uint8Array {
  const h = new Uint8Array(40);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, ((6 << 28) | ((o.trafficClass ?? 0) << 20) | (o.flowLabel ?? 0)) >>> 0);
  dv.setUint16(4, o.payload.length);
  h[6] = o.nextHeader;
  h[7] = o.hopLimit ?? 64;
  h.set(addressBytes(o.src), 8);
  h.set(addressBytes(o.dst), 24);
  return concat(h, o.payload);
}

export interface TcpSpec {
  /** IP addresses, for the checksum's pseudo-header. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  window?: number;
  payload?: Uint8Array;
}

export function tcp(o: TcpSpec): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  const seg = new Uint8Array(20 + payload.length);
  const dv = new DataView(seg.buffer);
  dv.setUint16(0, o.sport);
  dv.setUint16(2, o.dport);
  dv.setUint32(4, o.seq >>> 0);
  dv.setUint32(8, o.ack >>> 0);
  seg[12] = 5 << 4;
  seg[13] = o.flags;
  dv.setUint16(14, o.window ?? 64240);
  seg.set(payload, 20);
  dv.setUint16(16, internetChecksum(pseudoHeader(o.src, o.dst, PROTO_TCP, seg.length), seg));
  return seg;
}

export interface UdpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export function udp(o: UdpSpec): Uint8Array {
  const seg = new Uint8Array(8 + o.payload.length);
  const dv = new DataView(seg.buffer);
  dv.setUint16(0, o.sport);
  dv.setUint16(2, o.dport);
  dv.setUint16(4, seg.length);
  seg.set(o.payload, 8);
  const sum = internetChecksum(pseudoHeader(o.src, o.dst, PROTO_UDP, seg.length), seg);
  dv.setUint16(6, sum === 0 ? 0xffff : sum);
  return seg;
}

export interface EchoSpec {
  /** ICMP: 8 request, 0 reply. ICMPv6: 128 request, 129 reply. */
  type: number;
  id: number;
  seq: number;
  data: Uint8Array;
}

/** ICMP (IPv4) echo request or reply. */
export function icmpEcho(o: EchoSpec): Uint8Array {
  const m = echoBody(o);
  new DataView(m.buffer).setUint16(2, internetChecksum(m));
  return m;
}

/** ICMPv6 echo request or reply (its checksum covers the IPv6 pseudo-header). */
export function icmp6Echo(o: EchoSpec & { src: string; dst: string }): Uint8Array {
  const m = echoBody(o);
  new DataView(m.buffer).setUint16(2, internetChecksum(pseudoHeader(o.src, o.dst, PROTO_ICMPV6, m.length), m));
  return m;
}

function echoBody(o: EchoSpec): Uint8Array {
  const m = new Uint8Array(8 + o.data.length);
  const dv = new DataView(m.buffer);
  m[0] = o.type;
  m[1] = 0;
  dv.setUint16(4, o.id);
  dv.setUint16(6, o.seq);
  m.set(o.data, 8);
  return m;
}

/** `n` bytes of recognisable filler (a repeated text), so captures are readable in tshark. */
export function filler(n: number, text = 'opentraq '): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i % text.length);
  return out;
}
