// End to end with real exporters from Debian: generated captures of known traffic are read by softflowd
// (NetFlow v1, v5, v9, IPFIX, IPFIX biflows) and pmacctd (nfprobe v9 / IPFIX, sfprobe sFlow v5), whose
// exports arrive on a UDP socket, go through IngestPipeline, and must give back the conversations.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UdpCollector, type SessionRow } from './lib/collector.js';
import { EXPORTER_CASES, fiveTuple, sfprobeTail, wantsFor, type ExporterCase, type Want } from './lib/exportercases.js';
import { killAll, requireProgram, type RunResult } from './lib/exporters.js';
import { buildCapture, standardTraffic, type Conversation } from './lib/traffic.js';

const fileStarted = Date.now();
const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-exporters-'));
t.teardown(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

// The capture's packets are 20 s old when the exporters read it: recent enough that the tracker (clock:
// now) keeps the sessions open, old enough that no exporter time can be in the future.
const captureStartUs = (Math.floor(Date.now() / 1000) - 20) * 1e6;
const traffic = standardTraffic();
const pcap = path.join(dir, 'traffic.pcap');
writeFileSync(pcap, buildCapture(traffic, captureStartUs));

// pmacctd's sfprobe reads a capture that ends with a tail it may lose in part (see SFPROBE_TAIL)
const sflowTraffic = [...standardTraffic(), sfprobeTail()];
const sflowPcap = path.join(dir, 'traffic-sflow.pcap');
writeFileSync(sflowPcap, buildCapture(sflowTraffic, captureStartUs));

type Case = ExporterCase & { traffic: Conversation[] };
const cases: Case[] = EXPORTER_CASES.map((c) => ({ ...c, traffic: c.kind === 'sflow' ? sflowTraffic : traffic }));

interface Outcome {
  run: RunResult;
  sessions: SessionRow[];
  collector: UdpCollector;
  receivedFrom: number;
  receivedTo: number;
}

/** Run one exporter into a fresh collector: exporter exit, then the socket idle for 300 ms. */
async function exportThrough(c: Case): Promise<Outcome> {
  const collector = await UdpCollector.open(c.kind);
  const receivedFrom = Date.now();
  try {
    const result = await c.exporter({ pcap: c.kind === 'sflow' ? sflowPcap : pcap, port: collector.port, dir });
    if (!(c.finished ?? ((r) => r.code === 0))(result)) throw new Error(`${c.name} exited with ${result.code ?? result.signal}: ${result.stderr.slice(-2000)}`);
    await collector.waitIdle(300, 10_000);
    const sessions = await collector.close();
    return { run: result, sessions, collector, receivedFrom, receivedTo: Date.now() };
  } finally {
    await collector.close();
  }
}

// All exporters run at once (pmacctd spends most of its 4 s sleeping); each test awaits its own.
const outcomes = new Map<string, Promise<Outcome>>();
for (const c of cases) {
  const p = exportThrough(c);
  p.catch(() => undefined); // reported by the case's test
  outcomes.set(c.name, p);
}

const key = (s: SessionRow | Want): string => fiveTuple(s);

/** Decoder counters that mean input was lost (the others are events, or cannot happen over loopback). */
const LOSSES = ['truncated', 'bad_version', 'bad_length', 'bad_set_id', 'bad_template', 'bad_record', 'unknown_template_dropped', 'unknown_template_expired', 'decoder_error', 'bad_agent', 'bad_sample', 'bad_sample_record', 'bad_count', 'bad_packet_header'];

t.test('the generated capture: tshark reads every frame with good checksums', async (t) => {
  const tshark = requireProgram('tshark');
  const fields = ['frame.number', 'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status'];
  const r = spawnSync(
    tshark,
    ['-r', sflowPcap, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8' },
  );
  t.equal(r.status, 0, `tshark ran: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const frames = sflowTraffic.reduce((n, c) => n + c.packets.length, 0);
  t.equal(lines.length, frames, `${frames} frames`);
  let checked = 0;
  const bad: string[] = [];
  for (const line of lines) {
    const [frame, ...status] = line.split('\t');
    // 1 = good, 0 = bad, 2 = not checked; a frame has one or two checksummed layers (IPv6 has none of its own)
    const present = status.filter((s) => s !== '');
    if (present.length === 0 || present.some((s) => s !== '1')) bad.push(`frame ${frame}: ${status.join(',')}`);
    checked += present.length;
  }
  t.same(bad, [], 'every IPv4, TCP, UDP, ICMP and ICMPv6 checksum is good');
  t.ok(checked > frames, `${checked} checksums verified`);
});

for (const c of cases) {
  t.test(c.name, async (t) => {
    const o = await outcomes.get(c.name)!;
    t.comment(`${c.name}: exporter ran ${o.run.ms} ms, ${o.collector.datagrams.length} datagrams, ${o.sessions.length} sessions`);
    const counters = o.collector.pipeline.counters();
    t.same(Object.entries(counters.decoder).filter(([k, v]) => v > 0 && LOSSES.includes(k)), [], 'the decoder lost nothing');
    t.equal(counters.datagrams[c.kind], o.collector.datagrams.length, 'every datagram went through the pipeline');
    t.equal(counters.sessions, o.sessions.length, 'the pipeline counted the sessions it delivered');

    if (!c.ipv6) {
      // NetFlow v1 and v5 have 32-bit address fields: softflowd does not export IPv6 flows in them
      const v6 = c.traffic.filter((v) => v.ipVersion === 6);
      t.ok(v6.length >= 2, `the capture has IPv6 conversations (${v6.map((v) => v.name).join(', ')})`);
      t.notOk(o.sessions.some((s) => String(s['clnip']).includes(':') || String(s['srvip']).includes(':')), `no IPv6 session from ${c.name}`);
    }
    const wants = wantsFor(c, c.traffic);
    const byKey = new Map(o.sessions.map((s) => [key(s), s]));
    t.equal(byKey.size, o.sessions.length, 'one session per key (no duplicates)');
    t.same([...byKey.keys()].sort(), wants.map(key).sort(), 'exactly the sessions expected, client = initiator');

    for (const w of wants) {
      const s = byKey.get(key(w));
      if (s === undefined) continue;
      t.test(w.name, async (t) => {
        if (w.name === 'tail') {
          // sfprobe's tail: whatever it sent of it before stopping, the rest lost at exit
          const n = s['clnpkts'] as number;
          t.ok(n > 0 && n <= w.clnpkts, `tail: ${n} of ${w.clnpkts} datagrams exported before sfprobe stopped`);
          t.equal(s['clnbyts'], n * (w.clnbyts / w.clnpkts), 'tail bytes = packets × IP length');
          t.equal(s['srvpkts'], 0, 'one way');
          return;
        }
        const cols = ['clnpkts', 'clnbyts', 'srvpkts', 'srvbyts', 'flags', 'invlan', 'outvlan', 'clnmac', 'srvmac', 'flows'] as const;
        t.same(Object.fromEntries(cols.map((k) => [k, s[k]])), Object.fromEntries(cols.map((k) => [k, w[k]])), 'packets and IP-layer bytes per side, TCP flags OR-ed, VLAN, MACs, flow records');
        t.equal(s['expv'], c.expv, 'export version');
        t.equal(s['expip'], '127.0.0.1', 'exporter address');
        if (c.srcid !== undefined) t.equal(s['srcid'], c.srcid, 'source id / observation domain / sub-agent');
        t.equal(s['samplerate'], 1, 'unsampled');
        t.equal(s['clncc'], 0, 'no country: enrichment off and documentation addresses');
        const start = s['start'] as number;
        const end = s['end'] as number;
        if (c.time === 'receive') {
          t.ok(start >= o.receivedFrom * 1000 && end <= o.receivedTo * 1000 && start <= end, 'sFlow: start and end are receive times');
        } else {
          const early = c.time === 'v9' ? 1_000_000 : 2000;
          t.ok(start <= w.firstUs + 1000 && start >= w.firstUs - early, `start ${start} vs first packet ${w.firstUs}`);
          t.ok(end <= w.lastUs + 1000 && end >= w.lastUs - early, `end ${end} vs last packet ${w.lastUs}`);
          t.ok(Math.abs(end - start - (w.lastUs - w.firstUs)) <= 1000, 'duration to the millisecond');
        }
      });
    }
  });
}

t.test('timing', async (t) => {
  t.comment(`the exporters' file took ${Date.now() - fileStarted} ms`);
  t.pass();
});
