// Reads the headers of one packet — Ethernet (802.1Q / 802.1ad tags, MPLS, PPPoE), IPv4, IPv6, TCP, UDP,
// SCTP, ICMP — into a reusable object. Packets cut short (sFlow sampled headers) give whatever they hold.

/** Where parsing starts: the first header in the bytes. */
export const HeaderLayer = { ethernet: 0, ipv4: 1, ipv6: 2, mpls: 3 } as const;
export type HeaderLayerCode = (typeof HeaderLayer)[keyof typeof HeaderLayer];

/** What a parse found. Only `ip` fills the layer-3 fields. */
export const HeaderStatus = {
  /** An IP header: addresses, protocol and ToS are set (transport fields as far as the bytes go). */
  ip: 0,
  /** Not IP: ARP, LLDP, ... or MPLS / PPPoE carrying something else. Layer-2 fields are set. */
  notIp: 1,
  /** The bytes end before the IP addresses. */
  truncated: 2,
  /** An IP header that cannot be right: version nibble not the expected one, IPv4 header length below 20. */
  malformed: 3,
} as const;
export type HeaderStatusCode = (typeof HeaderStatus)[keyof typeof HeaderStatus];

const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number): number => b[p]! * 16777216 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
const mac = (b: Uint8Array, p: number): number => u16(b, p) * 4294967296 + u32(b, p + 2);

/**
 * The headers of the last packet parsed. One instance is reused for every packet (no allocation per
 * packet): read the fields right after `parse`. Offsets are indexes into the parsed byte array.
 */
export class PacketHeaders {
  status: HeaderStatusCode = HeaderStatus.truncated;
  /** 48-bit MAC addresses as integers; 0 when there is no Ethernet header. */
  dstMac = 0;
  srcMac = 0;
  /** VLAN id of the outermost 802.1Q / 802.1ad tag, of the second tag (QinQ inner), and the tag count. */
  vlan = 0;
  innerVlan = 0;
  vlanTags = 0;
  /** Top MPLS label (20 bits) and the number of labels before the IP header. */
  mplsLabel = 0;
  mplsLabels = 0;
  /** Offset of the IP header; -1 when none was reached. */
  ipOffset = -1;
  ipVersion: 0 | 4 | 6 = 0;
  /** Addresses as four big-endian words, IPv4 mapped (::ffff:a.b.c.d). */
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** IPv4 ToS / IPv6 traffic class. */
  tos = 0;
  /** Length of the whole IP packet as its header declares it (IPv4 total length, IPv6 40 + payload length); 0 when the IPv4 total length is below the header length. */
  ipLength = 0;
  /** Any fragment (IPv4 MF or offset, IPv6 fragment header), and the fragment offset in 8-byte units. */
  fragment = false;
  fragmentOffset = 0;
  /** Transport protocol (after IPv6 extension headers). */
  proto = 0;
  /** Offset of the transport header; -1 when the IPv6 extension headers run past the bytes. */
  l4Offset = -1;
  /** TCP, UDP, SCTP ports (set when the bytes hold them: `hasPorts`). */
  srcPort = 0;
  dstPort = 0;
  hasPorts = false;
  /** TCP flags byte (CWR ... FIN), set when `hasTcpFlags`. */
  tcpFlags = 0;
  hasTcpFlags = false;
  tcpSeq = 0;
  tcpAck = 0;
  /** ICMP / ICMPv6 type and code, set when `hasIcmp`. */
  icmpType = 0;
  icmpCode = 0;
  hasIcmp = false;
  /** The whole transport header is inside the IP packet and the bytes (TCP: data offset valid; UDP: 8 bytes). */
  transportComplete = false;
  /** Transport payload: [payloadOffset, payloadEnd) (UDP: cut at the UDP length; others: to the IP packet end). */
  payloadOffset = -1;
  payloadEnd = -1;

  /** Parse `b[start, end)` starting with header `layer`; returns (and sets) `status`. */
  parse(b: Uint8Array, start: number, end: number, layer: HeaderLayerCode): HeaderStatusCode {
    this.reset();
    const stop = Math.min(end, b.length);
    switch (layer) {
      case HeaderLayer.ethernet:
        this.ethernet(b, start, stop);
        break;
      case HeaderLayer.ipv4:
        this.ip(b, start, stop, 4);
        break;
      case HeaderLayer.ipv6:
        this.ip(b, start, stop, 6);
        break;
      case HeaderLayer.mpls:
        this.mpls(b, start, stop);
        break;
    }
    return this.status;
  }

  private reset(): void {
    this.status = HeaderStatus.truncated;
    this.dstMac = this.srcMac = 0;
    this.vlan = this.innerVlan = this.vlanTags = 0;
    this.mplsLabel = this.mplsLabels = 0;
    this.ipOffset = -1;
    this.ipVersion = 0;
    this.src0 = this.src1 = this.src2 = this.src3 = 0;
    this.dst0 = this.dst1 = this.dst2 = this.dst3 = 0;
    this.tos = this.ipLength = 0;
    this.fragment = false;
    this.fragmentOffset = this.proto = 0;
    this.l4Offset = -1;
    this.srcPort = this.dstPort = this.tcpFlags = this.tcpSeq = this.tcpAck = this.icmpType = this.icmpCode = 0;
    this.hasPorts = this.hasTcpFlags = this.hasIcmp = this.transportComplete = false;
    this.payloadOffset = this.payloadEnd = -1;
  }

  private ethernet(b: Uint8Array, p: number, end: number): void {
    if (end - p < 14) return;
    this.dstMac = mac(b, p);
    this.srcMac = mac(b, p + 6);
    let type = u16(b, p + 12);
    let q = p + 14;
    while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
      if (end - q < 4) return;
      const vid = u16(b, q) & 0xfff;
      if (this.vlanTags === 0) this.vlan = vid;
      else if (this.vlanTags === 1) this.innerVlan = vid;
      this.vlanTags++;
      type = u16(b, q + 2);
      q += 4;
    }
    this.etherType(b, q, end, type);
  }

  private etherType(b: Uint8Array, p: number, end: number, type: number): void {
    switch (type) {
      case 0x0800:
        this.ip(b, p, end, 4);
        return;
      case 0x86dd:
        this.ip(b, p, end, 6);
        return;
      case 0x8847:
      case 0x8848:
        this.mpls(b, p, end);
        return;
      case 0x8864: {
        // PPPoE session: 6-byte header, then the 2-byte PPP protocol.
        if (end - p < 8) return;
        const ppp = u16(b, p + 6);
        if (ppp === 0x0021) this.ip(b, p + 8, end, 4);
        else if (ppp === 0x0057) this.ip(b, p + 8, end, 6);
        else this.status = HeaderStatus.notIp;
        return;
      }
      default:
        this.status = HeaderStatus.notIp;
    }
  }

  private mpls(b: Uint8Array, p: number, end: number): void {
    let q = p;
    for (;;) {
      if (end - q < 4) return;
      const entry = u32(b, q);
      if (this.mplsLabels === 0) this.mplsLabel = Math.floor(entry / 4096);
      this.mplsLabels++;
      q += 4;
      if ((entry & 0x100) !== 0) break;
    }
    // MPLS does not say what it carries: an IP version nibble is the usual guess (a pseudowire
    // control word starts with 0 and is taken as not IP).
    if (end - q < 1) return;
    const v = b[q]! >> 4;
    if (v === 4) this.ip(b, q, end, 4);
    else if (v === 6) this.ip(b, q, end, 6);
    else this.status = HeaderStatus.notIp;
  }

  private ip(b: Uint8Array, p: number, end: number, v: 4 | 6): void {
    if (end - p < 1) return;
    if (b[p]! >> 4 !== v) {
      this.status = HeaderStatus.malformed;
      return;
    }
    if (v === 4) this.ipv4(b, p, end);
    else this.ipv6(b, p, end);
  }

  private ipv4(b: Uint8Array, p: number, end: number): void {
    if (end - p < 20) return;
    const ihl = (b[p]! & 15) * 4;
    if (ihl < 20) {
      this.status = HeaderStatus.malformed;
      return;
    }
    const total = u16(b, p + 2);
    const frag = u16(b, p + 6);
    this.status = HeaderStatus.ip;
    this.ipOffset = p;
    this.ipVersion = 4;
    this.tos = b[p + 1]!;
    this.ipLength = total >= ihl ? total : 0;
    this.fragment = (frag & 0x3fff) !== 0;
    this.fragmentOffset = frag & 0x1fff;
    this.proto = b[p + 9]!;
    this.src2 = this.dst2 = 0xffff;
    this.src3 = u32(b, p + 12);
    this.dst3 = u32(b, p + 16);
    const limit = this.ipLength > 0 ? Math.min(end, p + total) : end;
    if (p + ihl <= limit) this.transport(b, p + ihl, limit);
  }

  private ipv6(b: Uint8Array, p: number, end: number): void {
    if (end - p < 40) return;
    this.status = HeaderStatus.ip;
    this.ipOffset = p;
    this.ipVersion = 6;
    this.tos = ((b[p]! & 15) << 4) | (b[p + 1]! >> 4);
    this.ipLength = 40 + u16(b, p + 4);
    this.src0 = u32(b, p + 8);
    this.src1 = u32(b, p + 12);
    this.src2 = u32(b, p + 16);
    this.src3 = u32(b, p + 20);
    this.dst0 = u32(b, p + 24);
    this.dst1 = u32(b, p + 28);
    this.dst2 = u32(b, p + 32);
    this.dst3 = u32(b, p + 36);
    const limit = Math.min(end, p + this.ipLength);
    let next = b[p + 6]!;
    let q = p + 40;
    // Hop-by-hop, routing, fragment and destination-options headers. AH (51) is left as the
    // protocol, as IPv4 reports it.
    while (next === 0 || next === 43 || next === 44 || next === 60) {
      if (limit - q < 8) {
        this.proto = next;
        return;
      }
      if (next === 44) {
        const fo = u16(b, q + 2);
        this.fragment = this.fragment || (fo & 0xfff9) !== 0;
        this.fragmentOffset = fo >> 3;
        next = b[q]!;
        q += 8;
      } else {
        next = b[q]!;
        q += (b[q + 1]! + 1) * 8;
      }
    }
    this.proto = next;
    if (q <= limit) this.transport(b, q, limit);
  }

  private transport(b: Uint8Array, p: number, limit: number): void {
    this.l4Offset = p;
    this.payloadOffset = p;
    this.payloadEnd = limit;
    // Only the first fragment carries the transport header.
    if (this.fragmentOffset !== 0) return;
    const avail = limit - p;
    switch (this.proto) {
      case 6:
        if (avail >= 4) this.ports(b, p);
        if (avail >= 14) {
          this.tcpFlags = b[p + 13]!;
          this.hasTcpFlags = true;
        }
        if (avail >= 20) {
          this.tcpSeq = u32(b, p + 4);
          this.tcpAck = u32(b, p + 8);
          const off = (b[p + 12]! >> 4) * 4;
          if (off >= 20 && off <= avail) {
            this.transportComplete = true;
            this.payloadOffset = p + off;
          }
        }
        return;
      case 17:
        if (avail >= 4) this.ports(b, p);
        if (avail >= 8) {
          const ulen = u16(b, p + 4);
          this.transportComplete = true;
          this.payloadOffset = p + 8;
          this.payloadEnd = ulen >= 8 && p + ulen <= limit ? p + ulen : limit;
        }
        return;
      case 132:
        if (avail >= 4) this.ports(b, p);
        if (avail >= 12) {
          this.transportComplete = true;
          this.payloadOffset = p + 12;
        }
        return;
      case 1:
      case 58:
        if (avail >= 2) {
          this.icmpType = b[p]!;
          this.icmpCode = b[p + 1]!;
          this.hasIcmp = true;
        }
        this.transportComplete = avail >= 4;
        return;
      default:
        return;
    }
  }

  private ports(b: Uint8Array, p: number): void {
    this.srcPort = u16(b, p);
    this.dstPort = u16(b, p + 2);
    this.hasPorts = true;
  }
}
