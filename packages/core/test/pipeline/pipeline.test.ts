// The ingest pipeline: every NetFlow/IPFIX/NSEL/sFlow capture of the corpus through it (packets and bytes
// conserved, the same sessions as decoder + tracker by hand), enrichment and services applied, counters,
// batching and ticks, a failing sink that loses nothing, exporter clocks, and bad input refused with its error code.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlowBatch, FlowDecoder, IpfixStreamFramer } from '../../src/decode/index.js';
import { openEnrichment, ServiceNames } from '../../src/enrich/index.js';
import { allocColumns, COLUMN_DEFS, packCountry, type Columns } from '../../src/fields/columns.js';
import { findField } from '../../src/fields/fields.js';
import { formatIpAt, parseIp, setIpAt } from '../../src/fields/ipcodec.js';
import { parsePacket, readPcap, TcpReassembler } from '../../src/pcap/index.js';
import { IngestPipeline, PipelineError, type IngestPipelineOptions } from '../../src/pipeline/index.js';
import { ColumnStore } from '../../src/store/index.js';
import { SessionError, SessionTracker } from '../../src/session/index.js';
import { Bytes, concat, set, v5, v9, v9OptionsTemplate, v9Templates, type Field, type FixedRecord } from '../decode/build.js';
import { CORPUS, corpusIndex } from '../decode/corpusreplay.js';
import { datagram as sflowDatagram, ethernet, flowSampleV5, ipv4, sampledHeader, tcp, tlv } from '../decode/sflowbuild.js';

type Row = Record<string, number | string>;

function rows(cols: Columns, n: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r: Row = {};
    for (const d of COLUMN_DEFS) r[d.name] = d.type === 'ip' ? formatIpAt(cols[d.name] as Uint32Array, i) : cols[d.name][i]!;
    out.push(r);
  }
  return out;
}

/** A pipeline whose sessions are collected as plain rows; enrichment off unless given. */
function collecting(opts: Partial<IngestPipelineOptions> = {}): { p: IngestPipeline; out: Row[] } {
  const out: Row[] = [];
  const p = new IngestPipeline({ enrichment: null, ...opts, onSessions: opts.onSessions ?? ((cols, n) => out.push(...rows(cols, n))) });
  return { p, out };
}

/** What a capture holds for a collector: UDP datagrams and IPFIX messages cut from TCP streams, in order. */
type Unit = { udp: true; src: string; payload: Uint8Array } | { udp: false; src: string; session: string; msg: Uint8Array } | { closed: string; src: string };

function units(inputs: readonly string[]): Unit[] {
  const out: Unit[] = [];
  for (const input of inputs) {
    const file = readPcap(new Uint8Array(readFileSync(CORPUS + input)));
    const tcp = new TcpReassembler();
    const framers = new Map<string, IpfixStreamFramer>();
    for (const pkt of file.packets) {
      const ip = parsePacket(pkt.data, file.linkType);
      if (ip === null || ip.fragment) continue;
      if (ip.proto === 17 && ip.payload.length > 0) out.push({ udp: true, src: ip.src, payload: ip.payload.slice() });
      else if (ip.proto === 6 && (ip.dstPort === 4739 || ip.srcPort === 4739)) {
        const bytes = tcp.push(ip);
        const key = TcpReassembler.key(ip);
        let fr = framers.get(key);
        if (fr === undefined) framers.set(key, (fr = new IpfixStreamFramer()));
        if (bytes.length > 0) fr.push(bytes, (msg) => out.push({ udp: false, src: ip.src, session: String(ip.srcPort), msg: msg.slice() }));
        if ((ip.tcp!.flags & 1) !== 0 && ip.dstPort === 4739) out.push({ closed: String(ip.srcPort), src: ip.src });
      }
    }
  }
  return out;
}

/** Capture groups in replay order (a capture after the ones holding its templates), with their kind. */
function jobs(): { inputs: string[]; sflow: boolean }[] {
  const seen = new Set<string>();
  const out: { inputs: string[]; sflow: boolean }[] = [];
  for (const e of corpusIndex()) {
    const inputs = e.expected === null ? [...e.requires_before, e.path] : e.expected_inputs;
    const k = inputs.join('+');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ inputs, sflow: e.format === 'sflow' });
  }
  return out;
}

const sum = (rs: Row[], ...cols: string[]): number => rs.reduce((a, r) => a + cols.reduce((b, c) => b + (r[c] as number), 0), 0);
const sessionKey = (r: Row): string =>
  ['expip', 'srcid', 'clnip', 'clnport', 'srvip', 'srvport', 'proto', 'clnpkts', 'clnbyts', 'srvpkts', 'srvbyts', 'flags', 'flows', 'start', 'end'].map((c) => r[c]).join(' ');

t.test('corpus captures through the pipeline', async (t) => {
  let captures = 0;
  let datagrams = 0;
  let sessions = 0;
  for (const job of jobs()) {
    const us = units(job.inputs);
    // the pipeline, merging every 7 flows (batch boundaries inside datagrams), ticking every 10 units
    const { p, out } = collecting({ ingestFlows: 7, batchRows: 5 });
    us.forEach((u, i) => {
      if ('closed' in u) p.tcpClosed(u.src, u.closed);
      else if (u.udp) p.datagram(job.sflow ? 'sflow' : 'netflow', u.payload, u.src, 0);
      else p.tcpMessage(u.msg, u.src, u.session, 0);
      if (i % 10 === 9) p.tick(0);
    });
    p.drain();
    // by hand: the decoder into one batch, then one tracker ingest
    const dec = new FlowDecoder();
    const batch = new FlowBatch(64);
    for (const u of us) {
      if ('closed' in u) dec.forget(`${u.src}#${u.closed}`);
      else if (u.udp) (job.sflow ? dec.decodeSflow(u.payload, u.src, { nowMs: 0 }, batch) : dec.decode(u.payload, u.src, { nowMs: 0 }, batch));
      else dec.decode(u.msg, u.src, { nowMs: 0, transport: 'tcp', session: u.session }, batch);
    }
    const ref: Row[] = [];
    const tracker = new SessionTracker({ onSessions: (cols, n) => ref.push(...rows(cols, n)), isServicePort: (port, proto) => p.services.isServicePort(port, proto) });
    tracker.ingest(batch, 0);
    tracker.drain();

    const name = job.inputs.join(' + ');
    const c = p.counters();
    t.equal(c.flows, batch.length, `${name}: ${batch.length} flows decoded`);
    t.same(c.decoder, dec.counters(), `${name}: decoder counters as by hand`);
    t.equal(c.sessions, out.length, `${name}: sessions counted`);
    t.same(out.map(sessionKey).sort(), ref.map(sessionKey).sort(), `${name}: the same ${ref.length} sessions as decoder + tracker`);
    let nsel = false;
    let pkts = 0;
    let bytes = 0;
    for (let i = 0; i < batch.length; i++) {
      if (batch.nsel[i] === 1) nsel = true;
      pkts += batch.packets[i]! + batch.revPackets[i]!;
      bytes += batch.bytes[i]! + batch.revBytes[i]!;
    }
    // NSEL teardown records repeat the totals of the updates before them: the tracker counts them once
    if (!nsel) {
      t.equal(sum(out, 'clnpkts', 'srvpkts'), pkts, `${name}: packets conserved`);
      t.equal(sum(out, 'clnbyts', 'srvbyts'), bytes, `${name}: bytes conserved`);
    }
    captures += job.inputs.length;
    datagrams += c.datagrams.netflow + c.datagrams.sflow + c.datagrams.tcp;
    sessions += out.length;
    if (job.sflow) t.ok(c.datagrams.sflow > 0 && c.datagrams.netflow === 0, `${name}: sFlow datagrams decoded as sFlow`);
  }
  t.ok(captures >= 134, `${captures} captures, ${datagrams} datagrams / messages, ${sessions} sessions`);
});

t.test('IPFIX over TCP: messages per connection, state forgotten when it closes', async (t) => {
  const us = units(['ipfix/ipfixcol2-example_flows-over-tcp.pcap']);
  const { p, out } = collecting();
  const msgs = us.filter((u) => !('closed' in u) && !u.udp);
  t.ok(msgs.length > 0, `${msgs.length} IPFIX messages from the TCP stream`);
  for (const u of us) if (!('closed' in u) && !u.udp) p.tcpMessage(u.msg, u.src, u.session, 1_700_000_000_000);
  const keys = p.decoder.exporterKeys();
  t.equal(keys.length, 1, 'one exporter state');
  t.match(keys[0], /#\d+$/, 'kept per connection');
  t.equal(p.counters().datagrams.tcp, msgs.length, 'counted as TCP messages');
  const [src, session] = keys[0]!.split('#') as [string, string];
  p.tcpClosed(src, session);
  t.same(p.decoder.exporterKeys(), [], 'forgotten when the connection closes');
  p.drain();
  t.ok(out.length > 0, `${out.length} sessions`);
});

// A NetFlow v5 datagram: 10.0.0.1:40000 ⇄ 10.0.0.2:50000 (TCP, SYN|ACK both ways), 8.8.8.8 → 1.1.1.1 DNS with AS numbers.
const EXPORT_SECS = 1_700_000_000;
function datagram(...recs: FixedRecord[]): Uint8Array {
  return v5({ uptime: 100_000, secs: EXPORT_SECS }, ...recs);
}
const fwd: FixedRecord = { src: '10.0.0.1', dst: '10.0.0.2', packets: 10, octets: 1000, first: 90_000, last: 95_000, srcPort: 40000, dstPort: 50000, proto: 6, tcpFlags: 0x12 };
const rev: FixedRecord = { src: '10.0.0.2', dst: '10.0.0.1', packets: 8, octets: 6000, first: 90_001, last: 95_001, srcPort: 50000, dstPort: 40000, proto: 6, tcpFlags: 0x12 };
const dns: FixedRecord = { src: '8.8.8.8', dst: '1.1.1.1', packets: 1, octets: 80, first: 99_000, last: 99_000, srcPort: 33333, dstPort: 53, proto: 17, dstAs: 64512 };
const NOW = EXPORT_SECS * 1000;

t.test('services: the ServiceNames given decide which side is the server', async (t) => {
  const plain = collecting({ services: ServiceNames.parse('', 'none') });
  plain.p.datagram('netflow', datagram(fwd, rev), '192.0.2.99', NOW);
  plain.p.drain();
  t.match(plain.out, [{ clnip: '10.0.0.1', clnport: 40000, srvip: '10.0.0.2', srvport: 50000 }], 'no service port: the first flow names the client');
  const named = collecting({ services: ServiceNames.parse('mysvc 40000/tcp\n', 'test') });
  named.p.datagram('netflow', datagram(fwd, rev), '192.0.2.99', NOW);
  named.p.drain();
  t.match(named.out, [{ clnip: '10.0.0.2', clnport: 50000, srvip: '10.0.0.1', srvport: 40000, clnpkts: 8, srvpkts: 10 }], '40000/tcp named in the services file: that side is the server');
  t.equal(named.p.services.name(40000, 6), 'mysvc');
});

t.test('enrichment: country and AS before onSessions, in snapshots too; exporter AS kept', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-pipeline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'cc.csv'), '8.8.8.0,8.8.8.255,US\n1.1.1.0,1.1.1.255,AU\n');
  writeFileSync(path.join(dir, 'asn.csv'), '8.8.8.0,8.8.8.255,15169,Google LLC\n1.1.1.0,1.1.1.255,13335,Cloudflare\n');
  const enrichment = openEnrichment({ countryFile: path.join(dir, 'cc.csv'), asnFile: path.join(dir, 'asn.csv') });
  const { p, out } = collecting({ enrichment });
  t.equal(p.enrichment, enrichment);
  p.datagram('netflow', datagram(dns), '192.0.2.99', NOW);
  const snap = p.snapshot();
  t.match(rows(snap.cols, snap.rows), [{ clnip: '8.8.8.8', clncc: packCountry('US'), srvcc: packCountry('AU'), clnas: 15169, srvas: 64512 }], 'snapshot rows are enriched');
  p.drain();
  t.match(out, [{ clnip: '8.8.8.8', srvip: '1.1.1.1', clncc: packCountry('US'), srvcc: packCountry('AU'), clnas: 15169, srvas: 64512 }], 'the exporter sent dstAs 64512: kept; srcAs 0: filled from the data');
});

t.test('enrichment by default: the bundled data', async (t) => {
  const { p, out } = collecting({ enrichment: undefined });
  t.not(p.enrichment, null, 'loaded');
  p.datagram('netflow', datagram(dns), '192.0.2.99', NOW);
  p.drain();
  t.match(out, [{ clnip: '8.8.8.8', clnas: 15169, clncc: packCountry('US') }], '8.8.8.8: Google, US');
});

t.test('batching: flows wait for ingestFlows or a tick; counters', async (t) => {
  const { p, out } = collecting({ ingestFlows: 100, timeout: 60 });
  const r = p.datagram('netflow', datagram(fwd, rev, dns), '192.0.2.99', NOW);
  t.match(r, { version: 5, flows: 3, dropped: null }, 'the decode result is returned');
  let c = p.counters();
  t.equal(c.pendingFlows, 3, 'gathered, not merged yet');
  t.equal(c.tracker.flows, 0);
  t.equal(p.size, 0);
  p.tick(NOW);
  c = p.counters();
  t.equal(c.pendingFlows, 0, 'merged at the tick');
  t.equal(c.tracker.flows, 3);
  t.equal(p.size, 2, 'two sessions tracked');
  t.same(out, [], 'nothing finished yet');
  const bad = p.datagram('netflow', Uint8Array.from([0, 42, 0, 0]), '192.0.2.98', NOW);
  t.equal(bad.dropped, 'bad_version', 'malformed input is counted, not thrown');
  p.datagram('sflow', Uint8Array.from([0, 0, 0, 9]), '192.0.2.97', NOW);
  c = p.counters();
  t.same(c.datagrams, { netflow: 2, sflow: 1, tcp: 0 });
  t.equal(c.decoder.bad_version, 2);
  t.same([...c.exporters.keys()].sort(), ['192.0.2.97', '192.0.2.98', '192.0.2.99']);
  t.equal(c.exporters.get('192.0.2.99')!.flows, 3, 'decoder counters per exporter');
  t.equal(c.exporters.get('192.0.2.98')!.bad_version, 1);
  // 61 s later the sessions are idle longer than timeout: the tick emits them
  p.tick(NOW + 61_000);
  p.flush();
  t.equal(out.length, 2, 'idle sessions emitted by the tick, delivered by flush');
  c = p.counters();
  t.equal(c.sessions, 2);
  t.equal(c.tracker.emitted.timeout, 2);
  t.equal(sum(out, 'clnpkts', 'srvpkts'), 19);
});

t.test('a failing onSessions loses nothing and counts nothing twice', async (t) => {
  let failing = true;
  const out: Row[] = [];
  let calls = 0;
  // one slot and one row per batch: every new session evicts the previous one, mid-ingest
  const p = new IngestPipeline({
    enrichment: null,
    conntracksize: 1,
    batchRows: 1,
    ingestFlows: 4,
    maxBacklogFlows: 8,
    onSessions: (cols, n) => {
      calls++;
      if (failing) throw new Error('store unavailable');
      out.push(...rows(cols, n));
    },
  });
  const recs: FixedRecord[] = [];
  for (let i = 0; i < 6; i++) recs.push({ ...dns, src: `10.1.0.${i + 1}`, packets: i + 1, octets: 100 * (i + 1) });
  t.throws(() => p.datagram('netflow', datagram(...recs), '192.0.2.99', NOW), /store unavailable/, 'the sink error comes out of datagram()');
  const c = p.counters();
  t.ok(c.pendingFlows > 0 && c.pendingFlows < 6, `${c.pendingFlows} flows not merged yet are kept`);
  t.equal(c.tracker.created + c.tracker.updated + c.pendingFlows, 6, 'merged + kept = decoded');
  // the backlog (8) fills up: a datagram is refused when merging fails again
  t.throws(() => p.datagram('netflow', datagram(recs[0]!, recs[1]!, recs[2]!, recs[3]!), '192.0.2.99', NOW), /store unavailable/);
  t.throws(() => p.datagram('netflow', datagram(recs[4]!), '192.0.2.99', NOW), /store unavailable/, 'full backlog: refused');
  t.equal(p.counters().refused, 1, 'counted as refused');
  failing = false;
  p.drain();
  t.ok(calls > out.length, 'the sink was called again after failing');
  t.equal(sum(out, 'clnpkts', 'srvpkts'), 21 + 10, 'every packet of the accepted datagrams, once');
  t.equal(p.counters().pendingFlows, 0);
  t.equal(p.counters().sessions, out.length);
});

t.test('onSessions must not call back into the pipeline', async (t) => {
  let p: IngestPipeline | undefined;
  p = new IngestPipeline({ enrichment: null, onSessions: () => p!.flush() });
  p.datagram('netflow', datagram(dns), '192.0.2.99', NOW);
  t.throws(() => p!.drain(), { name: 'PipelineError', code: 'REENTRANT' });
});

t.test('exporter clocks: a skewed exporter\'s sessions land at the receive time, one notice; ignoreOldFlowsUs', async (t) => {
  const HOUR = 3_600_000;
  const { p, out } = collecting();
  // The exporter's clock (the v5 header) reads EXPORT_SECS while the collector's reads an hour and 120 ms later.
  const skewMs = HOUR + 120;
  p.datagram('netflow', datagram(fwd, rev), '192.0.2.99', NOW + skewMs);
  p.drain();
  t.equal(out.length, 1);
  // fwd starts 10 s before the export (uptime 90 000 of 100 000), rev ends 4.999 s before it.
  t.equal(out[0]!.start, (NOW - 10_000 + skewMs) * 1000, 'session start at the collector\'s time');
  t.equal(out[0]!.end, (NOW - 4_999 + skewMs) * 1000, 'session end at the collector\'s time');
  const events = p.drainEvents();
  t.match(events, [{ type: 'clock_skew', exporter: '192.0.2.99', skewMs, corrected: true }], 'one notice to log');
  t.same(p.drainEvents(), [], 'drained');
  t.equal(p.counters().exporters.get('192.0.2.99')!.clock_skew_corrected, 2);

  const DAY = 24 * HOUR;
  const old = collecting({ decoder: { ignoreOldFlowsUs: DAY * 1000 } });
  const r = old.p.datagram('netflow', datagram(fwd, rev), '192.0.2.99', NOW + 2 * DAY);
  t.match(r, { flows: 0, dropped: 'too_old' }, 'two days behind, ignoreoldnetflows: dropped');
  old.p.datagram('netflow', datagram(dns), '192.0.2.98', NOW + 2 * DAY);
  old.p.datagram('netflow', datagram(fwd), '192.0.2.97', NOW + HOUR);
  old.p.drain();
  t.match(old.out, [{ clnip: '10.0.0.1', start: (NOW - 10_000) * 1000 }], 'an hour behind: stored at its own time, not corrected');
  t.equal(old.p.counters().decoder.too_old, 3);
  t.match(old.p.drainEvents(), [{ exporter: '192.0.2.99', corrected: false }, { exporter: '192.0.2.98', corrected: false }, { exporter: '192.0.2.97', corrected: false }]);
  t.throws(() => collecting({ decoder: { ignoreOldFlowsUs: 86_400 } }), { name: 'DecoderConfigError', key: 'ignoreOldFlowsUs', message: /microseconds/ });
  t.throws(() => collecting({ decoder: { clockSkewThresholdMs: 10 } }), { name: 'DecoderConfigError', key: 'clockSkewThresholdMs' });
});

// NetFlow v9 flows of one TCP 5-tuple per exporter, from 10.9.0.<host>:40000 to 10.8.0.1:443, 3 packets
// 300 bytes; with a sampler id (IE 48) or a sampling interval (IE 34) in the record when asked.
const V9_FLOW: Field[] = [
  { id: 8, len: 4 }, { id: 12, len: 4 }, { id: 7, len: 2 }, { id: 11, len: 2 }, { id: 4, len: 1 }, { id: 6, len: 1 },
  { id: 2, len: 4 }, { id: 1, len: 4 }, { id: 22, len: 4 }, { id: 21, len: 4 },
];
function v9Flow(host: number, extra: 'sampler' | 'interval' | null, value = 0): Uint8Array {
  const fields = extra === null ? V9_FLOW : [...V9_FLOW, extra === 'sampler' ? { id: 48, len: 1 } : { id: 34, len: 4 }];
  const id = extra === null ? 300 : extra === 'sampler' ? 301 : 302;
  const rec = new Bytes().ip4(`10.9.0.${host}`).ip4('10.8.0.1').u16(40000).u16(443).u8(6).u8(0x12).u32(3).u32(300).u32(90_000).u32(95_000);
  if (extra === 'sampler') rec.u8(value);
  if (extra === 'interval') rec.u32(value);
  return v9({ uptime: 100_000, secs: EXPORT_SECS }, v9Templates({ id, fields }), set(id, rec.done()));
}
/** v9 options data of sampler 1 (rate 2000) and sampler 2 (rate 4000), system scope. */
const V9_SAMPLERS = v9(
  { uptime: 100_000, secs: EXPORT_SECS },
  v9OptionsTemplate(256, [{ id: 1, len: 4 }], [{ id: 48, len: 2 }, { id: 34, len: 4 }]),
  set(256, new Bytes().u32(0).u16(1).u32(2000).u32(0).u16(2).u32(4000).done()),
);
/** An sFlow v5 sample at 1 in 512 of a TCP packet 10.9.0.6:40000 → 10.8.0.1:443, 100 bytes of IP. */
const SFLOW_SAMPLE = sflowDatagram(
  { version: 5, agent: '192.0.2.16' },
  flowSampleV5({ rate: 512, input: 1, output: 2 }, tlv(1, sampledHeader(1, 118, 4, concat(ethernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x0800), ipv4({ src: '10.9.0.6', dst: '10.8.0.1', proto: 6, totalLength: 100 }, tcp(40000, 443, 0x12)))))),
);

t.test('sampling: every session keeps its rate and where the rate came from, through the store', async (t) => {
  const { p, out } = collecting({ decoder: { samplingOverrides: new Map([['192.0.2.14', 7]]) } });
  p.datagram('netflow', v5({ uptime: 100_000, secs: EXPORT_SECS, sampling: 0x4000 | 10 }, { ...fwd, src: '10.9.0.1', dst: '10.8.0.1', srcPort: 40000, dstPort: 443, packets: 3, octets: 300 }), '192.0.2.11', NOW);
  p.datagram('netflow', V9_SAMPLERS, '192.0.2.12', NOW);
  p.datagram('netflow', v9Flow(2, 'sampler', 2), '192.0.2.12', NOW);
  p.datagram('netflow', v9Flow(3, 'interval', 50), '192.0.2.13', NOW);
  p.datagram('netflow', V9_SAMPLERS, '192.0.2.14', NOW);
  p.datagram('netflow', v9Flow(4, 'sampler', 1), '192.0.2.14', NOW);
  p.datagram('netflow', v9Flow(5, null), '192.0.2.15', NOW);
  p.datagram('sflow', SFLOW_SAMPLE, '192.0.2.16', NOW);
  // an exporter whose options data comes after its first flow: the session keeps the sampled rate's origin
  p.datagram('netflow', v9Flow(7, 'sampler', 1), '192.0.2.17', NOW);
  p.datagram('netflow', V9_SAMPLERS, '192.0.2.17', NOW);
  p.datagram('netflow', v9Flow(7, 'sampler', 1), '192.0.2.17', NOW);
  p.drain();

  const origin = findField('SAMPLEORIGIN')!.source;
  const rate = findField('SAMPLERATE')!.source;
  t.ok(origin.kind === 'column' && rate.kind === 'column', 'SAMPLEORIGIN and SAMPLERATE are stored columns');
  const oc = origin.kind === 'column' ? origin.column : 'flows';
  const rc = rate.kind === 'column' ? rate.column : 'flows';
  // codes as docs/sessions.md lists them: 0 none, 1 header, 2 options, 3 record, 4 config
  const want = [
    { expip: '192.0.2.11', clnip: '10.9.0.1', rate: 10, origin: 1, clnpkts: 30, why: 'NetFlow v5 header interval: header' },
    { expip: '192.0.2.12', clnip: '10.9.0.2', rate: 4000, origin: 2, clnpkts: 12000, why: 'v9 sampler 2 from options data: options' },
    { expip: '192.0.2.13', clnip: '10.9.0.3', rate: 50, origin: 3, clnpkts: 150, why: 'v9 samplingInterval in the record: record' },
    { expip: '192.0.2.14', clnip: '10.9.0.4', rate: 7, origin: 4, clnpkts: 21, why: 'per-exporter override in the configuration: config' },
    { expip: '192.0.2.15', clnip: '10.9.0.5', rate: 1, origin: 0, clnpkts: 3, why: 'unsampled v9: none' },
    { expip: '192.0.2.16', clnip: '10.9.0.6', rate: 512, origin: 1, clnpkts: 512, why: 'sFlow sample rate: header' },
    { expip: '192.0.2.17', clnip: '10.9.0.7', rate: 2000, origin: 2, clnpkts: 3 + 6000, why: 'unsampled flow, then one sampled by options data: options' },
  ];
  const got = (r: Row) => ({ expip: r['expip'], clnip: r['clnip'], rate: r[rc], origin: r[oc], clnpkts: r['clnpkts'] });
  const byExporter = (rs: Row[]) => [...rs].sort((a, b) => String(a['expip']).localeCompare(String(b['expip']))).map(got);
  t.same(byExporter(out), want.map(({ why: _, ...w }) => w), want.map((w) => w.why).join('; '));

  const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-sampling-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cols = allocColumns(out.length);
  out.forEach((r, i) => {
    for (const d of COLUMN_DEFS) if (d.type !== 'ip') cols[d.name][i] = r[d.name] as number;
    setIpAt(cols.expip as Uint32Array, i, parseIp(r['expip'] as string)!);
    setIpAt(cols.clnip as Uint32Array, i, parseIp(r['clnip'] as string)!);
  });
  const store = ColumnStore.open(dir, { segmentCount: 4, segmentSize: 64 });
  store.append(cols, out.length);
  store.flush();
  store.close();
  const reopened = ColumnStore.open(dir, { segmentCount: 4, segmentSize: 64, readOnly: true });
  t.teardown(() => reopened.close());
  const segs = reopened.list();
  t.equal(segs.length, 1, 'one segment written');
  const read = reopened.open(segs[0]!).read(['expip', 'clnip', 'clnpkts', oc, rc]);
  const back: Row[] = Array.from({ length: out.length }, (_, i) => ({
    expip: formatIpAt(read.expip as Uint32Array, i),
    clnip: formatIpAt(read.clnip as Uint32Array, i),
    clnpkts: read.clnpkts![i]!,
    [oc]: read[oc]![i]!,
    [rc]: read[rc]![i]!,
  }));
  t.same(byExporter(back), want.map(({ why: _, ...w }) => w), 'the store keeps rate and origin');
});

t.test('bad input and options', async (t) => {
  const { p } = collecting();
  const buf = datagram(dns);
  t.throws(() => p.datagram('ipfix' as 'netflow', buf, '192.0.2.1', NOW), { code: 'BAD_INPUT', message: /kind must be 'netflow' or 'sflow'/ });
  t.throws(() => p.datagram('netflow', 'text' as unknown as Uint8Array, '192.0.2.1', NOW), { code: 'BAD_INPUT' });
  for (const bad of [NaN, -1, Infinity, '5' as unknown as number]) t.throws(() => p.datagram('netflow', buf, '192.0.2.1', bad), { code: 'BAD_TIME' }, String(bad));
  t.throws(() => p.tick(-5), { code: 'BAD_TIME' });
  t.throws(() => p.tcpMessage('x' as unknown as Uint8Array, '192.0.2.1', '1', NOW), { code: 'BAD_INPUT' });
  t.equal(p.counters().datagrams.netflow, 0, 'refused calls are not counted');
  const sink = (): void => undefined;
  t.throws(() => new IngestPipeline({} as IngestPipelineOptions), { code: 'BAD_OPTION', option: 'onSessions' });
  t.throws(() => new IngestPipeline({ onSessions: sink, enrichment: null, ingestFlows: 0 }), { code: 'BAD_OPTION', option: 'ingestFlows' });
  t.throws(() => new IngestPipeline({ onSessions: sink, enrichment: null, ingestFlows: 10, maxBacklogFlows: 5 }), { code: 'BAD_OPTION', option: 'maxBacklogFlows' });
  t.throws(() => new IngestPipeline({ onSessions: sink, enrichment: {} as never }), { code: 'BAD_OPTION', option: 'enrichment' });
  t.throws(() => new IngestPipeline({ onSessions: sink, enrichment: null, services: {} as ServiceNames }), { code: 'BAD_OPTION', option: 'services' });
  t.throws(() => new IngestPipeline({ onSessions: sink, enrichment: null, timeout: -1 }), SessionError, 'tracker options are checked by the tracker');
  t.throws(() => new IngestPipeline({ onSessions: sink, enrichment: null, decoder: { maxExporters: 0 } }), { name: 'DecoderConfigError' });
  t.ok(new PipelineError('BAD_TIME', 'x') instanceof Error);
});
