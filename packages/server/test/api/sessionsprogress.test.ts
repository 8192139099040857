// GET /api/v1/sessions?progress=ID and GET /api/v1/sessions/progress?id=ID over real HTTP, on the
// query API itself with a memory store: a query waiting for a slot is visible to its owner only, until
// it ends, fails or its client goes away; ids are checked and unique per user; the answer is the same
// bytes as without progress.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { MemorySource, SessionGenerator, allocColumns, type SegmentInfo, type SegmentReader, type SessionSource } from '@opentraq/core';
import { HttpApi } from '../../src/api/http/httpapi.js';
import type { Authenticator, UserInfo, UserStore } from '../../src/auth/index.js';
import { Logger } from '../../src/log/index.js';
import { ServerMetrics } from '../../src/metrics/index.js';
import { MAX_TRACKED_PER_USER, QueryQueue } from '../../src/query/index.js';
import { ViewLeases } from '../../src/storage/viewleases.js';

const SEGMENTS = [3000, 1200, 2500, 4000];
const START_US = Date.UTC(2025, 0, 1) * 1000;
const FRAME = { after_time: START_US / 1e6 - 60, before_time: START_US / 1e6 + 4 * 600 + 60 };

function memorySource(): MemorySource {
  const src = new MemorySource();
  SEGMENTS.forEach((rows, k) => {
    const c = allocColumns(rows);
    new SessionGenerator({ seed: 90 + k, sessions: rows, startUs: START_US + k * 600_000_000, spanUs: 600_000_000 }).fill(c);
    src.append(c, rows);
  });
  return src;
}

const USERS: Readonly<Record<string, UserInfo>> = {
  'alice-token': { name: 'alice', admin: false, created: 0, lastLogin: null },
  'bob-token': { name: 'bob', admin: false, created: 0, lastLogin: null },
  'admin-token': { name: 'admin', admin: true, created: 0, lastLogin: null },
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessionsprogress-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The API on a free loopback port, with tokens named after their users and one query slot. */
async function startApi(source: SessionSource): Promise<{ api: HttpApi; queue: QueryQueue }> {
  const queue = new QueryQueue(1);
  const leases = new ViewLeases(() => 0);
  const notScraped = (): never => {
    throw new Error('the metrics are not scraped in this test');
  };
  const api = new HttpApi({
    // the API asks the authenticator only to check tokens
    auth: { check: (token: string) => USERS[token] ?? null } as unknown as Authenticator,
    users: {} as UserStore,
    queue,
    pool: () => undefined,
    // a memory store has no files to keep: one view, leased as ftserver's are
    source: () => leases.lease(source, 0),
    extras: { asnOf: () => null, countryOf: () => null, serviceOf: () => null },
    metrics: new ServerMetrics({ pipeline: notScraped, listeners: notScraped, store: notScraped, auth: notScraped, queries: notScraped }),
    logger: new Logger({ level: 'CRITICAL', file: path.join(dir, 'api.log') }),
    maxClientLatencyMs: () => 60_000,
  });
  await api.start(0, null, '127.0.0.1');
  t.teardown(() => api.stop());
  return { api, queue };
}

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** A request on its own connection; abort() cuts it (the client going away). */
function request(port: number, p: string, params: Record<string, string | number>, token: string | undefined): { answer: Promise<Answer>; abort: () => void } {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  let req: http.ClientRequest;
  const answer = new Promise<Answer>((resolve, reject) => {
    req = http.request({ host: '127.0.0.1', port, path: `${p}?${query}`, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
  return { answer, abort: () => req.destroy() };
}

function poll(port: number, id: string, token = 'alice-token', extra: Record<string, string> = {}): Promise<Answer> {
  return request(port, '/api/v1/sessions/progress', { id, ...extra }, token).answer;
}

/**
 * Polls until `want` holds of the answer (the request has reached the server, or its end has been
 * seen), at most 2000 times; the last answer, for the caller to check.
 */
async function pollUntil(port: number, id: string, token: string, want: (a: Answer) => boolean): Promise<Answer> {
  let a = await poll(port, id, token);
  for (let tries = 1; !want(a) && tries < 2000; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    a = await poll(port, id, token);
  }
  return a;
}

t.test('a query waiting for a slot: its owner sees it queued, nobody else does, until it ends', async (t) => {
  const { api, queue } = await startApi(memorySource());
  const port = api.port;
  const slot = await queue.acquire();
  const csv = { ...FRAME, format: 'csv' };

  const alice = request(port, '/api/v1/sessions', { ...csv, progress: 'q1' }, 'alice-token');
  const queued = await pollUntil(port, 'q1', 'alice-token', (a) => a.status === 200);
  t.equal(queued.status, 200, 'the query waiting for its slot is known to its owner');
  t.strictSame(queued.json, { id: 'q1', state: 'queued', scanned: 0, total: 0 }, 'queued: nothing scanned, the total not known yet');

  const bobs = await poll(port, 'q1', 'bob-token');
  t.equal(bobs.status, 404, "another user's id is unknown to bob");
  t.match(bobs.json, { code: 'NO_SUCH_QUERY', param: 'id', error: 'no session query of bob with progress=q1 is running: it has ended, or has not reached the server yet' });
  t.equal((await poll(port, 'q1', 'admin-token')).status, 404, 'to an administrator too');
  t.match(await request(port, '/api/v1/sessions/progress', { id: 'q1' }, undefined).answer, { status: 401, json: { code: 'NO_TOKEN' } }, 'no token: 401');
  t.match(await poll(port, 'q1', 'stolen-token'), { status: 401, json: { code: 'BAD_TOKEN' } }, 'a bad token: 401');

  t.match(await request(port, '/api/v1/sessions/progress', {}, 'alice-token').answer, { status: 400, json: { code: 'MISSING_PARAM', param: 'id', error: /id is required/ } }, 'no id: 400');
  t.match(await poll(port, 'q 1'), { status: 400, json: { code: 'BAD_PARAM', param: 'id', error: /id must be an id of 1 to 64 letters, digits or - _ \. ~/ } }, 'a malformed id: 400');
  t.match(await poll(port, 'x'.repeat(65)), { status: 400, json: { code: 'BAD_PARAM', param: 'id' } }, 'a 65-character id: 400');
  t.match(await poll(port, 'q1', 'alice-token', { query: 'SRVPORT=22' }), { status: 400, json: { code: 'UNKNOWN_PARAM', param: 'query', error: /query does not apply to \/api\/v1\/sessions\/progress: it belongs to the query itself/ } }, "the query's parameters: 400");
  t.match(await request(port, '/api/v1/sessions', { ...csv, id: 'q1' }, 'alice-token').answer, { status: 400, json: { code: 'UNKNOWN_PARAM', param: 'id', error: /a query of its own is named by progress=/ } }, 'id on the query itself: 400');
  t.match(await request(port, '/api/v1/sessions', { ...csv, progress: 'bad/id' }, 'alice-token').answer, { status: 400, json: { code: 'BAD_PARAM', param: 'progress' } }, 'a malformed progress id: 400');

  const twice = await request(port, '/api/v1/sessions', { ...csv, progress: 'q1' }, 'alice-token').answer;
  t.equal(twice.status, 409, 'the same id again while the first runs: 409, at once (not queued)');
  t.match(twice.json, { code: 'PROGRESS_ID_IN_USE', param: 'progress', error: 'a query of alice with progress=q1 is already running; give each query its own random id' });

  const bob = request(port, '/api/v1/sessions', { ...csv, progress: 'q1' }, 'bob-token');
  t.match((await pollUntil(port, 'q1', 'bob-token', (a) => a.status === 200)).json, { state: 'queued' }, "bob's own q1 is another query");
  t.equal((await poll(port, 'q1')).status, 200, "and alice's is still hers");

  alice.abort();
  await t.rejects(alice.answer, 'alice goes away while queued');
  const gone = await pollUntil(port, 'q1', 'alice-token', (a) => a.status !== 200);
  t.equal(gone.status, 404, 'her query is forgotten once her connection closes');
  t.equal((await poll(port, 'q1', 'bob-token')).status, 200, "bob's stays");

  slot();
  const answer = await bob.answer;
  t.equal(answer.status, 200, "with the slot free, bob's query runs");
  const plain = await request(port, '/api/v1/sessions', csv, 'bob-token').answer;
  t.equal(plain.text.split('\n').length - 1, SEGMENTS.reduce((a, b) => a + b, 0), 'every session (the frame holds them all)');
  t.equal(answer.text, plain.text, 'the same bytes as without progress');
  const after = await poll(port, 'q1', 'bob-token');
  t.equal(after.status, 404, 'a finished query is unknown');
});

t.test('a user may have at most MAX_TRACKED_PER_USER queries with progress at once', async (t) => {
  const { api, queue } = await startApi(memorySource());
  const port = api.port;
  const slot = await queue.acquire();
  const params = { ...FRAME, format: 'csv', rows: 1 };
  const waiting = Array.from({ length: MAX_TRACKED_PER_USER }, (_, i) => request(port, '/api/v1/sessions', { ...params, progress: `w${i}` }, 'alice-token'));
  const seen = [];
  for (let i = 0; i < MAX_TRACKED_PER_USER; i++) seen.push((await pollUntil(port, `w${i}`, 'alice-token', (a) => a.status === 200)).status);
  t.ok(seen.every((s) => s === 200), `all ${MAX_TRACKED_PER_USER} are queued and followed`);
  const over = await request(port, '/api/v1/sessions', { ...params, progress: 'one-more' }, 'alice-token').answer;
  t.equal(over.status, 429, `query ${MAX_TRACKED_PER_USER + 1} with progress: 429`);
  t.match(over.json, { code: 'TOO_MANY_PROGRESS_QUERIES', param: 'progress', error: `alice already has ${MAX_TRACKED_PER_USER} session queries with progress running; wait for one to end, or leave progress= out` });
  const without = request(port, '/api/v1/sessions', params, 'alice-token');
  const bob = request(port, '/api/v1/sessions', { ...params, progress: 'b' }, 'bob-token');
  slot();
  t.equal((await without.answer).status, 200, 'a query without progress is not counted');
  t.equal((await bob.answer).status, 200, 'nor are her queries counted against bob');
  const answers = await Promise.all(waiting.map((w) => w.answer));
  t.ok(answers.every((a) => a.status === 200 && a.text.split('\n').length === 2), 'all of hers ran, one session each');
  t.equal((await poll(port, 'w0')).status, 404, 'and are forgotten');
  t.equal((await request(port, '/api/v1/sessions', { ...params, progress: 'one-more' }, 'alice-token').answer).status, 200, 'after which she may start more');
});

t.test('a query that fails mid-answer is forgotten; JSON and NDJSON answers are unchanged by progress', async (t) => {
  const mem = memorySource();
  /** The store, whose third segment cannot be read. */
  const failing: SessionSource = {
    segments: (from, to) => mem.segments(from, to),
    open: (info: SegmentInfo): SegmentReader => {
      if (info.rows === SEGMENTS[2]) throw new Error('disk on fire');
      return mem.open(info);
    },
  };
  const { api } = await startApi(failing);
  const port = api.port;
  const cut = request(port, '/api/v1/sessions', { ...FRAME, format: 'ndjson', progress: 'f1' }, 'alice-token');
  await t.rejects(cut.answer, 'the answer is cut off when the store fails after it began');
  t.equal((await poll(port, 'f1')).status, 404, 'and the query is forgotten');

  const { api: good } = await startApi(mem);
  for (const format of ['json', 'ndjson'] as const) {
    for (const query of [undefined, 'SRVPORT=65535', 'PROTO=UDP']) {
      const params = { ...FRAME, format, ...(query !== undefined && { query }) };
      const plain = await request(good.port, '/api/v1/sessions', params, 'alice-token').answer;
      const followed = await request(good.port, '/api/v1/sessions', { ...params, progress: `${format}-${query ?? 'all'}`.replace(/[^A-Za-z0-9-]/g, '_') }, 'alice-token').answer;
      t.equal(followed.status, 200);
      t.equal(followed.text, plain.text, `${format}${query === undefined ? '' : ` with ${query}`}: the same bytes as without progress`);
    }
  }
});
