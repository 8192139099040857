// The storage thread seen from ftserver's main thread: cycles written off-thread, queries that see
// every session exactly once while a cycle is being written, recovery and errors across the thread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { streamSessions, type SessionSource } from '@opentraq/core';
import { CHECKPOINT_DIR, SessionStoreThread, readCheckpoint } from '../../src/storage/index.js';
import { sessions, slice } from './rows.js';

function starts(source: SessionSource): number[] {
  const out: number[] = [];
  for (const b of streamSessions(source, { fromUs: 0, toUs: 4e15, columns: ['start'] })) for (const v of b.columns.start as Float64Array) out.push(v);
  return out.sort((a, b) => a - b);
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'storagethread-'));
const opts = (dir: string) => ({ databasePath: dir, segmentCount: 1000, segmentSize: 500, computeCrc: true });

t.test('a cycle on the storage thread: finished sessions stored, active ones checkpointed, queries see each session once throughout', async (t) => {
  const dir = tmp();
  const all = sessions(1200, 1);
  const { store, recovery } = await SessionStoreThread.open(opts(dir));
  t.same(recovery, { checkpoint: false, finishedRestored: 0, finishedAlreadyStored: 0, activeRestored: 0 });
  store.accept(slice(all, 0, 700).cols, 700);
  store.accept(slice(all, 700, 1000).cols, 300);
  t.equal(store.pendingRows, 1000);
  let taken = 0;
  const cycle = store.cycle(() => {
    taken++;
    // a session finishing at the instant the cycle starts is delivered before the snapshot
    store.accept(slice(all, 1000, 1100).cols, 100);
    return slice(all, 1100, 1200);
  });
  t.equal(taken, 1, 'the snapshot is taken when the cycle starts');
  t.ok(store.busy, 'the cycle runs on the other thread');
  t.equal(store.waitingRows, 0, 'every finished session went with the cycle');
  t.equal(store.pendingRows, 1100, 'and stays visible until the thread says it is stored');
  const during = starts(store.querySource(slice(all, 1100, 1200)));
  t.equal(during.length, 1200, 'a query during the cycle sees every session');
  t.equal(new Set(during).size, 1200, 'and none twice');
  const r = await cycle;
  t.same([r.finished, r.active], [1100, 100]);
  t.equal(store.pendingRows, 0);
  t.equal(store.stats().rows, 1100, 'the thread reports the stored rows');
  t.equal(store.list().reduce((n, s) => n + s.rows, 0), 1100, 'and the segment files');
  const after = starts(store.querySource(slice(all, 1100, 1200)));
  t.same(after, during, 'a query after the cycle sees the same sessions, now from files');
  const ck = readCheckpoint(dir)!;
  t.same([ck.finished!.rows, ck.active!.rows], [1100, 100]);
  t.equal(store.cycles, 1);
  await store.cycle(() => null);
  await store.close();
});

t.test('cycles asked for together run one after the other, each with its own snapshot', async (t) => {
  const dir = tmp();
  const all = sessions(300, 2);
  const { store } = await SessionStoreThread.open(opts(dir));
  const order: string[] = [];
  store.accept(slice(all, 0, 100).cols, 100);
  const a = store.cycle(() => {
    order.push('a');
    return null;
  });
  store.accept(slice(all, 100, 200).cols, 100);
  const b = store.cycle(() => {
    order.push('b');
    return slice(all, 200, 300);
  });
  t.same(order, ['a'], 'the second waits for the first before taking its snapshot');
  const [ra, rb] = await Promise.all([a, b]);
  t.same(order, ['a', 'b']);
  t.same([ra.finished, ra.active, rb.finished, rb.active], [100, 0, 100, 100]);
  t.equal(store.stats().rows, 200);
  await store.close();
});

t.test('a crash (the thread gone without close) loses nothing that a cycle committed', async (t) => {
  const dir = tmp();
  const all = sessions(500, 3);
  const first = await SessionStoreThread.open(opts(dir));
  first.store.accept(slice(all, 0, 400).cols, 400);
  await first.store.cycle(() => slice(all, 400, 500));
  // sessions accepted after the last cycle are the ones a crash may lose
  first.store.accept(sessions(50, 9).cols, 50);
  await (first.store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  const { store, recovery } = await SessionStoreThread.open(opts(dir));
  t.same(recovery, { checkpoint: true, finishedRestored: 0, finishedAlreadyStored: 400, activeRestored: 100 });
  const got = starts(store.querySource(null));
  t.same(got, Array.from({ length: 500 }, (_, i) => 1_700_000_000_000_000 + 3e9 + i), 'every committed session once, the uncommitted ones not');
  await store.close();
});

t.test("the store's errors and warnings cross the thread with their meaning", async (t) => {
  const dir = tmp();
  const { store } = await SessionStoreThread.open(opts(dir));
  store.accept(sessions(20, 4).cols, 20);
  await store.cycle(() => sessions(5, 5));
  await store.close();
  fs.writeFileSync(path.join(dir, CHECKPOINT_DIR, 'checkpoint.json'), '{"format":"opentraq-checkpoint","version":7}');
  await t.rejects(SessionStoreThread.open(opts(dir)), { name: 'CheckpointError', code: 'CHECKPOINT', message: /version 7; this server reads version 1/ }, 'a checkpoint of a newer server stops the start');
  fs.rmSync(path.join(dir, CHECKPOINT_DIR), { recursive: true });
  // a torn segment: set aside with a warning, the rest opens
  const seg = fs.readdirSync(dir).find((f) => /^seg-\d+\.otq$/.test(f))!;
  fs.truncateSync(path.join(dir, seg), 100);
  const warnings: string[] = [];
  const { store: again } = await SessionStoreThread.open({ ...opts(dir), logger: { warn: (_d, m) => warnings.push(m) } });
  t.ok(warnings.length > 0, 'the warning reached the main thread');
  t.equal(again.stats().corruptSegments, 1);
  await again.close();
});
