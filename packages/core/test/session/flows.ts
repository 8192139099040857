// Test helpers for the session tracker: flow records written from short specs into a FlowBatch,
// and a sink that keeps every emitted session as a plain object.
import { FlowBatch } from '../../src/decode/index.js';
import { COLUMN_DEFS, type Columns } from '../../src/fields/columns.js';
import { formatIpAt, parseIp, setIpAt } from '../../src/fields/ipcodec.js';
import { SessionTracker, type SessionTrackerOptions } from '../../src/session/index.js';

/** 2024-01-01T00:00:00Z in µs: test times are given in seconds after it. */
export const T0 = 1_704_067_200_000_000;
export const SEC = 1_000_000;

export interface FlowSpec {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto?: number;
  pkts?: number;
  bytes?: number;
  /** Seconds after T0. */
  start?: number;
  end?: number;
  flags?: number;
  exporter?: string;
  srcId?: number;
  expv?: number;
  nsel?: number;
  biflow?: number;
  /** The `initiator` column (FlowInitiator: biflowDirection). */
  initiator?: number;
  revPkts?: number;
  revBytes?: number;
  event?: number;
  extEvent?: number;
  tos?: number;
  inIf?: number;
  outIf?: number;
  srcVlan?: number;
  dstVlan?: number;
  srcAs?: number;
  dstAs?: number;
  srcMac?: number;
  dstMac?: number;
  mpls?: number;
  rate?: number;
  /** The `samplingOrigin` column (SamplingOrigin code of `rate`). */
  origin?: number;
  xSrc?: string;
  xDst?: string;
  xSport?: number;
  xDport?: number;
}

function ip(s: string): [number, number, number, number] {
  const w = parseIp(s);
  if (w === null) throw new Error(`bad test address ${s}`);
  return w;
}

/** Append flows to `b` (a new batch by default). */
export function flows(specs: readonly FlowSpec[], b: FlowBatch = new FlowBatch(Math.max(16, specs.length))): FlowBatch {
  for (const f of specs) {
    const r = b.addRow();
    setIpAt(b.exporter, r, ip(f.exporter ?? '192.0.2.1'));
    setIpAt(b.srcAddr, r, ip(f.src));
    setIpAt(b.dstAddr, r, ip(f.dst));
    if (f.xSrc !== undefined) setIpAt(b.xlateSrcAddr, r, ip(f.xSrc));
    if (f.xDst !== undefined) setIpAt(b.xlateDstAddr, r, ip(f.xDst));
    b.srcId[r] = f.srcId ?? 0;
    b.expv[r] = f.expv ?? 9;
    b.nsel[r] = f.nsel ?? 0;
    b.srcPort[r] = f.sport ?? 0;
    b.dstPort[r] = f.dport ?? 0;
    b.proto[r] = f.proto ?? 6;
    b.packets[r] = f.pkts ?? 1;
    b.bytes[r] = f.bytes ?? 100;
    const start = f.start ?? 0;
    b.start[r] = T0 + start * SEC;
    b.end[r] = T0 + (f.end ?? start) * SEC;
    b.tcpFlags[r] = f.flags ?? 0;
    b.biflow[r] = f.biflow ?? 0;
    b.initiator[r] = f.initiator ?? 0;
    b.revPackets[r] = f.revPkts ?? 0;
    b.revBytes[r] = f.revBytes ?? 0;
    b.fwEvent[r] = f.event ?? 0;
    b.fwExtEvent[r] = f.extEvent ?? 0;
    b.tos[r] = f.tos ?? 0;
    b.inIf[r] = f.inIf ?? 0;
    b.outIf[r] = f.outIf ?? 0;
    b.srcVlan[r] = f.srcVlan ?? 0;
    b.dstVlan[r] = f.dstVlan ?? 0;
    b.srcAs[r] = f.srcAs ?? 0;
    b.dstAs[r] = f.dstAs ?? 0;
    b.srcMac[r] = f.srcMac ?? 0;
    b.dstMac[r] = f.dstMac ?? 0;
    b.mplsLabel[r] = f.mpls ?? 0;
    b.samplingRate[r] = f.rate ?? 1;
    b.samplingOrigin[r] = f.origin ?? 0;
    b.xlateSrcPort[r] = f.xSport ?? 0;
    b.xlateDstPort[r] = f.xDport ?? 0;
  }
  return b;
}

/** One emitted session, addresses as text, times in seconds after T0 (µs columns as they are). */
export type Row = Record<string, number | string>;

const IP_COLUMNS = new Set<string>(COLUMN_DEFS.filter((d) => d.type === 'ip').map((d) => d.name));

export function rowsOf(cols: Columns, rows: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < rows; i++) {
    const r: Row = {};
    for (const d of COLUMN_DEFS) {
      r[d.name] = IP_COLUMNS.has(d.name) ? formatIpAt(cols[d.name] as Uint32Array, i) : cols[d.name][i]!;
    }
    r['startS'] = (cols.start[i]! - T0) / SEC;
    r['endS'] = (cols.end[i]! - T0) / SEC;
    out.push(r);
  }
  return out;
}

/** A tracker whose emitted sessions collect in `rows` (and the size of every batch in `batches`). */
export function collecting(opts: Partial<SessionTrackerOptions> = {}): { tracker: SessionTracker; rows: Row[]; batches: number[] } {
  const rows: Row[] = [];
  const batches: number[] = [];
  const tracker = new SessionTracker({
    ...opts,
    onSessions: (cols, n) => {
      batches.push(n);
      rows.push(...rowsOf(cols, n));
    },
  });
  return { tracker, rows, batches };
}

/** Ingest the specs (one batch), drain, and return every session. */
export function assemble(specs: readonly FlowSpec[], opts: Partial<SessionTrackerOptions> = {}): Row[] {
  const c = collecting(opts);
  c.tracker.ingest(flows(specs), 0);
  c.tracker.drain();
  return c.rows;
}
