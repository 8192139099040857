// The data record layout the NetFlow v9 and IPFIX encoders share (one table gives both the template
// and the bytes of each record, so they cannot disagree) and the writer that puts FlowBatch rows in it.

import type { FlowBatch } from '../../decode/flowbatch.js';
import { isV4Words } from '../../fields/ipcodec.js';
import { ExportEncoderError } from './exportencodererror.js';

/** How flow start / end are written: v9 flowStart/EndSysUpTime (22/21, 4 bytes) or IPFIX flowStart/EndMilliseconds (152/153, 8 bytes). */
export type FlowTimeEncoding = 'sysUptime' | 'milliseconds';

/** One field of a data template: information element (v9 field type) and length in bytes. */
export interface ExportTemplateField {
  readonly ie: number;
  readonly length: number;
}

type Put = (w: FlowRecordWriter, b: FlowBatch, r: number) => void;

interface FieldDef {
  /** Element for IPv4 and IPv6 records (they differ for addresses only). */
  readonly ie4: number;
  readonly ie6: number;
  readonly len4: number;
  readonly len6: number;
  readonly put: Put;
}

const F = (ie: number, len: number, put: Put): FieldDef => ({ ie4: ie, ie6: ie, len4: len, len6: len, put });
const A = (ie4: number, ie6: number, put: Put): FieldDef => ({ ie4, ie6, len4: 4, len6: 16, put });

/**
 * Every field the decoder maps to a FlowBatch column that a plain (non-NSEL) exporter would send.
 * Counters are 8 bytes (sessions reach 64 GiB); interfaces and ASes 4. Times come last but one
 * group: their element and length depend on the encoding, see `timeField`.
 */
const FIELDS: readonly FieldDef[] = [
  A(8, 27, (w, b, r) => w.addr(b.srcAddr, r)),
  A(12, 28, (w, b, r) => w.addr(b.dstAddr, r)),
  F(7, 2, (w, b, r) => w.u16(b.srcPort[r]!)),
  F(11, 2, (w, b, r) => w.u16(b.dstPort[r]!)),
  F(4, 1, (w, b, r) => w.u8(b.proto[r]!)),
  F(5, 1, (w, b, r) => w.u8(b.tos[r]!)),
  F(6, 1, (w, b, r) => w.u8(b.tcpFlags[r]!)),
  F(10, 4, (w, b, r) => w.u32(b.inIf[r]!)),
  F(14, 4, (w, b, r) => w.u32(b.outIf[r]!)),
  F(2, 8, (w, b, r) => w.u64(b.packets[r]!)),
  F(1, 8, (w, b, r) => w.u64(b.bytes[r]!)),
  F(-1, 0, (w, b, r) => w.time(b.start[r]!)),
  F(-2, 0, (w, b, r) => w.time(b.end[r]!)),
  F(16, 4, (w, b, r) => w.u32(b.srcAs[r]!)),
  F(17, 4, (w, b, r) => w.u32(b.dstAs[r]!)),
  F(58, 2, (w, b, r) => w.u16(b.srcVlan[r]!)),
  F(59, 2, (w, b, r) => w.u16(b.dstVlan[r]!)),
  F(56, 6, (w, b, r) => w.mac(b.srcMac[r]!)),
  F(80, 6, (w, b, r) => w.mac(b.dstMac[r]!)),
  F(70, 3, (w, b, r) => w.mpls(b.mplsLabel[r]!)),
  A(225, 281, (w, b, r) => w.addr(b.xlateSrcAddr, r)),
  A(226, 282, (w, b, r) => w.addr(b.xlateDstAddr, r)),
  F(227, 2, (w, b, r) => w.u16(b.xlateSrcPort[r]!)),
  F(228, 2, (w, b, r) => w.u16(b.xlateDstPort[r]!)),
  F(233, 1, (w, b, r) => w.u8(b.fwEvent[r]!)),
];

/** Placeholders -1 / -2 in FIELDS: flow start and end. */
function timeField(placeholder: number, time: FlowTimeEncoding): ExportTemplateField {
  if (time === 'sysUptime') return { ie: placeholder === -1 ? 22 : 21, length: 4 };
  return { ie: placeholder === -1 ? 152 : 153, length: 8 };
}

/** The data template fields for IPv4 or IPv6 records with the given time encoding. */
export function flowTemplateFields(ipv6: boolean, time: FlowTimeEncoding): ExportTemplateField[] {
  return FIELDS.map((f) => (f.ie4 < 0 ? timeField(f.ie4, time) : { ie: ipv6 ? f.ie6 : f.ie4, length: ipv6 ? f.len6 : f.len4 }));
}

/** Bytes of one data record of that template. */
export function flowRecordBytes(ipv6: boolean, time: FlowTimeEncoding): number {
  return flowTemplateFields(ipv6, time).reduce((n, f) => n + f.length, 0);
}

const TWO32 = 4294967296;

function v4OrZero(col: Uint32Array, o: number): boolean {
  const w0 = col[o]!, w1 = col[o + 1]!, w2 = col[o + 2]!;
  return isV4Words(w0, w1, w2) || (w0 === 0 && w1 === 0 && w2 === 0 && col[o + 3] === 0);
}

function checkCounter(v: number, name: string, who: string, r: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} has ${name} ${v}; counters must be whole numbers from 0 to 2^53`, r);
}

/**
 * Writes data records into a datagram buffer. Set `bytes`/`at` for each datagram, `bootMs` (sysUptime)
 * and `exportSecMs` before writing; `checkRow` tells the family of a row or throws for a row the
 * template cannot carry.
 */
export class FlowRecordWriter {
  bytes = new Uint8Array(0);
  at = 0;
  /** Exporter boot time, ms since the epoch: sysUptime-relative times count from it. */
  bootMs = 0;
  /** The export header's time (whole seconds, in ms): sysUptime-relative times must stay within ±2^31 ms of it. */
  exportSecMs = 0;
  private v6 = false;
  private readonly encoding: FlowTimeEncoding;

  constructor(encoding: FlowTimeEncoding) {
    this.encoding = encoding;
  }

  /** Whether row `r` is IPv6 (false: IPv4); throws ExportEncoderError for a row no template can carry. */
  checkRow(b: FlowBatch, r: number, who: string): boolean {
    const o = r * 4;
    const s = b.srcAddr;
    const d = b.dstAddr;
    const src4 = isV4Words(s[o]!, s[o + 1]!, s[o + 2]!);
    const dst4 = isV4Words(d[o]!, d[o + 1]!, d[o + 2]!);
    if (src4 !== dst4) throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} has one IPv4 and one IPv6 address; a flow record holds one family`, r);
    const v6 = !src4;
    if (!v6 && (!v4OrZero(b.xlateSrcAddr, o) || !v4OrZero(b.xlateDstAddr, o))) {
      throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} is IPv4 but has an IPv6 NAT address; the IPv4 template carries IPv4 NAT addresses only`, r);
    }
    checkCounter(b.packets[r]!, 'packets', who, r);
    checkCounter(b.bytes[r]!, 'bytes', who, r);
    this.checkTime(b.start[r]!, 'start', who, r);
    this.checkTime(b.end[r]!, 'end', who, r);
    return v6;
  }

  private checkTime(us: number, name: string, who: string, r: number): void {
    if (!Number.isFinite(us) || us < 0) throw new ExportEncoderError('ERR_EXPORT_FLOW', `${who}: row ${r} has ${name} ${us}; times must be µs since the epoch`, r);
    if (this.encoding !== 'sysUptime') return;
    const ahead = this.exportSecMs - Math.floor(us / 1000);
    if (ahead >= 2 ** 31 || ahead < -(2 ** 31)) {
      throw new ExportEncoderError(
        'ERR_EXPORT_FLOW',
        `${who}: row ${r} ${name} is ${(ahead / 86_400_000).toFixed(1)} days from the export time; sysUptime-relative times reach at most 24.8 days either way (export the rows in time order, with an export time near them)`,
        r,
      );
    }
  }

  /** Write row `r` (checked by checkRow, which gave `v6`) at `at`; advances `at`. */
  write(b: FlowBatch, r: number, v6: boolean): void {
    this.v6 = v6;
    for (const f of FIELDS) f.put(this, b, r);
  }

  u8(v: number): void {
    this.bytes[this.at++] = v;
  }

  u16(v: number): void {
    const a = this.bytes;
    const p = this.at;
    a[p] = v >>> 8;
    a[p + 1] = v;
    this.at = p + 2;
  }

  u32(v: number): void {
    const a = this.bytes;
    const p = this.at;
    a[p] = v >>> 24;
    a[p + 1] = v >>> 16;
    a[p + 2] = v >>> 8;
    a[p + 3] = v;
    this.at = p + 4;
  }

  /** A whole number below 2^53 in 8 bytes. */
  u64(v: number): void {
    const hi = Math.floor(v / TWO32);
    this.u32(hi);
    this.u32(v - hi * TWO32);
  }

  mac(v: number): void {
    const hi = Math.floor(v / TWO32);
    this.u16(hi);
    this.u32(v - hi * TWO32);
  }

  /** An MPLS label stack entry: label, no traffic class, bottom of stack. */
  mpls(label: number): void {
    const a = this.bytes;
    const p = this.at;
    const e = label * 16 + 1;
    a[p] = e >>> 16;
    a[p + 1] = e >>> 8;
    a[p + 2] = e;
    this.at = p + 3;
  }

  addr(col: Uint32Array, r: number): void {
    const o = r * 4;
    if (this.v6) {
      this.u32(col[o]!);
      this.u32(col[o + 1]!);
      this.u32(col[o + 2]!);
      this.u32(col[o + 3]!);
    } else {
      this.u32(col[o + 3]!);
    }
  }

  /** µs since the epoch as the template's time field (kept to the millisecond). */
  time(us: number): void {
    const ms = Math.floor(us / 1000);
    if (this.encoding === 'milliseconds') this.u64(ms);
    else this.u32((((ms - this.bootMs) % TWO32) + TWO32) % TWO32);
  }
}
