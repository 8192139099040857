// ftth: its parameters and messages, its alert line and syslog message exactly as nbi.md prints them,
// the rate arithmetic, and the window schedule without baselines (windows of -bi on the local clock,
// each once and in order, across a daylight-saving change, catching up, giving up a backlog, stopping).
process.env.TZ = 'America/New_York';

import { EventEmitter } from 'node:events';
import t from 'tap';
import { ENTITY_BY_NAME } from '@opentraq/core';
import type { StatCell } from '@opentraq/cli';
import { clockFloor } from '../src/engine/clockfloor.js';
import { runFixedWindows } from '../src/engine/runfixedwindows.js';
import { countByName } from '../src/ftth/countbyname.js';
import { main as ftth } from '../src/ftth/main.js';
import { ratePhrase } from '../src/ftth/ratephrase.js';
import { MAX_THRESHOLD_ALERTS, ThresholdDetector, formatRate } from '../src/ftth/thresholddetector.js';
import type { Measure } from '../src/fttcv/readmeasure.js';
import { alertParams } from '../src/output/alertoutput.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { formatSyslogMessage } from '../src/output/syslogmessage.js';
import { expectHelp, expectRefusals, runCommand, type CommandRun } from './commandrun.js';
import { FakeClock, FakeLink, collectNotices, statAnswer, type Call, type RankRow } from './fakes.js';
import { FakeFtserver } from './fakeserver.js';
import { parseRfc5424, sdParams } from './rfc5424.js';

const run = (argv: string[], opts: Parameters<typeof ftth>[2] = {}): Promise<CommandRun> => runCommand(ftth, argv, {}, opts);

const IP = ENTITY_BY_NAME.get('IP')!;
const PORTPROTO = ENTITY_BY_NAME.get('PORTPROTO')!;
const measure = (over: Partial<Measure> = {}): Measure => ({ entity: IP, count: 'BYTES', unique: undefined, direction: undefined, ...over });
/** New York local time: EDT (-04:00) in September 2014, EST (-05:00) in late November 2026. */
const at = (local: string): number => Date.parse(`${local}${local.startsWith('2014') ? '-04:00' : '-05:00'}`);
const noStop = new AbortController().signal;

/** A FakeLink answering every ranking with `rows` (entity columns `columns`). */
function rankingLink(columns: string[], rows: (call: Call) => RankRow[]): FakeLink {
  return new FakeLink((call) => statAnswer(columns, rows(call), { fromS: Number(call.params.after_time), toS: Number(call.params.before_time), sessions: 77, entities: 12 }));
}

t.test('parameters: every mistake is a usage error (exit 2) that says what to do', async (t) => {
  const cases: [string[], RegExp][] = [
    [['-bi', '7'], /^ftth: -bi '7' is not a window length in seconds: give a whole number from 10 to 3600\n$/],
    [['-bi', '300s'], /-bi '300s' is not a window length in seconds/],
    [['-bi', '700'], /^ftth: -bi 700 does not divide an hour: windows end on round clock times \(16:55:00, 17:00:00\), so give seconds that divide 3600, e\.g\. 600 or 720\n$/],
    [['-bi', '3599'], /e\.g\. 1800 or 3600/],
    [['-bw', '0'], /-bw '0' is not a number of seconds for the rate: give a whole number from 1 to 86400/],
    [['-bt', '1e3'], /-bt '1e3' is not a threshold: give a number from 0 to/],
    [['-bt', '-1'], /-bt '-1' is not a threshold/],
    [['-bd', '4000'], /-bd '4000' is not a settling delay in seconds: give a whole number from 0 to 3600/],
    [['-tn', '1h'], /^ftth: -tn does not apply to ftth: ftth learns nothing: each window is compared with -bt alone/],
    [['-te', '10/15/2012 16:00'], /-te does not apply to ftth/],
    [['-bg', 'DAY'], /-bg does not apply to ftth: ftth keeps no baselines/],
    [['-bk', '3'], /-bk does not apply to ftth/],
    [['-bm', '3'], /-bm does not apply to ftth/],
    [['-bnl'], /-bnl does not apply to ftth: ftth reports only values above -bt/],
    [['-r', '5'], /-r does not apply to ftth: a detector prints alerts as they happen/],
    [['-cnt', 'UNIQUE'], /-cnt UNIQUE needs what to count distinct values of/],
    [['-grp', 'ADDR'], /-grp 'ADDR' is not an entity/],
    [['-grp', 'PORTPROTO', '-snd'], /PORTPROTO/],
    [['-snd', '-rcv'], /-snd and -rcv cannot be combined/],
    [['-lp', '514'], /-lp needs -lh as well/],
    [['-q', 'SRCIP=1.2.3.4'], /bad filter: unknown field 'SRCIP'/],
    [['-bl', 'x'], /-bl/],
  ];
  await expectRefusals(t, run, ['-un', 'admin', '-up', 'x'], cases);
  const help = await expectHelp(t, run, ['-grp', '-cnt', '-snd', '-rcv', '-bt', '-bw', '-bi', '-bd', '-q', '-ls', '-lh', '-lp', '-lt', '-lf', '-ll', '-lu', '-j', '-nr', '-v']);
  t.match(help, /^ftth \S+ — raise an alert when an entity's rate passes a fixed threshold/);
  const down = await run(['-s', '127.0.0.1', '-p', '1', '-un', 'admin', '-up', 'x']);
  t.equal(down.code, 4);
  t.match(down.stderr, /^ftth: cannot connect to 127\.0\.0\.1:1: connection refused/);
});

t.test('rates in words, and FlowTraq\'s countby names', async (t) => {
  t.equal(ratePhrase(measure(), 10), 'total bytes/10s communicated by');
  t.equal(ratePhrase(measure({ count: 'BITS', direction: 'snd' }), 1), 'bits/1s sent by');
  t.equal(ratePhrase(measure({ count: 'PACKETS', direction: 'rcv' }), 60), 'packets/60s received by');
  t.equal(ratePhrase(measure({ count: 'SESSIONS' }), 60), 'total sessions/60s of');
  t.equal(ratePhrase(measure({ count: 'SESSIONS', direction: 'snd' }), 60), 'sessions/60s initiated by');
  t.equal(ratePhrase(measure({ count: 'SESSIONS', direction: 'rcv' }), 5), 'sessions/5s accepted by');
  t.equal(ratePhrase(measure({ count: 'UNIQUE', unique: 'IP', direction: 'snd' }), 60), 'unique hosts/60s in sessions initiated by');
  t.equal(ratePhrase(measure({ count: 'UNIQUE', unique: 'TCPFLAGS' }), 60), 'unique TCP flag combinations/60s of');
  t.equal(ratePhrase(measure({ count: 'UNIQUE', unique: 'MAC', direction: 'rcv' }), 60), 'unique MAC addresses/60s in sessions accepted by');
  t.equal(countByName(measure()), 'BYTES_TOTAL');
  t.equal(countByName(measure({ count: 'PACKETS', direction: 'snd' })), 'PACKETS_SENT');
  t.equal(countByName(measure({ count: 'BITS', direction: 'rcv' })), 'BITS_RECEIVED');
  t.equal(countByName(measure({ count: 'SESSIONS', direction: 'snd' })), 'SESSIONS_INITIATED');
  t.equal(countByName(measure({ count: 'SESSIONS', direction: 'rcv' })), 'SESSIONS_ACCEPTED');
  t.equal(countByName(measure({ count: 'UNIQUE', unique: 'IP' })), 'UNIQUE_TOTAL');
  t.equal(formatRate(48999), '48999');
  t.equal(formatRate(10.0333), '10.03');
  t.equal(formatRate(0.5), '0.50');
});

t.test('nbi.md\'s example: the alert line and the syslog message, exactly', async (t) => {
  // 5-minute windows, -bw 10, -bt 10: 1469970 bytes in 300 s is 48999 per 10 s
  const th = new ThresholdDetector(measure(), {}, { threshold: 10, perS: 10 }, { windowMs: 300_000, settleMs: 60_000 });
  const link = rankingLink(['IP'], () => [
    { cells: ['192.168.2.112'], value: 1469970, counts: [1400000, 69970, 900, 300, 12, 3] },
    { cells: ['10.0.0.2'], value: 301 },
    { cells: ['10.0.0.1'], value: 300 },
    { cells: ['10.0.0.3'], value: 7 },
  ]);
  const window = { startMs: at('2014-09-22T16:58:00'), endMs: at('2014-09-22T17:03:00') };
  const { notices, lines } = collectNotices('ftth');
  const outcome = await th.check(window, { link, signal: noStop, notices });
  t.same(lines, []);
  t.equal(outcome.summary, '12 entities, 77 sessions');
  t.same(link.calls[0]!.params, { group_by: 'IP', count_by: 'BYTES', after_time: String(window.startMs / 1000), before_time: String(window.endMs / 1000), rows: '1001' });
  // 301 bytes in 300 s is 10.03 per 10 s: above; 300 is exactly 10, which does not exceed 10
  t.same(outcome.drafts.map((d) => d.subject), ['192.168.2.112', '10.0.0.2']);
  const raisedUs = Date.parse('2014-09-22T21:04:33Z') * 1000 + 441673;
  const raised: RaisedAlert = new Episodes('ftth', th.configuration, 300_000).raise(outcome.drafts[0]!, window.startMs, window.endMs, raisedUs, 5);
  t.equal(
    raised.line,
    '09/22/2014 17:04:33.441673 threshold exceeded for total bytes/10s communicated by address 192.168.2.112 during 09/22/2014 16:58:00 to 09/22/2014 17:03:00: 48999 confidence: 100.00 (TH: 10)',
  );
  t.equal(outcome.drafts[1]!.text, 'threshold exceeded for total bytes/10s communicated by address 10.0.0.2 during 09/22/2014 16:58:00 to 09/22/2014 17:03:00: 10.03 confidence: 100.00 (TH: 10)');
  t.match(raised.record, {
    alert_type: 'threshold',
    detector: 'ftth',
    target_ip: '192.168.2.112',
    target_mask: 32,
    proto: null,
    server_port: null,
    sources: [],
    total_sources: 0,
    threshold_value: 10,
    current_values: { bytes_out: 1400000, bytes_in: 69970, packets_out: 900, packets_in: 300, new_conn: 15 },
    average_values: null,
    earliest_utc: window.startMs / 1000,
    latest_utc: window.endMs / 1000,
  });
  const text = formatSyslogMessage({ facility: 'LOCAL0', severity: 'NOTICE', timeUs: raisedUs, hostname: 'collector1', appName: 'ftth', procId: '9411', msgId: 'ftth', params: alertParams(raised), message: raised.draft.text });
  t.match(text, /^<133>1 2014-09-22T17:04:33\.441673-04:00 collector1 ftth 9411 ftth \[ftth@32473 id="ftth-[0-9a-f]{8}-threshold-[0-9a-f]{12}-1411419480" alerttype="threshold" /);
  t.match(
    text,
    / groupby="IP" countby="BYTES_TOTAL" unique="NONE" nbisource="192\.168\.2\.112" starttime="09\/22\/2014 16:58:00" endtime="09\/22\/2014 17:03:00" value="48999" absth="10\.00" confidence="100" friendlyname="" CID="0" rateseconds="10" windowseconds="300" total="1469970" /,
  );
  t.ok(text.endsWith('] threshold exceeded for total bytes/10s communicated by address 192.168.2.112 during 09/22/2014 16:58:00 to 09/22/2014 17:03:00: 48999 confidence: 100.00 (TH: 10)'));
  const parsed = parseRfc5424(text);
  t.match(sdParams(parsed, 'ftth@32473'), { targetip: '192.168.2.112', targetmask: '32', thresholdvalue: '10', current_bytes_out: '1400000', peak_bytes_out: '1400000' });
  const names = parsed.sd[0]!.params.map(([name]) => name);
  t.equal(new Set(names).size, names.length, 'every field once (the window bounds too)');
});

t.test('services, unique counts and IPv6: the facts of each, highest rate first', async (t) => {
  const svc = new ThresholdDetector(measure({ entity: PORTPROTO, count: 'SESSIONS', direction: 'rcv' }), { query: 'PROTO=TCP' }, { threshold: 1.5, perS: 1 }, { windowMs: 60_000, settleMs: 0 });
  const link = rankingLink(['PORT', 'PROTO'], () => [
    { cells: [443, 6], value: 120, counts: [5, 6, 7, 8, 0, 120] },
    { cells: [22, 6], value: 150, counts: [1, 2, 3, 4, 0, 150] },
    { cells: [80, 6], value: 90 },
  ]);
  const window = { startMs: at('2026-11-24T10:01:00'), endMs: at('2026-11-24T10:02:00') };
  const { drafts } = await svc.check(window, { link, signal: noStop, notices: collectNotices('ftth').notices });
  t.match(link.calls[0]!.params, { group_by: 'PORTPROTO', count_by: 'SESSIONS', direction: 'rcv', query: 'PROTO=TCP', rows: '1001' });
  t.same(
    drafts.map((d) => d.text),
    [
      'threshold exceeded for sessions/1s accepted by service 22/TCP during 11/24/2026 10:01:00 to 11/24/2026 10:02:00: 2.50 confidence: 100.00 (TH: 1.5)',
      'threshold exceeded for sessions/1s accepted by service 443/TCP during 11/24/2026 10:01:00 to 11/24/2026 10:02:00: 2 confidence: 100.00 (TH: 1.5)',
    ],
    '90 sessions a minute is 1.5 a second: not above 1.5',
  );
  t.match(drafts[1]!.facts, { target_ip: null, target_mask: null, proto: 6, server_port: 443, current_values: { new_conn: 120 } });
  t.match(Object.fromEntries(drafts[1]!.fields.map((f) => [f.name, f.value])), { groupby: 'PORTPROTO', countby: 'SESSIONS_ACCEPTED', nbisource: '443/TCP', value: '2', absth: '1.50' });

  const uniq = new ThresholdDetector(measure({ count: 'UNIQUE', unique: 'IP', direction: 'snd' }), {}, { threshold: 100, perS: 60 }, { windowMs: 300_000, settleMs: 0 });
  const v6 = await uniq.check(window, { link: rankingLink(['IP'], () => [{ cells: ['2001:db8::7'], value: 1000, counts: [0, 0, 0, 0, 40, 0] }]), signal: noStop, notices: collectNotices('ftth').notices });
  t.equal(v6.drafts[0]!.text, 'threshold exceeded for unique hosts/60s in sessions initiated by address 2001:db8::7 during 11/24/2026 10:01:00 to 11/24/2026 10:02:00: 200 confidence: 100.00 (TH: 100)');
  t.match(v6.drafts[0]!.facts, { target_ip: '2001:db8::7', target_mask: 128, current_values: { new_conn: 40 } });
});

t.test('more entities above -bt than are reported: the highest, and a line on stderr', async (t) => {
  const th = new ThresholdDetector(measure(), {}, { threshold: 0, perS: 60 }, { windowMs: 60_000, settleMs: 0 });
  const rows: RankRow[] = Array.from({ length: MAX_THRESHOLD_ALERTS + 1 }, (_, i) => ({ cells: [`10.0.${i >> 8}.${i & 255}`], value: 5000 - i }));
  const { notices, lines } = collectNotices('ftth');
  const { drafts } = await th.check({ startMs: at('2026-11-24T10:01:00'), endMs: at('2026-11-24T10:02:00') }, { link: rankingLink(['IP'], () => rows), signal: noStop, notices });
  t.equal(drafts.length, MAX_THRESHOLD_ALERTS);
  t.equal(drafts[0]!.subject, '10.0.0.0');
  t.same(lines, [`ftth: more than ${MAX_THRESHOLD_ALERTS} entities exceed -bt 0 in the window ending 11/24/2026 10:02:00: the ${MAX_THRESHOLD_ALERTS} highest are reported (is -bt too low?)`]);
});

t.test('windows of -bi on the local clock: aligned, each once and in order across a daylight-saving change', async (t) => {
  // New York falls back on 2026-11-01 at 02:00 EDT (06:00 UTC) to 01:00 EST
  const start = Date.parse('2026-11-01T05:43:30Z');
  const clock = new FakeClock(start);
  const stop = new AbortController();
  const ends: number[] = [];
  // 10.0.0.9 is loud in the windows ending 05:55Z and 06:00Z (one episode), and 06:10Z (another)
  const loud = new Set([Date.parse('2026-11-01T05:55:00Z'), Date.parse('2026-11-01T06:00:00Z'), Date.parse('2026-11-01T06:10:00Z')]);
  const link = rankingLink(['IP'], (call) => {
    const end = Number(call.params.before_time) * 1000;
    ends.push(end);
    // the fourth window's query takes 12 minutes: two more windows are due by the time it returns
    if (ends.length === 4) clock.t += 12 * 60_000;
    if (ends.length === 9) stop.abort('SIGTERM');
    return [{ cells: ['10.0.0.9'], value: loud.has(end) ? 10_000 : 10 }];
  });
  const th = new ThresholdDetector(measure(), {}, { threshold: 100, perS: 60 }, { windowMs: 300_000, settleMs: 60_000 });
  const { notices, lines } = collectNotices('ftth');
  const alerts: RaisedAlert[] = [];
  const report = await runFixedWindows(th, { severity: 5, verbose: true }, { link, clock, notices, output: { emit: async (a) => void alerts.push(a) }, episodes: new Episodes('ftth', th.configuration, 300_000), signal: stop.signal });
  const first = Date.parse('2026-11-01T05:40:00Z');
  const expected = Array.from({ length: 9 }, (_, i) => first + i * 300_000);
  t.same(ends, expected, 'every 5 minutes of real time, none twice, none skipped');
  t.ok(ends.every((e) => clockFloor(e, 300_000) === e), 'each on a round local time');
  t.match(report, { windows: 9, alerts: 3, lastEndMs: expected[8], stopReason: 'SIGTERM' });
  t.equal(lines[0], 'ftth: no training (a threshold needs no history): total bytes/60s communicated by each IP checked against -bt 100 in windows of 300 s, each 60 s after it closes; the first window ends 11/01/2026 01:40:00');
  // local times read 01:50–01:55 EDT, then 01:55 EDT – 01:00 EST: the clock went back an hour
  t.same(lines.filter((l) => l.includes(': window ')).slice(2, 4), [
    'ftth: window 11/01/2026 01:45:00 to 11/01/2026 01:50:00: 12 entities, 77 sessions, 0 alerts',
    'ftth: window 11/01/2026 01:50:00 to 11/01/2026 01:55:00: 12 entities, 77 sessions, 1 alert',
  ]);
  t.same(alerts.map((a) => a.windowEndMs), [...loud]);
  t.equal(alerts[0]!.record.id, alerts[1]!.record.id, 'consecutive windows: one episode');
  t.not(alerts[1]!.record.id, alerts[2]!.record.id, 'a quiet window between: a new episode');
  t.equal(alerts[1]!.record.earliest_utc, Date.parse('2026-11-01T05:50:00Z') / 1000);
  t.equal(alerts[0]!.draft.text, 'threshold exceeded for total bytes/60s communicated by address 10.0.0.9 during 11/01/2026 01:50:00 to 11/01/2026 01:55:00: 2000 confidence: 100.00 (TH: 100)');
});

t.test('a backlog of more than a day is given up with a message, and checking resumes in order', async (t) => {
  const start = at('2026-11-24T10:03:30');
  const clock = new FakeClock(start);
  const stop = new AbortController();
  const ends: number[] = [];
  const link = rankingLink(['IP'], (call) => {
    ends.push(Number(call.params.before_time) * 1000);
    if (ends.length === 2) clock.t += 3 * 86_400_000;
    if (ends.length === 4) stop.abort('SIGTERM');
    return [];
  });
  const th = new ThresholdDetector(measure(), {}, { threshold: 100, perS: 60 }, { windowMs: 600_000, settleMs: 60_000 });
  const { notices, lines } = collectNotices('ftth');
  await runFixedWindows(th, { severity: 5, verbose: false }, { link, clock, notices, output: { emit: async () => undefined }, episodes: new Episodes('ftth', 'x', 600_000), signal: stop.signal });
  // the second window (ending 10:10) was checked at 10:11; its answer came 3 days later, at 11-27
  // 10:11, when the newest settled window ended 10:10: a day is kept, from 11-26 10:10
  const resume = at('2026-11-26T10:10:00');
  t.same(ends, [at('2026-11-24T10:00:00'), at('2026-11-24T10:10:00'), resume, resume + 600_000]);
  const skipped = (resume - at('2026-11-24T10:20:00')) / 600_000;
  t.same(lines.slice(1), [`ftth: skipped ${skipped} windows ending 11/24/2026 10:20:00 to 11/26/2026 10:00:00: the detector fell more than 24 hours behind; checking resumes with the window ending 11/26/2026 10:10:00`]);
});

t.test('clockFloor: round local times in zones with half-hour offsets too', async (t) => {
  t.equal(clockFloor(at('2026-11-24T10:07:31'), 300_000), at('2026-11-24T10:05:00'));
  t.equal(clockFloor(at('2026-11-24T10:07:31'), 10_000), at('2026-11-24T10:07:30'));
  t.equal(clockFloor(at('2026-11-24T10:00:00'), 3_600_000), at('2026-11-24T10:00:00'));
  t.throws(() => clockFloor(0, 7000), RangeError);
  t.throws(() => clockFloor(0, 7_200_000), RangeError);
});

t.test('ftth from its command line: checks, reports, records in the server, stops on SIGTERM', async (t) => {
  const signals = new EventEmitter();
  const loudEnd = at('2026-11-24T10:04:00');
  const server = new FakeFtserver({
    busy: 0,
    refuse: false,
    stat: (p) => {
      if (server.statCalls.length === 4) setImmediate(() => signals.emit('SIGTERM'));
      const end = Number(p.before_time) * 1000;
      const rows = [{ cells: ['10.0.0.2'] as StatCell[], value: end === loudEnd ? 90_000 : 600, counts: [end === loudEnd ? 90_000 : 600, 0, 60, 0, 6, 0] }];
      return statAnswer(['IP'], rows, { fromS: Number(p.after_time), toS: Number(p.before_time) });
    },
  });
  await server.start();
  t.teardown(() => server.stop());
  const argv = ['-s', '127.0.0.1', '-p', String(server.port), '-un', 'admin', '-up', 'secret', '-grp', 'IP', '-cnt', 'BYTES', '-snd', '-bi', '60', '-bw', '10', '-bt', '1000', '-bd', '30', '-j', '-v', '-ll', 'WARNING'];
  const r = await run(argv, { clock: new FakeClock(at('2026-11-24T10:03:30')), signals });
  t.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  t.equal(lines[0], 'ftth: no training (a threshold needs no history): bytes/10s sent by each IP checked against -bt 1000 in windows of 60 s, each 30 s after it closes; the first window ends 11/24/2026 10:03:00');
  t.equal(lines[lines.length - 1], 'ftth: stopped (SIGTERM) after 4 windows and 1 alert; the last window checked ended 11/24/2026 10:06:00');
  const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(alerts.length, 1);
  t.match(alerts[0], {
    alert_type: 'threshold',
    detector: 'ftth',
    target_ip: '10.0.0.2',
    severity: 4,
    severity_name: 'WARNING',
    threshold_value: 1000,
    window_start_utc: at('2026-11-24T10:03:00') / 1000,
    window_end_utc: loudEnd / 1000,
    message: /^11\/24\/2026 \d\d:\d\d:\d\d\.\d{6} threshold exceeded for bytes\/10s sent by address 10\.0\.0\.2 during 11\/24\/2026 10:03:00 to 11\/24\/2026 10:04:00: 15000 confidence: 100\.00 \(TH: 1000\)$/,
    detail: { groupby: 'IP', countby: 'BYTES_SENT', value: '15000', absth: '1000.00', confidence: 100, CID: 0, rateseconds: 10, windowseconds: 60 },
  });
  t.same(server.alerts.map((a) => a.id), [alerts[0]!.id], 'recorded in the server');
  t.match(server.statCalls[0], { group_by: 'IP', count_by: 'BYTES', direction: 'snd', rows: '1001' });
  t.same(
    server.statCalls.map((c) => Number(c.before_time) * 1000),
    [3, 4, 5, 6].map((m) => at(`2026-11-24T10:0${m}:00`)),
  );
});

t.test('ftth rides out a busy server and a restart: retried, logged in again, every window once', async (t) => {
  const signals = new EventEmitter();
  const server = new FakeFtserver({
    busy: 0,
    refuse: false,
    stat: (p) => {
      const n = server.statCalls.length;
      // (-bd 60: the first window ends 10:02) the second window's query is refused as busy twice; the
      // server restarts while the detector waits for the fourth
      if (n === 1) server.knobs.busy = 2;
      if (n === 6) setImmediate(() => signals.emit('SIGTERM'));
      return statAnswer(['IP'], [{ cells: ['10.0.0.2'], value: 60 }], { fromS: Number(p.after_time), toS: Number(p.before_time) });
    },
  });
  await server.start();
  t.teardown(() => server.stop());
  const clock = new FakeClock(at('2026-11-24T10:03:30'));
  let restarted = false;
  const sleep = clock.sleep.bind(clock);
  clock.sleep = async (ms, signal) => {
    // the restart: while the detector waits for its fourth window, the server forgets every login
    if (!restarted && server.statCalls.length === 5) {
      restarted = true;
      await server.restart();
    }
    return sleep(ms, signal);
  };
  const argv = ['-s', '127.0.0.1', '-p', String(server.port), '-un', 'admin', '-up', 'secret', '-bi', '60', '-bt', '1000', '-nr', '-v'];
  const r = await run(argv, { clock, signals });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /ftth: checking the window 11\/24\/2026 10:02:00 to 11\/24\/2026 10:03:00 failed: the server is busy[^\n]*; retrying in 1 s\n[^\n]*retrying in 2 s\nftth: the server answers again \(after 3 s\); checking the window 11\/24\/2026 10:02:00 to 11\/24\/2026 10:03:00 done/);
  const ends = server.statCalls.filter((c, i, all) => all.findIndex((d) => d.before_time === c.before_time) === i).map((c) => Number(c.before_time) * 1000);
  t.same(ends, [2, 3, 4, 5].map((m) => at(`2026-11-24T10:0${m}:00`)), 'every window once and in order (the busy one asked again until answered)');
  t.match(r.stderr, /ftth: the server no longer knows this login \(was it restarted\?\): logging in again\nftth: window 11\/24\/2026 10:04:00 to 11\/24\/2026 10:05:00: [^\n]*\nftth: stopped \(SIGTERM\) after 4 windows and 0 alerts; the last window checked ended 11\/24\/2026 10:05:00\n$/);
});
