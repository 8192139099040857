// The FlowBatch column arrays the sFlow row writer stores into, re-read only when the batch may have
// grown: reading them from the batch for every row costs a property lookup per column per row.

import type { FlowBatch } from '../flowbatch.js';

export class RowColumns {
  private batch: FlowBatch | null = null;
  /** Row index from which the arrays must be re-read (the batch's capacity when they were read). */
  private limit = 0;
  exporter: Uint32Array = new Uint32Array(0);
  srcId: Uint32Array = new Uint32Array(0);
  expv: Uint8Array = new Uint8Array(0);
  srcAddr: Uint32Array = new Uint32Array(0);
  dstAddr: Uint32Array = new Uint32Array(0);
  srcPort: Uint16Array = new Uint16Array(0);
  dstPort: Uint16Array = new Uint16Array(0);
  proto: Uint8Array = new Uint8Array(0);
  packets: Float64Array = new Float64Array(0);
  bytes: Float64Array = new Float64Array(0);
  start: Float64Array = new Float64Array(0);
  end: Float64Array = new Float64Array(0);
  tcpFlags: Uint8Array = new Uint8Array(0);
  tos: Uint8Array = new Uint8Array(0);
  inIf: Uint32Array = new Uint32Array(0);
  outIf: Uint32Array = new Uint32Array(0);
  srcVlan: Uint16Array = new Uint16Array(0);
  dstVlan: Uint16Array = new Uint16Array(0);
  srcAs: Uint32Array = new Uint32Array(0);
  dstAs: Uint32Array = new Uint32Array(0);
  srcMac: Float64Array = new Float64Array(0);
  dstMac: Float64Array = new Float64Array(0);
  mplsLabel: Uint32Array = new Uint32Array(0);
  samplingRate: Uint32Array = new Uint32Array(0);
  samplingOrigin: Uint8Array = new Uint8Array(0);

  /** Append a zeroed row to `out` and return its index, with the arrays here current for it. */
  addRow(out: FlowBatch): number {
    const i = out.addRow();
    if (out !== this.batch || i >= this.limit) this.read(out);
    return i;
  }

  /** Forget the arrays (call when a batch may have been grown by someone else). */
  invalidate(): void {
    this.batch = null;
  }

  private read(out: FlowBatch): void {
    this.batch = out;
    this.limit = out.capacity;
    this.exporter = out.exporter;
    this.srcId = out.srcId;
    this.expv = out.expv;
    this.srcAddr = out.srcAddr;
    this.dstAddr = out.dstAddr;
    this.srcPort = out.srcPort;
    this.dstPort = out.dstPort;
    this.proto = out.proto;
    this.packets = out.packets;
    this.bytes = out.bytes;
    this.start = out.start;
    this.end = out.end;
    this.tcpFlags = out.tcpFlags;
    this.tos = out.tos;
    this.inIf = out.inIf;
    this.outIf = out.outIf;
    this.srcVlan = out.srcVlan;
    this.dstVlan = out.dstVlan;
    this.srcAs = out.srcAs;
    this.dstAs = out.dstAs;
    this.srcMac = out.srcMac;
    this.dstMac = out.dstMac;
    this.mplsLabel = out.mplsLabel;
    this.samplingRate = out.samplingRate;
    this.samplingOrigin = out.samplingOrigin;
  }
}
