// Durability cycles with many batches of finished sessions (the checkpoint writes them batch after
// batch, never copied together) and a crash at a random step of a random cycle: the restart stores
// exactly what the last committed checkpoint covers, each session once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { streamSessions } from '@opentraq/core';
import { SessionStore, readCheckpoint } from '../../src/storage/index.js';
import { sessions, slice } from './rows.js';
import { rng } from '../../../core/test/seededrng.js';

const opts = (dir: string) => ({ databasePath: dir, segmentCount: 1000, segmentSize: 500, computeCrc: true });

function storedStarts(dir: string): number[] {
  const { store } = SessionStore.open(opts(dir));
  const out: number[] = [];
  for (const b of streamSessions(store.querySource(null), { fromUs: 0, toUs: 4e15, columns: ['start'] })) for (const v of b.columns.start as Float64Array) out.push(v);
  store.close();
  return out.sort((a, b) => a - b);
}

type Crash = 'before the commit' | 'in the store append' | 'in the store flush' | 'after the cycle';
const CRASHES: readonly Crash[] = ['before the commit', 'in the store append', 'in the store flush', 'after the cycle'];

t.test('a crash at a random step of a random cycle: exactly the committed sessions, once', async (t) => {
  for (let seed = 1; seed <= 24; seed++) {
    const r = rng(seed);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crashcycles-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const all = sessions(12_000, seed);
    let next = 0;
    const take = (n: number) => {
      const s = slice(all, next, next + n);
      next += n;
      return s;
    };
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
