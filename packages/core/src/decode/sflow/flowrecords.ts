// Readers of the sFlow flow-sample structures shared by v5 records and v2/v4 packet / extended data:
// each reads what starts at `p`, must end by `end`, and returns where it ends (-1: it runs past `end`).

import { u32 } from '../bytes.js';
import type { SampledFlow } from './sampledflow.js';

/** End of an sFlow `address` (type 0 unknown, 1 IPv4, 2 IPv6) at `p`; -1 when cut short or of another type. */
export function addressEnd(b: Uint8Array, p: number, end: number): number {
  if (end - p < 4) return -1;
  const type = u32(b, p);
  const n = type === 1 ? 4 : type === 2 ? 16 : type === 0 ? 0 : -1;
  if (n < 0 || end - p - 4 < n) return -1;
  return p + 4 + n;
}

/** End of an XDR string or opaque<> (length word, bytes padded to 4) at `p`; -1 when cut short. */
export function opaqueEnd(b: Uint8Array, p: number, end: number): number {
  if (end - p < 4) return -1;
  const n = u32(b, p);
  if (n > end - p - 4) return -1;
  return Math.min(end, p + 4 + n + ((4 - (n & 3)) & 3));
}

/**
 * Sampled header: protocol, frame length, stripped (v5 only), header<>. A header whose padding is
 * missing at the very end is accepted (the end is then `end`).
 */
export function readSampledHeader(b: Uint8Array, p: number, end: number, f: SampledFlow, hasStripped: boolean): number {
  const fixed = hasStripped ? 16 : 12;
  if (end - p < fixed) return -1;
  const protocol = u32(b, p);
  const frameLength = u32(b, p + 4);
  const stripped = hasStripped ? u32(b, p + 8) : 0;
  const len = u32(b, p + fixed - 4);
  const q = p + fixed;
  if (len > end - q) return -1;
  f.sampledHeader(b, q, q + len, protocol, frameLength, stripped);
  return Math.min(end, q + len + ((4 - (len & 3)) & 3));
}

/** Decoded IPv4 data: length, protocol, src, dst, src port, dst port, TCP flags, ToS (32 bytes). */
export function readSampledIpv4(b: Uint8Array, p: number, end: number, f: SampledFlow): number {
  if (end - p < 32) return -1;
  if (!f.recIp) {
    f.recIp = true;
    f.recLength = u32(b, p);
    f.recProto = u32(b, p + 4) & 0xff;
    f.r0 = f.r1 = f.d0 = f.d1 = 0;
    f.r2 = f.d2 = 0xffff;
    f.r3 = u32(b, p + 8);
    f.d3 = u32(b, p + 12);
    f.recSrcPort = u32(b, p + 16) & 0xffff;
    f.recDstPort = u32(b, p + 20) & 0xffff;
    f.recTcpFlags = u32(b, p + 24) & 0xff;
    f.recTos = u32(b, p + 28) & 0xff;
  }
  return p + 32;
}

/** Decoded IPv6 data: length, protocol, src, dst (16 bytes each), ports, TCP flags, priority (56 bytes). */
export function readSampledIpv6(b: Uint8Array, p: number, end: number, f: SampledFlow): number {
  if (end - p < 56) return -1;
  if (!f.recIp) {
    f.recIp = true;
    f.recLength = u32(b, p);
    f.recProto = u32(b, p + 4) & 0xff;
    f.r0 = u32(b, p + 8);
    f.r1 = u32(b, p + 12);
    f.r2 = u32(b, p + 16);
    f.r3 = u32(b, p + 20);
    f.d0 = u32(b, p + 24);
    f.d1 = u32(b, p + 28);
    f.d2 = u32(b, p + 32);
    f.d3 = u32(b, p + 36);
    f.recSrcPort = u32(b, p + 40) & 0xffff;
    f.recDstPort = u32(b, p + 44) & 0xffff;
    f.recTcpFlags = u32(b, p + 48) & 0xff;
    f.recTos = u32(b, p + 52) & 0xff;
  }
  return p + 56;
}

/** Ethernet frame data (v5 format 2): length, source and destination MAC (padded to 8), type (24 bytes). */
export function readSampledEthernet(b: Uint8Array, p: number, end: number, f: SampledFlow): number {
  if (end - p < 24) return -1;
  const mac = (o: number): number => ((b[o]! << 8) | b[o + 1]!) * 4294967296 + u32(b, o + 2);
  f.ethLength = u32(b, p);
  f.ethSrc = mac(p + 4);
  f.ethDst = mac(p + 12);
  return p + 24;
}

/** Extended switch: source VLAN, priority, destination VLAN, priority (16 bytes). */
export function readExtendedSwitch(b: Uint8Array, p: number, end: number, f: SampledFlow): number {
  if (end - p < 16) return -1;
  f.inVlan = u32(b, p);
  f.outVlan = u32(b, p + 8);
  return p + 16;
}

/** Extended router: next hop address, source and destination mask lengths (not kept). */
export function extendedRouterEnd(b: Uint8Array, p: number, end: number): number {
  const q = addressEnd(b, p, end);
  return q < 0 || end - q < 8 ? -1 : q + 8;
}

/**
 * Extended gateway. v5: next hop, AS, source AS, source peer AS, destination AS path as segments
 * (type, ASes<>), communities<>, local preference. v4: the same without the next hop. v2: the path is
 * a flat AS list and nothing follows it. `dstAs` is the last AS of the path (0 when it is empty).
 */
export function readExtendedGateway(b: Uint8Array, p: number, end: number, f: SampledFlow, version: number): number {
  let q = version >= 5 ? addressEnd(b, p, end) : p;
  if (q < 0 || end - q < 16) return -1;
  const srcAs = u32(b, q + 4);
  let dstAs = 0;
  const n = u32(b, q + 12);
  q += 16;
  if (version === 2) {
    if (n > (end - q) / 4) return -1;
    if (n > 0) dstAs = u32(b, q + (n - 1) * 4);
    q += n * 4;
  } else {
    if (n > (end - q) / 8) return -1;
    for (let s = 0; s < n; s++) {
      if (end - q < 8) return -1;
      const len = u32(b, q + 4);
      q += 8;
      if (len > (end - q) / 4) return -1;
      if (len > 0) dstAs = u32(b, q + (len - 1) * 4);
      q += len * 4;
    }
    if (end - q < 4) return -1;
    const communities = u32(b, q);
    q += 4;
    if (communities > (end - q) / 4 - 1) return -1;
    q += communities * 4 + 4;
  }
  f.srcAs = srcAs;
  f.dstAs = dstAs;
  return q;
}
