// Tests of the scan progress a ranking reports (what GET /api/v1/stat?progress=1 streams): on the
// calling thread after every segment, on a worker pool as the workers finish segments, in both of
// the pool's ways of sharing the work; the counts rise and end at the rows of the segments scanned.

import t from 'tap';
import { MemorySource, SessionGenerator, WorkerPool, allocColumns, rank, type RankQuery } from '@opentraq/core';

const SEGMENTS = [3000, 500, 4000, 1200, 2500, 800];
const TOTAL = SEGMENTS.reduce((a, b) => a + b, 0);
const START_US = 1_700_000_000_000_000;

/** Six memory segments of generated sessions within one hour. */
function source(): MemorySource {
  const src = new MemorySource();
  SEGMENTS.forEach((rows, k) => {
    const c = allocColumns(rows);
    new SessionGenerator({ seed: 40 + k, sessions: rows, startUs: START_US + k * 600_000_000, spanUs: 600_000_000 }).fill(c);
    src.append(c, rows);
  });
  return src;
}

const SRC = source();
const FRAME = { fromUs: START_US - 3_600_000_000, toUs: START_US + 7_200_000_000 };

async function reports(q: RankQuery, opts: { pool?: WorkerPool; progressMs?: number } = {}): Promise<{ calls: [number, number][]; rows: string }> {
  const calls: [number, number][] = [];
  const r = await rank(SRC, q, { ...opts, onProgress: (scanned, total) => calls.push([scanned, total]) });
  return { calls, rows: JSON.stringify(r.rows) };
}

function rising(calls: readonly (readonly [number, number])[]): boolean {
  return calls.every(([s], i) => i === 0 || s >= calls[i - 1]![0]);
}

t.test('on the calling thread: after every segment, rising to the total', async (t) => {
  const { calls, rows } = await reports({ entity: 'IP', count: 'BYTES', ...FRAME, rows: 10 });
  t.ok(calls.length > 0);
  t.ok(calls.every(([, total]) => total === TOTAL), `the total is every segment's rows (${TOTAL})`);
  t.strictSame(calls[0], [0, TOTAL], 'the first report comes before any segment');
  t.strictSame(calls.at(-1), [TOTAL, TOTAL], 'the last is the total');
  t.ok(rising(calls), 'the counts never go down');
  const partial = new Set(calls.map(([s]) => s).filter((s) => s > 0 && s < TOTAL));
  t.equal(partial.size, SEGMENTS.length - 1, 'one report between each two segments');
  for (const s of partial) {
    const sums = SEGMENTS.map((_, k) => SEGMENTS.slice(0, k + 1).reduce((a, b) => a + b, 0));
    t.ok(sums.includes(s), `${s} is the rows of the first segments scanned`);
  }
  const plain = await rank(SRC, { entity: 'IP', count: 'BYTES', ...FRAME, rows: 10 });
  t.equal(rows, JSON.stringify(plain.rows), 'reporting progress changes nothing in the answer');
});

t.test('on a worker pool: counted by the workers, rising to the total, in both ways of sharing the work', async (t) => {
  const pool = new WorkerPool(2);
  t.teardown(() => pool.close());
  // IP by bytes: the workers claim segments; IPPAIR: every worker reads every segment for its share of pairs
  for (const q of [{ entity: 'IP', count: 'BYTES' }, { entity: 'IPPAIR', count: 'SESSIONS' }] as const) {
    const { calls, rows } = await reports({ ...q, ...FRAME, rows: 10 }, { pool, progressMs: 1 });
    t.strictSame(calls[0], [0, TOTAL], `${q.entity}: the first report is 0 of the total`);
    t.strictSame(calls.at(-1), [TOTAL, TOTAL], `${q.entity}: the last is the total`);
    t.ok(rising(calls), `${q.entity}: the counts never go down (${[...new Set(calls.map(([s]) => s))].join(' ')})`);
    t.ok(calls.every(([s, total]) => total === TOTAL && s >= 0 && s <= TOTAL), `${q.entity}: every count within 0 .. total`);
    const plain = await rank(SRC, { ...q, ...FRAME, rows: 10 }, { pool });
    t.equal(rows, JSON.stringify(plain.rows), `${q.entity}: the same answer as without progress`);
  }
});

t.test('an empty frame reports 0 of 0', async (t) => {
  const { calls } = await reports({ entity: 'IP', count: 'BYTES', fromUs: 1000, toUs: 2000, rows: 10 });
  t.strictSame(calls, [
    [0, 0],
    [0, 0],
  ]);
});
