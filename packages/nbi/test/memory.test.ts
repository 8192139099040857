// The baselines' compact storage: slot tables and the store give Welford's moments bit for bit (so
// every printed u/s/k/n is what it was), keys and ids survive reuse, and memoryBytes() is the memory
// the baselines take, measured as the process's resident size in a child process of its own.
import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { BaselineStore } from '../src/engine/baselinestore.js';
import { Fingerprint, serviceKey } from '../src/ftbfg/fingerprint.js';
import { KeyIndex } from '../src/engine/keyindex.js';
import { Readable } from 'node:stream';
import { readRanking } from '../src/engine/ranking.js';
import { readSlicedRankingCsv } from '../src/engine/slicedrankingcsv.js';
import { MAX_OBSERVATIONS, SlotTable } from '../src/engine/slottable.js';
import { addObservation, NO_MOMENTS, type Moments } from '../src/engine/welford.js';
import { statAnswer, statCsv } from './fakes.js';
import { rng } from './rng.js';

const same = (a: Moments | undefined, b: Moments | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Object.is(a.n, b.n) && Object.is(a.mean, b.mean) && Object.is(a.m2, b.m2));

/** What the child reports: the store's own account, and what the process's resident size (outside the collector's heap) grew by. */
interface Measured {
  readonly memoryBytes: number;
  readonly rssGrowth: number;
  readonly entities: number;
  readonly pairs: number;
}

/**
 * RssAnon less the collector's heap as resident (the code's and the collector's, not what is measured:
 * the baselines and the fingerprint hold no objects), after full collections, once it stops shrinking
 * (collected buffers are given back a moment after the collection, and on a busy machine that moment
 * can be long).
 */
async function outsideHeap(): Promise<number> {
  const rss = (): number => Number(/^RssAnon:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  const gc = (globalThis as { gc?: () => void }).gc!;
  let last = Infinity;
  for (let k = 0; k < 40; k++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = rss() - v8.getHeapStatistics().total_physical_size;
    if (k >= 2 && Math.abs(last - now) < 64 * 1024) return now;
    last = now;
  }
  return last;
}

/**
 * The child: four weeks of a DAY baseline learnt window by window (144 slots), 100,000 entities
 * that mostly show up once in a slot (like the benchmark's), measured by /proc's RssAnon less the
 * collector's heap (outsideHeap). Everything the learning itself needs (code, scratch) is
 * warmed up first, on a store that is dropped before the first reading.
 */
async function measureInChild(): Promise<Measured> {
  const r = rng(11);
  const keys = Array.from({ length: 100_000 }, (_, k) => `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`);
  const learnAll = (store: BaselineStore, days: number): void => {
    for (let day = 0; day < days; day++) {
      for (let slot = 0; slot < 144; slot++) {
        const values = new Map<string, number>();
        for (let k = 0; k < 350; k++) values.set(keys[Math.floor(r() ** 2 * keys.length)]!, 1 + Math.floor(r() * 5000));
        store.learn(slot, values, (day * 144 + slot) * 600_000, true);
      }
    }
  };
  learnAll(new BaselineStore({ slots: 144, capBytes: 2 ** 30 }), 2);
  const before = await outsideHeap();
  const store = new BaselineStore({ slots: 144, capBytes: 2 ** 30 });
  learnAll(store, 28);
  const after = await outsideHeap();
  let pairs = 0;
  for (let slot = 0; slot < 144; slot++) pairs += store.keysIn([slot]).size;
  return { memoryBytes: store.memoryBytes(), rssGrowth: after - before, entities: store.entities, pairs };
}

/**
 * The child for ftbfg: the fingerprint of the benchmark's four weeks (some 200,000 services, 270,000
 * client subnet–service pairs, learnt a span at a time), measured as the baselines are.
 */
async function measureFingerprintInChild(): Promise<Measured> {
  const r = rng(13);
  // the keys are made first (the collector's heap, not the fingerprint's): learning makes little garbage
  const services = Array.from({ length: 400_000 }, (_, s) => serviceKey(`10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`, [80, 443, 53, 22][s % 4]! + (s % 1000), s % 3 === 0 ? 17 : 6));
  const subnets = Array.from({ length: 14 }, (_, k) => `10.${k >> 1}.${k % 2 === 0 ? 0 : 128}.0/17`);
  const learnAll = (fp: Fingerprint, serviceCount: number): void => {
    const pairs: [string, string][] = Array.from({ length: 400 }, () => ['', '']);
    for (let span = 0; span < 1000; span++) {
      for (const pair of pairs) {
        pair[0] = subnets[Math.floor(r() * subnets.length)]!;
        pair[1] = services[Math.floor(r() ** 1.5 * serviceCount)]!;
      }
      fp.learn(pairs, span * 2_400_000);
    }
  };
  learnAll(new Fingerprint({ capBytes: 2 ** 30 }), 5000);
  const before = await outsideHeap();
  const fp = new Fingerprint({ capBytes: 2 ** 30 });
  learnAll(fp, services.length);
  const after = await outsideHeap();
  return { memoryBytes: fp.memoryBytes(), rssGrowth: after - before, entities: fp.serviceCount, pairs: fp.connections };
}

if (process.env.NBI_MEMORY_CHILD === '1') {
  process.stdout.write(JSON.stringify(await measureInChild()));
} else if (process.env.NBI_MEMORY_CHILD === 'fingerprint') {
  process.stdout.write(JSON.stringify(await measureFingerprintInChild()));
} else {
  const { default: t } = await import('tap');

  t.test('a slot table gives Welford moments bit for bit, through windows, spikes, silences and deletions', async (t) => {
    const table = new SlotTable();
    const model = new Map<number, Moments>();
    const r = rng(3);
    // ids over four groups of 2^16, values whole (kept as spikes), fractional and beyond 2^32 (kept full)
    const pickId = (): number => Math.floor(r() * 4) * 65_536 + Math.floor(r() * 300);
    const pickValue = (): number => {
      const u = r();
      return u < 0.7 ? Math.floor(r() * 1000) : u < 0.85 ? r() * 1e6 : 2 ** 32 + Math.floor(r() * 1e6);
    };
    let wrong = 0;
    for (let round = 0; round < 400; round++) {
      const op = r();
      if (op < 0.6) {
        const length = Math.floor(r() * 40);
        const ids = new Int32Array(length);
        const xs = new Float64Array(length);
        const last = new Map<number, number>();
        for (let k = 0; k < length; k++) {
          ids[k] = pickId();
          xs[k] = pickValue();
          last.set(ids[k]!, xs[k]!);
        }
        const complete = r() < 0.7;
        table.observeAll(ids, xs, length, complete);
        for (const [id, x] of last) model.set(id, addObservation(model.get(id) ?? NO_MOMENTS, x));
        if (complete) for (const [id, m] of model) if (!last.has(id)) model.set(id, addObservation(m, 0));
      } else if (op < 0.75) {
        const id = pickId();
        const x = pickValue();
        table.observe(id, x);
        model.set(id, addObservation(model.get(id) ?? NO_MOMENTS, x));
      } else if (op < 0.9) {
        const id = pickId();
        if (table.delete(id) !== model.delete(id)) wrong++;
      } else {
        const marked = new Uint8Array(4 * 65_536);
        for (const id of model.keys()) {
          if (r() < 0.2) {
            marked[id] = 1;
            model.delete(id);
          }
        }
        table.deleteMarked(marked);
      }
      for (const [id, m] of model) if (!same(table.moments(id), m)) wrong++;
      if (table.size !== model.size) wrong++;
    }
    t.equal(wrong, 0, 'every id has exactly the moments addObservation gives, and deletions find what is there');
    const seen: number[] = [];
    table.forEachId((id) => seen.push(id));
    t.same(seen.sort((a, b) => a - b), [...model.keys()].sort((a, b) => a - b), 'forEachId visits each id once');
    t.ok(model.size > 100, `${model.size} entities at the end`);
  });

  t.test('n stops at 65535 observations, and the moments go on as Welford with n held there', async (t) => {
    const capped = (m: Moments, x: number): Moments => {
      const n = Math.min(m.n + 1, MAX_OBSERVATIONS);
      const delta = x - m.mean;
      const mean = m.mean + delta / n;
      return { n, mean, m2: m.m2 + delta * (x - mean) };
    };
    const table = new SlotTable();
    table.observe(7, 500);
    let model = capped(NO_MOMENTS, 500);
    const none = new Int32Array(0);
    const noValues = new Float64Array(0);
    for (let k = 0; k < MAX_OBSERVATIONS + 3; k++) {
      table.observeAll(none, noValues, 0, true);
      model = capped(model, 0);
    }
    t.equal(table.moments(7)!.n, MAX_OBSERVATIONS);
    t.ok(same(table.moments(7), model), 'the same bits as a Welford whose n stops');
  });

  t.test('the store gives Welford moments bit for bit while the cap forgets entities and their ids are reused', async (t) => {
    const store = new BaselineStore({ slots: 24, capBytes: 20_000 });
    const model = new Map<string, Moments>();
    const r = rng(5);
    let wrong = 0;
    for (let w = 0; w < 600; w++) {
      const slot = w % 24;
      const values = new Map<string, number>();
      const n = Math.floor(r() * 30);
      for (let k = 0; k < n; k++) values.set(`host-${Math.floor(r() * 400)}`, r() < 0.8 ? Math.floor(r() * 100) : r() * 100);
      const complete = r() < 0.8;
      store.learn(slot, values, w, complete);
      const seen = new Set<string>();
      for (const [key, v] of values) {
        if (!(v > 0)) continue;
        model.set(`${key}@${slot}`, addObservation(model.get(`${key}@${slot}`) ?? NO_MOMENTS, v));
        seen.add(key);
      }
      if (complete) for (const [k, m] of model) if (k.endsWith(`@${slot}`) && !seen.has(k.slice(0, k.lastIndexOf('@')))) model.set(k, addObservation(m, 0));
      // what the cap forgot comes back as new
      const tracked = new Set(store.keysIn(Array.from({ length: 24 }, (_, s) => s)));
      for (const k of [...model.keys()]) if (!tracked.has(k.slice(0, k.lastIndexOf('@')))) model.delete(k);
      for (const [k, m] of model) if (!same(store.moments(k.slice(0, k.lastIndexOf('@')), Number(k.slice(k.lastIndexOf('@') + 1))), m)) wrong++;
      if (store.memoryBytes() > 20_000) wrong++;
    }
    t.equal(wrong, 0, 'under the cap, and every kept baseline exact');
    t.ok(store.evicted > 0, `${store.evicted} forgotten on the way`);
  });

  t.test('the key index maps keys to ids and back, reuses freed ids, and packs its bytes', async (t) => {
    const index = new KeyIndex();
    const model = new Map<string, number>();
    const r = rng(9);
    let wrong = 0;
    for (let op = 0; op < 20_000; op++) {
      const key = r() < 0.1 ? `hôte-${Math.floor(r() * 3000)} ✓` : `192.0.${Math.floor(r() * 12)}.${Math.floor(r() * 256)}`;
      if (r() < 0.3 && model.has(key)) {
        index.delete(model.get(key)!);
        model.delete(key);
      } else {
        const id = index.add(key);
        if (model.has(key) && model.get(key) !== id) wrong++;
        model.set(key, id);
      }
    }
    for (const [key, id] of model) if (index.idOf(key) !== id || index.keyOf(id) !== key) wrong++;
    t.equal(wrong, 0, 'every key has its id and every id its key');
    t.equal(index.size, model.size);
    t.equal(index.idOf('not there'), -1);
    const ids = [...model.values()];
    t.equal(new Set(ids).size, ids.length, 'ids are distinct');
    t.ok(Math.max(...ids) < model.size * 2, 'freed ids are handed out again');
    // compaction: the kept keys renumbered 0, 1, … in the order of their ids, the others gone
    const before = index.byteLength;
    const keep = (key: string): boolean => key.startsWith('192.0.') && Number(key.split('.')[3]) % 4 !== 0;
    const byOldId = [...model].sort((a, b) => a[1] - b[1]);
    const renumbered = index.compact((id) => keep(index.keyOf(id)!));
    let next = 0;
    for (const [key, id] of byOldId) {
      if (!keep(key)) {
        if (renumbered[id] !== -1 || index.idOf(key) !== -1) wrong++;
        continue;
      }
      if (renumbered[id] !== next || index.idOf(key) !== next || index.keyOf(next) !== key) wrong++;
      next++;
    }
    t.equal(wrong, 0, 'every kept key has its new id, in the order of the old ones; the others are gone');
    t.equal(index.size, next);
    t.ok(index.byteLength < before, `${before} bytes before, ${index.byteLength} after`);
    t.equal(index.add('192.0.99.99'), next, 'the next new key takes the next id');
  });

  t.test("training's CSV reader gives readRanking's keys, slice values and completeness", async (t) => {
    const rows = [
      { cells: ['10.0.0.1'], value: 30, slices: [10, 0, 20] },
      { cells: ['10.0.0.2'], value: 5, slices: [0, 5, 0] },
      { cells: ['10.0.0.3'], value: 0, slices: [0, 0, 0] },
    ];
    for (const [answer, asked] of [
      [statAnswer(['IP'], rows, { fromS: 0, toS: 1800, slices: 3, entities: 3 }), 3],
      [statAnswer(['IP'], rows.slice(0, 2), { fromS: 0, toS: 1800, slices: 3, entities: 9 }), 2],
      [statAnswer(['PORT', 'PROTO'], [{ cells: [443, 6], value: 4, slices: [1, 2, 1] }, { cells: [53, null], value: 1, slices: [0, 0, 1] }], { fromS: 0, toS: 1800, slices: 3 }), 10],
    ] as const) {
      const whole = readRanking(answer, asked);
      const sliced = await readSlicedRankingCsv(Readable.from([statCsv(answer)]), 3, asked);
      t.same(sliced.keys, whole.rows.map((row) => row.key));
      const column = new Float64Array(whole.rows.length);
      for (let k = 0; k < 3; k++) {
        sliced.sliceValues(k, column);
        t.same([...column], whole.rows.map((row) => row.slices[k]));
      }
      t.same([sliced.complete, sliced.entities, sliced.sessions, sliced.slices], [whole.complete, whole.entities, whole.sessions, 3]);
    }
  });

  t.test('memoryBytes() is the memory the baselines take (resident size of a process of its own)', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
    const m = measuredInChild(t, '1');
    const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
    t.ok(m.entities > 60_000 && m.pairs > 800_000, `${m.entities} entities, ${m.pairs} (slot, entity) baselines`);
    // the baselines are all the process gained outside the collector's heap, within the allocator's slack
    t.ok(m.rssGrowth > m.memoryBytes * 0.8 && m.rssGrowth < m.memoryBytes * 1.25, `memoryBytes ${mib(m.memoryBytes)} MiB, resident size outside the heap grew ${mib(m.rssGrowth)} MiB`);
    t.ok(m.memoryBytes / m.pairs < 16, `${(m.memoryBytes / m.pairs).toFixed(1)} bytes per (slot, entity) baseline, keys included`);
  });

  t.test("ftbfg's memoryBytes() is the memory the fingerprint takes (resident size of a process of its own)", { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
    const m = measuredInChild(t, 'fingerprint');
    const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
    t.ok(m.entities > 150_000 && m.pairs > 200_000, `${m.entities} services, ${m.pairs} client subnet–service pairs`);
    t.ok(m.rssGrowth > m.memoryBytes * 0.8 && m.rssGrowth < m.memoryBytes * 1.25, `memoryBytes ${mib(m.memoryBytes)} MiB, resident size outside the heap grew ${mib(m.rssGrowth)} MiB`);
    t.ok(m.memoryBytes / m.pairs < 64, `${(m.memoryBytes / m.pairs).toFixed(1)} bytes per pair, services and subnets included`);
  });
}

/**
 * What this file measures when it runs as a child with NBI_MEMORY_CHILD=`kind`: single-threaded, so that no
 * compiler thread keeps freed memory of its own and the process grows by what it holds.
 */
function measuredInChild(t: Test, kind: string): Measured {
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const child = spawnSync(process.execPath, [...loader, '--expose-gc', '--single-threaded', fileURLToPath(import.meta.url)], {
    env: { ...process.env, NBI_MEMORY_CHILD: kind },
    encoding: 'utf8',
    timeout: 300_000,
  });
  t.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as Measured;
}
