// FlowBatch: growable typed-array columns holding decoded unidirectional FLOW records
// (not sessions). Every decoder (NetFlow, IPFIX, NSEL, sFlow) appends rows here; the session layer reads them.

import { allocColumn, type ColumnType } from '../fields/columns.js';

/** How a flow column is held: `ip` is four big-endian Uint32 words per row (IPv4 as ::ffff:a.b.c.d). */
export type FlowColumnType = ColumnType;

/** Where the sampling rate applied to a row came from (column `samplingOrigin`). */
export const SamplingOrigin = {
  /** No sampling information: counters are as exported (rate 1). */
  none: 0,
  /** The export packet header (NetFlow v5 sampling interval, sFlow sample header). */
  header: 1,
  /** An options data record (v9/IPFIX sampler or selector tables, per template, per domain). */
  options: 2,
  /** A sampling field inside the data record itself (IE 34, 305/306, 309/310). */
  record: 3,
  /** A per-exporter rate from the configuration, overriding anything the exporter said. */
  config: 4,
} as const;
export type SamplingOriginCode = (typeof SamplingOrigin)[keyof typeof SamplingOrigin];

/** Observation direction of a flow (column `direction`, from IE 61 flowDirection). */
export const FlowDirection = { unknown: 0, ingress: 1, egress: 2 } as const;

/** Who initiated the conversation a row reports (column `initiator`, from IPFIX IE 239 biflowDirection). */
export const FlowInitiator = { unstated: 0, source: 1, destination: 2, unknown: 3 } as const;

export interface FlowColumnDef {
  readonly name: FlowColumnName;
  readonly type: FlowColumnType;
  readonly doc: string;
}

export const FLOW_COLUMN_DEFS = [
  { name: 'exporter', type: 'ip', doc: 'address of the exporter (the datagram source, or the sFlow agent address)' },
  { name: 'srcId', type: 'u32', doc: 'NetFlow v9 source id / IPFIX observation domain / v5 engine_type × 256 + engine_id / sFlow sub-agent' },
  { name: 'expv', type: 'u8', doc: 'export format: 1 5 7 9 NetFlow, 10 IPFIX, 18 20 21 sFlow v2/v4/v5' },
  { name: 'nsel', type: 'u8', doc: '1 when the record is Cisco ASA NSEL (NetFlow v9 with firewall-event fields), else 0' },
  { name: 'srcAddr', type: 'ip', doc: 'source address' },
  { name: 'dstAddr', type: 'ip', doc: 'destination address' },
  { name: 'srcPort', type: 'u16', doc: 'source transport port' },
  { name: 'dstPort', type: 'u16', doc: 'destination port; ICMP flows: type × 256 + code' },
  { name: 'proto', type: 'u8', doc: 'IP protocol number' },
  { name: 'packets', type: 'f64', doc: 'packets source→destination (NSEL: initiator packets), multiplied by samplingRate' },
  { name: 'bytes', type: 'f64', doc: 'layer-3 bytes source→destination (NSEL: initiator octets), multiplied by samplingRate' },
  { name: 'start', type: 'f64', doc: 'first packet, microseconds since the Unix epoch (UTC)' },
  { name: 'end', type: 'f64', doc: 'last packet, microseconds since the Unix epoch (UTC)' },
  { name: 'tcpFlags', type: 'u8', doc: 'TCP flags OR-ed over the flow (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128)' },
  { name: 'tos', type: 'u8', doc: 'IP ToS / traffic class byte' },
  { name: 'inIf', type: 'u32', doc: 'input interface index (SNMP ifIndex) on the exporter' },
  { name: 'outIf', type: 'u32', doc: 'output interface index on the exporter' },
  { name: 'srcVlan', type: 'u16', doc: 'source / input VLAN id (0: none)' },
  { name: 'dstVlan', type: 'u16', doc: 'destination / output VLAN id (0: none)' },
  { name: 'srcAs', type: 'u32', doc: 'source autonomous system (0: unknown)' },
  { name: 'dstAs', type: 'u32', doc: 'destination autonomous system (0: unknown)' },
  { name: 'srcMac', type: 'f64', doc: 'source MAC address as a 48-bit integer (0: unknown)' },
  { name: 'dstMac', type: 'f64', doc: 'destination MAC address as a 48-bit integer (0: unknown)' },
  { name: 'mplsLabel', type: 'u32', doc: 'top MPLS label, 20 bits (0: none)' },
  { name: 'direction', type: 'u8', doc: 'observation direction: 0 unknown, 1 ingress, 2 egress (FlowDirection)' },
  { name: 'samplingRate', type: 'u32', doc: 'sampling rate the counters were multiplied by (1: unsampled)' },
  { name: 'samplingOrigin', type: 'u8', doc: 'where samplingRate came from: 0 none, 1 header, 2 options, 3 record, 4 config (SamplingOrigin)' },
  { name: 'fwEvent', type: 'u16', doc: 'firewall event (IE 233 / NSEL 40005: 1 created, 2 deleted, 3 denied, 4 alert, 5 update)' },
  { name: 'fwExtEvent', type: 'u16', doc: 'NSEL extended event code (NF_F_FW_EXT_EVENT, v9 field 33002)' },
  { name: 'biflow', type: 'u8', doc: '1 when the record is bidirectional: revPackets/revBytes hold the reverse direction (RFC 5103 reverse elements, NSEL responder counters); source is then the initiator unless `initiator` says otherwise' },
  { name: 'initiator', type: 'u8', doc: 'who initiated the conversation, from IPFIX biflowDirection (IE 239, in the record or for the domain in options data): 1 the source, 2 the destination (reverseInitiator), 3 not known (arbitrary, perimeter); 0 not stated' },
  { name: 'revPackets', type: 'f64', doc: 'packets destination→source of a biflow (NSEL responder packets), multiplied by samplingRate' },
  { name: 'revBytes', type: 'f64', doc: 'bytes destination→source of a biflow (NSEL responder octets), multiplied by samplingRate' },
  { name: 'xlateSrcAddr', type: 'ip', doc: 'source address after NAT (IE 225/281, NSEL 40001); all zero when not exported' },
  { name: 'xlateDstAddr', type: 'ip', doc: 'destination address after NAT (IE 226/282, NSEL 40002)' },
  { name: 'xlateSrcPort', type: 'u16', doc: 'source port after NAT (IE 227, NSEL 40003)' },
  { name: 'xlateDstPort', type: 'u16', doc: 'destination port after NAT (IE 228, NSEL 40004)' },
  { name: 'endReason', type: 'u8', doc: 'flow end reason (IE 136: 1 idle timeout, 2 active timeout, 3 end of flow, 4 forced end, 5 lack of resources; 0 unknown)' },
] as const satisfies readonly { name: string; type: FlowColumnType; doc: string }[];

export type FlowColumnName = (typeof FLOW_COLUMN_DEFS)[number]['name'];
type IpColumnName = Extract<(typeof FLOW_COLUMN_DEFS)[number], { type: 'ip' }>['name'];
type F64ColumnName = Extract<(typeof FLOW_COLUMN_DEFS)[number], { type: 'f64' }>['name'];
type U32ColumnName = Extract<(typeof FLOW_COLUMN_DEFS)[number], { type: 'u32' }>['name'];
type U16ColumnName = Extract<(typeof FLOW_COLUMN_DEFS)[number], { type: 'u16' }>['name'];
type U8ColumnName = Extract<(typeof FLOW_COLUMN_DEFS)[number], { type: 'u8' }>['name'];

export type FlowColumnArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** One row copied out of a FlowBatch (tests, debugging, slow paths); addresses are 4 words. */
export type FlowRow = { [K in FlowColumnName]: K extends IpColumnName ? [number, number, number, number] : number };


/**
 * Columns of decoded flow records. Rows at index >= `length` are always zero, so a decoder only
 * writes the fields it has: a field an exporter does not send reads as 0 (addresses as ::).
 * Column arrays are replaced when the batch grows: re-read them after `reserve`/`addRow`.
 */
export class FlowBatch {
  /** Rows in use. */
  length = 0;
  private cap: number;

  exporter!: Uint32Array;
  srcId!: Uint32Array;
  expv!: Uint8Array;
  nsel!: Uint8Array;
  srcAddr!: Uint32Array;
  dstAddr!: Uint32Array;
  srcPort!: Uint16Array;
  dstPort!: Uint16Array;
  proto!: Uint8Array;
  packets!: Float64Array;
  bytes!: Float64Array;
  start!: Float64Array;
  end!: Float64Array;
  tcpFlags!: Uint8Array;
  tos!: Uint8Array;
  inIf!: Uint32Array;
  outIf!: Uint32Array;
  srcVlan!: Uint16Array;
  dstVlan!: Uint16Array;
  srcAs!: Uint32Array;
  dstAs!: Uint32Array;
  srcMac!: Float64Array;
  dstMac!: Float64Array;
  mplsLabel!: Uint32Array;
  direction!: Uint8Array;
  samplingRate!: Uint32Array;
  samplingOrigin!: Uint8Array;
  fwEvent!: Uint16Array;
  fwExtEvent!: Uint16Array;
  biflow!: Uint8Array;
  initiator!: Uint8Array;
  revPackets!: Float64Array;
  revBytes!: Float64Array;
  xlateSrcAddr!: Uint32Array;
  xlateDstAddr!: Uint32Array;
  xlateSrcPort!: Uint16Array;
  xlateDstPort!: Uint16Array;
  endReason!: Uint8Array;

  // The column fields above are real class fields (not `declare`): defined in this order at
  // construction, then assigned, so V8 keeps the object's fast shape. Added by keyed stores
  // instead, 37 properties would send it to dictionary mode and slow every column read.
  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, Math.floor(initialCapacity));
    const cols = this.columns();
    for (const d of FLOW_COLUMN_DEFS) cols[d.name] = allocColumn(d.type, this.cap);
  }

  /** Rows the columns can hold before they grow. */
  get capacity(): number {
    return this.cap;
  }

  /** Make room for `n` more rows (column arrays may be replaced). */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.cap) return;
    let cap = this.cap * 2;
    while (cap < need) cap *= 2;
    const cols = this.columns();
    for (const d of FLOW_COLUMN_DEFS) {
      const next = allocColumn(d.type, cap);
      next.set(cols[d.name]);
      cols[d.name] = next;
    }
    this.cap = cap;
  }

  /** Append one zeroed row and return its index (for row-at-a-time decoders such as sFlow). */
  addRow(): number {
    if (this.length >= this.cap) this.reserve(1);
    return this.length++;
  }

  /** Empty the batch for reuse, keeping its memory; the used rows are zeroed again. */
  reset(): void {
    const n = this.length;
    if (n === 0) return;
    const cols = this.columns();
    for (const d of FLOW_COLUMN_DEFS) cols[d.name].fill(0, 0, d.type === 'ip' ? n * 4 : n);
    this.length = 0;
  }

  /** Zero rows [from, length) and shrink to `from` (drops rows a caller decided not to keep). */
  truncate(from: number): void {
    if (from >= this.length) return;
    const start = Math.max(0, from);
    const cols = this.columns();
    for (const d of FLOW_COLUMN_DEFS) {
      const w = d.type === 'ip' ? 4 : 1;
      cols[d.name].fill(0, start * w, this.length * w);
    }
    this.length = start;
  }

  /**
   * Keep, in order, the rows from `from` on for which `keep(row)` is true (rows before `from` stay);
   * the rest are removed and the batch shrinks. Returns the number removed. `keep` sees each row
   * at its original index, before any move.
   */
  keepRows(from: number, keep: (row: number) => boolean): number {
    const n = this.length;
    const cols = this.columns();
    let w = Math.max(0, from);
    for (let r = w; r < n; r++) {
      if (!keep(r)) continue;
      if (w !== r) {
        for (const d of FLOW_COLUMN_DEFS) {
          const a = cols[d.name];
          if (d.type === 'ip') a.copyWithin(w * 4, r * 4, r * 4 + 4);
          else a[w] = a[r]!;
        }
      }
      w++;
    }
    const removed = n - w;
    this.truncate(w);
    return removed;
  }

  /** Copy row `i` into a plain object (allocates: not for hot paths). */
  row(i: number): FlowRow {
    const cols = this.columns();
    const out: Record<string, number | number[]> = {};
    for (const d of FLOW_COLUMN_DEFS) {
      const a = cols[d.name];
      out[d.name] = d.type === 'ip' ? [a[i * 4]!, a[i * 4 + 1]!, a[i * 4 + 2]!, a[i * 4 + 3]!] : a[i]!;
    }
    return out as FlowRow;
  }

  /** Set an address column from 4 words (IPv4 callers pass 0, 0, 0xffff, v4). */
  setIp(col: IpColumnName, row: number, w0: number, w1: number, w2: number, w3: number): void {
    const a = this[col];
    const o = row * 4;
    a[o] = w0;
    a[o + 1] = w1;
    a[o + 2] = w2;
    a[o + 3] = w3;
  }

  private columns(): Record<FlowColumnName, FlowColumnArray> {
    return this as unknown as Record<FlowColumnName, FlowColumnArray>;
  }
}

export type { IpColumnName as FlowIpColumn, F64ColumnName as FlowF64Column, U32ColumnName as FlowU32Column };
export type { U16ColumnName as FlowU16Column, U8ColumnName as FlowU8Column };
