// The shared decoder of the fixed-layout NetFlow versions (v1, v5, v7): a header with sysUptime and
// Unix time, then `count` records of one fixed size. Pure: bytes in, FlowBatch rows out.

import { u16, u32 } from '../bytes.js';
import type { CounterName } from '../counters.js';
import type { FlowBatch } from '../flowbatch.js';

export interface FixedLayout {
  readonly version: 1 | 5 | 7;
  readonly headerSize: number;
  readonly recordSize: number;
  /** Offsets inside a record that differ between versions. */
  readonly tcpFlagsAt: number;
  readonly protoAt: number;
  readonly tosAt: number;
  /** Offset of src_as (dst_as follows), or -1 when the version has no AS fields. */
  readonly asAt: number;
  /** Header offset of engine_type/engine_id (the srcId column), or -1. */
  readonly engineAt: number;
  /** Header offset of the 16-bit sampling field (2 bits mode, 14 bits interval), or -1. */
  readonly samplingAt: number;
}

/**
 * Export time of a v1/v5/v7 header (at least 16 bytes), µs since the epoch by the exporter's clock. A
 * nanosecond field out of range is ignored (seen from broken exporters).
 */
export function fixedExportUs(b: Uint8Array): number {
  const nsecs = u32(b, 12);
  return u32(b, 8) * 1e6 + (nsecs < 1e9 ? Math.floor(nsecs / 1000) : 0);
}

/**
 * Decode one export packet. Returns the number of rows appended, or the drop reason when the packet
 * is shorter than its header or than `count` records (nothing is appended then).
 * `overrideRate` > 0 replaces the header's sampling interval (origin config).
 */
export function decodeFixedFormat(
  layout: FixedLayout,
  b: Uint8Array,
  exporter: readonly number[],
  out: FlowBatch,
  overrideRate: number,
): number | CounterName {
  const H = layout.headerSize;
  const R = layout.recordSize;
  if (b.length < H) return 'truncated';
  const count = u16(b, 2);
  if (H + count * R > b.length) return 'truncated';
  const uptime = u32(b, 4);
  const exportUs = fixedExportUs(b);
  const srcId = layout.engineAt >= 0 ? u16(b, layout.engineAt) : 0;
  let rate = 1;
  let origin = 0;
  if (overrideRate > 0) {
    rate = overrideRate;
    origin = 4;
  } else if (layout.samplingAt >= 0) {
    const interval = u16(b, layout.samplingAt) & 0x3fff;
    if (interval > 0) {
      rate = interval;
      origin = 1;
    }
  }
  out.reserve(count);
  const e0 = exporter[0]!;
  const e1 = exporter[1]!;
  const e2 = exporter[2]!;
  const e3 = exporter[3]!;
  const { tcpFlagsAt, protoAt, tosAt, asAt } = layout;
  const expv = layout.version;
  const { exporter: cExp, srcId: cSrcId, expv: cExpv, srcAddr, dstAddr, srcPort, dstPort, proto, tos, tcpFlags } = out;
  const { inIf, outIf, packets, bytes, start, end, srcAs, dstAs, samplingRate, samplingOrigin } = out;
  let r = out.length;
  for (let i = 0; i < count; i++) {
    const p = H + i * R;
    const r4 = r * 4;
    cExp[r4] = e0;
    cExp[r4 + 1] = e1;
    cExp[r4 + 2] = e2;
    cExp[r4 + 3] = e3;
    cSrcId[r] = srcId;
    cExpv[r] = expv;
    srcAddr[r4 + 2] = 0xffff;
    srcAddr[r4 + 3] = u32(b, p);
    dstAddr[r4 + 2] = 0xffff;
    dstAddr[r4 + 3] = u32(b, p + 4);
    inIf[r] = u16(b, p + 12);
    outIf[r] = u16(b, p + 14);
    packets[r] = u32(b, p + 16) * rate;
    bytes[r] = u32(b, p + 20) * rate;
    // First/Last are sysUptime at the flow's first/last packet; the signed 32-bit difference
    // to the header's sysUptime stays right across the 49.7-day uptime wrap.
    start[r] = exportUs - ((uptime - u32(b, p + 24)) | 0) * 1000;
    end[r] = exportUs - ((uptime - u32(b, p + 28)) | 0) * 1000;
    srcPort[r] = u16(b, p + 32);
    dstPort[r] = u16(b, p + 34);
    tcpFlags[r] = b[p + tcpFlagsAt]!;
    proto[r] = b[p + protoAt]!;
    tos[r] = b[p + tosAt]!;
    if (asAt >= 0) {
      srcAs[r] = u16(b, p + asAt);
      dstAs[r] = u16(b, p + asAt + 2);
    }
    samplingRate[r] = rate;
    samplingOrigin[r] = origin;
    r++;
  }
  out.length = r;
  return count;
}
