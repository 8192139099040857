// Malformed export traffic on every listener while valid traffic flows: the process stays up, every
// valid session is stored exactly, the bad exporter's drops are counted by reason and the valid ones' not.
import fs from 'node:fs';
import net from 'node:net';
import t from 'tap';
import { IpfixEncoder, sessionsToFlows } from '../../packages/core/src/index.js';
import { rng } from '../../packages/core/test/seededrng.js';
import { startServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { fetchMetrics, metricSamples, metricSum, storedDifferences, storedSessions, until } from '../lib/serverchecks.js';
import { plannedSessions, v9Traffic, type PlannedSession } from '../lib/v9traffic.js';

const VALID_V9 = '127.0.0.1';
const VALID_IPFIX = '127.0.0.5';
const BAD = '127.0.0.9';

function randomBytes(next: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

/** plannedSessions() as one IPFIX byte stream (a TCP transport session). */
function ipfixStream(count: number, seed: number): { stream: Uint8Array; sessions: PlannedSession[]; flows: number } {
  const nowMs = Date.now();
  const { columns, sessions } = plannedSessions(count, seed, { ipv6Share: 0.2, nowMs });
  const flows = sessionsToFlows(columns, sessions.length);
  return { stream: new IpfixEncoder({ observationDomain: 7, templateEvery: 5 }).encodeStream(flows, 0, flows.length, nowMs), sessions, flows: flows.length };
}

interface FlowSet {
  at: number;
  id: number;
  length: number;
}

/** The flowsets of a NetFlow v9 datagram (header 20 bytes, then id/length pairs). */
function flowSets(d: Uint8Array): FlowSet[] {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const out: FlowSet[] = [];
  for (let p = 20; p + 4 <= d.length; ) {
    const length = v.getUint16(p + 2);
    out.push({ at: p, id: v.getUint16(p), length });
    if (length < 4) break;
    p += length;
  }
  return out;
}

/** A copy of `d` with a 16-bit field at `at` set to `value`. */
function with16(d: Uint8Array, at: number, value: number): Uint8Array {
  const c = d.slice();
  new DataView(c.buffer).setUint16(at, value);
  return c;
}

/** V9 datagrams whose template or data sets are broken in the ways a buggy exporter breaks them. */
function corruptV9(valid: readonly Uint8Array[]): { datagrams: Uint8Array[]; kinds: Set<string> } {
  const withTemplate = valid.find((d) => flowSets(d).some((s) => s.id === 0 && s.length > 8))!;
  const tpl = flowSets(withTemplate).find((s) => s.id === 0)!;
  const data = flowSets(withTemplate).find((s) => s.id >= 256)!;
  const dataOnly = valid.find((d) => flowSets(d).every((s) => s.id >= 256))!;
  const firstData = flowSets(dataOnly)[0]!;
  const out: Uint8Array[] = [];
  const kinds = new Set<string>();
  const add = (kind: string, d: Uint8Array): void => {
    kinds.add(kind);
    out.push(d);
  };
  // the template set: its length, its first template's id, field count and field lengths
  add('template set length 0', with16(withTemplate, tpl.at + 2, 0));
  add('template set length 2', with16(withTemplate, tpl.at + 2, 2));
  add('template set length past the datagram', with16(withTemplate, tpl.at + 2, 0xffff));
  add('template set length 1 byte short', with16(withTemplate, tpl.at + 2, tpl.length - 1));
  add('template id in the reserved range', with16(withTemplate, tpl.at + 4, 7));
  add('template field count 65535', with16(withTemplate, tpl.at + 6, 0xffff));
  add('template field count 0', with16(withTemplate, tpl.at + 6, 0));
  add('template field length 0', with16(withTemplate, tpl.at + 10, 0));
  add('template field length 65535', with16(withTemplate, tpl.at + 10, 0xffff));
  // the data sets
  add('data set length past the datagram', with16(withTemplate, data.at + 2, 0xfff0));
  add('data set length 3', with16(dataOnly, firstData.at + 2, 3));
  add('set id in the reserved range', with16(dataOnly, firstData.at, 100));
  add('header count 65535', with16(dataOnly, 2, 0xffff));
  add('version 10 with a v9 body', with16(dataOnly, 0, 10));
  return { datagrams: out, kinds };
}

/** Write `bytes` on a TCP connection from `bind`; resolves when the server has closed it (it must). */
function tcpWrite(port: number, bind: string, bytes: Uint8Array, end: boolean): Promise<'closed' | 'reset'> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: bind });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server did not close a connection that sent ${bytes.length} bytes of garbage within 10 s`));
    }, 10_000);
    let reset = false;
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
      else {
        clearTimeout(timer);
        reject(e);
      }
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(reset ? 'reset' : 'closed');
    });
    sock.resume();
    sock.on('connect', () => {
      sock.write(bytes);
      if (end) sock.end();
    });
  });
}

t.test('garbage on every port while valid traffic flows', async (t) => {
  const seed = Number(process.env.MALFORMED_SEED ?? Date.now() % 100_000);
  t.comment(`seed ${seed} (MALFORMED_SEED=${seed} repeats this run)`);
  const next = rng(seed);
  const s = await startServer();
  t.teardown(async () => {
    await s.stop();
    fs.rmSync(s.dir, { recursive: true, force: true });
  });

  const v9 = v9Traffic(4000, seed);
  const ipfix = ipfixStream(1500, seed + 1);

  // NetFlow port garbage: random bytes (some behind a plausible version), truncated copies, broken sets
  const nfGarbage: Uint8Array[] = [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([0, 9])];
  for (let i = 0; i < 300; i++) nfGarbage.push(randomBytes(next, 1 + Math.floor(next() * 1500)));
  for (const version of [1, 5, 7, 9, 10]) {
    for (let i = 0; i < 40; i++) {
      const d = randomBytes(next, 4 + Math.floor(next() * 1400));
      d[0] = 0;
      d[1] = version;
      nfGarbage.push(d);
    }
  }
  for (let i = 0; i < 300; i++) {
    const d = v9.datagrams[Math.floor(next() * v9.datagrams.length)]!;
    nfGarbage.push(d.slice(0, 1 + Math.floor(next() * (d.length - 1))));
  }
  const corrupted = corruptV9(v9.datagrams);
  for (let round = 0; round < 5; round++) nfGarbage.push(...corrupted.datagrams);
  t.comment(`v9 corruptions: ${[...corrupted.kinds].join('; ')}`);
  // shuffle, so that the kinds of garbage interleave
  for (let i = nfGarbage.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [nfGarbage[i], nfGarbage[j]] = [nfGarbage[j]!, nfGarbage[i]!];
  }
  const sfGarbage: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) {
    const d = randomBytes(next, 1 + Math.floor(next() * 1400));
    // half look like sFlow v5 (version, IPv4 agent) up to where the junk starts
    if (i % 2 === 0 && d.length >= 8) d.set([0, 0, 0, 5, 0, 0, 0, 1]);
    sfGarbage.push(d);
  }

  const tcpGarbage = randomBytes(next, 64 * 1024);
  tcpGarbage[0] = 0xde; // not 0x000a: the stream cannot pass for IPFIX
  // a valid first message, then garbage where the second header should be
  const firstLength = new DataView(ipfix.stream.buffer, ipfix.stream.byteOffset).getUint16(2);
  const goodThenBad = new Uint8Array(firstLength + 4096);
  goodThenBad.set(ipfix.stream.subarray(0, firstLength));
  goodThenBad.set(randomBytes(next, 4096), firstLength);
  goodThenBad[firstLength] = 0x77;

  const [v9Sent, nfBad, sfBad, tcpOutcomes] = await Promise.all([
    sendDatagrams(s.ports.netflow, v9.datagrams, { bind: VALID_V9, ratePerSecond: 1500 }),
    sendDatagrams(s.ports.netflow, nfGarbage, { bind: BAD, ratePerSecond: 2500 }),
    sendDatagrams(s.ports.sflow, sfGarbage, { bind: BAD, ratePerSecond: 1000 }),
    Promise.all([
      tcpWrite(s.ports.ipfixtcp, BAD, tcpGarbage, false),
      tcpWrite(s.ports.ipfixtcp, BAD, goodThenBad, false),
      // a message cut short, then the connection ends
      tcpWrite(s.ports.ipfixtcp, BAD, ipfix.stream.subarray(0, firstLength - 5), true),
      (async () => {
        // the valid IPFIX stream, in pieces that cut messages across reads
        const sock = net.connect({ port: s.ports.ipfixtcp, host: '127.0.0.1', localAddress: VALID_IPFIX });
        await new Promise<void>((resolve, reject) => {
          sock.once('error', reject);
          sock.once('connect', () => resolve());
        });
        for (let p = 0; p < ipfix.stream.length; p += 997) {
          if (!sock.write(ipfix.stream.subarray(p, Math.min(ipfix.stream.length, p + 997)))) await new Promise((r) => sock.once('drain', r));
        }
        sock.end();
        await new Promise((r) => sock.once('close', r));
        return 'valid stream sent' as const;
      })(),
    ]),
  ]);
  t.comment(`sent ${v9Sent.sent} valid v9 datagrams (${v9.sessions.length} sessions), ${nfBad.sent} bad NetFlow, ${sfBad.sent} bad sFlow datagrams; IPFIX/TCP ${ipfix.stream.length} bytes (${ipfix.sessions.length} sessions)`);
  t.same(tcpOutcomes.slice(0, 2).map((o) => o === 'closed' || o === 'reset'), [true, true], `the server closed both garbage TCP connections (${tcpOutcomes.join(', ')})`);

  const arrived = await until(async () => {
    const metrics = await fetchMetrics(s);
    return (
      metricSum(metrics, 'opentraq_datagrams_received_total', { port: s.ports.netflow }) === v9Sent.sent + nfBad.sent &&
      metricSum(metrics, 'opentraq_datagrams_received_total', { port: s.ports.sflow }) === sfBad.sent
    );
  });
  t.ok(arrived, 'the server received every datagram (no loss on loopback to blame)');

  t.equal(s.proc.exitCode, null, 'the process is alive');
  const health = await fetch(s.url('/healthz'));
  t.equal(health.status, 200, '/healthz answers');

  const token = await s.login();
  let v9Diff: string[] = [];
  let ipfixDiff: string[] = [];
  await until(async () => {
    v9Diff = storedDifferences(v9.sessions, await storedSessions(s, token, { exporter: VALID_V9 }));
    ipfixDiff = storedDifferences(ipfix.sessions, await storedSessions(s, token, { exporter: VALID_IPFIX }));
    return v9Diff.length === 0 && ipfixDiff.length === 0;
  });
  t.same(v9Diff.slice(0, 10), [], `every NetFlow v9 session stored exactly once with its bytes and packets (${v9Diff.length} differences of ${v9.sessions.length})`);
  t.same(ipfixDiff.slice(0, 10), [], `every IPFIX/TCP session stored exactly once with its bytes and packets (${ipfixDiff.length} differences of ${ipfix.sessions.length})`);

  const metrics = await fetchMetrics(s);
  const samples = metricSamples(metrics);
  const drops = samples.filter((x) => x.name === 'opentraq_dropped_total');
  const badReasons = new Map(drops.filter((x) => x.labels.exporter === BAD).map((x) => [x.labels.reason!, x.value]));
  t.comment(`drops of ${BAD}: ${JSON.stringify(Object.fromEntries(badReasons))}`);
  for (const reason of ['bad_version', 'truncated', 'bad_template', 'bad_set_id', 'bad_length']) {
    t.ok((badReasons.get(reason) ?? 0) > 0, `${BAD} has drops for ${reason}`);
  }
  // sFlow garbage shaped like v5: the decoder gets past the version and rejects what follows
  t.ok((badReasons.get('bad_agent') ?? 0) + (badReasons.get('bad_count') ?? 0) + (badReasons.get('bad_sample') ?? 0) > 0, `${BAD}'s sFlow garbage is counted past the version check`);
  for (const exporter of [VALID_V9, VALID_IPFIX]) {
    t.same(drops.filter((x) => x.labels.exporter === exporter), [], `no drops counted for the valid exporter ${exporter}`);
    t.ok(metricSum(metrics, 'opentraq_flows_decoded_total', { exporter }) > 0, `flows decoded for ${exporter}`);
  }
  t.equal(metricSum(metrics, 'opentraq_exporter_datagrams_total', { exporter: VALID_V9 }), v9Sent.sent, `every datagram of ${VALID_V9} decoded`);
  t.equal(metricSum(metrics, 'opentraq_flows_decoded_total', { exporter: VALID_IPFIX }), ipfix.flows, `every flow of ${VALID_IPFIX}'s closed TCP connection still counted`);
  const perConnection = samples.filter((x) => (x.labels.exporter ?? '').includes('#'));
  t.same(perConnection, [], 'exporter labels are addresses, not one series per TCP connection');
  t.equal(metricSum(metrics, 'opentraq_dropped_total', { exporter: BAD, reason: 'not_ipfix_stream' }), 2, 'both TCP streams that were not IPFIX counted as drops');

  // the bad TCP streams are said in the log; per-datagram drop lines are rate-limited
  const log = s.log;
  t.match(log, new RegExp(`closed an IPFIX TCP connection: the stream is not IPFIX exporter=${BAD.replace(/\./g, '\\.')}`), 'the log names the exporter whose TCP stream was not IPFIX');
  const dropLines = log.split('\n').filter((l) => l.includes('dropped export input') && l.includes(`exporter=${BAD}`)).length;
  t.ok(dropLines > 0 && dropLines <= 10 * (badReasons.size + 2), `drop log lines are rate-limited: ${dropLines} lines for ${nfBad.sent + sfBad.sent} bad datagrams`);
  t.notMatch(log, /internal error|decoder_error|sessions could not be stored/, 'no internal errors in the log');
  t.equal(metricSum(metrics, 'opentraq_dropped_total', { reason: 'decoder_error' }), 0, 'no decoder errors (bugs) counted');
  t.equal(s.proc.exitCode, null, 'still alive at the end');
});
