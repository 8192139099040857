// ftum and ftnbi without a server: their command lines (actions, optional passwords, refused and
// conflicting parameters), the checks made before any login, the new-password prompt on a fake
// terminal, and their outputs (user list as table/CSV/JSON, alerts as cli.md's JSON and as a table).
import { PassThrough, Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { parseCommandLine } from '../src/common/parsecommandline.js';
import { renderHelp } from '../src/common/helptext.js';
import { Interrupted, UsageError } from '../src/common/clierror.js';
import { PLAIN_STYLE } from '../src/common/style.js';
import { FTUM } from '../src/ftum/ftumspec.js';
import { readUmRequest } from '../src/ftum/readumrequest.js';
import { askNewPassword, checkCanAskNewPassword } from '../src/ftum/asknewpassword.js';
import { renderUserList, userListProblem, type ListedUser } from '../src/ftum/userlist.js';
import { FTNBI } from '../src/ftnbi/ftnbispec.js';
import { alertListProblem, alertObject, renderAlertJson, type ListedAlert } from '../src/ftnbi/alertobjects.js';
import { renderAlertTable } from '../src/ftnbi/alerttable.js';

process.env.TZ = 'Europe/Berlin';

function usage(t: Test, fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return { code: e.code, message: e.message };
    throw e;
  }
  t.fail('no usage error was thrown');
  return { code: '', message: '' };
}

const um = (argv: string[], env: Record<string, string> = {}) => readUmRequest(parseCommandLine(argv, FTUM), env);
const LOGIN = ['-un', 'admin', '-up', 'pw'];

t.test('ftum: one action, its user, its password', async (t) => {
  t.same(um([...LOGIN, '-ulist']).action, { kind: 'list', output: 'table' });
  t.same(um([...LOGIN, '-ulist', '-C']).action, { kind: 'list', output: 'csv-header' });
  t.same(um([...LOGIN, '--list-users', '-j']).action, { kind: 'list', output: 'json' }, 'GNU long names');
  t.same(um([...LOGIN, '-addu', 'bob', 's3cret']).action, { kind: 'add', user: 'bob', password: 's3cret' });
  t.same(um(['-addu', 'bob', '-un', 'admin', '-up', 'pw']).action, { kind: 'add', user: 'bob', password: undefined }, 'the password may be left out: asked for');
  t.same(um([...LOGIN, '-chpw', 'alice']).action, { kind: 'chpw', user: 'alice', password: undefined }, 'at the end of the line too');
  t.same(um([...LOGIN, '-chpw', 'alice', '-n3w']).action, { kind: 'chpw', user: 'alice', password: '-n3w' }, 'a password may start with a dash');
  t.same(um([...LOGIN, '-chpw=alice', 'x']).action, { kind: 'chpw', user: 'alice', password: 'x' });
  t.same(um([...LOGIN, '-delu', 'bob']).action, { kind: 'delete', user: 'bob' });
  t.same(um([...LOGIN, '-admin', 'bob']).action, { kind: 'admin', user: 'bob', admin: true });
  t.same(um([...LOGIN, '-noadmin', 'bob@example.org']).action, { kind: 'admin', user: 'bob@example.org', admin: false });
  t.same(um(['-un', 'alice', '-up', 'pw', '-us']).action, { kind: 'key-only' }, 'no action with -us: a session key only');
  const key = um(['-us', 'KEY-123', '-ulist']);
  t.same(key.connection.login, { kind: 'session-key', key: 'KEY-123' }, 'an action with a session key');
  t.same(um(['-ulist'], { FLOWTRAQ_USERNAME: 'admin', FLOWTRAQ_PASSWORD: 'pw' }).connection.login, { kind: 'password', username: 'admin', password: 'pw', wantSessionKey: false });

  t.match(usage(t, () => um(LOGIN)), { code: 'MISSING_OPTION', message: /^an action is needed: -chpw USERNAME \[PASSWORD\], -addu/ });
  t.match(usage(t, () => um(['-us', 'KEY-1'])).code, 'MISSING_OPTION', 'a key alone does nothing');
  t.match(usage(t, () => um([...LOGIN, '-ulist', '-delu', 'bob'])), { code: 'CONFLICT', message: '-delu and -ulist cannot be combined: ftum does one action per run' });
  t.match(usage(t, () => um([...LOGIN, '-delu', 'bob', '-j'])), { code: 'MISPLACED', message: /^-j needs -ulist as well: only the user list/ });
  t.match(usage(t, () => um([...LOGIN, '-addu', 'b b', 'x'])), { code: 'BAD_VALUE', message: `-addu 'b b': a user name has only letters A-Z a-z, digits and . _ @ - (not " ")` });
  t.match(usage(t, () => um([...LOGIN, '-delu', 'x'.repeat(65)])).message, /has 65 characters; at most 64/);
  t.match(usage(t, () => um([...LOGIN, '-delu', ''])).message, /the user name is empty/);
  t.match(usage(t, () => um([...LOGIN, '-addu', 'bob', 'p'.repeat(1025)])).message, /-addu: the password is longer than 1024 characters/);
  t.match(usage(t, () => um([...LOGIN, '-addu'])), { code: 'MISSING_VALUE', message: /^-addu needs a value: USERNAME \[PASSWORD\]/ });
  t.match(usage(t, () => um(['-un', 'alice', '-up', 'pw', '-us', '-chpw', 'alice', 'new'])), { code: 'CONFLICT', message: /revokes that user's session keys, the one -us would print too/ });
  t.ok(um(['-un', 'admin', '-up', 'pw', '-us', '-chpw', 'alice', 'new']), 'a key for the administrator while changing another\'s password is fine');
  t.match(usage(t, () => um([...LOGIN, '-ulist', '-tn', '1h'])), { code: 'NOT_APPLICABLE', message: /^-tn does not apply to ftum: ftum manages users/ });
  t.match(usage(t, () => um([...LOGIN, '-ulist', '-q', 'PORT=1'])).code, 'NOT_APPLICABLE');
  t.match(usage(t, () => um([...LOGIN, '-ulist', '-r', '5'])).message, /ftum -ulist lists every user/);
  t.match(usage(t, () => um([...LOGIN, '-chpw', 'alice', 'secret', 'extra'])).message, /^unexpected argument 'extra' after -chpw: -chpw takes two words/, 'the password is not echoed');
  const help = renderHelp(FTUM, '0.1.0');
  t.match(help, /-chpw, --change-password USERNAME \[PASSWORD\]/);
  t.match(help, /Action:\n/);
  t.match(help, /KEY=\$\(ftum -un alice -us 2>&1 >\/dev\/null\)/, "cli.md's way to get a key, the password asked for on the terminal");
});

/** A fake terminal: a PassThrough that says it is a TTY and records raw mode. */
function fakeTty(): NodeJS.ReadStream & { modes: boolean[] } {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { modes: boolean[] };
  s.modes = [];
  Object.assign(s, { isTTY: true, isRaw: false });
  s.setRawMode = (mode: boolean) => {
    s.modes.push(mode);
    (s as { isRaw: boolean }).isRaw = mode;
    return s;
  };
  return s;
}

t.test('ftum: the new password, asked for twice without echo', async (t) => {
  let shown = '';
  const output = new Writable({
    write(c: Buffer, _e, cb) {
      shown += c.toString();
      cb();
    },
  });
  const typed = async (keys: string[]): Promise<string> => {
    const input = fakeTty();
    const p = askNewPassword('bob', { input, output });
    for (const k of keys) {
      await new Promise((r) => setImmediate(r));
      input.write(k);
    }
    return p;
  };
  t.equal(await typed(['n3w-pass\r', 'n3w-pass\r']), 'n3w-pass');
  t.equal(shown, 'New password for bob: \nRetype the new password for bob: \n', 'two prompts, nothing of the password');
  await t.rejects(typed(['one\r', 'two\r']), { code: 'BAD_VALUE', message: 'the two passwords typed for bob differ; nothing was changed' });
  await t.rejects(typed(['\r']), { code: 'BAD_VALUE', message: /is empty; nothing was changed/ });
  await t.rejects(typed(['ab\u0003']), Interrupted);
  t.throws(() => checkCanAskNewPassword('bob', '-addu', new PassThrough() as unknown as NodeJS.ReadStream), {
    code: 'NO_PASSWORD',
    message: 'no new password for bob: give it after the name (-addu bob PASSWORD), or run ftum on a terminal to be asked for it without echo (there is no terminal to ask on)',
  });
  t.doesNotThrow(() => checkCanAskNewPassword('bob', '-addu', fakeTty()));
});

const USERS: ListedUser[] = [
  { username: 'zoe', admin: false, created: Date.UTC(2026, 5, 1, 12, 0, 0, 250), last_login: null },
  { username: 'admin', admin: true, created: Date.UTC(2026, 0, 5, 9, 30, 0), last_login: Date.UTC(2026, 10, 24, 8, 1, 2, 3) },
];

t.test('ftum -ulist: table, CSV and JSON, sorted by name', async (t) => {
  t.equal(userListProblem({ users: USERS }), null);
  t.match(userListProblem({}), /no users array/);
  t.match(userListProblem({ users: [{ username: 'x' }] }), /lacks username, admin or created/);
  t.match(userListProblem({ users: [{ username: 'x', admin: true, created: 1, last_login: 'yesterday' }] }), /last_login of x/);
  // Berlin is UTC+1 in January and November, UTC+2 in June
  t.equal(
    renderUserList(USERS, 'csv-header', PLAIN_STYLE),
    'username,admin,created,last_login\n' +
      'admin,true,01/05/2026 10:30:00.000000,11/24/2026 09:01:02.003000\n' +
      'zoe,false,06/01/2026 14:00:00.250000,\n' +
      '# Total users: 2, administrators: 1\n',
  );
  t.equal(renderUserList(USERS, 'csv', PLAIN_STYLE), 'admin,true,01/05/2026 10:30:00.000000,11/24/2026 09:01:02.003000\nzoe,false,06/01/2026 14:00:00.250000,\n');
  t.same(JSON.parse(renderUserList(USERS, 'json', PLAIN_STYLE)), [
    { username: 'admin', admin: true, created: Date.UTC(2026, 0, 5, 9, 30, 0) / 1000, last_login: Date.UTC(2026, 10, 24, 8, 1, 2, 3) / 1000 },
    { username: 'zoe', admin: false, created: Date.UTC(2026, 5, 1, 12, 0, 0, 250) / 1000, last_login: null },
  ]);
  t.equal(renderUserList([], 'json', PLAIN_STYLE), '[]\n');
  const table = renderUserList(USERS, 'table', PLAIN_STYLE).split('\n');
  t.equal(table[1], '| User  | Admin | Created                    | Last login                 |');
  t.equal(table[3], '| admin | yes   | 01/05/2026 10:30:00.000000 | 11/24/2026 09:01:02.003000 |', 'times as cli.md prints every time, with µs');
  t.equal(table[4], '| zoe   | no    | 06/01/2026 14:00:00.250000 | never                      |');
  t.equal(table[6], '2 users, 1 administrator; times are local (TZ)');
  const one = renderUserList([USERS[1]!], 'table', PLAIN_STYLE).split('\n');
  t.equal(one[5], '1 user, 1 administrator; times are local (TZ)', 'one user: singular');
  t.equal(renderUserList([USERS[0]!], 'table', PLAIN_STYLE).split('\n')[5], '1 user, 0 administrators; times are local (TZ)');
});

const ftnbi = (argv: string[]) => parseCommandLine(argv, FTNBI);

const ALERT: ListedAlert = {
  version: 1,
  id: 'ftdos-0011223344556677',
  earliest_utc: 1795478400.5,
  latest_utc: 1795479000,
  severity: 4,
  alert_type: 'dos',
  detector: 'ftdos',
  target_ip: '192.0.2.7',
  target_mask: 32,
  proto: 6,
  server_port: 443,
  sources: ['198.51.100.1'],
  total_sources: 3,
  threshold_value: 100,
  current_values: { new_conn: 273, bytes_in: 1000, packets_in: null },
  peak_values: null,
  average_values: null,
  message: 'DOS behavior detected from source 198.51.100.1 to target 192.0.2.7 during 11/24/2026 00:00:00 to 11/24/2026 00:10:00: 273 connections initiated',
  posted_by: 'nbi',
  received_utc: 1795479001.2,
  updated_utc: 1795479001.2,
};

t.test('ftnbi: parameters', async (t) => {
  const p = ftnbi(['-alert', '-tn', '3m', '-j']);
  t.ok(p.flag('alert') && p.flag('j'));
  t.equal(p.value('tn'), '3m');
  t.match(usage(t, () => ftnbi(['-alert', '-c'])), { code: 'NOT_APPLICABLE', message: /^-c does not apply to ftnbi: alerts hold lists and nested values/ });
  t.match(usage(t, () => ftnbi(['-alert', '-q', 'PORT=1'])).message, /session filters do not apply/);
  t.match(usage(t, () => ftnbi(['-alert', '-grp', 'IP'])).code, 'NOT_APPLICABLE');
  t.match(usage(t, () => ftnbi(['-alrt'])).message, /unknown parameter '-alrt' \(did you mean -alert\?\)/);
  t.match(renderHelp(FTNBI, '0.1.0'), /ftnbi -un admin -alert -tn 3m -j/);
  t.match(renderHelp(FTNBI, '0.1.0').replace(/\s+/g, ' '), '-r, --rows NUM alerts to print (default 128 for the table; every alert with -j)', '--help: -r\'s default for each output');
});

t.test('ftnbi -j: exactly the fields of cli.md, in order', async (t) => {
  const o = alertObject(ALERT);
  t.same(Object.keys(o), [
    'version', 'id', 'earliest_utc', 'latest_utc', 'severity', 'alert_type', 'detector', 'target_ip', 'target_mask', 'proto', 'server_port',
    'sources', 'total_sources', 'threshold_value', 'current_values', 'peak_values', 'average_values', 'message',
  ], "cli.md's list; the server's posted_by, received_utc and updated_utc left out");
  t.same(o.current_values, { packets_in: null, packets_out: null, bytes_in: 1000, bytes_out: null, new_conn: 273 }, 'the measures in order, unmeasured ones null');
  t.equal(o.peak_values, null);
  const sparse = alertObject({ ...ALERT, threshold_value: undefined } as unknown as ListedAlert);
  t.equal(sparse.threshold_value, null, 'a field the server left out is null');
  t.equal(renderAlertJson([]), '[]\n');
  const text = renderAlertJson([ALERT, { ...ALERT, id: 'scan-1' }]);
  t.equal(text.split('\n').length, 5, 'one alert per line between the brackets');
  t.same((JSON.parse(text) as { id: string }[]).map((a) => a.id), ['ftdos-0011223344556677', 'scan-1']);
  t.equal(alertListProblem({ alerts: [ALERT], total: 1 }), null);
  t.match(alertListProblem({ alerts: [] }), /no total/);
  t.match(alertListProblem({ alerts: [{ id: 'x' }], total: 1 }), /lacks id, earliest_utc/);
  t.match(alertListProblem([]), /no alerts array/);
});

t.test('ftnbi: the table', async (t) => {
  const lines = renderAlertTable([ALERT, { ...ALERT, id: 'scan-1', target_ip: null, target_mask: null, proto: null, server_port: null, severity: 5, alert_type: 'scan_horizontal', detector: 'ftscan', message: 'short' }], PLAIN_STYLE).split('\n');
  t.match(lines[1], /^\| Earliest +\| Latest +\| Severity \| Type +\| Detector \| Target +\| Sources \| ID +\| Message +\|$/);
  // 00:00:00.5 UTC is 01:00:00.5 in Berlin
  t.match(lines[3], /^\| 11\/24\/2026 01:00:00\.500000 \| 11\/24\/2026 01:10:00\.000000 \| WARNING +\| dos +\| ftdos +\| 192\.0\.2\.7 443\/TCP \| +3 \| ftdos-0011223344556677 \| DOS behavior detected .*…/);
  t.match(lines[4], /^\| 11\/24\/2026 01:00:00\.500000 \| .* \| NOTICE +\| scan_horizontal \| ftscan +\| +\| +3 \| scan-1 +\| short +\|$/);
  t.ok(lines[3]!.length < 300, 'a long message is shortened in the table');
});
