// The detectors against a real ftserver: fifteen days of normal traffic with a daily and a weekly rhythm
// (rhythmtraffic.ts) through its IPFIX/TCP listener, then, live through its NetFlow v9 listener, a SYN
// flood from 30 sources to one server (ftdos), a host sending 50 × its usual bytes and one going silent
// (fttcv HIGH and LOW). Known answers: which alerts, no others (false positives counted), within the
// detection lags of nbi.md (DAY: a 10-minute window every 2 minutes; -bd 15 here; HIGH within a step
// and -bd, LOW within a window, a step and -bd), the same alerts in syslog (UDP for ftdos, TCP for
// fttcv, each message held to RFC 5424) and in the server (GET /api/v1/alerts).
import path from 'node:path';
import t from 'tap';
import { runTool } from '../cli/clirun.js';
import { ADMIN_PASSWORD, REPO, startServer } from '../lib/ftserver.js';
import { sdParams } from '../../packages/nbi/test/rfc5424.js';
import { DetectorProcess } from './detectorprocess.js';
import { Feeder } from './feeder.js';
import { storedHistory } from './storedhistory.js';
import { CLIENTS, FLOOD_SOURCES, FLOOD_TARGET, LOUD_CLIENT, SCENARIO_TZ, SILENT_CLIENT, clientIp, floodSourceIp, floodSyns, minuteOf, serverIp } from './rhythmtraffic.js';
import { SyslogReceiver } from './syslogreceivers.js';
import { printedInstant } from './printedtime.js';

t.setTimeout(15 * 60_000);

/**
 * Days of history learnt: two weeks of the weekly rhythm and a day, so that every slot of the day holds
 * each weekday twice (a client's weekly backup, seen once among 13 days, would stand 3.3 deviations out).
 */
const HISTORY_DAYS = 15;
const SETTLE_S = 15;
const STEP_S = 120;
const WINDOW_S = 600;
/** Time for the queries, the syslog and the pipes once a window is due. */
const SLACK_S = 30;

t.test('ftdos and fttcv find the flood, the loud host and the silent one, and nothing else', async (t) => {
  const server = await startServer({ args: ['--sessiontimeout', '0'] });
  t.teardown(() => server.stop());
  const feeder = new Feeder(server.ports);
  t.teardown(() => feeder.stop());
  const started = Date.now();
  const m0 = minuteOf(started);
  const from = m0 - HISTORY_DAYS * 1440 - 30;
  const historySessions = await feeder.history(from, m0);
  feeder.start(m0);
  const token = await server.login();
  // every generated session of the history is in the store (the ingest path, not files)
  const stored = await storedHistory(server, token, from, m0, historySessions);
  t.equal(stored, historySessions, `${historySessions} sessions of history stored`);
  t.comment(`history: ${historySessions} sessions over ${HISTORY_DAYS} days sent and stored in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const udp = await SyslogReceiver.udp();
  const tcp = await SyslogReceiver.tcp();
  t.teardown(() => udp.close());
  t.teardown(() => tcp.close());
  const common = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-tn', `${HISTORY_DAYS}d`, '-bd', String(SETTLE_S), '-j', '-v', '-ls'];
  const env = { TZ: SCENARIO_TZ };
  const dos = new DetectorProcess('ftdos', [...common, '-lh', '127.0.0.1', '-lp', String(udp.port), '-lt', 'udp', '-lf', 'LOCAL3', '-ll', 'WARNING', '-lu', 'scenario=ftdos'], env);
  const tcv = new DetectorProcess('fttcv', [...common, '-grp', 'IP', '-cnt', 'BYTES', '-snd', '-q', 'ADDR=10.1.0.0/16', '-lh', '127.0.0.1', '-lp', String(tcp.port), '-lt', 'tcp'], env);
  t.teardown(() => dos.stop('SIGKILL'));
  t.teardown(() => tcv.stop('SIGKILL'));

  // training: nbi.md's progress lines; 6 servers accept sessions, 24 clients send
  await dos.waitFor('ftdos training', () => dos.stderr.some((l) => l.line.startsWith('Training complete')), 240_000);
  await tcv.waitFor('fttcv training', () => tcv.stderr.some((l) => l.line.startsWith('Training complete')), 240_000);
  for (const [d, entities] of [[dos, 6], [tcv, CLIENTS]] as const) {
    const lines = d.stderr.map((l) => l.line);
    t.equal(lines[0], 'Learning...');
    const iterations = Number(/^Estimated iterations: (\d+)$/.exec(lines[1]!)?.[1]);
    const progress = lines.filter((l) => l.startsWith('Progress: '));
    t.equal(progress.length, iterations, 'a progress line per query');
    t.match(progress[progress.length - 1], /^Progress: 100\.000%  \d+ records$/);
    const records = progress.map((p) => Number(/ (\d+) records$/.exec(p)![1]));
    t.ok(records.every((r, i) => i === 0 || r >= records[i - 1]!), 'records only grow');
    t.ok(lines.includes(`Training complete, tracking ${entities} entities...`), `tracking ${entities} entities`);
  }

  // two normal windows each; the anomalies begin 2 s after the next window boundary, so that the
  // window ending at the boundary after it holds the whole flood (59 s) and 118 s of silence
  await dos.waitFor('two ftdos windows', () => dos.windowEnds().length >= 2, 5 * 60_000);
  await tcv.waitFor('two fttcv windows', () => tcv.windowEnds().length >= 2, 5 * 60_000);
  const anomalyAt = Math.ceil((Date.now() + 5000) / (STEP_S * 1000)) * STEP_S * 1000 + 2000;
  await new Promise((r) => setTimeout(r, anomalyAt - Date.now()));
  feeder.anomalies.fromMs = anomalyAt;
  t.comment(`anomalies from ${new Date(anomalyAt).toISOString()}, ${((anomalyAt - started) / 1000).toFixed(0)} s into the test`);

  const target = serverIp(FLOOD_TARGET);
  const loud = clientIp(LOUD_CLIENT);
  const silent = clientIp(SILENT_CLIENT);
  // nbi.md's lags: a burst shows in the window ending at the next step, checked -bd later; a silence
  // once enough of a window is silent, at the latest in the first window that lies wholly after it began
  const limit = (STEP_S + SETTLE_S + SLACK_S) * 1000;
  const silenceLimit = (WINDOW_S + STEP_S + SETTLE_S + SLACK_S) * 1000;
  await dos.waitFor('the flood', () => dos.alerts().some((a) => a.target_ip === target), anomalyAt + limit - Date.now());
  await tcv.waitFor('the loud host', () => tcv.alerts().some((a) => a.alert_type === 'volume_high' && a.target_ip === loud), anomalyAt + limit - Date.now());
  await tcv.waitFor('the silent host', () => tcv.alerts().some((a) => a.alert_type === 'volume_low' && a.target_ip === silent), anomalyAt + silenceLimit - Date.now());
  // both have checked a window holding the whole flood (it lasts 59 s)
  const floodOver = anomalyAt + 60_000;
  const checkedAfter = (d: DetectorProcess): boolean => d.windowEnds().some((e) => printedInstant(e) >= floodOver);
  await dos.waitFor('a window after the flood', () => checkedAfter(dos), limit);
  await tcv.waitFor('a window after the flood', () => checkedAfter(tcv), limit);

  for (const [d, name] of [[dos, 'ftdos'], [tcv, 'fttcv']] as const) {
    const res = await d.stop('SIGTERM');
    t.equal(res.code, 0, `${name} exits 0 on SIGTERM`);
    t.match(d.stderr[d.stderr.length - 1]!.line, new RegExp(`^${name}: stopped \\(SIGTERM\\) after \\d+ windows and \\d+ alerts; the last window checked ended `));
    const ends = d.windowEnds().map(printedInstant);
    t.ok(ends.every((e, i) => i === 0 || e - ends[i - 1]! === STEP_S * 1000), `${name}: every window once, in order, none skipped (${ends.length} windows)`);
  }

  // ftdos: every alert is the flood's; the first names the target and its busiest sources
  const dosAlerts = dos.alerts();
  const floodSources = new Set(Array.from({ length: FLOOD_SOURCES }, (_, i) => floodSourceIp(i + 1)));
  const dosFalse = dosAlerts.filter((a) => a.target_ip !== target || !floodSources.has((a.sources as string[])[0]!));
  t.equal(dosFalse.length, 0, `ftdos false positives: ${dosFalse.length}`);
  t.equal(dosAlerts.filter((a) => (a.window_end_utc as number) < anomalyAt / 1000).length, 0, 'nothing in the normal windows');
  const firstDos = dosAlerts[0]!;
  const dosLag = (firstDos.readAt - anomalyAt) / 1000;
  t.ok(dosLag <= (STEP_S + SETTLE_S + SLACK_S), `ftdos detection lag ${dosLag.toFixed(0)} s`);
  t.match(firstDos.message, new RegExp(`DOS behavior detected from source ${floodSourceIp(FLOOD_SOURCES).replace(/\./g, '\\.')} to target ${target.replace(/\./g, '\\.')} during `), 'the busiest source first');
  // a window holding the whole flood names all 30 sources with their exact counts, busiest first
  const whole = dosAlerts.filter((a) => (a.window_start_utc as number) <= anomalyAt / 1000 && (a.window_end_utc as number) >= anomalyAt / 1000 + 60);
  const wholeWindow = whole[0]!.window_end_utc;
  t.same(
    whole.filter((a) => a.window_end_utc === wholeWindow).map((a) => [(a.sources as string[])[0], (a.current_values as { new_conn: number }).new_conn]),
    Array.from({ length: FLOOD_SOURCES }, (_, i) => [floodSourceIp(FLOOD_SOURCES - i), floodSyns(FLOOD_SOURCES - i)]),
  );
  t.match(firstDos, { detector: 'ftdos', alert_type: 'dos', severity: 4, severity_name: 'WARNING', target_mask: 32, total_sources: Number, threshold_value: 100 });

  // fttcv: HIGH for the loud host, LOW for the silent one, nothing else
  const tcvAlerts = tcv.alerts();
  // the loud and the silent host count as found only in windows that hold their change
  const afterAnomalies = (a: Record<string, unknown>): boolean => (a.window_end_utc as number) * 1000 > anomalyAt;
  const tcvFalse = tcvAlerts.filter((a) => !afterAnomalies(a) || !((a.alert_type === 'volume_high' && a.target_ip === loud) || (a.alert_type === 'volume_low' && a.target_ip === silent)));
  t.equal(tcvFalse.length, 0, `fttcv false positives: ${tcvFalse.length}`);
  const firstHigh = tcvAlerts.find((a) => a.alert_type === 'volume_high')!;
  const firstLow = tcvAlerts.find((a) => a.alert_type === 'volume_low')!;
  const highLag = (firstHigh.readAt - anomalyAt) / 1000;
  const lowLag = (firstLow.readAt - anomalyAt) / 1000;
  t.ok(highLag <= STEP_S + SETTLE_S + SLACK_S, `fttcv HIGH lag ${highLag.toFixed(0)} s`);
  // silence shows once enough of the window is silent (how much depends on the host's deviation),
  // at the latest in the first window wholly after it began
  t.ok(lowLag <= WINDOW_S + STEP_S + SETTLE_S + SLACK_S, `fttcv LOW lag ${lowLag.toFixed(0)} s (at most ${WINDOW_S + STEP_S} s + -bd)`);
  t.match(firstHigh.message, /unusually HIGH volume for bytes sent by address 10\.1\.0\.7 during .*: \d+\.\d\d \(u: \d+\.\d\d s: \d+\.\d\d k: \d+\.\d\d n: 1[4-6]\)$/);
  t.match(firstLow.message, /unusually LOW volume for bytes sent by address 10\.1\.0\.11 during /);
  // windows before the anomalies hold only normal traffic; in those after, every entity but the anomalies' is normal
  const judged = (d: DetectorProcess): string => `${d.windowEnds().length} windows (${d.windowEnds().filter((e) => printedInstant(e) <= anomalyAt).length} before the anomalies)`;
  t.comment(
    `detection lags: ftdos ${dosLag.toFixed(0)} s, fttcv HIGH ${highLag.toFixed(0)} s, LOW ${lowLag.toFixed(0)} s; false positives: ftdos ${dosFalse.length} over ${judged(dos)}, fttcv ${tcvFalse.length} over ${judged(tcv)}`,
  );

  // syslog: each alert once, valid RFC 5424, every field in the structured data
  t.same(udp.invalid, [], 'every UDP message is valid RFC 5424');
  t.same(tcp.invalid, [], 'every TCP frame and message is valid');
  for (const [recv, alerts, tool, pri, extra] of [
    [udp, dosAlerts, 'ftdos', 19 * 8 + 4, ' scenario=ftdos'],
    [tcp, tcvAlerts, 'fttcv', 16 * 8 + 5, ''],
  ] as const) {
    t.equal(recv.messages.length, alerts.length, `${tool}: a syslog message per alert`);
    recv.messages.forEach((m, i) => {
      const a = alerts[i]!;
      const sd = sdParams(m, `${tool}@32473`);
      const ok =
        m.pri === pri &&
        m.appName === tool &&
        m.msgId === tool &&
        sd.id === a.id &&
        sd.alerttype === a.alert_type &&
        sd.targetip === a.target_ip &&
        m.msg === `${(a.message as string).replace(/^\S+ \S+ /, '')}${extra}` &&
        Object.entries(a.detail as Record<string, unknown>).every(([k, v]) => sd[k] === String(v));
      if (!ok) t.fail(`${tool} message ${i} does not carry alert ${a.id}: ${JSON.stringify(m)}`);
    });
  }

  // the server has every alert, as its last window left it
  const listed = await server.getJson<{ alerts: Record<string, unknown>[] }>('/api/v1/alerts', token, { time_range: '1h' });
  const byId = new Map(listed.alerts.map((a) => [a.id as string, a]));
  const lastOf = new Map<string, Record<string, unknown>>();
  for (const a of [...dosAlerts, ...tcvAlerts]) lastOf.set(a.id as string, a);
  t.equal(byId.size, lastOf.size, `${lastOf.size} alerts recorded (one per episode)`);
  for (const [id, a] of lastOf) {
    const s = byId.get(id);
    if (s === undefined || s.latest_utc !== a.latest_utc || s.message !== a.message || s.detector !== a.detector || JSON.stringify(s.sources) !== JSON.stringify(a.sources)) {
      t.fail(`alert ${id} in the server differs from the last line printed: ${JSON.stringify(s)}`);
    }
  }
  // and `ftnbi -alert -j` lists them
  const ftnbi = await runTool(path.join(REPO, 'bin/ftnbi'), ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-alert', '-tn', '1h', '-j']);
  t.equal(ftnbi.code, 0, ftnbi.stderr);
  // docs/cli.md: -j prints one JSON array, an alert a line
  const viaFtnbi = JSON.parse(ftnbi.stdout) as Record<string, unknown>[];
  t.same(new Set(viaFtnbi.map((a) => a.id)), new Set(lastOf.keys()), 'ftnbi -alert -j returns every alert');
  t.comment(`alerts: ftdos ${dosAlerts.length} lines in ${new Set(dosAlerts.map((a) => a.id)).size} episodes, fttcv ${tcvAlerts.length} lines; test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // fttcv's alerts as a reader of docs/nbi.md sees them
  for (const a of tcvAlerts) t.comment(`fttcv: ${String(a.message)}`);
});
