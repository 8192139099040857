// POST and GET /api/v1/alerts over real HTTP: a small server in the test dispatches to the routes
// as the API layer does (the user it authenticated, HttpError as a JSON answer).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { ApiRoute } from '../../src/api/http/httpapi.js';
import { HttpError } from '../../src/api/http/httperror.js';
import { sendJson } from '../../src/api/http/io.js';
import { AlertStore, alertRoutes } from '../../src/alerts/index.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Serves `routes` under /api/v1/; the user comes from the X-User header, an administrator when X-Admin is set. */
async function serve(routes: readonly ApiRoute[]): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.find((r) => `/api/v1/${r.path}` === url.pathname && r.method === req.method);
    const fail = (e: unknown): void => {
      const h = e instanceof HttpError ? e : new HttpError(500, 'INTERNAL', String(e));
      sendJson(res, h.status, { error: h.message, code: h.code, ...h.extra });
    };
    if (route === undefined) return fail(new HttpError(404, 'NOT_FOUND', url.pathname));
    const user = { name: String(req.headers['x-user'] ?? 'nbi'), admin: req.headers['x-admin'] !== undefined, created: 0, lastLogin: null };
    route.handle({ req, res, url, remote: '127.0.0.1', user }).catch(fail);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/alerts`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function call(url: string, init: { method?: string; body?: unknown; user?: string; admin?: boolean; type?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'x-user': init.user ?? 'nbi' };
  if (init.admin === true) headers['x-admin'] = '1';
  if (init.body !== undefined) headers['content-type'] = init.type ?? 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const nowS = (): number => Math.floor(Date.now() / 1000);

function alert(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    earliest_utc: nowS() - 600,
    latest_utc: nowS() - 60,
    severity: 'NOTICE',
    alert_type: 'scan_horizontal',
    detector: 'ftscan',
    sources: ['198.51.100.4'],
    total_sources: 1,
    current_values: { new_conn: 1370 },
    message: 'host/horizontal SCAN detected from source 198.51.100.4: 1370 unique hosts scanned',
    ...over,
  };
}

const ids = (a: Answer): string[] => (a.body.alerts as { id: string }[]).map((x) => x.id);

t.test('POST records and updates alerts; GET lists them', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertroutes-'));
  const store = AlertStore.open(dir);
  const { base, close } = await serve(alertRoutes(store));
  t.teardown(async () => {
    await close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const first = await call(base, { body: alert() });
  t.equal(first.status, 201);
  t.equal(first.body.created, true);
  t.match(first.body.id, /^ftscan-[0-9a-f]{16}$/, 'the assigned id is returned');

  const named = await call(`${base}?auth_token=abc`, { body: alert({ id: 'scan:198.51.100.4', severity: 5 }) });
  t.same(named, { status: 201, body: { id: 'scan:198.51.100.4', created: true } }, 'auth_token may be in the query string');
  const update = await call(base, { body: alert({ id: 'scan:198.51.100.4', severity: 3, latest_utc: nowS() }) });
  t.same(update, { status: 200, body: { id: 'scan:198.51.100.4', created: false } }, 'the same id again is an update');
  const retry = await call(base, { body: alert({ id: 'scan:198.51.100.4', severity: 3, latest_utc: update.body.id === undefined ? 0 : nowS() }) });
  t.equal(retry.status, 200);

  const listed = await call(`${base}?time_range=3m`);
  t.equal(listed.status, 200);
  t.same(ids(listed).sort(), [first.body.id, 'scan:198.51.100.4'].sort());
  t.equal(listed.body.total, 2);
  const got = (listed.body.alerts as Record<string, unknown>[]).find((a) => a.id === 'scan:198.51.100.4')!;
  t.match(got, {
    version: 1,
    severity: 3,
    alert_type: 'scan_horizontal',
    detector: 'ftscan',
    target_ip: null,
    sources: ['198.51.100.4'],
    current_values: { packets_in: null, new_conn: 1370 },
    posted_by: 'nbi',
  });
  t.same(Object.keys(got), [
    'version', 'id', 'earliest_utc', 'latest_utc', 'severity', 'alert_type', 'detector', 'target_ip', 'target_mask', 'proto', 'server_port',
    'sources', 'total_sources', 'threshold_value', 'current_values', 'peak_values', 'average_values', 'message', 'posted_by', 'received_utc', 'updated_utc',
  ], 'every field, always, in the documented order');

  t.same(ids(await call(`${base}?rows=1`)), [ids(listed)[0]], 'rows keeps the first in listing order');
  t.equal((await call(`${base}?rows=1`)).body.total, 2, 'total says how many there were');
  t.same(ids(await call(`${base}?format=JSON&_=123`)).length, 2, 'default frame 15m; format=json; a cache buster is allowed');

  const bob = await call(base, { body: alert({ id: 'scan:198.51.100.4' }), user: 'bob' });
  t.match(bob, { status: 403, body: { code: 'NOT_ALERT_OWNER', param: 'id' } }, 'only the poster or an administrator may update');
  t.same(ids(await call(base, { user: 'bob' })), [], 'bob sees none of nbi\'s alerts');
  t.equal(ids(await call(base, { user: 'alice', admin: true })).length, 2, 'an administrator sees them');
  t.equal((await call(base, { body: alert({ id: 'scan:198.51.100.4', severity: 0 }), user: 'alice', admin: true })).status, 200);

  const conflict = await call(base, { body: alert({ id: 'scan:198.51.100.4', alert_type: 'dos', detector: 'ftdos' }) });
  t.match(conflict, { status: 409, body: { code: 'ALERT_ID_CONFLICT' } });

  // an absolute frame a day ago lists an alert of then, not today's
  const day = nowS() - 86_400;
  t.equal((await call(base, { body: alert({ id: 'old', earliest_utc: day, latest_utc: day + 60 }) })).status, 201);
  const then = await call(`${base}?after_time=${day - 30}&before_time=${day + 30}.5`);
  t.same(ids(then), ['old']);
  t.same(ids(await call(`${base}?after_time=${day + 61}&before_time=${day + 3600}`)), []);
  store.close();
});

t.test('bad requests are 4xx answers that say what is wrong', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertroutes-'));
  const store = AlertStore.open(dir);
  const { base, close } = await serve(alertRoutes(store));
  t.teardown(async () => {
    await close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bad: [string, Answer, number, string, string | undefined, RegExp][] = [
    ['invalid field', await call(base, { body: alert({ severity: 9 }) }), 400, 'BAD_ALERT', 'severity', /severity must be an integer from 0/],
    ['unknown field', await call(base, { body: alert({ targetip: '10.0.0.1' }) }), 400, 'BAD_ALERT', 'targetip', /unknown alert field "targetip"/],
    ['not JSON', await call(base, { body: '{"id":' }), 400, 'BAD_JSON', undefined, /not valid JSON/],
    ['a JSON array', await call(base, { body: '[1]' }), 400, 'BAD_JSON', undefined, /must be a JSON object/],
    ['a multipart form', await call(base, { body: 'x', type: 'multipart/form-data; boundary=b' }), 415, 'UNSUPPORTED_MEDIA_TYPE', undefined, /must be JSON/],
    ['text that is not JSON', await call(base, { body: 'x', type: 'text/plain' }), 400, 'BAD_JSON', undefined, /not valid JSON/],
    ['a parameter on POST', await call(`${base}?time_range=1h`, { body: alert() }), 400, 'UNKNOWN_PARAM', 'time_range', /POST \/api\/v1\/alerts takes no parameters but auth_token/],
    ['unknown parameter', await call(`${base}?time_rnage=1h`), 400, 'UNKNOWN_PARAM', 'time_rnage', /unknown parameter "time_rnage".*takes time_range after_time before_time rows format/],
    ['repeated parameter', await call(`${base}?rows=1&rows=2`), 400, 'REPEATED_PARAM', 'rows', /rows is given more than once \("1" and "2"\)/],
    ['csv', await call(`${base}?format=csv`), 400, 'BAD_PARAM', 'format', /JSON only/],
    ['rows 0', await call(`${base}?rows=0`), 400, 'BAD_PARAM', 'rows', /rows must be a whole number from 1/],
    ['rows 1e3', await call(`${base}?rows=1e3`), 400, 'BAD_PARAM', 'rows', /got "1e3"/],
    ['rows too large', await call(`${base}?rows=1000001`), 400, 'BAD_PARAM', 'rows', /at most 1000000/],
    ['bad time_range', await call(`${base}?time_range=2d1w`), 400, 'BAD_TIME', 'time_range', /time_range '2d1w'.*1w2d/],
    ['empty time_range', await call(`${base}?time_range=`), 400, 'BAD_TIME', 'time_range', /time_range/],
    ['after without before', await call(`${base}?after_time=1700000000`), 400, 'MISSING_PARAM', 'before_time', /after_time needs before_time/],
    ['before without after', await call(`${base}?before_time=1700000000`), 400, 'MISSING_PARAM', 'after_time', /before_time needs after_time/],
    ['both kinds of frame', await call(`${base}?time_range=1h&after_time=1&before_time=2`), 400, 'CONFLICTING_PARAMS', 'time_range', /cannot be combined with after_time and before_time/],
    ['start after end', await call(`${base}?after_time=1700000100&before_time=1700000000`), 400, 'BAD_TIME', 'after_time', /must be before before_time/],
    ['not epoch seconds', await call(`${base}?after_time=10/15/2012&before_time=1700000000`), 400, 'BAD_TIME', 'after_time', /UTC epoch seconds/],
  ];
  for (const [name, answer, status, code, param, message] of bad) {
    t.equal(answer.status, status, `${name}: ${status}`);
    t.equal(answer.body.code, code, `${name}: ${code}`);
    t.equal(answer.body.param, param, `${name}: names ${param}`);
    t.match(answer.body.error, message, `${name}: message`);
  }
  t.equal(store.count, 0, 'nothing was recorded');

  store.close();
  const closed = await call(base);
  t.match(closed, { status: 500, body: { code: 'ALERT_STORE_CLOSED', error: /the alert store failed/ } }, 'a store failure is the server\'s, said as such');
});
