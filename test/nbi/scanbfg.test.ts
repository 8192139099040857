// ftscan and ftbfg against a real ftserver: fifteen days of normal traffic with a daily and a weekly
// rhythm (rhythmtraffic.ts) through its IPFIX/TCP listener learnt, then, live through its NetFlow v9
// listener (scantraffic.ts), a horizontal scan (150 hosts) and a vertical one (200 ports of one server,
// answered by resets), a new service and a new client of a known service. Known answers: ftscan names both scanners with their exact counts, ftbfg
// alerts the new service and the new client once each and never the scans, no other alerts (false
// positives counted), within nbi.md's detection lag (DAY: 120 s + -bd + query slack), the same alerts
// in syslog (UDP for ftscan, TCP for ftbfg, each message held to RFC 5424) and in `ftnbi -alert -j`.
import path from 'node:path';
import t from 'tap';
import { runTool } from '../cli/clirun.js';
import { ADMIN_PASSWORD, REPO, startServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { sdParams } from '../../packages/nbi/test/rfc5424.js';
import { DetectorProcess } from './detectorprocess.js';
import { Feeder } from './feeder.js';
import { storedHistory } from './storedhistory.js';
import { CLIENTS, SCENARIO_TZ, minuteOf } from './rhythmtraffic.js';
import { H_HOSTS, H_SCANNER, INJECTION_SPAN_MS, InjectionExporter, NEW_CLIENT, NEW_SERVICE, V_PORTS, V_SCANNER, V_TARGET, injectedSessions } from './scantraffic.js';
import { SyslogReceiver } from './syslogreceivers.js';
import { printedInstant } from './printedtime.js';

t.setTimeout(12 * 60_000);

/**
 * Days of history learnt: two weeks of the weekly rhythm and a day, so that every slot of the day holds
 * each weekday twice (a client's weekly backup, seen once among 13 days, would stand 3.3 deviations out).
 */
const HISTORY_DAYS = 15;
const SETTLE_S = 15;
const STEP_S = 120;
/** A DAY slot: 10 minutes of the local day (+05:30 keeps its boundaries on UTC's). */
const SLOT_S = 600;
/** Time for the queries, the syslog and the pipes once a window is due. */
const SLACK_S = 30;

const dots = (ip: string): string => ip.replace(/\./g, '\\.');

t.test('ftscan finds both scans with their exact counts, ftbfg the new service and the new client, and nothing else', async (t) => {
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
  const stored = await storedHistory(server, token, from, m0, historySessions);
  t.equal(stored, historySessions, `${historySessions} sessions of history stored`);

  const udp = await SyslogReceiver.udp();
  const tcp = await SyslogReceiver.tcp();
  t.teardown(() => udp.close());
  t.teardown(() => tcp.close());
  const common = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-tn', `${HISTORY_DAYS}d`, '-bd', String(SETTLE_S), '-j', '-v', '-ls'];
  const env = { TZ: SCENARIO_TZ };
  const scan = new DetectorProcess('ftscan', [...common, '-lh', '127.0.0.1', '-lp', String(udp.port), '-lt', 'udp', '-lf', 'LOCAL2', '-ll', 'WARNING', '-lu', 'scenario=ftscan'], env);
  const bfg = new DetectorProcess('ftbfg', [...common, '-lh', '127.0.0.1', '-lp', String(tcp.port), '-lt', 'tcp'], env);
  t.teardown(() => scan.stop('SIGKILL'));
  t.teardown(() => bfg.stop('SIGKILL'));

  // training: nbi.md's progress lines; 24 clients initiate sessions (ftscan), all of 10.1.0.0/17, each
  // with one of 6 services (ftbfg: 6 client–service pairs)
  await scan.waitFor('ftscan training', () => scan.stderr.some((l) => l.line.startsWith('Training complete')), 180_000);
  await bfg.waitFor('ftbfg training', () => bfg.stderr.some((l) => l.line.startsWith('Training complete')), 180_000);
  for (const [d, entities, tracked] of [
    [scan, CLIENTS, 'entities'],
    [bfg, 6, 'client–service pairs'],
  ] as const) {
    const lines = d.stderr.map((l) => l.line);
    t.equal(lines[0], 'Learning...');
    const iterations = Number(/^Estimated iterations: (\d+)$/.exec(lines[1]!)?.[1]);
    const progress = lines.filter((l) => l.startsWith('Progress: '));
    t.equal(progress.length, iterations, 'a progress line per iteration');
    t.match(progress[progress.length - 1], /^Progress: 100\.000%  \d+ records$/);
    const records = progress.map((p) => Number(/ (\d+) records$/.exec(p)![1]));
    t.ok(records.every((r, i) => i === 0 || r >= records[i - 1]!), 'records only grow');
    t.ok(records[records.length - 1]! > 0.9 * historySessions, `the history went through: ${records[records.length - 1]} records`);
    t.ok(lines.includes(`Training complete, tracking ${entities} ${tracked}...`), `tracking ${entities} ${tracked}`);
  }

  // a normal window each; the injection begins 2 s after the next window boundary, so that the
  // window ending at the boundary after it holds all of it
  await scan.waitFor('a normal ftscan window', () => scan.windowEnds().length >= 1, 4 * 60_000);
  await bfg.waitFor('a normal ftbfg window', () => bfg.windowEnds().length >= 1, 4 * 60_000);
  const injectAt = Math.ceil((Date.now() + 5000) / (STEP_S * 1000)) * STEP_S * 1000 + 2000;
  const injected = injectedSessions(injectAt);
  const exporter = new InjectionExporter();
  // as an exporter does: each session once it has ended (all are over 40 s after the first)
  const sent = (async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, injectAt + INJECTION_SPAN_MS + 1000 - Date.now()));
    await sendDatagrams(server.ports.netflow, exporter.encode(injected));
  })();
  t.comment(`injection from ${new Date(injectAt).toISOString()}, ${((injectAt - started) / 1000).toFixed(0)} s into the test`);
  await sent;

  const limit = injectAt + (STEP_S + SETTLE_S + SLACK_S) * 1000 - Date.now();
  await scan.waitFor('the horizontal scan', () => scan.alerts().some((a) => a.alert_type === 'scan_horizontal'), limit);
  await scan.waitFor('the vertical scan', () => scan.alerts().some((a) => a.alert_type === 'scan_vertical'), limit);
  await bfg.waitFor('the new service', () => bfg.alerts().some((a) => a.alert_type === 'fingerprint_new_service'), limit);
  await bfg.waitFor('the new client', () => bfg.alerts().some((a) => a.alert_type === 'fingerprint_new_client'), limit);
  // one more window each: the scans are still in it; ftbfg has learnt its two connections
  const firstAlertWindow = Math.max(...[...scan.alerts(), ...bfg.alerts()].map((a) => a.window_end_utc as number)) * 1000;
  const after = (d: DetectorProcess): boolean => d.windowEnds().some((e) => printedInstant(e) > firstAlertWindow);
  await scan.waitFor('the window after', () => after(scan), (STEP_S + SETTLE_S + SLACK_S) * 1000);
  await bfg.waitFor('the window after', () => after(bfg), (STEP_S + SETTLE_S + SLACK_S) * 1000);

  for (const [d, name] of [
    [scan, 'ftscan'],
    [bfg, 'ftbfg'],
  ] as const) {
    const res = await d.stop('SIGTERM');
    t.equal(res.code, 0, `${name} exits 0 on SIGTERM`);
    t.match(d.stderr[d.stderr.length - 1]!.line, new RegExp(`^${name}: stopped \\(SIGTERM\\) after \\d+ windows? and \\d+ alerts?; the last window checked ended `));
    const ends = d.windowEnds().map(printedInstant);
    t.ok(ends.every((e, i) => i === 0 || e - ends[i - 1]! === STEP_S * 1000), `${name}: every window once, in order, none skipped (${ends.length} windows)`);
  }

  // ftscan: exactly the two scans, with their exact counts, in every window that holds them
  const scanAlerts = scan.alerts();
  const horizontal = scanAlerts.filter((a) => a.alert_type === 'scan_horizontal' && (a.sources as string[])[0] === H_SCANNER);
  const vertical = scanAlerts.filter((a) => a.alert_type === 'scan_vertical' && (a.sources as string[])[0] === V_SCANNER && a.target_ip === V_TARGET);
  const scanFalse = scanAlerts.length - horizontal.length - vertical.length;
  t.equal(scanFalse, 0, `ftscan false positives: ${scanFalse}`);
  t.equal(scanAlerts.filter((a) => (a.window_end_utc as number) * 1000 <= injectAt).length, 0, 'nothing in the normal windows');
  for (const a of horizontal) t.match(a.message, new RegExp(`host/horizontal SCAN detected from source ${dots(H_SCANNER)} during .*: ${H_HOSTS} unique hosts scanned$`));
  for (const a of vertical) t.match(a.message, new RegExp(`port/vertical SCAN detected from source ${dots(V_SCANNER)} to target ${dots(V_TARGET)} during .*: ${V_PORTS} unique ports scanned$`));
  // the window after the first is reported too, unless the first closed the slot the scans fell in: that
  // slot then learns them, each scanner has one observation there (the scan itself), and a window that
  // holds the same scan does not pass it by -bk deviations (docs/nbi.md, The rule: n = 1)
  const firstWindowEnd = injectAt - 2000 + STEP_S * 1000;
  const windows = firstWindowEnd % (SLOT_S * 1000) === 0 ? 1 : 2;
  t.ok(horizontal.length >= windows && vertical.length >= windows, `both scans in ${windows} windows at least (${horizontal.length}, ${vertical.length})`);
  t.equal(new Set(horizontal.map((a) => a.id)).size, 1, 'one episode per scan');
  t.equal(new Set(vertical.map((a) => a.id)).size, 1);
  t.match(horizontal[0], { detector: 'ftscan', severity: 4, severity_name: 'WARNING', target_ip: null, total_sources: 1, current_values: { new_conn: H_HOSTS, packets_out: H_HOSTS }, detail: { value: H_HOSTS, k: '-1.00', n: 0, absth: 100 } });
  t.match(vertical[0], { target_mask: 32, threshold_value: 100, current_values: { new_conn: V_PORTS, packets_out: V_PORTS, packets_in: V_PORTS }, detail: { value: V_PORTS, sourcevalue: V_PORTS, totaltargets: 1 } });
  const hLag = (horizontal[0]!.readAt - injectAt) / 1000;
  const vLag = (vertical[0]!.readAt - injectAt) / 1000;
  t.ok(hLag <= STEP_S + SETTLE_S + SLACK_S && vLag <= STEP_S + SETTLE_S + SLACK_S, `ftscan detection lags: horizontal ${hLag.toFixed(0)} s, vertical ${vLag.toFixed(0)} s`);

  // ftbfg: the new service and the new client, once each, in the first window that holds them; the scans never
  const bfgAlerts = bfg.alerts();
  const during = /during (\S+ \S+) to (\S+ \S+):/;
  t.same(
    bfgAlerts.map((a) => (a.message as string).replace(/^\S+ \S+ /, '').replace(during, 'during W:')),
    [
      `unusual connection from ${NEW_SERVICE.client} to ${NEW_SERVICE.server} on ${NEW_SERVICE.port}/TCP (new service) during W: ${NEW_SERVICE.sessions} sessions`,
      `unusual connection from ${NEW_CLIENT.client} to ${NEW_CLIENT.server} on ${NEW_CLIENT.port}/TCP (new client) during W: ${NEW_CLIENT.sessions} sessions`,
    ],
    'ftbfg: exactly the two, each once; neither scan (one-way, reset) alerts',
  );
  const bfgFalse = Math.max(0, bfgAlerts.length - 2);
  t.match(bfgAlerts[0], { detector: 'ftbfg', alert_type: 'fingerprint_new_service', target_ip: NEW_SERVICE.server, server_port: 22, proto: 6, sources: [NEW_SERVICE.client], current_values: { new_conn: 3, packets_out: 36, packets_in: 30 } });
  t.match(bfgAlerts[1], { alert_type: 'fingerprint_new_client', target_ip: NEW_CLIENT.server, server_port: 443, detail: { clientnet: '10.200.0.0/17', knownclients: 1 } });
  const bfgLag = Math.max(...bfgAlerts.map((a) => (a.readAt - injectAt) / 1000));
  t.ok(bfgLag <= STEP_S + SETTLE_S + SLACK_S, `ftbfg detection lag ${bfgLag.toFixed(0)} s`);
  // windows before the injection hold only normal traffic; in those after, everything but the injection is normal
  const judged = (d: DetectorProcess): string => `${d.windowEnds().length} windows (${d.windowEnds().filter((e) => printedInstant(e) <= injectAt).length} before the injection)`;
  t.comment(`detection lags: ftscan ${hLag.toFixed(0)} / ${vLag.toFixed(0)} s, ftbfg ${bfgLag.toFixed(0)} s; false positives: ftscan ${scanFalse} over ${judged(scan)}, ftbfg ${bfgFalse} over ${judged(bfg)}`);

  // syslog: each alert once, valid RFC 5424, every field in the structured data
  t.same(udp.invalid, [], 'every UDP message is valid RFC 5424');
  t.same(tcp.invalid, [], 'every TCP frame and message is valid');
  for (const [recv, alerts, tool, pri, extra] of [
    [udp, scanAlerts, 'ftscan', 18 * 8 + 4, ' scenario=ftscan'],
    [tcp, bfgAlerts, 'ftbfg', 16 * 8 + 5, ''],
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
        (a.target_ip === null ? sd.targetip === undefined : sd.targetip === a.target_ip) &&
        m.msg === `${(a.message as string).replace(/^\S+ \S+ /, '')}${extra}` &&
        Object.entries(a.detail as Record<string, unknown>).every(([k, v]) => sd[k] === String(v));
      if (!ok) t.fail(`${tool} message ${i} does not carry alert ${a.id}: ${JSON.stringify(m)}`);
    });
  }

  // the server has every alert as its last window left it, and `ftnbi -alert -j` lists them
  const lastOf = new Map<string, Record<string, unknown>>();
  for (const a of [...scanAlerts, ...bfgAlerts]) lastOf.set(a.id as string, a);
  const ftnbi = await runTool(path.join(REPO, 'bin/ftnbi'), ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-alert', '-tn', '1h', '-j']);
  t.equal(ftnbi.code, 0, ftnbi.stderr);
  // a JSON array, one alert a line
  const listed = JSON.parse(ftnbi.stdout) as Record<string, unknown>[];
  t.same(new Set(listed.map((a) => a.id)), new Set(lastOf.keys()), `ftnbi -alert -j returns every alert (${lastOf.size})`);
  for (const s of listed) {
    const a = lastOf.get(s.id as string);
    if (a === undefined || s.latest_utc !== a.latest_utc || s.message !== a.message || s.alert_type !== a.alert_type || JSON.stringify(s.sources) !== JSON.stringify(a.sources)) {
      t.fail(`alert ${String(s.id)} in the server differs from the last line printed: ${JSON.stringify(s)}`);
    }
  }
  // what the detectors printed, for docs/nbi.md's examples
  const { readAt: _, ...json } = bfgAlerts[1]!;
  t.comment(`lines:\n${[horizontal[0]!, vertical[0]!, ...bfgAlerts].map((a) => a.message as string).join('\n')}\n${JSON.stringify(json)}\n${JSON.stringify(udp.messages[udp.messages.length - 1])}`);
  t.comment(`alerts: ftscan ${scanAlerts.length} lines in ${new Set(scanAlerts.map((a) => a.id)).size} episodes, ftbfg ${bfgAlerts.length}; test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
});
