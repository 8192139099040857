// The end-to-end tests' tools: nfcapd/nfdump as the reference collector (fed our encoders' NetFlow v9
// and IPFIX, which checks both), the UDP/TCP senders, and the corpus listing with its payloads.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { FlowBatch } from '../packages/core/src/decode/index.js';
import { allocColumns } from '../packages/core/src/fields/columns.js';
import { formatIpAt } from '../packages/core/src/fields/ipcodec.js';
import { IpfixEncoder, NetflowV9Encoder, sessionsToFlows } from '../packages/core/src/gen/export/index.js';
import { SessionGenerator } from '../packages/core/src/gen/index.js';
import { CORPUS_DIR, corpusSkipReason, listCorpusCaptures, payloads } from './lib/corpus.js';
import { killAll } from './lib/exporters.js';
import { Nfcapd, nfcapdFiles, nfdumpIpTotals, nfdumpSummary, type IpTotals } from './lib/nfdump.js';
import { sendDatagrams, sendTcpStream } from './lib/replay.js';

t.teardown(killAll);

const START_US = Date.UTC(2026, 0, 5, 8) * 1000;
const EXPORT_MS = START_US / 1000 + 2 * 3_600_000;

function flows(n: number, seed: number): FlowBatch {
  const g = new SessionGenerator({ seed, sessions: n, startUs: START_US, spanUs: 3_600_000_000, ipv6Share: 0.25, hosts: 1000 });
  const cols = allocColumns(n);
  return sessionsToFlows(cols, g.fill(cols));
}

/** What nfdump -s ip/bytes should say: every flow counted for its source and its destination address. */
function expectedIpTotals(b: FlowBatch, times: number): Map<string, IpTotals> {
  const m = new Map<string, IpTotals>();
  for (let r = 0; r < b.length; r++) {
    for (const ip of new Set([formatIpAt(b.srcAddr, r), formatIpAt(b.dstAddr, r)])) {
      const e = m.get(ip) ?? { bytes: 0, packets: 0, flows: 0 };
      e.bytes += b.bytes[r]! * times;
      e.packets += b.packets[r]! * times;
      e.flows += times;
      m.set(ip, e);
    }
  }
  return m;
}

t.test('nfcapd stores our NetFlow v9 and IPFIX exactly', async (t) => {
  const b = flows(1500, 21);
  // A counter far beyond what nfdump's tables print in full ("46.6 G"): the CSV must give it exactly.
  b.bytes[0] = 50_000_000_123;
  b.packets[0] = 40_000_001;
  const nf = await Nfcapd.start();
  t.teardown(() => nf.cleanup());
  const v9 = new NetflowV9Encoder({ sourceId: 5 }).encode(b, 0, b.length, EXPORT_MS);
  const ipfix = new IpfixEncoder({ observationDomain: 6 }).encode(b, 0, b.length, EXPORT_MS);
  const sent = await sendDatagrams(nf.port, v9, { ratePerSecond: 2000 });
  t.equal(sent.sent, v9.length, 'every v9 datagram sent');
  await sendDatagrams(nf.port, ipfix, { bind: '127.0.0.2' });
  await nf.stop();
  t.match(nf.log, /New v9 exporter: .*Domain: 5, IP: 127\.0\.0\.1/, 'nfcapd saw the v9 exporter on 127.0.0.1');
  t.match(nf.log, /New ipfix exporter: .*Observation domain 6 from: 127\.0\.0\.2/, 'and the IPFIX one on 127.0.0.2 (sent with bind)');
  t.match(nf.log, /Sequence Errors: 0, Bad Packets: 0/, 'no sequence errors, no bad packets');
  t.equal(nfcapdFiles(nf.dir).length, 1, 'one capture file, closed under its final name');

  const got = await nfdumpIpTotals(nf.dir);
  const want = expectedIpTotals(b, 2);
  t.equal(got.size, want.size, `${want.size} addresses`);
  const diffs: string[] = [];
  for (const [ip, w] of want) {
    const g = got.get(ip);
    if (g === undefined || g.bytes !== w.bytes || g.packets !== w.packets || g.flows !== w.flows) diffs.push(`${ip}: nfdump ${JSON.stringify(g)}, want ${JSON.stringify(w)}`);
  }
  t.same(diffs.slice(0, 5), [], 'bytes, packets and flows per address as exported (both formats)');
  let bytes = 0;
  let packets = 0;
  for (let r = 0; r < b.length; r++) {
    bytes += b.bytes[r]!;
    packets += b.packets[r]!;
  }
  t.same(await nfdumpSummary(nf.dir), { flows: 2 * b.length, bytes: 2 * bytes, packets: 2 * packets }, 'summary totals');
});

t.test('sendDatagrams and sendTcpStream', async (t) => {
  const rx = dgram.createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => rx.close());
  const got: { text: string; from: string }[] = [];
  rx.on('message', (m, info) => got.push({ text: m.toString(), from: info.address }));
  const payloads = Array.from({ length: 25 }, (_, i) => new TextEncoder().encode(`datagram ${i}`));
  const r = await sendDatagrams(rx.address().port, payloads, { ratePerSecond: 500, bind: '127.0.0.2' });
  t.same({ sent: r.sent, bytes: r.bytes }, { sent: 25, bytes: payloads.reduce((n, p) => n + p.length, 0) }, 'result counts');
  for (let i = 0; i < 50 && got.length < 25; i++) await new Promise((res) => setTimeout(res, 20));
  t.same(got.map((g) => g.text), payloads.map((_, i) => `datagram ${i}`), 'all arrive, in order');
  t.ok(got.every((g) => g.from === '127.0.0.2'), 'from the bound address');
  await t.rejects(sendDatagrams(0, payloads), RangeError, 'port 0 is refused');
  await t.rejects(sendDatagrams(rx.address().port, payloads, { ratePerSecond: -1 }), /ratePerSecond/, 'a negative rate is refused');
  await t.rejects(sendDatagrams(rx.address().port, payloads, { bind: '192.0.2.99' }), /sendDatagrams to 127\.0\.0\.1:\d+ from 192\.0\.2\.99/, 'an address we do not have: the error says where');

  const stream = new Uint8Array(200_000).map((_, i) => (i * 7919) & 255);
  const chunks: Buffer[] = [];
  const server = net.createServer((s) => {
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  t.teardown(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const tcp = await sendTcpStream(port, stream, { chunkBytes: 1000 });
  t.equal(tcp.sent, 200, 'written in 1000-byte pieces');
  t.same(new Uint8Array(Buffer.concat(chunks)), stream, 'the collector read the stream exactly');
  server.close();
  await t.rejects(sendTcpStream(port, stream), /sendTcpStream to 127\.0\.0\.1:\d+: .*ECONNREFUSED/, 'nobody listening: the error says where');

  const silent = net.createServer(() => undefined);
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
  t.teardown(() => silent.close());
  const held = sendTcpStream((silent.address() as net.AddressInfo).port, stream.subarray(0, 100), { closeTimeoutMs: 200 });
  await t.rejects(held, /did not close the connection within 200 ms/, 'a collector that never closes is reported');
});

t.test('corpus captures and their payloads', { skip: corpusSkipReason() }, async (t) => {
  const caps = listCorpusCaptures();
  const index = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'index.json'), 'utf8')) as { path: string; wrapped_from: string[] | null; wrap_mode: string | null }[];
  t.equal(caps.length, index.length, 'every capture of the manifest');
  const kinds = new Map<string, number>();
  for (const c of caps) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
  t.same(Object.fromEntries(kinds), { netflow: 110, sflow: 23, 'ipfix-tcp': 1 }, 'kinds: 110 NetFlow/IPFIX/NSEL, 23 sFlow, 1 IPFIX over TCP');
  const names = new Set(caps.map((c) => c.name));
  t.ok(caps.every((c) => c.requiresBefore.every((n) => names.has(n))), 'captures required before others are in the list');

  // Wrapped captures hold their raw payload files unchanged, in order: the payloads must be those bytes.
  const problems: string[] = [];
  for (const e of index) {
    if (e.wrap_mode !== 'udp' && e.wrap_mode !== 'tcp') continue;
    const cap = caps.find((c) => c.name === e.path)!;
    const p = payloads(cap);
    const raw = (e.wrapped_from ?? []).map((f) => new Uint8Array(readFileSync(path.join(CORPUS_DIR, f))));
    const got = e.wrap_mode === 'tcp' ? p.streams.map((s) => s.bytes) : p.datagrams.map((d) => d.payload);
    if (got.length !== raw.length || got.some((g, i) => Buffer.compare(Buffer.from(g), Buffer.from(raw[i]!)) !== 0)) problems.push(`${e.path}: payloads differ from ${(e.wrapped_from ?? []).join(' → ')}`);
    const port = cap.kind === 'sflow' ? 6343 : cap.format === 'ipfix' ? 4739 : 2055;
    if (e.wrap_mode === 'udp' && p.datagrams.some((d) => d.src !== '192.0.2.10' || d.srcPort !== 50000 || d.dstPort !== port)) problems.push(`${e.path}: addresses`);
  }
  t.same(problems, [], 'wrapped captures give back their raw payloads, from 192.0.2.10:50000 to the format\'s port');

  const tcp = caps.find((c) => c.kind === 'ipfix-tcp')!;
  const ps = payloads(tcp);
  t.equal(ps.datagrams.length, 0, 'the TCP capture has no datagrams');
  t.same(ps.streams.map((s) => s.dstPort), [4739], 'one client→collector stream to 4739 (the ACK direction is not a stream)');
  const bmp = payloads(caps.find((c) => c.name === 'ipfix/pta-400-IPFIXv10-BMP-CISCO-SRv6-traffic-00.pcap')!);
  t.equal(bmp.datagrams.length, 583, 'an as-is capture: its 583 IPFIX datagrams');
  t.ok(bmp.datagrams.every((d) => d.dstPort === 9991), 'to the original collector port');
  t.same(bmp.streams, [], 'BMP over TCP is not an IPFIX stream');
});
