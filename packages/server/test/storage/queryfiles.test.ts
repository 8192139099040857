// A query never loses a segment file to the store's merging or retention (issue #4): the files of the
// view a query took stay on disk, through many storage cycles and a reconfigure, until it releases it;
// then the next cycle deletes them, and the store directory holds exactly the store's files again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { MemorySource, WorkerPool, rank, type RankQuery, type SessionSource } from '@opentraq/core';
import { SessionStoreThread, type LeasedSource } from '../../src/storage/index.js';
import { keysIn, keysOf, sessions, slice } from './rows.js';

const SEGMENT = 100;
const FRAME = { fromUs: 0, toUs: 4e15 };
const ALL = sessions(4000, 41);

const made: string[] = [];
t.teardown(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** The segment files in the store directory (not the checkpoint's). */
function segmentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^seg-\d{10}\.otq$/.test(f))
    .sort();
}

/** The files a source lists. */
function filesOf(source: SessionSource): string[] {
  return source
    .segments(FRAME.fromUs, FRAME.toUs)
    .flatMap((s) => (s.ref.kind === 'file' ? [path.basename(s.ref.path)] : []))
    .sort();
}

/** The store's own files, as its last view lists them. */
function storeFiles(store: SessionStoreThread): string[] {
  return store
    .list()
    .map((s) => path.basename(s.ref.path))
    .sort();
}

const sorted = (keys: string[]): string[] => [...keys].sort();

/** A store of tiny segments (partials merged every cycle, full ones past retention soon) and a feed of distinct sessions. */
async function smallStore(t: Test, segmentCount: number): Promise<{ store: SessionStoreThread; dir: string; feed(rows: number): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queryfiles-'));
  made.push(dir);
  const { store } = await SessionStoreThread.open({ databasePath: dir, segmentCount, segmentSize: SEGMENT, computeCrc: true });
  t.teardown(() => store.close());
  let at = 0;
  return {
    store,
    dir,
    // one storage cycle with `rows` more finished sessions
    feed: async (rows: number) => {
      if (rows > 0) store.accept(slice(ALL, at, at + rows).cols, rows);
      at += rows;
      await store.cycle(() => null);
    },
  };
}

/** The keys of the sessions fed from..to, sorted. */
function expectedKeys(from: number, to: number): string[] {
  const s = slice(ALL, from, to);
  return sorted(keysOf(s.cols, s.rows));
}

t.test('a query reads every file of its view after cycles have merged and retired them all, also on ranking workers', async (t) => {
  const { store, dir, feed } = await smallStore(t, 3);
  for (let k = 0; k < 4; k++) await feed(60);
  const q = store.querySource(null);
  const listed = filesOf(q);
  t.ok(listed.length >= 3, `the view lists ${listed.length} files: full segments and partials`);
  for (let k = 0; k < 12; k++) await feed(60);
  t.same(
    listed.filter((f) => storeFiles(store).includes(f)),
    [],
    'precondition: every file of the view has left the store (partials merged, full segments past retention)',
  );
  t.same(
    listed.filter((f) => !fs.existsSync(path.join(dir, f))),
    [],
    'and every one is still on disk',
  );
  t.same(sorted(keysIn(q)), expectedKeys(0, 240), 'the query reads all 240 sessions of its view, each once');

  const pool = new WorkerPool(2);
  t.teardown(() => pool.close());
  const byBytes: RankQuery = { entity: 'IP', count: 'BYTES', ...FRAME, rows: 50 };
  const mem = new MemorySource();
  const view = slice(ALL, 0, 240);
  mem.append(view.cols, view.rows);
  t.strictSame(await rank(q, byBytes, { pool }), await rank(mem, byBytes), 'ranking workers open the files by path and find them');

  t.equal(store.filesToDelete, false, 'nothing to delete while the query runs');
  q.release();
  q.release();
  t.equal(store.leasedSources, 0, 'released once, however often it is called');
  t.ok(store.filesToDelete, 'once it is over, a cycle has files to delete');
  await feed(0);
  t.same(segmentFiles(dir), storeFiles(store), 'the next cycle deletes them: the directory holds exactly the store’s files');
  t.equal(store.filesToDelete, false, 'and has nothing more to delete');
});

t.test('each file stays as long as the oldest query whose view lists it', async (t) => {
  const { store, dir, feed } = await smallStore(t, 2);
  for (let k = 0; k < 3; k++) await feed(70);
  const older = store.querySource(null);
  for (let k = 0; k < 3; k++) await feed(70);
  const newer = store.querySource(null);
  const olderOnly = filesOf(older).filter((f) => !filesOf(newer).includes(f));
  t.ok(olderOnly.length > 0, 'precondition: the older view lists files the newer one does not');
  for (let k = 0; k < 6; k++) await feed(70);
  t.same(
    [...filesOf(older), ...filesOf(newer)].filter((f) => !fs.existsSync(path.join(dir, f))),
    [],
    'both views are whole on disk',
  );
  older.release();
  await feed(0);
  t.same(
    olderOnly.filter((f) => fs.existsSync(path.join(dir, f))),
    [],
    'the older query over: the files only it listed are deleted',
  );
  t.same(
    filesOf(newer).filter((f) => !fs.existsSync(path.join(dir, f))),
    [],
    'the newer query still has all of its own',
  );
  // 420 sessions: four full segments, the two newest kept, and a partial one of 20
  t.same(sorted(keysIn(newer)), expectedKeys(200, 420), 'and reads all of them');
  newer.release();
  await feed(0);
  t.same(segmentFiles(dir), storeFiles(store), 'nothing left behind');
});

t.test('a view shared by a later query keeps its files only while a lease holds them', async (t) => {
  const { store, feed } = await smallStore(t, 2);
  await feed(150);
  const first: LeasedSource = store.querySource(null);
  await feed(150);
  const second = first.share();
  t.ok(second !== undefined, 'shared after a newer view came, since the first query still holds it');
  first.release();
  t.same(sorted(keysIn(second!)), expectedKeys(0, 150), 'the sharing query reads the view whole');
  second!.release();
  t.equal(first.share(), undefined, 'no lease left and a newer view known: no more sharing, its files may go');
  const current = store.querySource(null);
  current.release();
  const again = current.share();
  t.ok(again !== undefined, 'the current view can always be shared: none of its files is deleted before a newer one comes');
  again!.release();
});

t.test('a query holds its files across a reconfigure that shrinks retention', async (t) => {
  const { store, dir, feed } = await smallStore(t, 5);
  for (let k = 0; k < 5; k++) await feed(90);
  const q = store.querySource(null);
  await store.reconfigure({ segmentCount: 1, segmentSize: SEGMENT, computeCrc: true });
  await feed(30);
  t.ok(
    filesOf(q).filter((f) => !storeFiles(store).includes(f)).length >= 3,
    'precondition: the smaller ring dropped files of the view',
  );
  t.same(sorted(keysIn(q)), expectedKeys(0, 450), 'the query still reads every one');
  q.release();
  await feed(0);
  t.same(segmentFiles(dir), storeFiles(store), 'then they are deleted');
});
