// sFlow v5 datagrams from FlowBatch rows, as a switch sampling 1 packet in N would send them: flow
// samples carrying a raw packet header (Ethernet, 802.1Q, MPLS, IPv4/IPv6, TCP/UDP/SCTP/ICMP).

import type { FlowBatch } from '../../decode/flowbatch.js';
import { isV4Words, parseIp } from '../../fields/ipcodec.js';
import { checkExportTime, checkRows, intOption } from './encoderchecks.js';
import { ExportEncoderError } from './exportencodererror.js';

export interface SflowV5EncoderOptions {
  /** Agent address of the datagram header (IPv4 or IPv6 text): the flows' exporter. Default 192.0.2.1. */
  readonly agentAddress?: string;
  /** Sub-agent id (the flows' srcId). Default 0. */
  readonly subAgentId?: number;
  /** Sampling rate N: one sample stands for N packets. Default 1. */
  readonly samplingRate?: number;
  /** Largest datagram (UDP payload) in bytes. Default 1400. */
  readonly maxDatagramBytes?: number;
  /** Most bytes of each sampled packet put in its header record (agents use 128). 96-1500, default 128. */
  readonly headerBytes?: number;
  /** Agent boot time, ms since the epoch (the header's uptime). Default: 20 days before the first export. */
  readonly bootTimeMs?: number;
  /** Sequence number of the first datagram. Default 0. */
  readonly sequence?: number;
}

/** What `encode` produced and what a collector that scales by the sampling rate will count from it. */
export interface SflowEncoding {
  readonly datagrams: Uint8Array[];
  /** Flow samples (one decoded row each). */
  readonly samples: number;
  /** samples × sampling rate. */
  readonly packets: number;
  /** Sampling rate × the IP lengths of the sampled packets, summed. */
  readonly bytes: number;
  /** Per row of [from, to): how many samples it became (0: none, the row is not in the stream). */
  readonly rowSamples: Uint32Array;
  /** Per row of [from, to): sampling rate × the IP lengths of its samples. */
  readonly rowBytes: Float64Array;
}

const ETHERNET = 14;
const VLAN_TAG = 4;
const MPLS_ENTRY = 4;
const FCS = 4;
const FLOW_SAMPLE = 1;
const EXPANDED_FLOW_SAMPLE = 3;
const RAW_HEADER = 1;
const EXT_SWITCH = 1001;
const EXT_GATEWAY = 1003;
/** Interfaces from this value on do not fit a compact flow sample (its top 2 bits are a format). */
const COMPACT_IF_LIMIT = 0x40000000;
/** Fixed part of a flow sample: compact 32 bytes, expanded 44 (tag and length not included). */
const COMPACT_FIXED = 32;
const EXPANDED_FIXED = 44;
/** Record sizes with their tag and length words: extended switch, extended gateway (IPv4 next hop, one AS segment). */
const SWITCH_RECORD = 8 + 16;
const GATEWAY_RECORD = 8 + 44;
const DEFAULT_UPTIME_MS = 20 * 86_400_000;

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

/** Length of the transport header the sampled packet carries for protocol `p`. */
function l4Bytes(p: number): number {
  return p === 6 ? 20 : p === 17 || p === 1 || p === 58 ? 8 : p === 132 ? 12 : 0;
}

/**
 * Encodes flow records as sFlow v5 flow samples. What a stream of samples means for a batch of flows:
 * sampling 1 packet in N, a flow of P packets and B bytes gives round(P / N) samples (none when P < N/2:
 * small flows can vanish, as with a real agent), each a packet of that flow whose IP lengths add up to
 * round(B × samples / P), split as evenly as whole bytes allow (never below the headers the packet
 * needs, nor above 65535). A collector scaling by N then counts samples × N packets and N × the
 * lengths bytes: exactly P and B when N = 1 (one sample per packet: only sensible for small flows),
 * close to them otherwise. `encode` returns those exact expected numbers, per row and in total.
 *
 * Every sample of a flow carries its addresses, ports (TCP, UDP, SCTP; ICMP type/code), protocol, ToS,
 * TCP flags, MACs, VLAN (802.1Q tag), top MPLS label, input/output interfaces; an extended switch
 * record when it has VLANs and an extended gateway record when it has ASes. sFlow has no flow times:
 * collectors stamp samples with their arrival time. Ports of other protocols are not carried.
 */
export class SflowV5Encoder {
  readonly agentAddress: string;
  readonly subAgentId: number;
  readonly samplingRate: number;
  readonly maxDatagramBytes: number;
  readonly headerBytes: number;
  private readonly agent: readonly number[];
  private readonly agentV6: boolean;
  private bootMs: number;
  private seq: number;
  private sampleSeq = 0;
  private pool = 0;
  private sent = 0;

  /** Throws ExportEncoderError (ERR_EXPORT_OPTION) for an invalid option. */
  constructor(options: SflowV5EncoderOptions = {}) {
    const who = 'SflowV5Encoder';
    this.agentAddress = options.agentAddress ?? '192.0.2.1';
    const words = typeof this.agentAddress === 'string' ? parseIp(this.agentAddress) : null;
    if (words === null) throw new ExportEncoderError('ERR_EXPORT_OPTION', `${who} option agentAddress must be an IPv4 or IPv6 address, got ${String(options.agentAddress)}`);
    this.agentV6 = !isV4Words(words[0], words[1], words[2]) || this.agentAddress.includes(':');
    this.agent = this.agentV6 ? words : [words[3]];
    this.subAgentId = intOption(who, 'subAgentId', options.subAgentId, 0, 0, 4294967295);
    this.samplingRate = intOption(who, 'samplingRate', options.samplingRate, 1, 1, 4294967295);
    this.headerBytes = intOption(who, 'headerBytes', options.headerBytes, 128, 96, 1500);
    this.maxDatagramBytes = intOption(who, 'maxDatagramBytes', options.maxDatagramBytes, 1400, 1, 65507);
    const least = this.headerSize() + 8 + EXPANDED_FIXED + 8 + 16 + this.headerBytes + pad4(this.headerBytes) + SWITCH_RECORD + GATEWAY_RECORD;
    if (this.maxDatagramBytes < least) {
      throw new ExportEncoderError('ERR_EXPORT_OPTION', `${who} option maxDatagramBytes must be at least ${least} (header and one sample of headerBytes ${this.headerBytes}), got ${this.maxDatagramBytes}`);
    }
    this.bootMs = options.bootTimeMs === undefined ? Number.NaN : intOption(who, 'bootTimeMs', options.bootTimeMs, 0, 0, Number.MAX_SAFE_INTEGER);
    this.seq = intOption(who, 'sequence', options.sequence, 0, 0, 4294967295);
  }

  /** Sequence number the next datagram will carry. */
  get sequence(): number {
    return this.seq;
  }

  /** Datagrams encoded so far. */
  get datagrams(): number {
    return this.sent;
  }

  /**
   * Rows [from, to) of `batch` as sFlow datagrams whose header uptime says `exportTimeMs`, samples in
   * row order. Throws ExportEncoderError for a bad range, or for a row a sampled packet cannot show (one
   * IPv4 and one IPv6 address, counters that are not whole numbers), before anything is encoded.
   */
  encode(batch: FlowBatch, from: number, to: number, exportTimeMs: number): SflowEncoding {
    const who = 'SflowV5Encoder.encode';
    checkRows(who, batch, from, to);
    checkExportTime(who, exportTimeMs);
    if (Number.isNaN(this.bootMs)) this.bootMs = Math.floor(exportTimeMs / 1000) * 1000 - DEFAULT_UPTIME_MS;
    const n = to - from;
    const rowSamples = new Uint32Array(n);
    const rowBytes = new Float64Array(n);
    const v6 = new Uint8Array(n);
    const R = this.samplingRate;
    for (let r = from; r < to; r++) {
      v6[r - from] = checkRow(batch, r, who) ? 1 : 0;
      const p = batch.packets[r]!;
      rowSamples[r - from] = p > 0 ? Math.round(p / R) : 0;
    }
    const datagrams: Uint8Array[] = [];
    const lengths: number[] = [];
    let samples = 0;
    let bytes = 0;
    // The datagram being filled: its samples, as (row, IP length) pairs, and its size so far.
    let pending: number[] = [];
    let size = this.headerSize();
    for (let r = from; r < to; r++) {
      const k = rowSamples[r - from]!;
      if (k === 0) continue;
      this.packetLengths(batch, r, v6[r - from] === 1, k, lengths);
      let sum = 0;
      for (const len of lengths) {
        const s = this.sampleSize(batch, r, len);
        if (size + s > this.maxDatagramBytes) {
          datagrams.push(this.datagram(batch, pending, v6, from, exportTimeMs));
          pending = [];
          size = this.headerSize();
        }
        pending.push(r, len);
        size += s;
        sum += len;
      }
      rowBytes[r - from] = sum * R;
      samples += k;
      bytes += sum * R;
    }
    if (pending.length > 0) datagrams.push(this.datagram(batch, pending, v6, from, exportTimeMs));
    return { datagrams, samples, packets: samples * R, bytes, rowSamples, rowBytes };
  }

  private headerSize(): number {
    return 28 + (this.agentV6 ? 12 : 0);
  }

  /** IP lengths of the `k` sampled packets of row `r` into `out`. */
  private packetLengths(b: FlowBatch, r: number, v6: boolean, k: number, out: number[]): void {
    const p = b.packets[r]!;
    const total = Math.round((b.bytes[r]! * k) / p);
    const least = (v6 ? 40 : 20) + l4Bytes(b.proto[r]!);
    const base = Math.floor(total / k);
    const extra = total - base * k;
    out.length = k;
    for (let j = 0; j < k; j++) out[j] = Math.min(65535, Math.max(least, base + (j < extra ? 1 : 0)));
  }

  /** Layer-2 bytes before the IP header of row `r`'s packets. */
  private l2Bytes(b: FlowBatch, r: number): number {
    return ETHERNET + (b.srcVlan[r]! > 0 ? VLAN_TAG : 0) + (b.mplsLabel[r]! > 0 ? MPLS_ENTRY : 0);
  }

  private headerLength(b: FlowBatch, r: number, ipLen: number): number {
    return Math.min(this.headerBytes, this.l2Bytes(b, r) + ipLen);
  }

  private expanded(b: FlowBatch, r: number): boolean {
    return b.inIf[r]! >= COMPACT_IF_LIMIT || b.outIf[r]! >= COMPACT_IF_LIMIT;
  }

  /** Bytes of one flow sample of row `r` with tag and length. */
  private sampleSize(b: FlowBatch, r: number, ipLen: number): number {
    const h = this.headerLength(b, r, ipLen);
    let s = 8 + (this.expanded(b, r) ? EXPANDED_FIXED : COMPACT_FIXED) + 8 + 16 + h + pad4(h);
    if (b.srcVlan[r]! > 0 || b.dstVlan[r]! > 0) s += SWITCH_RECORD;
    if (b.srcAs[r]! > 0 || b.dstAs[r]! > 0) s += GATEWAY_RECORD;
    return s;
  }

  private datagram(b: FlowBatch, pending: readonly number[], v6: Uint8Array, base: number, exportTimeMs: number): Uint8Array {
    let size = this.headerSize();
    for (let j = 0; j < pending.length; j += 2) size += this.sampleSize(b, pending[j]!, pending[j + 1]!);
    const w = new Writer(new Uint8Array(size));
    w.u32(5);
    w.u32(this.agentV6 ? 2 : 1);
    for (const word of this.agent) w.u32(word);
    w.u32(this.subAgentId);
    w.u32(this.seq);
    w.u32((((Math.floor(exportTimeMs / 1000) * 1000 - this.bootMs) % 4294967296) + 4294967296) % 4294967296);
    w.u32(pending.length / 2);
    for (let j = 0; j < pending.length; j += 2) this.sample(w, b, pending[j]!, pending[j + 1]!, v6[pending[j]! - base] === 1);
    this.seq = (this.seq + 1) % 4294967296;
    this.sent++;
    return w.bytes;
  }

  private sample(w: Writer, b: FlowBatch, r: number, ipLen: number, v6: boolean): void {
    const R = this.samplingRate;
    const expanded = this.expanded(b, r);
    const vlans = b.srcVlan[r]! > 0 || b.dstVlan[r]! > 0;
    const ases = b.srcAs[r]! > 0 || b.dstAs[r]! > 0;
    const hdr = this.headerLength(b, r, ipLen);
    this.sampleSeq = (this.sampleSeq + 1) % 4294967296;
    this.pool = (this.pool + R) % 4294967296;
    const inIf = b.inIf[r]!;
    const outIf = b.outIf[r]!;
    const records = 1 + (vlans ? 1 : 0) + (ases ? 1 : 0);
    w.u32(expanded ? EXPANDED_FLOW_SAMPLE : FLOW_SAMPLE);
    const lenAt = w.at;
    w.u32(0);
    const start = w.at;
    w.u32(this.sampleSeq);
    if (expanded) {
      w.u32(0);
      w.u32(inIf);
    } else {
      w.u32(inIf & 0xffffff);
    }
    w.u32(R);
    w.u32(this.pool);
    w.u32(0);
    if (expanded) {
      w.u32(0);
      w.u32(inIf);
      w.u32(0);
      w.u32(outIf);
    } else {
      w.u32(inIf);
      w.u32(outIf);
    }
    w.u32(records);
    // Raw packet header: Ethernet, stripped FCS.
    w.u32(RAW_HEADER);
    w.u32(16 + hdr + pad4(hdr));
    w.u32(1);
    w.u32(this.l2Bytes(b, r) + ipLen + FCS);
    w.u32(FCS);
    w.u32(hdr);
    const frameEnd = w.at + hdr;
    this.packet(w, b, r, ipLen, v6, frameEnd);
    w.at = frameEnd + pad4(hdr);
    if (vlans) {
      w.u32(EXT_SWITCH);
      w.u32(16);
      w.u32(b.srcVlan[r]!);
      w.u32(0);
      w.u32(b.dstVlan[r]!);
      w.u32(0);
    }
    if (ases) {
      const dstAs = b.dstAs[r]!;
      w.u32(EXT_GATEWAY);
      w.u32(dstAs > 0 ? 44 : 32);
      // Next hop 0.0.0.0, gateway AS and source peer AS unknown (0).
      w.u32(1);
      w.u32(0);
      w.u32(0);
      w.u32(b.srcAs[r]!);
      w.u32(0);
      if (dstAs > 0) {
        w.u32(1);
        w.u32(2);
        w.u32(1);
        w.u32(dstAs);
      } else {
        w.u32(0);
      }
      w.u32(0);
      w.u32(0);
    }
    putU32(w.bytes, lenAt, w.at - start);
  }

  /** The sampled packet's first bytes, up to `end`: headers, then zeros for its payload. */
  private packet(w: Writer, b: FlowBatch, r: number, ipLen: number, v6: boolean, end: number): void {
    const buf = w.bytes;
    const head = new Writer(buf, w.at, end);
    head.mac(b.dstMac[r]!);
    head.mac(b.srcMac[r]!);
    const vlan = b.srcVlan[r]!;
    if (vlan > 0) {
      head.u16(0x8100);
      head.u16(vlan & 0xfff);
    }
    const label = b.mplsLabel[r]!;
    head.u16(label > 0 ? 0x8847 : v6 ? 0x86dd : 0x0800);
    if (label > 0) head.u32(((label & 0xfffff) * 4096 + 0x100 + 64) >>> 0);
    const proto = b.proto[r]!;
    const tos = b.tos[r]!;
    const o = r * 4;
    const ipAt = head.at;
    if (v6) {
      head.u32((0x60000000 + tos * 1048576) >>> 0);
      head.u16(ipLen - 40);
      head.u8(proto);
      head.u8(64);
      for (let k = 0; k < 4; k++) head.u32(b.srcAddr[o + k]!);
      for (let k = 0; k < 4; k++) head.u32(b.dstAddr[o + k]!);
    } else {
      head.u8(0x45);
      head.u8(tos);
      head.u16(ipLen);
      head.u32(0x00004000);
      head.u8(64);
      head.u8(proto);
      head.u16(0);
      head.u32(b.srcAddr[o + 3]!);
      head.u32(b.dstAddr[o + 3]!);
      // headerBytes (96 or more) always holds the layer-2 and IP headers.
      putU16(buf, ipAt + 10, ipv4Checksum(buf, ipAt));
    }
    const sp = b.srcPort[r]!;
    const dp = b.dstPort[r]!;
    switch (proto) {
      case 6:
        head.u16(sp);
        head.u16(dp);
        head.u32(0);
        head.u32(0);
        head.u8(0x50);
        head.u8(b.tcpFlags[r]!);
        head.u16(65535);
        head.u32(0);
        return;
      case 17:
        head.u16(sp);
        head.u16(dp);
        head.u16(ipLen - (v6 ? 40 : 20));
        head.u16(0);
        return;
      case 132:
        head.u16(sp);
        head.u16(dp);
        head.u32(0);
        head.u32(0);
        return;
      case 1:
      case 58:
        head.u8(dp >>> 8);
        head.u8(dp & 0xff);
        head.u16(0);
        head.u32(0);
        return;
      default:
    }
  }
}

/** Whether row `r` is IPv6; throws for a row a sampled packet cannot show. */
function checkRow(b: FlowBatch, r: number, who: string): boolean {
  const o = r * 4;
  const s = b.srcAddr;
  const d = b.dstAddr;
  const src4 = isV4Words(s[o]!, s[o + 1]!, s[o + 2]!);
  const dst4 = isV4Words(d[o]!, d[o + 1]!, d[o + 2]!);
  if (src4 !== dst4) throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} has one IPv4 and one IPv6 address; a packet has one family`, r);
  const p = b.packets[r]!;
  const bytes = b.bytes[r]!;
  if (!Number.isSafeInteger(p) || p < 0 || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} has packets ${p} and bytes ${bytes}; counters must be whole numbers from 0 to 2^53`, r);
  }
  const proto = b.proto[r]!;
  if (!src4 && (proto === 0 || proto === 43 || proto === 44 || proto === 60)) {
    throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} is IPv6 with protocol ${proto}, an extension header number: a sampled packet cannot show it as the transport`, r);
  }
  return !src4;
}

function putU16(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v;
}

function putU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

function ipv4Checksum(b: Uint8Array, p: number): number {
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += (b[p + k]! << 8) | b[p + k + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Big-endian writes from `at`; writes past `end` are dropped (a header cut at headerBytes). */
class Writer {
  constructor(
    readonly bytes: Uint8Array,
    public at = 0,
    private readonly end = bytes.length,
  ) {}

  u8(v: number): void {
    if (this.at < this.end) this.bytes[this.at] = v;
    this.at++;
  }

  u16(v: number): void {
    this.u8(v >>> 8);
    this.u8(v);
  }

  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v);
  }

  mac(v: number): void {
    const hi = Math.floor(v / 4294967296);
    this.u16(hi);
    this.u32(v - hi * 4294967296);
  }
}
