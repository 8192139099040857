// ftth and ftbl against a real ftserver fed through its NetFlow v9 listener with the scenario's normal
// traffic (rhythmtraffic.ts), then, live, one host sending 3 MB inside one minute (ftth: exactly
// 500000 bytes/10s) and sessions with blacklisted addresses in both directions — a CIDR block, an
// address, `localhost`, an IPv6 block — from a list of 10,000 entries (ftbl). Known answers: which
// alerts, no others (false positives counted), within a window + the settle + slack; syslog over UDP
// (ftth) and TCP (ftbl), each message held to RFC 5424; the server and `ftnbi -alert -j` list them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runTool } from '../cli/clirun.js';
import { ADMIN_PASSWORD, REPO, startServer } from '../lib/ftserver.js';
import { sdParams } from '../../packages/nbi/test/rfc5424.js';
import { DetectorProcess } from './detectorprocess.js';
import { Feeder } from './feeder.js';
import { SCENARIO_TZ, minuteOf } from './rhythmtraffic.js';
import { SyslogReceiver } from './syslogreceivers.js';
import { LISTED_PAIRS, THRESHOLD_BYTES, THRESHOLD_HOST, blacklistText, injectedSessions, sendSessions } from './thblinjections.js';
import { printedInstant } from './printedtime.js';

t.setTimeout(8 * 60_000);

const WINDOW_S = 60;
const SETTLE_S = 10;
/** Time for the queries (ftbl's list takes two dozen a window), the syslog and the pipes once a window is due. */
const SLACK_S = 30;
const RATE_S = 10;
const THRESHOLD = 100_000;

/** An instant as the detectors print it in the scenario's zone (+05:30 all year). */
function printedTime(ms: number): string {
  const d = new Date(ms + 330 * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

t.test('ftth finds the threshold crossing, ftbl every blacklisted session, and nothing else', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbl-e2e-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const list = blacklistText();
  const listFile = path.join(dir, 'blacklist.txt');
  fs.writeFileSync(listFile, list.text);

  const server = await startServer({ args: ['--sessiontimeout', '0'] });
  t.teardown(() => server.stop());
  const feeder = new Feeder(server.ports);
  t.teardown(() => feeder.stop());
  const started = Date.now();
  const m0 = minuteOf(started);
  const history = await feeder.history(m0 - 60, m0);
  feeder.start(m0);
  t.comment(`history: ${history} sessions of the last hour sent`);

  const udp = await SyslogReceiver.udp();
  const tcp = await SyslogReceiver.tcp();
  t.teardown(() => udp.close());
  t.teardown(() => tcp.close());
  const common = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-bi', String(WINDOW_S), '-bd', String(SETTLE_S), '-j', '-v', '-ls'];
  const env = { TZ: SCENARIO_TZ };
  const th = new DetectorProcess('ftth', [...common, '-grp', 'IP', '-cnt', 'BYTES', '-snd', '-bw', String(RATE_S), '-bt', String(THRESHOLD), '-lh', '127.0.0.1', '-lp', String(udp.port), '-lt', 'udp'], env);
  const bl = new DetectorProcess('ftbl', [...common, '-bl', listFile, '-lh', '127.0.0.1', '-lp', String(tcp.port), '-lt', 'tcp', '-lf', 'LOCAL3', '-ll', 'WARNING', '-lu', 'site=lab'], env);
  t.teardown(() => th.stop('SIGKILL'));
  t.teardown(() => bl.stop('SIGKILL'));

  // no training: each says so and what it checks; ftbl says what it loaded and which lines it skipped
  await th.waitFor('ftth to start', () => th.stderr.some((l) => l.line.includes('no training')), 60_000);
  await bl.waitFor('ftbl to start', () => bl.stderr.some((l) => l.line.includes('no training')), 60_000);
  t.match(th.stderr[0]!.line, /^ftth: no training \(a threshold needs no history\): bytes\/10s sent by each IP checked against -bt 100000 in windows of 60 s, each 10 s after it closes; the first window ends \S+ \S+$/);
  const blStart = bl.stderr.map((l) => l.line);
  t.match(blStart[0], new RegExp(`^ftbl: loaded the list ${listFile.replace(/[.]/g, '\\.')}: ${list.entries} entries: 9997 addresses, 2 blocks, 1 hostname \\(1 address\\); 2 lines skipped \\(malformed\\); \\d+ queries a window; next load in 24 hours$`));
  t.same(blStart.slice(1, 3), [`ftbl: ${listFile}:${list.badLines[0]}: skipped: 'not-an-address!' is not an address, a CIDR block or a hostname`, `ftbl: ${listFile}:${list.badLines[1]}: skipped: '10.0.0.300' is not an IPv4 address`]);
  t.comment(blStart[0]);

  // two normal windows each, then the anomalies, 5 s into the next minute: all in one window
  await th.waitFor('two ftth windows', () => th.windowEnds().length >= 2, 3 * 60_000);
  await bl.waitFor('two ftbl windows', () => bl.windowEnds().length >= 2, 3 * 60_000);
  const injectAt = Math.ceil((Date.now() + 3000) / 60_000) * 60_000 + 5000;
  await new Promise((r) => setTimeout(r, injectAt - Date.now()));
  await sendSessions(server.ports.netflow, injectedSessions(injectAt));
  const windowEnd = Math.ceil(injectAt / 60_000) * 60_000;
  t.comment(`anomalies from ${new Date(injectAt).toISOString()}, in the window ending ${new Date(windowEnd).toISOString()}, ${((injectAt - started) / 1000).toFixed(0)} s into the test`);

  const limit = (WINDOW_S + SETTLE_S + SLACK_S) * 1000;
  await th.waitFor('the threshold crossing', () => th.alerts().length > 0, limit);
  await bl.waitFor('the blacklisted sessions', () => bl.alerts().length >= LISTED_PAIRS.length, limit);
  // and one more window each, to see the normal traffic after them
  await th.waitFor('a window after', () => th.windowEnds().some((e) => printedInstant(e) > windowEnd), limit);
  await bl.waitFor('a window after', () => bl.windowEnds().some((e) => printedInstant(e) > windowEnd), limit);

  for (const [d, name] of [[th, 'ftth'], [bl, 'ftbl']] as const) {
    const res = await d.stop('SIGTERM');
    t.equal(res.code, 0, `${name} exits 0 on SIGTERM`);
    t.match(d.stderr[d.stderr.length - 1]!.line, new RegExp(`^${name}: stopped \\(SIGTERM\\) after \\d+ windows? and \\d+ alerts?; the last window checked ended `));
    const ends = d.windowEnds().map(printedInstant);
    t.ok(ends.every((e, i) => e % 60_000 === 0 && (i === 0 || e - ends[i - 1]! === WINDOW_S * 1000)), `${name}: every window once, in order, on the minute (${ends.length} windows)`);
  }

  // ftth: one alert, the crossing host, with the exact rate, in the window that holds it
  const thAlerts = th.alerts();
  const thFalse = thAlerts.filter((a) => a.target_ip !== THRESHOLD_HOST || a.window_end_utc !== windowEnd / 1000);
  t.equal(thFalse.length, 0, `ftth false positives: ${thFalse.length}`);
  t.equal(thAlerts.length, 1, 'one alert');
  const rate = (THRESHOLD_BYTES * RATE_S) / WINDOW_S;
  const crossing = thAlerts[0]!;
  const during = `during ${printedTime(windowEnd - WINDOW_S * 1000)} to ${printedTime(windowEnd)}`;
  t.equal((crossing.message as string).replace(/^\S+ \S+ /, ''), `threshold exceeded for bytes/10s sent by address ${THRESHOLD_HOST} ${during}: ${rate} confidence: 100.00 (TH: ${THRESHOLD})`);
  t.match(crossing, { alert_type: 'threshold', detector: 'ftth', target_mask: 32, threshold_value: THRESHOLD, window_start_utc: windowEnd / 1000 - WINDOW_S, current_values: { bytes_out: THRESHOLD_BYTES }, detail: { value: String(rate), countby: 'BYTES_SENT', CID: 0, confidence: 100 } });
  const thLag = (crossing.readAt - injectAt) / 1000;
  t.ok(thLag <= WINDOW_S + SETTLE_S + SLACK_S, `ftth detection lag ${thLag.toFixed(0)} s`);

  // ftbl: exactly the five pairs, each once, with its sessions, both parties and who initiated
  const blAlerts = bl.alerts();
  const pairOf = (a: Record<string, unknown>): string => `${(a.detail as Record<string, string>).client}>${(a.detail as Record<string, string>).server}`;
  const expected = new Map(LISTED_PAIRS.map((p) => [`${p.client}>${p.server}`, p]));
  const blFalse = blAlerts.filter((a) => !expected.has(pairOf(a)) || a.window_end_utc !== windowEnd / 1000);
  t.equal(blFalse.length, 0, `ftbl false positives: ${blFalse.length}`);
  t.same(blAlerts.map(pairOf).sort(), [...expected.keys()].sort(), 'each blacklisted pair once');
  for (const a of blAlerts) {
    const p = expected.get(pairOf(a))!;
    const detail = a.detail as Record<string, unknown>;
    t.match(detail, { value: p.sessions, cliententry: p.clientEntry, serverentry: p.serverEntry, services: `${p.port}/TCP`, initiator: p.client, listedside: p.clientEntry === '' ? 'server' : 'client' });
    const listed = p.clientEntry === '' ? p.server : p.client;
    const entry = p.clientEntry === '' ? p.serverEntry : p.clientEntry;
    const verb = p.clientEntry === '' ? `accepted sessions from ${p.client}` : `initiated sessions to ${p.server}`;
    const text = `blacklisted address ${listed} (listed as ${entry}) ${verb} on ${p.port}/TCP ${during}: ${p.sessions} session${p.sessions === 1 ? '' : 's'}`;
    t.equal((a.message as string).replace(/^\S+ \S+ /, ''), text);
    t.match(a, { alert_type: 'blacklist', detector: 'ftbl', target_ip: listed, sources: [p.clientEntry === '' ? p.client : p.server], server_port: p.port, proto: 6, severity: 4 });
  }
  const blLag = (Math.max(...blAlerts.map((a) => a.readAt)) - injectAt) / 1000;
  t.ok(blLag <= WINDOW_S + SETTLE_S + SLACK_S, `ftbl detection lag ${blLag.toFixed(0)} s`);
  for (const a of [...thAlerts, ...blAlerts]) t.comment(a.message as string);
  t.comment(
    `detection lags: ftth ${thLag.toFixed(0)} s, ftbl ${blLag.toFixed(0)} s; false positives: ftth ${thFalse.length} over ${th.windowEnds().length} windows, ftbl ${blFalse.length} over ${bl.windowEnds().length} windows`,
  );

  // syslog: each alert once, valid RFC 5424, every field in the structured data
  t.same(udp.invalid, [], 'every UDP message is valid RFC 5424');
  t.same(tcp.invalid, [], 'every TCP frame and message is valid');
  for (const [recv, alerts, tool, pri, extra] of [
    [udp, thAlerts, 'ftth', 16 * 8 + 5, ''],
    [tcp, blAlerts, 'ftbl', 19 * 8 + 4, ' site=lab'],
  ] as const) {
    t.equal(recv.messages.length, alerts.length, `${tool}: a syslog message per alert`);
    recv.messages.forEach((m, i) => {
      const a = alerts[i]!;
      const sd = sdParams(m, `${tool}@32473`);
      const ok =
        m.pri === pri &&
        m.appName === tool &&
        sd.id === a.id &&
        sd.alerttype === a.alert_type &&
        sd.targetip === a.target_ip &&
        m.msg === `${(a.message as string).replace(/^\S+ \S+ /, '')}${extra}` &&
        Object.entries(a.detail as Record<string, unknown>).every(([k, v]) => sd[k] === String(v));
      if (!ok) t.fail(`${tool} message ${i} does not carry alert ${a.id}: ${JSON.stringify(m)}`);
    });
  }
  t.match(sdParams(udp.messages[0]!, 'ftth@32473'), { groupby: 'IP', countby: 'BYTES_SENT', unique: 'NONE', nbisource: THRESHOLD_HOST, value: String(rate), absth: '100000.00', confidence: '100', friendlyname: '', CID: '0' });

  // the server has every alert, and `ftnbi -alert -j` lists them
  const token = await server.login();
  const listed = await server.getJson<{ alerts: Record<string, unknown>[] }>('/api/v1/alerts', token, { time_range: '1h' });
  const all = [...thAlerts, ...blAlerts];
  const byId = new Map(listed.alerts.map((a) => [a.id as string, a]));
  t.equal(byId.size, all.length, `${all.length} alerts recorded`);
  for (const a of all) {
    const s = byId.get(a.id as string);
    if (s === undefined || s.message !== a.message || s.detector !== a.detector || s.alert_type !== a.alert_type) t.fail(`alert ${a.id as string} in the server differs: ${JSON.stringify(s)}`);
  }
  const ftnbi = await runTool(path.join(REPO, 'bin/ftnbi'), ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-alert', '-tn', '1h', '-j']);
  t.equal(ftnbi.code, 0, ftnbi.stderr);
  // one JSON array, an alert a line
  const viaFtnbi = JSON.parse(ftnbi.stdout) as Record<string, unknown>[];
  t.same(new Set(viaFtnbi.map((a) => a.id)), new Set(all.map((a) => a.id)), 'ftnbi -alert -j returns every alert');
  t.comment(`test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
});
