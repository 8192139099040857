// The store lock (one owner; stale locks taken over), and clear: what it deletes, what it keeps, and
// the confirmation it asks for.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { ColumnStore } from '@opentraq/core';
import { AdminError, acquireStoreLock, clearStore, confirmClear, readStoreLock } from '../../src/admin/index.js';
import { writeCheckpoint } from '../../src/storage/index.js';
import { batch, liveLock, segmentFiles, tmpDir } from './fixture.js';

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

function writeLock(dir: string, content: unknown): void {
  fs.writeFileSync(path.join(dir, 'ftserver.lock'), typeof content === 'string' ? content : JSON.stringify(content));
}

t.test('one owner at a time; release frees the store', async (t) => {
  const dir = tmpDir(t, 'lock-');
  t.equal(readStoreLock(dir), null, 'no lock yet');
  const a = acquireStoreLock(dir);
  t.match(a, { pid: process.pid, hostname: os.hostname(), note: undefined });
  t.same(JSON.parse(fs.readFileSync(path.join(dir, 'ftserver.lock'), 'utf8')), { pid: process.pid, startedAt: a.startedAt, hostname: os.hostname() });
  t.match(readStoreLock(dir), { pid: process.pid, startedAt: a.startedAt, alive: true });
  const e = (() => {
    try {
      acquireStoreLock(dir);
    } catch (err) {
      return err;
    }
  })();
  t.ok(e instanceof AdminError);
  t.match(e, { code: 'LOCKED', exitCode: 1, message: new RegExp(`in use by ftserver process ${process.pid} \\(started ${a.startedAt}\\): stop that server first.*delete .*ftserver\\.lock`) });
  a.release();
  t.notOk(fs.existsSync(path.join(dir, 'ftserver.lock')), 'release removes the file');
  a.release();
  const b = acquireStoreLock(dir);
  t.ok(b, 'free again after release');
  // a lock that is no longer this one's is left alone by release
  writeLock(dir, { pid: 1, startedAt: 'x', hostname: os.hostname() });
  b.release();
  t.ok(fs.existsSync(path.join(dir, 'ftserver.lock')), "another's lock is not removed");
  t.throws(() => acquireStoreLock(path.join(dir, 'missing')), { code: 'NOT_FOUND' });
});

t.test('a stale lock is taken over with a note; garbage is replaced; other hosts are respected', async (t) => {
  const dir = tmpDir(t, 'lock-');
  const dead = deadPid();
  writeLock(dir, { pid: dead, startedAt: '2026-01-01T00:00:00.000Z', hostname: os.hostname() });
  t.match(readStoreLock(dir), { pid: dead, alive: false });
  const a = acquireStoreLock(dir);
  t.equal(a.note, `took over the lock of ftserver process ${dead} (started 2026-01-01T00:00:00.000Z), which is no longer running`);
  t.match(readStoreLock(dir), { pid: process.pid, alive: true });
  a.release();

  writeLock(dir, '');
  t.equal(readStoreLock(dir), null, 'an empty lock file holds no lock');
  const b = acquireStoreLock(dir);
  t.match(b.note, /did not hold a lock record/);
  b.release();

  writeLock(dir, { pid: dead, startedAt: '2026-01-01T00:00:00.000Z', hostname: 'other.example' });
  t.match(readStoreLock(dir), { alive: true }, 'a lock of another host counts as alive');
  t.throws(() => acquireStoreLock(dir), { code: 'LOCKED', message: /on host other\.example/ });
  t.same(fs.readdirSync(dir), ['ftserver.lock'], 'no temporary files left');
});

/** A store with segments (superseded partials included), a checkpoint, a temporary file, a quarantined segment, and files of the user's. */
function busyStore(dir: string): { rows: number; segments: number; checkpointFiles: number } {
  const store = ColumnStore.open(dir, { segmentCount: 100, segmentSize: 40 });
  let rows = 0;
  for (const k of [50, 7, 7, 3]) {
    store.append(batch(rows, k), k);
    rows += k;
    store.flush();
  }
  const ck = writeCheckpoint(dir, 1, store.nextSegmentId, { cols: batch(rows, 2), rows: 2 }, { cols: batch(rows + 2, 2), rows: 2 }, true);
  const segments = segmentFiles(dir).length;
  // a crashed server: no close, so superseded partials stay on disk
  fs.writeFileSync(path.join(dir, '.seg-0000000099.otq.123.abcdef01.tmp'), 'half written');
  fs.writeFileSync(path.join(dir, 'seg-0000000042.otq.corrupt'), 'set aside');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
  fs.writeFileSync(path.join(dir, 'users.json'), '{}');
  fs.mkdirSync(path.join(dir, 'mine'));
  fs.writeFileSync(path.join(dir, 'mine', 'seg-0000000001.otq'), 'not in the store');
  fs.writeFileSync(path.join(dir, 'checkpoint', 'README'), 'mine too');
  return { rows, segments, checkpointFiles: [ck.finished, ck.active].filter((p) => p !== null).length + 1 };
}

t.test('clear deletes the sessions and nothing else', async (t) => {
  const dir = tmpDir(t, 'clear-');
  const expected = busyStore(dir);
  t.ok(expected.segments > 2, 'precondition: several segment files');
  const r = clearStore({ databasePath: dir });
  t.match(r, {
    databasePath: dir,
    segments: expected.segments,
    rows: expected.rows,
    checkpointFiles: expected.checkpointFiles,
    tempFiles: 1,
    quarantinedFiles: 1,
    kept: ['checkpoint/README', 'mine/', 'notes.txt', 'users.json'],
    lockNote: undefined,
  });
  t.ok(r.bytes > 0);
  t.same(fs.readdirSync(dir).sort(), ['checkpoint', 'mine', 'notes.txt', 'users.json']);
  t.same(fs.readdirSync(path.join(dir, 'checkpoint')), ['README']);
  t.same(fs.readdirSync(path.join(dir, 'mine')), ['seg-0000000001.otq']);
  const reopened = ColumnStore.open(dir, { segmentCount: 100, segmentSize: 40 });
  t.equal(reopened.stats().rows, 0, 'the store is empty');
  reopened.close();

  const again = path.join(dir, '..', path.basename(dir) + '-2');
  fs.mkdirSync(again);
  t.teardown(() => fs.rmSync(again, { recursive: true, force: true }));
  busyStore(again);
  fs.rmSync(path.join(again, 'checkpoint', 'README'));
  clearStore({ databasePath: again });
  t.notOk(fs.existsSync(path.join(again, 'checkpoint')), 'an emptied checkpoint directory goes too');
});

t.test('clear refuses a locked store and a missing one; takes over a stale lock', async (t) => {
  const dir = tmpDir(t, 'clear-');
  const { segments } = busyStore(dir);
  writeLock(dir, liveLock(t));
  t.throws(() => clearStore({ databasePath: dir }), { code: 'LOCKED', exitCode: 1 });
  t.equal(segmentFiles(dir).length, segments, 'nothing deleted');
  writeLock(dir, { pid: deadPid(), startedAt: '2026-01-01T00:00:00.000Z', hostname: os.hostname() });
  const r = clearStore({ databasePath: dir });
  t.match(r.lockNote, /took over the lock/);
  t.notOk(fs.existsSync(path.join(dir, 'ftserver.lock')), 'the lock is released');
  t.throws(() => clearStore({ databasePath: path.join(dir, 'nope') }), { code: 'NOT_FOUND', exitCode: 2 });
});

t.test('confirmClear asks how many sessions where, and takes only "yes"', async (t) => {
  const dir = tmpDir(t, 'confirm-');
  const { rows } = busyStore(dir);
  const ask = async (input: string | null): Promise<{ answer: boolean; prompt: string }> => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let prompt = '';
    stdout.on('data', (d: Buffer) => (prompt += d.toString()));
    const p = confirmClear(stdin, stdout, dir);
    if (input === null) stdin.end();
    else stdin.end(input);
    return { answer: await p, prompt };
  };
  const yes = await ask('yes\n');
  t.equal(yes.answer, true);
  t.equal(yes.prompt, `Delete all ${rows} sessions in ${dir}? Type "yes" to confirm: `);
  for (const input of ['no\n', 'YES\n', 'y\n', '\n', 'yes please\n', null]) t.equal((await ask(input)).answer, false, JSON.stringify(input));
  t.equal((await ask('  yes  \n')).answer, true, 'blanks around it are fine');
  await t.rejects(confirmClear(new PassThrough(), new PassThrough(), path.join(dir, 'nope')), { code: 'NOT_FOUND' });
  t.equal(segmentFiles(dir).length > 0, true, 'asking deletes nothing');
});

t.test('a lock whose pid now names another process, or this one, is stale (a restart after a crash in a container)', async (t) => {
  const dir = tmpDir(t, 'lock-');
  // this very pid, not held by this process: a previous run with the same pid (pid 1 in a container) crashed
  writeLock(dir, { pid: process.pid, startedAt: '2026-01-01T00:00:00.000Z', hostname: os.hostname() });
  t.match(readStoreLock(dir), { alive: false });
  const a = acquireStoreLock(dir);
  t.match(a.note, /took over the lock of ftserver process/);
  a.release();
  // a live process that started after the lock was written did not write it
  const live = liveLock(t);
  writeLock(dir, { ...live, startedAt: '2026-01-01T00:00:00.000Z' });
  t.match(readStoreLock(dir), { pid: live.pid, alive: false }, 'the pid was reused');
  writeLock(dir, live);
  t.match(readStoreLock(dir), { pid: live.pid, alive: true }, 'the same process: alive');
});
