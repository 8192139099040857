// The FlowTraq-style command line and every reader behind it: words to parameters (and every error
// path of that), FLOWTRAQ_* defaults, server addresses, logins, time frames, filters, and the requests
// ftstat and ftsq build — all checked before any connection.
import t, { type Test } from 'tap';
import { parseCommandLine } from '../../src/common/parsecommandline.js';
import { readServerAddress } from '../../src/common/serveraddress.js';
import { readLoginPlan } from '../../src/common/loginplan.js';
import { epochParam, readTimeFrame } from '../../src/common/readtimeframe.js';
import { readSelection } from '../../src/common/readselection.js';
import { renderHelp } from '../../src/common/helptext.js';
import { UsageError, EXIT } from '../../src/common/clierror.js';
import { sharedOptions } from '../../src/common/sharedoptions.js';
import type { ToolSpec } from '../../src/common/toolspec.js';
import { FTSTAT } from '../../src/ftstat/ftstatspec.js';
import { readStatRequest } from '../../src/ftstat/readstatrequest.js';
import { FTSQ } from '../../src/ftsq/ftsqspec.js';
import { readSessionsRequest } from '../../src/ftsq/readsessionsrequest.js';
import { toolTimeZone, unknownTimeZone } from '../../src/common/timezoneparams.js';

/** The tools send their own zone (TZ) with every query: tz= below. */
const ZONE = 'America/Chicago';
process.env.TZ = ZONE;

/** The UsageError code and message `fn` throws (fails the test when it throws something else or nothing). */
function usage(t: Test, fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) {
      t.equal(e.exitCode, EXIT.USAGE, 'a usage error exits with 2');
      return { code: e.code, message: e.message };
    }
    throw e;
  }
  t.fail('no usage error was thrown');
  return { code: '', message: '' };
}

const LOGIN = ['-un', 'admin', '-up', 'pw'];

t.test('FlowTraq-style words', async (t) => {
  const p = parseCommandLine(['-un', 'alice', '-up', 'secret', '-tn', '-3m', '-grp', 'IP', '-cnt', 'BYTES', '-c'], FTSTAT);
  t.equal(p.value('un'), 'alice', '-un is one parameter, never -u -n');
  t.equal(p.value('tn'), '-3m', '-tn -3m takes the dash value');
  t.equal(p.flag('c'), true);
  t.equal(p.flag('C'), false, '-c and -C are different parameters');
  t.same(p.names(), ['un', 'up', 'tn', 'grp', 'cnt', 'c'], 'command-line order kept');

  const q = parseCommandLine(['-q', 'SRVPORT=22 && !(CLNIP=10.0.0.0/8) || PROTO=UDP'], FTSQ);
  t.equal(q.value('q'), 'SRVPORT=22 && !(CLNIP=10.0.0.0/8) || PROTO=UDP', 'a quoted filter is one value, untouched');
  t.equal(parseCommandLine(['-q', '-SRVPORT=22'], FTSQ).value('q'), '-SRVPORT=22', 'a value starting with a dash that is no parameter');

  const long = parseCommandLine(['--user', 'bob', '--last', '1h', '--filter', 'PORT=53', '--csv-header', '--rows', '7'], FTSQ);
  t.same([long.value('un'), long.value('tn'), long.value('q'), long.flag('C'), long.value('r')], ['bob', '1h', 'PORT=53', true, '7'], 'GNU long aliases');
  t.equal(long.spelling('tn'), '--last', 'the spelling used is remembered for messages');
  t.equal(parseCommandLine(['--tn', '2h'], FTSQ).value('tn'), '2h', '--tn works too');
  t.equal(parseCommandLine(['-tn=2h', '--user=carol'], FTSQ).value('un'), 'carol', 'NAME=VALUE');
  t.equal(parseCommandLine(['-up=-c'], FTSQ).value('up'), '-c', '-up=-c gives a value that looks like a parameter');

  const cnt = parseCommandLine(['-grp', 'IPPAIR', '-cnt', 'UNIQUE', 'PORTPROTO', '-r', '5'], FTSTAT);
  t.equal(cnt.value('cnt'), 'UNIQUE PORTPROTO', '-cnt UNIQUE X takes two words');
  t.equal(cnt.value('r'), '5');
  t.equal(parseCommandLine(['-cnt', 'unique', 'ip'], FTSTAT).value('cnt'), 'unique ip', 'case is left to the reader');
  t.equal(parseCommandLine(['-cnt', 'UNIQUE', '-r', '5'], FTSTAT).value('cnt'), 'UNIQUE', 'UNIQUE followed by a parameter stays alone');
  t.equal(parseCommandLine(['-cnt', 'BYTES'], FTSTAT).value('cnt'), 'BYTES');

  const bare = parseCommandLine(['-un', 'a', '-us', '-grp', 'IP'], FTSTAT);
  t.equal(bare.value('us'), '', '-us before a parameter has no value');
  t.equal(parseCommandLine(['-us'], FTSTAT).value('us'), '', '-us at the end has no value');
  t.equal(parseCommandLine(['-us', 'Ab-12_x', '-c'], FTSTAT).value('us'), 'Ab-12_x', '-us KEY');
  t.equal(parseCommandLine(['-us', '-Ab12', '-c'], FTSTAT).value('us'), '-Ab12', 'a key may start with a dash (base64url)');

  const two: ToolSpec = {
    ...FTSQ,
    name: 'fttest',
    options: [...sharedOptions('un'), { name: 'chpw', long: ['change-password'], kind: 'two-values', arg: 'USER PASS', example: 'bob n3w', group: 'Action', help: 'x' }],
    refuses: {},
  };
  t.same(parseCommandLine(['-chpw', 'bob', '-x1'], two).values('chpw'), ['bob', '-x1'], 'two values, the second may start with a dash');
  t.match(usage(t, () => parseCommandLine(['-chpw', 'bob'], two)), { code: 'MISSING_VALUE', message: /-chpw needs two values: USER PASS, e.g. -chpw bob n3w/ });
  t.match(usage(t, () => parseCommandLine(['-chpw', 'bob', '-un', 'x'], two)).message, /found the parameter -un instead/);

  t.ok(parseCommandLine(['-grp', 'IP', '--help', '-nonsense'], FTSTAT).help, '--help anywhere wins');
  t.ok(parseCommandLine(['-h'], FTSTAT).help);
  t.ok(parseCommandLine(['--version'], FTSQ).version);
});

t.test('every error of the words themselves', async (t) => {
  t.match(usage(t, () => parseCommandLine(['-u', '-n'], FTSQ)), { code: 'UNKNOWN_OPTION', message: "unknown parameter '-u' (did you mean -un, -up or -us?); 'ftsq --help' lists the parameters" });
  t.match(usage(t, () => parseCommandLine(['-grpp', 'IP'], FTSTAT)).message, /unknown parameter '-grpp' \(did you mean -grp\?\)/);
  t.match(usage(t, () => parseCommandLine(['--lst', '1h'], FTSQ)).message, /did you mean --last\?/);
  t.match(usage(t, () => parseCommandLine(['-zzzzzz'], FTSQ)).message, /^unknown parameter '-zzzzzz'; 'ftsq --help'/, 'no suggestion when nothing is close');

  t.match(usage(t, () => parseCommandLine(['-snd'], FTSQ)), { code: 'NOT_APPLICABLE', message: /^-snd does not apply to ftsq: ftsq returns raw sessions/ });
  t.match(usage(t, () => parseCommandLine(['--received'], FTSQ)).message, /^--received does not apply to ftsq/, 'refused under its long name too');
  t.match(usage(t, () => parseCommandLine(['-w', '10'], FTSQ)).message, /ftstat -w/);
  t.match(usage(t, () => parseCommandLine(['-g', 'x.png'], FTSQ)).message, /charts are drawn by ftstat -g/);
  t.match(usage(t, () => parseCommandLine(['-grp', 'IP'], FTSQ)).message, /use ftstat -grp/);

  t.match(usage(t, () => parseCommandLine(['-tn'], FTSQ)), { code: 'MISSING_VALUE', message: '-tn needs a value: RELTIME, e.g. -tn 1h30m' });
  t.match(usage(t, () => parseCommandLine(['-tn', '-c'], FTSQ)), {
    code: 'VALUE_IS_OPTION',
    message: "-tn needs a value (RELTIME, e.g. -tn 1h30m) but is followed by the parameter -c; if '-c' is meant as the value, write -tn=-c",
  });
  t.match(usage(t, () => parseCommandLine(['-q', '--json'], FTSQ)).code, 'VALUE_IS_OPTION', 'a long parameter name too');
  t.match(usage(t, () => parseCommandLine(['-un', '-snd'], FTSQ)).code, 'VALUE_IS_OPTION', 'a refused parameter is still a parameter, not a value');

  t.match(usage(t, () => parseCommandLine(['-c=yes'], FTSQ)), { code: 'FLAG_WITH_VALUE', message: "-c takes no value (got '-c=yes'); write -c alone" });
  t.match(usage(t, () => parseCommandLine(['--csv=false'], FTSQ)).code, 'FLAG_WITH_VALUE');
  t.match(usage(t, () => parseCommandLine(['-c', 'true'], FTSQ)), { code: 'UNEXPECTED_ARGUMENT', message: "unexpected argument 'true' after -c, which takes no value" });

  t.match(usage(t, () => parseCommandLine(['-tn', '1h', '-tn', '2h'], FTSQ)), { code: 'REPEATED_OPTION', message: '-tn is given twice: give it once' });
  t.match(usage(t, () => parseCommandLine(['-tn', '1h', '--last', '2h'], FTSQ)).message, '-tn is given twice (as -tn and --last): give it once');
  const secret = usage(t, () => parseCommandLine(['-up', 'hunter2', '-up', 'hunter3'], FTSQ));
  t.notMatch(secret.message, /hunter/, 'a repeated password is not echoed');

  t.match(usage(t, () => parseCommandLine(['-q', 'SRVPORT=80', '&&', 'PROTO=TCP'], FTSQ)), {
    code: 'UNEXPECTED_ARGUMENT',
    message: `unexpected argument '&&' after -q 'SRVPORT=80': -q takes one value; quote a value that has spaces as one shell word, e.g. -q "SRVPORT=80 && PROTO=TCP"`,
  });
  const pw = usage(t, () => parseCommandLine(['-up', 'top', 'secret'], FTSQ));
  t.notMatch(pw.message, /'top'/, 'the password before a stray word is not echoed');
  t.match(usage(t, () => parseCommandLine(['IP'], FTSTAT)).message, "unexpected argument 'IP': parameters start with a dash ('ftstat --help' lists them)");
  t.match(usage(t, () => parseCommandLine(['-3m'], FTSQ)).code, 'UNEXPECTED_ARGUMENT', 'a dash and a digit is not a parameter');
  t.match(usage(t, () => parseCommandLine(['--', '-c'], FTSQ)).message, /unexpected '--'/);
  t.match(usage(t, () => parseCommandLine(['-cnt', 'BYTES', 'IP'], FTSTAT)).code, 'UNEXPECTED_ARGUMENT', 'only UNIQUE takes a second word');
});

t.test('rules between parameters', async (t) => {
  t.match(usage(t, () => parseCommandLine(['-c', '-j'], FTSQ)), { code: 'CONFLICT', message: /^-c and -j cannot be combined: pick one output format/ });
  t.match(usage(t, () => parseCommandLine(['-C', '--json', '-c'], FTSTAT)).message, /^-c, -C and --json cannot be combined/);
  t.match(usage(t, () => parseCommandLine(['-snd', '-rcv'], FTSTAT)), { code: 'CONFLICT', message: /^-snd and -rcv cannot be combined/ });
  t.match(usage(t, () => parseCommandLine(['-ei', '3'], FTSQ)), { code: 'MISPLACED', message: /^-ei needs -e as well: an interface index means something only on one exporter/ });
  t.match(usage(t, () => parseCommandLine(['-ei', '3', '-e', '192.0.2.1'], FTSQ)), { code: 'MISPLACED', message: /^-e must come before -ei/ });
  t.match(usage(t, () => parseCommandLine(['-ef', 'nf9', '-e', '192.0.2.1'], FTSQ)).message, /^-e must come before -ef/);
  t.ok(parseCommandLine(['-e', '192.0.2.1', '-ei', '3', '-ef', 'nf9'], FTSQ).has('ei'), 'the right order is fine');
  t.ok(parseCommandLine(['-ef', 'sf5'], FTSQ).has('ef'), '-ef alone selects a format across exporters');
  t.match(usage(t, () => parseCommandLine(['-gx', '900'], FTSTAT)), { code: 'MISPLACED', message: /^-gx needs -g as well/ });
  t.match(usage(t, () => parseCommandLine(['-gy', '900'], FTSTAT)).message, /^-gy needs -g/);
});

t.test('the server address: -s, -p, FLOWTRAQ_SERVER, FLOWTRAQ_PORT', async (t) => {
  const addr = (argv: string[], env: Record<string, string> = {}) => readServerAddress(parseCommandLine(argv, FTSQ), env);
  t.match(addr([]), { host: 'localhost', port: 9640, tls: false, origin: 'http://localhost:9640', display: 'localhost:9640' }, 'defaults');
  t.match(addr(['-s', '[fed9::1]', '-p', '19640']), { host: 'fed9::1', port: 19640, origin: 'http://[fed9::1]:19640', display: '[fed9::1]:19640' }, 'IPv6 in brackets');
  t.match(addr(['-s', '::1']), { host: '::1', origin: 'http://[::1]:9640' }, 'bare IPv6');
  t.match(addr(['-s', '192.0.2.7']), { host: '192.0.2.7' });
  t.match(addr(['-s', 'https://flows.example.net:8443']), { host: 'flows.example.net', port: 8443, tls: true, origin: 'https://flows.example.net:8443' });
  t.match(addr(['-s', 'https://[2001:db8::5]/']), { host: '2001:db8::5', port: 9640, tls: true });
  t.match(addr([], { FLOWTRAQ_SERVER: 'envhost', FLOWTRAQ_PORT: '1234' }), { host: 'envhost', port: 1234 }, 'environment defaults');
  t.match(addr(['-s', 'cli', '-p', '99'], { FLOWTRAQ_SERVER: 'envhost', FLOWTRAQ_PORT: '1234' }), { host: 'cli', port: 99 }, 'parameters win over the environment');
  t.match(addr([], { FLOWTRAQ_SERVER: '', FLOWTRAQ_PORT: '' }), { host: 'localhost', port: 9640 }, 'empty variables count as unset');

  t.match(usage(t, () => addr(['-p', '0'])).message, "-p '0' is not a port: give a whole number from 1 to 65535");
  t.match(usage(t, () => addr(['-p', '70000'])).code, 'BAD_VALUE');
  t.match(usage(t, () => addr(['-p', '12ab'])).code, 'BAD_VALUE');
  t.match(usage(t, () => addr([], { FLOWTRAQ_PORT: 'x' })).message, /^FLOWTRAQ_PORT 'x' is not a port/, 'a bad variable is named');
  t.match(usage(t, () => addr(['-s', 'host:9640'])).message, "-s 'host:9640': give the port with -p (e.g. -s host -p 9640)");
  t.match(usage(t, () => addr(['-s', '[10.0.0.1]'])).message, /in brackets is not an IPv6 address/);
  t.match(usage(t, () => addr(['-s', 'fed9::zz'])).message, /is not an IPv6 address/);
  t.match(usage(t, () => addr(['-s', '300.1.1.1'])).message, /is not an IPv4 address/);
  t.match(usage(t, () => addr(['-s', 'bad_host!'])).message, /is not a hostname or address/);
  t.match(usage(t, () => addr(['-s', 'http://h/path'])).message, /without a path/);
  t.match(usage(t, () => addr(['-s', 'https://h:99', '-p', '98'])).code, 'CONFLICT');
});

t.test('the login: -un/-up/-us and FLOWTRAQ_USERNAME/FLOWTRAQ_PASSWORD', async (t) => {
  const plan = (argv: string[], env: Record<string, string> = {}) => readLoginPlan(parseCommandLine(argv, FTSTAT), env);
  t.same(plan(['-un', 'alice', '-up', 'pw']), { kind: 'password', username: 'alice', password: 'pw', wantSessionKey: false });
  t.same(plan(['-un', 'alice']), { kind: 'password', username: 'alice', password: undefined, wantSessionKey: false }, 'no password: ask for it');
  t.same(plan(['-un', 'alice', '-up', 'pw', '-us']), { kind: 'password', username: 'alice', password: 'pw', wantSessionKey: true }, '-us alone asks for a key');
  t.same(plan(['-us', 'KEY123']), { kind: 'session-key', key: 'KEY123' });
  t.same(plan(['-us', 'KEY123'], { FLOWTRAQ_USERNAME: 'env', FLOWTRAQ_PASSWORD: 'envpw' }), { kind: 'session-key', key: 'KEY123' }, 'a key wins over the environment');
  t.same(plan([], { FLOWTRAQ_USERNAME: 'env', FLOWTRAQ_PASSWORD: 'envpw' }), { kind: 'password', username: 'env', password: 'envpw', wantSessionKey: false });
  t.same(plan(['-un', 'env'], { FLOWTRAQ_USERNAME: 'env', FLOWTRAQ_PASSWORD: 'envpw' }), { kind: 'password', username: 'env', password: 'envpw', wantSessionKey: false }, 'the same user named twice');
  t.match(plan(['-un', 'other'], { FLOWTRAQ_USERNAME: 'env', FLOWTRAQ_PASSWORD: 'envpw' }), { username: 'other', password: undefined }, "another user's password from the environment is not tried");
  t.match(plan(['-un', 'solo'], { FLOWTRAQ_PASSWORD: 'envpw' }), { username: 'solo', password: 'envpw' }, 'FLOWTRAQ_PASSWORD alone goes with -un');
  t.match(plan(['-un', 'a', '-up', 'cli'], { FLOWTRAQ_PASSWORD: 'envpw' }), { password: 'cli' }, '-up wins');

  t.match(usage(t, () => plan([])), { code: 'MISSING_OPTION', message: /^a login is needed: give -un USER/ });
  t.match(usage(t, () => plan(['-up', 'pw'])).code, 'MISSING_OPTION', 'a password without a user');
  t.match(usage(t, () => plan(['-un', 'a', '-us', 'KEY'])), { code: 'CONFLICT', message: /^-us KEY cannot be combined with -un: log in either with a session key or with a user name and password/ });
  t.match(usage(t, () => plan(['-un='])).message, /-un is empty/);
});

t.test('time frames are checked here, with time.md messages', async (t) => {
  const frame = (argv: string[]) => readTimeFrame(parseCommandLine(argv, FTSQ), 1_800_000_000_000_000);
  t.same(frame([]).params, { time_range: '15m' }, 'default 15m');
  t.same(frame(['-tn', '-3m']).params, { time_range: '3m' }, 'a leading dash is accepted and dropped');
  t.same(frame(['-tn', '1w2d']).params, { time_range: '1w2d' });
  t.equal(frame(['-tn', '1h']).frame.toUs - frame(['-tn', '1h']).frame.fromUs, 3_600_000_000);
  const abs = frame(['-te', '2012-10-15T16:20:00Z', '-tl', '2012-10-15T16:20:01.5Z']);
  t.same(abs.params, { after_time: '1350318000', before_time: '1350318001.500000' }, 'absolute frames go as epoch seconds with µs');
  t.equal(epochParam(1_350_318_000_000_001), '1350318000.000001');
  t.match(usage(t, () => frame(['-tn', '2d1w'])), { code: 'BAD_TIME', message: /^-tn '2d1w': the terms are out of order; give larger units first, e.g. 1w2d/ });
  t.match(usage(t, () => frame(['-tn', '5x'])).code, 'BAD_TIME');
  t.match(usage(t, () => frame(['-tn', '1h', '-te', '10/15/2012'])).message, /^-tn cannot be combined with -te/);
  t.match(usage(t, () => frame(['-te', '10/15/2012'])).message, /needs -tl END as well/);
  t.match(usage(t, () => frame(['-tl', '10/15/2012'])).message, /needs -te START as well/);
  t.match(usage(t, () => frame(['-te', '13/01/2012', '-tl', '10/15/2012'])).message, /month 13/);
  t.match(usage(t, () => frame(['-te', '10/16/2012', '-tl', '10/15/2012'])).message, /is after -tl/);
});

t.test('filters and exporters are checked here', async (t) => {
  const sel = (argv: string[]) => readSelection(parseCommandLine(argv, FTSQ), 'ftsq');
  t.same(sel([]).params, {});
  t.same(sel(['-q', '  ']).params, {}, 'a blank filter selects everything');
  t.same(sel(['-q', 'SRVPORT=22']).params, { query: 'SRVPORT=22' });
  t.same(sel(['-e', '192.0.2.1', '-ei', '007']).params, { exporter: '192.0.2.1', ifindex: '7' });
  t.same(sel(['-e', '[2001:db8::1]']).params, { exporter: '2001:db8::1' }, 'bracketed IPv6 exporter');
  t.same(sel(['-q', 'PORT=53', '-ef', 'NF9']).params, { query: '(PORT=53) && EXPV=9' }, '-ef becomes an EXPV term AND-ed to the filter');
  t.same(sel(['-ef', 'nsel']).params, { query: 'EXPV=9 && ASAEVT>0' });
  t.same(sel(['-ef', 'sf5']).params, { query: 'EXPV=21' });
  t.ok(sel(['-q', 'PORT=53', '-ef', 'ipfix']).filter !== undefined, 'the combined filter parses');

  const bad = usage(t, () => sel(['-q', 'SRCIP=10.0.0.1 && PROTO=TCP']));
  t.equal(bad.code, 'BAD_FILTER');
  t.equal(bad.message, "bad filter: unknown field 'SRCIP' (did you mean CLNIP or SRVIP?)\n  SRCIP=10.0.0.1 && PROTO=TCP\n  ^^^^^", 'filter.md\'s caret message');
  t.match(usage(t, () => sel(['-q', 'SRVIP>1.2.3.4'])).message, /^bad filter: SRVIP does not take '>'.*\n  SRVIP>1\.2\.3\.4\n {7}\^$/);
  t.match(usage(t, () => sel(['-q', '(PORT=1'])).code, 'BAD_FILTER');
  t.match(usage(t, () => sel(['-e', 'router1'])).message, /^-e 'router1' is not an exporter address/);
  t.match(usage(t, () => sel(['-e', '192.0.2.1', '-ei', 'x'])).message, /^-ei 'x' is not an interface index: give a whole number from 0 to 4294967295/);
  t.match(usage(t, () => sel(['-e', '192.0.2.1', '-ei', '4294967296'])).code, 'BAD_VALUE');
  t.match(usage(t, () => sel(['-ef', 'nf8'])).message, "-ef 'nf8' is not an export format: use one of nf1 nf5 nf7 nf9 ipfix nsel sf2 sf4 sf5");
});

t.test('ftstat requests', async (t) => {
  const req = (argv: string[], env: Record<string, string> = {}) => readStatRequest(parseCommandLine([...LOGIN, ...argv], FTSTAT), env, 'ftstat');
  const r = req(['-grp', 'ip', '-cnt', 'bytes', '-snd', '-r', '25', '-tn', '1w', '-q', 'PROTO=TCP', '-e', '192.0.2.1', '-ei', '2']);
  t.same(r.params, { group_by: 'IP', count_by: 'BYTES', direction: 'snd', time_range: '1w', tz: ZONE, exporter: '192.0.2.1', ifindex: '2', query: 'PROTO=TCP', rows: '25', format: 'json' });
  t.equal(r.output, 'table');
  t.same(req(['-grp', 'IPPAIR', '-cnt', 'UNIQUE', 'portproto', '-c']).params, { group_by: 'IPPAIR', count_by: 'UNIQUE', unique: 'PORTPROTO', time_range: '15m', tz: ZONE, rows: '128', format: 'csv' }, 'default 128 rows');
  t.match(req(['-grp', 'COUNTRY', '-cnt', 'SESSIONS', '-rcv', '-w', '24', '-C']).params, { direction: 'rcv', slices: '24', format: 'csv', header: '1' });
  t.equal(req(['-grp', 'IP', '-cnt', 'BITS', '-j']).output, 'json');

  t.match(usage(t, () => req(['-cnt', 'BYTES'])), { code: 'MISSING_OPTION', message: /^-grp ENTITY is needed: what to rank, one of IP IPPAIR PORTPROTO/ });
  t.match(usage(t, () => req(['-grp', 'IP'])).message, /^-cnt COUNT is needed/);
  t.match(usage(t, () => req(['-grp', 'HOST', '-cnt', 'BYTES'])).message, /^-grp 'HOST' is not an entity: use one of IP IPPAIR/);
  t.match(usage(t, () => req(['-grp', 'IPPAIRS', '-cnt', 'BYTES'])).message, /did you mean IPPAIR/);
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTE'])).message, /^-cnt 'BYTE' is not a count \(did you mean BYTES\?\)/);
  t.equal(usage(t, () => req(['-grp', 'IP', '-cnt', 'UNIQUE'])).message, '-cnt UNIQUE needs an entity: one of IP PORTPROTO QOS TCPFLAGS IF COUNTRY VLAN ASN MAC', "cli.md's example message");
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'UNIQUE', 'IPPAIR'])).message, /-cnt UNIQUE IPPAIR is not possible/);
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'UNIQUE', 'HOSTS'])).message, /^-cnt UNIQUE 'HOSTS' is not an entity/);
  t.match(usage(t, () => req(['-grp', 'PORTPROTO', '-cnt', 'BYTES', '-snd'])).message, /^-snd does not apply to -grp PORTPROTO: sent\/received only means something for entities on one side/);
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTES', '-r', '0'])).message, "-r '0' is not a number of rows: give a whole number from 1 to 100000000");
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTES', '-r', '1e3'])).code, 'BAD_VALUE');
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTES', '-w', '10001'])).message, /^-w '10001' is not a number of time slices/);
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTES', '-w', '60', '-te', '2026-01-01T00:00:00Z', '-tl', '2026-01-01T00:00:00.00005Z'])).message, '-w 60: the frame is only 50 µs long, so it has at most 50 slices');
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTES', '-g', 'chart.jpg'])).message, /must end in \.png, \.tga or \.svg/);
  t.match(usage(t, () => req(['-grp', 'IP', '-cnt', 'BYTES', '-g', 'c.png', '-gx', '50'])).message, /^-gx '50' is not a chart width/);
  t.match(req(['-grp', 'IP', '-cnt', 'BYTES', '-g', 'c.SVG', '-gy', '500']).chart, { file: 'c.SVG', format: 'svg', width: 800, height: 500 });

  // what to ask is checked before who asks
  const noLogin = (argv: string[]) => readStatRequest(parseCommandLine(argv, FTSTAT), {}, 'ftstat');
  t.equal(usage(t, () => noLogin(['-grp', 'IP', '-cnt', 'BYTES', '-q', 'BAD=1'])).code, 'BAD_FILTER', 'a bad filter is reported before the missing login');
  t.equal(usage(t, () => noLogin(['-grp', 'IP', '-cnt', 'BYTES'])).code, 'MISSING_OPTION');
});

t.test('ftsq requests', async (t) => {
  const req = (argv: string[]) => readSessionsRequest(parseCommandLine([...LOGIN, ...argv], FTSQ), {}, 'ftsq');
  const table = req(['-tn', '1h']);
  t.equal(table.output, 'table');
  t.equal(table.limit, 128, 'the table shows 128 by default');
  t.same(table.params, {
    time_range: '1h',
    tz: ZONE,
    rows: '129',
    format: 'ndjson',
    fields: 'START,END,CLNIP,CLNPORT,SRVIP,SRVPORT,PROTO,CLNPKTS,SRVPKTS,CLNBYTS,SRVBYTS,FLAGS',
  }, 'one more than shown, the readable columns');
  t.same(req(['-c']).params, { time_range: '15m', tz: ZONE, format: 'csv' }, 'CSV is unlimited by default; times in the tool\'s zone');
  t.equal(req(['-c']).limit, undefined);
  t.same(req(['-C', '-r', '10']).params, { time_range: '15m', tz: ZONE, rows: '10', format: 'csv', header: '1' });
  t.same(req(['-j', '-q', 'SRVPORT=80 && !(CLNIP=123.45.67.0/24)']).params, { time_range: '15m', tz: ZONE, query: 'SRVPORT=80 && !(CLNIP=123.45.67.0/24)', format: 'ndjson' });
  t.equal(req(['-r', '5']).params.rows, '6');
  t.match(usage(t, () => req(['-r', '-1'])).code, 'BAD_VALUE');
});

t.test("the tool's time zone, as the server's tz= takes it", async (t) => {
  const saved = process.env.TZ;
  try {
    for (const [tz, want, unknown] of [
      ['Asia/Tokyo', 'Asia/Tokyo', undefined],
      ['UTC', 'UTC', undefined],
      ['utc', 'UTC', undefined],
      ['Europe/Amsterdam', 'Europe/Amsterdam', undefined],
      [':Europe/Berlin', 'Europe/Berlin', undefined],
      ['', 'UTC', undefined],
      ['Bogus/Zone', 'UTC', 'Bogus/Zone'],
      ['CET-1CEST,M3.5.0,M10.5.0/3', 'UTC', 'CET-1CEST,M3.5.0,M10.5.0/3'],
    ] as const) {
      process.env.TZ = tz;
      t.equal(toolTimeZone(), want, `TZ=${JSON.stringify(tz)}: tz=${want}`);
      t.equal(unknownTimeZone({ TZ: tz }), unknown, `TZ=${JSON.stringify(tz)}: ${unknown === undefined ? 'a zone Node uses' : 'unknown, Node keeps time in UTC'}`);
      if (unknown !== undefined) t.equal(new Date(Date.UTC(2026, 6, 1)).getTimezoneOffset(), 0, `TZ=${tz}: Node's local time is indeed UTC`);
    }
  } finally {
    process.env.TZ = saved;
  }
  t.equal(toolTimeZone(), ZONE);
  t.equal(unknownTimeZone({}), undefined, 'TZ unset: the system\'s zone');
});

t.test('help shows every parameter, its aliases and real examples', async (t) => {
  for (const spec of [FTSTAT, FTSQ]) {
    const help = renderHelp(spec, '9.9.9');
    t.match(help, new RegExp(`^${spec.name} 9\\.9\\.9 — `), `${spec.name}: name and version first`);
    for (const def of spec.options) {
      t.match(help, `-${def.name}`, `${spec.name} --help lists -${def.name}`);
      for (const l of def.long) t.match(help, `--${l}`, `... and --${l}`);
    }
    for (const ex of spec.examples) t.match(help, ex.command, `${spec.name}: example ${ex.comment}`);
    t.match(help, /Exit codes: 0 success .* 4 cannot connect/s);
    t.ok(help.split('\n').every((l) => l.length <= 140), 'no runaway lines');
  }
  t.match(renderHelp(FTSTAT, '1'), /\$FLOWTRAQ_SERVER/, 'environment variables are named');
  t.notMatch(renderHelp(FTSQ, '1'), /-snd/, 'ftsq does not offer what it refuses');
  const rows = (help: string): string => /-r, --rows NUM\s+(.*?\))\n(?! {10})/s.exec(help)![1]!.replace(/\s+/g, ' ');
  t.equal(rows(renderHelp(FTSQ, '1')), 'sessions to print (default 128 for the table; every session with -c, -C or -j)', 'ftsq -r: the default of each output');
  t.equal(rows(renderHelp(FTSTAT, '1')), 'rows to print (default 128)', 'ftstat -r: 128 whatever the output');
});
