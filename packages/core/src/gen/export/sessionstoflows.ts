// Turns generated sessions back into the unidirectional flow records an exporter would have sent:
// the input of the export encoders, and the expected side of end-to-end tests.

import { FlowBatch, SamplingOrigin } from '../../decode/flowbatch.js';
import { COLUMN_DEFS, type ColumnArray, type ColumnName, type Columns } from '../../fields/columns.js';
import { ExportEncoderError } from './exportencodererror.js';

/** Session columns this module reads. */
const READS: readonly ColumnName[] = [
  'start', 'end', 'clnip', 'srvip', 'clnport', 'srvport', 'proto', 'clnpkts', 'srvpkts', 'clnbyts', 'srvbyts', 'flags', 'tos',
  'inif', 'outif', 'invlan', 'outvlan', 'clnas', 'srvas', 'clnmac', 'srvmac', 'expip', 'srcid', 'expv', 'asaevt',
  'clnxip', 'srvxip', 'clnxport', 'srvxport', 'mpls',
];

/** ICMP query type → reply type (echo, timestamp, information, address mask; ICMPv6 echo, node information). */
const REPLY_V4 = new Map([[8, 0], [13, 14], [15, 16], [17, 18]]);
const REPLY_V6 = new Map([[128, 129], [139, 140]]);

function checkSessionColumns(cols: Columns, rows: number): void {
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new ExportEncoderError('ERR_EXPORT_RANGE', `sessionsToFlows: rows must be a whole number of sessions (0 or more), got ${String(rows)}`);
  }
  if (cols === null || typeof cols !== 'object') throw new ExportEncoderError('ERR_EXPORT_RANGE', 'sessionsToFlows: cols must be session columns (allocColumns / SessionGenerator)');
  for (const d of COLUMN_DEFS) {
    if (!READS.includes(d.name)) continue;
    const a: ColumnArray | undefined = cols[d.name];
    const need = d.type === 'ip' ? rows * 4 : rows;
    if (a === undefined || typeof a.length !== 'number' || a.length < need) {
      throw new ExportEncoderError(
        'ERR_EXPORT_RANGE',
        `sessionsToFlows: session column ${d.name} must hold at least ${need} values for ${rows} sessions, got ${a === undefined ? 'nothing' : String(a.length)}`,
      );
    }
  }
}

function copyIp(from: ColumnArray, i: number, to: Uint32Array, r: number): void {
  const a = i * 4;
  const b = r * 4;
  to[b] = from[a]!;
  to[b + 1] = from[a + 1]!;
  to[b + 2] = from[a + 2]!;
  to[b + 3] = from[a + 3]!;
}

/**
 * Append the flow records of sessions [0, rows) of `cols` to `out` (a new batch when not given) and
 * return it: for each session the client→server flow, then the server→client flow when the server
 * sent packets. Fields are those a NetFlow v9 / IPFIX exporter reports and the decoder fills; the
 * reverse flow has addresses, ports, interfaces, VLANs, ASes, MACs and NAT fields swapped.
 *
 * - Both directions carry the session's start, end, TCP flags and ToS (their union is the session's).
 * - ICMP: the query's type/code stays in dstPort; a reply flow has the reply type (echo 8 → 0,
 *   ICMPv6 128 → 129) and source port 0, as exporters report it.
 * - Counters are the session's (already scaled up for sampled exporters): samplingRate 1, origin none.
 * - exporter, srcId and expv are the session's exporter; encoders take them from their own options.
 * - nsel, biflow, direction, endReason, fwExtEvent and the reverse counters stay 0: plain unidirectional
 *   records (asaevt goes to fwEvent, the session's NAT addresses and ports to the xlate columns).
 */
export function sessionsToFlows(cols: Columns, rows: number, out?: FlowBatch): FlowBatch {
  checkSessionColumns(cols, rows);
  if (out !== undefined && !(out instanceof FlowBatch)) throw new ExportEncoderError('ERR_EXPORT_RANGE', 'sessionsToFlows: the third argument must be a FlowBatch to append to');
  const b = out ?? new FlowBatch(Math.max(16, rows * 2));
  const srvpkts = cols.srvpkts;
  let n = 0;
  for (let i = 0; i < rows; i++) n += srvpkts[i]! > 0 ? 2 : 1;
  b.reserve(n);
  const start = cols.start, end = cols.end, clnip = cols.clnip, srvip = cols.srvip;
  const clnport = cols.clnport, srvport = cols.srvport, proto = cols.proto;
  const clnpkts = cols.clnpkts, clnbyts = cols.clnbyts, srvbyts = cols.srvbyts, flags = cols.flags, tos = cols.tos;
  const inif = cols.inif, outif = cols.outif, invlan = cols.invlan, outvlan = cols.outvlan, clnas = cols.clnas, srvas = cols.srvas;
  const clnmac = cols.clnmac, srvmac = cols.srvmac, expip = cols.expip, srcid = cols.srcid, expv = cols.expv, asaevt = cols.asaevt;
  const clnxip = cols.clnxip, srvxip = cols.srvxip, clnxport = cols.clnxport, srvxport = cols.srvxport, mpls = cols.mpls;
  for (let i = 0; i < rows; i++) {
    const both = srvpkts[i]! > 0;
    for (let dir = 0; dir < (both ? 2 : 1); dir++) {
      const fwd = dir === 0;
      const r = b.length++;
      copyIp(expip, i, b.exporter, r);
      b.srcId[r] = srcid[i]!;
      b.expv[r] = expv[i]!;
      copyIp(fwd ? clnip : srvip, i, b.srcAddr, r);
      copyIp(fwd ? srvip : clnip, i, b.dstAddr, r);
      const p = proto[i]!;
      b.proto[r] = p;
      if (p === 1 || p === 58) {
        const type = srvport[i]! >>> 8;
        const reply = fwd ? type : ((p === 1 ? REPLY_V4 : REPLY_V6).get(type) ?? type);
        b.srcPort[r] = 0;
        b.dstPort[r] = (reply << 8) | (srvport[i]! & 0xff);
      } else {
        b.srcPort[r] = fwd ? clnport[i]! : srvport[i]!;
        b.dstPort[r] = fwd ? srvport[i]! : clnport[i]!;
      }
      b.packets[r] = fwd ? clnpkts[i]! : srvpkts[i]!;
      b.bytes[r] = fwd ? clnbyts[i]! : srvbyts[i]!;
      b.start[r] = start[i]!;
      b.end[r] = end[i]!;
      b.tcpFlags[r] = flags[i]!;
      b.tos[r] = tos[i]!;
      b.inIf[r] = fwd ? inif[i]! : outif[i]!;
      b.outIf[r] = fwd ? outif[i]! : inif[i]!;
      b.srcVlan[r] = fwd ? invlan[i]! : outvlan[i]!;
      b.dstVlan[r] = fwd ? outvlan[i]! : invlan[i]!;
      b.srcAs[r] = fwd ? clnas[i]! : srvas[i]!;
      b.dstAs[r] = fwd ? srvas[i]! : clnas[i]!;
      b.srcMac[r] = fwd ? clnmac[i]! : srvmac[i]!;
      b.dstMac[r] = fwd ? srvmac[i]! : clnmac[i]!;
      b.mplsLabel[r] = mpls[i]!;
      b.samplingRate[r] = 1;
      b.samplingOrigin[r] = SamplingOrigin.none;
      b.fwEvent[r] = asaevt[i]!;
      copyIp(fwd ? clnxip : srvxip, i, b.xlateSrcAddr, r);
      copyIp(fwd ? srvxip : clnxip, i, b.xlateDstAddr, r);
      b.xlateSrcPort[r] = fwd ? clnxport[i]! : srvxport[i]!;
      b.xlateDstPort[r] = fwd ? srvxport[i]! : clnxport[i]!;
    }
  }
  return b;
}
