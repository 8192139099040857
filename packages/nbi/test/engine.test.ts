// The detectors' engine: Welford moments, the slot table and baseline store (learning, expectations,
// eviction), the alert rule, local-clock slots and windows, training and window checks.
process.env.TZ = 'Asia/Kolkata';

import t from 'tap';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { BaselineStore } from '../src/engine/baselinestore.js';
import { checkWindow } from '../src/engine/checkwindow.js';
import type { Detector } from '../src/engine/detector.js';
import { GRANULARITIES } from '../src/engine/granularity.js';
import { judge, type AlertRule, type Verdict } from '../src/engine/judge.js';
import { SlotClock } from '../src/engine/slotclock.js';
import { SlotTable } from '../src/engine/slottable.js';
import { keyCells, readRanking } from '../src/engine/ranking.js';
import { train } from '../src/engine/training.js';
import { addObservation, NO_MOMENTS, standardDeviation, type Moments } from '../src/engine/welford.js';
import { liveStart, trainingChunks, windowEnding } from '../src/engine/windowplan.js';
import { ENTITY_BY_NAME } from '@opentraq/core';
import { FakeLink, collectNotices, statAnswer, type Call } from './fakes.js';
import { rng } from './rng.js';

/** Mean and sample standard deviation the textbook way (two passes), to hold Welford to. */
function twoPass(xs: readonly number[]): { mean: number; sd: number | undefined } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: xs.length < 2 ? undefined : Math.sqrt(ss / (xs.length - 1)) };
}

const fold = (xs: readonly number[]): Moments => xs.reduce(addObservation, NO_MOMENTS);

/** Local wall-clock time in Asia/Kolkata (+05:30, no daylight saving) as an instant. */
const kolkata = (iso: string): number => Date.parse(`${iso}+05:30`);

t.test('Welford moments equal the two-pass mean and sample deviation', async (t) => {
  const m = fold([2, 4, 4, 4, 5, 5, 7, 9]);
  t.equal(m.n, 8);
  t.equal(m.mean, 5);
  // sum of squared deviations 32, sample variance 32/7
  t.ok(Math.abs(standardDeviation(m)! - Math.sqrt(32 / 7)) < 1e-12);
  t.equal(standardDeviation(fold([42])), undefined, 'one observation has no deviation');
  t.equal(standardDeviation(NO_MOMENTS), undefined);
  // large values with a small spread: the naive sum-of-squares formula loses every digit here
  const big = [4, 7, 13, 16].map((x) => 1e9 + x);
  const w = fold(big);
  t.equal(w.mean, 1e9 + 10);
  t.ok(Math.abs(standardDeviation(w)! - Math.sqrt(30)) < 1e-6, `sd ${standardDeviation(w)} vs ${Math.sqrt(30)}`);
  const r = rng(1);
  const xs = Array.from({ length: 1000 }, () => r() * 1e6);
  const ref = twoPass(xs);
  const got = fold(xs);
  t.ok(Math.abs(got.mean - ref.mean) < 1e-6 && Math.abs(standardDeviation(got)! - ref.sd!) < 1e-6);
});

t.test('SlotTable keeps the moments of every id through inserts, updates and deletions', async (t) => {
  const table = new SlotTable();
  const model = new Map<number, number[]>();
  const r = rng(7);
  let wrongDeletes = 0;
  for (let op = 0; op < 30_000; op++) {
    const id = Math.floor(r() * 3000);
    if (r() < 0.25) {
      if (table.delete(id) !== model.delete(id)) wrongDeletes++;
    } else {
      const x = Math.floor(r() * 1000);
      table.observe(id, x);
      model.set(id, [...(model.get(id) ?? []), x]);
    }
  }
  t.equal(wrongDeletes, 0, 'delete finds exactly the ids that are there');
  t.equal(table.size, model.size);
  let bad = 0;
  for (const [id, xs] of model) {
    const m = table.moments(id)!;
    const ref = twoPass(xs);
    if (m === undefined || m.n !== xs.length || Math.abs(m.mean - ref.mean) > 1e-9 || (ref.sd !== undefined && Math.abs(standardDeviation(m)! - ref.sd) > 1e-9)) bad++;
  }
  t.equal(bad, 0, 'every id has the moments of its observations');
  const seen: number[] = [];
  table.forEachId((id) => seen.push(id));
  t.same(seen.sort((a, b) => a - b), [...model.keys()].sort((a, b) => a - b), 'forEachId visits each id once');
  let ghosts = 0;
  for (let id = 0; id < 3000; id++) if (!model.has(id) && table.moments(id) !== undefined) ghosts++;
  t.equal(ghosts, 0, 'deleted ids are gone');
  const full = table.byteLength;
  for (const id of [...model.keys()]) table.delete(id);
  t.equal(table.size, 0);
  t.ok(table.byteLength < full / 100, `an emptied table shrinks (${full} → ${table.byteLength} bytes)`);
  t.throws(() => table.observe(-1, 1), RangeError);
});

t.test('BaselineStore learns slots: values, zeros for silent entities, nothing for unknown ones', async (t) => {
  const store = new BaselineStore({ slots: 144, capBytes: 1 << 20 });
  store.learn(5, new Map([['a', 10], ['b', 20], ['z', 0]]), 1000, true);
  store.learn(5, new Map([['a', 14]]), 2000, true);
  store.learn(5, new Map([['a', 12], ['c', 7]]), 3000, false);
  t.equal(store.entities, 3, 'z had 0: not tracked');
  t.same(store.moments('a', 5), fold([10, 14, 12]));
  t.same(store.moments('b', 5), fold([20, 0]), 'b was silent in the second (complete) window; the third was incomplete');
  t.same(store.moments('c', 5), fold([7]));
  t.equal(store.moments('a', 6), undefined);
  t.same(store.keysIn([5]), new Set(['a', 'b', 'c']));
  t.same(store.keysIn([6]), new Set());
  t.throws(() => store.learn(144, new Map(), 0, true), RangeError);
});

t.test('BaselineStore expectations: weighted by the window, n the fewest, no deviation below 2', async (t) => {
  const store = new BaselineStore({ slots: 144, capBytes: 1 << 20 });
  for (const [x, y] of [[100, 300], [110, 330], [90, 270]]) {
    store.learn(10, new Map([['a', x!]]), 0, true);
    store.learn(11, new Map([['a', y!]]), 0, true);
  }
  store.learn(11, new Map([['a', 310]]), 0, true);
  const a10 = twoPass([100, 110, 90]);
  const a11 = twoPass([300, 330, 270, 310]);
  const e = store.expectation('a', [{ slot: 10, weight: 0.8 }, { slot: 11, weight: 0.2 }]);
  t.ok(Math.abs(e.mean - (0.8 * a10.mean + 0.2 * a11.mean)) < 1e-9);
  t.ok(Math.abs(e.stddev! - (0.8 * a10.sd! + 0.2 * a11.sd!)) < 1e-9);
  t.equal(e.n, 3);
  const one = store.expectation('a', [{ slot: 11, weight: 1 }]);
  t.ok(Math.abs(one.mean - a11.mean) < 1e-9 && one.n === 4);
  t.same(store.expectation('nobody', [{ slot: 10, weight: 1 }]), { mean: 0, stddev: null, n: 0 });
  // slot 12 was never learnt: slot 11 stands for the whole window
  const half = store.expectation('a', [{ slot: 11, weight: 0.5 }, { slot: 12, weight: 0.5 }]);
  t.ok(Math.abs(half.mean - a11.mean) < 1e-9 && Math.abs(half.stddev! - a11.sd!) < 1e-9 && half.n === 4);
  // slot 10 was learnt without 'b': a silent 0 there
  store.learn(11, new Map([['b', 300]]), 0, true);
  store.learn(11, new Map([['b', 340]]), 0, true);
  const b = store.expectation('b', [{ slot: 10, weight: 0.5 }, { slot: 11, weight: 0.5 }]);
  t.ok(Math.abs(b.mean - 160) < 1e-9 && b.n === 2, `b: mean ${b.mean}, n ${b.n}`);
  store.learn(12, new Map([['a', 5]]), 0, true);
  t.equal(store.expectation('a', [{ slot: 11, weight: 0.5 }, { slot: 12, weight: 0.5 }]).stddev, null, 'slot 12 has one observation: no deviation');
});

t.test('BaselineStore forgets the least recently seen entities at the cap, and says so once', async (t) => {
  const notices: unknown[] = [];
  const store = new BaselineStore({ slots: 144, capBytes: 100_000, onFirstEviction: (n) => notices.push(n) });
  // entity i is last seen at time i
  let over = 0;
  for (let i = 0; i < 3000; i++) {
    store.learn(i % 144, new Map([[`host-${String(i).padStart(5, '0')}`, 1 + i]]), i, false);
    if (store.memoryBytes() > 100_000) over++;
  }
  t.equal(over, 0, 'under the cap after every window');
  t.ok(store.entities < 3000 && store.entities > 500, `${store.entities} entities kept`);
  t.equal(store.evicted + store.entities, 3000);
  t.equal(notices.length, 1, 'said once');
  // the survivors are exactly the most recently seen
  const kept = [...store.keysIn(Array.from({ length: 144 }, (_, s) => s))].sort();
  t.same(kept, Array.from({ length: store.entities }, (_, k) => `host-${String(3000 - store.entities + k).padStart(5, '0')}`));
  // a forgotten entity comes back as new
  store.learn(0, new Map([['host-00000', 5]]), 5000, false);
  t.same(store.moments('host-00000', 0), fold([5]));
});

t.test('the alert rule', async (t) => {
  const rule: AlertRule = { deviations: 3, threshold: 100, low: true };
  const e = { mean: 1000, stddev: 100, n: 5 };
  // s 100 from 5 observations counts as the Student t prediction bound of a new value over -bk:
  // t(4) at Φ(3) × √(1 + 1/5) / 3 = 6.6202 × 1.0954 / 3 → ×2.4174, d = 241.74 (the floor, 100, is
  // lower). Computed here by the upper quantile, apart from judge.ts, which goes through the lower one.
  const d = (100 * tQuantile(normalCdf(3, 0, 1), 4) * Math.sqrt(1 + 1 / 5)) / 3;
  t.ok(Math.abs(d - 241.74) < 0.005, `d ${d}`);
  /** judge()'s verdict, its k and crossed held to the reference within rounding. */
  const near = (got: Verdict | null, want: Verdict, what: string): void => {
    t.ok(got !== null && got.direction === want.direction && Math.abs(got.k / want.k - 1) < 1e-9 && Math.abs(got.crossed / want.crossed - 1) < 1e-9, `${what}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  };
  t.equal(judge(1301, e, rule), null, '3.01 sample deviations from 5 observations is 1.25 judged ones: normal');
  t.equal(judge(1000 + 3 * d - 0.01, e, rule), null, 'just under 3 judged deviations is not more than 3');
  near(judge(1000 + 3 * d + 0.01, e, rule), { direction: 'HIGH', k: 3 + 0.01 / d, crossed: 1000 + 3 * d }, 'just over 3 judged deviations');
  near(judge(2000, e, rule), { direction: 'HIGH', k: 1000 / d, crossed: 1000 + 3 * d }, '1000 above: k 4.14');
  near(judge(0, e, rule), { direction: 'LOW', k: 1000 / d, crossed: 1000 - 3 * d }, 'gone silent: k 4.14');
  t.equal(judge(600, e, rule), null, '4 sample deviations low is 1.65 judged ones: normal');
  t.equal(judge(0, e, { ...rule, low: false }), null, '-bnl');
  // mean 10: d = the floor, √10 = 3.16 (above 2.42 widened), so 90 is k 25; mean 90: d = √90 = 9.49, 0 is k 9.5
  t.equal(judge(90, { mean: 10, stddev: 1, n: 5 }, rule), null, 'HIGH but not above -bt');
  t.equal(judge(0, { mean: 90, stddev: 1, n: 5 }, rule), null, 'LOW but the mean is not above -bt');
  t.same(judge(150, { mean: 0, stddev: null, n: 0 }, rule), { direction: 'HIGH', k: -1, crossed: 100 }, 'new entity above -bt');
  // one observation of 400: the floor is a tenth of it, 40, and -bk 3 of them lie above it
  t.same(judge(521, { mean: 400, stddev: null, n: 1 }, rule), { direction: 'HIGH', k: -1, crossed: 520 }, 'one observation: above it by -bk floors and above -bt is reported');
  t.equal(judge(520, { mean: 400, stddev: null, n: 1 }, rule), null, 'one observation: a rise within -bk floors is not unusually high');
  t.equal(judge(150, { mean: 400, stddev: null, n: 1 }, rule), null, 'one observation: below the only value seen is not unusually high');
  t.equal(judge(100, { mean: 0, stddev: null, n: 0 }, rule), null, 'not above -bt');
  t.equal(judge(0, { mean: 400, stddev: null, n: 1 }, rule), null, 'no LOW without a deviation');
  t.equal(judge(501, { mean: 500, stddev: 0, n: 4 }, rule), null, 'flat history: a rise of 1 is not anomalous');
  // the floor is assumed, not estimated: not widened for n, so its bounds stay exact
  t.equal(judge(650, { mean: 500, stddev: 0, n: 4 }, rule), null, 'flat history: exactly 3 floors is not more than 3');
  t.same(judge(651, { mean: 500, stddev: 0, n: 4 }, rule), { direction: 'HIGH', k: 3.02, crossed: 650 }, 'flat history: judged by the floor, 50');
  t.same(judge(300, { mean: 500, stddev: 0, n: 4 }, rule), { direction: 'LOW', k: 4, crossed: 350 });
  t.equal(judge(500, { mean: 500, stddev: 0, n: 4 }, rule), null);
});

t.test('slots and boundaries follow the local clock (+05:30)', async (t) => {
  const day = new SlotClock(GRANULARITIES.DAY);
  const at = kolkata('2026-11-24T06:53:45.678');
  t.equal(day.slotOf(at), 41);
  t.equal(day.floor(at, GRANULARITIES.DAY.stepMs), kolkata('2026-11-24T06:52:00'));
  t.equal(day.floor(at, GRANULARITIES.DAY.slotMs), kolkata('2026-11-24T06:50:00'));
  t.equal(day.ceil(at, GRANULARITIES.DAY.slotMs), kolkata('2026-11-24T07:00:00'));
  t.equal(day.ceil(kolkata('2026-11-24T07:00:00'), GRANULARITIES.DAY.slotMs), kolkata('2026-11-24T07:00:00'));
  t.equal(day.describeSlot(41), '06:50');
  t.equal(day.slots, 144);
  const dow = new SlotClock(GRANULARITIES.DAY, true);
  t.equal(dow.slots, 1008);
  t.equal(dow.slotOf(at), 2 * 144 + 41, '2026-11-24 is a Tuesday');
  t.equal(dow.describeSlot(2 * 144 + 41), 'Tue 06:50');
  const week = new SlotClock(GRANULARITIES.WEEK);
  t.equal(week.slotOf(at), 2 * 24 + 6);
  // the local hour starts at :30 UTC here
  t.equal(week.floor(at, GRANULARITIES.WEEK.slotMs), kolkata('2026-11-24T06:00:00'));
  t.equal(new Date(week.floor(at, GRANULARITIES.WEEK.slotMs)).getUTCMinutes(), 30);
  t.equal(week.describeSlot(54), 'Tue 06:00');
  t.same(day.shares(kolkata('2026-11-24T06:44:00'), kolkata('2026-11-24T06:54:00')), [{ slot: 40, weight: 0.6 }, { slot: 41, weight: 0.4 }]);
  t.same(day.shares(kolkata('2026-11-24T06:40:00'), kolkata('2026-11-24T06:50:00')), [{ slot: 40, weight: 1 }]);
  t.throws(() => new SlotClock(GRANULARITIES.WEEK, true), RangeError);
});

t.test('slots across daylight-saving changes (America/New_York)', async (t) => {
  const saved = process.env.TZ;
  process.env.TZ = 'America/New_York';
  t.teardown(() => {
    process.env.TZ = saved;
  });
  const day = new SlotClock(GRANULARITIES.DAY);
  // 2026-11-01: 01:30 happens twice, first on EDT, then on EST; both are slot 9
  t.equal(day.slotOf(Date.parse('2026-11-01T05:30:00Z')), 9);
  t.equal(day.slotOf(Date.parse('2026-11-01T06:30:00Z')), 9);
  t.equal(day.floor(Date.parse('2026-11-01T06:31:10Z'), GRANULARITIES.DAY.slotMs), Date.parse('2026-11-01T06:30:00Z'));
  // 2026-03-08: the clock jumps from 02:00 to 03:00; a window over the jump spans 01:55–03:05
  const shares = day.shares(Date.parse('2026-03-08T06:55:00Z'), Date.parse('2026-03-08T07:05:00Z'));
  t.same(shares, [{ slot: 11, weight: 0.5 }, { slot: 18, weight: 0.5 }]);
  const w = windowEnding(day, Date.parse('2026-03-08T07:10:00Z'));
  t.same(w.shares, [{ slot: 18, weight: 1 }], 'the window 03:00–03:10 local');
  t.equal(w.learnSlot, 18);
});

t.test('windows, the live start and training chunks', async (t) => {
  const day = new SlotClock(GRANULARITIES.DAY);
  const aligned = windowEnding(day, kolkata('2026-11-24T06:50:00'));
  t.same(aligned, { startMs: kolkata('2026-11-24T06:40:00'), endMs: kolkata('2026-11-24T06:50:00'), shares: [{ slot: 40, weight: 1 }], learnSlot: 40 });
  const between = windowEnding(day, kolkata('2026-11-24T06:52:00'));
  t.equal(between.learnSlot, null);
  t.same(between.shares, [{ slot: 40, weight: 0.8 }, { slot: 41, weight: 0.2 }]);
  t.same(liveStart(day, kolkata('2026-11-24T06:53:45'), 60_000), { firstEndMs: kolkata('2026-11-24T06:52:00'), trainUntilMs: kolkata('2026-11-24T06:50:00') });
  t.same(liveStart(day, kolkata('2026-11-24T06:51:05'), 60_000), { firstEndMs: kolkata('2026-11-24T06:50:00'), trainUntilMs: kolkata('2026-11-24T06:40:00') });
  const week = new SlotClock(GRANULARITIES.WEEK);
  t.same(liveStart(week, kolkata('2026-11-24T06:53:45'), 60_000), { firstEndMs: kolkata('2026-11-24T06:50:00'), trainUntilMs: kolkata('2026-11-24T06:00:00') });
  const chunks = trainingChunks(day, kolkata('2026-11-24T00:03:00'), kolkata('2026-11-24T02:07:00'), 5);
  t.same(chunks, [
    { fromMs: kolkata('2026-11-24T00:10:00'), toMs: kolkata('2026-11-24T01:00:00'), slices: 5 },
    { fromMs: kolkata('2026-11-24T01:00:00'), toMs: kolkata('2026-11-24T01:50:00'), slices: 5 },
    { fromMs: kolkata('2026-11-24T01:50:00'), toMs: kolkata('2026-11-24T02:00:00'), slices: 1 },
  ]);
  t.same(trainingChunks(day, kolkata('2026-11-24T00:03:00'), kolkata('2026-11-24T00:09:00'), 5), [], 'no whole slot');
  t.throws(() => trainingChunks(day, 0, 1, 0), RangeError);
});

/** A detector over IP by BYTES that turns each finding into a bare draft (the checks are the engine's). */
function testDetector(rule: AlertRule): Detector {
  return {
    name: 'fttcv',
    ranking: { entity: ENTITY_BY_NAME.get('IP')!, count: 'BYTES', unique: undefined, direction: 'snd', selection: { query: 'ADDR=10.0.0.0/8' } },
    rule,
    alerts: async (check) => check.findings.map((f) => ({ type: f.verdict.direction === 'HIGH' ? 'volume_high' : 'volume_low', subject: f.key, text: f.key, fields: [], facts: null! })),
  };
}

/** Bytes host `ip` sends in the 10-minute slot starting at `ms`: a level per host and slot, +-10 % by day. */
function slotBytes(ip: string, ms: number): number {
  const slot = new SlotClock(GRANULARITIES.DAY).slotOf(ms);
  const day = Math.floor((ms + 330 * 60_000) / 86_400_000);
  const h = Number(ip.split('.')[3]);
  return 1000 * (1 + ((h * 7 + slot) % 5)) * (1 + 0.1 * ((h + day) % 2 === 0 ? 1 : -1));
}

t.test('training asks the history slot by slot, learns each slice in its slot, and reports progress', async (t) => {
  const clock = new SlotClock(GRANULARITIES.DAY);
  const store = new BaselineStore({ slots: 144, capBytes: 1 << 22 });
  const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const link = new FakeLink((call: Call) => {
    const fromS = Number(call.params.after_time);
    const toS = Number(call.params.before_time);
    const n = Number(call.params.slices);
    const rows = hosts.map((ip) => {
      const slices = Array.from({ length: n }, (_, k) => slotBytes(ip, (fromS + ((toS - fromS) * k) / n) * 1000));
      // 10.0.0.3 is silent from the second chunk on
      const s = ip === '10.0.0.3' && fromS * 1000 >= kolkata('2026-11-22T12:00:00') ? slices.map(() => 0) : slices;
      return { cells: [ip], value: s.reduce((a, b) => a + b, 0), slices: s };
    });
    return statAnswer(['IP'], rows, { fromS, toS, slices: n, sessions: 1000 });
  });
  const { notices, lines } = collectNotices('fttcv');
  const from = kolkata('2026-11-21T12:00:00');
  const to = kolkata('2026-11-24T12:00:00');
  const res = await train(link, { spec: testDetector({ deviations: 3, threshold: 0, low: true }).ranking, clock, store, fromMs: from, toMs: to, rows: 5000, maxSlices: 144, notices });
  t.equal(res.queries, 3, 'three days of 144 slots');
  t.same(lines, ['Learning...', 'Estimated iterations: 3', 'Progress: 33.333%  1000 records', 'Progress: 66.667%  2000 records', 'Progress: 100.000%  3000 records', 'Training complete, tracking 3 entities...']);
  const p = link.calls[0]!.params;
  t.same(p, { group_by: 'IP', count_by: 'BYTES', direction: 'snd', after_time: String(from / 1000), before_time: String(from / 1000 + 86400), query: 'ADDR=10.0.0.0/8', rows: '5000', slices: '144', format: 'csv', header: '1' });
  // slot 41 (06:50) was seen on 11-22, 11-23 and 11-24 (the slots before 12:00 of the first day are not in the history)
  const days = ['2026-11-22', '2026-11-23', '2026-11-24'].map((d) => slotBytes('10.0.0.1', kolkata(`${d}T06:50:00`)));
  t.same(store.moments('10.0.0.1', 41), fold(days));
  const silentFrom = [slotBytes('10.0.0.3', kolkata('2026-11-22T06:50:00')), 0, 0];
  t.same(store.moments('10.0.0.3', 41), fold(silentFrom), 'zeros learnt while silent');
});

t.test('a window check: HIGH, LOW for the silent, only when the ranking is complete, in order', async (t) => {
  const store = new BaselineStore({ slots: 144, capBytes: 1 << 22 });
  // nine days of each host's level × 0.9, 1, 1.1: s = 0.0866 of the level (√(6 × 0.01 / 8)), widened
  // ×1.5027 for n 9 at -bk 3 to 0.1301 of it, above the floor (a tenth); from 3 days (×7.39) the silent
  // hosts below would not be 3 judged deviations low. k: 10.0.0.1 49,000 / 130.1 = 377; 10.0.0.2
  // 100 / 650.7 = 0.15; 10.0.0.3 300 / 39.04 = 7.68; 10.0.0.4 700 / 104.1 = 6.72
  for (let day = 0; day < 9; day++) {
    const x = [0.9, 1, 1.1][day % 3]!;
    store.learn(40, new Map([['10.0.0.1', 1000 * x], ['10.0.0.2', 5000 * x], ['10.0.0.3', 300 * x], ['10.0.0.4', 800 * x]]), 0, true);
  }
  const rule: AlertRule = { deviations: 3, threshold: 100, low: true };
  const day = new SlotClock(GRANULARITIES.DAY);
  const w = windowEnding(day, kolkata('2026-11-24T06:50:00'));
  const answer = (entities: number): FakeLink =>
    new FakeLink((call) =>
      statAnswer(
        ['IP'],
        [
          { cells: ['10.0.0.1'], value: 50_000 },
          { cells: ['10.0.0.2'], value: 5100 },
          { cells: ['10.0.0.9'], value: 700 },
          { cells: ['10.0.0.4'], value: 100 },
        ],
        { fromS: Number(call.params.after_time), toS: Number(call.params.before_time), entities },
      ),
    );
  const ac = new AbortController();
  const check = await checkWindow(testDetector(rule), store, answer(4), w, 100, ac.signal);
  t.same(
    check.findings.map((f) => [f.key, f.verdict.direction, f.value]),
    [
      ['10.0.0.1', 'HIGH', 50_000],
      ['10.0.0.9', 'HIGH', 700],
      ['10.0.0.3', 'LOW', 0],
      ['10.0.0.4', 'LOW', 100],
    ],
  );
  t.equal(check.findings[1]!.verdict.k, -1, 'a new entity has no deviation');
  const cut = await checkWindow(testDetector(rule), store, answer(500), w, 4, ac.signal);
  t.same(
    cut.findings.map((f) => f.key),
    ['10.0.0.1', '10.0.0.9', '10.0.0.4'],
    'a ranking cut at its rows says nothing of the entities not in it',
  );
});

t.test('a ranking cut at its rows is complete when it was cut among zeros', async (t) => {
  const rows = (last: number) => [{ cells: ['10.0.0.1'], value: 9 }, { cells: ['10.0.0.2'], value: 3 }, { cells: ['10.0.0.3'], value: last }];
  const opts = { fromS: 0, toS: 600, entities: 500 };
  t.equal(readRanking(statAnswer(['IP'], rows(0), opts), 3).complete, true, 'largest first: the 497 left out are 0 too');
  t.equal(readRanking(statAnswer(['IP'], rows(1), opts), 3).complete, false);
  t.equal(readRanking(statAnswer(['IP'], rows(1), { ...opts, entities: 3 }), 3).complete, true);
  t.equal(readRanking(statAnswer(['IP'], rows(1).slice(0, 2), opts), 3).complete, true, 'fewer rows than asked');
  const r = readRanking(statAnswer(['PORT', 'PROTO'], [{ cells: [443, 6], value: 7, counts: [1, 2, 3, 4, 5, 6] }], { fromS: 0, toS: 600 }), 10);
  t.same(r.rows[0], { key: '443 6', cells: [443, 6], value: 7, counts: { bytes_sent: 1, bytes_recv: 2, packets_sent: 3, packets_recv: 4, sessions_initiated: 5, sessions_accepted: 6 }, slices: [] });
  t.same(keyCells('443 6'), [443, 6]);
  t.same(keyCells('10.0.0.1 -'), ['10.0.0.1', null]);
  t.throws(() => readRanking({ columns: ['rank'], data: [] } as never, 10), /cannot be read/);
});
