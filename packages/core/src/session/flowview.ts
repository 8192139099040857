// The columns of a FlowBatch the tracker reads, held in an object of fixed shape: FlowBatch builds
// its columns by name in a loop, which leaves V8 with slow (dictionary) property access on it.

import type { FlowBatch } from '../decode/flowbatch.js';

/** The FlowBatch columns the tracker uses (a FlowView has them too). */
export type FlowColumnSet = Pick<FlowBatch, Exclude<keyof FlowView, 'bind' | 'release'>>;

export class FlowView {
  exporter: Uint32Array = new Uint32Array(0);
  srcId: Uint32Array = new Uint32Array(0);
  expv: Uint8Array = new Uint8Array(0);
  nsel: Uint8Array = new Uint8Array(0);
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
  fwEvent: Uint16Array = new Uint16Array(0);
  fwExtEvent: Uint16Array = new Uint16Array(0);
  biflow: Uint8Array = new Uint8Array(0);
  initiator: Uint8Array = new Uint8Array(0);
  revPackets: Float64Array = new Float64Array(0);
  revBytes: Float64Array = new Float64Array(0);
  xlateSrcAddr: Uint32Array = new Uint32Array(0);
  xlateDstAddr: Uint32Array = new Uint32Array(0);
  xlateSrcPort: Uint16Array = new Uint16Array(0);
  xlateDstPort: Uint16Array = new Uint16Array(0);

  /** Point at `b`'s current column arrays (they change when the batch grows). */
  bind(b: FlowColumnSet): this {
    this.exporter = b.exporter;
    this.srcId = b.srcId;
    this.expv = b.expv;
    this.nsel = b.nsel;
    this.srcAddr = b.srcAddr;
    this.dstAddr = b.dstAddr;
    this.srcPort = b.srcPort;
    this.dstPort = b.dstPort;
    this.proto = b.proto;
    this.packets = b.packets;
    this.bytes = b.bytes;
    this.start = b.start;
    this.end = b.end;
    this.tcpFlags = b.tcpFlags;
    this.tos = b.tos;
    this.inIf = b.inIf;
    this.outIf = b.outIf;
    this.srcVlan = b.srcVlan;
    this.dstVlan = b.dstVlan;
    this.srcAs = b.srcAs;
    this.dstAs = b.dstAs;
    this.srcMac = b.srcMac;
    this.dstMac = b.dstMac;
    this.mplsLabel = b.mplsLabel;
    this.samplingRate = b.samplingRate;
    this.samplingOrigin = b.samplingOrigin;
    this.fwEvent = b.fwEvent;
    this.fwExtEvent = b.fwExtEvent;
    this.biflow = b.biflow;
    this.initiator = b.initiator;
    this.revPackets = b.revPackets;
    this.revBytes = b.revBytes;
    this.xlateSrcAddr = b.xlateSrcAddr;
    this.xlateDstAddr = b.xlateDstAddr;
    this.xlateSrcPort = b.xlateSrcPort;
    this.xlateDstPort = b.xlateDstPort;
    return this;
  }

  /** Drop the references, so that the tracker does not keep a batch alive between calls. */
  release(): void {
    this.bind(BLANK);
  }
}

const BLANK = new FlowView();
