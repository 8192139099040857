// bin/ftum and bin/ftnbi end to end against a real ftserver: every ftum action as an administrator and
// as an ordinary user (who may only change their own password), the user list read back and compared
// with the API, session keys, passwords typed in a pseudo-terminal, the last administrator, and the exit
// codes; alerts posted through the API by two users and read back with ftnbi as JSON and as a table.
import t, { type Test } from 'tap';
import { ADMIN_PASSWORD, apiRequest, freePort, startServer } from '../lib/ftserver.js';
import { FTNBI, FTSTAT, FTUM, parseCsv, runInTerminal, runTool, type ToolRun } from './clirun.js';

const server = await startServer({ args: ['--maxsessionkeyage', '3600'] });
t.teardown(() => server.stop());
const CONNECT = ['-s', '127.0.0.1', '-p', String(server.ports.api)];
const ADMIN = [...CONNECT, '-un', 'admin', '-up', ADMIN_PASSWORD];
const target = { port: server.ports.api };

function ok(t: Test, r: ToolRun, what: string): boolean {
  return t.equal(r.code, 0, `${what}: exit 0${r.code === 0 ? '' : ` (stderr: ${r.stderr.trim()})`}`);
}

/** Whether `user` can log in with `password` (asked of the API itself). */
async function canLogIn(user: string, password: string): Promise<boolean> {
  const r = await apiRequest(target, 'POST', '/api/v1/auth', { body: { username: user, password } });
  return r.status === 200;
}

interface ApiUser {
  username: string;
  admin: boolean;
  created: number;
  last_login: number | null;
}

async function apiUsers(): Promise<ApiUser[]> {
  const r = await apiRequest(target, 'GET', '/api/v1/users', { token: await server.login() });
  return (r.json as { users: ApiUser[] }).users;
}

t.test('ftum as an administrator', async (t) => {
  const added = await runTool(FTUM, [...ADMIN, '-addu', 'alice', 'alice-pw-1']);
  ok(t, added, '-addu');
  t.equal(added.stdout, 'added user alice (not an administrator; ftum -admin alice makes them one)\n');
  t.ok(await canLogIn('alice', 'alice-pw-1'), 'alice can log in with her password');
  const again = await runTool(FTUM, [...ADMIN, '-addu', 'alice', 'x']);
  t.equal(again.code, 1, 'an existing name: exit 1');
  t.equal(again.stderr, 'ftum: a user called "alice" already exists\n');
  t.equal(again.stdout, '');

  const json = await runTool(FTUM, [...ADMIN, '-ulist', '-j']);
  ok(t, json, '-ulist -j');
  const api = await apiUsers();
  const expected = [...api]
    .sort((a, b) => (a.username < b.username ? -1 : 1))
    .map((u) => ({ username: u.username, admin: u.admin, created: u.created / 1000, last_login: u.last_login === null ? null : u.last_login / 1000 }));
  const listed = JSON.parse(json.stdout) as { username: string; last_login: number | null }[];
  // the run's own login moves admin's last_login: compare it apart
  t.same(listed.map((u) => ({ ...u, last_login: u.username === 'admin' ? 0 : u.last_login })), expected.map((u) => ({ ...u, last_login: u.username === 'admin' ? 0 : u.last_login })), 'the API\'s users, times in epoch seconds');
  t.same(listed.map((u) => u.username), ['admin', 'alice'], 'sorted by name');

  const csv = await runTool(FTUM, [...ADMIN, '-ulist', '-C'], { env: { TZ: 'UTC' } });
  const rows = parseCsv(csv.stdout);
  t.same(rows[0], ['username', 'admin', 'created', 'last_login']);
  t.same(rows.slice(1, 3).map((r) => r.slice(0, 2)), [['admin', 'true'], ['alice', 'false']]);
  const created = new Date(api.find((u) => u.username === 'alice')!.created);
  t.equal(rows[2]![2], `${String(created.getUTCMonth() + 1).padStart(2, '0')}/${String(created.getUTCDate()).padStart(2, '0')}/${created.getUTCFullYear()} ${created.toISOString().slice(11, 19)}.${String(created.getUTCMilliseconds()).padStart(3, '0')}000`, 'CSV times are local (TZ) with µs');
  t.match(csv.stdout, /\n# Total users: 2, administrators: 1\n$/, 'the summary line');
  const plain = await runTool(FTUM, [...ADMIN, '-ulist', '-c']);
  t.equal(parseCsv(plain.stdout).length, 2, '-c: no header, no summary');
  const table = await runTool(FTUM, [...ADMIN, '-ulist'], { env: { TZ: 'UTC' } });
  t.match(table.stdout, /^\+[-+]+\+\n\| User +\| Admin \| Created +\| Last login +\|\n/);
  t.match(table.stdout, `| alice | no    | ${rows[2]![2]} |`, 'the table\'s times are the CSV\'s: local, with µs');
  t.match(table.stdout, /\n2 users, 1 administrator; times are local \(TZ\)\n$/);

  ok(t, await runTool(FTUM, [...ADMIN, '-chpw', 'alice', 'alice-pw-2']), 'an administrator changes another user\'s password');
  t.notOk(await canLogIn('alice', 'alice-pw-1'), 'the old password no longer works');
  t.ok(await canLogIn('alice', 'alice-pw-2'), 'the new one does');

  const grant = await runTool(FTUM, [...ADMIN, '-admin', 'alice']);
  t.equal(grant.stdout, 'alice is an administrator\n');
  t.same((await apiUsers()).find((u) => u.username === 'alice')?.admin, true, 'the API agrees');
  ok(t, await runTool(FTUM, [...CONNECT, '-un', 'alice', '-up', 'alice-pw-2', '-ulist', '-c']), 'alice, now an administrator, lists the users');
  const revoke = await runTool(FTUM, [...ADMIN, '--revoke-admin', 'alice']);
  t.equal(revoke.stdout, 'alice is not an administrator\n');

  const last = await runTool(FTUM, [...ADMIN, '-noadmin', 'admin']);
  t.equal(last.code, 1, 'the last administrator keeps the rights: exit 1');
  t.match(last.stderr, /^ftum: admin is the last administrator and cannot lose the rights; make another user an administrator first\n$/);
  const lastDel = await runTool(FTUM, [...ADMIN, '-delu', 'admin']);
  t.equal(lastDel.code, 1, 'and cannot be deleted');
  t.match(lastDel.stderr, /cannot be removed/);
  const nobody = await runTool(FTUM, [...ADMIN, '-delu', 'nobody']);
  t.equal(nobody.code, 1, 'an unknown user: exit 1');
  t.equal(nobody.stderr, 'ftum: there is no user "nobody"\n');
});

t.test('ftum as an ordinary user: only their own password', async (t) => {
  ok(t, await runTool(FTUM, [...ADMIN, '-addu', 'bob', 'bob-pw-1']), 'bob added');
  const BOB = [...CONNECT, '-un', 'bob', '-up', 'bob-pw-1'];
  const forbidden: [string[], RegExp][] = [
    [['-ulist'], /^ftum: listing users needs an administrator; bob is not one\n$/],
    [['-addu', 'eve', 'x'], /adding a user needs an administrator/],
    [['-delu', 'alice'], /deleting a user needs an administrator/],
    [['-admin', 'bob'], /administrative rights/],
    [['-noadmin', 'admin'], /administrative rights/],
    [['-chpw', 'alice', 'x'], /changing another user's password needs an administrator; bob is not one/],
  ];
  for (const [action, message] of forbidden) {
    const r = await runTool(FTUM, [...BOB, ...action]);
    t.equal(r.code, 3, `${action[0]}: exit 3`);
    t.match(r.stderr, message);
    t.equal(r.stdout, '');
  }
  t.ok(await canLogIn('alice', 'alice-pw-2'), 'alice untouched');
  const own = await runTool(FTUM, [...BOB, '-chpw', 'bob', 'bob-pw-2']);
  ok(t, own, 'bob changes his own password');
  t.equal(own.stdout, 'changed the password of bob; their other logins and session keys no longer work\n');
  t.ok(await canLogIn('bob', 'bob-pw-2'));
  const old = await runTool(FTUM, [...BOB, '-chpw', 'bob', 'bob-pw-3']);
  t.equal(old.code, 3, 'the old password: exit 3');
  t.match(old.stderr, /^ftum: login failed for user bob at 127\.0\.0\.1:\d+: /);
});

t.test('ftum and session keys', async (t) => {
  const issued = await runTool(FTUM, [...CONNECT, '-un', 'alice', '-up', 'alice-pw-2', '-us']);
  ok(t, issued, 'ftum -un -up -us, no action');
  t.equal(issued.stdout, '', 'nothing on stdout');
  t.match(issued.stderr, /^[A-Za-z0-9_-]{20,}\n$/, 'the key alone on stderr');
  const key = issued.stderr.trim();
  const used = await runTool(FTSTAT, [...CONNECT, '-us', key, '-grp', 'IP', '-cnt', 'BYTES', '-c']);
  ok(t, used, 'the key logs ftstat in');
  const denied = await runTool(FTUM, [...CONNECT, '-us', key, '-ulist']);
  t.equal(denied.code, 3, 'the key carries alice\'s rights, not more');
  const adminKey = (await runTool(FTUM, [...ADMIN, '-us'])).stderr.trim();
  const list = await runTool(FTUM, [...CONNECT, '-us', adminKey, '-ulist', '-c']);
  ok(t, list, 'an administrator\'s key lists the users');
  t.ok(parseCsv(list.stdout).some((r) => r[0] === 'alice'));
  const self = await runTool(FTUM, [...CONNECT, '-un', 'alice', '-up', 'alice-pw-2', '-us', '-chpw', 'alice', 'x']);
  t.equal(self.code, 2, '-us with -chpw of one\'s own account: exit 2, nothing changed');
  t.ok(await canLogIn('alice', 'alice-pw-2'));
  ok(t, await runTool(FTUM, [...ADMIN, '-chpw', 'alice', 'alice-pw-3']), 'a password change');
  const revoked = await runTool(FTSTAT, [...CONNECT, '-us', key, '-grp', 'IP', '-cnt', 'BYTES', '-c']);
  t.equal(revoked.code, 3, 'revokes the user\'s session keys');
});

t.test('ftum asks for passwords on a terminal', async (t) => {
  const prompted = await runInTerminal(FTUM, [...ADMIN, '-addu', 'carol'], [
    [/New password for carol: $/, 'carol-pw\r'],
    [/Retype the new password for carol: $/, 'carol-pw\r'],
  ]);
  t.equal(prompted.code, 0, `exit 0 (${JSON.stringify(prompted.output)})`);
  t.notMatch(prompted.output, 'carol-pw', 'never echoed');
  t.match(prompted.output, 'added user carol');
  t.ok(await canLogIn('carol', 'carol-pw'), 'carol has the password typed');

  const both = await runInTerminal(FTUM, [...CONNECT, '-un', 'carol', '-chpw', 'carol'], [
    [/Password for carol@127\.0\.0\.1:\d+: $/, 'carol-pw\r'],
    [/New password for carol: $/, 'carol-pw-2\r'],
    [/Retype the new password for carol: $/, 'carol-pw-2\r'],
  ]);
  t.equal(both.code, 0, `the login password, then the new one twice (${JSON.stringify(both.output)})`);
  t.ok(await canLogIn('carol', 'carol-pw-2'));

  const mismatch = await runInTerminal(FTUM, [...ADMIN, '-chpw', 'carol'], [
    [/New password for carol: $/, 'one\r'],
    [/Retype the new password for carol: $/, 'two\r'],
  ]);
  t.equal(mismatch.code, 2, 'two different passwords: exit 2');
  t.match(mismatch.output, 'the two passwords typed for carol differ; nothing was changed');
  t.ok(await canLogIn('carol', 'carol-pw-2'), 'nothing changed');

  const cancelled = await runInTerminal(FTUM, [...ADMIN, '-addu', 'dave'], [[/New password for dave: $/, '\u0003']]);
  t.equal(cancelled.code, 130, 'Ctrl-C: 130');
  t.notOk((await apiUsers()).some((u) => u.username === 'dave'), 'no user added');
});

t.test('ftum usage errors and connection failures', async (t) => {
  const nobody = String(await freePort());
  const noPassword = await runTool(FTUM, ['-p', nobody, '-un', 'admin', '-up', 'x', '-addu', 'erin']);
  t.equal(noPassword.code, 2, 'a new password to ask for without a terminal: exit 2, before connecting');
  t.match(noPassword.stderr, /^ftum: no new password for erin: give it after the name \(-addu erin PASSWORD\)/);
  const badName = await runTool(FTUM, ['-p', nobody, '-un', 'admin', '-up', 'x', '-delu', 'bad/name']);
  t.equal(badName.code, 2);
  t.match(badName.stderr, /a user name has only letters/);
  const none = await runTool(FTUM, ['-un', 'admin', '-up', 'x']);
  t.equal(none.code, 2);
  t.match(none.stderr, /^ftum: an action is needed: /);
  const two = await runTool(FTUM, ['-ulist', '-admin', 'x']);
  t.equal(two.code, 2);
  const refused = await runTool(FTUM, ['-ulist', '-tn', '1h']);
  t.match(refused.stderr, /^ftum: -tn does not apply to ftum/);
  const connect = await runTool(FTUM, ['-s', '127.0.0.1', '-p', nobody, '-un', 'admin', '-up', 'x', '-ulist']);
  t.equal(connect.code, 4, 'nothing listening: exit 4');
  const wrong = await runTool(FTUM, [...CONNECT, '-un', 'admin', '-up', 'wrong', '-ulist']);
  t.equal(wrong.code, 3, 'a wrong password: exit 3');
  const help = await runTool(FTUM, ['--help']);
  t.match(help.stdout, /^ftum \d+\.\d+\.\d+ — manage the users of an ftserver/);
  t.match((await runTool(FTUM, ['--version'])).stdout, /^ftum \(opentraq\) \d+\.\d+\.\d+\n$/);
});

const now = Math.floor(Date.now() / 1000);
/** cli.md's fields of an alert, in order, written here from the API's answer. */
const FIELDS = ['version', 'id', 'earliest_utc', 'latest_utc', 'severity', 'alert_type', 'detector', 'target_ip', 'target_mask', 'proto', 'server_port', 'sources', 'total_sources', 'threshold_value', 'current_values', 'peak_values', 'average_values', 'message'];

async function post(token: string, alert: Record<string, unknown>): Promise<string> {
  const r = await apiRequest(target, 'POST', '/api/v1/alerts', { token, body: alert });
  if (r.status !== 201) throw new Error(`posting an alert: ${r.status} ${r.text}`);
  return (r.json as { id: string }).id;
}

t.test('ftnbi -alert', async (t) => {
  ok(t, await runTool(FTUM, [...ADMIN, '-addu', 'nbi', 'nbi-pw']), 'a user for a detector');
  const adminToken = await server.login();
  const nbiToken = await server.login('nbi', 'nbi-pw');
  const dos = await post(adminToken, {
    earliest_utc: now - 600,
    latest_utc: now - 60,
    severity: 'WARNING',
    alert_type: 'dos',
    detector: 'ftdos',
    target_ip: '192.0.2.7',
    proto: 6,
    server_port: 443,
    sources: ['198.51.100.1', '198.51.100.2'],
    total_sources: 5,
    threshold_value: 100,
    current_values: { new_conn: 273 },
    message: 'DOS behavior detected from source 198.51.100.1 to target 192.0.2.7: 273 connections initiated',
  });
  const old = await post(adminToken, {
    id: 'scan-old-1',
    earliest_utc: now - 7200,
    latest_utc: now - 6900,
    severity: 5,
    alert_type: 'scan_horizontal',
    detector: 'ftscan',
    sources: ['203.0.113.9'],
    message: 'host/horizontal SCAN detected from source 203.0.113.9: 1370 unique hosts scanned',
  });
  const mine = await post(nbiToken, {
    earliest_utc: now - 120,
    latest_utc: now - 5,
    severity: 3,
    alert_type: 'volume_high',
    detector: 'fttcv',
    target_ip: '2001:db8::1',
    peak_values: { bytes_in: 944856533 },
    average_values: { bytes_in: 152723952.99 },
    message: 'unusually HIGH volume for total bytes communicated by address 2001:db8::1',
  });
  const apiAlerts = async (token: string, params: string): Promise<Record<string, unknown>[]> =>
    ((await apiRequest(target, 'GET', `/api/v1/alerts?${params}`, { token })).json as { alerts: Record<string, unknown>[] }).alerts;
  const cliFields = (alerts: Record<string, unknown>[]) => alerts.map((a) => Object.fromEntries(FIELDS.map((f) => [f, a[f] ?? null])));

  const json = await runTool(FTNBI, [...ADMIN, '-alert', '-tn', '1h', '-j']);
  ok(t, json, 'ftnbi -alert -tn 1h -j');
  const got = JSON.parse(json.stdout) as Record<string, unknown>[];
  t.same(got, cliFields(await apiAlerts(adminToken, 'time_range=1h')), 'the API\'s alerts with exactly cli.md\'s fields');
  t.same(got.map((a) => a.id).sort(), [dos, old, mine].sort(), 'the administrator sees every alert recorded in the frame, also the one active long before');
  t.ok(got.every((a) => JSON.stringify(Object.keys(a)) === JSON.stringify(FIELDS)), 'every alert has the fields in cli.md\'s order');
  const d = got.find((a) => a.id === dos)!;
  t.same([d.severity, d.target_mask, d.current_values], [4, 32, { packets_in: null, packets_out: null, bytes_in: null, bytes_out: null, new_conn: 273 }], 'as recorded');
  t.notOk('posted_by' in d, 'the server\'s bookkeeping stays out');

  const own = await runTool(FTNBI, [...CONNECT, '-un', 'nbi', '-up', 'nbi-pw', '-alert', '-tn', '1h', '-j']);
  t.same((JSON.parse(own.stdout) as { id: string }[]).map((a) => a.id), [mine], 'a user sees the alerts they posted');

  const frame = ['-te', new Date((now - 7300) * 1000).toISOString(), '-tl', new Date((now - 6800) * 1000).toISOString()];
  const past = await runTool(FTNBI, [...ADMIN, '-alert', ...frame, '-j']);
  t.same((JSON.parse(past.stdout) as { id: string }[]).map((a) => a.id), [old], 'an absolute frame: the alert active then');
  const empty = await runTool(FTNBI, [...ADMIN, '-alert', '-te', '01/01/2020 00:00:00', '-tl', '01/01/2020 01:00:00', '-j']);
  ok(t, empty, 'no alerts');
  t.equal(empty.stdout, '[]\n');

  const one = await runTool(FTNBI, [...ADMIN, '-alert', '-tn', '1h', '-j', '-r', '1']);
  t.equal((JSON.parse(one.stdout) as unknown[]).length, 1, '-r 1');
  t.equal(one.stderr, 'ftnbi: 3 alerts match; -r 1 printed the first 1\n', 'and says how many match');

  const table = await runTool(FTNBI, [...ADMIN, '--alerts', '-tn', '1h'], { env: { TZ: 'UTC' } });
  ok(t, table, 'the table');
  const lines = table.stdout.split('\n');
  t.match(lines[1], /^\| Earliest +\| Latest +\| Severity \| Type +\| Detector \| Target +\| Sources \| ID +\| Message +\|$/);
  const earliest = new Date((now - 600) * 1000).toISOString();
  const localUtc = `${earliest.slice(5, 7)}/${earliest.slice(8, 10)}/${earliest.slice(0, 4)} ${earliest.slice(11, 19)}.000000`;
  t.ok(lines.some((l) => l.startsWith(`| ${localUtc} |`) && l.includes('| WARNING ') && l.includes('| 192.0.2.7 443/TCP |') && l.includes(`| ${dos} |`)), 'the DoS alert: local time, severity name, target with port');
  t.ok(lines.some((l) => l.includes('| ERR ') && l.includes('| 2001:db8::1 ') && l.includes('| volume_high ')));
  t.match(lines.at(-2), /^3 alerts active or recorded in -tn 1h; times are local \(TZ\)$/);
  const short = await runTool(FTNBI, [...ADMIN, '-alert', '-tn', '1h', '-r', '2']);
  t.match(short.stderr, /^ftnbi: 3 alerts match; the table shows the first 2: -r NUM shows more, -j prints them all\n$/);
});

t.test('ftnbi errors', async (t) => {
  const nobody = String(await freePort());
  const missing = await runTool(FTNBI, [...CONNECT, '-un', 'admin', '-up', 'x', '-tn', '1h']);
  t.equal(missing.code, 2);
  t.equal(missing.stderr, 'ftnbi: -alert is needed: ftnbi prints the alerts of the time frame (e.g. ftnbi -alert -tn 3m -j)\n');
  const csv = await runTool(FTNBI, ['-alert', '-C']);
  t.equal(csv.code, 2);
  t.match(csv.stderr, /^ftnbi: -C does not apply to ftnbi: .* use -j/);
  const time = await runTool(FTNBI, ['-p', nobody, '-un', 'a', '-up', 'x', '-alert', '-tn', '2d1w']);
  t.equal(time.code, 2, 'a bad time: exit 2 before connecting');
  const both = await runTool(FTNBI, ['-p', nobody, '-un', 'a', '-up', 'x', '-alert', '-tn', '1h', '-te', '01/01/2026 00:00']);
  t.equal(both.code, 2, '-tn with -te');
  const rows = await runTool(FTNBI, ['-p', nobody, '-un', 'a', '-up', 'x', '-alert', '-r', '0']);
  t.equal(rows.code, 2);
  t.match(rows.stderr, /-r '0' is not a number of alerts/);
  t.equal((await runTool(FTNBI, ['-s', '127.0.0.1', '-p', nobody, '-un', 'a', '-up', 'x', '-alert'])).code, 4, 'nothing listening: exit 4');
  t.equal((await runTool(FTNBI, [...CONNECT, '-un', 'admin', '-up', 'wrong', '-alert'])).code, 3, 'a wrong password: exit 3');
  const help = await runTool(FTNBI, ['--help']);
  t.match(help.stdout, /Examples:\n/);
});
