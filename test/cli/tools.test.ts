// bin/ftstat and bin/ftsq end to end against a real ftserver fed generated NetFlow v9: every -grp ×
// -cnt, every output form parsed back and compared with the API's own answers, filters, time frames,
// local times, session keys, FLOWTRAQ_* defaults, colour, progress, charts (-g: PNG decoded back, SVG,
// TGA), and the exit codes 0 2 3 4.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import t, { type Test } from 'tap';
import { ENTITIES, UNIQUE_TARGETS } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, freePort, queryString, startServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { ndjsonRows, netflowReceived, storedSessions, until } from '../lib/serverchecks.js';
import { v9Traffic } from '../lib/v9traffic.js';
import { FTNBI, FTSQ, FTSTAT, FTUM, mapLimit, parseCsv, runTool, type ToolRun } from './clirun.js';

type Cell = string | number | null;
interface StatAnswer {
  columns: string[];
  data: Cell[][];
  summary: Record<string, number>;
  series?: { bounds: number[]; other: number[] };
}

const server = await startServer({ args: ['--maxsessionkeyage', '3600'] });
t.teardown(() => server.stop());
const traffic = v9Traffic(1500, 5101);
await sendDatagrams(server.ports.netflow, traffic.datagrams, { ratePerSecond: 5000 });
await netflowReceived(server, traffic.datagrams.length);
const token = await server.login();
await until(async () => (await storedSessions(server, token)).size === traffic.sessions.length);

// one absolute frame for the tools and the API, so that both answer about exactly the same sessions
const nowMs = Date.now();
const fromMs = Math.floor(nowMs / 1000) * 1000 - 1_800_000;
const toMs = fromMs + 3_600_000;
const FRAME = ['-te', new Date(fromMs).toISOString(), '-tl', new Date(toMs).toISOString()];
const API_FRAME = { after_time: fromMs / 1000, before_time: toMs / 1000 };
const CONNECT = ['-s', '127.0.0.1', '-p', String(server.ports.api)];
const LOGIN = [...CONNECT, '-un', 'admin', '-up', ADMIN_PASSWORD];

const apiText = async (path: string, params: Record<string, string | number>): Promise<string> => {
  const r = await server.get(path, token, params);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET ${path}?${queryString(params)} -> ${r.status}: ${text}`);
  return text;
};
const apiStat = async (params: Record<string, string | number>): Promise<StatAnswer> => JSON.parse(await apiText('/api/v1/stat', { ...API_FRAME, format: 'json', ...params })) as StatAnswer;

/** The API's ranking as cli.md's JSON objects, written here from the columns and rows. */
function asObjects(a: StatAnswer): Record<string, unknown>[] {
  const n = a.series === undefined ? a.columns.length : a.columns.length - (a.series.bounds.length - 1);
  return a.data.map((row) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) o[a.columns[i]!] = row[i];
    if (a.series !== undefined) o.series = row.slice(n).map((value, k) => ({ start: a.series!.bounds[k], end: a.series!.bounds[k + 1], value }));
    return o;
  });
}

function ok(t: Test, r: ToolRun, what: string): boolean {
  return t.equal(r.code, 0, `${what}: exit 0${r.code === 0 ? '' : ` (stderr: ${r.stderr.trim()})`}`);
}

// a session key for the many runs below: a login with it costs no password hash on the server
const keyRun = await runTool(FTSTAT, [...LOGIN, '-us', '-grp', 'IP', '-cnt', 'BYTES', '-r', '1', '-c', ...FRAME]);
const KEY = keyRun.stderr.trim();
const KEYED = [...CONNECT, '-us', KEY];

t.test('session keys: -us prints one on stderr, -us KEY logs in with it', async (t) => {
  ok(t, keyRun, 'ftstat -un -up -us');
  t.match(keyRun.stderr, /^[A-Za-z0-9_-]{20,}\n$/, 'stderr holds the key alone on its line');
  t.equal(parseCsv(keyRun.stdout).length, 1, 'stdout still has the ranking');
  const keyed = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '1', '-c', ...FRAME]);
  ok(t, keyed, 'ftstat -us KEY');
  t.equal(keyed.stdout, keyRun.stdout, 'the same answer with the key');
  const bad = await runTool(FTSTAT, [...CONNECT, '-us', 'not-a-key-0123456789', '-grp', 'IP', '-cnt', 'BYTES']);
  t.equal(bad.code, 3, 'an unknown key: exit 3');
  t.match(bad.stderr, /^ftstat: login failed for the session key at 127\.0\.0\.1:\d+: /);
  const both = await runTool(FTSTAT, [...KEYED, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES']);
  t.equal(both.code, 2, '-us KEY with -un: exit 2');
  const sq = await runTool(FTSQ, [...KEYED, '-r', '1', '-c', ...FRAME]);
  ok(t, sq, 'ftsq -us KEY');
});

t.test('every -grp × -cnt, as JSON, equals the API\'s ranking', async (t) => {
  const cases: string[][] = [];
  ENTITIES.forEach((e, i) => {
    for (const c of ['BYTES', 'BITS', 'PACKETS', 'SESSIONS']) cases.push([e.name, c]);
    cases.push([e.name, 'UNIQUE', UNIQUE_TARGETS[i % UNIQUE_TARGETS.length]!]);
    if (e.shape === 'sided') cases.push([e.name, 'BYTES', '-snd'], [e.name, 'SESSIONS', '-rcv']);
  });
  t.ok(UNIQUE_TARGETS.every((u) => cases.some((c) => c[2] === u)), 'every UNIQUE target is used');
  const wrong: string[] = [];
  await mapLimit(cases, 2, async ([grp, cnt, third]) => {
    const extra = third === undefined ? [] : [third];
    const r = await runTool(FTSTAT, [...KEYED, '-grp', grp!, '-cnt', cnt!, ...extra, '-r', '40', '-j', ...FRAME]);
    const label = `-grp ${grp} -cnt ${cnt} ${third ?? ''}`;
    if (r.code !== 0) return void wrong.push(`${label}: exit ${r.code}: ${r.stderr.trim()}`);
    const api = await apiStat({
      group_by: grp!,
      count_by: cnt!,
      rows: 40,
      ...(cnt === 'UNIQUE' && { unique: third! }),
      ...(third === '-snd' && { direction: 'snd' }),
      ...(third === '-rcv' && { direction: 'rcv' }),
    });
    const got = JSON.parse(r.stdout) as unknown;
    if (JSON.stringify(got) !== JSON.stringify(asObjects(api))) wrong.push(`${label}: ${r.stdout.slice(0, 300)} ≠ API ${JSON.stringify(asObjects(api)).slice(0, 300)}`);
    if (api.data.length === 0) wrong.push(`${label}: the API ranked nothing (the test data should fill every entity)`);
  });
  t.same(wrong, [], `${cases.length} rankings equal the API's`);
});

t.test('ftstat output forms', async (t) => {
  const params = { group_by: 'IP', count_by: 'BYTES', rows: 20 };
  const csvH = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '20', '-C', ...FRAME]);
  ok(t, csvH, '-C');
  t.equal(csvH.stdout, await apiText('/api/v1/stat', { ...API_FRAME, ...params, format: 'csv', header: 1 }), '-C is the API\'s CSV with header and summary, exactly');
  const rows = parseCsv(csvH.stdout);
  t.same(rows[0]!.slice(0, 10), ['rank', 'IP', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted'], 'the column contract of cli.md');
  const totalBytes = traffic.sessions.reduce((n, s) => n + s.bytes, 0);
  const totalPackets = traffic.sessions.reduce((n, s) => n + s.packets, 0);
  t.match(csvH.stdout, `# Total sessions: ${traffic.sessions.length}, Total packets: ${totalPackets}, Total bytes: ${totalBytes}\n`, '-C summary: the sessions sent');
  t.match(csvH.stdout, /# Distinct entities: \d+\n$/);

  const csv = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '20', '-c', ...FRAME]);
  t.equal(csv.stdout, await apiText('/api/v1/stat', { ...API_FRAME, ...params, format: 'csv' }), '-c: the rows without header or summary');
  t.same(parseCsv(csv.stdout), rows.slice(1, 21), '-c rows are the -C rows');

  const series = await runTool(FTSTAT, [...KEYED, '-grp', 'PORTPROTO', '-cnt', 'PACKETS', '-w', '6', '-r', '5', '-j', ...FRAME]);
  ok(t, series, '-w 6 -j');
  const apiSeries = await apiStat({ group_by: 'PORTPROTO', count_by: 'PACKETS', rows: 5, slices: 6 });
  const objs = JSON.parse(series.stdout) as { value: number; series: { start: number; end: number; value: number }[] }[];
  t.same(objs, asObjects(apiSeries), '-w: every row with its series of six slices');
  t.ok(objs.every((o) => o.series.length === 6 && o.series.reduce((n, s) => n + s.value, 0) === o.value), 'the slices of a row add up to its value');
  const seriesCsv = await runTool(FTSTAT, [...KEYED, '-grp', 'PORTPROTO', '-cnt', 'PACKETS', '-w', '6', '-r', '5', '-C', ...FRAME]);
  t.equal(parseCsv(seriesCsv.stdout)[0]!.length, 12 + 6, '-w -C: six slice columns after the eleven of PORTPROTO and its service');

  const table = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '7', ...FRAME]);
  ok(t, table, 'the table');
  const lines = table.stdout.split('\n');
  t.match(lines[1], /^\| # \| IP +\| AS +\| CC \| Bytes +\| % +\| Bytes sent \| Bytes rcvd \| Pkts sent \| Pkts rcvd \| Sess init \| Sess acc \|$/);
  const body = lines.filter((l) => /^\| +\d+ \|/.test(l));
  t.equal(body.length, 7, '-r 7 rows');
  t.match(body[0], new RegExp(`^\\| 1 \\| ${rows[1]![1]!.replace(/\./g, '\\.')} `), 'the top address of the ranking first');
  t.match(body[0], /\d+\.\d (KiB|MiB|GiB) \|/, 'human-scaled bytes');
  t.match(lines.at(-2), new RegExp(`^${(traffic.sessions.length / 1000).toFixed(1)} k sessions, .* distinct IP, 7 shown$`), 'the summary line');
  t.notMatch(table.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
  const forced = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '3', ...FRAME], { env: { FORCE_COLOR: '1' } });
  t.match(forced.stdout, /\u001b\[1m/, 'FORCE_COLOR: a bold header');
  const forcedCsv = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '3', '-C', ...FRAME], { env: { FORCE_COLOR: '1' } });
  t.notMatch(forcedCsv.stdout, /\u001b\[/, 'never colour in CSV');

  const empty = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-q', 'SRVPORT=1 && CLNPORT=1', '-j', ...FRAME]);
  ok(t, empty, 'an empty result');
  t.equal(empty.stdout, '[]\n', 'is an empty array');
  const verbose = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '3', '-c', '-v', ...FRAME]);
  t.match(verbose.stderr, /^ftstat: \d{1,3}(,\d{3})* bytes of CSV in \d+\.\d s\n$/, '-v without a terminal: one line on stderr (thousands separated)');
  t.equal(verbose.stdout, (await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '3', '-c', ...FRAME])).stdout, '-v leaves stdout alone');
});

t.test('ftsq output forms', async (t) => {
  const sessionsText = (params: Record<string, string | number>) => apiText('/api/v1/sessions', { ...API_FRAME, ...params });
  const json = await runTool(FTSQ, [...KEYED, '-j', ...FRAME]);
  ok(t, json, '-j');
  t.equal(json.stdout, await sessionsText({ format: 'ndjson' }), '-j is the API\'s NDJSON, exactly');
  const records = ndjsonRows(json.stdout);
  t.equal(records.length, traffic.sessions.length, 'every session sent, unlimited by default');
  t.ok(records.every((r) => typeof r.START === 'number' && typeof r.END === 'number'), 'JSON times are UTC epoch seconds');

  const csvH = await runTool(FTSQ, [...KEYED, '-C', ...FRAME]);
  t.equal(csvH.stdout, await sessionsText({ format: 'csv', header: 1 }), '-C is the API\'s CSV');
  const totalBytes = traffic.sessions.reduce((n, s) => n + s.bytes, 0);
  const totalPackets = traffic.sessions.reduce((n, s) => n + s.packets, 0);
  t.match(csvH.stdout, new RegExp(`\\n# Total sessions: ${traffic.sessions.length}, Total packets: ${totalPackets}, Total bytes: ${totalBytes}\\n$`), 'the -C totals line: what was sent');
  const rows = parseCsv(csvH.stdout);
  t.same(rows[0]!.slice(0, 27), 'START END CLNIP CLNPORT SRVIP SRVPORT PROTO CLNPKTS SRVPKTS CLNBYTS SRVBYTS FLAGS TOS INIF OUTIF INVLAN OUTVLAN CLNAS SRVAS CLNCC SRVCC CLNMAC SRVMAC EXPIP EXPV ASAEVT ASAEXTEVT'.split(' '), "cli.md's columns first");
  t.match(rows[1]![0], /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d\.\d{6}$/, 'CSV times MM/DD/YYYY hh:mm:ss.microsec');

  const five = await runTool(FTSQ, [...KEYED, '-c', '-r', '5', ...FRAME]);
  t.equal(five.stdout.split('\n').filter((l) => l !== '').length, 5, '-c -r 5: five sessions');
  t.equal(five.stdout, await sessionsText({ format: 'csv', rows: 5 }));

  const table = await runTool(FTSQ, [...KEYED, ...FRAME], { env: { TZ: 'Asia/Kolkata' } });
  ok(t, table, 'the table');
  const lines = table.stdout.split('\n');
  t.match(lines[1], /^\| START +\| END +\| CLNIP +\| CLNPORT +\| SRVIP +\| SRVPORT +\| PROTO +\| CLNPKTS +\| SRVPKTS +\| CLNBYTS +\| SRVBYTS +\| FLAGS +\|$/, 'the readable columns');
  const body = lines.filter((l) => /^\| \d\d\//.test(l));
  t.equal(body.length, 128, 'at most 128 sessions in the table by default');
  t.match(table.stderr, /^ftsq: more sessions match: the table shows the first 128; -r NUM shows more/, 'and says there are more');
  // the first session's start in Kolkata's local time, written here with Intl
  const start = records[0]!.START as number;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(Math.floor(start) * 1000))
      .map((p) => [p.type, p.value]),
  );
  const micro = String(Math.round(start * 1e6) % 1_000_000).padStart(6, '0');
  t.equal(body[0]!.split('|')[1]!.trim(), `${parts.month}/${parts.day}/${parts.year} ${parts.hour}:${parts.minute}:${parts.second}.${micro}`, 'the table shows local time (TZ) with µs');
  t.match(body[0], new RegExp(`\\| ${(records[0]!.CLNIP as string).replace(/\./g, '\\.')} +\\|`), 'the first session first');
  const ten = await runTool(FTSQ, [...KEYED, '-r', '10', ...FRAME]);
  t.equal(ten.stdout.split('\n').filter((l) => /^\| \d\d\//.test(l)).length, 10, '-r 10 rows');

  const udp = await runTool(FTSQ, [...KEYED, '-q', 'PROTO=UDP', '-j', ...FRAME]);
  t.equal(udp.stdout, await sessionsText({ format: 'ndjson', query: 'PROTO=UDP' }), '-q is the API\'s query');
  t.ok(ndjsonRows(udp.stdout).length > 0 && ndjsonRows(udp.stdout).every((r) => r.PROTO === 17), 'only UDP');
  const exporter = await runTool(FTSQ, [...KEYED, '-e', '127.0.0.1', '-ef', 'nf9', '-c', ...FRAME]);
  t.equal(exporter.stdout.split('\n').filter((l) => l !== '').length, traffic.sessions.length, '-e 127.0.0.1 -ef nf9: every session (sent from 127.0.0.1 as NetFlow v9)');
  const ipfix = await runTool(FTSQ, [...KEYED, '-ef', 'ipfix', '-c', ...FRAME]);
  ok(t, ipfix, '-ef ipfix');
  t.equal(ipfix.stdout, '', 'no IPFIX sessions: empty output, exit 0');
  const otherExporter = await runTool(FTSQ, [...KEYED, '-e', '192.0.2.99', '-ei', '1', '-j', ...FRAME]);
  t.equal(otherExporter.stdout, await sessionsText({ format: 'ndjson', exporter: '192.0.2.99', ifindex: 1 }));
  const relative = await runTool(FTSQ, [...KEYED, '-tn', '-30m', '-c']);
  t.equal(relative.stdout.split('\n').filter((l) => l !== '').length, traffic.sessions.length, '-tn -30m: the last half hour holds every session');

  const verbose = await runTool(FTSQ, [...KEYED, '-c', '-v', ...FRAME]);
  t.match(verbose.stderr, new RegExp(`^ftsq: ${traffic.sessions.length.toLocaleString('en-US')} sessions in \\d+\\.\\d s\\n$`), '-v: the count on stderr, thousands separated as the spinner has them');
});

t.test('stdout that cannot be written (/dev/full): one line saying so, exit 1, for every tool and form', async (t) => {
  const runs: [string, string, string[]][] = [
    [FTSQ, 'ftsq', ['-c']],
    [FTSQ, 'ftsq', ['-j']],
    [FTSQ, 'ftsq', []],
    [FTSQ, 'ftsq', ['-c', '-v']],
    [FTSTAT, 'ftstat', ['-grp', 'IP', '-cnt', 'BYTES']],
    [FTSTAT, 'ftstat', ['-grp', 'IP', '-cnt', 'BYTES', '-c']],
    [FTSTAT, 'ftstat', ['-grp', 'IP', '-cnt', 'BYTES', '-C']],
    [FTSTAT, 'ftstat', ['-grp', 'IP', '-cnt', 'BYTES', '-j']],
    [FTUM, 'ftum', ['-ulist']],
    [FTUM, 'ftum', ['-ulist', '-C']],
    [FTNBI, 'ftnbi', ['-alert']],
    [FTNBI, 'ftnbi', ['-alert', '-j']],
  ];
  for (const [bin, name, args] of runs) {
    const frame = bin === FTUM ? [] : bin === FTNBI ? ['-tn', '1h'] : FRAME;
    const r = await runTool(bin, [...KEYED, ...args, ...frame], { stdoutTo: '/dev/full' });
    const label = `${name} ${args.join(' ')} > /dev/full`;
    t.equal(r.code, 1, `${label}: exit 1`);
    t.equal(r.stderr, `${name}: cannot write the output: no space left on device (ENOSPC)\n`, `${label}: one line in plain words, no stack trace, not a broken connection`);
  }
});

t.test('FLOWTRAQ_* variables supply defaults; parameters win', async (t) => {
  const env = { FLOWTRAQ_SERVER: '127.0.0.1', FLOWTRAQ_PORT: String(server.ports.api), FLOWTRAQ_USERNAME: 'admin', FLOWTRAQ_PASSWORD: ADMIN_PASSWORD };
  const r = await runTool(FTSTAT, ['-grp', 'IP', '-cnt', 'PACKETS', '-r', '3', '-c', ...FRAME], { env });
  ok(t, r, 'everything from the environment');
  t.equal(parseCsv(r.stdout).length, 3);
  const wrongPort = await runTool(FTSTAT, ['-grp', 'IP', '-cnt', 'PACKETS', '-p', String(await freePort()), ...FRAME], { env });
  t.equal(wrongPort.code, 4, '-p wins over FLOWTRAQ_PORT');
  const wrongPassword = await runTool(FTSTAT, ['-grp', 'IP', '-cnt', 'PACKETS', '-up', 'wrong', ...FRAME], { env });
  t.equal(wrongPassword.code, 3, '-up wins over FLOWTRAQ_PASSWORD');
  const badPort = await runTool(FTSQ, ['-c'], { env: { ...env, FLOWTRAQ_PORT: 'ninety' } });
  t.equal(badPort.code, 2);
  t.match(badPort.stderr, /^ftsq: FLOWTRAQ_PORT 'ninety' is not a port/);
});

t.test('exit codes and messages', async (t) => {
  const nobody = String(await freePort());
  const filter = await runTool(FTSQ, ['-p', nobody, '-un', 'admin', '-up', 'x', '-q', 'SRCIP=10.0.0.1 && PROTO=TCP']);
  t.equal(filter.code, 2, 'a bad filter: exit 2, before any connection (nothing listens on that port)');
  t.equal(filter.stderr, "ftsq: bad filter: unknown field 'SRCIP' (did you mean CLNIP or SRVIP?)\n  SRCIP=10.0.0.1 && PROTO=TCP\n  ^^^^^\n", "filter.md's message and caret");
  const time = await runTool(FTSTAT, ['-p', nobody, '-un', 'a', '-up', 'x', '-grp', 'IP', '-cnt', 'BYTES', '-tn', '2d1w']);
  t.equal(time.code, 2, 'a bad time: exit 2');
  t.match(time.stderr, /^ftstat: -tn '2d1w': the terms are out of order; give larger units first, e.g. 1w2d\n$/);
  const unique = await runTool(FTSTAT, ['-grp', 'IP', '-cnt', 'UNIQUE']);
  t.equal(unique.stderr, 'ftstat: -cnt UNIQUE needs an entity: one of IP PORTPROTO QOS TCPFLAGS IF COUNTRY VLAN ASN MAC\n', "cli.md's example");
  t.equal(unique.code, 2);
  const unknown = await runTool(FTSQ, ['-u', 'admin']);
  t.equal(unknown.code, 2, 'an unknown parameter: exit 2');
  t.match(unknown.stderr, /unknown parameter '-u' \(did you mean -un, -up or -us\?\)/);
  const misplaced = await runTool(FTSQ, ['-snd']);
  t.equal(misplaced.code, 2);
  t.match(misplaced.stderr, /^ftsq: -snd does not apply to ftsq: /);

  const password = await runTool(FTSTAT, [...CONNECT, '-un', 'admin', '-up', 'wrong-password', '-grp', 'IP', '-cnt', 'BYTES']);
  t.equal(password.code, 3, 'a wrong password: exit 3');
  t.match(password.stderr, /^ftstat: login failed for user admin at 127\.0\.0\.1:\d+: .+\n$/);
  t.equal(password.stdout, '', 'nothing on stdout');

  const noPassword = await runTool(FTSTAT, [...CONNECT, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES']);
  t.equal(noPassword.code, 2, 'no password, and no terminal (no /dev/tty, stdin not one): exit 2');
  t.equal(noPassword.stderr, `ftstat: no password for admin@127.0.0.1:${server.ports.api}: give -up PASS or set FLOWTRAQ_PASSWORD (there is no terminal to ask for it on), or log in with a session key: -us KEY\n`);

  const refused = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', nobody, '-un', 'admin', '-up', 'x']);
  t.equal(refused.code, 4, 'nothing listening: exit 4');
  t.equal(refused.stderr, `ftsq: cannot connect to 127.0.0.1:${nobody}: connection refused (is ftserver running there?); -s and -p (or FLOWTRAQ_SERVER and FLOWTRAQ_PORT) choose the server\n`);
  const prompted = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', nobody, '-un', 'admin']);
  t.equal(prompted.code, 4, 'an unreachable server is reported before the password is asked for');
  const host = await runTool(FTSQ, ['-s', 'no-such-host.invalid', '-un', 'admin', '-up', 'x']);
  t.equal(host.code, 4, 'an unknown host: exit 4');
  t.match(host.stderr, /cannot connect to no-such-host\.invalid:9640: /);

  for (const [bin, name] of [[FTSTAT, 'ftstat'], [FTSQ, 'ftsq']] as const) {
    const help = await runTool(bin, ['--help']);
    t.equal(help.code, 0, `${name} --help: exit 0`);
    t.match(help.stdout, /Examples:\n/, `${name} --help has examples`);
    const version = await runTool(bin, ['--version']);
    t.match(version.stdout, new RegExp(`^${name} \\(opentraq\\) \\d+\\.\\d+\\.\\d+\\n$`));
  }
});

/** The colours other than white that fill a 6 × 6 block in the rectangle (swatches and areas, never text). */
function solidColours(png: PNG, x0: number, x1: number, y0: number, y1: number): Map<string, number> {
  const at = (x: number, y: number): number => png.data.readUInt32BE((y * png.width + x) * 4);
  const out = new Map<string, number>();
  for (let y = y0; y + 6 <= y1; y++) {
    for (let x = x0; x + 6 <= x1; x++) {
      const c = at(x, y);
      if (c === 0xffffffff) continue;
      let solid = true;
      for (let dy = 0; dy < 6 && solid; dy++) for (let dx = 0; dx < 6 && solid; dx++) solid = at(x + dx, y + dy) === c;
      const key = `#${(c >>> 8).toString(16).padStart(6, '0')}`;
      if (solid) out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

t.test('charts: -g FILE draws the top rows over time', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftstat-chart-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const params = { group_by: 'IP', count_by: 'BYTES', rows: 5 };
  // the generated sessions start within the two minutes before they were sent: a frame around them fills the chart
  const chartFromMs = Math.floor(nowMs / 1000) * 1000 - 150_000;
  const chartToMs = chartFromMs + 160_000;
  const FRAME = ['-te', new Date(chartFromMs).toISOString(), '-tl', new Date(chartToMs).toISOString()];
  const API_FRAME = { after_time: chartFromMs / 1000, before_time: chartToMs / 1000 };
  const apiStat = async (p: Record<string, string | number>): Promise<StatAnswer> => JSON.parse(await apiText('/api/v1/stat', { ...API_FRAME, format: 'json', ...p })) as StatAnswer;

  const png = path.join(dir, 'top.png');
  const r = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', '-g', png, '-C', ...FRAME]);
  ok(t, r, '-g top.png -C');
  t.equal(r.stdout, await apiText('/api/v1/stat', { ...API_FRAME, ...params, format: 'csv', header: 1 }), 'the CSV is what it is without -g');
  const image = PNG.sync.read(fs.readFileSync(png));
  t.same([image.width, image.height], [800, 400], 'the default size');
  const legend = solidColours(image, 480, 800, 0, 400);
  t.equal(legend.size, 6, 'six swatches in the legend: the five rows and other');
  const plot = solidColours(image, 0, 440, 0, 400);
  for (const c of legend.keys()) t.ok((plot.get(c) ?? 0) > 50, `the plot has an area in the legend's ${c}`);

  const svgFile = path.join(dir, 'top.svg');
  const j = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', '-g', svgFile, '-gx', '1000', '-gy', '500', '-j', ...FRAME], { env: { TZ: 'UTC' } });
  ok(t, j, '-g top.svg -gx 1000 -gy 500 -j');
  const api = await apiStat(params);
  t.same(JSON.parse(j.stdout), asObjects(api), 'the JSON carries no slices when -w was not asked for');
  const svg = fs.readFileSync(svgFile, 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1000" height="500"/);
  t.doesNotThrow(() => new Resvg(svg, { font: { loadSystemFonts: false } }), 'the SVG parses');
  const ipAt = api.columns.indexOf('IP');
  // a long IPv6 address may be shortened with … to fit the legend
  for (const row of api.data) t.match(svg, new RegExp(`>${String(row[ipAt]).slice(0, 12).replace(/\./g, '\\.')}[^<]*</text>`), `the legend names ${row[ipAt]}`);
  t.match(svg, '>Bytes per 2.7 s</text>', 'the value axis: 60 slices of 160 s');
  t.match(svg, />local time \(UTC\)(, \d\d\/\d\d\/\d{4})?<\/text>/, 'the time axis in the local time zone');
  t.match(svg, '-grp IP -cnt BYTES -te', 'the title says what was asked');

  const tgaFile = path.join(dir, 'Top.TGA');
  const w = await runTool(FTSTAT, [...KEYED, '-grp', 'PORTPROTO', '-cnt', 'SESSIONS', '-w', '6', '-r', '3', '-g', tgaFile, '-gx', '640', '-gy', '320', '-j', ...FRAME]);
  ok(t, w, '-w 6 -g Top.TGA -j');
  t.same(JSON.parse(w.stdout), asObjects(await apiStat({ group_by: 'PORTPROTO', count_by: 'SESSIONS', rows: 3, slices: 6 })), '-w: the JSON keeps its series');
  const tga = fs.readFileSync(tgaFile);
  t.same([tga[2], tga.readUInt16LE(12), tga.readUInt16LE(14), tga[16], tga[17]], [2, 640, 320, 24, 0x20], 'an uncompressed 24-bit TGA of 640 × 320, top row first');
  t.equal(tga.length, 18 + 640 * 320 * 3 + 26);

  const table = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', '-g', path.join(dir, 't.png'), ...FRAME]);
  const plain = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', ...FRAME]);
  t.equal(table.stdout, plain.stdout, 'the table is the same with and without -g');
  const empty = await runTool(FTSTAT, [...KEYED, '-grp', 'IP', '-cnt', 'BYTES', '-q', 'SRVPORT=1 && CLNPORT=1', '-g', path.join(dir, 'empty.svg'), ...FRAME]);
  ok(t, empty, 'an empty ranking');
  t.match(fs.readFileSync(path.join(dir, 'empty.svg'), 'utf8'), '>no sessions in the frame</text>');

  const usage: [string[], RegExp][] = [
    [['-g', path.join(dir, 'x.png'), '-gx', '100'], /^ftstat: -gx '100' is not a chart width in pixels: give a whole number from 200 to 10000\n$/],
    [['-g', path.join(dir, 'x.png'), '-gy', 'tall'], /-gy 'tall' is not a chart height in pixels/],
    [['-g', path.join(dir, 'x.jpg')], /the chart file must end in \.png, \.tga or \.svg/],
    [['-gx', '900'], /^ftstat: -gx needs -g as well/],
    [['-g', path.join(dir, 'no', 'such', 'x.png')], /the chart cannot be written there: the directory .* does not exist/],
    [['-g', dir + path.sep + '.png'], /the chart cannot be written there|must end in/],
    [['-g', dir], /must end in \.png/],
    [['-g', path.join(dir, 'folder.png')], /the chart cannot be written there: it is a directory/],
  ];
  fs.mkdirSync(path.join(dir, 'folder.png'));
  const nobody = String(await freePort());
  for (const [args, message] of usage) {
    const u = await runTool(FTSTAT, ['-p', nobody, '-un', 'admin', '-up', 'x', '-grp', 'IP', '-cnt', 'BYTES', ...args]);
    t.equal(u.code, 2, `${args.join(' ')}: exit 2, before connecting`);
    t.match(u.stderr, message);
  }
});
