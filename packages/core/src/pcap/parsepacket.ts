// Parses a captured frame down to its transport layer: Ethernet (with 802.1Q / 802.1ad tags), Linux
// cooked capture or raw IP; IPv4 / IPv6 (extension headers skipped); UDP and TCP. Enough to replay exports.

import { formatIp } from '../fields/ipcodec.js';

export const LINKTYPE = { null: 0, ethernet: 1, raw: 101, linuxSll: 113, ipv4: 228, ipv6: 229 } as const;

export interface TcpInfo {
  readonly seq: number;
  readonly ack: number;
  /** TCP flag bits (FIN=1 SYN=2 RST=4 PSH=8 ACK=16). */
  readonly flags: number;
}

export interface IpPacket {
  readonly ipVersion: 4 | 6;
  readonly src: string;
  readonly dst: string;
  /** IP protocol of the transport payload (17 UDP, 6 TCP, ...). */
  readonly proto: number;
  /** A fragment of a larger IP datagram: ports and payload are not parsed. */
  readonly fragment: boolean;
  readonly srcPort: number;
  readonly dstPort: number;
  /** UDP or TCP payload (for other protocols: the IP payload). A view into the frame. */
  readonly payload: Uint8Array;
  /** Present for TCP. */
  readonly tcp?: TcpInfo;
}

const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number): number => b[p]! * 16777216 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);

/** The IP packet in a frame, or null when the frame is not IP (ARP, LLDP, ...) or is cut short. */
export function parsePacket(frame: Uint8Array, linkType: number): IpPacket | null {
  let p: number;
  let etherType: number;
  switch (linkType) {
    case LINKTYPE.ethernet:
      if (frame.length < 14) return null;
      etherType = u16(frame, 12);
      p = 14;
      while (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) {
        if (frame.length < p + 4) return null;
        etherType = u16(frame, p + 2);
        p += 4;
      }
      break;
    case LINKTYPE.linuxSll:
      if (frame.length < 16) return null;
      etherType = u16(frame, 14);
      p = 16;
      break;
    case LINKTYPE.null: {
      if (frame.length < 4) return null;
      const family = frame[0] === 0 ? u32(frame, 0) : frame[0]! | (frame[1]! << 8);
      etherType = family === 2 ? 0x0800 : family === 24 || family === 28 || family === 30 ? 0x86dd : 0;
      p = 4;
      break;
    }
    case LINKTYPE.raw:
    case LINKTYPE.ipv4:
    case LINKTYPE.ipv6:
      if (frame.length < 1) return null;
      etherType = frame[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      p = 0;
      break;
    default:
      return null;
  }
  if (etherType === 0x0800) return ipv4(frame, p);
  if (etherType === 0x86dd) return ipv6(frame, p);
  return null;
}

function ipv4(b: Uint8Array, p: number): IpPacket | null {
  if (b.length < p + 20 || b[p]! >> 4 !== 4) return null;
  const ihl = (b[p]! & 15) * 4;
  const total = u16(b, p + 2);
  if (ihl < 20 || total < ihl || b.length < p + total) return null;
  const fragment = (u16(b, p + 6) & 0x3fff) !== 0;
  const src = formatIp(0, 0, 0xffff, u32(b, p + 12));
  const dst = formatIp(0, 0, 0xffff, u32(b, p + 16));
  return transport(b, 4, src, dst, b[p + 9]!, fragment, p + ihl, p + total);
}

function ipv6(b: Uint8Array, p: number): IpPacket | null {
  if (b.length < p + 40 || b[p]! >> 4 !== 6) return null;
  const end = p + 40 + u16(b, p + 4);
  if (b.length < end) return null;
  const word = (o: number): number => u32(b, p + o);
  const src = formatIp(word(8), word(12), word(16), word(20));
  const dst = formatIp(word(24), word(28), word(32), word(36));
  let next = b[p + 6]!;
  let q = p + 40;
  let fragment = false;
  // Hop-by-hop, routing, fragment and destination-options headers.
  while (next === 0 || next === 43 || next === 44 || next === 60) {
    if (end - q < 8) return null;
    if (next === 44) {
      fragment = fragment || (u16(b, q + 2) & 0xfff9) !== 0;
      next = b[q]!;
      q += 8;
    } else {
      const len = (b[q + 1]! + 1) * 8;
      next = b[q]!;
      q += len;
    }
  }
  if (q > end) return null;
  return transport(b, 6, src, dst, next, fragment, q, end);
}

function transport(b: Uint8Array, v: 4 | 6, src: string, dst: string, proto: number, fragment: boolean, p: number, end: number): IpPacket | null {
  const base = { ipVersion: v, src, dst, proto, fragment };
  if (fragment) return { ...base, srcPort: 0, dstPort: 0, payload: b.subarray(p, end) };
  if (proto === 17) {
    if (end - p < 8) return null;
    const ulen = u16(b, p + 4);
    const stop = ulen >= 8 && p + ulen <= end ? p + ulen : end;
    return { ...base, srcPort: u16(b, p), dstPort: u16(b, p + 2), payload: b.subarray(p + 8, stop) };
  }
  if (proto === 6) {
    if (end - p < 20) return null;
    const off = (b[p + 12]! >> 4) * 4;
    if (off < 20 || p + off > end) return null;
    return {
      ...base,
      srcPort: u16(b, p),
      dstPort: u16(b, p + 2),
      payload: b.subarray(p + off, end),
      tcp: { seq: u32(b, p + 4), ack: u32(b, p + 8), flags: b[p + 13]! },
    };
  }
  return { ...base, srcPort: 0, dstPort: 0, payload: b.subarray(p, end) };
}
