// ftbfg: its parameters, the client subnets of -bc, the fingerprint and its memory cap, reading the
// two-way sessions in bounded answers, and whole runs against a fake server that answers the session
// list with core's own query engine (filter, overlap, limit): new services and new clients alerted
// once, known clients and every kind of one-way probe never.
process.env.TZ = 'America/New_York';

import t, { type Test } from 'tap';
import { allocColumns, formatIpAt, MemorySource, parseFilter, parseIp, streamSessions, type ColumnArray } from '@opentraq/core';
import { GRANULARITIES } from '../src/engine/granularity.js';
import { clientPrefix, clientSubnet } from '../src/ftbfg/clientsubnet.js';
import { Fingerprint, serviceKey, type FingerprintEvictionNotice } from '../src/ftbfg/fingerprint.js';
import { FingerprintDetector } from '../src/ftbfg/fingerprintdetector.js';
import { main as ftbfg } from '../src/ftbfg/main.js';
import { TWO_WAY_FILTER, readConnections } from '../src/ftbfg/readconnections.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { expectHelp, expectRefusals, runCommand, type CommandRun } from './commandrun.js';
import { FakeClock, FakeLink, collectNotices, engineSettings, type Call, type FakeSession } from './fakes.js';

/** A session of the fake store, with the TCP flags seen in it (0: the exporter said none). */
type Row = FakeSession & { readonly flags?: number };

const SYN_ACK_RST = 0x02 | 0x10 | 0x04;
const SYN_ACK_PSH_RST = 0x02 | 0x10 | 0x08 | 0x04;

const run = (argv: string[]): Promise<CommandRun> => runCommand(ftbfg, argv);

const at = (local: string): number => Date.parse(`${local}-05:00`);

t.test('parameters: -bc, and what ftbfg refuses and why', async (t) => {
  const cases: [string[], RegExp][] = [
    [['-bc', '0'], /^ftbfg: -bc '0' is not a complexity index: give a whole number from 1 to 16/],
    [['-bc', '17'], /-bc '17' is not a complexity index/],
    [['-bc', '2.5'], /-bc '2\.5' is not a complexity index/],
    [['-bt', '10'], /-bt does not apply to ftbfg: ftbfg has no baselines to deviate from/],
    [['-bk', '2'], /-bk does not apply to ftbfg/],
    [['-bnl'], /-bnl does not apply to ftbfg/],
    [['-bdow'], /-bdow does not apply to ftbfg: the fingerprint is one set for every time of the week/],
    [['-grp', 'IP'], /-grp does not apply to ftbfg: ftbfg always learns clients \(as subnets, -bc\)/],
    [['-rcv'], /-rcv does not apply to ftbfg/],
    [['-bg', 'HOUR'], /-bg 'HOUR' is not a granularity/],
    [['-bm', 'lots'], /-bm 'lots' is not a memory size in MB/],
    [['-lh', 'siem', '-j'], /-j formats the alerts on stdout, and with -lh they go to stdout only with -ls as well/],
    [['-q', 'SRVPORT=99999'], /bad filter/],
  ];
  await expectRefusals(t, run, ['-un', 'admin', '-up', 'x'], cases);
  const help = await expectHelp(t, run, ['-bc', '-bg', '-bd', '-bm', '-ls', '-lh', '-lp', '-lt', '-lf', '-ll', '-lu', '-j', '-nr', '-tn', '-q', '-v']);
  t.match(help, /^ftbfg \S+ — behavioural fingerprint: report connections to new services, and new clients of known services/);
  t.notMatch(help, /\n {2}-bt[ ,]/, 'no -bt');
  t.equal((await run(['-s', '127.0.0.1', '-p', '1', '-un', 'admin', '-up', 'x'])).code, 4, 'no server: exit 4');
});

t.test('client subnets: IPv4 /(16 + N), IPv6 /(48 + 5N)', async (t) => {
  t.same(
    [1, 2, 8, 15, 16].map((n) => clientPrefix(true, n)),
    [17, 18, 24, 31, 32],
  );
  t.same(
    [1, 3, 8, 16].map((n) => clientPrefix(false, n)),
    [53, 63, 88, 128],
  );
  t.throws(() => clientPrefix(true, 0), RangeError);
  const cases: [string, number, string][] = [
    ['10.1.2.3', 1, '10.1.0.0/17'],
    ['10.1.200.3', 1, '10.1.128.0/17'],
    ['10.1.200.3', 8, '10.1.200.0/24'],
    ['10.1.200.3', 16, '10.1.200.3/32'],
    ['192.168.255.254', 15, '192.168.255.254/31'],
    ['2001:db8:1234:5678::1', 1, '2001:db8:1234:5000::/53'],
    ['2001:db8:1234:5678::1', 3, '2001:db8:1234:5678::/63'],
    ['2001:db8:1234:5678:9abc:def0::1', 8, '2001:db8:1234:5678:9abc:de00::/88'],
    ['2001:db8::1', 16, '2001:db8::1/128'],
  ];
  for (const [ip, n, subnet] of cases) t.equal(clientSubnet(ip, n), subnet, `${ip} -bc ${n}`);
  t.equal(clientSubnet('not an address', 1), null);
});

t.test('the fingerprint: new services, new clients, and a pair refreshed when seen again', async (t) => {
  const notices: unknown[] = [];
  const fp = new Fingerprint({ capBytes: 2 ** 20, onFirstEviction: (n) => notices.push(n) });
  const [s1, s2, s3] = [serviceKey('10.9.0.1', 443, 6), serviceKey('10.9.0.2', 443, 6), serviceKey('10.9.0.3', 443, 6)];
  const [a, b, c] = ['10.1.0.0/17', '10.2.0.0/17', '10.3.0.0/17'];
  t.equal(fp.novelty(a, s1), 'new_service');
  t.equal(fp.clientsOf(s1), 0);
  fp.learn([[a, s1]], 1);
  fp.learn([[b, s1]], 2);
  fp.learn([[a, s2]], 3);
  fp.learn([[a, s1], [a, s1]], 4);
  t.equal(fp.novelty(a, s1), null);
  t.equal(fp.novelty(b, s1), null);
  t.equal(fp.novelty(c, s1), 'new_client', 'a subnet never seen');
  t.equal(fp.novelty(b, s2), 'new_client', 'a subnet known, but not to this service');
  t.equal(fp.novelty(a, s3), 'new_service');
  t.same([fp.clientsOf(s1), fp.clientsOf(s2), fp.clientsOf(s3)], [2, 1, 0]);
  t.match(fp, { connections: 3, serviceCount: 2, evicted: 0 });
  t.same(notices, [], 'far under the cap: nothing forgotten');
  t.throws(() => new Fingerprint({ capBytes: 0 }), RangeError);
});

t.test('the fingerprint at its cap: the least recently seen pairs forgotten, and the services and subnets left without pairs', async (t) => {
  // 40 rounds of 250 new pairs each (round r at time r), and one early pair seen again in every round
  const round = (r: number): [string, string][] =>
    Array.from({ length: 250 }, (_, k) => [`10.${r}.${k % 5}.0/24`, serviceKey(`10.9.${r}.${k}`, 443 + (k % 3), 6)]);
  const kept: [string, string] = ['10.200.0.0/17', serviceKey('10.9.250.1', 22, 6)];
  // the memory 25 rounds take, measured on a fingerprint that is never full, is the cap
  const uncapped = new Fingerprint({ capBytes: 2 ** 30 });
  for (let r = 1; r <= 25; r++) uncapped.learn([...round(r), kept], r);
  const cap = uncapped.memoryBytes();
  const notices: FingerprintEvictionNotice[] = [];
  const fp = new Fingerprint({ capBytes: cap, onFirstEviction: (n) => notices.push(n) });
  let over = 0;
  for (let r = 1; r <= 40; r++) {
    fp.learn([...round(r), kept], r);
    if (fp.memoryBytes() > cap) over++;
  }
  t.equal(over, 0, 'never above the cap once a round is learnt');
  t.equal(notices.length, 1, 'the warning is given once');
  t.equal(notices[0]!.capBytes, cap);
  t.ok(notices[0]!.connections > 25 * 250 && notices[0]!.evicted > 0, `the first eviction: ${notices[0]!.evicted} of ${notices[0]!.connections}`);
  t.equal(fp.connections + fp.evicted, 40 * 250 + 1, 'every pair learnt is either kept or counted as forgotten');
  // forgotten: whole rounds from the oldest, with at most one round cut; the pair seen in every round is kept
  const known = Array.from({ length: 40 }, (_, i) => round(i + 1).filter(([subnet, service]) => fp.novelty(subnet, service) === null).length);
  const firstKept = known.findIndex((n) => n > 0);
  t.ok(firstKept > 0, `rounds 1 to ${firstKept} forgotten`);
  t.ok(known.slice(firstKept + 1).every((n) => n === 250), `every round after ${firstKept + 1} kept whole: ${known.join(' ')}`);
  t.equal(fp.novelty(...kept), null, 'a pair seen in every round is never the least recently seen');
  // a forgotten round's services had no other client: they are new services again, and their subnets new
  const [oldSubnet, oldService] = round(1)[0]!;
  t.equal(fp.novelty(oldSubnet, oldService), 'new_service');
  t.equal(fp.clientsOf(oldService), 0);
  t.equal(fp.serviceCount, fp.connections, 'one client subnet per service: a service per pair is left, no more');
  // what is left holds no more memory than it would from scratch, give or take a growth step
  const fresh = new Fingerprint({ capBytes: 2 ** 30 });
  for (let r = firstKept + 1; r <= 40; r++) fresh.learn(round(r).filter(([subnet, service]) => fp.novelty(subnet, service) === null), r);
  fresh.learn([kept], 40);
  t.ok(fp.memoryBytes() <= fresh.memoryBytes() * 1.3 + 8192, `${fp.memoryBytes()} bytes, ${fresh.memoryBytes()} from scratch`);
});

/** A fake server's session list: `rows` overlapping [after, before), in start order, up to `rows` — the API's JSON. */
function listSessions(all: readonly Row[], params: Readonly<Record<string, string>>): unknown {
  const from = Number(params.after_time) * 1000;
  const to = Number(params.before_time) * 1000;
  const data = all
    .filter((r) => (r.end <= r.start ? from <= r.start && r.start < to : r.start < to && r.end > from))
    .sort((a, b) => a.start - b.start)
    .slice(0, Number(params.rows))
    .map((r) => ({ START: r.start / 1000, CLNIP: r.cln, SRVIP: r.srv, SRVPORT: r.port, PROTO: r.proto, CLNPKTS: r.clnpkts, SRVPKTS: r.srvpkts, CLNBYTS: r.clnpkts * 100, SRVBYTS: r.srvpkts * 50 }));
  return { columns: Object.keys(data[0] ?? {}), data, summary: { sessions: data.length } };
}

t.test('reading the two-way sessions: bounded answers, halves, each session once', async (t) => {
  const t0 = at('2026-11-24T10:00:00');
  const rows: Row[] = [
    // began before the span and lasts through it: counted in the first half only
    { start: t0 - 5000, end: t0 + 500_000, cln: '10.1.0.1', srv: '10.9.0.1', port: 443, proto: 6, clnpkts: 9, srvpkts: 9 },
    ...Array.from({ length: 7 }, (_, i): Row => ({ start: t0 + 60_000 * i, end: t0 + 60_000 * i + 1000, cln: '10.1.0.2', srv: '10.9.0.2', port: 22, proto: 6, clnpkts: 2, srvpkts: 2 })),
  ];
  const link = new FakeLink((call: Call) => listSessions(rows, call.params));
  const read = await readConnections(link, { query: 'PROTO=TCP', exporter: '192.0.2.1' }, t0, t0 + 600_000, 'test', undefined, 3);
  t.equal(read.sessions, 8, 'every session once');
  t.equal(read.cutSpans, 0);
  t.same(
    [...read.connections.values()].map((c) => [c.client, c.server, c.port, c.proto, c.sessions, c.clnpkts, c.srvbyts]),
    [
      ['10.1.0.1', '10.9.0.1', 443, 6, 1, 9, 450],
      ['10.1.0.2', '10.9.0.2', 22, 6, 7, 14, 700],
    ],
  );
  t.same(link.calls[0]!.params, {
    query: `(PROTO=TCP) && ${TWO_WAY_FILTER}`,
    exporter: '192.0.2.1',
    after_time: String(t0 / 1000),
    before_time: String((t0 + 600_000) / 1000),
    fields: 'START,CLNIP,SRVIP,SRVPORT,PROTO,CLNPKTS,SRVPKTS,CLNBYTS,SRVBYTS',
    format: 'ndjson',
    rows: '4',
  });
  // 8 sessions listed for 0–600 s, more than 3: halves, until each lists at most 3 (the long session in every one)
  t.same(
    link.calls.map((c) => [(Number(c.params.after_time) * 1000 - t0) / 1000, (Number(c.params.before_time) * 1000 - t0) / 1000]),
    [
      [0, 600],
      [0, 300],
      [0, 150],
      [0, 75],
      [75, 150],
      [150, 300],
      [300, 600],
    ],
  );
  t.equal(link.calls[0]!.params.query, `(PROTO=TCP) && CLNPKTS>0 && SRVPKTS>0 && (PROTO!=TCP || (CLNPKTS>=2 && SRVPKTS>=2 && (FLAGS!=FRST || FLAGS=FPSH || FLAGS=FFIN)))`);
  // a second that holds more than an answer may is read up to the cap, and the cut is counted
  const burst = Array.from({ length: 6 }, (_, i): Row => ({ start: t0 + i, end: t0 + i, cln: '10.1.0.3', srv: '10.9.0.3', port: 80, proto: 6, clnpkts: 3, srvpkts: 3 }));
  const cut = await readConnections(new FakeLink((call) => listSessions(burst, call.params)), {}, t0, t0 + 1000, 'test', undefined, 4);
  t.match(cut, { sessions: 4, cutSpans: 1 });
  for (const [answer, problem] of [
    ['{"START":1,"CLNIP"\n', /a line is not JSON/],
    [{ data: [{ START: 1, CLNIP: '10.0.0.1', SRVIP: '10.0.0.2', SRVPORT: '443', PROTO: 6, CLNPKTS: 1, SRVPKTS: 1, CLNBYTS: 1, SRVBYTS: 1 }] }, /SRVPORT is not a number/],
    [{ data: [{ START: 1, CLNIP: null, SRVIP: '10.0.0.2', SRVPORT: 443, PROTO: 6, CLNPKTS: 1, SRVPKTS: 1, CLNBYTS: 1, SRVBYTS: 1 }] }, /CLNIP is not an address/],
    [{ data: [7] }, /a session is not an object/],
  ] as const) {
    await t.rejects(readConnections(new FakeLink(() => answer), {}, t0, t0 + 1000, 'test'), { code: 'BAD_ANSWER', message: problem });
  }
});

const MINUTE = 60_000;

/**
 * The scenario's sessions that start in epoch minute `m`: clients 10.1.0.1–6 each use 10.9.0.(1 + h mod 3)
 * on 443/TCP every minute, and the resolver 10.9.0.53 on 53/UDP every 5 minutes (one packet each way);
 * 10.1.200.5 uses 10.9.0.1 too. In `oddMinute`: a new service (10.1.0.2 to 10.9.0.2 on 22/TCP, 3
 * sessions; 10.1.0.3 to 10.9.0.53 on 123/UDP), a new client (10.77.5.9 to 10.9.0.1 on 443/TCP, 2
 * sessions), a new host of a known subnet (10.1.0.99 to 10.9.0.2 on 443/TCP), and probes: SYNs
 * unanswered, SYNs answered by RST, a SYN-ACK reset by the prober, and a probe sent twice from the same
 * port that the collector merged into one session of 2 packets each way (SYN, ACK and RST seen, never
 * PSH or FIN: a retrying scanner's, within the session timeout).
 */
function minuteRows(m: number, oddMinute: number): Row[] {
  const base = m * MINUTE;
  const out: Row[] = [];
  const two = (s: number, cln: string, srv: string, port: number, proto = 6, pk = 5): Row => ({ start: base + s, end: base + s + 1500, cln, srv, port, proto, clnpkts: pk, srvpkts: pk - 1 || 1 });
  for (let h = 1; h <= 6; h++) {
    out.push(two(1000 * h, `10.1.0.${h}`, `10.9.0.${1 + (h % 3)}`, 443));
    if (m % 5 === 0) out.push({ ...two(100 * h, `10.1.0.${h}`, '10.9.0.53', 53, 17), clnpkts: 1, srvpkts: 1 });
  }
  out.push(two(20_000, '10.1.200.5', '10.9.0.1', 443));
  if (m === oddMinute) {
    // one of them ended by a reset after its data: a session still
    for (let i = 0; i < 3; i++) out.push({ ...two(30_000 + 1000 * i, '10.1.0.2', '10.9.0.2', 22, 6, 10), ...(i === 2 && { flags: SYN_ACK_PSH_RST }) });
    out.push({ ...two(31_000, '10.1.0.3', '10.9.0.53', 123, 17), clnpkts: 1, srvpkts: 1 });
    for (let i = 0; i < 2; i++) out.push(two(40_000 + 1000 * i, '10.77.5.9', '10.9.0.1', 443));
    out.push(two(45_000, '10.1.0.99', '10.9.0.2', 443));
    for (let p = 1; p <= 40; p++) {
      out.push({ start: base + p, end: base + p, cln: '10.66.0.1', srv: `10.9.0.${1 + (p % 3)}`, port: p, proto: 6, clnpkts: 1, srvpkts: 0 });
      out.push({ start: base + 100 + p, end: base + 100 + p, cln: '10.66.0.2', srv: '10.9.0.3', port: p, proto: 6, clnpkts: 1, srvpkts: 1 });
    }
    out.push({ start: base + 500, end: base + 600, cln: '10.66.0.3', srv: '10.9.0.1', port: 8080, proto: 6, clnpkts: 2, srvpkts: 1 });
    out.push({ start: base + 700, end: base + 50_700, cln: '10.66.0.4', srv: '10.9.0.1', port: 8443, proto: 6, clnpkts: 2, srvpkts: 2, flags: SYN_ACK_RST });
  }
  return out;
}

/** The rows in core's in-memory store, so that the fake answers the session list with the real query engine. */
function memoryStore(rows: readonly Row[]): MemorySource {
  const cols = allocColumns(rows.length);
  const ip = (col: ColumnArray, i: number, text: string): void => (col as Uint32Array).set(parseIp(text)!, i * 4);
  rows.forEach((r, i) => {
    (cols.start as Float64Array)[i] = r.start * 1000;
    (cols.end as Float64Array)[i] = r.end * 1000;
    ip(cols.clnip, i, r.cln);
    ip(cols.srvip, i, r.srv);
    cols.srvport[i] = r.port;
    cols.proto[i] = r.proto;
    cols.clnpkts[i] = r.clnpkts;
    cols.srvpkts[i] = r.srvpkts;
    cols.flags[i] = r.flags ?? 0;
    cols.clnbyts[i] = r.clnpkts * 100;
    cols.srvbyts[i] = r.srvpkts * 50;
  });
  const source = new MemorySource();
  source.append(cols, rows.length);
  return source;
}

function answerFrom(source: MemorySource, params: Readonly<Record<string, string>>): unknown {
  const data: Record<string, unknown>[] = [];
  const batches = streamSessions(source, {
    fromUs: Number(params.after_time) * 1e6,
    toUs: Number(params.before_time) * 1e6,
    filter: parseFilter(params.query ?? ''),
    limit: Number(params.rows),
    columns: ['start', 'clnip', 'srvip', 'srvport', 'proto', 'clnpkts', 'srvpkts', 'clnbyts', 'srvbyts'],
  });
  for (const b of batches) {
    const c = b.columns;
    for (let i = 0; i < b.rows; i++) {
      data.push({
        START: c.start![i]! / 1e6,
        CLNIP: formatIpAt(c.clnip as Uint32Array, i),
        SRVIP: formatIpAt(c.srvip as Uint32Array, i),
        SRVPORT: c.srvport![i],
        PROTO: c.proto![i],
        CLNPKTS: c.clnpkts![i],
        SRVPKTS: c.srvpkts![i],
        CLNBYTS: c.clnbyts![i],
        SRVBYTS: c.srvbyts![i],
      });
    }
  }
  return { columns: params.fields!.split(','), data, summary: { sessions: data.length } };
}

async function scenario(t: Test, complexity: number, windows: number): Promise<{ alerts: RaisedAlert[]; lines: string[]; link: FakeLink; rows: Row[]; start: number }> {
  const start = at('2026-11-24T10:03:30');
  const oddMinute = Math.floor(at('2026-11-24T10:07:00') / MINUTE);
  const rows: Row[] = [];
  for (let m = Math.floor((start - 2 * 86_400_000) / MINUTE) - 1; m < Math.floor(start / MINUTE) + 30; m++) rows.push(...minuteRows(m, oddMinute));
  const source = memoryStore(rows);
  const clock = new FakeClock(start);
  const stop = new AbortController();
  let checked = 0;
  const link = new FakeLink((call) => {
    t.equal(call.path, '/api/v1/sessions');
    if (Number(call.params.before_time) * 1000 > start - 600_000 && ++checked === windows) stop.abort('SIGTERM');
    return answerFrom(source, call.params);
  });
  const { notices, lines } = collectNotices('ftbfg');
  const alerts: RaisedAlert[] = [];
  const detector = new FingerprintDetector({}, complexity, { granularity: GRANULARITIES.DAY });
  const report = await detector.run(engineSettings(start, 2), {
    link,
    clock,
    notices,
    output: { emit: async (a) => void alerts.push(a) },
    episodes: new Episodes('ftbfg', detector.configuration, GRANULARITIES.DAY.stepMs),
    signal: stop.signal,
  });
  t.match(report, { windows, stopReason: 'SIGTERM' });
  return { alerts, lines, link, rows, start };
}

t.test('a whole run: the history learnt, then a new service and a new client alerted once; known clients and probes never', async (t) => {
  const { alerts, lines, link, rows, start } = await scenario(t, 1, 8);
  // training: from two days before the start to where the first window (09:52–10:02) begins, a day a query
  const trainTo = at('2026-11-24T09:52:00');
  t.same(lines.slice(0, 2), ['Learning...', 'Estimated iterations: 2']);
  const reset = (r: Row): boolean => r.flags !== undefined && (r.flags & 0x04) !== 0 && (r.flags & 0x09) === 0;
  const twoWay = (r: Row): boolean => r.clnpkts > 0 && r.srvpkts > 0 && (r.proto !== 6 || (r.clnpkts >= 2 && r.srvpkts >= 2 && !reset(r)));
  const inHistory = rows.filter((r) => twoWay(r) && r.start < trainTo && r.end > start - 2 * 86_400_000).length;
  t.same(
    lines.filter((l) => l.startsWith('Progress: ')).map((l) => l.replace(/  \d+ records/, '')),
    ['Progress: 50.000%', 'Progress: 100.000%'],
  );
  t.ok(lines.includes(`Progress: 100.000%  ${inHistory} records`), `${inHistory} two-way sessions learnt from`);
  // 10.1.0.0/17 with 10.9.0.1–3 on 443/TCP and the resolver on 53/UDP; 10.1.128.0/17 with 10.9.0.1
  t.ok(lines.includes('Training complete, tracking 5 client–service pairs...'));
  t.same(
    link.calls.slice(0, 2).map((c) => [Number(c.params.after_time) * 1000, Number(c.params.before_time) * 1000]),
    [
      [start - 2 * 86_400_000, start - 86_400_000],
      [start - 86_400_000, trainTo],
    ],
  );
  // the windows: 10:02, 10:04 … 10:16; the odd minute 10:07 is first in the window ending 10:08
  const ends = link.calls.slice(2).map((c) => Number(c.params.before_time) * 1000);
  t.same(ends.slice(0, 8), Array.from({ length: 8 }, (_, i) => at('2026-11-24T10:02:00') + i * 120_000));
  const during = 'during 11/24/2026 09:58:00 to 11/24/2026 10:08:00';
  t.same(
    alerts.map((a) => a.line.replace(/^\S+ \S+ /, '')),
    [
      `unusual connection from 10.1.0.2 to 10.9.0.2 on 22/TCP (new service) ${during}: 3 sessions`,
      `unusual connection from 10.1.0.3 to 10.9.0.53 on 123/UDP (new service) ${during}: 1 session`,
      `unusual connection from 10.77.5.9 to 10.9.0.1 on 443/TCP (new client) ${during}: 2 sessions`,
    ],
    'each once, in the first window that holds it; 10.1.0.99 (a known /17) and the probes not at all',
  );
  t.ok(alerts.every((a) => a.windowEndMs === at('2026-11-24T10:08:00')));
  const [service, , client] = alerts;
  t.match(service!.record, {
    alert_type: 'fingerprint_new_service',
    detector: 'ftbfg',
    target_ip: '10.9.0.2',
    target_mask: 32,
    proto: 6,
    server_port: 22,
    sources: ['10.1.0.2'],
    total_sources: 1,
    threshold_value: null,
    current_values: { packets_out: 30, packets_in: 27, bytes_out: 3000, bytes_in: 1350, new_conn: 3 },
  });
  t.same(Object.fromEntries(client!.draft.fields.map((f) => [f.name, f.value])), {
    nbisource: '10.77.5.9',
    clientnet: '10.77.0.0/17',
    target: '10.9.0.1',
    service: '443/TCP',
    value: 2,
    knownclients: 2,
    complexity: 1,
  });
  t.equal(client!.record.alert_type, 'fingerprint_new_client');
  t.match(lines.find((l) => l.includes('to 11/24/2026 10:08:00:')), /^ftbfg: window \S+ \S+ to \S+ \S+: \d+ two-way sessions, \d+ connections, 3 alerts; tracking 8 client–service pairs of 6 services$/);
});

t.test('-bc 16: every client address on its own, so a new host of a known subnet is a new client', async (t) => {
  const { alerts } = await scenario(t, 16, 5);
  t.same(
    alerts.map((a) => a.draft.text.replace(/ during .*:/, ':')),
    [
      'unusual connection from 10.1.0.2 to 10.9.0.2 on 22/TCP (new service): 3 sessions',
      'unusual connection from 10.1.0.3 to 10.9.0.53 on 123/UDP (new service): 1 session',
      'unusual connection from 10.77.5.9 to 10.9.0.1 on 443/TCP (new client): 2 sessions',
      'unusual connection from 10.1.0.99 to 10.9.0.2 on 443/TCP (new client): 1 session',
    ],
  );
  t.equal(alerts[3]!.draft.fields.find((f) => f.name === 'clientnet')?.value, '10.1.0.99/32');
});
