// The session store on a disk that cannot be written (ENOSPC): cycles that fail at the checkpoint, in
// the middle of an append or at the flush, 1, 2 and 5 in a row, then succeed. Every session is stored
// once and in order, queries meanwhile see each once, and a crash after any step restores each once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { COLUMN_NAMES, type ColumnStore } from '@opentraq/core';
import { SessionStore, type SessionRows } from '../../src/storage/index.js';
import { flipColumnByte } from '../../../core/test/store/flipcolumnbyte.js';
import { DiskFull, type FileKind } from './diskfull.js';
import { keysIn, keysOf, sessions, slice } from './rows.js';

const SEGMENT = 500;
const opts = (dir: string, logger?: Logger) => ({ databasePath: dir, segmentCount: 1000, segmentSize: SEGMENT, computeCrc: true, ...(logger === undefined ? {} : { logger }) });

interface Logger {
  warn(details: Record<string, unknown>, message: string): void;
}

function recorder(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_d, m) => messages.push(m) };
}

/** A folder for one test, removed at its end; the disk of everything under it can fill up. */
function setup(t: Test): { root: string; disk: DiskFull } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storefailures-'));
  const disk = new DiskFull(root);
  t.teardown(() => {
    disk.restore();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { root, disk };
}

/** What the store's segment files hold, segment after segment (by id), as keys. */
function fileKeys(cs: ColumnStore): string[] {
  const out: string[] = [];
  for (const info of cs.list()) {
    const r = cs.open(info);
    out.push(...keysOf(r.read(COLUMN_NAMES), info.rows));
    r.close();
  }
  return out;
}

/** Rows in the store's buffer: those of the partial segments after the last full one. */
function bufferRows(cs: ColumnStore): number {
  const list = cs.list();
  const lastFull = list.filter((s) => !s.partial).reduce((m, s) => Math.max(m, s.id), 0);
  return list.filter((s) => s.partial && s.id > lastFull).reduce((n, s) => n + s.rows, 0);
}

const sorted = (a: readonly string[]): string[] => [...a].sort();

/**
 * What a test has handed to the store and what a crash now must give back: the finished sessions
 * accepted up to the last committed checkpoint, and the active ones of that checkpoint.
 */
class Expected {
  readonly finished: string[] = [];
  committed: string[] = [];
  committedActive: string[] = [];
  private next = 0;
  private crashes = 0;

  constructor(
    private readonly t: Test,
    private readonly root: string,
    private readonly all: SessionRows,
  ) {}

  take(n: number): SessionRows {
    const s = slice(this.all, this.next, this.next + n);
    this.next += n;
    return s;
  }

  accept(store: SessionStore, n: number): void {
    const b = this.take(n);
    store.accept(b.cols, b.rows);
    this.finished.push(...keysOf(b.cols, b.rows));
  }

  committedNow(active: SessionRows | null): void {
    this.committed = [...this.finished];
    this.committedActive = active === null ? [] : keysOf(active.cols, active.rows);
  }

  /** Queries see every finished session accepted and the active ones, once each. */
  checkQuery(store: SessionStore, active: SessionRows | null, what: string): void {
    const expected = [...this.finished, ...(active === null ? [] : keysOf(active.cols, active.rows))];
    this.t.same(sorted(keysIn(store.querySource(active))), sorted(expected), `${what}: a query sees each of the ${expected.length} sessions once`);
  }

  /** A crash now (the folder as it is, opened by a new server): exactly the committed sessions. */
  checkCrash(dir: string, what: string): void {
    const copy = path.join(this.root, `crash-${++this.crashes}`);
    fs.cpSync(dir, copy, { recursive: true });
    const { store } = SessionStore.open(opts(copy));
    const got = keysIn(store.querySource(null));
    const want = [...this.committed, ...this.committedActive];
    this.t.same(sorted(got), sorted(want), `${what}: a crash now restores the ${want.length} committed sessions, each once`);
    store.close();
  }
}

type Failure = 'append' | 'flush' | FileKind;
const FAILURES: readonly Failure[] = ['append', 'flush', 'checkpoint part', 'checkpoint record'];

t.test('1, 2 and 5 failed cycles in a row, then one that writes: each session stored once, in order', async (t) => {
  for (const failure of FAILURES) {
    for (const fails of [1, 2, 5]) {
      await t.test(`${fails} × ${failure}`, async (t) => {
        const { root, disk } = setup(t);
        const dir = path.join(root, 'store');
        const log = recorder();
        const ex = new Expected(t, root, sessions(20_000, fails * 10 + FAILURES.indexOf(failure)));
        const { store } = SessionStore.open(opts(dir, log));
        // a healthy start that leaves rows in the store's buffer (a partial segment)
        ex.accept(store, 320);
        const first = ex.take(40);
        store.cycle(first);
        ex.committedNow(first);
        t.equal(bufferRows(store.store), 320);
        for (let c = 1; c <= fails; c++) {
          // three batches, together more than a segment: the append fills the buffer at least once
          for (const n of [230, 170, 260 + c]) ex.accept(store, n);
          const active = ex.take(50 + c);
          const full = Math.floor((bufferRows(store.store) + store.pendingRows) / SEGMENT);
          if (failure === 'append') disk.allow((c - 1) % full, 'segment');
          else if (failure === 'flush') disk.allow(full, 'segment');
          else disk.allow(0, failure);
          const stored = store.store.stats().rows;
          const buffered = bufferRows(store.store);
          t.throws(() => store.cycle(active), { code: 'IO', message: /no space left on device/ }, `cycle ${c} fails`);
          if (failure === 'append' || failure === 'flush') ex.committedNow(active);
          const s = store.stats();
          t.same([s.failing, s.writeFailures], [true, c], `cycle ${c}: the store says it is failing`);
          t.equal(store.store.stats().rows + store.pendingRows, ex.finished.length, `cycle ${c}: every finished session is in a file or in memory`);
          if (failure === 'append') {
            const written = (c - 1) % full;
            t.equal(store.store.stats().rows - stored, written === 0 ? 0 : written * SEGMENT - buffered, `cycle ${c}: the ${written} full segments written before the failure stay`);
          }
          ex.checkQuery(store, active, `after failed cycle ${c}`);
          ex.checkCrash(dir, `after failed cycle ${c}`);
        }
        t.ok(Object.values(disk.refused).some((n) => n > 0), 'the disk refused writes');
        disk.heal();
        ex.accept(store, 90);
        const last = ex.take(30);
        const held = store.pendingRows;
        const r = store.cycle(last);
        ex.committedNow(last);
        t.equal(store.pendingRows, 0, 'nothing left in memory');
        t.equal(r.finished, held, 'the cycle stored everything held since the failure');
        t.same(fileKeys(store.store), ex.finished, 'the files hold every finished session once, in the order they finished');
        t.notOk(store.stats().failing);
        ex.checkQuery(store, last, 'after the recovery');
        ex.checkCrash(dir, 'after the recovery');
        t.equal(log.messages.filter((m) => /cannot write/.test(m)).length, 1, 'the failure is logged once');
        t.equal(log.messages.filter((m) => /^the store writes again/.test(m)).length, 1, 'and the recovery once');
        store.close();
      });
    }
  }
});

t.test('failures of every kind mixed, in a row, with cycles that find nothing new', async (t) => {
  const { root, disk } = setup(t);
  const dir = path.join(root, 'store');
  const ex = new Expected(t, root, sessions(20_000, 77));
  const { store } = SessionStore.open(opts(dir));
  const plan: (Failure | 'none' | 'empty')[] = ['none', 'append', 'checkpoint record', 'empty', 'flush', 'append', 'checkpoint part', 'none', 'flush', 'none'];
  for (const [c, step] of plan.entries()) {
    if (step !== 'empty') for (const n of [410, 77 + c]) ex.accept(store, n);
    const active = step === 'empty' ? null : ex.take(20 + c);
    const full = Math.floor((bufferRows(store.store) + store.pendingRows) / SEGMENT);
    if (step === 'append') disk.allow(Math.max(0, full - 1), 'segment');
    else if (step === 'flush') disk.allow(full, 'segment');
    else if (step === 'empty') disk.allow(0);
    else if (step !== 'none') disk.allow(0, step);
    if (step === 'none') {
      store.cycle(active);
      ex.committedNow(active);
    } else {
      t.throws(() => store.cycle(active), /no space left on device/, `cycle ${c + 1} (${step}) fails`);
      if (step === 'append' || step === 'flush') ex.committedNow(active);
    }
    disk.heal();
    ex.checkQuery(store, active, `after cycle ${c + 1} (${step})`);
    ex.checkCrash(dir, `after cycle ${c + 1} (${step})`);
  }
  t.same(fileKeys(store.store), ex.finished, 'every finished session once, in order');
  store.close();
});

t.test('a server that starts on a full disk restores the checkpoint into memory and stores it once the disk has room', async (t) => {
  const { root, disk } = setup(t);
  const dir = path.join(root, 'store');
  const ex = new Expected(t, root, sessions(5000, 91));
  const log = recorder();
  const { store } = SessionStore.open(opts(dir));
  ex.accept(store, 600);
  store.cycle(null);
  ex.committedNow(null);
  ex.accept(store, 700);
  const active = ex.take(80);
  disk.allow(0, 'segment');
  t.throws(() => store.cycle(active), /no space left/);
  ex.committedNow(active);
  // killed now; the disk is still full at the restart: the start goes on, the sessions stay in memory
  disk.allow(0);
  const { store: again, recovery } = SessionStore.open(opts(dir, log));
  t.same(recovery, { checkpoint: true, finishedRestored: 700, finishedAlreadyStored: 0, activeRestored: 80 });
  t.ok(again.stats().failing, 'the restart says the store is failing');
  t.equal(again.pendingRows, 780);
  t.same(log.messages.filter((m) => /cannot write/.test(m)).length, 1, 'the failure is logged');
  t.match(log.messages.find((m) => /cannot write/.test(m)), /cannot write the checkpoint/, 'at the checkpoint, which a full disk refuses first');
  t.same(sorted(keysIn(again.querySource(null))), sorted([...ex.committed, ...ex.committedActive]), 'queries see the stored and the restored sessions, each once');
  // a second crash, the disk still full: the same checkpoint, the same sessions
  ex.checkCrash(dir, 'a crash after a restart on a full disk');
  disk.heal();
  again.cycle(null);
  t.same(sorted(fileKeys(again.store)), sorted([...ex.committed, ...ex.committedActive]), 'stored once the disk has room, each once');
  t.equal(log.messages.filter((m) => /^the store writes again/.test(m)).length, 1, 'the recovery is logged');
  again.close();
});

t.test('new segment settings and a stop during the outage lose nothing', async (t) => {
  const { root, disk } = setup(t);
  const dir = path.join(root, 'store');
  const ex = new Expected(t, root, sessions(5000, 92));
  const { store } = SessionStore.open(opts(dir));
  ex.accept(store, 300);
  store.cycle(null);
  ex.accept(store, 900);
  disk.allow(1, 'segment');
  t.throws(() => store.cycle(null), /no space left/);
  ex.committedNow(null);
  // SIGHUP with a smaller segment size, the disk still full
  store.reconfigure({ segmentCount: 1000, segmentSize: 300, computeCrc: true });
  ex.checkQuery(store, null, 'after new settings during the outage');
  ex.accept(store, 50);
  t.throws(() => store.cycle(null), /no space left/);
  ex.committedNow(null);
  // a clean stop during the outage: the last checkpoint holds what the files do not
  store.close();
  disk.heal();
  const { store: again, recovery } = SessionStore.open({ ...opts(dir), segmentSize: 300 });
  t.equal(recovery.finishedRestored, 750, 'the restart stores the 750 only the checkpoint held');
  t.equal(again.store.stats().rows, 1250, 'next to the full segment written before the failure');
  t.same(sorted(keysIn(again.querySource(null))), sorted(ex.finished), 'every session once');
  again.close();
});

t.test('a segment written before the failure and damaged since: its sessions come back from the checkpoint', async (t) => {
  const { root, disk } = setup(t);
  const dir = path.join(root, 'store');
  const ex = new Expected(t, root, sessions(3000, 93));
  const log = recorder();
  const { store } = SessionStore.open(opts(dir));
  // a full segment and nothing in the buffer: the next segment holds only the next cycle's sessions
  ex.accept(store, SEGMENT);
  store.cycle(null);
  ex.accept(store, 800);
  disk.allow(1, 'segment');
  t.throws(() => store.cycle(null), /no space left/);
  ex.committedNow(null);
  const victim = store.store.list().at(-1)!;
  t.equal(victim.rows, SEGMENT, 'the append wrote one full segment');
  flipColumnByte(victim, 'clnbyts');
  disk.heal();
  // killed now: the restart finds the damage while matching the checkpoint against the new segment
  const { store: again, recovery } = SessionStore.open(opts(dir, log));
  t.equal(recovery.finishedRestored, 800, 'all 800 restored from the checkpoint');
  t.equal(log.messages.filter((m) => /damaged: the sessions it holds are stored again from the checkpoint/.test(m)).length, 1, 'the damage is logged');
  t.same(sorted(keysIn(again.querySource(null))), sorted(ex.finished), 'queries skip the damaged segment: every session once');
  again.close();
});

t.test('a store that cannot even be opened again (its folder fails to list): nothing is written until it can, nothing lost', async (t) => {
  const { root, disk } = setup(t);
  const dir = path.join(root, 'store');
  const ex = new Expected(t, root, sessions(5000, 94));
  const { store } = SessionStore.open(opts(dir));
  ex.accept(store, 200);
  store.cycle(null);
  ex.committedNow(null);
  ex.accept(store, 900);
  const active = ex.take(40);
  // the append writes one full segment, then the disk is full, and the folder cannot be listed
  disk.allow(1, 'segment');
  disk.failListing(dir);
  t.throws(() => store.cycle(active), /no space left/);
  ex.committedNow(active);
  t.equal(store.pendingRows, 600, 'the 300 rows the full segment took are not held twice');
  ex.checkQuery(store, active, 'the store could not be opened again');
  t.throws(() => store.cycle(null), { code: 'IO', message: /i\/o error, scandir/ }, 'the next cycle stops before it writes anything');
  ex.checkQuery(store, null, 'after a cycle that could not open the store');
  disk.failListing(null);
  ex.checkCrash(dir, 'a crash while the store could not be opened: the checkpoint before it holds everything');
  t.same(store.stats().writeFailures, 2);
  disk.heal();
  ex.accept(store, 10);
  store.cycle(null);
  ex.committedNow(null);
  t.same(fileKeys(store.store), ex.finished, 'then every session once, in order');
  store.close();
});
