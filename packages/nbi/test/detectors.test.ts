// ftdos and fttcv: their parameters and messages, their alert lines exactly as nbi.md prints them,
// and the engine's whole life with a clock of the test's own (training, every window once in order,
// catching up, giving up a backlog with a message, learning each slot once, stopping).
process.env.TZ = 'America/New_York';

import t from 'tap';
import { ENTITY_BY_NAME } from '@opentraq/core';
import type { StatCell } from '@opentraq/cli';
import type { Finding, WindowCheck } from '../src/engine/detector.js';
import { GRANULARITIES } from '../src/engine/granularity.js';
import { runEngine } from '../src/engine/runengine.js';
import { DosDetector } from '../src/ftdos/dosdetector.js';
import { main as ftdos } from '../src/ftdos/main.js';
import { main as fttcv } from '../src/fttcv/main.js';
import { measurePhrase } from '../src/fttcv/measurephrase.js';
import { VolumeDetector } from '../src/fttcv/volumedetector.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { entityLabel, entityPhrase } from '../src/output/entitytext.js';
import { runCommand as run } from './commandrun.js';
import { FakeClock, FakeLink, collectNotices, engineSettings, rhythmRanking, statAnswer, type Call } from './fakes.js';


t.test('parameters: every mistake is a usage error (exit 2) that says what to do', async (t) => {
  const cases: [typeof ftdos, string[], RegExp][] = [
    [ftdos, ['-grp', 'IP'], /^ftdos: -grp does not apply to ftdos: ftdos always tracks the sessions each address accepts/],
    [ftdos, ['-snd'], /-snd does not apply to ftdos/],
    [ftdos, ['-bnl'], /-bnl does not apply to ftdos: ftdos reports only targets above their baseline/],
    [ftdos, ['-r', '10'], /-r does not apply to ftdos: a detector prints alerts as they happen/],
    [fttcv, ['-C'], /-C does not apply to fttcv/],
    [ftdos, ['-bg', 'MONTH'], /-bg 'MONTH' is not a granularity: use DAY .* or WEEK/],
    [ftdos, ['-bg', 'weak'], /-bg 'weak' is not a granularity \(did you mean WEEK\?\)/],
    [ftdos, ['-bg', 'WEEK', '-bdow'], /-bdow cannot be combined with -bg WEEK: WEEK baselines are per hour of the week already/],
    [ftdos, ['-bk', '0'], /-bk '0' is not a number of standard deviations: give a number more than 0 to 1000/],
    [ftdos, ['-bk', '1e3'], /-bk '1e3' is not a number of standard deviations/],
    [ftdos, ['-bt', '-5'], /-bt '-5' is not an absolute threshold: give a number from 0 to/],
    [ftdos, ['-bd', '9999'], /-bd '9999' is not a settling delay in seconds: give a whole number from 0 to 3600/],
    [ftdos, ['-bm', '0'], /-bm '0' is not a memory size in MB: give a whole number from 1 to 1048576/],
    [ftdos, ['-lp', '6514'], /-lp needs -lh as well: it sets how alerts go to the log host/],
    [ftdos, ['-lu', 'x'], /-lu needs -lh as well/],
    [ftdos, ['-lh', 'siem', '-lt', 'sctp'], /-lt 'sctp' is not a syslog transport: use one of udp tcp/],
    [ftdos, ['-lh', 'siem', '-lf', 'LOCAL9'], /-lf 'LOCAL9' is not a syslog facility \(did you mean LOCAL[0-7].*\): use one of LOCAL0/],
    [ftdos, ['-ll', 'loud'], /-ll 'loud' is not a syslog level: use one of EMERG ALERT CRIT ERR WARNING NOTICE INFO DEBUG/],
    [ftdos, ['-lh', 'a b'], /-lh 'a b' is not a hostname or address/],
    [ftdos, ['-lh', 'siem:514'], /-lh 'siem:514': give the port with -lp \(e\.g\. -lh siem -lp 514\)/],
    [ftdos, ['-lh', '[10.0.0.1]'], /in brackets is not an IPv6 address/],
    [ftdos, ['-lh', 'siem', '-lp', '70000'], /-lp '70000' is not a port/],
    [ftdos, ['-lh', 'siem', '-j'], /-j formats the alerts on stdout, and with -lh they go to stdout only with -ls as well/],
    [ftdos, ['-lh', 'siem', '-lu', 'a\nb'], /-lu: the text has a line break/],
    [ftdos, ['-tn', '2d1w'], /order|1w2d/],
    [ftdos, ['-tn', '1h', '-te', '10/15/2012 16:00'], /-tn cannot be combined with -te/],
    [ftdos, ['-q', 'SRCIP=10.0.0.1'], /bad filter: unknown field 'SRCIP'[\s\S]*\^/],
    [fttcv, ['-cnt', 'UNIQUE'], /-cnt UNIQUE needs what to count distinct values of/],
    [fttcv, ['-cnt', 'UNIQUE', 'IPPAIR'], /-cnt UNIQUE 'IPPAIR' is not an entity to count/],
    [fttcv, ['-cnt', 'BYTE'], /-cnt 'BYTE' is not a count \(did you mean BYTES/],
    [fttcv, ['-grp', 'PORTPROTO', '-snd'], /PORTPROTO/],
    [fttcv, ['-snd', '-rcv'], /-snd and -rcv cannot be combined/],
    [ftdos, [], /a login is needed: give -un USER/],
  ];
  for (const [tool, argv, pattern] of cases) {
    const r = await run(tool, ['-un', 'admin', '-up', 'x', ...argv].slice(argv.length === 0 ? 4 : 0));
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.match(r.stderr, pattern, argv.join(' '));
    t.equal(r.stdout, '', 'nothing on stdout');
  }
});

t.test('--help, --version, and a server that is not there (exit 4)', async (t) => {
  const help = await run(fttcv, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^fttcv \S+ — detect unusual volumes/);
  for (const p of ['-grp', '-cnt', '-snd', '-bg', '-bt', '-bk', '-bnl', '-bd', '-bdow', '-bm', '-ls', '-lh', '-lp', '-lt', '-lf', '-ll', '-lu', '-j', '-nr', '-tn']) t.match(help.stdout, new RegExp(`\\n  ${p}[ ,]`), `--help lists ${p}`);
  t.equal((await run(ftdos, ['--version'])).code, 0);
  const down = await run(ftdos, ['-s', '127.0.0.1', '-p', '1', '-un', 'admin', '-up', 'x']);
  t.equal(down.code, 4);
  t.match(down.stderr, /^ftdos: cannot connect to 127\.0\.0\.1:1: connection refused/);
});

t.test('measures and entities in words', async (t) => {
  t.equal(measurePhrase({ count: 'BYTES', unique: undefined, direction: undefined }), 'total bytes communicated by');
  t.equal(measurePhrase({ count: 'BITS', unique: undefined, direction: 'snd' }), 'bits sent by');
  t.equal(measurePhrase({ count: 'PACKETS', unique: undefined, direction: 'rcv' }), 'packets received by');
  t.equal(measurePhrase({ count: 'SESSIONS', unique: undefined, direction: 'snd' }), 'sessions initiated by');
  t.equal(measurePhrase({ count: 'SESSIONS', unique: undefined, direction: undefined }), 'total sessions of');
  t.equal(measurePhrase({ count: 'UNIQUE', unique: 'IP', direction: 'snd' }), 'unique hosts in sessions initiated by');
  t.equal(measurePhrase({ count: 'UNIQUE', unique: 'PORTPROTO', direction: undefined }), 'unique services of');
  const cases: [Parameters<typeof entityPhrase>[0], StatCell[], string, string][] = [
    ['IP', ['2001:db8::1'], 'address 2001:db8::1', '2001:db8::1'],
    ['IPPAIR', ['10.0.0.1', '10.0.0.2'], 'address pair 10.0.0.1 and 10.0.0.2', '10.0.0.1 10.0.0.2'],
    ['PORTPROTO', [443, 6], 'service 443/TCP', '443/TCP'],
    ['PORTPROTO', [5000, 132], 'service 5000/SCTP', '5000/SCTP'],
    ['PORTPROTO', [7, 99], 'service 7/99', '7/99'],
    ['IF', ['192.0.2.1', 3], 'interface 3 of exporter 192.0.2.1', '192.0.2.1/3'],
    ['IFPAIR', ['192.0.2.1', 3, 5], 'interfaces 3 to 5 of exporter 192.0.2.1', '192.0.2.1/3>5'],
    ['ASN', [64512], 'AS64512', 'AS64512'],
    ['COUNTRY', [null], 'country -', '-'],
    ['TCPFLAGS', ['...A..S.'], 'TCP flags ...A..S.', '...A..S.'],
  ];
  for (const [entity, cells, phrase, label] of cases) {
    t.equal(entityPhrase(entity, cells), phrase);
    t.equal(entityLabel(entity, cells), label);
  }
});

const IP = ENTITY_BY_NAME.get('IP')!;
/** New York local time: EDT (-04:00) in October 2012, EST (-05:00) in late November 2026. */
const at = (local: string): number => Date.parse(`${local}${local.startsWith('2012-10') ? '-04:00' : '-05:00'}`);

function finding(key: string, value: number, mean: number, stddev: number | null, n: number, k: number, direction: 'HIGH' | 'LOW' = 'HIGH', cells?: StatCell[]): Finding {
  return {
    key,
    entity: cells === undefined && value === 0 ? undefined : { key, cells: cells ?? [key], value, counts: { bytes_sent: 11, bytes_recv: 22, packets_sent: 33, packets_recv: 44, sessions_initiated: 5, sessions_accepted: 6 }, slices: [] },
    value,
    expectation: { mean, stddev, n },
    verdict: { direction, k, crossed: direction === 'HIGH' ? mean + 3 * (stddev ?? 0) : mean - 3 * (stddev ?? 0) },
  };
}

const checkOf = (startLocal: string, endLocal: string, findings: Finding[]): WindowCheck => ({
  window: { startMs: at(startLocal), endMs: at(endLocal), shares: [], learnSlot: null },
  ranking: { entityColumns: ['IP'], rows: [], complete: true, entities: 0, sessions: 0 },
  findings,
});

t.test('fttcv prints nbi.md\'s example line, LOW alerts, and the facts of each', async (t) => {
  const tcv = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: undefined }, {}, { deviations: 2, threshold: 100, low: true });
  const k = (944856533 - 152723952.99) / 331763734.18;
  const [high] = await tcv.alerts(checkOf('2012-10-15T15:50:00', '2012-10-15T16:50:00', [finding('2.3.4.5', 944856533, 152723952.99, 331763734.18, 7, k)]));
  t.equal(
    high!.text,
    'unusually HIGH volume for total bytes communicated by address 2.3.4.5 during 10/15/2012 15:50:00 to 10/15/2012 16:50:00: 944856533.00 (u: 152723952.99 s: 331763734.18 k: 2.39 n: 7)',
  );
  t.match(high!.facts, { target_ip: '2.3.4.5', target_mask: 32, sources: [], total_sources: 0, current_values: { bytes_out: 11, bytes_in: 22, packets_out: 33, packets_in: 44, new_conn: 11 }, average_values: null });
  t.equal(high!.type, 'volume_high');
  const snd = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, { deviations: 3, threshold: 100, low: true });
  const [low, fresh] = await snd.alerts(
    checkOf('2012-10-15T16:20:00', '2012-10-15T16:30:00', [finding('10.1.0.11', 0, 340000, 9000, 3, 340000 / 9000, 'LOW'), finding('10.9.9.9', 5000, 0, null, 0, -1)]),
  );
  t.equal(low!.text, 'unusually LOW volume for bytes sent by address 10.1.0.11 during 10/15/2012 16:20:00 to 10/15/2012 16:30:00: 0.00 (u: 340000.00 s: 9000.00 k: 37.78 n: 3)');
  t.match(low!.facts, { threshold_value: 340000 - 27000, current_values: { bytes_out: 0, new_conn: 0 }, average_values: { bytes_out: 340000, bytes_in: null } });
  t.equal(low!.type, 'volume_low');
  t.match(Object.fromEntries(low!.fields.map((f) => [f.name, f.value])), { groupby: 'IP', countby: 'BYTES_SENT', unique: 'NONE' }, 'countby with its direction, as ftth and nbi.md name it');
  t.notOk(low!.fields.some((f) => f.name === 'direction'), 'no second field for the direction');
  t.match(Object.fromEntries(high!.fields.map((f) => [f.name, f.value])), { countby: 'BYTES_TOTAL' });
  t.equal(fresh!.text, 'unusually HIGH volume for bytes sent by address 10.9.9.9 during 10/15/2012 16:20:00 to 10/15/2012 16:30:00: 5000.00 (u: 0.00 s: 0.00 k: -1.00 n: 0)');
  const svc = new VolumeDetector({ entity: ENTITY_BY_NAME.get('PORTPROTO')!, count: 'SESSIONS', unique: undefined, direction: undefined }, {}, { deviations: 3, threshold: 100, low: true });
  const [s] = await svc.alerts(checkOf('2012-10-15T16:20:00', '2012-10-15T16:30:00', [finding('443 6', 0, 900, 50, 5, 18, 'LOW')]));
  t.equal(s!.text, 'unusually LOW volume for total sessions of service 443/TCP during 10/15/2012 16:20:00 to 10/15/2012 16:30:00: 0.00 (u: 900.00 s: 50.00 k: 18.00 n: 5)');
  t.match(s!.facts, { target_ip: null, server_port: 443, proto: 6, average_values: { new_conn: 900 } });
  t.same(
    Object.fromEntries(s!.fields.map((f) => [f.name, f.value])),
    { groupby: 'PORTPROTO', countby: 'SESSIONS_TOTAL', unique: 'NONE', nbisource: '443/TCP', value: '0.00', mean: '900.00', stddev: '50.00', k: '18.00', n: 5, absth: 100, devth: 3 },
  );
});

t.test('ftdos names each source of an anomalous target, as nbi.md prints it', async (t) => {
  const dos = new DosDetector({ query: 'PROTO=TCP', exporter: '192.0.2.1' }, { deviations: 3, threshold: 100, low: false });
  const link = new FakeLink((call: Call) =>
    statAnswer(
      ['IP'],
      [
        { cells: ['1.2.3.4'], value: 273, counts: [1000, 0, 273, 0, 273, 0] },
        { cells: ['4.3.2.1'], value: 0 },
        { cells: ['5.6.7.8'], value: 100 },
        { cells: ['9.9.9.9'], value: 5000, counts: [9, 0, 9, 0, 5000, 0] },
      ],
      { fromS: Number(call.params.after_time), toS: Number(call.params.before_time) },
    ),
  );
  const { notices } = collectNotices();
  const drafts = await dos.alerts(
    checkOf('2012-10-15T16:20:00', '2012-10-15T16:30:00', [finding('4.3.2.1', 6000, 180, 20, 3, 291), finding('10.0.0.1', 3, 10, 1, 3, 7, 'LOW')]),
    { link, signal: new AbortController().signal, notices },
  );
  t.equal(link.calls.length, 1, 'one follow-up query, for the HIGH target');
  t.same(link.calls[0]!.params, {
    group_by: 'IP',
    count_by: 'SESSIONS',
    direction: 'snd',
    after_time: String(at('2012-10-15T16:20:00') / 1000),
    before_time: String(at('2012-10-15T16:30:00') / 1000),
    query: '(PROTO=TCP) && SRVIP=4.3.2.1',
    exporter: '192.0.2.1',
    rows: '10000',
  });
  t.same(
    drafts.map((d) => d.text),
    [
      'DOS behavior detected from source 9.9.9.9 to target 4.3.2.1 during 10/15/2012 16:20:00 to 10/15/2012 16:30:00: 5000 connections initiated',
      'DOS behavior detected from source 1.2.3.4 to target 4.3.2.1 during 10/15/2012 16:20:00 to 10/15/2012 16:30:00: 273 connections initiated',
    ],
    'sources above -bt only (100 is not above 100), most sessions first',
  );
  t.match(drafts[1]!, { type: 'dos', subject: '1.2.3.4>4.3.2.1', facts: { target_ip: '4.3.2.1', target_mask: 32, sources: ['1.2.3.4'], total_sources: 2, threshold_value: 100, current_values: { new_conn: 273, bytes_out: 1000 } } });
  t.match(Object.fromEntries(drafts[1]!.fields.map((f) => [f.name, f.value])), { nbisource: '1.2.3.4', target: '4.3.2.1', value: 273, targetvalue: 6000, mean: '180.00', stddev: '20.00', k: '291.00', n: 3 });
});

/** A link that answers rankings of hosts 10.0.0.1–5 (rhythmRanking); `onWindow` sees each window query. */
function rhythmLink(loudFrom: number, onWindow: (call: Call, n: number) => void): FakeLink {
  let windows = 0;
  return new FakeLink((call) => {
    if (call.params.slices === undefined) onWindow(call, ++windows);
    return rhythmRanking(call.params, loudFrom);
  });
}

t.test('the engine: training, then every window once and in order, catching up after a slow query', async (t) => {
  const start = at('2026-11-24T10:03:30');
  const clock = new FakeClock(start);
  const stop = new AbortController();
  const ends: number[] = [];
  const loudFrom = at('2026-11-24T10:05:00');
  const link = rhythmLink(loudFrom, (call, n) => {
    ends.push(Number(call.params.before_time) * 1000);
    // the fourth window's query takes 7 minutes: three more windows are due by the time it returns
    if (n === 4) clock.t += 7 * 60_000;
    if (n === 12) stop.abort('SIGTERM');
  });
  const { notices, lines } = collectNotices('fttcv');
  const alerts: RaisedAlert[] = [];
  const detector = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, { deviations: 3, threshold: 100, low: true });
  // nine days of history, so that the slots of the first loud windows have 8 observations or more: the
  // deviation is widened ×1.60 at n 8 (×96 at n 2, which three days gave slot 10:00: no alert until 10:20)
  const report = await runEngine(detector, engineSettings(start, 9), {
    link,
    clock,
    notices,
    output: { emit: async (a) => void alerts.push(a) },
    episodes: new Episodes('fttcv', 'test', GRANULARITIES.DAY.stepMs),
    signal: stop.signal,
  });
  const expected = Array.from({ length: 12 }, (_, i) => at('2026-11-24T10:02:00') + i * 120_000);
  t.same(ends, expected, 'windows ending 10:02, 10:04, ... 10:24: none twice, none skipped');
  t.match(report, { windows: 12, alerts: alerts.length, lastEndMs: expected[11], stopReason: 'SIGTERM', trainedEntities: 5 });
  // 1295 whole slots in the 9 days before 10:03:30, 144 slices a query
  t.same(lines.slice(0, 2), ['Learning...', 'Estimated iterations: 9']);
  t.equal(lines.filter((l) => l.startsWith('Progress: ')).length, 9);
  t.ok(lines.includes('Training complete, tracking 5 entities...'));
  // slots are learnt by the windows that coincide with them, once each: 10:00 (at 10:10) and 10:10 (at 10:20)
  t.same(lines.filter((l) => l.includes('learnt slot')).map((l) => /to (\S+ \S+):.*learnt slot ([\d:]+)/.exec(l)!.slice(1)), [
    ['11/24/2026 10:10:00', '10:00'],
    ['11/24/2026 10:20:00', '10:10'],
  ]);
  // only the loud host alerts, from the first window with a loud minute in it, in every window after
  t.same([...new Set(alerts.map((a) => a.draft.subject))], ['10.0.0.2'], 'no false positives');
  t.equal(alerts[0]!.windowEndMs, at('2026-11-24T10:06:00'));
  t.same(
    alerts.slice(0, 3).map((a) => a.windowEndMs),
    [at('2026-11-24T10:06:00'), at('2026-11-24T10:08:00'), at('2026-11-24T10:10:00')],
    'every window with loud minutes alerts until its slot has learnt them (10:00, learnt at 10:10)',
  );
  // an episode is the alerts of consecutive windows: the same id exactly when the windows follow each other
  for (let i = 1; i < alerts.length; i++) {
    const consecutive = alerts[i]!.windowEndMs - alerts[i - 1]!.windowEndMs === 120_000;
    t.equal(alerts[i]!.record.id === alerts[i - 1]!.record.id, consecutive, `alert ${i}: same episode iff consecutive`);
    t.equal(alerts[i]!.record.earliest_utc === alerts[i - 1]!.record.earliest_utc, consecutive);
  }
  // 09:56–10:06 is 0.4 of slot 09:50 (4000 bytes a minute × 1.1 or 0.9 by day: 9 days from 11-16, 5 of
  // them 0.9, mean 39,555.56 s 4216.37) and 0.6 of slot 10:00 (5000 a minute, 8 days from 11-16, 4 of
  // each: mean 50,000 s 5345.22): u 45,822.22 s 4893.68; today is a 0.9 day, with one loud minute (× 50):
  // 4 × 3600 + 5 × 4500 + 225,000 = 261,900; d = 4893.68 × 1.6016 = 7837.7 (the floor 4582.2 is lower),
  // k = 216,077.78 / 7837.7 = 27.57
  t.match(alerts[0]!.line, /^11\/24\/2026 10:\d\d:\d\d\.\d{6} unusually HIGH volume for bytes sent by address 10\.0\.0\.2 during 11\/24\/2026 09:56:00 to 11\/24\/2026 10:06:00: 261900\.00 \(u: 45822\.22 s: 4893\.68 k: 27\.57 n: 8\)$/);
});

t.test('the engine gives up a backlog of more than a day, with a message, and resumes in order', async (t) => {
  const start = at('2026-11-24T10:03:30');
  const clock = new FakeClock(start);
  const stop = new AbortController();
  const ends: number[] = [];
  const link = rhythmLink(Infinity, (call, n) => {
    ends.push(Number(call.params.before_time) * 1000);
    if (n === 2) clock.t += 3 * 86_400_000;
    if (n === 5) stop.abort('SIGTERM');
  });
  const { notices, lines } = collectNotices('fttcv');
  const detector = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, { deviations: 3, threshold: 100, low: true });
  await runEngine(detector, { ...engineSettings(start), verbose: false }, { link, clock, notices, output: { emit: async () => undefined }, episodes: new Episodes('fttcv', 't', 120_000), signal: stop.signal });
  // the second window was checked at 10:05 (its due time); its query returned 3 days later, at 11-27
  // 10:05, when the newest settled window ended 10:04: a day's backlog is kept, from 11-26 10:04
  const resume = at('2026-11-26T10:04:00');
  t.same(ends, [at('2026-11-24T10:02:00'), at('2026-11-24T10:04:00'), resume, resume + 120_000, resume + 240_000]);
  const skipped = (resume - at('2026-11-24T10:06:00')) / 120_000;
  t.match(lines.find((l) => l.includes('skipped')), new RegExp(`^fttcv: skipped ${skipped} windows ending 11/24/2026 10:06:00 to .*: the detector fell more than 24 hours behind; checking resumes with the window ending `));
});

t.test('the engine in WEEK mode and with -bdow: hour-long windows every 10 minutes, slots of the week', async (t) => {
  for (const [granularity, byDayOfWeek, learnt] of [
    // the first WEEK window, 09:00–10:00, coincides with a slot: training stopped before it, it learns it
    [GRANULARITIES.WEEK, false, ['Tue 09:00', 'Tue 10:00']],
    [GRANULARITIES.DAY, true, ['Tue 10:00', 'Tue 10:10']],
  ] as const) {
    const start = at('2026-11-24T10:03:30');
    const clock = new FakeClock(start);
    const stop = new AbortController();
    const spans: [number, number][] = [];
    const link = rhythmLink(Infinity, (call, n) => {
      spans.push([Number(call.params.after_time) * 1000, Number(call.params.before_time) * 1000]);
      if (n === (granularity === GRANULARITIES.WEEK ? 9 : 12)) stop.abort('SIGTERM');
    });
    const { notices, lines } = collectNotices('fttcv');
    const detector = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, { deviations: 3, threshold: 100, low: true });
    const history = { fromMs: start - 15 * 86_400_000, toMs: start };
    await runEngine(detector, { ...engineSettings(start), granularity, byDayOfWeek, history }, { link, clock, notices, output: { emit: async () => undefined }, episodes: new Episodes('fttcv', 't', granularity.stepMs), signal: stop.signal });
    const { stepMs, slotMs } = granularity;
    t.ok(spans.every(([from, to], i) => to - from === slotMs && (i === 0 || to - spans[i - 1]![1] === stepMs)), `${granularity.name}${byDayOfWeek ? ' -bdow' : ''}: windows of ${slotMs / 60000} minutes every ${stepMs / 60000}`);
    t.equal(new Date(spans[0]![1]).getMinutes() % (stepMs / 60000), 0, 'ending on the local clock\'s step');
    t.same(lines.filter((l) => l.includes('learnt slot')).map((l) => /learnt slot (\w+ [\d:]+)/.exec(l)![1]), learnt);
    t.ok(lines.includes('Training complete, tracking 5 entities...'));
  }
});
