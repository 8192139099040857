import t from 'tap';
import { COLUMN_NAMES, allocColumns, type ColumnArray, type ColumnName } from '../../src/fields/columns.js';
import { evaluateReference, parseFilter, rowAt, type FilterNode, type SessionRow } from '../../src/filter/index.js';
import { MemorySource, streamSessions, type SegmentInfo, type SegmentReader, type SessionBatch, type SessionSource } from '../../src/query/index.js';
import { FROM, TO, randomSessions } from './randomsessions.js';
import { allRows } from './referencerank.js';

const fixture = randomSessions(3, 8, 250);
const rows = allRows(fixture.batches);

function inFrame(r: SessionRow, from: number, to: number): boolean {
  const s = r.start!;
  const e = r.end!;
  return e <= s ? from <= s && s < to : s < to && e > from;
}

/** Every batch turned back into rows. */
function collect(batches: Iterable<SessionBatch>): SessionRow[] {
  const out: SessionRow[] = [];
  for (const b of batches) for (let i = 0; i < b.rows; i++) out.push(rowAt(b.columns, i));
  return out;
}

const fingerprint = (r: SessionRow): string => COLUMN_NAMES.map((c) => String(r[c])).join(',');

/** The rows expected, as a sorted multiset (order is checked apart). */
function expected(from: number, to: number, filter?: FilterNode): string[] {
  return rows.filter((r) => inFrame(r, from, to) && (filter === undefined || evaluateReference(filter, r))).map(fingerprint).sort();
}

t.test('every matching session, whole, in start order, across overlapping segments', async (t) => {
  const frames: [number, number][] = [
    [FROM, TO],
    [FROM + 600_000_000, FROM + 600_000_001],
    [FROM - 1e12, TO + 1e12],
  ];
  for (const [from, to] of frames) {
    for (const f of [undefined, parseFilter('SRVPORT=443,22 || ADDR=2001:db8::/32')]) {
      for (const batchRows of [1, 7, 4096]) {
        const batches = [...streamSessions(fixture.source, { fromUs: from, toUs: to, filter: f, batchRows })];
        const got = collect(batches);
        t.strictSame(got.map(fingerprint).sort(), expected(from, to, f), `complete [${from - FROM}, ${to - FROM}) ${f ? 'filtered' : ''} by ${batchRows}`);
        t.ok(got.every((r, i) => i === 0 || got[i - 1]!.start! <= r.start!), 'sorted by start');
        t.ok(batches.every((b, i) => b.rows > 0 && (b.rows === batchRows || i === batches.length - 1)), 'full batches but the last');
      }
    }
  }
});

t.test('the limit stops the stream early and keeps the earliest sessions', async (t) => {
  const all = collect(streamSessions(fixture.source, { fromUs: FROM, toUs: TO }));
  for (const limit of [1, 5, 100, all.length, all.length + 10]) {
    const got = collect(streamSessions(fixture.source, { fromUs: FROM, toUs: TO, limit, batchRows: 16 }));
    t.strictSame(got.map(fingerprint), all.slice(0, limit).map(fingerprint), `limit ${limit}`);
  }
});

t.test('ties in start keep segment order; only the asked columns come back', async (t) => {
  const src = new MemorySource();
  for (let seg = 0; seg < 3; seg++) {
    const c = allocColumns(4);
    for (let i = 0; i < 4; i++) {
      c.start[i] = 100 + (i % 2);
      c.end[i] = 200;
      c.srvport[i] = seg * 10 + i;
    }
    src.append(c, 4);
  }
  const [batch, more] = [...streamSessions(src, { fromUs: 0, toUs: 1000, columns: ['srvport', 'start'] })];
  t.equal(more, undefined, 'one batch');
  t.strictSame(Object.keys(batch!.columns).sort(), ['srvport', 'start']);
  t.strictSame([...(batch!.columns.srvport as Uint16Array)], [0, 2, 10, 12, 20, 22, 1, 3, 11, 13, 21, 23]);
});

t.test('segments are opened only when the merge reaches them and always closed', async (t) => {
  class Counting implements SessionSource {
    open_ = 0;
    maxOpen = 0;
    closed = 0;
    constructor(private readonly inner: MemorySource) {}
    segments(from: number, to: number): SegmentInfo[] {
      return this.inner.segments(from, to);
    }
    open(info: SegmentInfo): SegmentReader {
      this.open_++;
      this.maxOpen = Math.max(this.maxOpen, this.open_ - this.closed);
      const r = this.inner.open(info);
      return { info, read: (n: readonly ColumnName[]) => r.read(n), close: () => void this.closed++ };
    }
  }
  // Ten segments one after the other in time: at most two are ever open together.
  const src = new MemorySource();
  for (let seg = 0; seg < 10; seg++) {
    const c = allocColumns(50);
    for (let i = 0; i < 50; i++) {
      c.start[i] = seg * 1000 + i * 10;
      c.end[i] = c.start[i]! + 5;
    }
    src.append(c, 50);
  }
  const counting = new Counting(src);
  t.equal(collect(streamSessions(counting, { fromUs: 0, toUs: 1e6, batchRows: 64 })).length, 500);
  t.ok(counting.maxOpen <= 2, `at most ${counting.maxOpen} segments open at once`);
  t.equal(counting.closed, counting.open_, 'every opened segment closed');
  const early = new Counting(src);
  for (const b of streamSessions(early, { fromUs: 0, toUs: 1e6, batchRows: 64 })) {
    t.equal(b.rows, 64);
    break;
  }
  t.ok(early.open_ < 10, `stopping early opened ${early.open_} of 10 segments`);
  t.equal(early.closed, early.open_, 'and closed them');
});

t.test('onProgress: the rows scanned after every segment, rising to the total, control back even when nothing matches', async (t) => {
  // Ten segments of 50, 51, ... 59 rows one after the other in time; a session of segment k has srvport k.
  const src = new MemorySource();
  const sizes = Array.from({ length: 10 }, (_, k) => 50 + k);
  sizes.forEach((n, seg) => {
    const c = allocColumns(n);
    for (let i = 0; i < n; i++) {
      c.start[i] = seg * 1000 + i * 10;
      c.end[i] = c.start[i]! + 5;
      c.srvport[i] = seg;
    }
    src.append(c, n);
  });
  const total = 545;
  const prefix = sizes.map((_, k) => sizes.slice(0, k + 1).reduce((a, b) => a + b, 0));
  for (const [what, filter, matches] of [
    ['no filter', undefined, total],
    ['a filter matching segments 3 and 7', parseFilter('SRVPORT=3,7'), 53 + 57],
    ['a filter matching nothing', parseFilter('SRVPORT=99'), 0],
  ] as const) {
    const calls: [number, number][] = [];
    const batches = [...streamSessions(src, { fromUs: 0, toUs: 1e6, batchRows: 64, filter }, { onProgress: (s, n) => calls.push([s, n]) })];
    t.strictSame(calls, [[0, total], ...prefix.map((s) => [s, total])], `${what}: 0 first, then after each segment the rows of the segments scanned`);
    t.equal(batches.reduce((n, b) => n + b.rows, 0), matches, `${what}: every matching session`);
    t.ok(batches.length >= sizes.length, `${what}: a batch (${batches.map((b) => b.rows).join(' ')}) after each segment at least`);
    const plain = collect(streamSessions(src, { fromUs: 0, toUs: 1e6, batchRows: 64, filter }));
    t.strictSame(collect(batches).map(fingerprint), plain.map(fingerprint), `${what}: the same sessions in the same order as without progress`);
  }
  const calls: [number, number][] = [];
  const none = [...streamSessions(src, { fromUs: 0, toUs: 1e6, filter: parseFilter('SRVPORT=99') }, { onProgress: (s, n) => calls.push([s, n]) })];
  t.ok(none.every((b) => b.rows === 0) && none.length === sizes.length, 'nothing matching: one empty batch per segment scanned');

  const limited: [number, number][] = [];
  const first = collect(streamSessions(src, { fromUs: 0, toUs: 1e6, limit: 60 }, { onProgress: (s, n) => limited.push([s, n]) }));
  t.equal(first.length, 60, 'a limit still stops the stream');
  t.strictSame(limited.at(-1), [101, total], 'after the two segments it needed');

  const empty: [number, number][] = [];
  t.strictSame([...streamSessions(src, { fromUs: 1e9, toUs: 2e9 }, { onProgress: (s, n) => empty.push([s, n]) })], [], 'an empty frame: no batch');
  t.strictSame(empty, [[0, 0]], 'and 0 of 0');

  const batches = [...streamSessions(fixture.source, { fromUs: FROM, toUs: TO, filter: parseFilter('SRVPORT=443,22') }, { onProgress: () => undefined })];
  t.strictSame(collect(batches).map(fingerprint).sort(), expected(FROM, TO, parseFilter('SRVPORT=443,22')), 'overlapping segments: still every matching session');
});

t.test('bad stream queries and bad batches are refused clearly', async (t) => {
  const first = (q: Parameters<typeof streamSessions>[1]) => () => streamSessions(fixture.source, q).next();
  t.throws(first({ fromUs: TO, toUs: FROM }), { name: 'QueryError', code: 'BAD_TIME_FRAME' });
  t.throws(first({ fromUs: FROM, toUs: TO, limit: 0 }), { code: 'BAD_ROWS', message: /limit must be a positive whole number/ });
  t.throws(first({ fromUs: FROM, toUs: TO, columns: ['nope' as ColumnName] }), { code: 'UNKNOWN_COLUMN', message: /unknown column "nope"/ });

  const src = new MemorySource();
  t.throws(() => src.append(allocColumns(2), 0), { code: 'BAD_BATCH', message: /positive whole number of rows/ });
  t.throws(() => src.append(allocColumns(2), 3), { code: 'BAD_BATCH', message: /column start holds 2 values, fewer than the 3 of 3 rows/ });
  const partial = allocColumns(2) as Partial<Record<ColumnName, ColumnArray>>;
  delete partial.flows;
  t.throws(() => src.append(partial as never, 2), { code: 'BAD_BATCH', message: /no column flows/ });
  const wrong = { ...allocColumns(2), proto: new Uint16Array(2) };
  t.throws(() => src.append(wrong, 2), { code: 'BAD_BATCH', message: /column proto must be a Uint8Array \(got Uint16Array\)/ });
});

t.test('MemorySource: sorted copies, statistics, pruning by time, removal', async (t) => {
  const src = new MemorySource();
  const c = allocColumns(3);
  c.start.set([30, 10, 20]);
  c.end.set([35, 50, 21]);
  c.srvport.set([3, 1, 2]);
  const info = src.append(c, 3);
  c.srvport[0] = 99;
  t.strictSame([...(src.open(info).read(['srvport']).srvport as Uint16Array)], [1, 2, 3], 'sorted by start, copied');
  t.strictSame([info.startMin, info.startMax, info.endMax], [10, 30, 50]);
  t.strictSame(info.stats.srvport, { min: 1, max: 3 });
  t.ok(info.ref.kind === 'memory' && info.ref.columns.start!.buffer instanceof SharedArrayBuffer, 'shared with workers without a copy');
  t.strictSame(src.segments(50, 60), [info], 'a session ending at 50 may be an instant at 50');
  t.strictSame(src.segments(51, 60), []);
  t.strictSame(src.segments(0, 10), [], 'the frame end is exclusive');
  t.throws(() => src.open(info).read(['bogus' as ColumnName]), { code: 'UNKNOWN_COLUMN' });
  t.equal(src.remove(info.id), true);
  t.equal(src.remove(info.id), false);
  t.strictSame(src.all(), []);
});

t.test('MemorySource: batches are stored sorted by start with their stats, listed by start, adopted without a copy', async (t) => {
  const src = new MemorySource();
  const n = 500;
  const cols = allocColumns(n);
  const start = cols.start as Float64Array;
  const end = cols.end as Float64Array;
  const port = cols.srvport as ColumnArray;
  // starts out of order, spanning more than 2^32 µs for half the rows (the comparison-sort path) and ties
  for (let i = 0; i < n; i++) {
    start[i] = 1.7e15 + ((i * 7919) % n) * (i % 2 === 0 ? 1 : 2 ** 23) + (i % 3 === 0 ? 0 : 1);
    end[i] = start[i]! + 10;
    port[i] = i;
  }
  const info = src.append(cols, n);
  const ref = info.ref as { columns: Record<string, ColumnArray> };
  const s = ref.columns.start as Float64Array;
  const p = ref.columns.srvport as ColumnArray;
  const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a]! - start[b]! || a - b);
  t.same(Array.from(p), want, 'rows in stable start order, whole rows moved together');
  t.ok(s.every((v, i) => i === 0 || v >= s[i - 1]!), 'starts ascending');
  t.same([info.startMin, info.startMax], [Math.min(...start), Math.max(...start)]);
  t.same(info.stats.srvport, { min: 0, max: n - 1 });
  const sortedCols = allocColumns(3);
  (sortedCols.start as Float64Array).set([5, 6, 7]);
  (sortedCols.end as Float64Array).set([5, 6, 7]);
  const early = src.append(sortedCols, 3);
  t.same(src.all().map((x) => x.id), [early.id, info.id], 'listed by startMin');
  const other = new MemorySource();
  const adopted = other.adopt(info);
  t.equal((adopted.ref as { columns: Record<string, ColumnArray> }).columns.start, s, 'adopt keeps the same arrays');
  t.equal(other.all().length, 1);
  t.throws(() => other.adopt({ ...info, ref: { kind: 'file', path: '/x' } }), { code: 'UNSUPPORTED_SEGMENT' });
});
