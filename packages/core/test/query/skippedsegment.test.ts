import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { COLUMN_NAMES } from '../../src/fields/columns.js';
import { evaluateReference, parseFilter, rowAt, type FilterNode, type SessionRow } from '../../src/filter/index.js';
import { WorkerPool, rank, streamSessions, type RankQuery, type SessionSource, type SkippedSegment } from '../../src/query/index.js';
import { ColumnStore, writeSegment, type SegmentFileInfo } from '../../src/store/index.js';
import { flipColumnByte } from '../store/flipcolumnbyte.js';
import { FROM, TO, randomSessions } from './randomsessions.js';
import { allRows, normalise, referenceRank } from './referencerank.js';

// Six segments, one batch each, so that the sessions of every segment are known without reading it.
const fixture = randomSessions(21, 6, 250);
const VICTIM = 3;
const others = allRows(fixture.batches.filter((_, i) => i !== VICTIM - 1));
const everything = allRows(fixture.batches);

const span = TO - FROM;
const WHOLE = [FROM - span, FROM + 3 * span] as const;
const CUT = [FROM + 777, TO - 555] as const;
const FILTER = parseFilter('PROTO=TCP || SRVPORT=53');

/**
 * Rankings that read `column` of every segment, on one thread and in workers: by segment (IP)
 * and by entity share (IPPAIR and UNIQUE), segments inside the frame (volumes summed as frames
 * or by code) and cut by it (pro-rated, with slices).
 */
function queriesReading(column: string): RankQuery[] {
  const q: RankQuery[] = [
    { entity: 'IP', count: 'BYTES', fromUs: CUT[0], toUs: CUT[1], slices: 3, filter: FILTER },
    { entity: 'IPPAIR', count: 'UNIQUE', unique: 'PORTPROTO', fromUs: CUT[0], toUs: CUT[1], filter: FILTER },
    { entity: 'IP', count: 'PACKETS', direction: 'snd', fromUs: CUT[0], toUs: CUT[1], filter: FILTER },
  ];
  // a segment inside the frame reads no time column
  if (column !== 'end') q.push({ entity: 'IP', count: 'BYTES', fromUs: WHOLE[0], toUs: WHOLE[1], filter: column === 'proto' ? FILTER : undefined });
  return q;
}

/** The fixture as segment files in a new directory, column `column` of segment VICTIM with one byte flipped. */
function damagedStore(t: Test, column: string): { store: ColumnStore; victim: SegmentFileInfo } {
  const dir = t.testdir();
  fixture.batches.forEach((b, i) => writeSegment(dir, i + 1, b.columns, b.rows));
  const store = ColumnStore.open(dir, { segmentCount: 100, segmentSize: 1000 });
  t.teardown(() => store.close());
  const victim = store.list().find((s) => s.id === VICTIM)!;
  flipColumnByte(victim, column);
  return { store, victim };
}

/** The store as a source that does not learn from queries: every query finds the damage itself. */
function forgetful(store: ColumnStore): SessionSource {
  return { segments: (from, to) => store.segments(from, to), open: (info) => store.open(info) };
}

function label(q: RankQuery): string {
  return `${q.entity} ${q.count}${q.unique === undefined ? '' : ` ${q.unique}`} ${q.direction ?? ''} ${q.fromUs === CUT[0] ? 'cut' : 'whole'}${q.slices ? ` -w ${q.slices}` : ''}`;
}

function skippedAs(t: Test, got: readonly SkippedSegment[], victim: SegmentFileInfo, column: string, what: string): void {
  t.equal(got.length, 1, `${what}: one segment skipped`);
  t.equal(got[0]?.id, victim.id, `${what}: segment ${victim.id}`);
  t.equal(got[0]?.path, victim.ref.path, `${what}: its file`);
  t.match(got[0]?.reason, new RegExp(`^column ${column}: checksum mismatch`), `${what}: why`);
}

const pool = new WorkerPool(2);
t.teardown(() => pool.close());

for (const column of ['clnip', 'srvip', 'clnbyts', 'srvpkts', 'end', 'proto']) {
  t.test(`a segment whose ${column} fails its CRC is skipped whole: the rankings are exact over the others, on one thread and in workers`, async (t) => {
    const { store, victim } = damagedStore(t, column);
    const src = forgetful(store);
    for (const q of queriesReading(column)) {
      const want = referenceRank(others, q);
      t.not(want.sessions, referenceRank(everything, q).sessions, `${label(q)}: the victim has sessions in the frame`);
      const one = await rank(src, q);
      t.strictSame(normalise(one), want, `${label(q)}, one thread`);
      skippedAs(t, one.summary.skipped, victim, column, `${label(q)}, one thread`);
      const two = await rank(src, q, { pool });
      t.strictSame(two, one, `${label(q)}, two workers: the same result`);
    }
    t.equal(store.corruptSegments, 0, 'a source without segmentDamaged is not told');
  });
}

/** The sessions of `rows` a stream over [from, to) with `filter` returns, as a sorted multiset. */
function streamed(rows: readonly SessionRow[], from: number, to: number, filter: FilterNode): string[] {
  const inFrame = (r: SessionRow): boolean => (r.end! <= r.start! ? from <= r.start! && r.start! < to : r.start! < to && r.end! > from);
  return rows
    .filter((r) => inFrame(r) && evaluateReference(filter, r))
    .map((r) => COLUMN_NAMES.map((c) => String(r[c])).join(','))
    .sort();
}

t.test('a session stream skips the damaged segment whole and says so', async (t) => {
  const { store, victim } = damagedStore(t, 'srvbyts');
  const skipped: SkippedSegment[] = [];
  const got: string[] = [];
  for (const b of streamSessions(forgetful(store), { fromUs: CUT[0], toUs: CUT[1], filter: FILTER, batchRows: 50 }, { onSkipped: (s) => skipped.push(s) })) {
    for (let i = 0; i < b.rows; i++) {
      const r = rowAt(b.columns, i);
      got.push(COLUMN_NAMES.map((c) => String(r[c])).join(','));
    }
  }
  const want = streamed(others, CUT[0], CUT[1], FILTER);
  t.not(want.length, streamed(everything, CUT[0], CUT[1], FILTER).length, 'the victim has sessions in the frame');
  t.strictSame(got.sort(), want, 'every session of the other segments, none of the victim');
  skippedAs(t, skipped, victim, 'srvbyts', 'stream');
});

t.test('the store remembers a segment a query found damaged: reported once, listed as damaged, skipped unread by later queries', async (t) => {
  const { store, victim } = damagedStore(t, 'clnbyts');
  const q: RankQuery = { entity: 'IP', count: 'BYTES', fromUs: CUT[0], toUs: CUT[1] };
  t.equal(store.corruptSegments, 0, 'headers are intact: nothing found at open');
  const first = await rank(store, q);
  skippedAs(t, first.summary.skipped, victim, 'clnbyts', 'the query that found it');
  t.equal(store.corruptSegments, 1, 'counted');
  t.equal(store.stats().corruptSegments, 1, 'in the stats too');
  t.strictSame(
    store.problems.map((p) => [p.code, p.path]),
    [['CORRUPT', victim.ref.path]],
    'in the store report',
  );
  t.match(store.problems[0]!.message, /skipping corrupt segment: column clnbyts: checksum mismatch/);
  t.match(store.list().find((s) => s.id === VICTIM)!.damaged, /^column clnbyts: checksum mismatch/, 'listed as damaged');
  t.ok(fs.existsSync(victim.ref.path), 'the file stays (a query in another thread may hold it)');
  // later queries do not open it: without its file they still answer, and still say what they lack
  fs.renameSync(victim.ref.path, path.join(path.dirname(victim.ref.path), 'elsewhere'));
  for (const opts of [{}, { pool }]) {
    const again = await rank(store, q, opts);
    t.strictSame(normalise(again), referenceRank(others, q), `a later query${'pool' in opts ? ' in workers' : ''}: the same exact answer`);
    skippedAs(t, again.summary.skipped, victim, 'clnbyts', 'a later query');
  }
  const skipped: SkippedSegment[] = [];
  let rows = 0;
  for (const b of streamSessions(store, { fromUs: CUT[0], toUs: CUT[1] }, { onSkipped: (s) => skipped.push(s) })) rows += b.rows;
  t.equal(rows, streamed(others, CUT[0], CUT[1], { type: 'all' }).length, 'a later stream: the other segments');
  skippedAs(t, skipped, victim, 'clnbyts', 'a later stream');
  t.equal(store.corruptSegments, 1, 'still counted once');
});

t.test('the workers tell the calling thread, which tells the source once', async (t) => {
  const { store, victim } = damagedStore(t, 'srvip');
  const told: SkippedSegment[] = [];
  const src: SessionSource = { ...forgetful(store), segmentDamaged: (s) => told.push(s) };
  // split by entity: both workers read (and skip) every segment
  const r = await rank(src, { entity: 'IPPAIR', count: 'UNIQUE', unique: 'PORTPROTO', fromUs: CUT[0], toUs: CUT[1] }, { pool });
  skippedAs(t, r.summary.skipped, victim, 'srvip', 'the result');
  skippedAs(t, told, victim, 'srvip', 'the source');
});

t.test('other failures are not damage: a vanished segment still fails the query', async (t) => {
  const { store } = damagedStore(t, 'clnbyts');
  fs.unlinkSync(store.list()[0]!.ref.path);
  await t.rejects(rank(forgetful(store), { entity: 'IP', count: 'BYTES', fromUs: CUT[0], toUs: CUT[1] }), { name: 'StoreError', code: 'MISSING' });
  t.throws(() => [...streamSessions(forgetful(store), { fromUs: CUT[0], toUs: CUT[1] })], { name: 'StoreError', code: 'MISSING' });
});
