// MemorySource's two ways in: append (sorted by start, every column's statistics) and appendUnsorted
// (copied as given, read by queries only through sortedMemorySegment).
import t from 'tap';
import { COLUMN_DEFS, allocColumns, wordsPerRow } from '../../src/fields/columns.js';
import { MemorySource, QueryError, memorySegmentReader, rank, sortedMemorySegment, type SegmentInfo, type SessionSource } from '../../src/query/index.js';
import { FROM, TO, randomSessions } from './randomsessions.js';

const fixture = randomSessions(5, 3, 300);

/** The batch with its rows reversed: starts mostly falling, so a sort has work to do. */
function reversed(b: (typeof fixture.batches)[number]) {
  const cols = allocColumns(b.rows);
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    for (let i = 0; i < b.rows; i++) for (let j = 0; j < w; j++) cols[d.name][i * w + j] = b.columns[d.name][(b.rows - 1 - i) * w + j]!;
  }
  return { columns: cols, rows: b.rows };
}

t.test('appendUnsorted copies the rows as given, with the time ranges and a batch number of its own', async (t) => {
  const src = new MemorySource();
  const infos = fixture.batches.map((b) => src.appendUnsorted(reversed(b).columns, b.rows));
  const numbers = new Set<number>();
  for (const [k, info] of infos.entries()) {
    const given = reversed(fixture.batches[k]!);
    t.equal(info.ref.kind, 'memory');
    if (info.ref.kind !== 'memory') continue;
    t.type(info.ref.unsorted, 'number');
    numbers.add(info.ref.unsorted!);
    for (const d of COLUMN_DEFS) {
      const n = given.rows * wordsPerRow(d.type);
      t.same(Array.from(info.ref.columns[d.name]!), Array.from(given.columns[d.name].subarray(0, n)), `${d.name} as given`);
      t.ok(info.ref.columns[d.name]!.buffer instanceof SharedArrayBuffer, `${d.name} is shared`);
    }
    const starts = Array.from(given.columns.start.subarray(0, given.rows));
    const ends = Array.from(given.columns.end.subarray(0, given.rows));
    t.same([info.startMin, info.startMax, info.endMax], [Math.min(...starts), Math.max(...starts), Math.max(...ends)]);
  }
  t.equal(numbers.size, infos.length, 'each batch has its own number');
  t.throws(() => src.appendUnsorted(allocColumns(10), 0), QueryError);
  const short = allocColumns(10);
  t.throws(() => src.appendUnsorted(short, 11), /holds .* fewer than/);
});

t.test('a query reads an unsorted batch only as its sorted copy, which equals append()', async (t) => {
  const b = reversed(fixture.batches[0]!);
  const unsorted = new MemorySource().appendUnsorted(b.columns, b.rows);
  t.throws(() => memorySegmentReader(unsorted), { code: 'UNSUPPORTED_SEGMENT' }, 'read unsorted: refused');
  const copy = sortedMemorySegment(unsorted);
  const want = new MemorySource().append(b.columns, b.rows);
  t.equal(copy.id, unsorted.id, 'the copy keeps the id');
  t.same([copy.startMin, copy.startMax, copy.endMax, copy.stats], [want.startMin, want.startMax, want.endMax, want.stats], 'ranges and every column statistic');
  const got = memorySegmentReader(copy).read(COLUMN_DEFS.map((d) => d.name));
  const exp = memorySegmentReader(want).read(COLUMN_DEFS.map((d) => d.name));
  for (const d of COLUMN_DEFS) t.same(Array.from(got[d.name]!), Array.from(exp[d.name]!), `${d.name} sorted as append sorts it`);
  t.equal(sortedMemorySegment(want), want, 'a sorted segment is its own copy');
});

t.test('rankings over sorted copies of unsorted batches equal those over sorted batches, frame edges included', async (t) => {
  const sorted = new MemorySource();
  const unsorted = new MemorySource();
  for (const b of fixture.batches) {
    const r = reversed(b);
    sorted.append(r.columns, r.rows);
    unsorted.appendUnsorted(r.columns, r.rows);
  }
  const viaCopies: SessionSource = {
    segments: (from, to) => unsorted.segments(from, to).map(sortedMemorySegment),
    open: (info: SegmentInfo) => memorySegmentReader(info),
  };
  const third = (TO - FROM) / 3;
  for (const [fromUs, toUs] of [[FROM, TO], [FROM + third, FROM + 2 * third]] as const) {
    const q = { entity: 'IP', count: 'BYTES', fromUs, toUs } as const;
    const a = await rank(sorted, q);
    const b = await rank(viaCopies, q);
    t.same(b.rows, a.rows, `IP/BYTES over ${fromUs - FROM}..${toUs - FROM}`);
    t.ok(a.rows.length > 0);
  }
});

t.test('columns longer than the rows (a batch not full): only the rows are taken', async (t) => {
  const b = reversed(fixture.batches[1]!);
  const bigger = allocColumns(b.rows + 50);
  for (const d of COLUMN_DEFS) bigger[d.name].set(b.columns[d.name].subarray(0, b.rows * wordsPerRow(d.type)));
  bigger.start.fill(FROM - 1e12, b.rows);
  bigger.end.fill(TO + 1e12, b.rows);
  const info = new MemorySource().appendUnsorted(bigger, b.rows);
  const want = new MemorySource().append(b.columns, b.rows);
  t.same([info.rows, info.startMin, info.startMax, info.endMax], [b.rows, want.startMin, want.startMax, want.endMax], 'the rows beyond are not counted');
  if (info.ref.kind === 'memory') for (const d of COLUMN_DEFS) t.equal(info.ref.columns[d.name]!.length, b.rows * wordsPerRow(d.type), `${d.name} holds the rows only`);
  t.same(sortedMemorySegment(info).stats, want.stats);
});

t.test('an unsorted batch handed to rank workers as it is stays refused there', async (t) => {
  const src = new MemorySource();
  for (const b of fixture.batches) src.appendUnsorted(reversed(b).columns, b.rows);
  await t.rejects(rank(src, { entity: 'IP', count: 'BYTES', fromUs: FROM, toUs: TO }, { workers: 2 }), { code: 'UNSUPPORTED_SEGMENT' });
  await t.rejects(rank(src, { entity: 'IP', count: 'BYTES', fromUs: FROM, toUs: TO }), { code: 'UNSUPPORTED_SEGMENT' }, 'and on this thread');
});
