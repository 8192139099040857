// What one sFlow flow sample says, gathered record by record (raw packet header, decoded IPv4/IPv6,
// Ethernet, extended switch and gateway) and then written as one FlowBatch row scaled by the sampling rate.

import { HeaderLayer, HeaderStatus, PacketHeaders, type HeaderLayerCode, type HeaderStatusCode } from '../../pcap/index.js';
import { SamplingOrigin, type FlowBatch } from '../flowbatch.js';
import type { RowColumns } from './rowcolumns.js';

/** sFlow header_protocol values the decoder parses (others are counted as not IP). */
export const HeaderProtocol = { ethernet: 1, ipv4: 11, ipv6: 12, mpls: 13 } as const;

/** Why a sample gave no row. */
export type NoRowReason = 'samples_not_ip' | 'bad_packet_header';

/** The datagram-level values a row needs. */
export interface RowContext {
  readonly e0: number;
  readonly e1: number;
  readonly e2: number;
  readonly e3: number;
  readonly srcId: number;
  readonly expv: number;
  readonly nowUs: number;
  /** Configured rate that replaces the sample's (0: none). */
  readonly overrideRate: number;
}

const LOCAL_INTERFACE = 0x3fffffff;

/**
 * One instance is reused for every sample: `reset`, feed records, `write`. The raw header wins over the
 * decoded IPv4/IPv6 records (it is the packet itself); those fill in when no header gave an IP packet.
 */
export class SampledFlow {
  readonly headers = new PacketHeaders();
  rate = 0;
  inIf = 0;
  outIf = 0;
  /** Raw packet header: seen, parsed (`headers` then describe it), parse status, values for the byte count fallback. */
  headerSeen = false;
  headerParsed = false;
  headerStatus: HeaderStatusCode = HeaderStatus.notIp;
  frameLength = 0;
  stripped = 0;
  l2Length = 0;
  /** Decoded IPv4 / IPv6 record (format 3 / 4, v2/v4 packet types 2 / 3). */
  recIp = false;
  r0 = 0;
  r1 = 0;
  r2 = 0;
  r3 = 0;
  d0 = 0;
  d1 = 0;
  d2 = 0;
  d3 = 0;
  recLength = 0;
  recProto = 0;
  recSrcPort = 0;
  recDstPort = 0;
  recTcpFlags = 0;
  recTos = 0;
  /** Ethernet frame data record (format 2). */
  ethLength = -1;
  ethSrc = 0;
  ethDst = 0;
  /** Extended switch VLANs (-1: none given). */
  inVlan = -1;
  outVlan = -1;
  srcAs = 0;
  dstAs = 0;

  reset(rate: number, inIf: number, outIf: number): void {
    this.rate = rate;
    this.inIf = inIf === LOCAL_INTERFACE ? 0 : inIf;
    this.outIf = outIf === LOCAL_INTERFACE ? 0 : outIf;
    this.headerSeen = this.headerParsed = false;
    this.headerStatus = HeaderStatus.notIp;
    this.frameLength = this.stripped = this.l2Length = 0;
    this.recIp = false;
    this.ethLength = this.inVlan = this.outVlan = -1;
    this.srcAs = this.dstAs = 0;
  }

  /** A raw packet header record: `b[p, end)` holds the sampled bytes. The first header giving IP is kept. */
  sampledHeader(b: Uint8Array, p: number, end: number, protocol: number, frameLength: number, stripped: number): void {
    if (this.headerSeen && this.headerStatus === HeaderStatus.ip) return;
    this.headerSeen = true;
    const layer = layerOf(protocol);
    if (layer === null) {
      this.headerParsed = false;
      this.headerStatus = HeaderStatus.notIp;
      return;
    }
    this.headerParsed = true;
    const h = this.headers;
    this.headerStatus = h.parse(b, p, end, layer);
    this.frameLength = frameLength;
    this.stripped = stripped;
    this.l2Length = h.ipOffset >= 0 ? h.ipOffset - p : 0;
  }

  /** Write the row into `out` (through `cols`); returns null, or why the sample gives none. */
  write(out: FlowBatch, cols: RowColumns, ctx: RowContext): NoRowReason | null {
    const h = this.headers;
    const fromHeader = this.headerParsed && this.headerStatus === HeaderStatus.ip;
    if (!fromHeader && !this.recIp) {
      return this.headerSeen && (this.headerStatus === HeaderStatus.truncated || this.headerStatus === HeaderStatus.malformed)
        ? 'bad_packet_header'
        : 'samples_not_ip';
    }
    let rate = ctx.overrideRate > 0 ? ctx.overrideRate : this.rate;
    const origin = ctx.overrideRate > 0 ? SamplingOrigin.config : rate > 0 ? SamplingOrigin.header : SamplingOrigin.none;
    if (rate === 0) rate = 1;
    const i = cols.addRow(out);
    const o = i * 4;
    ip(cols.exporter, o, ctx.e0, ctx.e1, ctx.e2, ctx.e3);
    cols.srcId[i] = ctx.srcId;
    cols.expv[i] = ctx.expv;
    let bytes: number;
    if (fromHeader) {
      ip(cols.srcAddr, o, h.src0, h.src1, h.src2, h.src3);
      ip(cols.dstAddr, o, h.dst0, h.dst1, h.dst2, h.dst3);
      cols.proto[i] = h.proto;
      cols.tos[i] = h.tos;
      if (h.hasPorts) {
        cols.srcPort[i] = h.srcPort;
        cols.dstPort[i] = h.dstPort;
      } else if (h.hasIcmp) {
        cols.dstPort[i] = h.icmpType * 256 + h.icmpCode;
      }
      if (h.hasTcpFlags) cols.tcpFlags[i] = h.tcpFlags;
      bytes = h.ipLength > 0 ? h.ipLength : this.frameLength - this.stripped - this.l2Length;
    } else {
      ip(cols.srcAddr, o, this.r0, this.r1, this.r2, this.r3);
      ip(cols.dstAddr, o, this.d0, this.d1, this.d2, this.d3);
      cols.proto[i] = this.recProto;
      cols.tos[i] = this.recTos;
      cols.srcPort[i] = this.recSrcPort;
      cols.dstPort[i] = this.recDstPort;
      cols.tcpFlags[i] = this.recTcpFlags;
      bytes = this.recLength;
    }
    // No length in the IP header or record: the Ethernet frame data record's length less the
    // Ethernet header and FCS it includes.
    if (bytes <= 0 && this.ethLength > 18) bytes = this.ethLength - 18;
    if (bytes < 0) bytes = 0;
    cols.packets[i] = rate;
    cols.bytes[i] = bytes * rate;
    cols.start[i] = ctx.nowUs;
    cols.end[i] = ctx.nowUs;
    cols.inIf[i] = this.inIf;
    cols.outIf[i] = this.outIf;
    const headerL2 = this.headerParsed && h.dstMac + h.srcMac > 0;
    cols.srcMac[i] = headerL2 ? h.srcMac : this.ethLength >= 0 ? this.ethSrc : 0;
    cols.dstMac[i] = headerL2 ? h.dstMac : this.ethLength >= 0 ? this.ethDst : 0;
    cols.srcVlan[i] = this.inVlan > 0 && this.inVlan < 4096 ? this.inVlan : this.headerParsed ? h.vlan : 0;
    cols.dstVlan[i] = this.outVlan > 0 && this.outVlan < 4096 ? this.outVlan : 0;
    if (this.headerParsed) cols.mplsLabel[i] = h.mplsLabel;
    cols.srcAs[i] = this.srcAs;
    cols.dstAs[i] = this.dstAs;
    cols.samplingRate[i] = rate;
    cols.samplingOrigin[i] = origin;
    return null;
  }
}

function layerOf(protocol: number): HeaderLayerCode | null {
  switch (protocol) {
    case HeaderProtocol.ethernet:
      return HeaderLayer.ethernet;
    case HeaderProtocol.ipv4:
      return HeaderLayer.ipv4;
    case HeaderProtocol.ipv6:
      return HeaderLayer.ipv6;
    case HeaderProtocol.mpls:
      return HeaderLayer.mpls;
    default:
      return null;
  }
}

function ip(col: Uint32Array, o: number, w0: number, w1: number, w2: number, w3: number): void {
  col[o] = w0;
  col[o + 1] = w1;
  col[o + 2] = w2;
  col[o + 3] = w3;
}
