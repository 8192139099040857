// Every NetFlow/IPFIX/NSEL capture of the shared corpus through FlowDecoder → SessionTracker:
// packets and bytes out equal packets and bytes in (NSEL: what the firewall's records say per
// connection), with roomy and with cramped tables; biflows and NSEL connections checked record by record.
import t from 'tap';
import { FlowBatch, FlowDecoder } from '../../src/decode/index.js';
import { formatIpAt } from '../../src/fields/ipcodec.js';
import type { SessionTrackerOptions } from '../../src/session/index.js';
import { corpusIndex, replay } from '../decode/corpusreplay.js';
import { collecting, type Row } from './flows.js';

/** Captures in replay groups: a capture after the ones it needs (templates), as the decoder tests do. */
function jobs(): string[][] {
  const entries = corpusIndex().filter((e) => e.format !== 'sflow');
  const byExpected = new Map<string, string[]>();
  const out: string[][] = [];
  for (const e of entries) {
    if (e.expected === null) out.push([...e.requires_before, e.path]);
    else if (!byExpected.has(e.expected)) byExpected.set(e.expected, e.expected_inputs);
  }
  return [...byExpected.values(), ...out];
}

function decode(inputs: readonly string[]): FlowBatch {
  const batch = new FlowBatch(256);
  replay(inputs, new FlowDecoder(), batch);
  return batch;
}

function sessions(batch: FlowBatch, opts: Partial<SessionTrackerOptions>): { rows: Row[]; flips: number } {
  const c = collecting(opts);
  // in small batches, so that batch boundaries fall inside the captures' datagrams
  const cut = 7;
  for (let from = 0; from < batch.length; from += cut) {
    const part = new FlowBatch(cut);
    for (let i = from; i < Math.min(batch.length, from + cut); i++) copyRow(batch, i, part);
    c.tracker.ingest(part, 0);
  }
  c.tracker.drain();
  const st = c.tracker.stats();
  return { rows: c.rows, flips: st.flips };
}

function copyRow(from: FlowBatch, i: number, to: FlowBatch): void {
  const r = to.addRow();
  const row = from.row(i);
  for (const [name, v] of Object.entries(row)) {
    const col = (to as unknown as Record<string, Float64Array | Uint32Array>)[name]!;
    if (Array.isArray(v)) col.set(v, r * 4);
    else col[r] = v;
  }
}

/**
 * What an NSEL exporter says each connection carried, computed independently of the tracker:
 * records grouped by exporter and their own 5-tuple (NSEL reports every record from the initiator's
 * side); flow-update counters add up, a teardown's counters are the connection's totals.
 */
function nselTotals(b: FlowBatch, rows: number[]): { pkts: number; bytes: number; perConn: Map<string, { fwd: number; rev: number; records: number }> } {
  const conns = new Map<string, { fwd: number; rev: number; fwdP: number; revP: number; tFwd: number; tRev: number; tFwdP: number; tRevP: number; records: number }>();
  for (const i of rows) {
    const k = [formatIpAt(b.exporter, i), b.srcId[i], formatIpAt(b.srcAddr, i), b.srcPort[i], formatIpAt(b.dstAddr, i), b.dstPort[i], b.proto[i]].join('|');
    let c = conns.get(k);
    if (c === undefined) conns.set(k, (c = { fwd: 0, rev: 0, fwdP: 0, revP: 0, tFwd: 0, tRev: 0, tFwdP: 0, tRevP: 0, records: 0 }));
    c.records++;
    if (b.fwEvent[i] === 2) {
      c.tFwd = Math.max(c.tFwd, b.bytes[i]!);
      c.tRev = Math.max(c.tRev, b.revBytes[i]!);
      c.tFwdP = Math.max(c.tFwdP, b.packets[i]!);
      c.tRevP = Math.max(c.tRevP, b.revPackets[i]!);
    } else {
      c.fwd += b.bytes[i]!;
      c.rev += b.revBytes[i]!;
      c.fwdP += b.packets[i]!;
      c.revP += b.revPackets[i]!;
    }
  }
  let pkts = 0;
  let bytes = 0;
  const perConn = new Map<string, { fwd: number; rev: number; records: number }>();
  for (const [k, c] of conns) {
    const fwd = Math.max(c.fwd, c.tFwd);
    const rev = Math.max(c.rev, c.tRev);
    bytes += fwd + rev;
    pkts += Math.max(c.fwdP, c.tFwdP) + Math.max(c.revP, c.tRevP);
    perConn.set(k, { fwd, rev, records: c.records });
  }
  return { pkts, bytes, perConn };
}

const sum = (rows: Row[], ...cols: string[]): number => rows.reduce((a, r) => a + cols.reduce((b, c) => b + (r[c] as number), 0), 0);

let files = 0;
let flowsIn = 0;
let sessionsOut = 0;
for (const inputs of jobs()) {
  t.test(inputs.join(' + '), async (t) => {
    const b = decode(inputs);
    files += inputs.length;
    flowsIn += b.length;
    const plain: number[] = [];
    const nsel: number[] = [];
    for (let i = 0; i < b.length; i++) (b.nsel[i] === 1 ? nsel : plain).push(i);
    let pkts = 0;
    let bytes = 0;
    for (const i of plain) {
      pkts += b.packets[i]! + b.revPackets[i]!;
      bytes += b.bytes[i]! + b.revBytes[i]!;
    }
    const ref = nselTotals(b, nsel);
    const { rows } = sessions(b, {});
    sessionsOut += rows.length;
    t.equal(sum(rows, 'clnpkts', 'srvpkts'), pkts + ref.pkts, `packets: ${b.length} flows in, ${rows.length} sessions out`);
    t.equal(sum(rows, 'clnbyts', 'srvbyts'), bytes + ref.bytes, 'bytes');
    t.ok(rows.length <= b.length, 'never more sessions than flows (no record is longer than toolong here)');
    if (nsel.length > 0) {
      // NSEL: each connection is one session whose client and server bytes are the firewall's totals
      // (ICMP sessions are keyed by type/code, not by the identifier the ASA puts in a port field)
      const want = [...ref.perConn].map(([k, c]) => {
        const [exp, srcId, src, sport, dst, dport, proto] = k.split('|');
        const icmp = proto === '1' || proto === '58';
        return [exp, srcId, src, icmp ? 0 : sport, dst, dport, proto, c.fwd, c.rev, c.records].join(' ');
      });
      const got = rows.map((r) => ['expip', 'srcid', 'clnip', 'clnport', 'srvip', 'srvport', 'proto', 'clnbyts', 'srvbyts', 'flows'].map((c) => r[c]).join(' '));
      t.same(got.sort(), want.sort(), 'one session per NSEL connection, with its totals');
    } else {
      // cramped: 4 slots, 60 s timeout and toolong — eviction, expiry and splits on real data lose nothing
      const small = sessions(b, { conntracksize: 4, timeout: 60, toolong: 60 }).rows;
      t.equal(sum(small, 'clnpkts', 'srvpkts'), pkts, 'packets, cramped tracker');
      t.equal(sum(small, 'clnbyts', 'srvbyts'), bytes, 'bytes, cramped tracker');
      t.ok(small.every((r) => (r['end'] as number) - (r['start'] as number) <= 60e6), 'no record longer than toolong');
    }
  });
}

t.test('IPFIX biflows of the corpus: one session per record, initiator counters on the client', async (t) => {
  for (const inputs of [['ipfix/akv-ipfixprobe-templates.pcap', 'ipfix/akv-ipfixprobe-data.pcap'], ['ipfix/ls-yaf.pcap']]) {
    const b = decode(inputs);
    const want: string[] = [];
    for (let i = 0; i < b.length; i++) {
      if (b.biflow[i] !== 1) continue;
      const src = formatIpAt(b.srcAddr, i);
      const dst = formatIpAt(b.dstAddr, i);
      // an ICMP echo reply (type 0) names its receiver as the client, whatever the record's direction
      if (b.proto[i] === 1 && b.dstPort[i]! >>> 8 === 0) want.push([dst, src, b.revPackets[i], b.packets[i], b.revBytes[i], b.bytes[i]].join(' '));
      else want.push([src, dst, b.packets[i], b.revPackets[i], b.bytes[i], b.revBytes[i]].join(' '));
    }
    t.ok(want.length > 0, `${inputs.join(' + ')} has biflow records`);
    const got = sessions(b, {}).rows.map((r) => [r['clnip'], r['srvip'], r['clnpkts'], r['srvpkts'], r['clnbyts'], r['srvbyts']].join(' '));
    t.same(got.sort(), want.sort(), inputs.join(' + '));
  }
});

t.test('corpus totals', async (t) => {
  t.ok(files >= 100, `${files} captures replayed`);
  t.ok(flowsIn > 5000, `${flowsIn} flow records in`);
  t.ok(sessionsOut > 0 && sessionsOut < flowsIn, `${sessionsOut} sessions out`);
});
