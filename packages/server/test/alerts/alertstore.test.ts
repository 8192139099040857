// The alert store: recording and updating alerts, validation of every field, who sees what,
// which alerts a frame lists, and the log across restarts, torn writes and compaction.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { UserInfo } from '../../src/auth/index.js';
import { HttpError } from '../../src/api/http/httperror.js';
import { ALERT_LOG_FILE, AlertStore, AlertStoreError, type StoredAlert } from '../../src/alerts/index.js';

const NOW_MS = 1_700_000_000_000;
const NOW_S = NOW_MS / 1000;
const S = 1_000_000;

const user = (name: string, admin = false): UserInfo => ({ name, admin, created: 0, lastLogin: null });
const nbi = user('nbi');
const other = user('bob');
const admin = user('admin', true);

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'alertstore-'));
  dirs.push(d);
  return d;
};
t.teardown(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const logLines = (dir: string): string[] => fs.readFileSync(path.join(dir, ALERT_LOG_FILE), 'utf8').split('\n').filter((l) => l !== '');

/** A valid DoS alert that ended ten minutes before NOW. */
function dos(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'dos-1',
    earliest_utc: NOW_S - 1200,
    latest_utc: NOW_S - 600,
    severity: 5,
    alert_type: 'dos',
    detector: 'ftdos',
    target_ip: '10.0.0.1',
    target_mask: 32,
    proto: 6,
    server_port: 443,
    sources: ['192.0.2.7', '192.0.2.8'],
    total_sources: 40,
    threshold_value: 100,
    current_values: { packets_in: 10, packets_out: 5, bytes_in: 1000, bytes_out: 500, new_conn: 273 },
    peak_values: { packets_in: 20, packets_out: 10, bytes_in: 2000, bytes_out: 1000, new_conn: 300 },
    average_values: { packets_in: 1.5, packets_out: 0.5, bytes_in: 100, bytes_out: 50, new_conn: 2.25 },
    message: 'DOS behavior detected from source 192.0.2.7 to target 10.0.0.1: 273 connections initiated',
    ...over,
  };
}

function badAlert(t: Test, store: AlertStore, input: unknown, param: string | undefined, message: RegExp, name: string): void {
  try {
    store.record(input, nbi, NOW_MS);
    t.fail(`${name}: accepted`);
  } catch (e) {
    t.ok(e instanceof HttpError, `${name}: an HttpError`);
    const h = e as HttpError;
    t.equal(h.status, 400, `${name}: 400`);
    t.equal(h.code, 'BAD_ALERT', `${name}: BAD_ALERT`);
    t.equal(h.extra.param, param, `${name}: names ${param}`);
    t.match(h.message, message, `${name}: message`);
  }
}

t.test('a new alert is stored in canonical form with the server fields', async (t) => {
  const dir = tmp();
  const store = AlertStore.open(dir);
  const a = store.record(
    dos({ id: undefined, target_ip: '2001:DB8:0:0::1', target_mask: undefined, severity: 'warning', sources: ['::ffff:192.0.2.9', '2001:db8::0:2'], total_sources: undefined, proto: undefined, server_port: undefined, threshold_value: undefined, peak_values: undefined, average_values: { bytes_in: 3 } }),
    nbi,
    NOW_MS + 0.4,
  );
  t.match(a.id, /^ftdos-[0-9a-f]{16}$/, 'an id is assigned, named after the detector');
  t.same(a, {
    version: 1,
    id: a.id,
    earliest_utc: NOW_S - 1200,
    latest_utc: NOW_S - 600,
    severity: 4,
    alert_type: 'dos',
    detector: 'ftdos',
    target_ip: '2001:db8::1',
    target_mask: 128,
    proto: null,
    server_port: null,
    sources: ['192.0.2.9', '2001:db8::2'],
    total_sources: 2,
    threshold_value: null,
    current_values: { packets_in: 10, packets_out: 5, bytes_in: 1000, bytes_out: 500, new_conn: 273 },
    peak_values: null,
    average_values: { packets_in: null, packets_out: null, bytes_in: 3, bytes_out: null, new_conn: null },
    message: 'DOS behavior detected from source 192.0.2.7 to target 10.0.0.1: 273 connections initiated',
    posted_by: 'nbi',
    received_utc: NOW_S,
    updated_utc: NOW_S,
  });
  t.ok(Object.isFrozen(a) && Object.isFrozen(a.sources) && Object.isFrozen(a.current_values), 'what the store returns cannot be changed');
  t.equal(store.count, 1);
  t.ok(store.has(a.id));
  const b = store.record(dos({ id: undefined }), nbi, NOW_MS);
  t.not(b.id, a.id, 'every assigned id is new');
  t.same(store.record(dos({ id: 'x', target_mask: 24, severity: 'EMERG' }), nbi, NOW_MS).target_mask, 24);
  t.equal(store.list(0, 2e15, nbi).find((x) => x.id === 'x')?.severity, 0, 'severity names map to syslog numbers');
  t.equal(logLines(dir).length, 3, 'one log line per alert');
  store.close();
  t.throws(() => store.list(0, 1, admin), AlertStoreError, 'a closed store refuses work');
});

t.test('posting an id again updates that alert; an identical post changes nothing', async (t) => {
  const dir = tmp();
  const store = AlertStore.open(dir);
  store.record(dos(), nbi, NOW_MS);
  const later = store.record(dos({ latest_utc: NOW_S + 60, current_values: { packets_in: 1, packets_out: 1, bytes_in: 1, bytes_out: 1, new_conn: 400 } }), nbi, NOW_MS + 120_000);
  t.equal(store.count, 1);
  t.equal(later.latest_utc, NOW_S + 60);
  t.equal(later.current_values?.new_conn, 400);
  t.equal(later.received_utc, NOW_S, 'received_utc is the first post');
  t.equal(later.updated_utc, NOW_S + 120, 'updated_utc is the last change');
  t.same(store.list(0, 2e15, nbi), [later]);
  const again = store.record(dos({ latest_utc: NOW_S + 60, current_values: { packets_in: 1, packets_out: 1, bytes_in: 1, bytes_out: 1, new_conn: 400 } }), nbi, NOW_MS + 180_000);
  t.equal(again.updated_utc, NOW_S + 120, 'a repeated post (a retry) is not a change');
  t.equal(logLines(dir).length, 2, 'and writes nothing');

  t.throws(() => store.record(dos({ message: 'hijack' }), other, NOW_MS), { status: 403, code: 'NOT_ALERT_OWNER' }, 'another user cannot update it');
  const byAdmin = store.record(dos({ severity: 2 }), admin, NOW_MS + 200_000);
  t.equal(byAdmin.severity, 2, 'an administrator can');
  t.equal(byAdmin.posted_by, 'nbi', 'the owner stays the poster');
  t.throws(() => store.record(dos({ alert_type: 'scan_vertical', detector: 'ftscan' }), nbi, NOW_MS), { status: 409, code: 'ALERT_ID_CONFLICT' }, 'an id cannot change detector or type');
  t.equal(store.list(0, 2e15, admin)[0]?.severity, 2, 'refused posts changed nothing');
  store.close();
});

t.test('every field is validated, with a message naming it', async (t) => {
  const store = AlertStore.open(tmp());
  const cases: [string, unknown, string | undefined, RegExp][] = [
    ['not an object', [dos()], undefined, /must be a JSON object/],
    ['unknown field', dos({ severty: 3 }), 'severty', /unknown alert field "severty".*severity/],
    ['server field', dos({ posted_by: 'eve' }), 'posted_by', /set by the server/],
    ['version 2', dos({ version: 2 }), 'version', /version must be 1/],
    ['id with a space', dos({ id: 'a b' }), 'id', /id must be 1 to 128 characters/],
    ['id too long', dos({ id: 'a'.repeat(129) }), 'id', /id must be 1 to 128/],
    ['empty id', dos({ id: '' }), 'id', /id must be/],
    ['numeric id', dos({ id: 7 }), 'id', /id must be/],
    ['no earliest_utc', dos({ earliest_utc: undefined }), 'earliest_utc', /needs earliest_utc/],
    ['text earliest_utc', dos({ earliest_utc: '1700000000' }), 'earliest_utc', /earliest_utc must be UTC epoch seconds/],
    ['negative latest_utc', dos({ latest_utc: -1 }), 'latest_utc', /latest_utc must be UTC epoch seconds/],
    ['earliest after latest', dos({ earliest_utc: NOW_S, latest_utc: NOW_S - 1 }), 'earliest_utc', /must not be after latest_utc/],
    ['milliseconds', dos({ earliest_utc: NOW_MS - 1000, latest_utc: NOW_MS }), 'latest_utc', /more than a day after.*not milliseconds/],
    ['no severity', dos({ severity: undefined }), 'severity', /needs severity/],
    ['severity 8', dos({ severity: 8 }), 'severity', /0 \(EMERG\) to 7 \(DEBUG\)/],
    ['severity 2.5', dos({ severity: 2.5 }), 'severity', /severity must be/],
    ['severity name', dos({ severity: 'LOUD' }), 'severity', /EMERG ALERT CRIT ERR WARNING NOTICE INFO DEBUG/],
    ['no alert_type', dos({ alert_type: undefined }), 'alert_type', /needs alert_type: one of fingerprint_new_service/],
    ['bad alert_type', dos({ alert_type: 'DOS' }), 'alert_type', /alert_type must be one of .*blacklist/],
    ['bad detector', dos({ detector: 'ftx' }), 'detector', /detector must be one of ftbfg ftdos ftscan fttcv ftth ftbl/],
    ['bad target_ip', dos({ target_ip: '10.0.0.256' }), 'target_ip', /target_ip must be an IPv4 or IPv6 address/],
    ['target_ip number', dos({ target_ip: 167772161 }), 'target_ip', /target_ip must be/],
    ['v4 mask 33', dos({ target_mask: 33 }), 'target_mask', /target_mask must be an integer from 0 to 32/],
    ['v6 mask 129', dos({ target_ip: '2001:db8::1', target_mask: 129 }), 'target_mask', /from 0 to 128/],
    ['mask without address', dos({ target_ip: undefined }), 'target_mask', /without target_ip/],
    ['proto 256', dos({ proto: 256 }), 'proto', /proto must be an integer from 0 to 255/],
    ['port 65536', dos({ server_port: 65536 }), 'server_port', /from 0 to 65535/],
    ['port text', dos({ server_port: '80' }), 'server_port', /server_port must be/],
    ['sources not an array', dos({ sources: '192.0.2.1' }), 'sources', /sources must be an array/],
    ['bad source', dos({ sources: ['192.0.2.1', 'host.example'] }), 'sources[1]', /sources\[1\] must be an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1 \(got "host.example"\)/],
    ['too many sources', dos({ sources: Array.from({ length: 1001 }, (_, i) => `10.1.${i >> 8}.${i & 255}`), total_sources: 2000 }), 'sources', /1001 addresses; at most 1000/],
    ['total below sources', dos({ total_sources: 1 }), 'total_sources', /≥ the number of addresses in sources \(2\)/],
    ['threshold text', dos({ threshold_value: 'high' }), 'threshold_value', /threshold_value must be a number/],
    ['values not an object', dos({ current_values: 5 }), 'current_values', /current_values must be an object/],
    ['unknown value', dos({ peak_values: { bytes: 1 } }), 'peak_values.bytes', /peak_values has an unknown member "bytes"/],
    ['negative value', dos({ average_values: { new_conn: -1 } }), 'average_values.new_conn', /average_values.new_conn must be a number ≥ 0/],
    ['no message', dos({ message: undefined }), 'message', /needs message/],
    ['empty message', dos({ message: '' }), 'message', /message must be a string of 1 to 4096/],
    ['long message', dos({ message: 'x'.repeat(4097) }), 'message', /1 to 4096 characters/],
  ];
  for (const [name, input, param, message] of cases) badAlert(t, store, input, param, message, name);
  t.equal(store.count, 0, 'nothing was stored');
  t.equal(store.record(dos({ message: 'x'.repeat(4096), latest_utc: NOW_S + 86_400 }), nbi, NOW_MS).message.length, 4096, 'the limits themselves are accepted');
  store.close();
});

t.test('an alert is visible to its poster and to administrators only', async (t) => {
  const store = AlertStore.open(tmp());
  store.record(dos({ id: 'by-nbi' }), nbi, NOW_MS);
  store.record(dos({ id: 'by-bob' }), other, NOW_MS);
  store.record(dos({ id: 'by-admin' }), admin, NOW_MS);
  const ids = (u: UserInfo): string[] => store.list(0, 2e15, u).map((a) => a.id);
  t.same(ids(nbi), ['by-nbi']);
  t.same(ids(other), ['by-bob']);
  t.same(ids(admin), ['by-admin', 'by-bob', 'by-nbi'], 'administrators see every alert');
  t.same(ids(user('carol')), []);
  t.same(ids(user('nbi', true)), ['by-admin', 'by-bob', 'by-nbi']);
  store.close();
});

t.test('a frame lists the alerts that overlap it, and those received or changed in it', async (t) => {
  const store = AlertStore.open(tmp());
  const T = NOW_S - 86_400;
  // received at its start, so that the span alone decides the first checks
  const post = (id: string, from: number, to: number, receivedS = from): StoredAlert =>
    store.record(dos({ id, earliest_utc: from, latest_utc: to }), nbi, receivedS * 1000);
  post('b', T + 100, T + 200);
  post('a', T + 100, T + 200);
  post('c', T + 50, T + 150);
  post('point', T + 300, T + 300);
  const ids = (fromS: number, toS: number): string[] => store.list(fromS * S, toS * S, nbi).map((a) => a.id);
  t.same(ids(T, T + 1000), ['c', 'a', 'b', 'point'], 'ordered by earliest_utc, then id');
  t.same(ids(T + 200, T + 250), [], 'an alert ending at the frame start is not in it');
  t.same(ids(T + 199, T + 250), ['a', 'b'], 'overlapping the start counts');
  t.same(ids(T, T + 100), ['c'], 'an alert starting at the frame end is not in it');
  t.same(ids(T + 120, T + 130), ['c', 'a', 'b'], 'an alert spanning the whole frame counts');
  t.same(ids(T + 300, T + 301), ['point'], 'an instant at the frame start counts');
  t.same(ids(T + 299, T + 300), [], 'an instant at the frame end does not');

  // a detector reports the window 16:20-16:30 at 16:31: a cron job asking for the last minute sees it
  const late = post('late', NOW_S - 660, NOW_S - 60, NOW_S);
  t.same([late.received_utc, late.latest_utc], [NOW_S, NOW_S - 60]);
  t.same(ids(NOW_S - 30, NOW_S + 30), ['late'], 'listed when received in the frame');
  t.same(ids(NOW_S + 1, NOW_S + 60), [], 'not after');
  t.same(ids(NOW_S - 50, NOW_S - 10), [], 'nor between its end and its reception');
  post('late', NOW_S - 660, NOW_S, NOW_S + 600);
  t.same(ids(NOW_S + 590, NOW_S + 650), ['late'], 'an update widens it to the update time');
  store.close();
});

t.test('the log survives a restart; the last line of an id wins', async (t) => {
  const dir = tmp();
  const s1 = AlertStore.open(dir);
  s1.record(dos({ id: 'one' }), nbi, NOW_MS);
  s1.record(dos({ id: 'two', target_ip: '2001:db8::5', target_mask: 64 }), other, NOW_MS);
  s1.record(dos({ id: 'one', latest_utc: NOW_S, severity: 1 }), nbi, NOW_MS + 5000);
  const before = s1.list(0, 2e15, admin);
  s1.close();
  const warnings: string[] = [];
  const s2 = AlertStore.open(dir, { onWarning: (m) => warnings.push(m) });
  t.same(warnings, []);
  t.equal(s2.count, 2);
  t.same(s2.list(0, 2e15, admin), before, 'the same alerts, field for field');
  t.equal(s2.list(0, 2e15, admin).find((a) => a.id === 'one')?.severity, 1);
  t.same(s2.list(0, 2e15, other).map((a) => a.id), ['two'], 'owners survive');
  t.throws(() => s2.record(dos({ id: 'two' }), nbi, NOW_MS), { status: 403, code: 'NOT_ALERT_OWNER' }, 'and who may update');
  s2.close();
});

t.test('a torn last line is cut off and reported; damaged lines are skipped and reported', async (t) => {
  const dir = tmp();
  const s1 = AlertStore.open(dir);
  s1.record(dos({ id: 'kept' }), nbi, NOW_MS);
  s1.close();
  const file = path.join(dir, ALERT_LOG_FILE);
  const whole = fs.readFileSync(file, 'utf8');
  fs.appendFileSync(file, '{"version":1,"id":"torn","earliest_ut');
  const warnings: string[] = [];
  const s2 = AlertStore.open(dir, { onWarning: (m) => warnings.push(m) });
  t.equal(warnings.length, 1);
  t.match(warnings[0], /incomplete line of 37 bytes.*cut off/);
  t.same(s2.list(0, 2e15, admin).map((a) => a.id), ['kept']);
  t.equal(fs.readFileSync(file, 'utf8'), whole, 'the torn bytes are gone from the file');
  s2.record(dos({ id: 'after' }), nbi, NOW_MS);
  s2.close();

  fs.appendFileSync(file, 'garbage\n{"id":"x"}\n\n');
  fs.appendFileSync(file, JSON.stringify(JSON.parse(logLines(dir)[0]!)).replace('"kept"', '"unterminated"'));
  warnings.length = 0;
  const s3 = AlertStore.open(dir, { onWarning: (m) => warnings.push(m) });
  t.equal(warnings.length, 2);
  t.match(warnings[0], /line 3 is not valid JSON/);
  t.match(warnings[1], /line 4 is not an alert \(posted_by is missing/);
  t.same(s3.list(0, 2e15, admin).map((a) => a.id), ['after', 'kept', 'unterminated'], 'a complete last line without its newline is kept');
  s3.record(dos({ id: 'next' }), nbi, NOW_MS);
  s3.close();
  const s4 = AlertStore.open(dir, { onWarning: (m) => warnings.push(m) });
  t.same(s4.list(0, 2e15, admin).map((a) => a.id), ['after', 'kept', 'next', 'unterminated'], 'and the next append starts on its own line');
  s4.close();
});

t.test('compaction keeps the newest alerts and survives a reopen', async (t) => {
  const dir = tmp();
  const warnings: string[] = [];
  const opts = { maxAlerts: 20, onWarning: (m: string) => warnings.push(m) };
  const s1 = AlertStore.open(dir, opts);
  // 25 alerts whose latest_utc does not follow the posting order
  const latest = (i: number): number => NOW_S - 10_000 + ((i * 7) % 25) * 10;
  for (let i = 0; i < 25; i++) s1.record(dos({ id: `a${i}`, earliest_utc: NOW_S - 20_000, latest_utc: latest(i) }), nbi, NOW_MS);
  const expected = Array.from({ length: 25 }, (_, i) => i)
    .sort((x, y) => latest(y) - latest(x))
    .map((i) => `a${i}`);
  const kept = s1.list(0, 2e15, nbi).map((a) => a.id).sort();
  t.ok(s1.count >= 18 && s1.count <= 20, `at most maxAlerts are kept (${s1.count})`);
  t.same(kept, expected.slice(0, s1.count).sort(), 'the newest by latest_utc');
  t.ok(warnings.some((w) => /alert store is full/.test(w)), 'dropping is reported');
  t.equal(logLines(dir).length, s1.count, 'the log was rewritten without the dropped alerts');
  s1.close();
  const s2 = AlertStore.open(dir, opts);
  t.same(s2.list(0, 2e15, nbi).map((a) => a.id).sort(), kept, 'nothing dropped comes back');

  // updates only: the log grows to twice max(live alerts, maxAlerts here), then shrinks to one line per alert
  const live = s2.count;
  let compactions = 0;
  for (let k = 1; k <= 3 * live; k++) {
    s2.record(dos({ id: kept[k % live], earliest_utc: NOW_S - 20_000, severity: k % 8, latest_utc: NOW_S - 100 + k }), nbi, NOW_MS);
    const lines = logLines(dir).length;
    t.ok(lines <= 2 * opts.maxAlerts, `log bounded after update ${k} (${lines} lines)`);
    if (lines === live) compactions++;
  }
  t.ok(compactions >= 1, 'the log was compacted to one line per alert');
  const after = s2.list(0, 2e15, nbi);
  s2.close();
  const s3 = AlertStore.open(dir, opts);
  t.same(s3.list(0, 2e15, nbi), after, 'a compacted log reads back the same alerts');
  t.equal(fs.readdirSync(dir).length, 1, 'no temporary files are left behind');
  s3.close();
});

t.test('maxBytes bounds the memory of big alerts', async (t) => {
  const dir = tmp();
  const warnings: string[] = [];
  const store = AlertStore.open(dir, { maxBytes: 1024 * 1024, onWarning: (m) => warnings.push(m) });
  const sources = Array.from({ length: 1000 }, (_, i) => `2001:db8:1:2:3:4:${(i >> 8).toString(16)}:${(i & 255).toString(16)}`);
  const n = 80;
  for (let i = 0; i < n; i++) store.record(dos({ id: `big${String(i).padStart(2, '0')}`, sources, total_sources: 5000, latest_utc: NOW_S - 1000 + i }), nbi, NOW_MS);
  const ids = store.list(0, 2e15, nbi).map((a) => a.id);
  t.ok(ids.length < n && ids.length > 10, `some were dropped (${ids.length} kept)`);
  t.same(ids, Array.from({ length: n }, (_, i) => `big${String(i).padStart(2, '0')}`).slice(n - ids.length), 'the newest stay');
  t.ok(fs.statSync(path.join(dir, ALERT_LOG_FILE)).size <= 2 * 1024 * 1024, 'and the log stays bounded');
  t.ok(warnings.some((w) => /full/.test(w)), 'dropping is reported');
  store.close();
  t.throws(() => AlertStore.open(dir, { maxAlerts: 0 }), RangeError);
});

t.test('the store cannot be opened on something that is not a directory', async (t) => {
  const dir = tmp();
  const file = path.join(dir, 'plain');
  fs.writeFileSync(file, 'x');
  t.throws(() => AlertStore.open(file), { name: 'AlertStoreError', code: 'IO' });
});
