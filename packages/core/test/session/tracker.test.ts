// Unit and property tests of the session tracker on hand-built flows: pairing, the client rules
// and flips, per-side fields, times, timeout, toolong, eviction, NSEL accounting, biflows, ICMP,
// IPv6, exporters, snapshot, batching, errors; and conservation of counters over random streams.
import t from 'tap';
import fc from 'fast-check';
import { FlowBatch, FlowDecoder, FlowInitiator, REVERSE_PEN } from '../../src/decode/index.js';
import { Bytes, ipfix, ipfixTemplates, set, v9, v9Templates, type Field } from '../decode/build.js';
import {
  defaultIsServicePort,
  servicePortTable,
  SessionError,
  SessionTracker,
  type SessionTrackerOptions,
} from '../../src/session/index.js';
import { assemble, collecting, flows, rowsOf, SEC, T0, type FlowSpec, type Row } from './flows.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const H = 3600;

/** The SessionError `fn` throws (the test fails when it throws nothing or something else). */
function caught(fn: () => unknown): SessionError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SessionError) return e;
    throw e;
  }
  return undefined;
}

t.test('a flow and its reverse make one session with per-side counters', async (t) => {
  const rows = assemble([
    { src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 17, pkts: 2, bytes: 120, start: 10, end: 11 },
    { src: '8.8.8.8', dst: '10.0.0.1', sport: 53, dport: 40000, proto: 17, pkts: 3, bytes: 450, start: 10.5, end: 12 },
    { src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 17, pkts: 1, bytes: 60, start: 9, end: 9.5 },
  ]);
  t.equal(rows.length, 1);
  const r = rows[0]!;
  t.match(r, { clnip: '10.0.0.1', clnport: 40000, srvip: '8.8.8.8', srvport: 53, proto: 17 });
  t.match(r, { clnpkts: 3, clnbyts: 180, srvpkts: 3, srvbyts: 450, flows: 3 });
  t.equal(r['startS'], 9, 'earliest start');
  t.equal(r['endS'], 12, 'latest end');
  t.match(r, { expip: '192.0.2.1', srcid: 0, expv: 9, clncc: 0, srvcc: 0, samplerate: 1 });
});

t.test('TCP flags are OR-ed over both directions', async (t) => {
  const rows = assemble([
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 22, flags: SYN },
    { src: '10.0.0.2', dst: '10.0.0.1', sport: 22, dport: 50000, flags: SYN | ACK },
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 22, flags: ACK | PSH | FIN },
  ]);
  t.equal(rows.length, 1);
  t.equal(rows[0]!['flags'], SYN | ACK | PSH | FIN);
});

t.test('client rules, strongest evidence first', async (t) => {
  // (1) SYN without ACK beats the service-port rule: the sender of the SYN is the client even from port 443
  let r = assemble([
    { src: '10.0.0.6', dst: '10.0.0.5', sport: 50000, dport: 443, flags: ACK, pkts: 4 },
    { src: '10.0.0.5', dst: '10.0.0.6', sport: 443, dport: 50000, flags: SYN, pkts: 1 },
  ]);
  t.match(r, [{ clnip: '10.0.0.5', clnport: 443, srvip: '10.0.0.6', srvport: 50000, clnpkts: 1, srvpkts: 4 }], 'SYN beats service port');
  // (1) beats (2): a biflow names 10.0.0.6 initiator, a SYN-only flow from 10.0.0.5 overrides it
  r = assemble([
    { src: '10.0.0.6', dst: '10.0.0.5', sport: 50000, dport: 40000, biflow: 1, pkts: 5, revPkts: 6 },
    { src: '10.0.0.5', dst: '10.0.0.6', sport: 40000, dport: 50000, flags: SYN, pkts: 1 },
  ]);
  t.match(r, [{ clnip: '10.0.0.5', clnpkts: 7, srvpkts: 5 }], 'SYN beats biflow initiator');
  // (2) beats (3): a biflow from port 443 to an ephemeral port: its source is the initiator
  r = assemble([{ src: '10.0.0.5', dst: '10.0.0.6', sport: 443, dport: 50000, biflow: 1, pkts: 2, revPkts: 9 }]);
  t.match(r, [{ clnip: '10.0.0.5', clnport: 443, clnpkts: 2, srvpkts: 9 }], 'biflow initiator beats service port');
  // NSEL records (even without responder counters) name the initiator too
  r = assemble([{ src: '10.0.0.5', dst: '10.0.0.6', sport: 443, dport: 50000, nsel: 1, event: 1, pkts: 0, bytes: 0 }]);
  t.match(r, [{ clnip: '10.0.0.5' }], 'NSEL initiator beats service port');
  // (3) beats (4): the first flow comes from the server; its service port tells
  r = assemble([
    { src: '8.8.8.8', dst: '10.0.0.1', sport: 53, dport: 40000, proto: 17, pkts: 1 },
    { src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 17, pkts: 2 },
  ]);
  t.match(r, [{ clnip: '10.0.0.1', srvport: 53, clnpkts: 2, srvpkts: 1 }], 'service port beats first seen');
  // registered (>= 1024) service ports count too
  r = assemble([{ src: '10.0.0.9', dst: '10.0.0.1', sport: 5432, dport: 51000 }]);
  t.match(r, [{ clnip: '10.0.0.1', srvport: 5432 }], '5432 is a service port');
  // (4) both ephemeral, or both service ports: the first flow's source
  r = assemble([
    { src: '10.0.0.2', dst: '10.0.0.1', sport: 50001, dport: 40001, proto: 17 },
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 40001, dport: 50001, proto: 17 },
  ]);
  t.match(r, [{ clnip: '10.0.0.2', clnport: 50001 }], 'first seen, no service port');
  r = assemble([
    { src: '10.0.0.2', dst: '10.0.0.1', sport: 123, dport: 123, proto: 17 },
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 123, dport: 123, proto: 17 },
  ]);
  t.match(r, [{ clnip: '10.0.0.2' }], 'first seen, both service ports');
  // protocols without ports never use the services table
  r = assemble([{ src: '10.0.0.2', dst: '10.0.0.1', proto: 47, sport: 0, dport: 0 }]);
  t.match(r, [{ clnip: '10.0.0.2', clnport: 0, srvport: 0 }], 'GRE: first seen');
});

t.test('later stronger evidence flips the session; weaker evidence never flips back', async (t) => {
  const { tracker, rows } = collecting();
  tracker.ingest(
    flows([
      // both ephemeral: first seen makes 10.0.0.2 the client
      { src: '10.0.0.2', dst: '10.0.0.1', sport: 50001, dport: 40001, pkts: 7, bytes: 700, inIf: 5, outIf: 6, tos: 4, srcAs: 65002, dstAs: 65001, srcMac: 2, dstMac: 1 },
      // the SYN shows 10.0.0.1 initiated
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 40001, dport: 50001, flags: SYN, pkts: 1, bytes: 60, inIf: 6, outIf: 5, tos: 0 },
      // a biflow claiming the opposite is weaker than the SYN
      { src: '10.0.0.2', dst: '10.0.0.1', sport: 50001, dport: 40001, biflow: 1, pkts: 1, bytes: 10, revPkts: 1, revBytes: 20 },
    ]),
    0,
  );
  t.equal(tracker.stats().flips, 1, 'one flip');
  tracker.drain();
  t.equal(rows.length, 1);
  t.match(rows[0], {
    clnip: '10.0.0.1', clnport: 40001, srvip: '10.0.0.2', srvport: 50001,
    clnpkts: 2, clnbyts: 80, srvpkts: 8, srvbyts: 710,
    inif: 6, outif: 5, tos: 0, clnas: 65001, srvas: 65002, clnmac: 1, srvmac: 2, flows: 3,
  });
});

t.test('sampling: the highest rate and its origin, the latest origin among flows of that rate', async (t) => {
  // origin codes as docs/sessions.md lists them
  const NONE = 0, HEADER = 1, OPTIONS = 2, RECORD = 3, CONFIG = 4;
  const fwd: FlowSpec = { src: '10.0.0.1', dst: '203.0.113.9', sport: 50000, dport: 443 };
  const rev: FlowSpec = { src: '203.0.113.9', dst: '10.0.0.1', sport: 443, dport: 50000 };
  const pick = (rs: Row[]) => rs.map((r) => [r['samplerate'], r['sampleorigin']]);
  t.same(pick(assemble([fwd])), [[1, NONE]], 'unsampled flows: rate 1, none');
  t.same(pick(assemble([{ ...fwd, rate: 100, origin: HEADER }])), [[100, HEADER]], 'one sampled flow: its rate and origin');
  t.same(pick(assemble([{ ...fwd, start: 1 }, { ...rev, start: 2, rate: 2000, origin: OPTIONS }])), [[2000, OPTIONS]], 'unsampled, then sampled by options data: options');
  t.same(pick(assemble([{ ...fwd, start: 1, rate: 2000, origin: OPTIONS }, { ...rev, start: 2 }, { ...fwd, start: 3, rate: 50, origin: RECORD }])), [[2000, OPTIONS]], 'a later flow of a lower rate changes neither');
  t.same(pick(assemble([{ ...fwd, start: 1, rate: 10, origin: RECORD }, { ...rev, start: 2, rate: 10, origin: CONFIG }])), [[10, CONFIG]], 'the same rate: the latest flow\'s origin');
  t.same(pick(assemble([{ ...fwd, start: 1, rate: 10, origin: CONFIG }, { ...rev, start: 2, rate: 10, origin: RECORD }])), [[10, RECORD]], 'in either order');
  t.same(pick(assemble([{ ...fwd, start: 1, origin: NONE }, { ...rev, start: 2, rate: 1, origin: CONFIG }])), [[1, CONFIG]], 'an override of 1 (count as unsampled) says config');

  // kept through toolong pieces; a session that times out starts again from its own flows
  const split = assemble([{ ...fwd, start: 0, end: 10, rate: 64, origin: HEADER }, { ...rev, start: 9, end: 20 }], { toolong: 8, timeout: 0 });
  t.ok(split.length > 1, `${split.length} toolong pieces`);
  t.same(pick(split), split.map(() => [64, HEADER]), 'every piece');
  const again = assemble([{ ...fwd, start: 0, rate: 64, origin: HEADER }, { ...fwd, start: 1000 }], { timeout: 60 });
  t.same(pick(again), [[64, HEADER], [1, NONE]], 'after a timeout the new record does not inherit the old origin');

  const c = collecting();
  c.tracker.ingest(flows([{ ...fwd, rate: 8, origin: OPTIONS }]), 0);
  const snap = c.tracker.snapshot();
  t.same(pick(rowsOf(snap.cols, snap.rows)), [[8, OPTIONS]], 'snapshots carry it too');
});

t.test('interfaces, VLANs and ToS come from the client→server flow; per-side fields follow the sides', async (t) => {
  const fwd: FlowSpec = { src: '10.0.0.1', dst: '203.0.113.9', sport: 50000, dport: 443, inIf: 3, outIf: 7, srcVlan: 100, dstVlan: 200, tos: 0x28 };
  const rev: FlowSpec = { src: '203.0.113.9', dst: '10.0.0.1', sport: 443, dport: 50000, inIf: 7, outIf: 3, srcVlan: 200, dstVlan: 100, tos: 0x10 };
  let r = assemble([
    { ...rev, srcAs: 15169, dstAs: 64512, srcMac: 0xaa, dstMac: 0xbb, mpls: 16 },
    { ...fwd, srcAs: 0, dstAs: 0, srcMac: 0, dstMac: 0, rate: 10 },
  ]);
  t.match(r, [{ inif: 3, outif: 7, invlan: 100, outvlan: 200, tos: 0x28, clnas: 64512, srvas: 15169, clnmac: 0xbb, srvmac: 0xaa, mpls: 16, samplerate: 10 }]);
  r = assemble([rev]);
  t.match(r, [{ clnip: '10.0.0.1', inif: 3, outif: 7, invlan: 100, outvlan: 200, tos: 0x10 }], 'only the reverse flow: its interfaces swapped');
  r = assemble([fwd, { ...rev, inIf: 9, outIf: 9 }]);
  t.match(r, [{ inif: 3, outif: 7 }], 'a reverse flow does not override the forward flow');
  r = assemble([
    { ...fwd, xSrc: '198.51.100.1', xSport: 1024, xDst: '203.0.113.9', xDport: 443 },
    { ...rev, xSrc: '203.0.113.9', xSport: 443, xDst: '198.51.100.2', xDport: 2048 },
  ]);
  t.match(r, [{ clnxip: '198.51.100.2', clnxport: 2048, srvxip: '203.0.113.9', srvxport: 443 }], 'translated addresses per side, latest wins');
  r = assemble([fwd]);
  t.match(r, [{ clnxip: '::', srvxip: '::', clnxport: 0, mpls: 0, asaevt: 0 }], 'nothing translated');
});

t.test('ICMP: echo request and reply pair, requester is the client', async (t) => {
  const req: FlowSpec = { src: '10.0.0.1', dst: '8.8.4.4', proto: 1, sport: 0, dport: 0x0800, pkts: 4, bytes: 336, start: 1, end: 4 };
  const rep: FlowSpec = { src: '8.8.4.4', dst: '10.0.0.1', proto: 1, sport: 0, dport: 0x0000, pkts: 3, bytes: 252, start: 1, end: 3 };
  for (const order of [[req, rep], [rep, req]]) {
    const r = assemble(order);
    t.equal(r.length, 1);
    t.match(r[0], { clnip: '10.0.0.1', srvip: '8.8.4.4', clnport: 0, srvport: 0x0800, proto: 1, clnpkts: 4, srvpkts: 3, clnbyts: 336, srvbyts: 252 });
  }
  // the reply alone still names the requester as client
  t.match(assemble([rep]), [{ clnip: '10.0.0.1', srvip: '8.8.4.4', srvport: 0x0800, clnpkts: 0, srvpkts: 3 }]);
  // an ICMP identifier some exporters put in the source port does not split the session
  t.equal(assemble([{ ...req, sport: 17549 }, rep]).length, 1);
  // ICMPv6 128/129
  const r6 = assemble([
    { src: '2001:db8::2', dst: '2001:db8::1', proto: 58, dport: 129 << 8, pkts: 1 },
    { src: '2001:db8::1', dst: '2001:db8::2', proto: 58, dport: 128 << 8, pkts: 2 },
  ]);
  t.match(r6, [{ clnip: '2001:db8::1', srvip: '2001:db8::2', srvport: 128 << 8, clnpkts: 2, srvpkts: 1 }]);
  // other types are their own sessions, the sender the client
  const un = assemble([req, { src: '8.8.4.4', dst: '10.0.0.1', proto: 1, dport: 0x0303 }]);
  t.equal(un.length, 2);
  t.match(un.find((x) => x['srvport'] === 0x0303), { clnip: '8.8.4.4', srvip: '10.0.0.1' });
});

t.test('IPv6 pairing and per-exporter separation', async (t) => {
  const a: FlowSpec = { src: '2001:db8::10', dst: '2001:db8:1::20', sport: 51000, dport: 443, pkts: 5 };
  const b: FlowSpec = { src: '2001:db8:1::20', dst: '2001:db8::10', sport: 443, dport: 51000, pkts: 6 };
  t.match(assemble([a, b]), [{ clnip: '2001:db8::10', srvip: '2001:db8:1::20', clnpkts: 5, srvpkts: 6 }]);
  const rows = assemble([
    { ...a, exporter: '192.0.2.1' },
    { ...a, exporter: '192.0.2.2' },
    { ...b, exporter: '192.0.2.2' },
    { ...a, exporter: '192.0.2.1', srcId: 7 },
    { ...a, exporter: '2001:db8:ff::1' },
  ]);
  t.equal(rows.length, 4, 'same 5-tuple from two exporters / source ids: separate sessions');
  t.same(
    rows.map((r) => `${r['expip']}#${r['srcid']}:${r['clnpkts']}/${r['srvpkts']}`).sort(),
    ['192.0.2.1#0:5/0', '192.0.2.1#7:5/0', '192.0.2.2#0:5/6', '2001:db8:ff::1#0:5/0'],
  );
  // IPv4 and IPv6 sessions with the "same" numbers stay apart
  t.equal(assemble([{ ...a, src: '10.0.0.1', dst: '10.0.0.2' }, { ...a, src: '::a00:1', dst: '::a00:2' }]).length, 2);
});

t.test('biflow records (RFC 5103 / NSEL): one record is a whole session', async (t) => {
  const r = assemble([
    { src: '192.0.2.7', dst: '198.51.100.3', sport: 60000, dport: 80, biflow: 1, pkts: 10, bytes: 900, revPkts: 12, revBytes: 15000, expv: 10 },
    { src: '192.0.2.7', dst: '198.51.100.3', sport: 60000, dport: 80, biflow: 1, pkts: 1, bytes: 40, revPkts: 1, revBytes: 40, expv: 10, start: 30, end: 31 },
  ]);
  t.match(r, [{ clnip: '192.0.2.7', clnpkts: 11, clnbyts: 940, srvpkts: 13, srvbyts: 15040, flows: 2, expv: 10 }], 'biflow records of one connection add up (delta counters)');
});

t.test('biflowDirection (the initiator column) decides the client of biflow records', async (t) => {
  const bi: FlowSpec = { src: '198.51.100.3', dst: '192.0.2.7', sport: 50010, dport: 50020, biflow: 1, pkts: 12, bytes: 15000, revPkts: 10, revBytes: 900, expv: 10 };
  // reverseInitiator: the record's destination initiated; its reverse counters are the client's
  let r = assemble([{ ...bi, initiator: FlowInitiator.destination }]);
  t.match(r, [{ clnip: '192.0.2.7', clnport: 50020, clnpkts: 10, clnbyts: 900, srvip: '198.51.100.3', srvpkts: 12, srvbyts: 15000 }], 'reverseInitiator: the destination is the client');
  r = assemble([{ ...bi, initiator: FlowInitiator.source }]);
  t.match(r, [{ clnip: '198.51.100.3', clnpkts: 12, srvpkts: 10 }], 'initiator: the source is the client');
  // arbitrary / perimeter: the record names nobody, so the service port decides (then the first flow)
  r = assemble([{ ...bi, sport: 443, initiator: FlowInitiator.unknown }]);
  t.match(r, [{ clnip: '192.0.2.7', srvip: '198.51.100.3', srvport: 443, clnpkts: 10 }], 'arbitrary / perimeter: not taken as the initiator; the service port decides');
  r = assemble([{ ...bi, sport: 443 }]);
  t.match(r, [{ clnip: '198.51.100.3', clnport: 443 }], 'unstated: a biflow source is the initiator (as before)');
  // it is initiator-strength evidence: a SYN-only flow beats it, a service port does not
  r = assemble([
    { ...bi, dport: 443, initiator: FlowInitiator.destination },
    { src: '198.51.100.3', dst: '192.0.2.7', sport: 50010, dport: 443, flags: SYN, pkts: 1 },
  ]);
  t.match(r, [{ clnip: '198.51.100.3', clnport: 50010 }], 'a SYN without ACK still beats biflowDirection');
  r = assemble([{ ...bi, sport: 443, initiator: FlowInitiator.destination }, { ...bi, sport: 443, initiator: FlowInitiator.unknown, start: 5, end: 6 }]);
  t.match(r, [{ clnip: '192.0.2.7', flows: 2 }], 'a later record naming nobody does not undo it');
  // a unidirectional record may carry it too
  r = assemble([{ src: '10.0.0.9', dst: '10.0.0.8', sport: 50000, dport: 60000, proto: 17, initiator: FlowInitiator.destination }]);
  t.match(r, [{ clnip: '10.0.0.8', srvip: '10.0.0.9', srvpkts: 1, clnpkts: 0 }], 'uniflow with reverseInitiator');
});

t.test('biflowDirection from IPFIX through the decoder into sessions', async (t) => {
  const fields: Field[] = [
    { id: 8, len: 4 },
    { id: 12, len: 4 },
    { id: 7, len: 2 },
    { id: 11, len: 2 },
    { id: 4, len: 1 },
    { id: 2, len: 4 },
    { id: 1, len: 4 },
    { id: 2, len: 4, pen: REVERSE_PEN },
    { id: 1, len: 4, pen: REVERSE_PEN },
    { id: 239, len: 1 },
  ];
  // A perimeter device reports outside → inside and says the destination (inside) initiated.
  const rec = new Bytes().ip4('203.0.113.80').ip4('10.1.2.3').u16(8080).u16(51000).u8(6).u32(40).u32(52000).u32(30).u32(2400).u8(2).done();
  const batch = new FlowBatch(4);
  const dec = new FlowDecoder();
  dec.decode(ipfix({ exportTime: 1_700_000_000 }, ipfixTemplates({ id: 300, fields }), set(300, rec)), '192.0.2.1', { nowMs: 1_700_000_000_000 }, batch);
  t.equal(batch.length, 1);
  const c = collecting();
  c.tracker.ingest(batch, 0);
  c.tracker.drain();
  t.match(c.rows, [{ clnip: '10.1.2.3', clnport: 51000, srvip: '203.0.113.80', srvport: 8080, clnpkts: 30, clnbyts: 2400, srvpkts: 40, srvbyts: 52000 }]);
});

t.test('sFlow samples aggregate like flows: one packet × rate each', async (t) => {
  const out: FlowSpec = { src: '10.0.0.1', dst: '93.184.216.34', sport: 50000, dport: 443, expv: 20, rate: 256, pkts: 256, exporter: '192.0.2.9', srcId: 3 };
  const back: FlowSpec = { src: '93.184.216.34', dst: '10.0.0.1', sport: 443, dport: 50000, expv: 20, rate: 256, pkts: 256, exporter: '192.0.2.9', srcId: 3 };
  const r = assemble([
    { ...out, bytes: 256 * 74, start: 1, flags: SYN },
    { ...back, bytes: 256 * 1500, start: 2, flags: ACK },
    { ...back, bytes: 256 * 1500, start: 3, flags: ACK | PSH },
    { ...out, bytes: 256 * 66, start: 4, flags: ACK },
  ]);
  t.match(r, [{ clnip: '10.0.0.1', srvport: 443, clnpkts: 512, srvpkts: 512, clnbyts: 256 * 140, srvbyts: 256 * 3000, flows: 4, samplerate: 256, expv: 20, srcid: 3, startS: 1, endS: 4, flags: SYN | ACK | PSH }]);
});

t.test('NSEL: creation, updates and teardown are not double counted', async (t) => {
  const c: FlowSpec = { src: '10.1.1.1', dst: '172.16.0.5', sport: 51515, dport: 443, nsel: 1, pkts: 0, bytes: 0, start: 100 };
  // updates carry the bytes since the previous update; the teardown carries the connection's totals
  let r = assemble([
    { ...c, event: 1 },
    { ...c, event: 5, extEvent: 2030, bytes: 1000, revBytes: 50000, biflow: 1, end: 160 },
    { ...c, event: 5, extEvent: 2030, bytes: 500, revBytes: 20000, biflow: 1, end: 220 },
    { ...c, event: 2, extEvent: 2030, bytes: 1600, revBytes: 71000, biflow: 1, end: 230 },
  ]);
  t.match(r, [{ clnip: '10.1.1.1', clnbyts: 1600, srvbyts: 71000, flows: 4, asaevt: 2, asaextevt: 2030, startS: 100, endS: 230 }]);
  // a late update (at teardown) after the teardown adds nothing and does not replace the event
  r = assemble([
    { ...c, event: 2, extEvent: 2030, bytes: 1600, revBytes: 71000, biflow: 1, end: 230 },
    { ...c, event: 5, extEvent: 2030, bytes: 100, revBytes: 1000, biflow: 1, end: 230 },
  ]);
  t.match(r, [{ clnbyts: 1600, srvbyts: 71000, asaevt: 2 }]);
  // a teardown smaller than the updates never takes counters back
  r = assemble([
    { ...c, event: 5, bytes: 900, revBytes: 900, biflow: 1, end: 150 },
    { ...c, event: 2, bytes: 800, revBytes: 1000, biflow: 1, end: 160 },
  ]);
  t.match(r, [{ clnbyts: 900, srvbyts: 1000 }]);
  // a teardown repeated is counted once
  r = assemble([
    { ...c, event: 2, bytes: 800, revBytes: 1000, biflow: 1, end: 160 },
    { ...c, event: 2, bytes: 800, revBytes: 1000, biflow: 1, end: 160 },
  ]);
  t.match(r, [{ clnbyts: 800, srvbyts: 1000, flows: 2 }]);
  // the same 5-tuple opened again after the teardown is a new connection
  const col = collecting();
  col.tracker.ingest(
    flows([
      { ...c, event: 2, bytes: 800, revBytes: 1000, biflow: 1, end: 160 },
      { ...c, event: 1, start: 400 },
      { ...c, event: 2, bytes: 50, revBytes: 60, biflow: 1, start: 400, end: 410 },
    ]),
    0,
  );
  col.tracker.drain();
  t.match(col.rows, [
    { clnbyts: 800, srvbyts: 1000, endS: 160 },
    { clnbyts: 50, srvbyts: 60, startS: 400, endS: 410, flows: 2 },
  ]);
  t.equal(col.tracker.stats().emitted.closed, 1);
  // two pings overlapping in time (ICMP identifiers 17549 and 18061, which the key does not hold):
  // the second, created after the first was, is a new connection although it began before the first's
  // teardown (nsel/ls-cisco-asa-1.pcap)
  const ping: FlowSpec = { src: '192.168.23.22', dst: '164.164.37.11', proto: 1, dport: 2048, nsel: 1, biflow: 1, event: 2, bytes: 56 };
  r = assemble([
    { ...ping, sport: 17549, start: 17.1, end: 19.1 },
    { ...ping, sport: 18061, start: 18.2, end: 20.2 },
    { ...ping, event: 5, sport: 18061, start: 18.2, end: 20.2 },
  ]);
  t.same(r.map((x) => [x['clnbyts'], x['startS'], x['endS'], x['flows']]), [[56, 17.1, 19.1, 1], [56, 18.2, 20.2, 2]], 'two sessions; a late update stays with its connection');
  // plain NetFlow records with a firewall event (Palo Alto, Barracuda) are ordinary delta records
  r = assemble([
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, event: 2, bytes: 100 },
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, event: 2, bytes: 100 },
  ]);
  t.match(r, [{ clnbyts: 200 }]);
});

t.test('NSEL teardown totals after a toolong split: the pieces add up to the totals', async (t) => {
  const c: FlowSpec = { src: '10.1.1.1', dst: '172.16.0.5', sport: 51515, dport: 443, nsel: 1, biflow: 1, start: 0 };
  const specs: FlowSpec[] = [];
  for (let m = 1; m <= 20; m++) specs.push({ ...c, event: 5, bytes: 100, revBytes: 1000, start: 0, end: m * 1800 });
  specs.push({ ...c, event: 2, bytes: 2500, revBytes: 20000, start: 0, end: 10 * H + 60 });
  const rows = assemble(specs, { toolong: 4 * H, timeout: 0 });
  // each update counts after the previous record (not from the creation time it carries)
  t.same(rows.map((r) => [r['startS'], r['endS'], r['clnbyts'], r['srvbyts']]), [
    [0, 4 * H, 800, 8000],
    [4 * H, 8 * H, 800, 8000],
    [8 * H, 10 * H + 60, 900, 4000],
  ]);
  t.equal(rows.reduce((a, r) => a + (r['clnbyts'] as number), 0), 2500, 'client bytes: the teardown total');
  t.equal(rows.reduce((a, r) => a + (r['srvbyts'] as number), 0), 20000, 'server bytes: the teardown total');
});

t.test('NSEL through the decoder: a 5-hour ASA connection updated every 10 minutes is one session with its real duration', async (t) => {
  // What a Cisco ASA sends: creation time (152) and event time (323), no end time; updates carry
  // the bytes since the previous record, the teardown the totals.
  const fields: Field[] = [
    { id: 8, len: 4 },
    { id: 12, len: 4 },
    { id: 7, len: 2 },
    { id: 11, len: 2 },
    { id: 4, len: 1 },
    { id: 233, len: 1 },
    { id: 33002, len: 2 },
    { id: 231, len: 4 },
    { id: 232, len: 4 },
    { id: 152, len: 8 },
    { id: 323, len: 8 },
  ];
  const createdMs = T0 / 1000;
  const MIN = 60_000;
  const datagram = (event: number, atMs: number, ini: number, resp: number): Uint8Array => {
    const rec = new Bytes().ip4('10.0.0.1').ip4('8.8.8.8').u16(40000).u16(443).u8(6).u8(event).u16(0).u32(ini).u32(resp).u64(createdMs).u64(atMs).done();
    return v9({ uptime: 1, secs: Math.floor(atMs / 1000) }, v9Templates({ id: 263, fields }), set(263, rec));
  };
  const stream: [Uint8Array, number][] = [[datagram(1, createdMs, 0, 0), createdMs]];
  for (let k = 1; k <= 30; k++) stream.push([datagram(5, createdMs + k * 10 * MIN, 100, 1000), createdMs + k * 10 * MIN]);
  stream.push([datagram(2, createdMs + 301 * MIN, 3000, 30000), createdMs + 301 * MIN]);

  const run = (opts: Partial<SessionTrackerOptions>): Row[] => {
    const dec = new FlowDecoder();
    const c = collecting(opts);
    // As the collector does: each datagram decoded and merged when it arrives.
    for (const [d, atMs] of stream) {
      const b = new FlowBatch(4);
      dec.decode(d, '192.0.2.1', { nowMs: atMs }, b);
      c.tracker.ingest(b, atMs * 1000);
    }
    c.tracker.drain();
    return c.rows;
  };
  const one = run({});
  t.same(
    one.map((r) => [r['startS'], r['endS'], r['clnbyts'], r['srvbyts'], r['flows'], r['asaevt']]),
    [[0, 301 * 60, 3000, 30000, 32, 2]],
    'one session from creation to teardown with the teardown totals (default timeout 2 h, toolong 8 h)',
  );
  // toolong shorter than the connection: consecutive pieces of at most toolong, the updates' bytes in
  // the piece of their time, the teardown adding what they missed; the pieces add up to the totals.
  const split = run({ toolong: 2 * H });
  t.same(
    split.map((r) => [r['startS'], r['endS'], r['clnbyts'], r['srvbyts']]),
    [
      [0, 2 * H, 1200, 12000],
      [2 * H, 4 * H, 1200, 12000],
      [4 * H, 301 * 60, 600, 6000],
    ],
    'toolong 2 h: three pieces',
  );
});

/** The [start, end, client bytes, server bytes] of the rows of client port `port`, in emitted order. */
function pieces(rows: readonly Record<string, number | string>[], port: number): number[][] {
  return rows.filter((r) => r['clnport'] === port).map((r) => [r['startS'] as number, r['endS'] as number, r['clnbyts'] as number, r['srvbyts'] as number]);
}

t.test('NSEL: a session that leaves before its teardown is not counted twice', async (t) => {
  const c: FlowSpec = { src: '10.0.0.1', dst: '198.51.100.7', sport: 40000, dport: 443, nsel: 1, biflow: 1, pkts: 0, bytes: 0, start: 0 };
  const other = (at: number, n = 0): FlowSpec => ({ src: '10.0.0.9', dst: '203.0.113.5', sport: 5000 + n, dport: 53, proto: 17, start: at });
  const create: FlowSpec = { ...c, event: 1 };
  const update: FlowSpec = { ...c, event: 5, bytes: 400, revBytes: 2000, end: 60 };
  const teardown = (end: number): FlowSpec => ({ ...c, event: 2, bytes: 1000, revBytes: 5000, end });

  // evicted (table of 1) between the update and the teardown
  let col = collecting({ conntracksize: 1 });
  col.tracker.ingest(flows([create, update]), 0);
  col.tracker.ingest(flows([other(61)]), 0);
  t.equal(col.tracker.stats().nselRemembered, 1, 'the evicted connection is remembered');
  col.tracker.ingest(flows([teardown(100)]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 400, 2000], [60, 100, 600, 3000]], 'evicted: the teardown adds the rest, after the first piece');
  t.match(col.rows.filter((r) => r['clnport'] === 40000), [{ asaevt: 5, flows: 2 }, { asaevt: 2, flows: 1, clnip: '10.0.0.1', srvport: 443 }]);
  t.equal(col.tracker.stats().nselResumed, 1);
  t.equal(col.tracker.stats().nselRemembered, 0, 'the teardown took the entry; the closed session leaves no entry');

  // idle longer than timeout, emitted by the sweep (expire) before the teardown
  col = collecting({ timeout: 7200 });
  col.tracker.ingest(flows([create, update]), 0);
  col.tracker.expire(T0 + 7300 * SEC);
  col.tracker.ingest(flows([teardown(7400)]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 400, 2000], [60, 7400, 600, 3000]], 'timed out by the sweep');
  t.equal(col.tracker.stats().emitted.timeout, 1);

  // idle longer than timeout, found at lookup (the sweep runs after the batch)
  col = collecting({ timeout: 7200 });
  col.tracker.ingest(flows([create, update]), 0);
  col.tracker.ingest(flows([other(7300), teardown(7400)]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 400, 2000], [60, 7400, 600, 3000]], 'timed out at lookup');

  // updates after an eviction are deltas: each starts a continuation; the teardown adds what is left
  col = collecting({ conntracksize: 1 });
  col.tracker.ingest(flows([create, update]), 0);
  col.tracker.ingest(flows([other(61)]), 0);
  col.tracker.ingest(flows([{ ...c, event: 5, bytes: 300, revBytes: 1000, end: 120 }]), 0);
  col.tracker.ingest(flows([other(121, 1)]), 0);
  col.tracker.ingest(flows([teardown(200)]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 400, 2000], [60, 120, 300, 1000], [120, 200, 300, 2000]], 'update, evict, update, evict, teardown');
  t.equal(col.tracker.stats().nselResumed, 2);

  // a teardown smaller than what was counted before the eviction adds nothing
  col = collecting({ conntracksize: 1 });
  col.tracker.ingest(flows([{ ...update, bytes: 1500 }]), 0);
  col.tracker.ingest(flows([other(61)]), 0);
  col.tracker.ingest(flows([teardown(100)]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 1500, 2000], [60, 100, 0, 3000]], 'per counter: max(0, total - counted)');

  // the 5-tuple reused by a new connection after the eviction: not a continuation
  col = collecting({ conntracksize: 1 });
  col.tracker.ingest(flows([create, update]), 0);
  col.tracker.ingest(flows([other(61)]), 0);
  col.tracker.ingest(flows([{ ...c, event: 1, start: 500 }, { ...c, event: 2, bytes: 70, revBytes: 80, start: 500, end: 510 }]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 400, 2000], [500, 510, 70, 80]], 'a creation is a new connection');
  t.equal(col.tracker.stats().nselResumed, 0);
  col = collecting({ conntracksize: 1 });
  col.tracker.ingest(flows([create, update]), 0);
  col.tracker.ingest(flows([other(61)]), 0);
  col.tracker.ingest(flows([{ ...c, event: 2, bytes: 70, revBytes: 80, start: 500, end: 510 }]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 60, 400, 2000], [500, 510, 70, 80]], 'created after the last piece ended: a new connection');
  t.equal(col.tracker.stats().nselRemembered, 0, 'the stale entry is dropped');

  // toolong pieces, then an eviction, then the teardown: the pieces add up to the totals
  col = collecting({ conntracksize: 1, toolong: 4 * H, timeout: 0 });
  const specs: FlowSpec[] = [];
  for (let m = 1; m <= 12; m++) specs.push({ ...c, event: 5, bytes: 100, revBytes: 1000, end: m * 1800 });
  col.tracker.ingest(flows(specs), 0);
  col.tracker.ingest(flows([other(6 * H + 1)]), 0);
  col.tracker.ingest(flows([{ ...c, event: 2, bytes: 2500, revBytes: 20000, end: 10 * H }]), 0);
  col.tracker.drain();
  t.same(pieces(col.rows, 40000), [[0, 4 * H, 800, 8000], [4 * H, 6 * H, 400, 4000], [6 * H, 10 * H, 1300, 8000]], 'toolong, evicted, teardown');
});

t.test('NSEL ledger: bounded, oldest forgotten, entries expire after 24 h', async (t) => {
  const { tracker, rows } = collecting({ conntracksize: 16, timeout: 0, batchRows: 4096 });
  const conn = (n: number): FlowSpec => ({
    src: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, dst: '198.51.100.7', sport: 40000, dport: 443,
    nsel: 1, biflow: 1, event: 5, bytes: 10, revBytes: 20, pkts: 0, start: 0, end: 1,
  });
  const cap = 65_536;
  const n = cap + 1000;
  for (let k = 0; k < n; k += 4096) {
    const specs: FlowSpec[] = [];
    for (let j = k; j < Math.min(n, k + 4096); j++) specs.push(conn(j));
    tracker.ingest(flows(specs), 0);
  }
  let st = tracker.stats();
  t.equal(st.emitted.evicted, n - 16);
  t.equal(st.nselRemembered, cap, 'the ledger holds max(64 Ki, conntracksize / 8) entries');
  t.ok(st.memoryBytes < cap * 256 + 16 * 256 + 65_536, `memory bounded: ${st.memoryBytes} bytes`);
  tracker.flush();
  rows.length = 0;
  const tear = (k: number): FlowSpec => ({ ...conn(k), event: 2, bytes: 100, revBytes: 200, end: 5 });
  // connection 0 was forgotten (the oldest): its teardown counts its totals again; the last evicted one is remembered
  tracker.ingest(flows([tear(0), tear(n - 17)]), 0);
  tracker.drain();
  const bytesOf = (k: number): number[][] => rows.filter((r) => r['clnip'] === conn(k).src).map((r) => [r['startS'] as number, r['clnbyts'] as number, r['srvbyts'] as number]);
  t.same(bytesOf(0), [[0, 100, 200]], 'forgotten: the whole totals (its first 10/20 counted twice)');
  t.same(bytesOf(n - 17), [[1, 90, 180]], 'remembered: only the rest');
  // entries expire 24 h (tracker clock) after they were written
  st = tracker.stats();
  t.ok(st.nselRemembered > cap - 100, 'drained NSEL sessions are remembered too');
  tracker.expire(T0 + 24 * H * SEC);
  t.ok(tracker.stats().nselRemembered > 0, 'not yet 24 h');
  tracker.expire(T0 + 24 * H * SEC + 5 * SEC + 1);
  t.equal(tracker.stats().nselRemembered, 0, 'all forgotten after 24 h');
});

t.test('timeout: idle sessions leave, by flow end against the clock', async (t) => {
  const { tracker, rows } = collecting({ timeout: 60 });
  const f: FlowSpec = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, start: 0, end: 10 };
  tracker.ingest(flows([f]), 0);
  tracker.expire(T0 + 70 * SEC);
  tracker.flush();
  t.equal(rows.length, 0, 'idle 60 s: still tracked');
  tracker.expire(T0 + 70 * SEC + 1);
  tracker.flush();
  t.equal(rows.length, 1, 'idle more than 60 s: emitted');
  t.equal(tracker.stats().emitted.timeout, 1);
  t.equal(tracker.size, 0);
  // flow times drive the clock when no wall clock is given: the second flow's end expires the first session
  tracker.ingest(flows([f, { ...f, sport: 40001, start: 100, end: 200 }]), 0);
  tracker.flush();
  t.equal(rows.length, 2, 'first session expired by the clock the second flow set');
  t.equal(tracker.size, 1);
  // a flow for a session idle longer than timeout starts a new record, even before the sweep saw it
  tracker.ingest(flows([{ ...f, sport: 40001, start: 300, end: 301 }]), 0);
  tracker.drain();
  t.equal(rows.length, 4);
  t.match(rows.slice(2), [{ clnport: 40001, startS: 100, endS: 200, flows: 1 }, { clnport: 40001, startS: 300, flows: 1 }]);
  // timeout 0: kept until drained
  const keep = collecting({ timeout: 0 });
  keep.tracker.ingest(flows([f]), 0);
  keep.tracker.expire(T0 + 1e6 * SEC);
  keep.tracker.flush();
  t.equal(keep.rows.length, 0, 'timeout 0 never expires');
});

t.test('a flow time far ahead of the wall clock does not flush the table', async (t) => {
  const { tracker, rows } = collecting({ timeout: 7200 });
  const now = T0 + 1000 * SEC;
  tracker.ingest(flows([{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 80, start: 990, end: 999 }]), now);
  tracker.ingest(flows([{ src: '10.0.0.3', dst: '10.0.0.4', sport: 1, dport: 80, start: 1e6, end: 1e6 }]), now);
  tracker.flush();
  t.equal(rows.length, 0, 'the clock stopped at now + maxClockLeadUs');
  t.ok(tracker.stats().clockUs <= now + 60 * SEC, 'a minute ahead at most');
});

t.test('a flow half an hour ahead of the wall clock does not time out a session early', async (t) => {
  const { tracker, rows } = collecting({ timeout: 7200 });
  const now = T0 + 10_000 * SEC;
  // idle for 7,000 s of its 7,200 s timeout
  tracker.ingest(flows([{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 80, start: 2990, end: 3000 }]), now);
  tracker.ingest(flows([{ src: '10.0.0.3', dst: '10.0.0.4', sport: 1, dport: 80, start: 11_790, end: 11_800 }]), now);
  tracker.flush();
  t.equal(rows.length, 0, 'still active: the clock did not jump half an hour');
  tracker.expire(now + 300 * SEC);
  tracker.flush();
  t.equal(rows.length, 1, 'it times out when the wall clock gets there');
});

t.test('toolong: long sessions become records of at most toolong, counters split by time', async (t) => {
  // one flow of 10 h, 1000 packets, toolong 8 h: 800 in the first 8 h, 200 after
  let rows = assemble([{ src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 22, pkts: 1000, bytes: 100000, start: 0, end: 10 * H }], { toolong: 8 * H, timeout: 0 });
  t.match(rows, [
    { startS: 0, endS: 8 * H, clnpkts: 800, clnbyts: 80000, flows: 1 },
    { startS: 8 * H, endS: 10 * H, clnpkts: 200, clnbyts: 20000, flows: 1 },
  ]);
  // hourly flows of both directions for 20 h, toolong 8 h: 3 records, each at most 8 h
  const specs: FlowSpec[] = [];
  for (let h = 0; h < 20; h++) {
    specs.push({ src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 22, pkts: 10, bytes: 1000, start: h * H, end: (h + 1) * H });
    specs.push({ src: '10.0.0.2', dst: '10.0.0.1', sport: 22, dport: 50000, pkts: 20, bytes: 3000, start: h * H, end: (h + 1) * H });
  }
  rows = assemble(specs, { toolong: 8 * H, timeout: 0 });
  t.equal(rows.length, 3);
  t.same(rows.map((r) => [r['startS'], r['endS']]), [[0, 8 * H], [8 * H, 16 * H], [16 * H, 20 * H]]);
  t.same(rows.map((r) => [r['clnpkts'], r['srvpkts'], r['clnbyts'], r['srvbyts']]), [[80, 160, 8000, 24000], [80, 160, 8000, 24000], [40, 80, 4000, 12000]]);
  t.ok(rows.every((r) => r['clnip'] === '10.0.0.1' && r['srvport'] === 22));
  // toolong 0: one record
  rows = assemble(specs, { toolong: 0, timeout: 0 });
  t.equal(rows.length, 1);
  t.match(rows[0], { clnpkts: 200, srvpkts: 400, flows: 40 });
  // a flow starting before the session (late record): the record so far is cut too
  rows = assemble(
    [
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 22, pkts: 100, start: 5 * H, end: 7 * H },
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 22, pkts: 10, start: 0, end: 1 * H },
    ],
    { toolong: 6 * H, timeout: 0 },
  );
  t.match(rows, [
    { startS: 0, endS: 6 * H, clnpkts: 60, flows: 2 },
    { startS: 6 * H, endS: 7 * H, clnpkts: 50, flows: 1 },
  ]);
});

t.test('a flow longer than 1024 × toolong is clipped to that (a broken start time), counters kept', async (t) => {
  const c = collecting({ toolong: 1, timeout: 0, batchRows: 4096 });
  c.tracker.ingest(flows([{ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, pkts: 5000, bytes: 77777, start: 0, end: 5000 }]), 0);
  c.tracker.drain();
  t.equal(c.tracker.stats().clipped, 1);
  t.equal(c.rows.length, 1024);
  t.equal(c.rows[0]!['startS'], 5000 - 1024);
  t.equal(c.rows.reduce((a, r) => a + (r['clnpkts'] as number), 0), 5000);
  t.equal(c.rows.reduce((a, r) => a + (r['clnbyts'] as number), 0), 77777);
});

t.test('a full table evicts the least recently updated session, and loses nothing', async (t) => {
  const { tracker, rows } = collecting({ conntracksize: 3, timeout: 0 });
  const f = (n: number, pkts = 1): FlowSpec => ({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000 + n, dport: 80, pkts });
  tracker.ingest(flows([f(1), f(2), f(3)]), 0);
  tracker.ingest(flows([f(1, 5)]), 0); // 1 is now the most recently updated
  tracker.ingest(flows([f(4)]), 0); // evicts 2
  tracker.flush();
  t.same(rows.map((r) => r['clnport']), [40002]);
  tracker.ingest(flows([f(5)]), 0); // evicts 3
  tracker.ingest(flows([f(2, 2)]), 0); // 2 again: a new record; evicts 1
  tracker.flush();
  t.same(rows.map((r) => r['clnport']), [40002, 40003, 40001]);
  t.equal(rows[2]!['clnpkts'], 6);
  t.equal(tracker.stats().emitted.evicted, 3);
  t.ok(tracker.stats().active <= 3);
  tracker.drain();
  t.equal(rows.reduce((a, r) => a + (r['clnpkts'] as number), 0), 1 + 1 + 1 + 5 + 1 + 1 + 2);
});

t.test('the table against a model: growth, index deletions, free slots and LRU order over 40,000 flows', async (t) => {
  const cap = 3000;
  const { tracker, rows } = collecting({ conntracksize: cap, timeout: 0, batchRows: 512 });
  const model = new Map<string, { pkts: number; flows: number }>(); // insertion order = LRU order
  const want: string[] = [];
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let batch = 0; batch < 40; batch++) {
    const specs: FlowSpec[] = [];
    for (let k = 0; k < 1000; k++) {
      const id = (next() >>> 8) % (batch < 20 ? 2500 : 6000); // first within capacity, then far beyond it
      const pkts = 1 + ((next() >>> 8) % 9);
      const key = `10.${(id >> 8) & 255}.${id & 255}.1:${40000 + (id % 7)}`;
      specs.push({ src: key.split(':')[0]!, dst: '192.0.2.80', sport: Number(key.split(':')[1]), dport: 80, pkts });
      const m = model.get(key);
      if (m !== undefined) {
        model.delete(key);
        model.set(key, { pkts: m.pkts + pkts, flows: m.flows + 1 });
      } else {
        if (model.size === cap) {
          const [oldKey, old] = model.entries().next().value as [string, { pkts: number; flows: number }];
          model.delete(oldKey);
          want.push(`${oldKey} ${old.pkts}/${old.flows}`);
        }
        model.set(key, { pkts, flows: 1 });
      }
    }
    tracker.ingest(flows(specs), 0);
  }
  for (const [k, m] of model) want.push(`${k} ${m.pkts}/${m.flows}`);
  tracker.drain();
  const got = rows.map((r) => `${r['clnip']}:${r['clnport']} ${r['clnpkts']}/${r['flows']}`);
  t.equal(got.length, want.length, 'as many records as the model');
  t.same(got, want, 'same records in the same order');
  t.ok(tracker.stats().emitted.evicted > 5000, `${tracker.stats().emitted.evicted} evictions`);
});

t.test('snapshot: tracked sessions with their counters so far', async (t) => {
  const { tracker, rows } = collecting({ batchRows: 100 });
  tracker.ingest(
    flows([
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, pkts: 3 },
      { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000, pkts: 4 },
      { src: '10.0.0.3', dst: '10.0.0.2', sport: 40000, dport: 443, pkts: 1 },
    ]),
    0,
  );
  const snap = tracker.snapshot();
  t.equal(snap.rows, 2);
  const got = rowsOf(snap.cols, snap.rows);
  t.match(got, [{ clnip: '10.0.0.1', clnpkts: 3, srvpkts: 4, flows: 2 }, { clnip: '10.0.0.3', srvport: 443, clnpkts: 1 }]);
  t.equal(tracker.size, 2, 'a snapshot leaves the sessions tracked');
  tracker.ingest(flows([{ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, pkts: 1 }]), 0);
  t.equal(got[0]!['clnpkts'], 3, 'the snapshot is a copy');
  tracker.drain();
  t.match(rows, [{ clnip: '10.0.0.3' }, { clnip: '10.0.0.1', clnpkts: 4 }]);
  t.equal(tracker.snapshot().rows, 0);
});

t.test('batches: full batches go to the sink as they fill, the rest on flush', async (t) => {
  const { tracker, rows, batches } = collecting({ batchRows: 4, conntracksize: 2, timeout: 0 });
  const specs: FlowSpec[] = [];
  for (let n = 0; n < 11; n++) specs.push({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000 + n, dport: 80 });
  tracker.ingest(flows(specs), 0);
  t.same(batches, [4, 4], '9 evicted: two full batches handed over, one row pending');
  t.equal(tracker.stats().pendingRows, 1);
  tracker.flush();
  t.same(batches, [4, 4, 1]);
  tracker.drain();
  t.same(batches, [4, 4, 1, 2]);
  t.equal(new Set(rows.map((r) => r['clnport'])).size, 11);
});

t.test('a throwing sink keeps its rows for the next flush; callbacks cannot re-enter', async (t) => {
  let fail = true;
  let got = 0;
  const tracker = new SessionTracker({
    conntracksize: 1,
    timeout: 0,
    batchRows: 1,
    onSessions: (_c, n) => {
      if (fail) throw new Error('disk full');
      got += n;
    },
  });
  const f = (n: number): FlowSpec => ({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000 + n, dport: 80 });
  // evicting 1 fills the batch; the sink fails after every flow of the batch was merged
  t.throws(() => tracker.ingest(flows([f(1), f(2)]), 0), /disk full/);
  t.equal(tracker.stats().pendingRows, 1);
  t.equal(tracker.stats().flows, 2);
  fail = false;
  tracker.drain();
  t.equal(got, 2, 'the retained row and the last session');
  // a services table that throws leaves no half-made session behind
  let boom = false;
  const c = collecting({
    isServicePort: (p) => {
      if (boom) throw new Error('services file unreadable');
      return p < 1024;
    },
  });
  c.tracker.ingest(flows([f(1)]), 0);
  boom = true;
  t.throws(() => c.tracker.ingest(flows([f(2)]), 0), /services file/);
  boom = false;
  c.tracker.ingest(flows([f(2), f(1)]), 0);
  c.tracker.drain();
  t.match(c.rows, [{ clnport: 40002, flows: 1 }, { clnport: 40001, flows: 2 }]);
  const re = new SessionTracker({ onSessions: () => re.flush() });
  re.ingest(flows([f(1)]), 0);
  t.match(caught(() => re.drain()), { code: 'REENTRANT' });
});

t.test('bad options and times are refused with clear errors', async (t) => {
  const sink = (): void => {};
  const bad: [Partial<SessionTrackerOptions>, string][] = [
    [{ conntracksize: 0 }, 'conntracksize'],
    [{ conntracksize: 1.5 }, 'conntracksize'],
    [{ timeout: -1 }, 'timeout'],
    [{ timeout: Number.NaN }, 'timeout'],
    [{ toolong: 0.5 }, 'toolong'],
    [{ batchRows: 0 }, 'batchRows'],
    [{ isServicePort: 3 as unknown as () => boolean }, 'isServicePort'],
  ];
  for (const [o, name] of bad) {
    const e = caught(() => new SessionTracker({ onSessions: sink, ...o }));
    t.match(e, { code: 'BAD_OPTION', option: name, message: new RegExp(name) }, name);
  }
  t.match(caught(() => new SessionTracker({} as SessionTrackerOptions)), { code: 'BAD_OPTION', option: 'onSessions' });
  const tr = new SessionTracker({ onSessions: sink });
  t.match(caught(() => tr.ingest(new FlowBatch(), -1)), { code: 'BAD_TIME', message: /nowUs/ });
  t.match(caught(() => tr.expire(Number.POSITIVE_INFINITY)), { code: 'BAD_TIME' });
  t.equal(tr.options.conntracksize, 447_248, 'FlowTraq default conntracksize');
  t.equal(tr.options.timeout, 7200);
  t.equal(tr.options.toolong, 28_800);
});

t.test('services tables', async (t) => {
  t.ok(defaultIsServicePort(22, 6) && defaultIsServicePort(1023, 17) && defaultIsServicePort(3306, 6) && defaultIsServicePort(27017, 6));
  t.notOk(defaultIsServicePort(0, 6) || defaultIsServicePort(1024, 6) || defaultIsServicePort(50000, 17));
  const table = servicePortTable({ tcp: [7777], udp: [9999], wellKnown: false });
  t.ok(table(7777, 6) && table(9999, 17) && table(7777, 132));
  t.notOk(table(80, 6) || table(7777, 17));
  t.match(caught(() => servicePortTable({ tcp: [80, 70000], udp: [] })), { code: 'BAD_OPTION', message: /tcp port 70000/ });
  const r = assemble([{ src: '10.0.0.9', dst: '10.0.0.1', sport: 7777, dport: 80 }], { isServicePort: table });
  t.match(r, [{ clnip: '10.0.0.1', clnport: 80, srvport: 7777 }], 'an injected table decides');
});

/** Random flows over small pools, so that keys collide, directions pair and sessions split. */
const flowArb = fc.record({
  a: fc.integer({ min: 0, max: 5 }),
  b: fc.integer({ min: 0, max: 5 }),
  pa: fc.constantFrom(0, 53, 80, 443, 40000, 50000),
  pb: fc.constantFrom(0, 53, 80, 443, 40000, 50000),
  proto: fc.constantFrom(6, 17, 1, 58, 50),
  exporter: fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::ff'),
  pkts: fc.integer({ min: 0, max: 1000 }),
  bytes: fc.integer({ min: 0, max: 1_000_000 }),
  revPkts: fc.integer({ min: 0, max: 50 }),
  revBytes: fc.integer({ min: 0, max: 5000 }),
  biflow: fc.boolean(),
  icmp: fc.constantFrom(0x0800, 0x0000, 0x0303, 0x8000, 0x8100),
  start: fc.integer({ min: 0, max: 30 * H }),
  dur: fc.integer({ min: 0, max: 3 * H }),
  flags: fc.integer({ min: 0, max: 255 }),
});

t.test('property: every packet and byte ingested comes out exactly once', async (t) => {
  const addr = ['10.0.0.1', '10.0.0.2', '8.8.8.8', '2001:db8::1', '2001:db8::2', '::ffff:10.0.0.3'];
  fc.assert(
    fc.property(
      fc.array(fc.array(flowArb, { maxLength: 40 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(0, 60, 3600),
      fc.constantFrom(0, 1800, 3600, 8 * H),
      fc.integer({ min: 1, max: 7 }),
      (batches, size, timeout, toolong, batchRows) => {
        const c = collecting({ conntracksize: size, timeout, toolong, batchRows });
        let pkts = 0;
        let bytes = 0;
        let n = 0;
        for (const specs of batches) {
          const b = flows(
            specs.map((s) => ({
              src: addr[s.a]!, dst: addr[s.b]!, sport: s.pa, dport: s.proto === 1 || s.proto === 58 ? s.icmp : s.pb, proto: s.proto,
              exporter: s.exporter, pkts: s.pkts, bytes: s.bytes, biflow: s.biflow ? 1 : 0,
              revPkts: s.biflow ? s.revPkts : 0, revBytes: s.biflow ? s.revBytes : 0,
              start: s.start, end: s.start + s.dur, flags: s.flags,
            })),
          );
          for (const s of specs) {
            pkts += s.pkts + (s.biflow ? s.revPkts : 0);
            bytes += s.bytes + (s.biflow ? s.revBytes : 0);
          }
          n += specs.length;
          c.tracker.ingest(b, 0);
          if (c.tracker.stats().active > size) return false;
        }
        c.tracker.drain();
        const outP = c.rows.reduce((a, r) => a + (r['clnpkts'] as number) + (r['srvpkts'] as number), 0);
        const outB = c.rows.reduce((a, r) => a + (r['clnbyts'] as number) + (r['srvbyts'] as number), 0);
        const st = c.tracker.stats();
        const emitted = Object.values(st.emitted).reduce((a, v) => a + v, 0);
        return (
          outP === pkts &&
          outB === bytes &&
          st.flows === n &&
          emitted === c.rows.length &&
          c.batches.every((k) => k >= 1) &&
          c.rows.every((r) => (r['end'] as number) >= (r['start'] as number) && (toolong === 0 || (r['end'] as number) - (r['start'] as number) <= toolong * SEC))
        );
      },
    ),
    { numRuns: 300, seed: 20240601 },
  );
  t.pass('conservation held');
});

t.test('property: sessions are the same however the flows are cut into batches', async (t) => {
  const addr = ['10.0.0.1', '10.0.0.2', '8.8.8.8'];
  fc.assert(
    fc.property(fc.array(flowArb, { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (specs, cut) => {
      const list: FlowSpec[] = specs.map((s) => ({
        src: addr[s.a % 3]!, dst: addr[s.b % 3]!, sport: s.pa, dport: s.pb, proto: s.proto === 1 || s.proto === 58 ? 6 : s.proto,
        pkts: s.pkts, bytes: s.bytes, start: s.start, end: s.start + s.dur, flags: s.flags,
      }));
      const one = assemble(list, { timeout: 0 });
      const c = collecting({ timeout: 0 });
      for (let i = 0; i < list.length; i += cut) c.tracker.ingest(flows(list.slice(i, i + cut)), 0);
      c.tracker.drain();
      return JSON.stringify(one) === JSON.stringify(c.rows);
    }),
    { numRuns: 100, seed: 7 },
  );
  t.pass('batch boundaries do not matter');
});

t.test('property: NSEL connections add up to their teardown totals, whatever leaves the table when', async (t) => {
  const connArb = fc.record({
    created: fc.integer({ min: 0, max: 2000 }),
    steps: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3000 }), bytes: fc.integer({ min: 0, max: 5000 }), revBytes: fc.integer({ min: 0, max: 5000 }) }), { maxLength: 8 }),
    missed: fc.integer({ min: 0, max: 3000 }),
    withCreate: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.array(connArb, { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(0, 1800, 3600),
      fc.constantFrom(0, 3600, 4 * H),
      fc.integer({ min: 1, max: 4 }),
      (conns, order, size, timeout, toolong, perBatch) => {
        // each connection's records in time order: [create], updates (deltas), teardown (totals)
        const queues = conns.map((cn, k) => {
          const c: FlowSpec = { src: '10.1.1.1', dst: '172.16.0.5', sport: 50000 + k, dport: 443, nsel: 1, biflow: 1, pkts: 0, bytes: 0, start: cn.created };
          const q: FlowSpec[] = cn.withCreate ? [{ ...c, event: 1 }] : [];
          let end = cn.created;
          let bytes = 0;
          let revBytes = 0;
          for (const st of cn.steps) {
            end += st.gap;
            bytes += st.bytes;
            revBytes += st.revBytes;
            q.push({ ...c, event: 5, bytes: st.bytes, revBytes: st.revBytes, end });
          }
          q.push({ ...c, event: 2, bytes: bytes + cn.missed, revBytes: revBytes + cn.missed, end: end + 1 });
          return q;
        });
        const want = queues.map((q) => q[q.length - 1]!);
        // interleave: `order` picks a queue (a pick of 5 or of an empty queue is a flow of another session)
        const stream: FlowSpec[] = [];
        let noise = 0;
        const take = (k: number): void => {
          const q = queues[k];
          if (q !== undefined && q.length > 0) stream.push(q.shift()!);
          else stream.push({ src: '10.9.9.9', dst: '10.8.8.8', sport: 1000 + (noise++ % 7), dport: 53, proto: 17, start: stream.length, pkts: 1, bytes: 1 });
        };
        for (const k of order) take(k);
        for (let k = 0; k < queues.length; k++) while (queues[k]!.length > 0) take(k);
        const c = collecting({ conntracksize: size, timeout, toolong });
        for (let i = 0; i < stream.length; i += perBatch) c.tracker.ingest(flows(stream.slice(i, i + perBatch)), 0);
        c.tracker.drain();
        return want.every((w) => {
          const rs = c.rows.filter((r) => r['clnip'] === '10.1.1.1' && r['clnport'] === w.sport);
          const bytes = rs.reduce((a, r) => a + (r['clnbyts'] as number), 0);
          const revBytes = rs.reduce((a, r) => a + (r['srvbyts'] as number), 0);
          const spans = rs.map((r) => [r['start'] as number, r['end'] as number]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
          const disjoint = spans.every((sp, j) => j === 0 || sp[0]! >= spans[j - 1]![1]!);
          return bytes === w.bytes && revBytes === w.revBytes && disjoint;
        });
      },
    ),
    { numRuns: 300, seed: 20240917 },
  );
  t.pass('every connection: its teardown totals, in pieces that do not overlap');
});

t.test('setTimeouts: a reload shortens timeout and toolong while sessions are tracked', async (t) => {
  const col = collecting({ timeout: 7200, toolong: 28800 });
  col.tracker.ingest(flows([{ src: '10.0.0.1', dst: '10.0.0.2', sport: 5000, dport: 80, proto: 6, start: 0, end: 10, pkts: 1, bytes: 100 }]), 0);
  col.tracker.expire(T0 + 100 * SEC);
  t.equal(col.rows.length, 0, 'idle 90 s: still tracked under a 7200 s timeout');
  col.tracker.setTimeouts(60, 30);
  t.equal(col.tracker.options.timeout, 60);
  col.tracker.expire(T0 + 100 * SEC);
  col.tracker.flush();
  t.equal(col.rows.length, 1, 'idle 90 s: emitted once the timeout is 60 s');
  t.equal(col.tracker.stats().emitted.timeout, 1);
  // toolong 30 s now: a 100-second session is stored in pieces
  col.tracker.ingest(flows([{ src: '10.0.0.3', dst: '10.0.0.4', sport: 5001, dport: 80, proto: 6, start: 200, end: 300, pkts: 10, bytes: 1000 }]), 0);
  col.tracker.drain();
  t.ok(col.rows.length >= 4, `the long session came out in ${col.rows.length - 1} pieces of at most 30 s`);
  t.throws(() => col.tracker.setTimeouts(-1, 30), /timeout/, 'a bad value is refused');
  t.equal(col.tracker.options.timeout, 60, 'and nothing changed');
});
