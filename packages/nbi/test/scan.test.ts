// ftscan: its parameters, its alert lines exactly as nbi.md prints them, the follow-up query of a
// vertical scan, and whole runs against a fake server that ranks generated sessions the way ftserver
// does (three days of history with a daily rhythm, then a horizontal and a vertical scan): known answers.
process.env.TZ = 'America/New_York';

import t from 'tap';
import type { StatAnswer } from '@opentraq/cli';
import type { Finding, WindowCheck } from '../src/engine/detector.js';
import { GRANULARITIES } from '../src/engine/granularity.js';
import { HorizontalScans } from '../src/ftscan/horizontalscans.js';
import { main as ftscan } from '../src/ftscan/main.js';
import { ScanDetector } from '../src/ftscan/scandetector.js';
import { scanRankings, targetsOfSource } from '../src/ftscan/scanrankings.js';
import { VerticalScans } from '../src/ftscan/verticalscans.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { expectHelp, expectRefusals, runCommand, type CommandRun } from './commandrun.js';
import { FakeClock, FakeLink, collectNotices, engineSettings, feedAnswer, statAnswer, type Call, type FakeSession as Sess, type RankRow } from './fakes.js';

const run = (argv: string[]): Promise<CommandRun> => runCommand(ftscan, argv);

/** New York local time: EDT (-04:00) in October 2012, EST (-05:00) in late November 2026. */
const at = (local: string): number => Date.parse(`${local}${local.startsWith('2012-10') ? '-04:00' : '-05:00'}`);
const RULE = { deviations: 3, threshold: 100, low: false };

t.test('parameters: what ftscan refuses and why, and its help', async (t) => {
  const cases: [string[], RegExp][] = [
    [['-grp', 'IP'], /^ftscan: -grp does not apply to ftscan: ftscan always tracks the unique hosts and the unique services \(port\/protocol\) in the sessions each address initiated/],
    [['-cnt', 'UNIQUE', 'IP'], /-cnt does not apply to ftscan/],
    [['-snd'], /-snd does not apply to ftscan/],
    [['-bnl'], /-bnl does not apply to ftscan: a scan is a source above its baseline; there are no LOW alerts/],
    [['-bc', '3'], /unknown parameter|-bc/],
    [['-w', '10'], /-w does not apply to ftscan: a detector checks its own windows/],
    [['-bt', 'many'], /-bt 'many' is not an absolute threshold/],
    [['-bg', 'WEEK', '-bdow'], /-bdow cannot be combined with -bg WEEK/],
    [['-lp', '514'], /-lp needs -lh as well/],
    [['-q', 'CLNIP=10.0.0.300'], /bad filter/],
  ];
  await expectRefusals(t, run, ['-un', 'admin', '-up', 'x'], cases);
  const help = await expectHelp(t, run, ['-bg', '-bt', '-bk', '-bd', '-bdow', '-bm', '-ls', '-lh', '-lp', '-lt', '-lf', '-ll', '-lu', '-j', '-nr', '-tn', '-q', '-v']);
  t.match(help, /^ftscan \S+ — detect scans: sources contacting unusually many hosts \(horizontal\) or many ports on one host \(vertical\)/);
  const down = await run(['-s', '127.0.0.1', '-p', '1', '-un', 'admin', '-up', 'x']);
  t.equal(down.code, 4, 'no server: exit 4');
});

t.test('the rankings: unique hosts and unique services sent to, and one source\'s targets', async (t) => {
  const r = scanRankings({ query: 'PROTO=TCP', exporter: '192.0.2.1' });
  t.match(r.horizontal, { count: 'UNIQUE', unique: 'IP', direction: 'snd', entity: { name: 'IP' } });
  t.match(r.vertical, { count: 'UNIQUE', unique: 'PORTPROTO', direction: 'snd', entity: { name: 'IP' } });
  t.same(targetsOfSource({ query: 'PROTO=TCP', exporter: '192.0.2.1' }, '5.6.7.8').selection, { query: '(PROTO=TCP) && CLNIP=5.6.7.8', exporter: '192.0.2.1' });
  t.same(targetsOfSource({}, '2001:db8::1').selection, { query: 'CLNIP=2001:db8::1' });
  t.match(targetsOfSource({}, '5.6.7.8'), { count: 'UNIQUE', unique: 'PORTPROTO', direction: 'rcv' });
});

function finding(key: string, value: number, mean: number, stddev: number | null, n: number, k: number): Finding {
  return {
    key,
    entity: { key, cells: [key], value, counts: { bytes_sent: 82200, bytes_recv: 0, packets_sent: 1370, packets_recv: 0, sessions_initiated: 1370, sessions_accepted: 0 }, slices: [] },
    value,
    expectation: { mean, stddev, n },
    verdict: { direction: 'HIGH', k, crossed: stddev === null ? 100 : mean + 3 * stddev },
  };
}

const checkOf = (startLocal: string, endLocal: string, findings: Finding[]): WindowCheck => ({
  window: { startMs: at(startLocal), endMs: at(endLocal), shares: [], learnSlot: null },
  ranking: { entityColumns: ['IP'], rows: [], complete: true, entities: 0, sessions: 0 },
  findings,
});

t.test('the alert lines of nbi.md, with the facts of each', async (t) => {
  const rankings = scanRankings({});
  const h = new HorizontalScans(rankings.horizontal, RULE);
  const [line] = await h.alerts(checkOf('2012-10-15T15:30:00', '2012-10-15T16:30:00', [finding('1.2.3.4', 1370, 3.5, 1.2, 12, (1370 - 3.5) / 1.2)]));
  t.equal(line!.text, 'host/horizontal SCAN detected from source 1.2.3.4 during 10/15/2012 15:30:00 to 10/15/2012 16:30:00: 1370 unique hosts scanned');
  t.match(line!, {
    type: 'scan_horizontal',
    subject: '1.2.3.4',
    facts: { target_ip: null, target_mask: null, sources: ['1.2.3.4'], total_sources: 1, threshold_value: 100, current_values: { packets_out: 1370, bytes_out: 82200, new_conn: 1370, packets_in: 0 }, average_values: null },
  });
  t.same(Object.fromEntries(line!.fields.map((f) => [f.name, f.value])), { nbisource: '1.2.3.4', value: 1370, mean: '3.50', stddev: '1.20', k: '1138.75', n: 12, absth: 100, devth: 3 });
  // a source never seen: no deviation, k -1.00, reported because it passes -bt
  const [fresh] = await h.alerts(checkOf('2012-10-15T16:20:00', '2012-10-15T16:30:00', [finding('2001:db8::7', 250, 0, null, 0, -1)]));
  t.equal(fresh!.text, 'host/horizontal SCAN detected from source 2001:db8::7 during 10/15/2012 16:20:00 to 10/15/2012 16:30:00: 250 unique hosts scanned');
  t.match(Object.fromEntries(fresh!.fields.map((f) => [f.name, f.value])), { k: '-1.00', n: 0, mean: '0.00', stddev: '0.00' });
  // the threshold value is what the value had to pass: the baseline's bound, or -bt when that is higher
  const [busy] = await h.alerts(checkOf('2012-10-15T16:20:00', '2012-10-15T16:30:00', [finding('10.0.0.9', 900, 205, 7.07, 2, 98.3)]));
  t.equal(busy!.facts.threshold_value, 226.21);

  const link = new FakeLink((call: Call) =>
    statAnswer(
      ['IP'],
      [
        { cells: ['9.9.9.9'], value: 812, counts: [0, 48720, 0, 812, 0, 812] },
        { cells: ['9.9.9.10'], value: 100, counts: [0, 6000, 0, 100, 0, 100] },
        { cells: ['9.9.9.11'], value: 101, counts: [60, 6060, 1, 101, 0, 101] },
        { cells: ['5.6.7.8'], value: 0, counts: [60000, 60, 1000, 1, 1013, 0] },
      ],
      { fromS: Number(call.params.after_time), toS: Number(call.params.before_time) },
    ),
  );
  const { notices } = collectNotices('ftscan');
  const v = new VerticalScans(scanRankings({ query: 'PROTO=TCP' }).vertical, RULE);
  const drafts = await v.alerts(checkOf('2012-10-15T15:30:00', '2012-10-15T16:30:00', [finding('5.6.7.8', 1013, 2, 0.5, 20, 2022)]), { link, signal: new AbortController().signal, notices });
  t.same(link.calls[0]!.params, {
    group_by: 'IP',
    count_by: 'UNIQUE',
    unique: 'PORTPROTO',
    direction: 'rcv',
    after_time: String(at('2012-10-15T15:30:00') / 1000),
    before_time: String(at('2012-10-15T16:30:00') / 1000),
    query: '(PROTO=TCP) && CLNIP=5.6.7.8',
    rows: '10000',
  });
  t.same(
    drafts.map((d) => d.text),
    [
      'port/vertical SCAN detected from source 5.6.7.8 to target 9.9.9.9 during 10/15/2012 15:30:00 to 10/15/2012 16:30:00: 812 unique ports scanned',
      'port/vertical SCAN detected from source 5.6.7.8 to target 9.9.9.11 during 10/15/2012 15:30:00 to 10/15/2012 16:30:00: 101 unique ports scanned',
    ],
    'targets above -bt only (100 is not above 100), most ports first',
  );
  t.match(drafts[0]!, {
    type: 'scan_vertical',
    subject: '5.6.7.8>9.9.9.9',
    facts: { target_ip: '9.9.9.9', target_mask: 32, sources: ['5.6.7.8'], total_sources: 1, threshold_value: 100, current_values: { packets_out: 812, bytes_out: 48720, packets_in: 0, new_conn: 812 } },
  });
  t.same(Object.fromEntries(drafts[0]!.fields.map((f) => [f.name, f.value])), {
    nbisource: '5.6.7.8',
    target: '9.9.9.9',
    value: 812,
    sourcevalue: 1013,
    mean: '2.00',
    stddev: '0.50',
    k: '2022.00',
    n: 20,
    absth: 100,
    devth: 3,
    totaltargets: 2,
  });
});

const MINUTE = 60_000;
const localDay = (ms: number): number => Math.floor((ms - new Date(ms).getTimezoneOffset() * MINUTE) / 86_400_000);
const localSlot = (ms: number): number => Math.floor((new Date(ms).getHours() * 60 + new Date(ms).getMinutes()) / 10);

/**
 * The sessions that start in epoch minute `m`. Hosts 10.0.0.1–5 each reach 2 or 3 of the servers
 * 10.9.0.1–3 on 443/TCP per 10-minute slot (by slot and day); 10.0.0.9, a crawler, reaches 20 or 21 new
 * hosts a minute on 80/TCP (200 or 210 a slot, alternating by day). From `scanMinute` on, that one
 * minute: 10.66.0.1 sends a SYN to each of 150 hosts (445/TCP, no answer), and 10.66.0.2 tries ports
 * 1–120 of 10.9.0.3 and 1–5 of 10.9.0.4 (each answered by a RST).
 */
function sessionsOfMinute(m: number, scanMinute: number): Sess[] {
  const base = m * MINUTE;
  const slot = localSlot(base);
  const day = localDay(base);
  const out: Sess[] = [];
  for (let h = 1; h <= 5; h++) {
    const k = 2 + ((h + slot + day) % 2);
    out.push({ start: base + 1000 * h, end: base + 1000 * h + 2000, cln: `10.0.0.${h}`, srv: `10.9.0.${1 + (m % k)}`, port: 443, proto: 6, clnpkts: 5, srvpkts: 4 });
  }
  for (let i = 0; i < 20 + (day % 2); i++) out.push({ start: base + 10_000 + i, end: base + 11_000 + i, cln: '10.0.0.9', srv: `10.20.${m % 10}.${i}`, port: 80, proto: 6, clnpkts: 3, srvpkts: 3 });
  if (m === scanMinute) {
    for (let i = 1; i <= 150; i++) out.push({ start: base + 100 * i, end: base + 100 * i, cln: '10.66.0.1', srv: `10.50.0.${i}`, port: 445, proto: 6, clnpkts: 1, srvpkts: 0 });
    for (let p = 1; p <= 120; p++) out.push({ start: base + 200 * p, end: base + 200 * p, cln: '10.66.0.2', srv: '10.9.0.3', port: p, proto: 6, clnpkts: 1, srvpkts: 1 });
    for (let p = 1; p <= 5; p++) out.push({ start: base + 30_000 + p, end: base + 30_000 + p, cln: '10.66.0.2', srv: '10.9.0.4', port: p, proto: 6, clnpkts: 1, srvpkts: 1 });
  }
  return out;
}

/** Answers GET /api/v1/stat for -grp IP -cnt UNIQUE IP|PORTPROTO -snd|-rcv (with CLNIP=x), as ftserver ranks `sessions`. */
function rankUnique(sessions: readonly Sess[], params: Readonly<Record<string, string>>): StatAnswer {
  const fromMs = Number(params.after_time) * 1000;
  const toMs = Number(params.before_time) * 1000;
  const n = params.slices === undefined ? 1 : Number(params.slices);
  const span = (toMs - fromMs) / n;
  const only = /CLNIP=([\d.]+)$/.exec(params.query ?? '')?.[1];
  const snd = params.direction === 'snd';
  const target = (s: Sess, ofClient: boolean): string => (params.unique === 'IP' ? (ofClient ? s.srv : s.cln) : `${s.port} ${s.proto}`);
  const all = new Map<string, Set<string>>();
  const bySlice = new Map<string, Set<string>[]>();
  const counts = new Map<string, number[]>();
  const touch = (ip: string): void => {
    if (!all.has(ip)) {
      all.set(ip, new Set());
      bySlice.set(ip, Array.from({ length: n }, () => new Set()));
      counts.set(ip, [0, 0, 0, 0, 0, 0]);
    }
  };
  let total = 0;
  for (const s of sessions) {
    if (!(s.start < toMs && s.end >= fromMs) || (only !== undefined && s.cln !== only)) continue;
    total++;
    touch(s.cln);
    touch(s.srv);
    const [c, v] = [counts.get(s.cln)!, counts.get(s.srv)!];
    c[0] += s.clnpkts * 60;
    c[1] += s.srvpkts * 60;
    c[2] += s.clnpkts;
    c[3] += s.srvpkts;
    c[4]++;
    v[0] += s.srvpkts * 60;
    v[1] += s.clnpkts * 60;
    v[2] += s.srvpkts;
    v[3] += s.clnpkts;
    v[5]++;
    const entity = snd ? s.cln : s.srv;
    const value = target(s, snd);
    all.get(entity)!.add(value);
    for (let k = 0; k < n; k++) if (s.start < fromMs + (k + 1) * span && s.end >= fromMs + k * span) bySlice.get(entity)![k]!.add(value);
  }
  const rows: RankRow[] = [...all.entries()]
    .map(([ip, set]) => ({ cells: [ip], value: set.size, counts: counts.get(ip)!, ...(params.slices !== undefined && { slices: bySlice.get(ip)!.map((x) => x.size) }) }))
    .sort((a, b) => b.value - a.value || (a.cells[0]! < b.cells[0]! ? -1 : 1));
  return statAnswer(['IP'], rows.slice(0, Number(params.rows)), { fromS: fromMs / 1000, toS: toMs / 1000, slices: params.slices === undefined ? 0 : n, entities: rows.length, sessions: total });
}

t.test('a whole run: three days learnt, then the scans found in every window that holds them, and nothing else', async (t) => {
  const start = at('2026-11-24T10:03:30');
  const scanMinute = Math.floor(at('2026-11-24T10:07:00') / MINUTE);
  const sessions: Sess[] = [];
  for (let m = Math.floor((start - 3 * 86_400_000) / MINUTE) - 1; m < Math.floor(start / MINUTE) + 30; m++) sessions.push(...sessionsOfMinute(m, scanMinute));
  const clock = new FakeClock(start);
  const stop = new AbortController();
  const windowEnds: number[] = [];
  const link = new FakeLink((call) => {
    const p = call.params;
    if (p.slices === undefined && p.unique === 'IP') {
      windowEnds.push(Number(p.before_time) * 1000);
      // stopped while the eleventh window is asked for: that window is abandoned, never half-reported
      if (windowEnds.length === 11) stop.abort('SIGTERM');
    }
    // the fake serves only sessions that have ended by the fake clock's time, as a store would hold them
    const stored = sessions.filter((s) => s.end <= clock.t);
    return p.group_by === 'QOS' ? feedAnswer(stored, p) : rankUnique(stored, p);
  });
  const { notices, lines } = collectNotices('ftscan');
  const alerts: RaisedAlert[] = [];
  const detector = new ScanDetector({}, RULE, { granularity: GRANULARITIES.DAY, byDayOfWeek: false });
  const report = await detector.run(engineSettings(start, 3, 1 << 24), {
    link,
    clock,
    notices,
    output: { emit: async (a) => void alerts.push(a) },
    episodes: new Episodes('ftscan', detector.configuration, GRANULARITIES.DAY.stepMs),
    signal: stop.signal,
  });

  t.same(lines.slice(0, 2), ['Learning...', 'Estimated iterations: 3']);
  const progress = lines.filter((l) => l.startsWith('Progress: '));
  t.equal(progress.length, 3, 'a progress line per iteration');
  t.match(progress[2], /^Progress: 100\.000%  \d+ records$/);
  // both rankings per iteration, with one slice per 10-minute slot
  const training = link.calls.filter((c) => c.params.slices !== undefined && c.params.group_by === 'IP');
  t.same(
    training.map((c) => c.params.unique),
    ['IP', 'PORTPROTO', 'IP', 'PORTPROTO', 'IP', 'PORTPROTO'],
  );
  t.ok(training.every((c) => (Number(c.params.before_time) - Number(c.params.after_time)) / 600 === Number(c.params.slices)));
  // every address that initiated a session in the history: 5 hosts and the crawler
  t.ok(lines.includes('Training complete, tracking 6 entities...'), lines.find((l) => l.startsWith('Training complete')) ?? 'no Training complete line');

  const expectedEnds = Array.from({ length: 11 }, (_, i) => at('2026-11-24T10:02:00') + i * 120_000);
  t.same(windowEnds, expectedEnds, 'windows ending 10:02 … 10:22, each once, in order');
  t.match(report, { windows: 10, alerts: alerts.length, lastEndMs: expectedEnds[9], stopReason: 'SIGTERM', trainedEntities: 6 });

  // the scans are in the five windows that hold 10:07–10:08 (ending 10:08 … 10:16), complete in each,
  // but for 10:02–10:12: the scanners' one observation of slot 10:00 is the scan (learnt at 10:10), and
  // 0.8 of it plus -bk deviation floors (docs/nbi.md, The rule) is 156 hosts for 150, 125 ports for 120
  const got = alerts.map((a) => [a.windowEndMs, a.line.replace(/^\S+ \S+ /, '')]);
  const expected: [number, string][] = [];
  for (const [i, during] of [
    [3, '11/24/2026 09:58:00 to 11/24/2026 10:08:00'],
    [4, '11/24/2026 10:00:00 to 11/24/2026 10:10:00'],
    [6, '11/24/2026 10:04:00 to 11/24/2026 10:14:00'],
    [7, '11/24/2026 10:06:00 to 11/24/2026 10:16:00'],
  ] as const) {
    expected.push([expectedEnds[i]!, `host/horizontal SCAN detected from source 10.66.0.1 during ${during}: 150 unique hosts scanned`]);
    expected.push([expectedEnds[i]!, `port/vertical SCAN detected from source 10.66.0.2 to target 10.9.0.3 during ${during}: 120 unique ports scanned`]);
  }
  t.same(got, expected, 'the two scans in each window that holds them; the crawler (200 hosts a slot, its usual) and 10.9.0.4 (5 ports) are not reported');
  t.equal(new Set(alerts.filter((a) => a.draft.type === 'scan_horizontal').map((a) => a.record.id)).size, 2, 'an episode on each side of the window not reported');
  t.equal(new Set(alerts.filter((a) => a.draft.type === 'scan_vertical').map((a) => a.record.id)).size, 2);
  t.match(alerts[0]!.draft.fields.find((f) => f.name === 'k'), { value: '-1.00' }, 'a source never seen has no deviation');
  // the follow-ups: one per window with the vertical scanner, for its targets only
  const followUps = link.calls.filter((c) => c.params.direction === 'rcv');
  t.equal(followUps.length, 4);
  t.ok(followUps.every((c) => c.params.query === 'CLNIP=10.66.0.2'));
  t.same(
    lines.filter((l) => l.includes('learnt slot')).map((l) => /to \S+ (\S+):.*learnt slot ([\d:]+)/.exec(l)!.slice(1)),
    [
      ['10:10:00', '10:00'],
      ['10:20:00', '10:10'],
    ],
    'each slot learnt once, by the window that coincides with it',
  );
  t.match(lines.find((l) => l.includes('window 11/24/2026 09:58:00 to 11/24/2026 10:08:00')), /^ftscan: window \S+ \S+ to \S+ \S+: \d+ sources, \d+ sessions, 1 horizontal and 1 vertical alerts; tracking \d+$/);
});

t.test('a source with a busy baseline is judged against it: the crawler alerts only far above its usual', async (t) => {
  const start = at('2026-11-24T10:03:30');
  const sessions: Sess[] = [];
  for (let m = Math.floor((start - 9 * 86_400_000) / MINUTE) - 1; m < Math.floor(start / MINUTE) + 30; m++) sessions.push(...sessionsOfMinute(m, -1));
  // at 10:05 the crawler reaches 300 hosts more, within its usual 80/TCP
  const burst = Math.floor(at('2026-11-24T10:05:00') / MINUTE) * MINUTE;
  for (let i = 0; i < 300; i++) sessions.push({ start: burst + i, end: burst + i, cln: '10.0.0.9', srv: `10.30.${i >> 8}.${i & 255}`, port: 80, proto: 6, clnpkts: 2, srvpkts: 2 });
  const clock = new FakeClock(start);
  const stop = new AbortController();
  let windows = 0;
  const link = new FakeLink((call) => {
    if (call.params.slices === undefined && call.params.unique === 'IP' && ++windows === 4) stop.abort('SIGTERM');
    // each answer from the sessions of its span (both fakes leave the others out): the feed check of a
    // day's training query counts in 1440 slices, and nine days' sessions in each would take seconds
    const p = call.params;
    const inSpan = sessions.filter((s) => s.start < Number(p.before_time) * 1000 && s.end >= Number(p.after_time) * 1000);
    return p.group_by === 'QOS' ? feedAnswer(inSpan, p) : rankUnique(inSpan, p);
  });
  const { notices } = collectNotices('ftscan');
  const alerts: RaisedAlert[] = [];
  const detector = new ScanDetector({}, { ...RULE, threshold: 50 }, { granularity: GRANULARITIES.DAY, byDayOfWeek: false });
  await detector.run(engineSettings(start, 9, 1 << 24), { link, clock, notices, output: { emit: async (a) => void alerts.push(a) }, episodes: new Episodes('ftscan', 'x', 120_000), signal: stop.signal });
  // windows ending 10:02 (200 or 210 hosts: normal, though above -bt 50), 10:04, 10:06 (the burst: 500 or 510)
  const usual = 200 + (localDay(burst) % 2) * 10;
  t.same(
    alerts.map((a) => a.draft.text),
    [`host/horizontal SCAN detected from source 10.0.0.9 during 11/24/2026 09:56:00 to 11/24/2026 10:06:00: ${usual + 300} unique hosts scanned`],
    `only the window with the burst; ${usual} hosts, its usual, are not reported though above -bt`,
  );
  const fields = Object.fromEntries(alerts[0]!.draft.fields.map((f) => [f.name, f.value]));
  // the window 09:56–10:06 is 0.4 of slot 09:50 (learnt on nine days, 11-16 to 11-24: 210 hosts on five,
  // 200 on four; mean 205.56, s 5.27) and 0.6 of slot 10:00 (eight days, the history ending where the
  // live windows begin: 210 and 200 on four each; mean 205, s 5.35)
  t.equal(fields.n, 8, 'the fewer observations of the two slots');
  t.equal(fields.mean, '205.22', '0.4 × 205.56 + 0.6 × 205');
  t.equal(fields.stddev, '5.32', '0.4 × 5.27 + 0.6 × 5.35');
  // judged by the floor, a tenth of the mean (20.52): s widened for n 8 (×1.6016) is only 8.51. With the
  // two observations of three days' history it was widened ×96 (to 631), hiding the burst (k 0.48)
  t.equal(fields.k, '14.85', '(510 − 205.22) / 20.52');
  t.equal(alerts[0]!.draft.facts.threshold_value, 266.79, '205.22 + 3 × 20.52');
});
