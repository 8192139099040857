// The storage thread seen from ftserver's main thread: cycles written off-thread, queries that see
// every session exactly once while a cycle is being written, recovery and errors across the thread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { COLUMN_NAMES, ColumnStore, EMIT_REASONS, streamSessions, type PipelineCounters, type SessionSource } from '@opentraq/core';
import { ServerMetrics } from '../../src/metrics/index.js';
import { CHECKPOINT_DIR, SessionStoreThread, readCheckpoint } from '../../src/storage/index.js';
import { SORT_AFTER_QUERY_MS } from '../../src/storage/sessionstorethread.js';
import { keysIn, keysOf, reversed, sessions, slice } from './rows.js';

function starts(source: SessionSource): number[] {
  const out: number[] = [];
  for (const b of streamSessions(source, { fromUs: 0, toUs: 4e15, columns: ['start'] })) for (const v of b.columns.start as Float64Array) out.push(v);
  return out.sort((a, b) => a - b);
}

const made: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storagethread-'));
  made.push(dir);
  return dir;
};
t.teardown(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
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
  const told: Error[] = [];
  await t.rejects(
    SessionStoreThread.open({ ...opts(dir), onWorkerError: (e) => told.push(e) }),
    { name: 'CheckpointError', code: 'CHECKPOINT', message: /version 7; this server reads version 1/ },
    'a checkpoint of a newer server stops the start',
  );
  t.equal(told.length, 0, 'and the thread ended with it is not reported as a dead storage thread');
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

/** /metrics of a server whose store is `store` (the rest at rest). */
function metricsOf(store: SessionStoreThread): ServerMetrics {
  const pipeline = { datagrams: { netflow: 0, sflow: 0, tcp: 0 }, flows: 0, sessions: 0, pendingFlows: 0, refused: 0, exporters: new Map(), tracker: { active: 0, emitted: Object.fromEntries(EMIT_REASONS.map((r) => [r, 0])) } } as unknown as PipelineCounters;
  return new ServerMetrics({
    pipeline: () => pipeline,
    listeners: () => [],
    store: () => ({ ...store.stats(), cycles: store.cycles, lastCycleSeconds: 0 }),
    auth: () => ({ lockedAddresses: 0, failures: 0 }),
    queries: () => ({ running: 0, queued: 0, rejected: 0, snapshots: 0 }),
  });
}

async function metric(m: ServerMetrics, name: string): Promise<number> {
  const line = (await m.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

/** End a storage thread a failed assertion may have left running (close() may have ended it already). */
async function endThread(store: SessionStoreThread): Promise<void> {
  await (store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
}

const keys = (s: { cols: Parameters<typeof keysOf>[0]; rows: number }): string[] => keysOf(s.cols, s.rows);
const sortedKeys = (a: readonly string[]): string[] => [...a].sort();

t.test('while the store cannot write: queries see each session once, memory is bounded, the first cycle that can write stores everything once', async (t) => {
  const dir = tmp();
  const all = sessions(6000, 6);
  const warnings: string[] = [];
  const { store } = await SessionStoreThread.open({ ...opts(dir), maxHeldRows: 2000, logger: { warn: (_d, m) => warnings.push(m) } });
  t.teardown(() => endThread(store));
  const m = metricsOf(store);
  store.accept(slice(all, 0, 300).cols, 300);
  await store.cycle(() => null);
  // a directory under a segment's name makes its write fail (as root, a read-only folder would not):
  // the next full segment is written, the ones after it are not
  const next = store.list().reduce((n, s) => Math.max(n, s.id), 0) + 1;
  const blocks = [1, 2, 3].map((k) => path.join(dir, `seg-${String(next + k).padStart(10, '0')}.otq`));
  for (const b of blocks) fs.mkdirSync(b);
  store.accept(slice(all, 300, 1500).cols, 1200);
  await t.rejects(
    store.cycle(() => slice(all, 5900, 6000)),
    { code: 'IO', message: /refusing to overwrite/ },
    'the cycle fails in the middle of the append',
  );
  t.equal(store.list().reduce((n, s) => n + s.rows, 0), 500, 'one full segment was written before the failure');
  t.same([store.failing, store.stats().writeFailures, store.pendingRows], [true, 1, 1000], 'the 1000 sessions it does not hold are kept');
  const want = (to: number): string[] => sortedKeys(keys(slice(all, 0, to)));
  // the active sessions' buffers went to the storage thread: a query gets its own snapshot
  const active = slice(all, 5900, 6000);
  t.same(sortedKeys(keysIn(store.querySource(active))), sortedKeys([...keys(slice(all, 0, 1500)), ...keys(active)]), 'a query sees each session once: the stored ones from the file, the others from memory');

  // the bound: 2000 held at most while failing; the rest are dropped and counted
  store.accept(slice(all, 1500, 2300).cols, 800);
  store.accept(slice(all, 2300, 2700).cols, 400);
  store.accept(slice(all, 2700, 2800).cols, 100);
  t.same([store.pendingRows, store.droppedSessions], [2000, 300], '2000 held, 300 dropped');
  t.equal(warnings.filter((w) => /memory for finished sessions is full/.test(w)).length, 1, 'the dropping is logged once');
  t.same(sortedKeys(keysIn(store.querySource(null))), want(2500), 'a query sees the 2500 kept sessions once');
  t.equal(await metric(m, 'opentraq_storage_failing'), 1);
  t.equal(await metric(m, 'opentraq_sessions_pending'), 2000);
  t.equal(await metric(m, 'opentraq_sessions_dropped_total'), 300);

  await t.rejects(store.cycle(() => null), { code: 'IO' }, 'a second cycle fails too');
  t.same([store.pendingRows, store.stats().writeFailures], [2000, 2], 'nothing lost, nothing doubled');
  t.same(sortedKeys(keysIn(store.querySource(null))), want(2500));
  t.equal(warnings.filter((w) => /cannot write/.test(w)).length, 2, 'the failure logged once (and the dropping)');

  // killed now: a restart, the disk still refusing, holds the committed sessions in memory
  const copy = tmp();
  fs.cpSync(dir, copy, { recursive: true });
  const { store: restarted, recovery } = await SessionStoreThread.open(opts(copy));
  t.teardown(() => endThread(restarted));
  t.same(recovery, { checkpoint: true, finishedRestored: 2000, finishedAlreadyStored: 0, activeRestored: 0 });
  t.ok(restarted.failing, 'the restart could not store them');
  t.same(sortedKeys(keysIn(restarted.querySource(null))), want(2500), 'a restart during the outage: each session once');
  await restarted.close();

  for (const b of blocks) fs.rmdirSync(b);
  const r = await store.cycle(() => null);
  t.equal(r.finished, 2000, 'the first cycle that can write stores everything held');
  t.same([store.failing, store.pendingRows, store.stats().writeFailures, store.droppedSessions], [false, 0, 2, 300]);
  t.equal(await metric(m, 'opentraq_storage_failing'), 0);
  t.equal(await metric(m, 'opentraq_storage_write_failures_total'), 2);
  t.equal(warnings.filter((w) => /^the store writes again/.test(w)).length, 1, 'the recovery is logged');
  t.equal(warnings.filter((w) => /dropped while the store could not write/.test(w)).length, 1, 'with the sessions dropped');
  store.accept(slice(all, 2800, 2900).cols, 100);
  t.equal(store.droppedSessions, 300, 'a store that writes takes every session');
  // a cycle asked for while new settings are applied: the settings' answer comes first, and the
  // sessions handed to the cycle stay visible until the cycle's own answer
  const reconfigured = store.reconfigure({ segmentCount: 1000, segmentSize: 500, computeCrc: true });
  store.accept(slice(all, 2900, 3000).cols, 100);
  const cycled = store.cycle(() => null);
  await reconfigured;
  t.same(sortedKeys(keysIn(store.querySource(null))), sortedKeys([...keys(slice(all, 0, 2500)), ...keys(slice(all, 2800, 3000))]), 'between the two answers a query sees each session once');
  await cycled;
  await store.close();
  const files = ColumnStore.open(dir, { segmentCount: 1000, segmentSize: 500, readOnly: true });
  const stored: string[] = [];
  for (const info of files.list()) {
    const reader = files.open(info);
    stored.push(...keysOf(reader.read(COLUMN_NAMES), info.rows));
    reader.close();
  }
  t.same(stored, [...keys(slice(all, 0, 2500)), ...keys(slice(all, 2800, 3000))], 'the files hold every kept session once, in order');
});

t.test('the bound on held sessions is a whole number', async (t) => {
  await t.rejects(SessionStoreThread.open({ ...opts(tmp()), maxHeldRows: 0 }), { code: 'USAGE', message: /whole number >= 1.*got 0/ });
  const { store } = await SessionStoreThread.open({ ...opts(tmp()), maxHeldRows: 10 });
  t.teardown(() => endThread(store));
  t.throws(() => (store.maxHeldRows = 2.5), { code: 'USAGE', message: /got 2\.5/ });
  t.equal(store.maxHeldRows, 10, 'unchanged');
  store.maxHeldRows = Infinity;
  t.equal(store.maxHeldRows, Infinity);
  await store.close();
});

t.test('finished sessions handed over in any order: queries of part of the time see exactly the sessions in it, before, during and after a cycle', async (t) => {
  const dir = tmp();
  const all = sessions(1500, 3);
  // rows in falling start order: the batches are kept as they came, a query sorts them
  const backwards = reversed(all, 0, 1500);
  const base = (all.cols.start as Float64Array)[0]!;
  const within = (source: SessionSource, from: number, to: number): number[] => {
    const out: number[] = [];
    for (const b of streamSessions(source, { fromUs: base + from, toUs: base + to, columns: ['start'] })) for (const v of b.columns.start as Float64Array) out.push(v - base);
    return out.sort((a, b) => a - b);
  };
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
  const { store } = await SessionStoreThread.open(opts(dir));
  store.accept(slice(backwards, 0, 800).cols, 800);
  store.accept(slice(backwards, 800, 1500).cols, 700);
  t.equal(store.sortedBatches, 0, 'nothing sorted before a query');
  // batch 1 holds starts 700..1499, batch 2 starts 0..699
  t.same(within(store.querySource(null), 100, 400), range(100, 400), 'waiting: a part of the time');
  t.equal(store.sortedBatches, 1, 'only the batch the frame reaches was sorted');
  t.same(within(store.querySource(null), 650, 760), range(650, 760), 'across both batches');
  t.equal(store.sortedBatches, 2);
  const cycle = store.cycle(() => null);
  t.same(within(store.querySource(null), 600, 900), range(600, 900), 'during the cycle (the batches now on the storage thread)');
  t.equal(store.sortedBatches, 2, 'the sorted copies are still the ones made before');
  await cycle;
  t.equal(store.sortedBatches, 0, 'let go once stored');
  t.same(within(store.querySource(null), 0, 1500), range(0, 1500), 'after it, from the files');
  t.same(within(store.querySource(null), 1200, 1300), range(1200, 1300));
  await store.cycle(() => null);
  await store.close();
});

t.test('a storage thread that dies: cycles fail at once instead of waiting forever, held sessions are bounded, close ends', async (t) => {
  const dir = tmp();
  const all = sessions(300, 4);
  const died: Error[] = [];
  const { store } = await SessionStoreThread.open({ ...opts(dir), maxHeldRows: 250, onWorkerError: (e) => died.push(e) });
  store.accept(slice(all, 0, 100).cols, 100);
  await store.cycle(() => null);
  await (store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  t.equal(died.length, 1, 'told once');
  t.match(died[0]!.message, /the storage thread exited/);
  t.ok(store.failing, 'the store counts as failing');
  t.equal(store.stats().failing, true, 'and says so in its stats');
  store.accept(slice(all, 100, 300).cols, 200);
  store.accept(slice(all, 0, 100).cols, 100);
  t.equal(store.pendingRows, 250, 'held up to maxHeldRows');
  t.equal(store.droppedSessions, 50, 'the rest dropped and counted');
  await t.rejects(store.cycle(() => null), { code: 'WORKER_FAILED' }, 'a cycle fails with the thread\'s error');
  t.equal(starts(store.querySource(null)).length, 100 + 250, 'queries still see what is stored and what is held');
  await store.close();
  t.pass('close returns');
});

t.test('after a query, finished sessions are sorted as they come for a while, so the next queries find them sorted', async (t) => {
  const dir = tmp();
  const all = sessions(1500, 5);
  const backwards = (from: number, to: number) => reversed(all, from, to);
  let clock = 1000;
  const { store } = await SessionStoreThread.open({ ...opts(dir), now: () => clock });
  store.accept(backwards(0, 500).cols, 500);
  t.equal(starts(store.querySource(null)).length, 500);
  t.equal(store.sortedBatches, 1, 'the batch that came before any query was sorted by the query');
  clock += SORT_AFTER_QUERY_MS - 1;
  store.accept(backwards(500, 1000).cols, 500);
  t.equal(starts(store.querySource(null)).length, 1000);
  t.equal(store.sortedBatches, 1, 'the batch that came within the window needed no sorted copy');
  const base = (all.cols.start as Float64Array)[0]!;
  const part: number[] = [];
  for (const b of streamSessions(store.querySource(null), { fromUs: base + 600, toUs: base + 700, columns: ['start'] })) for (const v of b.columns.start as Float64Array) part.push(v - base);
  t.same(part.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 600 + i), 'and a part of its time is read right');
  // the last query came just now: the window runs from here
  clock += SORT_AFTER_QUERY_MS;
  store.accept(backwards(1000, 1500).cols, 500);
  t.equal(starts(store.querySource(null)).length, 1500);
  t.equal(store.sortedBatches, 2, 'a batch that came once the window had passed was copied unsorted, and the query sorted it');
  await store.cycle(() => null);
  await store.close();
  await t.rejects(store.cycle(() => null), { code: 'WORKER_FAILED' }, 'after close a request fails at once instead of waiting');
});
