import fs from 'node:fs';
import t, { type Test } from 'tap';
import { ENTITIES, UNIQUE_TARGETS } from '../../src/fields/entities.js';
import { parseFilter } from '../../src/filter/index.js';
import { MemorySource, WorkerPool, rank, type RankQuery } from '../../src/query/index.js';
import { ColumnStore } from '../../src/store/index.js';
import { FROM, TO, randomSessions } from './randomsessions.js';

const fixture = randomSessions(11, 7, 400);

/** The same sessions in the on-disk store, cut into segments of another size. */
function diskStore(t: Test): ColumnStore {
  const store = ColumnStore.open(t.testdir(), { segmentCount: 100, segmentSize: 500 });
  for (const b of fixture.batches) store.append(b.columns, b.rows);
  store.flush();
  t.teardown(() => store.close());
  return store;
}

const queries: RankQuery[] = [];
for (const e of ENTITIES) {
  queries.push({ entity: e.name, count: 'BYTES', fromUs: FROM, toUs: TO });
  queries.push({ entity: e.name, count: 'SESSIONS', fromUs: FROM + 1234, toUs: TO - 999, slices: 5, rows: 3 });
  queries.push({ entity: e.name, count: 'UNIQUE', unique: UNIQUE_TARGETS[queries.length % UNIQUE_TARGETS.length]!, fromUs: FROM, toUs: TO, slices: 3 });
  if (e.shape === 'sided') {
    queries.push({ entity: e.name, count: 'PACKETS', direction: 'snd', fromUs: FROM, toUs: TO, slices: 4, filter: parseFilter('ADDR=10.0.0.0/29 || ASN=64500 || VLAN=10') });
  }
}

// Starting workers is slow under the test runner (each compiles the engine): one pool serves most tests.
const pool = new WorkerPool(2);

t.test('a pool of 2 gives byte-identical results to ranking on the calling thread', async (t) => {
  for (const q of queries) {
    const one = await rank(fixture.source, q, { workers: 1 });
    const two = await rank(fixture.source, q, { workers: 2, pool });
    t.strictSame(two, one, `${q.entity} ${q.count} ${q.unique ?? ''} ${q.direction ?? ''}`);
  }
  // Many queries at once share the pool.
  const all = await Promise.all(queries.slice(0, 12).map((q) => rank(fixture.source, q, { pool })));
  for (let i = 0; i < all.length; i++) t.strictSame(all[i], await rank(fixture.source, queries[i]!), `concurrent ${i}`);
});

t.test('workers open the segment files of the on-disk store themselves', async (t) => {
  const store = diskStore(t);
  t.ok(store.segments(FROM, TO).length > 2, 'several files');
  for (const q of queries.slice(0, 12)) t.strictSame(await rank(store, q, { pool }), await rank(fixture.source, q), `${q.entity} ${q.count}`);
});

t.test('pair and UNIQUE rankings split by entity over 3 workers match one thread, filtered or not, from files', async (t) => {
  const store = diskStore(t);
  const three = new WorkerPool(3);
  t.teardown(() => three.close());
  const split = [
    { entity: 'IPPAIR', count: 'BYTES', fromUs: FROM + 777, toUs: TO - 555, rows: 4 },
    { entity: 'IPPAIR', count: 'UNIQUE', unique: 'PORTPROTO', fromUs: FROM, toUs: TO, slices: 6, rows: 2 },
    { entity: 'IFPAIR', count: 'PACKETS', fromUs: FROM, toUs: TO, slices: 3, filter: parseFilter('PROTO=TCP || SRVPORT=53') },
    { entity: 'PORTPROTO', count: 'UNIQUE', unique: 'IP', fromUs: FROM, toUs: TO, rows: 3, slices: 2 },
    { entity: 'MACPAIR', count: 'SESSIONS', fromUs: FROM, toUs: TO, filter: parseFilter('ADDR=10.0.0.0/29') },
    // sided entities: each side of a row goes to the share of its own entity
    { entity: 'IP', count: 'UNIQUE', unique: 'PORTPROTO', fromUs: FROM, toUs: TO, rows: 3 },
    { entity: 'IP', count: 'UNIQUE', unique: 'IP', direction: 'snd', fromUs: FROM + 4321, toUs: TO, slices: 4, filter: parseFilter('ADDR=10.0.0.0/29,2001:db8::/64') },
    { entity: 'IF', count: 'UNIQUE', unique: 'COUNTRY', direction: 'rcv', fromUs: FROM, toUs: TO - 9999 },
    { entity: 'COUNTRY', count: 'UNIQUE', unique: 'IP', fromUs: FROM, toUs: TO, slices: 2, filter: parseFilter('PROTO=TCP') },
    { entity: 'MAC', count: 'UNIQUE', unique: 'MAC', fromUs: FROM, toUs: TO, filter: parseFilter('MAC=00:11:22:33:44:55') },
  ] satisfies RankQuery[];
  for (const q of split) {
    const one = await rank(fixture.source, q);
    t.ok(one.summary.entities > (q.rows ?? 0), `${q.entity} ${q.count}: more entities than rows`);
    t.strictSame(await rank(store, q, { pool: three }), one, `${q.entity} ${q.count} ${q.unique ?? ''} from files`);
    t.strictSame(await rank(fixture.source, q, { pool: three }), one, `${q.entity} ${q.count} ${q.unique ?? ''} from memory`);
  }
});

t.test('rankings by segment over 3 workers (segments claimed as they go, partials merged by key in order) match one thread', async (t) => {
  const store = diskStore(t);
  const three = new WorkerPool(3);
  t.teardown(() => three.close());
  const span = TO - FROM;
  const byKey = [
    { entity: 'IP', count: 'BYTES', fromUs: FROM - span, toUs: FROM + 3 * span, rows: 5 },
    { entity: 'IP', count: 'PACKETS', direction: 'rcv', fromUs: FROM + 999, toUs: TO - 1, slices: 4 },
    { entity: 'COUNTRY', count: 'SESSIONS', direction: 'snd', fromUs: FROM, toUs: TO, slices: 3 },
    { entity: 'MAC', count: 'BYTES', fromUs: FROM, toUs: TO, filter: parseFilter('MAC=00:11:22:33:44:55 || PROTO=UDP') },
  ] satisfies RankQuery[];
  for (const q of byKey) {
    const one = await rank(fixture.source, q);
    t.strictSame(await rank(store, q, { pool: three }), one, `${q.entity} ${q.count} from files`);
    t.strictSame(await rank(fixture.source, q, { pool: three }), one, `${q.entity} ${q.count} from memory`);
  }
  // more workers than segments: the extra ones claim nothing
  const single = new MemorySource();
  single.append(fixture.batches[0]!.columns, fixture.batches[0]!.rows);
  const q = byKey[0]!;
  t.strictSame(await rank(single, q, { pool: three }), await rank(single, q), 'one segment, three workers');
});

t.test('a pool made for one call is closed after it; a closed pool refuses work', async (t) => {
  const q = queries[0]!;
  t.strictSame(await rank(fixture.source, q, { workers: 2 }), await rank(fixture.source, q));
  await pool.close();
  await t.rejects(rank(fixture.source, q, { pool }), { name: 'QueryError', code: 'POOL_CLOSED' });
  t.throws(() => new WorkerPool(0), { code: 'BAD_WORKERS' });
});

t.test('errors inside a worker come back as QueryErrors', async (t) => {
  const store = diskStore(t);
  const broken = new WorkerPool(1);
  t.teardown(() => broken.close());
  fs.unlinkSync(store.segments(FROM, TO)[0]!.ref.path);
  await t.rejects(rank(store, queries[0]!, { pool: broken }), { name: 'QueryError', code: 'WORKER_FAILED', message: /StoreError/ });
  t.strictSame(await rank(fixture.source, queries[1]!, { pool: broken }), await rank(fixture.source, queries[1]!), 'the worker still serves');
});
