import t, { type Test } from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  CONFIG_PROBLEMS,
  CONFIG_SECTIONS,
  CONFIG_SETTINGS,
  ConfigError,
  configFromFlags,
  configValue,
  defaultServerConfig,
  diffConfig,
  findConfigSetting,
  formatServerConfig,
  mergeConfig,
  parseServerConfig,
  renderConfigDoc,
  type ConfigProblemCode,
  type ConfigSetting,
  type ServerConfig,
} from '../../src/config/index.js';
import { formatIp, parseIp } from '../../src/fields/ipcodec.js';

/** The example file of spec/server.md §4, verbatim. */
const SPEC_EXAMPLE = `# ftserver.conf
querythreads 3
logfile ftserver.log
debuglevel MEDIUM            # ALWAYS CRITICAL HIGH MEDIUM LOW
listenport 9640
ip2cfile                     # empty: the bundled IP-to-country/ASN data
servicesfile                 # empty: /etc/services, else the bundled list
maxclientlatency 60
<sessiontables>
conntracksize 447248
memcachesize 2687159
timeout 7200
toolong 28800
</sessiontables>
<netflow>
netflowport 2055 9666 9996
ipfixtcpport
ignoreoldnetflows no
</netflow>
<sflow>
sflowport 6343
</sflow>
<storage>
storageinterval 5
databasepath ./data/SESSIONDB
segmentcount 927
segmentsize 92635
computecrc yes
</storage>
<userdata>
userdatapath ./data/USERDATA
maxsessionkeyage 0           # seconds; 0 disables session keys
</userdata>
<tls>
cert                         # PEM paths; when both are set the API is HTTPS only
key
</tls>
`;

/** The defaults as spec/server.md documents them (§1, §2, §3, §4), written out by hand. */
const SPEC_DEFAULTS: ServerConfig = {
  querythreads: 3,
  logfile: 'ftserver.log',
  debuglevel: 'MEDIUM',
  listenport: 9640,
  apiaddress: [],
  ip2cfile: '',
  servicesfile: '',
  maxclientlatency: 60,
  sessiontables: { conntracksize: 447248, memcachesize: 2687159, timeout: 7200, toolong: 28800 },
  netflow: { netflowport: [2055, 9666, 9996], ipfixtcpport: [], ignoreoldnetflows: false, listenaddress: [], samplingrate: new Map() },
  sflow: { sflowport: [6343] },
  storage: { storageinterval: 5, databasepath: './data/SESSIONDB', segmentcount: 927, segmentsize: 92635, computecrc: true },
  userdata: { userdatapath: './data/USERDATA', maxsessionkeyage: 0 },
  tls: { cert: '', key: '' },
};

/** Runs fn, which must throw a ConfigError, and returns it. */
function configError(t: Test, fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    t.type(e, ConfigError);
    return e as ConfigError;
  }
  t.fail('expected a ConfigError');
  throw new Error('no ConfigError');
}

/** The line of the key in fileWith's text. */
const KEY_LINE = 3;

/** A file holding `key value` in the setting's section, on line KEY_LINE. */
function fileWith(s: ConfigSetting, text: string, extra = ''): string {
  const line = text === '' ? s.key : `${s.key} ${text}`;
  const body = s.section === undefined ? `${line}\n` : `<${s.section}>\n${line}\n</${s.section}>\n`;
  return s.section === undefined ? `# test\n# file\n${body}${extra}` : `# test\n${body}${extra}`;
}

/** Independently written samples per kind of value: valid texts with the value they mean, invalid texts with their code. */
function samples(s: ConfigSetting): { valid: [string, unknown][]; invalid: [string, ConfigProblemCode][] } {
  const ty = s.type;
  const emptyExpected: unknown =
    s.empty === undefined ? s.default : ty.kind === 'ports' || ty.kind === 'addresses' ? [] : ty.kind === 'rates' ? new Map() : '';
  const valid: [string, unknown][] = [['', emptyExpected]];
  const invalid: [string, ConfigProblemCode][] = [];
  switch (ty.kind) {
    case 'int':
    case 'seconds':
      valid.push([String(ty.min), ty.min], [String(ty.max), ty.max], [`0${ty.min + 1}`, ty.min + 1]);
      invalid.push(['abc', 'BAD_VALUE'], ['1.5', 'BAD_VALUE'], ['-1', 'BAD_VALUE'], ['3 4', 'BAD_VALUE'], [String(ty.max + 1), 'OUT_OF_RANGE'], ['1e3', 'BAD_VALUE']);
      if (ty.min > 0) invalid.push([String(ty.min - 1), 'OUT_OF_RANGE']);
      break;
    case 'port':
      valid.push(['1', 1], ['65535', 65535], ['40001', 40001]);
      invalid.push(['0', 'OUT_OF_RANGE'], ['65536', 'OUT_OF_RANGE'], ['http', 'BAD_VALUE'], ['40001 40002', 'BAD_VALUE']);
      break;
    case 'ports': {
      const many = Array.from({ length: ty.max }, (_, i) => 40001 + i);
      valid.push(['40001', [40001]], [many.join(' '), many], ['40001,40002', [40001, 40002]], ['40001 ,\t40002', [40001, 40002]]);
      invalid.push(
        [[...many, 40100].join(' '), 'TOO_MANY_VALUES'],
        ['0', 'OUT_OF_RANGE'],
        ['40001 65536', 'OUT_OF_RANGE'],
        ['40001 x', 'BAD_VALUE'],
        ['40001 40001', 'DUPLICATE_VALUE'],
        ['-5', 'BAD_VALUE'],
      );
      break;
    }
    case 'bool':
      for (const w of ['yes', 'YES', 'true', 'On', '1']) valid.push([w, true]);
      for (const w of ['no', 'No', 'false', 'OFF', '0']) valid.push([w, false]);
      invalid.push(['maybe', 'BAD_VALUE'], ['yes no', 'BAD_VALUE'], ['2', 'BAD_VALUE']);
      break;
    case 'enum':
      for (const v of ty.values) valid.push([v, v], [v.toLowerCase(), v]);
      invalid.push(['VERBOSE', 'BAD_VALUE'], [`${ty.values[0]} ${ty.values[1]}`, 'BAD_VALUE']);
      break;
    case 'path':
      valid.push(['/var/lib/x', '/var/lib/x'], ['/Library/Application Support/flowtraq', '/Library/Application Support/flowtraq'], ['a#b', 'a#b']);
      valid.push(['"/tmp/with #hash "', '/tmp/with #hash ']);
      invalid.push(['/a"b', 'BAD_VALUE'], ['"/unterminated', 'BAD_SYNTAX'], ['\u0001x', 'BAD_VALUE']);
      break;
    case 'paths':
      valid.push(['/a.mmdb', '/a.mmdb'], ['/a.mmdb   /b.csv', '/a.mmdb /b.csv']);
      invalid.push(['/a"b', 'BAD_VALUE']);
      break;
    case 'addresses': {
      const many = Array.from({ length: ty.max }, (_, i) => `127.0.0.${i + 1}`);
      valid.push(['[::1]', ['::1']], [many.join(','), many]);
      if (ty.max >= 2) valid.push(['127.0.0.1 ::1', ['127.0.0.1', '::1']]);
      invalid.push(['localhost', 'BAD_VALUE'], ['1.2.3.4.5', 'BAD_VALUE'], [[...many, '::1'].join(' '), 'TOO_MANY_VALUES'], ['::1 ::1', 'DUPLICATE_VALUE']);
      break;
    }
    case 'rates':
      valid.push(
        ['192.0.2.1=100 2001:db8::1=1000', new Map([['192.0.2.1', 100], ['2001:db8::1', 1000]])],
        ['2001:DB8:0:0::1=7', new Map([['2001:db8::1', 7]])],
        ['::ffff:192.0.2.9=4294967295', new Map([['192.0.2.9', 4294967295]])],
      );
      invalid.push(
        ['192.0.2.1', 'BAD_VALUE'],
        ['foo=10', 'BAD_VALUE'],
        ['192.0.2.1=0', 'OUT_OF_RANGE'],
        ['192.0.2.1=4294967296', 'OUT_OF_RANGE'],
        ['192.0.2.1=x', 'BAD_VALUE'],
        ['192.0.2.1=5 192.0.2.1=6', 'DUPLICATE_VALUE'],
      );
      break;
  }
  return { valid, invalid };
}

/** Settings that are only valid together with another (TLS needs both files). */
function partner(s: ConfigSetting, text: string): string {
  if (text === '') return '';
  if (s.path === 'tls.cert') return '<tls>\nkey /k.pem\n</tls>\n';
  if (s.path === 'tls.key') return '<tls>\ncert /c.pem\n</tls>\n';
  return '';
}

t.test('the example file of server.md parses to the documented defaults', async (t) => {
  const { config, warnings } = parseServerConfig(SPEC_EXAMPLE, 'ftserver.conf');
  t.same(config, SPEC_DEFAULTS);
  t.same(warnings, []);
  t.same(defaultServerConfig(), SPEC_DEFAULTS, 'an empty file gives the same');
  t.same(parseServerConfig('', 'empty.conf').config, SPEC_DEFAULTS);
});

t.test('every key named by server.md is a setting', async (t) => {
  const spec = [
    'querythreads', 'logfile', 'debuglevel', 'listenport', 'ip2cfile', 'servicesfile', 'maxclientlatency',
    'sessiontables.conntracksize', 'sessiontables.memcachesize', 'sessiontables.timeout', 'sessiontables.toolong',
    'netflow.netflowport', 'netflow.ipfixtcpport', 'netflow.ignoreoldnetflows', 'sflow.sflowport',
    'storage.storageinterval', 'storage.databasepath', 'storage.segmentcount', 'storage.segmentsize', 'storage.computecrc',
    'userdata.userdatapath', 'userdata.maxsessionkeyage', 'tls.cert', 'tls.key',
  ];
  for (const p of spec) t.ok(findConfigSetting(p), p);
  const extensions = CONFIG_SETTINGS.filter((s) => !spec.includes(s.path)).map((s) => s.path);
  t.same(extensions, ['apiaddress', 'netflow.listenaddress', 'netflow.samplingrate'], 'the only additions');
  for (const p of extensions) t.ok(findConfigSetting(p)!.extension, `${p} is marked as an extension`);
  // server.md names the two paths; the tracker size, sampling overrides and the enrichment and
  // services files are built into the running pipeline and are kept until a restart too (docs/server.md)
  t.same(CONFIG_SETTINGS.filter((s) => !s.reloadable).map((s) => s.path), [
    'ip2cfile',
    'servicesfile',
    'sessiontables.conntracksize',
    'netflow.samplingrate',
    'storage.databasepath',
    'userdata.userdatapath',
  ]);
});

t.test('the settings table is consistent', async (t) => {
  const flags = CONFIG_SETTINGS.map((s) => s.flag);
  t.equal(new Set(flags).size, flags.length, 'flags are unique');
  t.equal(new Set(CONFIG_SETTINGS.map((s) => s.path)).size, CONFIG_SETTINGS.length, 'paths are unique');
  for (const s of CONFIG_SETTINGS) {
    t.match(s.flag, /^--[a-z][a-z0-9]*$/, `${s.path} flag`);
    t.not(s.flag, '--config');
    t.notOk(s.flag.startsWith('--no-'), `${s.flag} does not look like a negation`);
    t.equal(s.path, s.section === undefined ? s.key : `${s.section}.${s.key}`);
    if (['ports', 'addresses', 'rates'].includes(s.type.kind)) t.ok(s.empty, `${s.path}: a list says what empty means`);
    if (s.empty !== undefined) t.ok(['ports', 'addresses', 'rates', 'path', 'paths'].includes(s.type.kind), `${s.path}: only lists and paths can be empty`);
    t.ok(s.doc.length > 10, `${s.path} documented`);
  }
  for (const sec of CONFIG_SECTIONS) t.ok(CONFIG_SETTINGS.some((s) => s.section === sec), `<${sec}> has settings`);
});

t.test('every setting: valid values parse, from the file and from the command line', async (t) => {
  for (const s of CONFIG_SETTINGS) {
    for (const [text, expected] of samples(s).valid) {
      const label = `${s.path} '${text}'`;
      const { config, warnings } = parseServerConfig(fileWith(s, text, partner(s, text)), 't.conf');
      t.same(configValue(config, s.path), expected, `${label} from the file`);
      t.same(warnings, [], `${label}: no warnings`);
      if (text.startsWith('"')) continue;
      const other = partner(s, text) === '' ? [] : [s.path === 'tls.cert' ? '--tlskey=/k.pem' : '--tlscert=/c.pem'];
      const forms = s.type.kind === 'bool' ? [[`${s.flag}=${text}`]] : [[`${s.flag}=${text}`], [s.flag, text]];
      for (const form of forms) {
        const flags = configFromFlags([...form, ...other]);
        t.same(flags.positionals, [], `${label}: ${JSON.stringify(form)} takes its value`);
        t.same(configValue(mergeConfig(defaultServerConfig(), flags), s.path), expected, `${label} from ${JSON.stringify(form)}`);
      }
    }
  }
});

t.test('every setting: invalid values are errors with line, key, value and what is expected', async (t) => {
  for (const s of CONFIG_SETTINGS) {
    for (const [text, code] of samples(s).invalid) {
      const label = `${s.path} '${text}'`;
      const e = configError(t, () => parseServerConfig(fileWith(s, text), 'x/ftserver.conf'));
      t.equal(e.code, code, `${label}: code`);
      t.equal(e.line, KEY_LINE, `${label}: line`);
      t.equal(e.key, s.path, `${label}: key`);
      t.equal(e.file, 'x/ftserver.conf');
      t.equal(e.problems.length, 1, `${label}: one problem`);
      t.ok(e.message.startsWith(`x/ftserver.conf:${KEY_LINE}: ${s.path} '${text}': `), `${label}: message ${e.message}`);
      if (code === 'BAD_SYNTAX') continue;
      const f = configError(t, () => configFromFlags([`${s.flag}=${text}`]));
      t.equal(f.code, code, `${label} as ${s.flag}: code`);
      t.equal(f.flag, s.flag);
      t.ok(f.message.startsWith(`${s.flag} '${text}': `), f.message);
    }
  }
});

t.test('the message of a bad value reads as documented', async (t) => {
  const text = Array.from({ length: 11 }, () => '# filler').join('\n') + '\n<sessiontables>\ntimeout abc\n</sessiontables>\n';
  const e = configError(t, () => parseServerConfig(text, 'ftserver.conf'));
  t.equal(e.message, "ftserver.conf:13: sessiontables.timeout 'abc': expected a whole number of seconds ≥ 0");
  const q = configError(t, () => parseServerConfig('querythreads 25\n', 'a.conf'));
  t.equal(q.message, "a.conf:1: querythreads '25': expected a whole number from 1 to 20");
  t.equal(q.problems[0]!.value, '25');
  const d = configError(t, () => parseServerConfig('debuglevel VERBOSE\n', 'a.conf'));
  t.equal(d.message, "a.conf:1: debuglevel 'VERBOSE': expected one of ALWAYS CRITICAL HIGH MEDIUM LOW");
  const p = configError(t, () => parseServerConfig('<netflow>\nnetflowport 1 2 3 4 5 6 7 8 9\n</netflow>\n', 'a.conf'));
  t.equal(p.message, "a.conf:2: netflow.netflowport '1 2 3 4 5 6 7 8 9': 9 ports given, at most 8 are allowed");
});

t.test('a FlowTraq flowtraq.conf is accepted as it is, with warnings', async (t) => {
  // The "typical flowtraq.conf" of the FlowTraq manual, with the other keys the manual documents.
  const flowtraq = [
    '# Automatically generated configuration file', // 1
    '# Copyright (c) 2004-2011 by Process Query Systems LLC', // 2
    'querythreads 3', // 3
    'logfile flowtraq.log', // 4
    'ip2cfile ip2c.db', // 5
    'alertslogfile alerts.log', // 6
    '<sessiontables>', // 7
    'conntracksize 447248', // 8
    'memcachesize 2687159', // 9
    'resizable yes', // 10
    '</sessiontables>', // 11
    '<netflow>', // 12
    'netflowport 2055 9666 9996 9997', // 13
    'ignoreoldnetflows yes', // 14
    '</netflow>', // 15
    '<sflow>', // 16
    'sflowport 6343', // 17
    '</sflow>', // 18
    '<storage>', // 19
    'storageinterval 5', // 20
    'databasepath /Library/Application Support/flowtraq/SESSIONDB', // 21
    'segmentcount 927', // 22
    'segmentsize 92635', // 23
    'computecrc no', // 24
    '</storage>', // 25
    '<mail>', // 26
    'server smtp.example.com', // 27
    'port 25', // 28
    'from flowtraq-alerts@example.com', // 29
    '</mail>', // 30
    'user myusername', // 31
    'license ABCD-EFGH', // 32
    'debuglevel ALWAYS', // 33
    'Listenport 9641', // 34
    '<userdata>', // 35
    'maxsessionkeyage 120', // 36
    '</userdata>', // 37
    'guiversion 3.2', // 38
  ].join('\r\n');
  const { config, warnings } = parseServerConfig(flowtraq, 'flowtraq.conf');
  t.same(config.netflow.netflowport, [2055, 9666, 9996, 9997]);
  t.equal(config.storage.databasepath, '/Library/Application Support/flowtraq/SESSIONDB');
  t.equal(config.storage.computecrc, false);
  t.equal(config.netflow.ignoreoldnetflows, true);
  t.equal(config.debuglevel, 'ALWAYS');
  t.equal(config.listenport, 9641, 'keys are case-insensitive');
  t.equal(config.logfile, 'flowtraq.log');
  t.equal(config.ip2cfile, 'ip2c.db');
  t.equal(config.userdata.maxsessionkeyage, 120);
  t.same(
    warnings.map((w) => [w.code, w.line, w.key]),
    [
      ['FLOWTRAQ_KEY', 6, 'alertslogfile'],
      ['FLOWTRAQ_KEY', 10, 'sessiontables.resizable'],
      ['FLOWTRAQ_KEY', 27, 'mail.server'],
      ['FLOWTRAQ_KEY', 28, 'mail.port'],
      ['FLOWTRAQ_KEY', 29, 'mail.from'],
      ['FLOWTRAQ_KEY', 31, 'user'],
      ['FLOWTRAQ_KEY', 32, 'license'],
      ['UNKNOWN_KEY', 38, 'guiversion'],
    ],
  );
  t.match(warnings[0]!.message, /^flowtraq\.conf:6: alertslogfile is a FlowTraq setting that opentraq does not use \(.+\); ignored$/);
  t.equal(warnings[7]!.message, 'flowtraq.conf:38: unknown setting guiversion; ignored');
});

t.test('comments, blank lines, quotes and line ends', async (t) => {
  const text = '\uFEFF  # leading comment\n\n\tquerythreads\t4\t# tabs\r\nlogfile /var/log/a#b.log # the # inside stays\rdebuglevel low\n<Storage>\n  databasepath "/srv/db #1 " # quoted\n</STORAGE>\n';
  const { config } = parseServerConfig(text, 'c.conf');
  t.equal(config.querythreads, 4);
  t.equal(config.debuglevel, 'LOW');
  t.equal(config.logfile, '/var/log/a#b.log');
  t.equal(config.storage.databasepath, '/srv/db #1 ');
  const e = configError(t, () => parseServerConfig('querythreads 4\ndebuglevel low#\n', 'c.conf'));
  t.equal(e.line, 2, '`#` glued to a value is part of it');
  t.equal(e.code, 'BAD_VALUE');
  t.equal(parseServerConfig('ip2cfile\n', 'c.conf').config.ip2cfile, '', 'empty value');
  t.equal(parseServerConfig('ip2cfile # nothing\n', 'c.conf').config.ip2cfile, '', 'empty value before a comment');
  t.equal(parseServerConfig('querythreads\n', 'c.conf').config.querythreads, 3, 'empty value of a number is the default');
  t.equal(parseServerConfig('logfile\n', 'c.conf').config.logfile, '', 'empty logfile: standard error');
  t.equal(parseServerConfig('<storage>\ndatabasepath\n</storage>\n', 'c.conf').config.storage.databasepath, './data/SESSIONDB');
  t.same(parseServerConfig('<netflow>\nnetflowport\n</netflow>\n', 'c.conf').config.netflow.netflowport, [], 'empty port list: no listener');
  t.same(parseServerConfig('<netflow>\n</netflow>\n<netflow>\nignoreoldnetflows yes\n</netflow>\n', 'c.conf').config.netflow.ignoreoldnetflows, true, 'a section may repeat');
});

t.test('unknown keys and sections are warnings with their line; typos get a suggestion', async (t) => {
  const text = ['querythrads 4', '<sessiontables>', 'conntraksize 10', '</sessiontables>', '<netflows>', 'netflowport 2055', 'whatever 1', '</netflows>'].join('\n');
  const { config, warnings } = parseServerConfig(text, 'w.conf');
  t.equal(config.querythreads, 3);
  t.same(
    warnings.map((w) => w.message),
    [
      'w.conf:1: unknown setting querythrads (did you mean querythreads?); ignored',
      'w.conf:3: unknown setting sessiontables.conntraksize (did you mean conntracksize?); ignored',
      'w.conf:5: unknown section <netflows> (did you mean <netflow>?); its keys are ignored',
      'w.conf:6: unknown setting netflows.netflowport (netflowport belongs in <netflow> … </netflow>); ignored',
      'w.conf:7: unknown setting netflows.whatever; ignored',
    ],
  );
  t.same(warnings.map((w) => w.code), ['UNKNOWN_KEY', 'UNKNOWN_KEY', 'UNKNOWN_SECTION', 'UNKNOWN_KEY', 'UNKNOWN_KEY']);
});

t.test('a key given twice: the last wins, with a warning naming the first line', async (t) => {
  const { config, warnings } = parseServerConfig('querythreads 4\n# x\nquerythreads 5\n', 'd.conf');
  t.equal(config.querythreads, 5);
  t.same(warnings.map((w) => [w.code, w.line, w.key]), [['DUPLICATE_KEY', 3, 'querythreads']]);
  t.match(warnings[0]!.message, /first on line 1/);
});

t.test('section structure errors', async (t) => {
  const cases: [string, ConfigProblemCode, number, string][] = [
    ['<netflow>\nnetflowport 2055\n', 'UNCLOSED_SECTION', 1, '<netflow>'],
    ['</netflow>\n', 'UNEXPECTED_CLOSE', 1, '</netflow>'],
    ['<netflow>\n</sflow>\n', 'MISMATCHED_SECTION', 2, '</sflow>'],
    ['<netflow>\n</sflow>\n<sflow>\nsflowport 6000\n</sflow>\n', 'MISMATCHED_SECTION', 2, '</sflow>'],
    ['<netflow>\n<sflow>\n</sflow>\n</netflow>\n', 'NESTED_SECTION', 2, '<sflow>'],
    ['<net flow>\n', 'BAD_SECTION_TAG', 1, '<net flow>'],
    ['<netflow\n', 'BAD_SECTION_TAG', 1, '<netflow'],
    ['<netflow> netflowport 2055\n', 'BAD_SECTION_TAG', 1, '<netflow> netflowport 2055'],
  ];
  for (const [text, code, line, key] of cases) {
    const e = configError(t, () => parseServerConfig(text, 's.conf'));
    t.same(e.problems.map((p) => [p.code, p.line, p.key]), [[code, line, key]], JSON.stringify(text));
  }
});

t.test('a setting outside its section is an error saying where it belongs', async (t) => {
  const e = configError(t, () => parseServerConfig('netflowport 2055\n<storage>\nquerythreads 4\ntimeout 5\n</storage>\n', 'ws.conf'));
  t.same(e.problems.map((p) => [p.code, p.line, p.key]), [
    ['WRONG_SECTION', 1, 'netflowport'],
    ['WRONG_SECTION', 3, 'storage.querythreads'],
    ['WRONG_SECTION', 4, 'storage.timeout'],
  ]);
  t.equal(e.problems[0]!.message, 'ws.conf:1: netflowport belongs in <netflow> … </netflow>, not outside any section');
  t.equal(e.problems[1]!.message, 'ws.conf:3: querythreads belongs outside any section, not in <storage>');
  const kv = configError(t, () => parseServerConfig('querythreads=4\n', 'kv.conf'));
  t.equal(kv.code, 'BAD_SYNTAX');
  t.match(kv.message, /write 'querythreads VALUE'/);
});

t.test('listener ports: no port for two listeners of one protocol', async (t) => {
  const conflict = configError(t, () => parseServerConfig('<netflow>\nnetflowport 2055 4739\n</netflow>\n<sflow>\nsflowport 6343 2055\n</sflow>\n', 'p.conf'));
  t.same(conflict.problems.map((p) => [p.code, p.line, p.key]), [['PORT_CONFLICT', 5, 'sflow.sflowport']]);
  t.equal(conflict.message, "p.conf:5: sflow.sflowport '6343 2055': UDP port 2055 is also in netflow.netflowport (line 2); a port can have only one listener");
  const reversed = configError(t, () => parseServerConfig('<sflow>\nsflowport 2055\n</sflow>\n<netflow>\nnetflowport 2055\n</netflow>\n', 'p.conf'));
  t.same(reversed.problems.map((p) => [p.line, p.key]), [[5, 'netflow.netflowport']], 'reported at the later line');
  const defaultClash = configError(t, () => parseServerConfig('<sflow>\nsflowport 9996\n</sflow>\n', 'p.conf'));
  t.equal(defaultClash.problems[0]!.code, 'PORT_CONFLICT', 'a clash with a default port counts');
  t.equal(defaultClash.problems[0]!.line, 2);
  const tcp = configError(t, () => parseServerConfig('listenport 4739\n<netflow>\nipfixtcpport 4739\n</netflow>\n', 'p.conf'));
  t.same(tcp.problems.map((p) => [p.code, p.line, p.key]), [['PORT_CONFLICT', 3, 'netflow.ipfixtcpport']]);
  const ok = parseServerConfig('<netflow>\nnetflowport 4739\nipfixtcpport 4739\n</netflow>\n', 'p.conf');
  t.same(ok.config.netflow.ipfixtcpport, [4739], 'UDP and TCP may share a number');
  const bad = configError(t, () => parseServerConfig('<netflow>\nnetflowport 99999\n</netflow>\n<sflow>\nsflowport 2055\n</sflow>\n', 'p.conf'));
  t.same(bad.problems.map((p) => p.code), ['OUT_OF_RANGE'], 'no made-up conflict with a port list that was invalid');
});

t.test('TLS needs both the certificate and the key', async (t) => {
  const e = configError(t, () => parseServerConfig('<tls>\ncert /etc/ssl/c.pem\n</tls>\n', 't.conf'));
  t.same(e.problems.map((p) => [p.code, p.line, p.key]), [['TLS_INCOMPLETE', 2, 'tls.cert']]);
  const both = parseServerConfig('<tls>\ncert /c.pem\nkey /k.pem\n</tls>\n', 't.conf').config.tls;
  t.same(both, { cert: '/c.pem', key: '/k.pem' });
  const flag = configError(t, () => mergeConfig(defaultServerConfig(), configFromFlags(['--tlskey', '/k.pem'])));
  t.equal(flag.code, 'TLS_INCOMPLETE');
  t.equal(flag.flag, '--tlskey');
});

t.test('every error of a file is reported at once, in line order, with the warnings', async (t) => {
  const text = [
    'querythreads 0', // 1
    'bogus 1', // 2
    '<sessiontables>', // 3
    'timeout abc', // 4
    'toolong -5', // 5
    '</sessiontables>', // 6
    '<netflow>', // 7
    'netflowport 0 2055', // 8
    'samplingrate 192.0.2.1=0', // 9
    '</netflow>', // 10
    '<storage>', // 11
    'computecrc perhaps', // 12
  ].join('\n');
  const e = configError(t, () => parseServerConfig(text, 'many.conf'));
  t.same(e.problems.map((p) => [p.line, p.code]), [
    [1, 'OUT_OF_RANGE'],
    [4, 'BAD_VALUE'],
    [5, 'BAD_VALUE'],
    [8, 'OUT_OF_RANGE'],
    [9, 'OUT_OF_RANGE'],
    [11, 'UNCLOSED_SECTION'],
    [12, 'BAD_VALUE'],
  ]);
  t.equal(e.message.split('\n').length, 7, 'one message line per error');
  t.same(e.warnings.map((w) => [w.line, w.code]), [[2, 'UNKNOWN_KEY']]);
  t.equal(e.line, 1);
  t.equal(e.key, 'querythreads');
});

t.test('the command line', async (t) => {
  const f = configFromFlags(['-c', '/etc/ft.conf', 'backup', '--netflowport', '2055', '--yes', '/tmp/dest', '--', '--not-an-option'], { switches: ['--yes', '-h'] });
  t.equal(f.configFile, '/etc/ft.conf');
  t.same(f.positionals, ['backup', '/tmp/dest', '--not-an-option']);
  t.same([...f.switches], ['--yes']);
  t.same(f.settings, { netflow: { netflowport: [2055] } });
  t.equal(configFromFlags(['--config=/x.conf']).configFile, '/x.conf');
  t.equal(configFromFlags([]).configFile, undefined);

  const lists = configFromFlags(['--netflowport', '2055', '--netflowport=9996,9997', '--querythreads', '4', '--querythreads', '5']);
  t.same(lists.settings, { querythreads: 5, netflow: { netflowport: [2055, 9996, 9997] } }, 'lists add up, the last single value wins');

  const bools = (argv: string[]): unknown => (configFromFlags(argv).settings.storage ?? {}).computecrc;
  t.equal(bools(['--computecrc']), true);
  t.equal(bools(['--computecrc=no']), false);
  t.equal(bools(['--computecrc', 'no']), false);
  t.equal(bools(['--computecrc', 'off']), false);
  t.equal(bools(['--no-computecrc']), false);
  const rest = configFromFlags(['--computecrc', 'backup']);
  t.same(rest.positionals, ['backup'], 'a word that is not yes/no is not taken');
  t.equal(configFromFlags(['--logfile=-odd']).settings.logfile, '-odd');
  t.equal(configFromFlags(['--ip2cfile=']).settings.ip2cfile, '', 'an empty value');
  t.same(configFromFlags(['--sflowport', '']).settings.sflow, { sflowport: [] }, 'an empty list: no listener');
  t.same(configFromFlags(['--samplingrate', '2001:DB8::1=10']).settings.netflow?.samplingrate, new Map([['2001:db8::1', 10]]));
});

t.test('command-line errors: all at once, in order, with suggestions', async (t) => {
  const e = configError(t, () =>
    configFromFlags(['--timeout', '5', '--querythreads', 'x', '--netflowprt', '1', '-z', '--no-computecrc=yes', '--debuglevel', '--logfile']),
  );
  t.same(e.problems.map((p) => [p.code, p.flag]), [
    ['UNKNOWN_FLAG', '--timeout'],
    ['BAD_VALUE', '--querythreads'],
    ['UNKNOWN_FLAG', '--netflowprt'],
    ['UNKNOWN_FLAG', '-z'],
    ['BAD_VALUE', '--no-computecrc'],
    ['MISSING_VALUE', '--debuglevel'],
    ['MISSING_VALUE', '--logfile'],
  ]);
  t.equal(e.problems[0]!.message, '--timeout: unknown option (did you mean --sessiontimeout?)');
  t.equal(e.problems[1]!.message, "--querythreads 'x': expected a whole number from 1 to 20");
  t.equal(e.problems[2]!.message, '--netflowprt: unknown option (did you mean --netflowport?)');
  t.match(configError(t, () => configFromFlags(['--tls.cert', 'x'])).message, /did you mean --tlscert\?/);
  t.equal(configError(t, () => configFromFlags(['-c'])).code, 'MISSING_VALUE');
});

t.test('flags override the file', async (t) => {
  const file = parseServerConfig('querythreads 4\n<netflow>\nnetflowport 2055\n</netflow>\n<storage>\ndatabasepath /a\n</storage>\n', 'f.conf').config;
  const merged = mergeConfig(file, configFromFlags(['--netflowport', '2056', '--databasepath', '/b', '--sflowport', '']));
  t.equal(merged.querythreads, 4, 'not given: from the file');
  t.same(merged.netflow.netflowport, [2056]);
  t.equal(merged.storage.databasepath, '/b');
  t.same(merged.sflow.sflowport, []);
  t.same(file.netflow.netflowport, [2055], 'the file configuration is not changed');

  const clash = configError(t, () => mergeConfig(file, configFromFlags(['--sflowport', '2055'])));
  t.equal(clash.message, "--sflowport '2055': UDP port 2055 is also in netflow.netflowport; a port can have only one listener");

  const programmatic = configError(t, () => mergeConfig(file, { settings: { querythreads: 0, storage: { segmentsize: 1.5 } } }));
  t.same(programmatic.problems.map((p) => [p.code, p.key]), [['OUT_OF_RANGE', 'querythreads'], ['BAD_VALUE', 'storage.segmentsize']]);
  const normalised = mergeConfig(file, { settings: { netflow: { samplingrate: new Map([['2001:DB8:0::1', 10]]) } } });
  t.same(normalised.netflow.samplingrate, new Map([['2001:db8::1', 10]]), 'exporter addresses are canonical');
});

t.test('diffConfig: what a reload changes and what it keeps', async (t) => {
  const running = parseServerConfig('querythreads 3\n<netflow>\nnetflowport 2055 9996\n</netflow>\n', 'r.conf').config;
  const same = parseServerConfig('<netflow>\nnetflowport 9996 2055\n</netflow>\n', 'r.conf').config;
  const none = diffConfig(running, same);
  t.same([none.changed, none.kept, none.warnings], [[], [], []], 'reordered ports change nothing');
  t.equal(none.config, same);

  const next = parseServerConfig(
    'querythreads 6\n<netflow>\nnetflowport 2055\n</netflow>\n<storage>\ndatabasepath /new/db\n</storage>\n<userdata>\nuserdatapath /new/users\n</userdata>\n',
    'r.conf',
  ).config;
  const d = diffConfig(running, next);
  t.same(d.changed.map((c) => [c.setting.path, c.before, c.after]), [
    ['querythreads', 3, 6],
    ['netflow.netflowport', [2055, 9996], [2055]],
  ]);
  t.same(d.kept.map((c) => [c.setting.path, c.before, c.after]), [
    ['storage.databasepath', './data/SESSIONDB', '/new/db'],
    ['userdata.userdatapath', './data/USERDATA', '/new/users'],
  ]);
  t.equal(d.config.storage.databasepath, './data/SESSIONDB', 'kept at the running value');
  t.equal(d.config.userdata.userdatapath, './data/USERDATA');
  t.equal(d.config.querythreads, 6, 'the rest takes effect');
  t.same(d.config.netflow.netflowport, [2055]);
  t.same(d.warnings.map((w) => [w.code, w.key]), [['NOT_RELOADABLE', 'storage.databasepath'], ['NOT_RELOADABLE', 'userdata.userdatapath']]);
  t.equal(d.warnings[0]!.message, "storage.databasepath cannot change while ftserver runs: keeping './data/SESSIONDB'; restart ftserver to use '/new/db'");
  t.equal(next.storage.databasepath, '/new/db', 'the new configuration itself is not changed');

  const rates = diffConfig(running, mergeConfig(running, { settings: { netflow: { samplingrate: new Map([['192.0.2.1', 10]]) } } }));
  // sampling overrides are built into the running decoder: a reload reports them and keeps them
  t.same(rates.changed.map((c) => c.setting.path), []);
  t.same(rates.kept.map((c) => c.setting.path), ['netflow.samplingrate']);
  t.same(rates.config.netflow.samplingrate, running.netflow.samplingrate, 'the running overrides stay');
});

/** A random valid configuration, drawn from the settings table; listener ports come from disjoint ranges. */
function arbitraryConfig(): fc.Arbitrary<ServerConfig> {
  const portRange: Record<string, [number, number]> = {
    'netflow.netflowport': [1, 19999],
    'sflow.sflowport': [20000, 29999],
    listenport: [30000, 39999],
    'netflow.ipfixtcpport': [40000, 65535],
  };
  const pathChars = fc.constantFrom(...'abc/._- #é'.split(''));
  const token = fc.string({ unit: fc.constantFrom(...'ab/._#'.split('')), minLength: 1, maxLength: 6 });
  const ip = fc.oneof(fc.ipV4(), fc.ipV6()).map((a) => formatIp(...parseIp(a)!));
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const s of CONFIG_SETTINGS) {
    const ty = s.type;
    const [lo, hi] = portRange[s.path] ?? [1, 65535];
    switch (ty.kind) {
      case 'int':
      case 'seconds':
        parts[s.path] = fc.integer({ min: ty.min, max: ty.max });
        break;
      case 'port':
        parts[s.path] = fc.integer({ min: lo, max: hi });
        break;
      case 'ports':
        parts[s.path] = fc.uniqueArray(fc.integer({ min: lo, max: hi }), { maxLength: ty.max });
        break;
      case 'bool':
        parts[s.path] = fc.boolean();
        break;
      case 'enum':
        parts[s.path] = fc.constantFrom(...ty.values);
        break;
      case 'path':
        parts[s.path] = fc.string({ unit: pathChars, minLength: s.empty === undefined ? 1 : 0, maxLength: 12 });
        break;
      case 'paths':
        parts[s.path] = fc.array(token, { maxLength: 3 }).map((a) => a.join(' '));
        break;
      case 'addresses':
        parts[s.path] = fc.uniqueArray(ip, { maxLength: ty.max });
        break;
      case 'rates':
        parts[s.path] = fc.uniqueArray(fc.tuple(ip, fc.integer({ min: 1, max: 0xffffffff })), { selector: (x) => x[0], maxLength: 4 }).map((a) => new Map(a));
        break;
    }
  }
  return fc.record(parts).map((values) => {
    const config = JSON.parse(JSON.stringify(defaultServerConfig())) as Record<string, Record<string, unknown>>;
    for (const s of CONFIG_SETTINGS) {
      let v = values[s.path];
      if (s.path === 'tls.key') v = values['tls.cert'] === '' ? '' : `${String(values['tls.cert'])}.key`;
      if (s.section === undefined) (config as Record<string, unknown>)[s.key] = v;
      else config[s.section]![s.key] = v;
    }
    return config as unknown as ServerConfig;
  });
}

t.test('formatServerConfig writes what parseServerConfig reads back', async (t) => {
  fc.assert(
    fc.property(arbitraryConfig(), fc.boolean(), (config, comments) => {
      const text = formatServerConfig(config, { comments });
      const back = parseServerConfig(text, 'round.conf');
      t.same(back.config, config, text);
      t.same(back.warnings, []);
      return true;
    }),
    { numRuns: 150 },
  );
  const text = formatServerConfig(defaultServerConfig());
  t.match(text, /^querythreads 3\n/);
  t.match(text, /\n<netflow>\nnetflowport 2055 9666 9996\nipfixtcpport\n/);
});

t.test('every problem code is documented once', async (t) => {
  const codes = CONFIG_PROBLEMS.map((c) => c.code);
  t.equal(new Set(codes).size, codes.length);
});

t.test('docs/config.md is generated from the table and current', async (t) => {
  const path = new URL('../../../../docs/config.md', import.meta.url);
  t.equal(readFileSync(path, 'utf8'), renderConfigDoc(), 'run `npm run docs` to regenerate docs/config.md');
});
