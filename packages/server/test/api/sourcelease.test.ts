// The query API's hold on the segment files a query reads, on a real storage thread over real HTTP:
// released exactly once when the answer ends or fails (rankings on the pool or here, session streams),
// and by the connection's close for a query that never ends, after which the next cycle deletes them.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { QueryError, type WorkerPool } from '@opentraq/core';
import { HttpApi } from '../../src/api/http/httpapi.js';
import type { Authenticator, UserInfo, UserStore } from '../../src/auth/index.js';
import { Logger } from '../../src/log/index.js';
import { ServerMetrics } from '../../src/metrics/index.js';
import { QueryQueue } from '../../src/query/index.js';
import { SessionStoreThread } from '../../src/storage/index.js';
import { sessions, slice } from '../storage/rows.js';

const ADMIN: UserInfo = { name: 'admin', admin: true, created: 0, lastLogin: null };
const FRAME = { after_time: 0, before_time: Math.ceil(Date.now() / 1000) + 86400 };
const ALL = sessions(3000, 77);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sourcelease-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A pool that takes the work and never answers: the query waits forever. */
const silentPool = { size: 2, run: () => new Promise<never>(() => undefined) } as unknown as WorkerPool;
/** A pool whose every worker fails. */
const failingPool = { size: 2, run: async () => Promise.reject(new QueryError('WORKER_FAILED', 'a query worker failed: on purpose')) } as unknown as WorkerPool;

interface Fixture {
  store: SessionStoreThread;
  db: string;
  port: number;
  usePool(p: WorkerPool | undefined): void;
  /** One storage cycle with `rows` more finished sessions. */
  feed(rows: number): Promise<void>;
}

async function fixture(t: Test): Promise<Fixture> {
  const db = fs.mkdtempSync(path.join(dir, 'db-'));
  const { store } = await SessionStoreThread.open({ databasePath: db, segmentCount: 2, segmentSize: 100, computeCrc: true });
  let pool: WorkerPool | undefined;
  const notScraped = (): never => {
    throw new Error('the metrics are not scraped in this test');
  };
  const api = new HttpApi({
    auth: { check: () => ADMIN } as unknown as Authenticator,
    users: {} as UserStore,
    queue: new QueryQueue(4),
    pool: () => pool,
    source: () => store.querySource(null),
    extras: { asnOf: () => null, countryOf: () => null, serviceOf: () => null },
    metrics: new ServerMetrics({ pipeline: notScraped, listeners: notScraped, store: notScraped, auth: notScraped, queries: notScraped }),
    logger: new Logger({ level: 'CRITICAL', file: path.join(db, 'api.log') }),
    maxClientLatencyMs: () => 60_000,
  });
  await api.start(0, null, '127.0.0.1');
  t.teardown(async () => {
    await api.stop();
    await store.close();
  });
  let at = 0;
  return {
    store,
    db,
    port: api.port,
    usePool: (p) => {
      pool = p;
    },
    feed: async (rows) => {
      if (rows > 0) store.accept(slice(ALL, at, at + rows).cols, rows);
      at += rows;
      await store.cycle(() => null);
    },
  };
}

function request(port: number, p: string, params: Record<string, string | number>): { answer: Promise<{ status: number; text: string }>; abort: () => void } {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  let req: http.ClientRequest;
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req = http.request({ host: '127.0.0.1', port, path: `${p}?${query}`, headers: { authorization: 'Bearer any' }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
  return { answer, abort: () => req.destroy() };
}

/** Waits (polling, at most 2000 times) until `check` holds; whether it did. */
async function until(check: () => boolean): Promise<boolean> {
  for (let tries = 0; tries < 2000 && !check(); tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  return check();
}

const segmentFiles = (db: string): string[] => fs.readdirSync(db).filter((f) => /^seg-\d{10}\.otq$/.test(f)).sort();
const storeFiles = (store: SessionStoreThread): string[] => store.list().map((s) => path.basename(s.ref.path)).sort();

const STAT = { ...FRAME, group_by: 'IP', count_by: 'BYTES', rows: 20 };

t.test('a ranking that never ends holds its files until its connection closes', async (t) => {
  const f = await fixture(t);
  for (let k = 0; k < 4; k++) await f.feed(70);
  await f.feed(0);
  const view = storeFiles(f.store);
  t.same(segmentFiles(f.db), view, 'precondition: the directory holds the store’s files only');
  f.usePool(silentPool);
  const stuck = request(f.port, '/api/v1/stat', STAT);
  t.ok(await until(() => f.store.leasedSources === 1), 'the ranking took its source');
  for (let k = 0; k < 6; k++) await f.feed(70);
  t.same(view.filter((x) => storeFiles(f.store).includes(x)), [], 'precondition: all of its files have left the store');
  t.same(view.filter((x) => !segmentFiles(f.db).includes(x)), [], 'and stay on disk while it runs');
  stuck.abort();
  await t.rejects(stuck.answer, 'the client gives up');
  t.ok(await until(() => f.store.leasedSources === 0), 'the closed connection releases the source');
  t.ok(f.store.filesToDelete, 'the store has files to delete now');
  await f.feed(0);
  t.same(segmentFiles(f.db), storeFiles(f.store), 'and the next cycle deletes its files');
});

t.test('rankings and session streams release their source once when their answer ends or fails', async (t) => {
  const f = await fixture(t);
  for (let k = 0; k < 4; k++) await f.feed(70);
  const cases: { what: string; pool: WorkerPool | undefined; path: string; params: Record<string, string | number>; status: number }[] = [
    { what: 'a ranking on this thread', pool: undefined, path: '/api/v1/stat', params: STAT, status: 200 },
    { what: 'a ranking with progress', pool: undefined, path: '/api/v1/stat', params: { ...STAT, progress: 1 }, status: 200 },
    { what: 'a ranking whose workers fail', pool: failingPool, path: '/api/v1/stat', params: STAT, status: 500 },
    { what: 'a ranking with progress whose workers fail', pool: failingPool, path: '/api/v1/stat', params: { ...STAT, progress: 1 }, status: 200 },
    { what: 'a session stream', pool: undefined, path: '/api/v1/sessions', params: { ...FRAME, format: 'csv' }, status: 200 },
    { what: 'a session stream with progress', pool: undefined, path: '/api/v1/sessions', params: { ...FRAME, format: 'ndjson', progress: 'p1' }, status: 200 },
  ];
  for (const c of cases) {
    f.usePool(c.pool);
    const a = await request(f.port, c.path, c.params).answer;
    t.equal(a.status, c.status, `${c.what}: ${a.text.slice(0, 80)}`);
    t.ok(await until(() => f.store.leasedSources === 0), `${c.what}: released`);
    await f.feed(70);
  }
  await f.feed(0);
  t.same(segmentFiles(f.db), storeFiles(f.store), 'every dropped file deleted: nothing held by a query that ended');
});
