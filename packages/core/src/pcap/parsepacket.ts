// Parses a captured frame down to its transport layer: Ethernet (with 802.1Q / 802.1ad tags, MPLS, PPPoE),
// Linux cooked capture or raw IP; IPv4 / IPv6 (extension headers skipped); UDP and TCP. Enough to replay exports.

import { formatIp } from '../fields/ipcodec.js';
import { HeaderLayer, HeaderStatus, PacketHeaders, type HeaderLayerCode } from './packetheaders.js';

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

const headers = new PacketHeaders();

/**
 * The IP packet in a frame, or null when the frame is not IP (ARP, LLDP, ...) or is cut short: replay
 * needs whole packets (the IP length, the UDP or TCP header inside the captured bytes).
 */
export function parsePacket(frame: Uint8Array, linkType: number): IpPacket | null {
  let p: number;
  let layer: HeaderLayerCode;
  switch (linkType) {
    case LINKTYPE.ethernet:
      p = 0;
      layer = HeaderLayer.ethernet;
      break;
    case LINKTYPE.linuxSll: {
      if (frame.length < 16) return null;
      const etherType = u16(frame, 14);
      if (etherType !== 0x0800 && etherType !== 0x86dd) return null;
      p = 16;
      layer = etherType === 0x0800 ? HeaderLayer.ipv4 : HeaderLayer.ipv6;
      break;
    }
    case LINKTYPE.null: {
      if (frame.length < 4) return null;
      const family = frame[0] === 0 ? u32(frame, 0) : frame[0]! | (frame[1]! << 8);
      if (family === 2) layer = HeaderLayer.ipv4;
      else if (family === 24 || family === 28 || family === 30) layer = HeaderLayer.ipv6;
      else return null;
      p = 4;
      break;
    }
    case LINKTYPE.raw:
    case LINKTYPE.ipv4:
    case LINKTYPE.ipv6:
      if (frame.length < 1) return null;
      p = 0;
      layer = frame[0]! >> 4 === 6 ? HeaderLayer.ipv6 : HeaderLayer.ipv4;
      break;
    default:
      return null;
  }
  const h = headers;
  if (h.parse(frame, p, frame.length, layer) !== HeaderStatus.ip) return null;
  const ipEnd = h.ipOffset + h.ipLength;
  if (h.ipLength === 0 || ipEnd > frame.length || h.l4Offset < 0) return null;
  const base = {
    ipVersion: h.ipVersion as 4 | 6,
    src: formatIp(h.src0, h.src1, h.src2, h.src3),
    dst: formatIp(h.dst0, h.dst1, h.dst2, h.dst3),
    proto: h.proto,
    fragment: h.fragment,
  };
  if (h.fragment) return { ...base, srcPort: 0, dstPort: 0, payload: frame.subarray(h.l4Offset, ipEnd) };
  if (h.proto === 17) {
    if (!h.transportComplete) return null;
    return { ...base, srcPort: h.srcPort, dstPort: h.dstPort, payload: frame.subarray(h.payloadOffset, h.payloadEnd) };
  }
  if (h.proto === 6) {
    if (!h.transportComplete) return null;
    return {
      ...base,
      srcPort: h.srcPort,
      dstPort: h.dstPort,
      payload: frame.subarray(h.payloadOffset, ipEnd),
      tcp: { seq: h.tcpSeq, ack: h.tcpAck, flags: h.tcpFlags },
    };
  }
  return { ...base, srcPort: 0, dstPort: 0, payload: frame.subarray(h.l4Offset, ipEnd) };
}
