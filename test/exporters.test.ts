// End to end with real exporters from Debian: generated captures of known traffic are read by softflowd
// (NetFlow v1, v5, v9, IPFIX, IPFIX biflows) and pmacctd (nfprobe v9 / IPFIX, sfprobe sFlow v5), whose
// exports arrive on a UDP socket, go through IngestPipeline, and must give back the conversations.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMac } from '../packages/core/src/fields/ipcodec.js';
import { UdpCollector, type SessionRow } from './lib/collector.js';
import { killAll, pmacctdEndedNormally, requireProgram, run, softflowdArgs, writePmacctConfig, type RunResult } from './lib/exporters.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP } from './lib/frames.js';
import { buildCapture, oneWayUdp, standardTraffic, type Conversation } from './lib/traffic.js';

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

/**
 * pmacctd's sfprobe loses the samples it has not sent yet when it stops at the end of a savefile (see
 * docs/formats.md): its capture ends with this many datagrams of a separate one-way UDP flow, so that
 * what it loses is never part of the conversations checked.
 */
const SFPROBE_TAIL = 128;
const tail = oneWayUdp({ name: 'tail', client: '192.0.2.200', server: '198.51.100.200', clientPort: 40009, serverPort: 9 }, SFPROBE_TAIL, 64);
const sflowTraffic = [...standardTraffic(), tail];
const sflowPcap = path.join(dir, 'traffic-sflow.pcap');
writeFileSync(sflowPcap, buildCapture(sflowTraffic, captureStartUs));

/** How an exporter reports what the tests check. */
interface Expectation {
  expv: number;
  /** Can it carry IPv6 flows? */
  ipv6: boolean;
  /** Which session column gets the 802.1Q VLAN id, or none (the format or the exporter has no field for it). */
  vlan: 'invlan' | 'outvlan' | null;
  macs: boolean;
  /**
   * How start/end compare with the capture times: `ms` to the millisecond (late by at most 1 ms, or
   * early by at most 2), `v9` early by under a second (NetFlow v9 headers carry whole seconds), `receive`
   * the collector's receive time (sFlow has no flow times).
   */
  time: 'ms' | 'v9' | 'receive';
  /** Flow records per session: `uni` 2 (one per direction), `bi` 1 (RFC 5103 biflow), `sample` one per packet. */
  records: 'uni' | 'bi' | 'sample';
  srcid?: number;
}

/** One session the collector should deliver, with the columns checked. */
interface Want {
  name: string;
  clnip: string;
  clnport: number;
  srvip: string;
  srvport: number;
  proto: number;
  clnpkts: number;
  clnbyts: number;
  srvpkts: number;
  srvbyts: number;
  flags: number;
  invlan: number;
  outvlan: number;
  clnmac: number;
  srvmac: number;
  flows: number;
  firstUs: number;
  lastUs: number;
}

interface Case extends Expectation {
  name: string;
  kind: 'netflow' | 'sflow';
  traffic: Conversation[];
  /** Start the exporter towards `port`; resolves when it has exited. */
  exporter: (port: number) => Promise<RunResult>;
  /** Whether its exit status means it finished (default: exit code 0). */
  finished?: (r: RunResult) => boolean;
  /** What this exporter does differently from the rules above (each documented in docs/formats.md). */
  quirks?: (wants: Want[], traffic: readonly Conversation[]) => Want[];
}

/** The sessions a conversation should give with an exporter that reports it as the Expectation says. */
function want(v: Conversation, e: Expectation): Want {
  const icmp = v.proto === PROTO_ICMP || v.proto === PROTO_ICMPV6;
  return {
    name: v.name,
    clnip: v.client,
    clnport: v.clientPort,
    srvip: v.server,
    srvport: v.serverPort,
    proto: v.proto,
    clnpkts: v.toServer.packets,
    clnbyts: v.toServer.bytes,
    srvpkts: v.toClient.packets,
    srvbyts: v.toClient.bytes,
    flags: v.proto === PROTO_TCP ? v.toServer.flags | v.toClient.flags : 0,
    invlan: e.vlan === 'invlan' ? v.vlan : 0,
    outvlan: e.vlan === 'outvlan' ? v.vlan : 0,
    clnmac: e.macs ? parseMac(v.clientMac) : 0,
    srvmac: e.macs ? parseMac(v.serverMac) : 0,
    // ICMP requests and replies are flows of their own (their type differs), even in biflow mode
    flows: e.records === 'sample' ? v.packets.length : e.records === 'bi' && !icmp ? 1 : 2,
    firstUs: v.firstUs,
    lastUs: v.lastUs,
  };
}

/**
 * softflowd -b (IPFIX biflows) observed quirks: (1) VLAN-tagged traffic is tracked per direction, so
 * the connection is two biflow records, the server's packets in the reverse counters of the second,
 * which carries the VLAN in postVlanId (59) with vlanId 0: the session has every packet and takes its
 * VLAN columns from that later record. (2) The ICMPv6 echo replies come as a record of their own whose
 * forward direction is the requester (empty) and whose type/code is 0, not 129: it cannot be told
 * from an unrelated ICMPv6 type 0 and stays a session of its own, beside the requests' session.
 */
function softflowdBiflowQuirks(wants: Want[], traffic: readonly Conversation[]): Want[] {
  const out: Want[] = [];
  for (const w of wants) {
    const v = traffic.find((c) => c.name === w.name)!;
    if (v.vlan > 0) {
      out.push({ ...w, flows: 2, invlan: 0, outvlan: v.vlan });
    } else if (v.proto === PROTO_ICMPV6) {
      const req = v.packets.filter((p) => p.fromClient);
      const rep = v.packets.filter((p) => !p.fromClient);
      out.push({ ...w, srvpkts: 0, srvbyts: 0, flows: 1, firstUs: req[0]!.timeUs, lastUs: req.at(-1)!.timeUs });
      out.push({ ...w, name: `${w.name} replies`, srvport: 0, clnpkts: 0, clnbyts: 0, flows: 1, firstUs: rep[0]!.timeUs, lastUs: rep.at(-1)!.timeUs });
    } else {
      out.push(w);
    }
  }
  return out;
}

const softflowd = (version: 1 | 5 | 9 | 10, biflow = false) => (port: number) =>
  run(requireProgram('softflowd'), softflowdArgs({ pcap, port, version, biflow, dir, tag: `sf${version}${biflow ? 'b' : ''}` }), 20_000);
const pmacctd = (plugin: 'nfprobe9' | 'nfprobe10' | 'sfprobe', engine: number) => (port: number) => {
  const conf = writePmacctConfig({ file: path.join(dir, `${plugin}.conf`), pcap: plugin === 'sfprobe' ? sflowPcap : pcap, port, plugin, engine });
  return run(requireProgram('pmacctd'), ['-f', conf], 30_000);
};

const cases: Case[] = [
  { name: 'softflowd NetFlow v1', kind: 'netflow', traffic, exporter: softflowd(1), expv: 1, ipv6: false, vlan: null, macs: false, time: 'ms', records: 'uni' },
  { name: 'softflowd NetFlow v5', kind: 'netflow', traffic, exporter: softflowd(5), expv: 5, ipv6: false, vlan: null, macs: false, time: 'ms', records: 'uni' },
  { name: 'softflowd NetFlow v9', kind: 'netflow', traffic, exporter: softflowd(9), expv: 9, ipv6: true, vlan: 'invlan', macs: true, time: 'v9', records: 'uni' },
  { name: 'softflowd IPFIX', kind: 'netflow', traffic, exporter: softflowd(10), expv: 10, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'uni' },
  // -b: one RFC 5103 biflow record per connection (with the quirks above)
  {
    name: 'softflowd IPFIX biflows (-b)', kind: 'netflow', traffic, exporter: softflowd(10, true),
    expv: 10, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'bi', quirks: softflowdBiflowQuirks,
  },
  { name: 'pmacctd nfprobe NetFlow v9', kind: 'netflow', traffic, exporter: pmacctd('nfprobe9', 42), finished: pmacctdEndedNormally, expv: 9, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'uni', srcid: 42 },
  { name: 'pmacctd nfprobe IPFIX', kind: 'netflow', traffic, exporter: pmacctd('nfprobe10', 43), finished: pmacctdEndedNormally, expv: 10, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'uni', srcid: 43 },
  { name: 'pmacctd sfprobe sFlow v5', kind: 'sflow', traffic: sflowTraffic, exporter: pmacctd('sfprobe', 7), finished: pmacctdEndedNormally, expv: 21, ipv6: true, vlan: 'invlan', macs: true, time: 'receive', records: 'sample', srcid: 7 },
];

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
    const result = await c.exporter(collector.port);
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

const key = (s: SessionRow | Want): string => `${s['clnip']} ${s['clnport']} ${s['srvip']} ${s['srvport']} ${s['proto']}`;

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

    const carried = c.traffic.filter((v) => c.ipv6 || v.ipVersion === 4);
    if (!c.ipv6) {
      // NetFlow v1 and v5 have 32-bit address fields: softflowd does not export IPv6 flows in them
      const v6 = c.traffic.filter((v) => v.ipVersion === 6);
      t.ok(v6.length >= 2, `the capture has IPv6 conversations (${v6.map((v) => v.name).join(', ')})`);
      t.notOk(o.sessions.some((s) => String(s['clnip']).includes(':') || String(s['srvip']).includes(':')), `no IPv6 session from ${c.name}`);
    }
    const base = carried.map((v) => want(v, c));
    const wants = c.quirks === undefined ? base : c.quirks(base, c.traffic);
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
