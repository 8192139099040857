// Durability cycles with many batches of finished sessions (the checkpoint writes them batch after
// batch, never copied together), runs of cycles the full disk makes fail at a random step, and a crash
// at a random step of a random cycle: the restart stores exactly what the last committed checkpoint
// covers, each session once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { streamSessions } from '@opentraq/core';
import { SessionStore, readCheckpoint } from '../../src/storage/index.js';
import { DiskFull } from './diskfull.js';
import { keysIn, keysOf, sessions, slice } from './rows.js';
import { rng } from '../../../core/test/seededrng.js';

const opts = (dir: string) => ({ databasePath: dir, segmentCount: 1000, segmentSize: 500, computeCrc: true });

function storedStarts(dir: string): number[] {
  const { store } = SessionStore.open(opts(dir));
  const out: number[] = [];
  for (const b of streamSessions(store.querySource(null), { fromUs: 0, toUs: 4e15, columns: ['start'] })) for (const v of b.columns.start as Float64Array) out.push(v);
  store.close();
  return out.sort((a, b) => a - b);
}

/** Hands out `all` in consecutive slices of the sizes asked. */
function taker(all: ReturnType<typeof sessions>): (n: number) => ReturnType<typeof slice> {
  let next = 0;
  return (n) => {
    const s = slice(all, next, next + n);
    next += n;
    return s;
  };
}

type Crash = 'before the commit' | 'in the store append' | 'in the store flush' | 'after the cycle';
const CRASHES: readonly Crash[] = ['before the commit', 'in the store append', 'in the store flush', 'after the cycle'];

t.test('a crash at a random step of a random cycle: exactly the committed sessions, once', async (t) => {
  for (let seed = 1; seed <= 24; seed++) {
    const r = rng(seed);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crashcycles-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const take = taker(sessions(12_000, seed));
    const { store } = SessionStore.open(opts(dir));
    const committed: number[] = [];
    let committedActive: number[] = [];
    const cycles = 2 + Math.floor(r() * 6);
    const crash = CRASHES[Math.floor(r() * CRASHES.length)]!;
    let crashed = false;
    for (let c = 0; c < cycles && !crashed; c++) {
      const finished: number[] = [];
      const batches = 1 + Math.floor(r() * 5);
      for (let b = batches; b > 0; b--) {
        const batch = take(1 + Math.floor(r() * 300));
        store.accept(batch.cols, batch.rows);
        finished.push(...Array.from(batch.cols.start as Float64Array).slice(0, batch.rows));
      }
      const active = r() < 0.8 ? take(Math.floor(r() * 200)) : null;
      const activeStarts = active === null ? [] : Array.from(active.cols.start as Float64Array).slice(0, active.rows);
      const last = c === cycles - 1;
      if (last && crash !== 'after the cycle') {
        const cs = store.store as unknown as Record<string, unknown>;
        if (crash === 'before the commit') {
          Object.defineProperty(cs, 'nextSegmentId', {
            get() {
              throw new Error('killed');
            },
          });
        } else {
          // die after a random number of the append's batches (full segments may be on disk by then)
          const method = crash === 'in the store append' ? 'append' : 'flush';
          const real = (cs[method] as (...a: unknown[]) => unknown).bind(cs);
          let left = method === 'append' ? Math.floor(r() * batches) : 0;
          cs[method] = (...a: unknown[]) => {
            if (left-- <= 0) throw new Error('killed');
            return real(...a);
          };
        }
        t.throws(() => store.cycle(active), /killed/, `seed ${seed}: killed ${crash} in cycle ${c + 1}`);
        crashed = true;
        if (crash !== 'before the commit') {
          committed.push(...finished);
          committedActive = activeStarts;
        }
        break;
      }
      store.cycle(active);
      committed.push(...finished);
      committedActive = activeStarts;
    }
    const expected = [...committed, ...committedActive].sort((a, b) => a - b);
    const ck = readCheckpoint(dir);
    t.ok(ck !== null, `seed ${seed}: a committed checkpoint`);
    t.same(storedStarts(dir), expected, `seed ${seed}: ${crash}, ${expected.length} sessions stored once each`);
  }
});

type Fault = 'none' | 'append' | 'flush' | 'checkpoint part' | 'checkpoint record';
const FAULTS: readonly Fault[] = ['none', 'append', 'flush', 'checkpoint part', 'checkpoint record'];

t.test('runs of cycles failing on a full disk, then a crash: exactly the committed sessions, once', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crashcycles-full-'));
  const disk = new DiskFull(root);
  t.teardown(() => {
    disk.restore();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const sorted = (a: readonly string[]): string[] => [...a].sort();
  for (let seed = 1; seed <= 24; seed++) {
    const r = rng(1000 + seed);
    const dir = path.join(root, `seed-${seed}`);
    const take = taker(sessions(12_000, seed));
    disk.heal();
    const { store } = SessionStore.open(opts(dir));
    const finished: string[] = [];
    let committed: string[] = [];
    let committedActive: string[] = [];
    const faults: Fault[] = [];
    const cycles = 3 + Math.floor(r() * 6);
    let fault: Fault = 'none';
    for (let c = 0; c < cycles; c++) {
      // a failure goes on for a few cycles, at whatever step the disk refuses then
      if (fault === 'none' ? r() < 0.5 : r() < 0.7) fault = FAULTS[1 + Math.floor(r() * (FAULTS.length - 1))]!;
      else fault = 'none';
      faults.push(fault);
      for (let b = 1 + Math.floor(r() * 4); b > 0; b--) {
        const batch = take(1 + Math.floor(r() * 300));
        store.accept(batch.cols, batch.rows);
        finished.push(...keysOf(batch.cols, batch.rows));
      }
      const active = r() < 0.8 ? take(Math.floor(r() * 200)) : null;
      const list = store.store.list();
      const lastFull = list.filter((x) => !x.partial).reduce((m, x) => Math.max(m, x.id), 0);
      const buffered = list.filter((x) => x.partial && x.id > lastFull).reduce((n, x) => n + x.rows, 0);
      const full = Math.floor((buffered + store.pendingRows) / 500);
      disk.heal();
      if (fault === 'append') disk.allow(Math.floor(r() * full), 'segment');
      else if (fault === 'flush') disk.allow(full, 'segment');
      else if (fault !== 'none') disk.allow(0, fault);
      let failed = false;
      try {
        store.cycle(active);
      } catch (e) {
        t.match(e, { message: /no space left on device/ }, `seed ${seed}: cycle ${c + 1} fails only for the disk (${fault})`);
        failed = true;
      }
      if (!failed || fault === 'append' || fault === 'flush') {
        committed = [...finished];
        committedActive = active === null ? [] : keysOf(active.cols, active.rows);
      }
    }
    // killed now; the restart finds the disk full or not
    if (r() < 0.5) disk.heal();
    const { store: again } = SessionStore.open(opts(dir));
    const want = sorted([...committed, ...committedActive]);
    t.same(sorted(keysIn(again.querySource(null))), want, `seed ${seed}: ${faults.join(', ')}, killed; ${want.length} sessions restored, each once`);
    disk.heal();
    again.cycle(null);
    t.same(sorted(keysIn(again.store)), want, `seed ${seed}: and stored, each once`);
    again.close();
  }
});
