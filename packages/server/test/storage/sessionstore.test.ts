// The session store's durability cycle: after a crash at any step (simulated by abandoning the
// object and opening the directory again) every session is stored exactly once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { COLUMN_NAMES, SegmentFileReader, streamSessions } from '@opentraq/core';
import { CHECKPOINT_DIR, SessionStore, readCheckpoint } from '../../src/storage/index.js';
import { sessions, slice } from './rows.js';

/** Every start stored (segments only, no memory), sorted. */
function storedStarts(dir: string): number[] {
  const { store } = SessionStore.open({ databasePath: dir, segmentCount: 1000, segmentSize: 500, computeCrc: true });
  const out: number[] = [];
  for (const b of streamSessions(store.querySource(null), { fromUs: 0, toUs: 4e15, columns: ['start'] })) for (const v of b.columns.start as Float64Array) out.push(v);
  store.close();
  return out.sort((a, b) => a - b);
}

const made: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessionstore-'));
  made.push(dir);
  return dir;
};
t.teardown(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const opts = (dir: string) => ({ databasePath: dir, segmentCount: 1000, segmentSize: 500, computeCrc: true });

t.test('a clean cycle: finished sessions reach the store, active ones stay in the checkpoint only', async (t) => {
  const dir = tmp();
  const all = sessions(300, 1);
  const { store } = SessionStore.open(opts(dir));
  store.accept(slice(all, 0, 200).cols, 200);
  t.equal(store.pendingRows, 200);
  const active = slice(all, 200, 300);
  const r = store.cycle(active);
  t.same([r.finished, r.active], [200, 100]);
  t.equal(store.pendingRows, 0);
  t.equal(store.store.stats().rows, 200, 'the store holds the finished sessions');
  const ck = readCheckpoint(dir)!;
  t.equal(ck.finished!.rows, 200);
  t.equal(ck.active!.rows, 100);
  // a query sees the store and the active sessions, each once
  let n = 0;
  for (const b of streamSessions(store.querySource(active), { fromUs: 0, toUs: 4e15, columns: ['start'] })) n += b.rows;
  t.equal(n, 300);
  // crash now (no close): the restart stores the active sessions, and the finished ones once
  const starts = storedStarts(dir);
  t.equal(starts.length, 300);
  t.equal(new Set(starts).size, 300, 'no session twice');
  t.same(starts, Array.from(all.cols.start as Float64Array).slice(0, 300).sort((a, b) => a - b));
});

t.test('a crash between the checkpoint and the store write loses nothing and stores nothing twice', async (t) => {
  const dir = tmp();
  const all = sessions(250, 2);
  const { store } = SessionStore.open(opts(dir));
  store.accept(slice(all, 0, 100).cols, 100);
  store.cycle(slice(all, 100, 150));
  // the next cycle: the checkpoint commits, then the process dies before the store write
  store.accept(slice(all, 100, 250).cols, 150);
  const cs = store.store as unknown as { append: unknown };
  cs.append = () => {
    throw new Error('killed');
  };
  t.throws(() => store.cycle(null), /killed/);
  const starts = storedStarts(dir);
  t.equal(starts.length, 250);
  t.equal(new Set(starts).size, 250);
});

t.test('a crash between the full segment an append wrote and the partial with the rest', async (t) => {
  const dir = tmp();
  const all = sessions(600, 8);
  const { store } = SessionStore.open(opts(dir));
  // 300 rows sit in the store's buffer (already in a partial segment)
  store.accept(slice(all, 0, 300).cols, 300);
  store.cycle(null);
  // the next 300: the append fills the 500-row buffer (a full segment with 200 of them), then dies
  store.accept(slice(all, 300, 600).cols, 300);
  const cs = store.store as unknown as { flush: unknown };
  cs.flush = () => {
    throw new Error('killed after the full segment');
  };
  t.throws(() => store.cycle(null), /killed/);
  const starts = storedStarts(dir);
  t.equal(starts.length, 600, 'the 100 rows only the checkpoint held are restored');
  t.equal(new Set(starts).size, 600, 'and the 200 the full segment holds are not stored again');
});

t.test('a crash before the checkpoint commits falls back to the previous one', async (t) => {
  const dir = tmp();
  const all = sessions(200, 3);
  const { store } = SessionStore.open(opts(dir));
  store.accept(slice(all, 0, 80).cols, 80);
  store.cycle(slice(all, 80, 120));
  const before = fs.readFileSync(path.join(dir, CHECKPOINT_DIR, 'checkpoint.json'), 'utf8');
  // a half-written next generation: its segment file exists, its commit record does not
  fs.writeFileSync(path.join(dir, CHECKPOINT_DIR, 'seg-0000000003.otq'), 'torn');
  t.equal(fs.readFileSync(path.join(dir, CHECKPOINT_DIR, 'checkpoint.json'), 'utf8'), before);
  const starts = storedStarts(dir);
  t.equal(starts.length, 120, 'the 80 stored and the 40 active of the committed checkpoint');
  t.equal(new Set(starts).size, 120);
  t.notOk(fs.existsSync(path.join(dir, CHECKPOINT_DIR, 'seg-0000000003.otq')) && fs.readFileSync(path.join(dir, CHECKPOINT_DIR, 'seg-0000000003.otq'), 'utf8') === 'torn', 'the torn file is gone');
});

t.test('restarting twice after a crash does not store the restored sessions twice', async (t) => {
  const dir = tmp();
  const all = sessions(90, 4);
  const { store } = SessionStore.open(opts(dir));
  store.accept(slice(all, 0, 30).cols, 30);
  store.cycle(slice(all, 30, 90));
  // first restart: crash again right after it restored (no close)
  SessionStore.open(opts(dir));
  const starts = storedStarts(dir);
  t.equal(starts.length, 90);
  t.equal(new Set(starts).size, 90);
});

t.test('a clean stop: drain and cycle(null), close; the next start restores nothing', async (t) => {
  const dir = tmp();
  const all = sessions(120, 5);
  const { store } = SessionStore.open(opts(dir));
  store.accept(all.cols, 120);
  store.cycle(null);
  store.close();
  const { store: again, recovery } = SessionStore.open(opts(dir));
  t.equal(recovery.finishedRestored + recovery.activeRestored, 0);
  t.equal(recovery.finishedAlreadyStored, 120);
  t.equal(again.store.stats().rows, 120);
  again.close();
});

t.test("a newer server's checkpoint stops the start; a damaged one is set aside and the start goes on", async (t) => {
  const dir = tmp();
  const { store } = SessionStore.open(opts(dir));
  store.accept(sessions(10, 6).cols, 10);
  store.cycle(sessions(4, 7));
  fs.writeFileSync(path.join(dir, CHECKPOINT_DIR, 'checkpoint.json'), '{"format":"opentraq-checkpoint","version":7}');
  t.throws(() => SessionStore.open(opts(dir)), /version 7; this server reads version 1/);
  t.ok(fs.existsSync(path.join(dir, CHECKPOINT_DIR)), 'the newer checkpoint is left in place');

  const warnings: { details: Record<string, unknown>; message: string }[] = [];
  const logger = { warn: (details: Record<string, unknown>, message: string) => warnings.push({ details, message }) };
  fs.writeFileSync(path.join(dir, CHECKPOINT_DIR, 'checkpoint.json'), '{nope');
  const { store: s2, recovery } = SessionStore.open({ ...opts(dir), logger });
  t.equal(recovery.checkpoint, false, 'started without it');
  t.equal(s2.store.stats().rows, 10, 'the stored sessions are all there');
  t.equal(warnings.length, 1);
  t.match(warnings[0]!.message, /checkpoint of the last run is damaged: set aside/);
  const aside = warnings[0]!.details.path as string;
  t.match(path.basename(aside), /^checkpoint\.corrupt-/);
  t.equal(fs.readFileSync(path.join(aside, 'checkpoint.json'), 'utf8'), '{nope', 'the record is kept for a person to look at');
  s2.cycle(null);
  s2.close();

  // a torn part file: the same
  const { store: s3 } = SessionStore.open(opts(dir));
  s3.cycle(sessions(4, 8));
  const part = fs.readdirSync(path.join(dir, CHECKPOINT_DIR)).find((f) => f.endsWith('.otq'))!;
  fs.truncateSync(path.join(dir, CHECKPOINT_DIR, part), 64);
  warnings.length = 0;
  const { store: s4, recovery: r4 } = SessionStore.open({ ...opts(dir), logger });
  t.equal(r4.checkpoint, false);
  t.equal(warnings.length, 1, 'reported');
  t.equal(s4.store.stats().rows, 10);
  s4.close();
});

t.test('checkpoint segments are real segment files with checksums', async (t) => {
  const dir = tmp();
  const { store } = SessionStore.open(opts(dir));
  store.accept(sessions(50, 7).cols, 50);
  store.cycle(null);
  const ck = readCheckpoint(dir)!;
  t.equal(readWhole(path.join(dir, CHECKPOINT_DIR, ck.record.finished!.file)), 50);
  t.equal(ck.record.finished!.rows, 50);
  const ckDir = path.join(dir, CHECKPOINT_DIR);
  t.equal(fs.statSync(ckDir).mode & 0o777, 0o700, 'the checkpoint folder is private');
  for (const f of fs.readdirSync(ckDir)) t.equal(fs.statSync(path.join(ckDir, f)).mode & 0o777, 0o600, `${f} is private`);
  store.close();
});

/** Rows of a segment file, after reading (and so checksumming) every column. */
function readWhole(file: string): number {
  const r = SegmentFileReader.open(file);
  const rows = r.info.rows;
  r.read(COLUMN_NAMES);
  r.close();
  return rows;
}
