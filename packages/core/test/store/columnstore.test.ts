import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { COLUMN_DEFS, SCHEMA_VERSION, wordsPerRow, type Columns } from '../../src/fields/index.js';
import { crc32 } from 'node:zlib';
import { ColumnStore, StoreError, readSegmentInfo, writeSegment, type ColumnStoreOptions, type StoreLogger } from '../../src/store/index.js';
import { plausibleFlows } from './flowdata.js';

const T0 = Date.UTC(2024, 5, 1) * 1000;

/** n plausible sessions with unique starts one millisecond apart from T0 + first ms, so every row is recognisable by its start. */
function flows(n: number, first = 0, seed = first + 1): Columns {
  const c = plausibleFlows(n, seed);
  for (let i = 0; i < n; i++) {
    const dur = c.end[i]! - c.start[i]!;
    c.start[i] = T0 + (first + i) * 1000;
    c.end[i] = c.start[i]! + dur;
  }
  return c;
}

/** Rows first..first+n-1 of a batch, as their own batch. */
function slice(c: Columns, from: number, n: number): Columns {
  const out = {} as Record<string, Columns[keyof Columns]>;
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    out[d.name] = c[d.name].subarray(from * w, (from + n) * w);
  }
  return out as Columns;
}

/** Every row the store serves, as "start/clnport/srvbyts/srvip-low-word", sorted by start. */
function contents(store: ColumnStore): string[] {
  const rows: [number, string][] = [];
  for (const seg of store.segments(-Infinity, Infinity)) {
    const r = store.open(seg);
    const c = r.read(['start', 'clnport', 'srvbyts', 'srvip']);
    for (let i = 0; i < seg.rows; i++) rows.push([c.start![i]!, `${c.start![i]}/${c.clnport![i]}/${c.srvbyts![i]}/${c.srvip![4 * i + 3]}`]);
    r.close();
  }
  return rows.sort((a, b) => a[0] - b[0]).map((r) => r[1]);
}

/** The same description of rows first..first+n-1 of a batch made by flows(). */
function expected(c: Columns, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${c.start[i]}/${c.clnport[i]}/${c.srvbyts[i]}/${c.srvip[4 * i + 3]}`);
  return out.sort((a, b) => Number(a.split('/')[0]) - Number(b.split('/')[0]));
}

function segFiles(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

function recordingLogger(): StoreLogger & { lines: { details: Record<string, unknown>; message: string }[] } {
  const lines: { details: Record<string, unknown>; message: string }[] = [];
  return { lines, warn: (details, message) => lines.push({ details, message }) };
}

const opts = (o: Partial<ColumnStoreOptions> = {}): ColumnStoreOptions => ({ segmentCount: 10, segmentSize: 100, ...o });

t.test('an empty store', async (t) => {
  const dir = path.join(t.testdir(), 'SESSIONDB');
  const store = ColumnStore.open(dir, opts());
  t.ok(fs.statSync(dir).isDirectory(), 'the directory is created');
  t.same(store.list(), []);
  t.same(store.segments(-Infinity, Infinity), []);
  t.same(store.stats(), { segments: 0, partialSegments: 0, rows: 0, bytes: 0, unflushedRows: 0, corruptSegments: 0 });
  t.equal(store.flush(), undefined, 'nothing to flush');
  store.append(flows(5), 0);
  t.equal(store.stats().unflushedRows, 0, 'appending zero rows is a no-op');
  store.close();
  t.same(segFiles(dir), [], 'no files');
  t.throws(() => store.append(flows(1), 1), { code: 'CLOSED' });
  t.throws(() => store.segments(0, 1), { code: 'CLOSED' });
  t.throws(() => ColumnStore.open(path.join(dir, 'nope'), opts({ readOnly: true })), { code: 'MISSING' });
  t.throws(() => ColumnStore.open(dir, opts({ segmentSize: 0 })), { code: 'USAGE', message: /segmentSize/ });
  t.throws(() => ColumnStore.open(dir, opts({ segmentCount: 1.5 })), { code: 'USAGE', message: /segmentCount/ });
});

t.test("store folders and segment files are the server user's alone (0700, 0600)", async (t) => {
  const dir = path.join(t.testdir(), 'SESSIONDB');
  const store = ColumnStore.open(dir, opts());
  store.append(flows(10), 10);
  store.flush();
  store.close();
  const files = segFiles(dir);
  t.equal(files.length, 1);
  t.equal(fs.statSync(dir).mode & 0o777, 0o700, 'the folder');
  t.equal(fs.statSync(path.join(dir, files[0]!)).mode & 0o777, 0o600, 'a segment');
});

t.test('exactly segmentSize rows make one full segment', async (t) => {
  const dir = t.testdir();
  const store = ColumnStore.open(dir, opts());
  const c = flows(100);
  store.append(c, 100);
  const [seg] = store.list();
  t.equal(store.list().length, 1);
  t.equal(seg!.rows, 100);
  t.equal(seg!.partial, false);
  t.equal(store.stats().unflushedRows, 0);
  t.equal(store.flush(), undefined, 'nothing left to flush');
  t.same(contents(store), expected(c, 100));
  store.close();
  t.same(segFiles(dir), ['seg-0000000001.otq']);
});

t.test('flush writes partial segments; the full segment supersedes them, across a crash', async (t) => {
  const dir = t.testdir();
  const c = flows(250);
  const a = ColumnStore.open(dir, opts());
  a.append(slice(c, 0, 40), 40);
  t.equal(a.stats().unflushedRows, 40);
  const p1 = a.flush()!;
  t.equal(p1.partial, true);
  t.equal(p1.rows, 40);
  a.append(slice(c, 40, 30), 30);
  a.flush();
  t.same(contents(a), expected(c, 70), 'flushed rows are queryable');
  t.same(a.stats(), { segments: 2, partialSegments: 2, rows: 70, bytes: a.stats().bytes, unflushedRows: 0, corruptSegments: 0 });
  a.append(slice(c, 70, 5), 5);
  // crash: a is never closed; its 5 unflushed rows are lost, the flushed 70 are not
  const b = ColumnStore.open(dir, opts());
  t.same(contents(b), expected(c, 70), 'after the crash: the flushed rows, once');
  t.equal(b.stats().partialSegments, 2, 'the partials stay on disk until a full segment holds their rows');
  b.append(slice(c, 70, 180), 180);
  const list = b.list();
  t.same(list.map((s) => [s.rows, s.partial, s.supersedesFrom]), [[100, false, 1], [100, false, undefined]], 'two full segments; the first supersedes the partials');
  t.same(contents(b), expected(c, 200), 'the reloaded partial rows and the new ones, in full segments');
  t.equal(b.stats().unflushedRows, 50);
  b.close();
  t.same(segFiles(dir), ['seg-0000000003.otq', 'seg-0000000004.otq', 'seg-0000000005.otq'], 'partials deleted; close flushed the last 50 rows');
  const d = ColumnStore.open(dir, opts());
  t.equal(d.stats().rows, 250);
  t.same(contents(d), expected(c, 250));
  d.close();
});

t.test('a trickle of flushes keeps few partial segments, and survives a crash at any flush', async (t) => {
  const dir = t.testdir();
  const c = flows(1000);
  const a = ColumnStore.open(dir, opts({ segmentSize: 1000 }));
  let most = 0;
  for (let i = 0; i < 300; i++) {
    a.append(slice(c, i, 1), 1);
    a.flush();
    most = Math.max(most, a.stats().partialSegments);
  }
  t.ok(most <= 9, `at most log2(300) + 1 partial segments at any time (saw ${most})`);
  t.same(contents(a), expected(c, 300));
  t.ok(segFiles(dir).length > a.stats().partialSegments, 'merged partials still on disk (deleted at the next flush)');
  // crash now, with merged-away partials still on disk
  const b = ColumnStore.open(dir, opts({ segmentSize: 1000 }));
  t.same(contents(b), expected(c, 300), 'no row lost or doubled');
  t.equal(segFiles(dir).length, b.stats().partialSegments, 'superseded partials removed at open');
  b.append(slice(c, 300, 700), 700);
  t.same(b.list().map((s) => [s.rows, s.partial]), [[1000, false]]);
  t.same(contents(b), expected(c, 1000));
  b.close();
  t.equal(segFiles(dir).length, 1);
});

t.test('a crash between writing a full segment and deleting its partials loses and duplicates nothing', async (t) => {
  const dir = t.testdir();
  const c = flows(100);
  const a = ColumnStore.open(dir, opts());
  a.append(slice(c, 0, 40), 40);
  a.flush();
  a.append(slice(c, 40, 30), 30);
  a.flush();
  // what the store does when the buffer fills, done by hand and stopped before the partials go
  writeSegment(dir, 3, c, 100, { supersedesFrom: 1 });
  t.same(segFiles(dir), ['seg-0000000001.otq', 'seg-0000000002.otq', 'seg-0000000003.otq']);
  const b = ColumnStore.open(dir, opts());
  t.same(b.list().map((s) => s.id), [3]);
  t.same(contents(b), expected(c, 100), 'every row once');
  t.same(segFiles(dir), ['seg-0000000003.otq'], 'the superseded partials are deleted at open');
  b.append(flows(1, 500), 1);
  t.equal(b.flush()!.id, 4, 'ids continue after the highest on disk');
  b.close();
});

t.test('a failed write keeps its rows in the buffer and is retried', async (t) => {
  const dir = t.testdir();
  const c = flows(100);
  const s = ColumnStore.open(dir, opts({ segmentSize: 50 }));
  s.append(slice(c, 0, 30), 30);
  s.flush();
  // something in the way of the next file name makes the next write fail
  fs.mkdirSync(path.join(dir, 'seg-0000000002.otq'));
  s.append(slice(c, 30, 10), 10);
  t.throws(() => s.flush(), { code: 'IO' });
  t.equal(s.stats().unflushedRows, 10, 'the rows wait in the buffer');
  t.equal(s.flush()!.id, 3, 'the retry takes the next id');
  fs.mkdirSync(path.join(dir, 'seg-0000000004.otq'));
  t.throws(() => s.append(slice(c, 40, 20), 20), { code: 'IO' }, 'the full segment cannot be written');
  t.equal(s.stats().unflushedRows, 10, 'the rows that filled the buffer were taken, the rest of the batch not');
  s.append(slice(c, 50, 10), 10);
  t.same(s.list().map((x) => [x.id, x.rows, x.partial]), [[5, 50, false]], 'the full segment is retried before more rows go in');
  s.close();
  t.same(contents(ColumnStore.open(dir, opts({ segmentSize: 50, readOnly: true }))), expected(c, 60), 'nothing lost or doubled');
});

t.test('a segment file nobody recorded is picked up once', async (t) => {
  const dir = t.testdir();
  const c = flows(60);
  writeSegment(dir, 1, c, 60);
  const s = ColumnStore.open(dir, opts());
  t.same(s.list().map((x) => x.id), [1]);
  t.same(contents(s), expected(c, 60));
  s.close();
  const again = ColumnStore.open(dir, opts());
  t.same(contents(again), expected(c, 60), 'and again after a restart');
  again.close();
});

t.test('leftover temporary files of an interrupted write are removed at open', async (t) => {
  const dir = t.testdir();
  const c = flows(50);
  writeSegment(dir, 1, c, 50);
  const good = fs.readFileSync(path.join(dir, 'seg-0000000001.otq'));
  fs.writeFileSync(path.join(dir, '.seg-0000000002.otq.4242.deadbeef.tmp'), good.subarray(0, 200));
  fs.writeFileSync(path.join(dir, '.seg-0000000003.otq.4242.cafebabe.tmp'), 'garbage');
  fs.writeFileSync(path.join(dir, 'README'), 'not ours');
  const ro = ColumnStore.open(dir, opts({ readOnly: true }));
  t.equal(segFiles(dir).length, 4, 'read-only leaves them (a live writer may own them)');
  ro.close();
  const log = recordingLogger();
  const s = ColumnStore.open(dir, opts({ logger: log }));
  t.same(segFiles(dir), ['README', 'seg-0000000001.otq']);
  t.equal(log.lines.filter((l) => /temporary file/.test(l.message)).length, 2);
  t.same(contents(s), expected(c, 50));
  t.equal(s.corruptSegments, 0);
  s.close();
});

t.test('a truncated or damaged segment is reported, set aside and never read', async (t) => {
  const dir = t.testdir();
  const c = flows(300);
  const a = ColumnStore.open(dir, opts());
  a.append(c, 300);
  a.close();
  const victim = path.join(dir, 'seg-0000000002.otq');
  fs.truncateSync(victim, fs.statSync(victim).size - 3);
  const log = recordingLogger();
  const b = ColumnStore.open(dir, opts({ logger: log }));
  t.equal(b.corruptSegments, 1);
  t.equal(b.stats().corruptSegments, 1);
  t.equal(b.problems.length, 1);
  t.equal(b.problems[0]!.code, 'CORRUPT');
  t.equal(b.problems[0]!.path, victim);
  t.match(log.lines[0]!.message, /skipping corrupt segment.*truncated/);
  t.same(b.list().map((s) => s.id), [1, 3]);
  t.same(contents(b), expected(slice(c, 0, 100), 100).concat(expected(slice(c, 200, 100), 100)), 'the other segments serve their rows');
  t.ok(fs.existsSync(victim + '.corrupt'), 'kept aside as *.corrupt for inspection');
  b.append(flows(1, 1000), 1);
  t.equal(b.flush()!.id, 4, 'its id is not reused');
  b.close();
  const again = ColumnStore.open(dir, opts());
  t.equal(again.corruptSegments, 0, 'reported once, not at every start');
  again.close();
});

t.test('ring retention deletes the oldest segments first', async (t) => {
  const dir = t.testdir();
  const c = flows(550);
  const s = ColumnStore.open(dir, opts({ segmentCount: 3 }));
  for (let at = 0; at < 550; at += 70) s.append(slice(c, at, Math.min(70, 550 - at)), Math.min(70, 550 - at));
  t.same(s.list().map((x) => x.id), [3, 4, 5], 'five full segments written, the newest three kept');
  t.same(contents(s), expected(slice(c, 200, 300), 300));
  t.equal(s.segments(-Infinity, Infinity).length, 3, 'only kept segments are listed');
  s.flush();
  t.same(s.list().map((x) => [x.id, x.partial]), [[3, false], [4, false], [5, false], [6, true]], 'the partial segment being filled does not count');
  s.close();
  t.same(segFiles(dir), ['seg-0000000003.otq', 'seg-0000000004.otq', 'seg-0000000005.otq', 'seg-0000000006.otq']);
  const smaller = ColumnStore.open(dir, opts({ segmentCount: 1 }));
  t.same(smaller.list().map((x) => x.id), [5, 6], 'a smaller ring is applied at open');
  t.same(segFiles(dir), ['seg-0000000005.otq', 'seg-0000000006.otq']);
  smaller.close();
});

t.test('a dropped segment stays readable until the next flush, then is MISSING', async (t) => {
  const dir = t.testdir();
  const c = flows(300);
  const s = ColumnStore.open(dir, opts({ segmentCount: 1 }));
  s.append(slice(c, 0, 100), 100);
  const [first] = s.segments(-Infinity, Infinity);
  s.append(slice(c, 100, 100), 100);
  t.same(s.list().map((x) => x.id), [2]);
  const r = s.open(first!);
  t.equal(r.read(['start']).start!.length, 100, 'a query that listed it can still read it');
  s.append(slice(c, 200, 10), 10);
  s.flush();
  t.throws(() => s.open(first!), { code: 'MISSING' });
  t.equal(r.read(['clnport']).clnport!.length, 100, 'an already open reader keeps working');
  r.close();
  t.throws(() => s.open({ ...first!, ref: { kind: 'memory', rows: 0, columns: {} } }), { code: 'USAGE' });
  s.close();
});


t.test('with onDropped the store deletes nothing itself: the files it drops are handed over, superseded partials before their superseder', async (t) => {
  const dir = t.testdir();
  const c = flows(1000);
  const dropped: string[] = [];
  const s = ColumnStore.open(dir, opts({ segmentCount: 2, segmentSize: 100, onDropped: (f) => dropped.push(path.basename(f)) }));
  // partials merged like a binary counter, then full segments superseding them, then retention
  for (let at = 0; at < 430; at += 10) {
    s.append(slice(c, at, 10), 10);
    s.flush();
  }
  const onDisk = segFiles(dir);
  t.same(
    onDisk,
    [...new Set([...dropped, ...s.list().map((x) => path.basename(x.ref.path))])].sort(),
    'every file ever written is still on disk: the kept ones and those handed over',
  );
  t.same(new Set(dropped).size, dropped.length, 'each handed over once');
  const id = (f: string): number => Number(/(\d+)/.exec(f)![1]);
  t.ok(onDisk.length > s.list().length, 'precondition: partials were merged and segments retired');
  // the order the caller must delete them in: a file is handed over only after every partial it supersedes
  let checked = 0;
  for (const [k, f] of dropped.entries()) {
    const seg = readSegmentInfo(path.join(dir, f));
    if (seg.supersedesFrom === undefined) continue;
    const earlier = new Set(dropped.slice(0, k).map(id));
    const superseded = onDisk.map(id).filter((p) => p >= seg.supersedesFrom! && p < seg.id);
    t.same(superseded.filter((p) => !earlier.has(p)), [], `${f} is handed over after the partials it supersedes (${superseded.join(', ')})`);
    checked++;
  }
  t.ok(checked > 0, 'superseding segments were handed over too');
  t.same(contents(s), expected(slice(c, 200, 230), 230), 'queries see the kept segments only');
  s.close();
  // a crash now, the handed-over files still there: the next open takes every row once, and hands over what it drops
  const again: string[] = [];
  const b = ColumnStore.open(dir, opts({ segmentCount: 2, segmentSize: 100, onDropped: (f) => again.push(path.basename(f)) }));
  t.same(contents(b), expected(slice(c, 200, 230), 230), 'no row lost or doubled');
  t.same(segFiles(dir), onDisk, 'and nothing deleted at open either');
  t.same(again.sort(), onDisk.filter((f) => !b.list().some((x) => path.basename(x.ref.path) === f)), 'the open hands over every file it does not keep');
  b.close();
});
t.test('segments() prunes by time overlap from the headers alone', async (t) => {
  const dir = t.testdir();
  const s = ColumnStore.open(dir, opts({ segmentSize: 10 }));
  // three full segments of 10 sessions, each session 1 s long, starts 1 s apart: [0,10) s, [100,110) s, [200,210) s
  for (const base of [0, 100, 200]) {
    const c = flows(10);
    for (let i = 0; i < 10; i++) {
      c.start[i] = T0 + (base + i) * 1e6;
      c.end[i] = c.start[i]! + 1e6;
    }
    s.append(c, 10);
  }
  // a segment of one instant session (start == end) at 300 s
  const instant = flows(1);
  instant.start[0] = instant.end[0] = T0 + 300e6;
  s.append(instant, 1);
  s.flush();
  const ids = (from: number, to: number): number[] => s.segments(T0 + from * 1e6, T0 + to * 1e6).map((x) => x.id);
  t.same(ids(-50, -1), [], 'before everything');
  t.same(ids(5, 6), [1]);
  t.same(ids(10, 100), [1], 'a session ending exactly at `from` may still be instant there: kept');
  t.same(ids(11, 100), [], 'the gap');
  t.same(ids(50, 150), [2]);
  t.same(ids(0, 1000), [1, 2, 3, 4]);
  t.same(ids(300, 301), [4], 'an instant session at the frame start');
  t.same(ids(299, 300), [], 'an instant session at the (exclusive) frame end');
  for (const f of s.list()) fs.renameSync(f.ref.path, f.ref.path + '.away');
  t.same(ids(0, 1000), [1, 2, 3, 4], 'no file is touched');
  for (const f of s.list()) fs.renameSync(f.ref.path + '.away', f.ref.path);
  t.throws(() => s.segments(NaN, 5), { code: 'USAGE' });
  s.close();
});

t.test('segments with the same start time are ordered by id', async (t) => {
  const dir = t.testdir();
  for (const [id, first] of [[3, 10e6], [1, 10e6], [2, 50e6], [4, 5e6]] as const) {
    const c = flows(3);
    c.start.fill(T0 + first, 0, 3);
    c.start[2] = T0 + 60e6;
    c.end.set(c.start.subarray(0, 3));
    writeSegment(dir, id, c, 3);
  }
  const s = ColumnStore.open(dir, opts());
  t.same(s.segments(-Infinity, Infinity).map((x) => x.id), [4, 1, 3, 2]);
  s.close();
});

t.test('close() loses nothing; read-only stores cannot write', async (t) => {
  const dir = t.testdir();
  const c = flows(42);
  const a = ColumnStore.open(dir, opts({ computeCrc: false }));
  a.append(c, 42);
  a.close();
  a.close();
  const ro = ColumnStore.open(dir, opts({ readOnly: true }));
  t.same(contents(ro), expected(c, 42));
  t.equal(ro.list()[0]!.columnCrc, false, 'computeCrc false: no column CRCs');
  t.throws(() => ro.append(flows(1), 1), { code: 'USAGE', message: /read-only/ });
  t.throws(() => ro.flush(), { code: 'USAGE' });
  ro.close();
});

t.test('append() checks its input', async (t) => {
  const s = ColumnStore.open(t.testdir(), opts());
  const c = flows(10);
  t.throws(() => s.append(c, 11), { code: 'USAGE', message: /fewer than 11/ });
  t.throws(() => s.append(c, -1), { code: 'USAGE' });
  t.throws(() => s.append({ ...c, srvport: new Uint32Array(10) }, 10), { code: 'USAGE', message: /srvport must be a Uint16Array/ });
  const inf = { ...c, end: Float64Array.from(c.end) };
  inf.end[2] = Infinity;
  t.throws(() => s.append(inf, 10), { code: 'USAGE', message: /row 2/ });
  t.equal(s.stats().unflushedRows, 0, 'nothing was taken from a refused batch');
  s.close();
});

t.test('a store holding a segment from a newer version refuses to open', async (t) => {
  const dir = t.testdir();
  writeSegment(dir, 1, flows(10), 10);
  const file = path.join(dir, 'seg-0000000001.otq');
  const buf = fs.readFileSync(file);
  buf.writeUInt16LE(SCHEMA_VERSION + 1, 10);
  buf.writeUInt32LE(crc32(buf.subarray(0, 76)), 76);
  fs.writeFileSync(file, buf);
  const err = t.throws(() => ColumnStore.open(dir, opts())) as StoreError;
  t.equal(err.code, 'VERSION');
  t.ok(fs.existsSync(file), 'and deletes nothing');
});
