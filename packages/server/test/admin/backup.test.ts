// Backup and restore round trips: a live store copied and restored row for row, copies taken while
// another loop keeps appending and flushing (and, with the server's session store, checkpointing).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { ColumnStore, SCHEMA_VERSION, SegmentFileReader, verifySegment } from '@opentraq/core';
import { AdminError, backupStore, restoreStore, type BackupReport } from '../../src/admin/index.js';
import { CHECKPOINT_DIR, SessionStore, readCheckpoint, writeCheckpoint } from '../../src/storage/index.js';
import { batch, duplicates, expectedRows, rowsInFiles, segmentFiles, sha256, snapshot, tmpDir } from './fixture.js';

/** Files under dir (relative, '/'-separated), directories left out. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile()).map((p) => p.split(path.sep).join('/')).sort();
}

/** A store with full segments, merged partials and superseded partials not deleted yet; returns the rows appended. */
function fill(store: ColumnStore, first = 0): number {
  let next = first;
  for (const k of [17, 17, 17, 40, 3, 60, 5, 5, 5, 1, 2]) {
    store.append(batch(next, k), k);
    store.flush();
    next += k;
  }
  return next - first;
}

t.test('round trip: a live store with its checkpoint and users, backed up and restored into new paths', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const ud = path.join(root, 'ud');
  const store = ColumnStore.open(db, { segmentCount: 1000, segmentSize: 50 });
  t.teardown(() => store.close());
  const n = fill(store);
  const ck = writeCheckpoint(db, 1, store.nextSegmentId, { cols: batch(n, 7), rows: 7 }, { cols: batch(n + 7, 3), rows: 3 }, true);
  fs.mkdirSync(ud);
  fs.writeFileSync(path.join(ud, 'users.json'), '{"version":1,"users":[]}\n', { mode: 0o600 });
  fs.writeFileSync(path.join(ud, 'sessionkeys.json'), '{"keys":[]}\n', { mode: 0o600 });
  fs.writeFileSync(path.join(ud, 'unrelated.txt'), 'not user data\n');
  t.ok(segmentFiles(db).length > store.list().length, 'precondition: the directory still holds superseded partial segments');
  t.ok(store.list().some((s) => s.partial) && store.list().some((s) => !s.partial), 'precondition: full and partial segments');

  const dest = path.join(root, 'backup');
  const progress: string[] = [];
  const rep = await backupStore({ databasePath: db, userdataPath: ud, dest, onProgress: (m) => progress.push(m) });
  t.equal(rep.rows, n, 'every stored session, once');
  t.equal(rep.segments, store.list().length);
  t.equal(rep.checkpointFiles, 3, 'the record and its two segment files');
  t.same(rep.userdataFiles, ['users.json', 'sessionkeys.json']);
  t.same(rep.skipped, []);
  t.ok(progress.length > 0, 'progress is reported');

  const manifest = JSON.parse(fs.readFileSync(path.join(dest, 'manifest.json'), 'utf8'));
  t.match(manifest, { format: 'opentraq-backup', version: 1, schemaVersion: SCHEMA_VERSION, segments: store.list().length, rows: n });
  t.ok(!Number.isNaN(Date.parse(manifest.created)));
  const onDisk = filesUnder(dest).filter((p) => p !== 'manifest.json');
  t.same(manifest.files.map((f: { path: string }) => f.path).sort(), onDisk, 'the manifest lists exactly the files of the backup');
  for (const f of manifest.files) {
    const file = path.join(dest, f.path);
    t.equal(f.bytes, fs.statSync(file).size, `${f.path} size`);
    t.equal(f.sha256, sha256(file), `${f.path} sha256`);
    t.equal(fs.statSync(file).nlink, 1, `${f.path} is a copy, not a link into the store`);
  }
  t.same(
    onDisk.filter((p) => p.startsWith('store/checkpoint/')),
    [ck.finished!.file, ck.active!.file, 'checkpoint.json'].map((f) => `store/checkpoint/${f}`).sort(),
  );
  const inBackup = rowsInFiles(path.join(dest, 'store'));
  t.same(duplicates(inBackup), [], 'no row twice in the backup: superseded partials left out');
  t.same(new Map([...inBackup].map(([k, v]) => [k, v[0]])), expectedRows(0, n), 'the backup holds every row, every column');

  const db2 = path.join(root, 'restored', 'db');
  const ud2 = path.join(root, 'restored', 'ud');
  const rr = await restoreStore({ src: dest, databasePath: db2, userdataPath: ud2 });
  t.match(rr, { segments: store.list().length, rows: n, checkpointFiles: 3, userdataRestored: ['users.json', 'sessionkeys.json'], userdataRemoved: [], keptEntries: [], oldStoreLeft: undefined });
  const restored = rowsInFiles(db2);
  t.same(new Map([...restored].map(([k, v]) => [k, v[0]])), expectedRows(0, n), 'every row restored with every column');
  t.same(duplicates(restored), []);
  for (const f of fs.readdirSync(path.join(db, CHECKPOINT_DIR))) {
    t.equal(sha256(path.join(db2, CHECKPOINT_DIR, f)), sha256(path.join(db, CHECKPOINT_DIR, f)), `checkpoint file ${f} restored byte for byte`);
  }
  t.same(readCheckpoint(db2)!.record, ck, 'the server reads the restored checkpoint');
  for (const f of ['users.json', 'sessionkeys.json']) {
    t.equal(fs.readFileSync(path.join(ud2, f), 'utf8'), fs.readFileSync(path.join(ud, f), 'utf8'));
    t.equal(fs.statSync(path.join(ud2, f)).mode & 0o777, 0o600, `${f} readable by its owner only`);
  }
  t.notOk(fs.existsSync(path.join(ud2, 'unrelated.txt')), 'only the user files travel');
  t.same(fs.readdirSync(path.join(root, 'restored')).sort(), ['db', 'ud'], 'no temporary or old directories left');
  t.notOk(fs.existsSync(path.join(db2, 'ftserver.lock')), 'the restore released its lock');
  const reopened = ColumnStore.open(db2, { segmentCount: 1000, segmentSize: 50 });
  t.equal(reopened.stats().rows, n, 'the restored store opens with every row');
  reopened.close();
});

t.test('restore over an existing store: its own files kept, users replaced, session keys the backup lacks removed', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const ud = path.join(root, 'ud');
  const store = ColumnStore.open(db, { segmentCount: 1000, segmentSize: 50 });
  const n = fill(store);
  store.close();
  fs.mkdirSync(ud);
  fs.writeFileSync(path.join(ud, 'users.json'), '{"from":"backup"}\n');
  const dest = path.join(root, 'backup');
  fs.mkdirSync(dest);
  const rep = await backupStore({ databasePath: db, userdataPath: ud, dest });
  t.same(rep.userdataFiles, ['users.json'], 'no session keys file: not in the backup');

  // the target: another store, a stale lock, a file of the user's, and other users and keys
  const target = path.join(root, 'target');
  const other = ColumnStore.open(target, { segmentCount: 1000, segmentSize: 50 });
  other.append(batch(100_000, 30), 30);
  other.close();
  fs.writeFileSync(path.join(target, 'notes.txt'), 'mine\n');
  fs.writeFileSync(path.join(target, 'seg-0000000077.otq.corrupt'), 'set aside\n');
  fs.writeFileSync(path.join(target, 'ftserver.lock'), JSON.stringify({ pid: 2 ** 30, startedAt: '2020-01-01T00:00:00.000Z', hostname: os.hostname() }));
  const targetUd = path.join(root, 'target-ud');
  fs.mkdirSync(targetUd);
  fs.writeFileSync(path.join(targetUd, 'users.json'), '{"from":"target"}\n');
  fs.writeFileSync(path.join(targetUd, 'sessionkeys.json'), '{"keys":["old"]}\n');
  fs.writeFileSync(path.join(targetUd, 'other.conf'), 'kept\n');

  const rr = await restoreStore({ src: dest, databasePath: target, userdataPath: targetUd });
  t.match(rr.lockNote, /took over the lock of ftserver process 1073741824/);
  t.same(rr.keptEntries, ['notes.txt']);
  t.same(rr.userdataRestored, ['users.json']);
  t.same(rr.userdataRemoved, ['sessionkeys.json']);
  t.same(new Map([...rowsInFiles(target)].map(([k, v]) => [k, v[0]])), expectedRows(0, n), 'the target holds the backup rows only');
  t.same(fs.readdirSync(target).filter((f) => !/^seg-\d{10}\.otq$/.test(f)), ['notes.txt'], 'quarantined file and stale lock gone, own file kept');
  t.equal(fs.readFileSync(path.join(target, 'notes.txt'), 'utf8'), 'mine\n');
  t.same(fs.readdirSync(targetUd).sort(), ['other.conf', 'users.json']);
  t.equal(fs.readFileSync(path.join(targetUd, 'users.json'), 'utf8'), '{"from":"backup"}\n');
  t.same(fs.readdirSync(root).sort(), ['backup', 'db', 'target', 'target-ud', 'ud'], 'no restore or old directories left');
});

t.test('a backup without user files leaves the user data as it is', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 10, segmentSize: 50 });
  store.append(batch(0, 10), 10);
  store.close();
  const dest = path.join(root, 'b');
  const rep = await backupStore({ databasePath: db, userdataPath: path.join(root, 'no-such-dir'), dest });
  t.same([rep.userdataFiles, rep.checkpointFiles, rep.rows], [[], 0, 10]);
  const ud = path.join(root, 'ud');
  fs.mkdirSync(ud);
  fs.writeFileSync(path.join(ud, 'users.json'), 'current\n');
  const messages: string[] = [];
  const rr = await restoreStore({ src: dest, databasePath: path.join(root, 'db2'), userdataPath: ud, onProgress: (m) => messages.push(m) });
  t.same([rr.userdataRestored, rr.userdataRemoved], [[], []]);
  t.equal(fs.readFileSync(path.join(ud, 'users.json'), 'utf8'), 'current\n');
  t.ok(messages.some((m) => m.includes('holds no user files')), 'and says so');
});

t.test('the destination must be new or empty, outside the store; the store must exist', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 10, segmentSize: 50 });
  store.append(batch(0, 10), 10);
  store.close();
  const ud = path.join(root, 'ud');
  const busy = path.join(root, 'busy');
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, 'x'), 'x');
  const file = path.join(root, 'file');
  fs.writeFileSync(file, 'x');
  const cases: [string, Partial<{ databasePath: string; dest: string }>, string, RegExp][] = [
    ['a non-empty directory', { dest: busy }, 'DEST_NOT_EMPTY', /is not empty.*manifest\.json missing/],
    ['a file', { dest: file }, 'DEST_NOT_EMPTY', /exists and is not a directory/],
    ['inside the store', { dest: path.join(db, 'backup') }, 'USAGE', /inside the store/],
    ['the user data directory', { dest: ud }, 'USAGE', /inside the user data directory/],
    ['a missing store', { databasePath: path.join(root, 'nope'), dest: path.join(root, 'b1') }, 'NOT_FOUND', /does not exist/],
  ];
  for (const [what, o, code, message] of cases) {
    const before = snapshot(root);
    const e = await backupStore({ databasePath: db, userdataPath: ud, dest: '', ...o }).then(
      () => undefined,
      (err: unknown) => err,
    );
    t.ok(e instanceof AdminError, what);
    t.match(e, { code, exitCode: 2, message }, what);
    t.same(snapshot(root), before, `${what}: nothing written`);
  }
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  t.equal((await backupStore({ databasePath: db, userdataPath: ud, dest: empty })).rows, 10, 'an empty directory is fine');
  const e = await backupStore({ databasePath: db, userdataPath: ud, dest: empty }).catch((err: unknown) => err);
  t.match(e, { code: 'DEST_NOT_EMPTY', message: /holds a backup already/ });
});

t.test('a damaged segment in the store is left out and reported; the rest is backed up', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 100, segmentSize: 40 });
  store.append(batch(0, 120), 120);
  store.close();
  const [first, ...rest] = segmentFiles(db);
  const bad = path.join(db, first!);
  const bytes = fs.readFileSync(bad);
  bytes[bytes.length - 3]! ^= 0x40; // inside the last column blob: only its CRC sees it
  fs.writeFileSync(bad, bytes);
  t.throws(() => verifySegment(bad), 'precondition: the segment is damaged');
  const dest = path.join(root, 'b');
  const rep = await backupStore({ databasePath: db, userdataPath: path.join(root, 'ud'), dest });
  t.equal(rep.skipped.length, 1);
  t.match(rep.skipped[0], new RegExp(`^${first}: .*checksum`));
  t.equal(rep.segments, rest.length);
  t.equal(rep.rows, 80);
  const rr = await restoreStore({ src: dest, databasePath: path.join(root, 'db2'), userdataPath: path.join(root, 'ud2') });
  t.equal(rr.rows, 80);
  t.same(segmentFiles(path.join(root, 'db2')), rest);
});

t.test('a backup onto another file system copies instead of linking', { skip: crossDeviceSkip() }, async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 1000, segmentSize: 50 });
  t.teardown(() => store.close());
  const n = fill(store);
  writeCheckpoint(db, 1, store.nextSegmentId, null, { cols: batch(n, 4), rows: 4 }, true);
  const dest = fs.mkdtempSync('/dev/shm/admin-backup-');
  t.teardown(() => fs.rmSync(dest, { recursive: true, force: true }));
  const rep = await backupStore({ databasePath: db, userdataPath: path.join(root, 'ud'), dest });
  t.equal(rep.rows, n);
  t.equal(rep.checkpointFiles, 2);
  const inBackup = rowsInFiles(path.join(dest, 'store'));
  t.same(duplicates(inBackup), []);
  t.same(new Map([...inBackup].map(([k, v]) => [k, v[0]])), expectedRows(0, n));
  const rr = await restoreStore({ src: dest, databasePath: path.join(root, 'db2'), userdataPath: path.join(root, 'ud2') });
  t.equal(rr.rows, n);
});

/** /dev/shm is a file system of its own on most Linux hosts: a destination the store cannot hard-link into. */
function crossDeviceSkip(): string | false {
  try {
    return fs.statSync('/dev/shm').dev !== fs.statSync(os.tmpdir()).dev ? false : '/dev/shm is on the same file system as the temporary directory';
  } catch {
    return 'no /dev/shm here';
  }
}

/** Ids 0..m-1 each exactly once, whatever m is: the state of the store at some moment. */
function checkPrefix(t: Test, rows: Map<number, string[]>, upTo: number, what: string): number {
  const ids = [...rows.keys()].sort((a, b) => a - b);
  t.same(duplicates(rows), [], `${what}: no row twice`);
  t.ok(ids.every((id, i) => id === i), `${what}: ids 0..${ids.length - 1} without a gap (a consistent moment)`);
  t.ok(ids.length <= upTo, `${what}: nothing the writer never wrote`);
  const expected = expectedRows(0, ids.length);
  t.ok(
    [...rows].every(([id, v]) => v[0] === expected.get(id)),
    `${what}: every column of every row as written`,
  );
  return ids.length;
}

t.test('backups while a writer keeps appending and flushing: each restores to a consistent moment', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 100_000, segmentSize: 64 });
  let next = 0;
  let stop = false;
  let seed = 1;
  const writer = (async () => {
    while (!stop) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const k = 1 + (seed % 23);
      store.append(batch(next, k), k);
      next += k;
      store.flush();
      await sleep(1);
    }
  })();
  const reports: BackupReport[] = [];
  try {
    await sleep(30);
    for (let i = 0; i < 4; i++) {
      const before = next;
      reports.push(await backupStore({ databasePath: db, userdataPath: path.join(root, 'ud'), dest: path.join(root, `b${i}`) }));
      t.ok(next > before, `backup ${i}: the writer ran during the backup`);
    }
  } finally {
    stop = true;
    await writer;
  }
  store.close();
  const finalRows = rowsInFiles(db);
  t.equal(finalRows.size, next, 'precondition: the final store holds every row');
  for (const [i, rep] of reports.entries()) {
    const inBackup = rowsInFiles(path.join(root, `b${i}`, 'store'));
    const m = checkPrefix(t, inBackup, next, `backup ${i}`);
    t.equal(rep.rows, m, `backup ${i}: the report counts the rows`);
    const db2 = path.join(root, `r${i}`);
    await restoreStore({ src: path.join(root, `b${i}`), databasePath: db2, userdataPath: path.join(root, `ud${i}`) });
    checkPrefix(t, rowsInFiles(db2), next, `restore ${i}`);
  }
  t.comment(`listings per backup: ${reports.map((r) => r.listings).join(', ')}`);
});

t.test("backups of the server's session store while it cycles: restarting from each loses and doubles nothing", async (t) => {
  // on tmpfs a cycle's fsyncs cost nothing, so cycles come as often as the backup's own steps
  const root = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/admin-') : tmpDir(t);
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const db = path.join(root, 'db');
  const opts = (dir: string) => ({ databasePath: dir, segmentCount: 100_000, segmentSize: 64, computeCrc: true });
  const { store } = SessionStore.open(opts(db));
  // each cycle finishes the sessions that were active at the last one, plus some; the next few are active
  let finished = 0;
  let stop = false;
  let seed = 3;
  let cycles = 0;
  let cycleMs = 0;
  const writer = (async () => {
    while (!stop) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const k = 1 + (seed % 19);
      const a = seed % 5;
      store.accept(batch(finished, k), k);
      finished += k;
      cycleMs += store.cycle(a === 0 ? null : { cols: batch(finished, a), rows: a }).ms;
      cycles++;
      await sleep(1);
    }
  })();
  const reports: BackupReport[] = [];
  try {
    await sleep(30);
    for (let i = 0; i < 4; i++) {
      const before = cycles;
      reports.push(await backupStore({ databasePath: db, userdataPath: path.join(root, 'ud'), dest: path.join(root, `b${i}`) }));
      t.ok(cycles > before, `backup ${i}: the server cycled during the backup`);
      t.ok(reports[i]!.checkpointFiles > 0, `backup ${i} has the checkpoint`);
    }
  } finally {
    stop = true;
    await writer;
  }
  t.comment(`cycles: ${cycles}, ${(cycleMs / cycles).toFixed(2)} ms each`);
  store.cycle(null);
  store.close();
  for (const [i] of reports.entries()) {
    const db2 = path.join(root, `r${i}`);
    await restoreStore({ src: path.join(root, `b${i}`), databasePath: db2, userdataPath: path.join(root, `ud${i}`) });
    // the server's restart: the checkpoint's sessions join the restored segments
    const { store: s2, recovery } = SessionStore.open(opts(db2));
    s2.close();
    t.ok(recovery.checkpoint, `restore ${i}: a checkpoint to recover from`);
    const maxActive = 4;
    checkPrefix(t, rowsInFiles(db2), finished + maxActive, `restart from backup ${i}`);
  }
  t.comment(`listings per backup: ${reports.map((r) => r.listings).join(', ')}`);
});

t.test('a partial segment superseded and deleted between the listing and its link: the store is listed again', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 1000, segmentSize: 64 });
  t.teardown(() => store.close());
  let next = 0;
  const write = (k: number): void => {
    store.append(batch(next, k), k);
    next += k;
    store.flush();
  };
  write(40);
  write(10);
  const partial = segmentFiles(db).at(-1)!;
  let injected = false;
  const rep = await backupStore({
    databasePath: db,
    userdataPath: path.join(root, 'ud'),
    dest: path.join(root, 'b'),
    onProgress: (m) => {
      if (injected || !m.startsWith('linking')) return;
      injected = true;
      // the listing has been taken: now the 10-row partial is merged into a new one and deleted
      write(10);
      write(1);
      t.notOk(fs.existsSync(path.join(db, partial)), 'precondition: a listed partial is gone before its link');
    },
  });
  t.ok(injected);
  t.equal(rep.listings, 2, 'listed again');
  const inBackup = rowsInFiles(path.join(root, 'b', 'store'));
  t.same(duplicates(inBackup), []);
  t.same(new Map([...inBackup].map(([k, v]) => [k, v[0]])), expectedRows(0, next), 'every row, including those of the vanished partial');
});

t.test('a checkpoint committed between the checkpoint pin and the listing: both are taken again', async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const opts = (dir: string) => ({ databasePath: dir, segmentCount: 1000, segmentSize: 64, computeCrc: true });
  const { store } = SessionStore.open(opts(db));
  t.teardown(() => store.close());
  let finished = 0;
  // finish the sessions active at the last cycle plus k more; the next 5 are active now
  const cycle = (k: number): void => {
    store.accept(batch(finished, k), k);
    finished += k;
    store.cycle({ cols: batch(finished, 5), rows: 5 });
  };
  cycle(20);
  cycle(8);
  let injected = false;
  const rep = await backupStore({
    databasePath: db,
    userdataPath: path.join(root, 'ud'),
    dest: path.join(root, 'b'),
    onProgress: (m) => {
      if (injected || !m.startsWith('listing the segment files')) return;
      injected = true;
      // the checkpoint (sessions 28..32 active) is pinned; this cycle stores them as finished
      cycle(9);
    },
  });
  t.ok(injected);
  t.equal(rep.listings, 2, 'listed again with the new checkpoint');
  await restoreStore({ src: path.join(root, 'b'), databasePath: path.join(root, 'r'), userdataPath: path.join(root, 'rud') });
  const { store: s2, recovery } = SessionStore.open(opts(path.join(root, 'r')));
  s2.close();
  t.equal(recovery.activeRestored, 5);
  const rows = rowsInFiles(path.join(root, 'r'));
  t.same(duplicates(rows), [], 'the sessions active at the old checkpoint are not restored next to their finished versions');
  t.same(new Map([...rows].map(([k, v]) => [k, v[0]])), expectedRows(0, finished + 5), 'every session finished, and those active at the new checkpoint');
});

t.test("the backup is independent of the store: it survives the store's deletion", async (t) => {
  const root = tmpDir(t);
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 10, segmentSize: 50 });
  store.append(batch(0, 75), 75);
  store.close();
  const dest = path.join(root, 'b');
  await backupStore({ databasePath: db, userdataPath: path.join(root, 'ud'), dest });
  fs.rmSync(db, { recursive: true });
  const names = segmentFiles(path.join(dest, 'store'));
  t.equal(names.length, 2);
  let rows = 0;
  for (const n of names) {
    const r = SegmentFileReader.open(path.join(dest, 'store', n));
    r.verify();
    rows += r.info.rows;
    r.close();
  }
  t.equal(rows, 75);
});
