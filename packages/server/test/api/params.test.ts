import t, { type Test } from 'tap';
import {
  OUTPUT_FIELDS,
  allocColumns,
  compileToJs,
  evaluateReference,
  parseIp,
  rowAt,
  setIpAt,
  type FilterNode,
} from '@opentraq/core';
import { ApiError, parseProgressParams, parseSessionsParams, parseStatParams } from '../../src/api/params/index.js';

// 2024-03-10 12:00:00 UTC, a whole second
const NOW = Date.UTC(2024, 2, 10, 12, 0, 0) * 1000;
const MIN = 60_000_000;

const q = (s: string): URLSearchParams => new URLSearchParams(s);

function apiError(t: Test, fn: () => unknown, want: { code: string; param: string; includes: readonly string[] }, name: string): ApiError | undefined {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ApiError)) {
      t.fail(`${name}: threw ${String(e)}, not an ApiError`);
      return undefined;
    }
    t.equal(e.status, 400, `${name}: status 400`);
    t.equal(e.code, want.code, `${name}: code`);
    t.equal(e.param, want.param, `${name}: param`);
    t.ok(e.message.includes(want.param), `${name}: the message names ${want.param}: ${e.message}`);
    for (const s of want.includes) t.ok(e.message.includes(s), `${name}: message has ${JSON.stringify(s)}: ${e.message}`);
    return e;
  }
  t.fail(`${name}: did not throw`);
  return undefined;
}

t.test('stat defaults: 15 minutes to now, 128 rows, JSON, no filter', async (t) => {
  process.env.TZ = 'UTC';
  const r = parseStatParams(q('group_by=IP&count_by=BYTES'), NOW);
  t.strictSame(r, { query: { entity: 'IP', count: 'BYTES', fromUs: NOW - 15 * MIN, toUs: NOW, rows: 128 }, format: 'json', header: false, progress: false });
});

t.test('stat parameters: names in any case, direction, unique, rows, slices, CSV with a header', async (t) => {
  process.env.TZ = 'UTC';
  const r = parseStatParams(q('group_by=ip&count_by=unique&unique=portproto&direction=SND&rows=25&slices=24&format=CSV&header=1&time_range=1h30m&auth_token=abc&_=123'), NOW);
  t.strictSame(r, {
    query: { entity: 'IP', count: 'UNIQUE', unique: 'PORTPROTO', direction: 'snd', fromUs: NOW - 90 * MIN, toUs: NOW, rows: 25, slices: 24 },
    format: 'csv',
    header: true,
    progress: false,
  });
  t.equal(parseStatParams(q('group_by=IP&count_by=BYTES&format=csv&header=0'), NOW).header, false);
  t.equal(parseStatParams(q('group_by=IP&count_by=BYTES&direction=none'), NOW).query.direction, 'none');
});

t.test('time_range counts calendar days back in the server time zone, like -tn', async (t) => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'America/New_York';
    // DST began on 2024-03-10 at 2:00 local: the day before noon local time has 23 hours
    const r = parseStatParams(q('group_by=IP&count_by=BYTES&time_range=1d'), NOW);
    t.equal(r.query.toUs - r.query.fromUs, 23 * 60 * MIN, 'one local day across spring-forward is 23 h');
    const h = parseStatParams(q('group_by=IP&count_by=BYTES&time_range=24h'), NOW);
    t.equal(h.query.toUs - h.query.fromUs, 24 * 60 * MIN, 'hours are exact durations');
    const dash = parseSessionsParams(q('time_range=-3m'), NOW);
    t.strictSame([dash.query.fromUs, dash.query.toUs], [NOW - 3 * MIN, NOW], 'a leading - is ignored');
  } finally {
    process.env.TZ = saved;
  }
});

t.test('after_time and before_time: UTC epoch seconds with up to six decimals, exactly', async (t) => {
  const r = parseSessionsParams(q('after_time=1700000000.5&before_time=1700000001.000001'), NOW);
  t.equal(r.query.fromUs, 1_700_000_000_500_000);
  t.equal(r.query.toUs, 1_700_000_001_000_001);
  const s = parseStatParams(q('group_by=IP&count_by=BYTES&after_time=0&before_time=1'), NOW);
  t.strictSame([s.query.fromUs, s.query.toUs], [0, 1_000_000]);
});

t.test('time frame errors', async (t) => {
  const stat = (s: string) => () => parseStatParams(q(`group_by=IP&count_by=BYTES&${s}`), NOW);
  apiError(t, stat('time_range=1h&after_time=1'), { code: 'CONFLICTING_PARAMS', param: 'time_range', includes: ['after_time', 'time_range=1h'] }, 'time_range + after_time');
  apiError(t, stat('time_range=1h&before_time=1'), { code: 'CONFLICTING_PARAMS', param: 'time_range', includes: ['before_time'] }, 'time_range + before_time');
  apiError(t, stat('after_time=1'), { code: 'MISSING_PARAM', param: 'before_time', includes: ['after_time needs before_time'] }, 'after without before');
  apiError(t, stat('before_time=1'), { code: 'MISSING_PARAM', param: 'after_time', includes: ['before_time needs after_time'] }, 'before without after');
  for (const bad of ['abc', '-5', '1.1234567', '1e9', '', ' 1', '1.']) {
    apiError(t, stat(`after_time=${encodeURIComponent(bad)}&before_time=2000000000`), { code: 'BAD_TIME', param: 'after_time', includes: ['UTC epoch seconds'] }, `after_time=${bad}`);
  }
  apiError(t, stat('after_time=5&before_time=5'), { code: 'BAD_TIME', param: 'after_time', includes: ['must be before before_time'] }, 'empty frame');
  apiError(t, stat('after_time=6&before_time=5'), { code: 'BAD_TIME', param: 'after_time', includes: ['must be before'] }, 'reversed frame');
  apiError(t, stat('after_time=1&before_time=9000000001'), { code: 'BAD_TIME', param: 'before_time', includes: ['too far in the future'] }, 'beyond the µs range');
  apiError(t, stat('time_range=2d1w'), { code: 'BAD_TIME', param: 'time_range', includes: ["'2d1w'", '1w2d'] }, 'terms out of order');
  apiError(t, stat('time_range=5x'), { code: 'BAD_TIME', param: 'time_range', includes: ['unknown unit'] }, 'unknown unit');
  apiError(t, stat('time_range='), { code: 'BAD_TIME', param: 'time_range', includes: ['expected a relative time'] }, 'empty time_range');
  apiError(t, stat('time_range=0m'), { code: 'BAD_TIME', param: 'time_range', includes: ['zero-length'] }, 'zero length');
});

t.test('a bad filter names the problem and carries a caret under it', async (t) => {
  const e = apiError(
    t,
    () => parseSessionsParams(q(`query=${encodeURIComponent('SRCIP=10.0.0.1 && PROTO=TCP')}`), NOW),
    { code: 'BAD_FILTER', param: 'query', includes: ["unknown field 'SRCIP'", 'CLNIP'] },
    'unknown field',
  );
  t.equal(e?.caret, "query: bad filter: unknown field 'SRCIP' (did you mean CLNIP or SRVIP?)\n  SRCIP=10.0.0.1 && PROTO=TCP\n  ^^^^^");
  t.equal(e?.message, e?.caret?.split('\n')[0], 'the message is the first line of the caret text');
  const e2 = apiError(
    t,
    () => parseStatParams(q(`group_by=IP&count_by=BYTES&query=${encodeURIComponent('SRVIP>1.2.3.4')}`), NOW),
    { code: 'BAD_FILTER', param: 'query', includes: ['SRVIP'] },
    'bad comparator',
  );
  t.equal(e2?.caret?.split('\n')[2], '       ^', 'caret under the comparator');
  const empty = parseSessionsParams(q('query='), NOW);
  t.equal(empty.query.filter, undefined, 'an empty filter selects everything');
});

/** Six sessions: (exporter, inif, outif, srvport). */
const ROWS: readonly (readonly [string, number, number, number])[] = [
  ['192.0.2.1', 3, 7, 80],
  ['192.0.2.1', 7, 3, 443],
  ['192.0.2.1', 4, 5, 80],
  ['192.0.2.2', 3, 7, 80],
  ['2001:db8::1', 3, 9, 80],
  ['192.0.2.1', 9, 9, 22],
];

function selected(filter: FilterNode | undefined): number[] {
  const cols = allocColumns(ROWS.length);
  ROWS.forEach(([exp, inif, outif, port], i) => {
    setIpAt(cols.expip as Uint32Array, i, parseIp(exp)!);
    setIpAt(cols.clnip as Uint32Array, i, parseIp('10.0.0.1')!);
    setIpAt(cols.srvip as Uint32Array, i, parseIp('10.0.0.2')!);
    cols.inif[i] = inif;
    cols.outif[i] = outif;
    cols.srvport[i] = port;
  });
  if (filter === undefined) return ROWS.map((_, i) => i);
  const sel = new Uint32Array(ROWS.length);
  const n = compileToJs(filter).select(cols, 0, ROWS.length, sel);
  const compiled = [...sel.subarray(0, n)];
  const reference = ROWS.map((_, i) => i).filter((i) => evaluateReference(filter, rowAt(cols, i)));
  if (compiled.join() !== reference.join()) throw new Error(`compiled ${compiled.join()} but reference ${reference.join()}`);
  return compiled;
}

t.test('exporter and ifindex are AND-ed with the filter', async (t) => {
  const f = (s: string): number[] => selected(parseSessionsParams(q(s), NOW).query.filter);
  t.strictSame(f(''), [0, 1, 2, 3, 4, 5]);
  t.strictSame(f('exporter=192.0.2.1'), [0, 1, 2, 5], 'only the sessions of that exporter');
  t.strictSame(f('exporter=192.0.2.1&ifindex=3'), [0, 1], 'in or out on interface 3 of that exporter');
  t.strictSame(f('exporter=192.0.2.1&ifindex=9'), [5]);
  t.strictSame(f('exporter=192.0.2.1&ifindex=3&query=SRVPORT%3D80'), [0], 'and the filter');
  t.strictSame(f('exporter=192.0.2.1&query=SRVPORT%3D80%20%7C%7C%20SRVPORT%3D22'), [0, 2, 5], 'an || filter stays grouped');
  t.strictSame(f('exporter=2001:db8::1'), [4], 'IPv6 exporter');
  t.strictSame(f('exporter=::ffff:192.0.2.2'), [3], 'IPv4-mapped form of an IPv4 exporter');
  t.strictSame(f('exporter=%5B2001:db8::1%5D&ifindex=9'), [4], 'bracketed IPv6');
  const stat = parseStatParams(q('group_by=IF&count_by=SESSIONS&exporter=192.0.2.1&ifindex=7'), NOW);
  t.strictSame(selected(stat.query.filter), [0, 1], 'the same in a ranking');

  const sessions = (s: string) => () => parseSessionsParams(q(s), NOW);
  apiError(t, sessions('ifindex=3'), { code: 'MISSING_PARAM', param: 'exporter', includes: ['ifindex needs exporter'] }, 'ifindex alone');
  apiError(t, sessions('exporter=192.0.2'), { code: 'BAD_PARAM', param: 'exporter', includes: ['not an IPv4 or IPv6 address'] }, 'bad exporter');
  apiError(t, sessions('exporter=192.0.2.0/24'), { code: 'BAD_PARAM', param: 'exporter', includes: ['EXPIP=192.0.2.0/24'] }, 'a block');
  apiError(t, sessions(`exporter=${encodeURIComponent('1.2.3.4 || ADDR=1.1.1.1')}`), { code: 'BAD_PARAM', param: 'exporter', includes: ['not an IPv4'] }, 'no filter injection');
  apiError(t, sessions('exporter=192.0.2.1&ifindex=x'), { code: 'BAD_PARAM', param: 'ifindex', includes: ['whole number'] }, 'bad ifindex');
  apiError(t, sessions('exporter=192.0.2.1&ifindex=4294967296'), { code: 'BAD_PARAM', param: 'ifindex', includes: ['from 0 to 4294967295'] }, 'ifindex too large');
  t.strictSame(f('exporter=192.0.2.1&ifindex=4294967295'), [], 'the largest ifindex');
});

t.test('ranking rules come from the query engine, spelt as parameters', async (t) => {
  const stat = (s: string) => () => parseStatParams(q(s), NOW);
  apiError(t, stat('count_by=BYTES'), { code: 'MISSING_PARAM', param: 'group_by', includes: ['IP IPPAIR PORTPROTO', 'group_by=IP'] }, 'no group_by');
  apiError(t, stat('group_by=IP'), { code: 'MISSING_PARAM', param: 'count_by', includes: ['BYTES BITS PACKETS SESSIONS UNIQUE'] }, 'no count_by');
  apiError(t, stat('group_by=HOST&count_by=BYTES'), { code: 'BAD_PARAM', param: 'group_by', includes: ['unknown entity "HOST"', 'IPPAIR'] }, 'unknown entity');
  apiError(t, stat('group_by=IP&count_by=FLOWS'), { code: 'BAD_PARAM', param: 'count_by', includes: ['unknown count "FLOWS"'] }, 'unknown count');
  apiError(
    t,
    stat('group_by=IP&count_by=UNIQUE'),
    { code: 'BAD_PARAM', param: 'unique', includes: ['unique: count_by=UNIQUE needs an entity: one of IP PORTPROTO'] },
    'UNIQUE without a target',
  );
  apiError(t, stat('group_by=IP&count_by=UNIQUE&unique=IPPAIR'), { code: 'BAD_PARAM', param: 'unique', includes: ['count_by=UNIQUE with unique=IPPAIR is not possible'] }, 'pair target');
  apiError(t, stat('group_by=IP&count_by=UNIQUE&unique=HOST'), { code: 'BAD_PARAM', param: 'unique', includes: ['"HOST"'] }, 'unknown target');
  apiError(t, stat('group_by=IP&count_by=BYTES&unique=IP'), { code: 'BAD_PARAM', param: 'unique', includes: ['count_by=BYTES', 'it needs count_by=UNIQUE'] }, 'target without UNIQUE');
  apiError(
    t,
    stat('group_by=IPPAIR&count_by=BYTES&direction=snd'),
    { code: 'BAD_PARAM', param: 'direction', includes: ['direction=snd does not apply to group_by=IPPAIR', 'IP IF COUNTRY'] },
    'direction on a pair',
  );
  apiError(t, stat('group_by=PORTPROTO&count_by=BYTES&direction=rcv'), { code: 'BAD_PARAM', param: 'direction', includes: ['direction=rcv'] }, 'direction on a session entity');
  apiError(t, stat('group_by=IP&count_by=BYTES&direction=out'), { code: 'BAD_PARAM', param: 'direction', includes: ['snd or rcv'] }, 'unknown direction');
  apiError(t, stat('group_by=IP&count_by=BYTES&rows=0'), { code: 'BAD_PARAM', param: 'rows', includes: ['from 1 up', '(got "0")'] }, 'rows=0');
  apiError(t, stat('group_by=IP&count_by=BYTES&rows=1e3'), { code: 'BAD_PARAM', param: 'rows', includes: ['whole number', '"1e3"'] }, 'rows=1e3');
  apiError(t, stat('group_by=IP&count_by=BYTES&rows=99999999999999999999'), { code: 'BAD_PARAM', param: 'rows', includes: ['too large'] }, 'huge rows');
  // a series of no slices is no series: leave slices out for that (ftstat without -w)
  apiError(t, stat('group_by=IP&count_by=BYTES&slices=0'), { code: 'BAD_PARAM', param: 'slices', includes: ['from 1 to 10000', '(got "0")'] }, 'slices=0');
  apiError(t, stat('group_by=IP&count_by=BYTES&slices=10001'), { code: 'BAD_PARAM', param: 'slices', includes: ['from 1 to 10000'] }, 'too many slices');
  apiError(t, stat('group_by=IP&count_by=BYTES&slices=-1'), { code: 'BAD_PARAM', param: 'slices', includes: ['whole number from 1 to 10000'] }, 'negative slices');
  for (const bad of ['', '00', '1.5', '1e2', ' 3', '0x10', '99999999999999999999']) {
    apiError(t, stat(`group_by=IP&count_by=BYTES&slices=${encodeURIComponent(bad)}`), { code: 'BAD_PARAM', param: 'slices', includes: ['from 1 to 10000'] }, `slices=${JSON.stringify(bad)}`);
  }
  for (const bad of ['', '0', '-5', '2.0', '1e3']) {
    apiError(t, stat(`group_by=IP&count_by=BYTES&rows=${encodeURIComponent(bad)}`), { code: 'BAD_PARAM', param: 'rows', includes: ['whole number from 1 up'] }, `rows=${JSON.stringify(bad)}`);
  }
  t.equal(parseStatParams(q('group_by=IP&count_by=BYTES&slices=1&rows=1'), NOW).query.slices, 1, 'one slice and one row are accepted');
  // slices are named by their start in µs: a slice shorter than a microsecond would repeat a name
  const tiny = 'group_by=IP&count_by=BYTES&after_time=1700000000&before_time=1700000000.000005';
  apiError(t, stat(`${tiny}&slices=6`), { code: 'BAD_PARAM', param: 'slices', includes: ['from 1 to 5', 'the frame is 5 µs long'] }, 'slices shorter than a µs');
  t.equal(parseStatParams(q(`${tiny}&slices=5`), NOW).query.slices, 5, 'one-µs slices are accepted');
  t.equal(parseStatParams(q('group_by=IP&count_by=BYTES&slices=10000'), NOW).query.slices, 10000, 'MAX_SLICES is accepted');
});

t.test('unknown, misplaced and repeated parameters are refused by name', async (t) => {
  const e = apiError(t, () => parseStatParams(q('group_by=IP&count_by=BYTES&rowz=5'), NOW), { code: 'UNKNOWN_PARAM', param: 'rowz', includes: ['did you mean rows?', 'group_by'] }, 'typo');
  t.notOk(e?.message.includes(' _ '), 'the cache buster is not advertised');
  apiError(t, () => parseStatParams(q('group_by=IP&count_by=BYTES&ROWS=5'), NOW), { code: 'UNKNOWN_PARAM', param: 'ROWS', includes: ['did you mean rows?'] }, 'names are lower case');
  apiError(t, () => parseSessionsParams(q('tim_range=1h'), NOW), { code: 'UNKNOWN_PARAM', param: 'tim_range', includes: ['did you mean time_range?'] }, 'sessions typo');
  apiError(t, () => parseSessionsParams(q('verbose=1'), NOW), { code: 'UNKNOWN_PARAM', param: 'verbose', includes: ['takes fields time_range after_time'] }, 'no suggestion');
  apiError(t, () => parseSessionsParams(q('group_by=IP'), NOW), { code: 'UNKNOWN_PARAM', param: 'group_by', includes: ['/api/v1/stat'] }, 'a stat parameter on sessions');
  apiError(t, () => parseSessionsParams(q('slices=4'), NOW), { code: 'UNKNOWN_PARAM', param: 'slices', includes: ['rankings'] }, 'slices on sessions');
  apiError(t, () => parseStatParams(q('group_by=IP&count_by=BYTES&fields=START'), NOW), { code: 'UNKNOWN_PARAM', param: 'fields', includes: ['/api/v1/sessions'] }, 'fields on stat');
  apiError(t, () => parseStatParams(q('group_by=IP&count_by=BYTES&rows=5&rows=6'), NOW), { code: 'REPEATED_PARAM', param: 'rows', includes: ['"5" and "6"'] }, 'repeated');
  const tok = apiError(t, () => parseSessionsParams(q('auth_token=secret1&auth_token=secret2'), NOW), { code: 'REPEATED_PARAM', param: 'auth_token', includes: [] }, 'repeated token');
  t.notOk(tok?.message.includes('secret'), 'tokens are not echoed');
  const long = 'x'.repeat(5000);
  const big = t.throws(() => parseSessionsParams(q(`${long}=1`), NOW)) as ApiError;
  t.equal(big.code, 'UNKNOWN_PARAM');
  t.ok(big.message.length < 600 && big.message.includes('"xxxxxxxx'), 'a huge name is cut short in the message');
  t.doesNotThrow(() => parseSessionsParams(q('_=1699999999&auth_token=abc'), NOW), 'cache buster and token are accepted');
});

t.test('formats and header', async (t) => {
  const sess = (s: string) => parseSessionsParams(q(s), NOW);
  t.equal(sess('').format, 'json');
  t.equal(sess('format=ndjson').format, 'ndjson');
  t.strictSame([sess('format=csv').format, sess('format=csv').header], ['csv', false]);
  t.equal(sess('format=csv&header=1').header, true);
  t.equal(sess('format=csv&header=true').header, true);
  apiError(t, () => sess('format=xml'), { code: 'BAD_PARAM', param: 'format', includes: ['json ndjson csv'] }, 'unknown format');
  apiError(t, () => parseStatParams(q('group_by=IP&count_by=BYTES&format=ndjson'), NOW), { code: 'BAD_PARAM', param: 'format', includes: ['use one of json csv'] }, 'ndjson ranking');
  apiError(t, () => sess('header=1'), { code: 'BAD_PARAM', param: 'header', includes: ['format=csv only'] }, 'header with JSON');
  apiError(t, () => sess('format=ndjson&header=1'), { code: 'BAD_PARAM', param: 'header', includes: ['format=csv only'] }, 'header with NDJSON');
  apiError(t, () => sess('format=csv&header=constructor'), { code: 'BAD_PARAM', param: 'header', includes: ['1 or 0'] }, 'header=constructor');
});

t.test('sessions: defaults, rows, fields', async (t) => {
  process.env.TZ = 'UTC';
  const all = OUTPUT_FIELDS.map((f) => f.name);
  const { zone, ...rest } = parseSessionsParams(q(''), NOW);
  t.strictSame(rest, { query: { fromUs: NOW - 15 * MIN, toUs: NOW }, format: 'json', header: false, fields: all }, 'unlimited rows, every output field');
  t.equal(zone.zone, 'local', 'times in the server\'s zone without tz');
  t.ok(all.length >= 27 && all[0] === 'START' && all[26] === 'ASAEXTEVT', 'cli.md column order first');
  t.equal(parseSessionsParams(q('rows=10'), NOW).query.limit, 10);
  t.strictSame(parseSessionsParams(q('fields=srvip,START,%20proto'), NOW).fields, ['SRVIP', 'START', 'PROTO'], 'order and case as given, spaces trimmed');
  const bad = (s: string) => () => parseSessionsParams(q(s), NOW);
  apiError(t, bad('rows=0'), { code: 'BAD_PARAM', param: 'rows', includes: ['from 1 up', 'leave rows out'] }, 'rows=0');
  apiError(t, bad('rows=ten'), { code: 'BAD_PARAM', param: 'rows', includes: ['whole number'] }, 'rows=ten');
  apiError(t, bad('fields=SRCIP'), { code: 'BAD_PARAM', param: 'fields', includes: ['unknown field "SRCIP"', 'did you mean'] }, 'unknown field');
  apiError(t, bad('fields=TOTBYTS'), { code: 'BAD_PARAM', param: 'fields', includes: ['TOTBYTS can be used in a filter'] }, 'filter-only field');
  apiError(t, bad('fields=START,start'), { code: 'BAD_PARAM', param: 'fields', includes: ['START is listed twice'] }, 'duplicate');
  apiError(t, bad('fields='), { code: 'BAD_PARAM', param: 'fields', includes: ['separated by commas'] }, 'empty');
  apiError(t, bad('fields=START,,END'), { code: 'BAD_PARAM', param: 'fields', includes: ['separated by commas'] }, 'empty item');
});

t.test('tz: the zone of CSV times and of time_range\'s calendar, checked', async (t) => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    const HOUR = 60 * MIN;
    // NOW is 12:00 UTC on 10 March 2024, the day New York springs forward (at 07:00 UTC)
    t.equal(parseStatParams(q('group_by=IP&count_by=BYTES&time_range=1d'), NOW).query.fromUs, NOW - 24 * HOUR, 'the server\'s zone (UTC): 24 h');
    t.equal(parseStatParams(q('group_by=IP&count_by=BYTES&time_range=1d&tz=America/New_York'), NOW).query.fromUs, NOW - 23 * HOUR, 'a New York day across spring-forward: 23 h');
    t.equal(parseSessionsParams(q('time_range=1d&tz=America/New_York'), NOW).query.fromUs, NOW - 23 * HOUR, 'the same for sessions');
    t.equal(parseSessionsParams(q('time_range=90m&tz=Asia/Kathmandu'), NOW).query.fromUs, NOW - 90 * MIN, 'hours and minutes are exact durations in any zone');
    t.equal(parseSessionsParams(q('tz=america/new_york'), NOW).zone.zone, 'America/New_York', 'any case; the canonical name is kept');
    t.equal(parseSessionsParams(q('tz=UTC'), NOW).zone.zone, 'UTC');
    for (const bad of ['Mars/Olympus', '', 'America/New_York/x', '../../etc/passwd', 'x'.repeat(500)]) {
      apiError(t, () => parseSessionsParams(q(`tz=${encodeURIComponent(bad)}`), NOW), { code: 'BAD_PARAM', param: 'tz', includes: ['unknown time zone', 'IANA name'] }, `tz=${bad.slice(0, 20)}`);
    }
    apiError(t, () => parseStatParams(q('group_by=IP&count_by=BYTES&tz=Nowhere'), NOW), { code: 'BAD_PARAM', param: 'tz', includes: ['unknown time zone'] }, 'tz on stat');
    apiError(t, () => parseSessionsParams(q('tz=UTC&tz=UTC'), NOW), { code: 'REPEATED_PARAM', param: 'tz', includes: ['more than once'] }, 'tz twice');
  } finally {
    process.env.TZ = saved;
  }
});

t.test('progress: a yes/no flag for rankings, an id for session queries', async (t) => {
  const stat = (s: string) => parseStatParams(q(`group_by=IP&count_by=BYTES&${s}`), NOW);
  t.equal(stat('').progress, false);
  t.equal(stat('progress=1').progress, true);
  t.equal(stat('progress=yes&format=csv').progress, true);
  t.equal(stat('progress=0').progress, false);
  apiError(t, () => stat('progress=sometimes'), { code: 'BAD_PARAM', param: 'progress', includes: ['1 or 0'] }, 'progress=sometimes');
  t.equal(parseSessionsParams(q(''), NOW).progressId, undefined, 'sessions: no id, no progress');
  t.equal(parseSessionsParams(q('progress=4mRc8tq1vJ0aXk2QnG7w5A'), NOW).progressId, '4mRc8tq1vJ0aXk2QnG7w5A');
  t.equal(parseSessionsParams(q('progress=1'), NOW).progressId, '1', 'any short id, 1 too');
  t.equal(parseSessionsParams(q(`progress=${'a-_.~9'.repeat(10)}Z9z-`), NOW).progressId?.length, 64, '64 characters at most');
  for (const bad of ['', 'a b', 'x'.repeat(65), 'é', 'a/b', 'a%b']) {
    apiError(t, () => parseSessionsParams(q(`progress=${encodeURIComponent(bad)}`), NOW), { code: 'BAD_PARAM', param: 'progress', includes: ['1 to 64 letters, digits or - _ . ~'] }, `progress=${bad.slice(0, 10)}`);
  }
  apiError(t, () => parseSessionsParams(q('id=abc'), NOW), { code: 'UNKNOWN_PARAM', param: 'id', includes: ['does not apply to /api/v1/sessions', 'progress='] }, 'id on sessions');
  apiError(t, () => stat('id=abc'), { code: 'UNKNOWN_PARAM', param: 'id', includes: ['does not apply to /api/v1/stat'] }, 'id on stat');
});

t.test('sessions/progress: the id of a running query, nothing else', async (t) => {
  t.equal(parseProgressParams(q('id=q1')), 'q1');
  t.equal(parseProgressParams(q('id=q1&auth_token=x&_=123')), 'q1', 'the token and a cache buster are allowed');
  apiError(t, () => parseProgressParams(q('')), { code: 'MISSING_PARAM', param: 'id', includes: ['id is required', 'progress= id'] }, 'no id');
  apiError(t, () => parseProgressParams(q('id=a b')), { code: 'BAD_PARAM', param: 'id', includes: ['1 to 64 letters'] }, 'a bad id');
  apiError(t, () => parseProgressParams(q('id=a&id=b')), { code: 'REPEATED_PARAM', param: 'id', includes: ['more than once'] }, 'two ids');
  apiError(t, () => parseProgressParams(q('id=a&time_range=1h')), { code: 'UNKNOWN_PARAM', param: 'time_range', includes: ['does not apply to /api/v1/sessions/progress', 'by its id alone'] }, 'a query parameter');
  apiError(t, () => parseProgressParams(q('id=a&ID=b')), { code: 'UNKNOWN_PARAM', param: 'ID', includes: ['did you mean id?'] }, 'a typo');
});
