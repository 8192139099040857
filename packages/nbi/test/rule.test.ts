// The alert rule against the baselines it judges by (issue #6 review): the deviation floor, so that a
// flat history does not make a change of 1 anomalous, and slots never learnt (-bg WEEK, -bdow with a
// history of a week), which are left out of a window's expectation instead of counting as zero traffic.
process.env.TZ = 'Asia/Kolkata';

import t from 'tap';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { ENTITY_BY_NAME } from '@opentraq/core';
import type { StatAnswer } from '@opentraq/cli';
import { BaselineStore } from '../src/engine/baselinestore.js';
import { Baselines } from '../src/engine/baselines.js';
import { checkWindow } from '../src/engine/checkwindow.js';
import { GRANULARITIES, type Granularity } from '../src/engine/granularity.js';
import { deviationFloor, deviationWidening, judge, type AlertRule } from '../src/engine/judge.js';
import { runEngine } from '../src/engine/runengine.js';
import { SlotClock } from '../src/engine/slotclock.js';
import { windowEnding } from '../src/engine/windowplan.js';
import { VolumeDetector } from '../src/fttcv/volumedetector.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { FakeClock, FakeLink, collectNotices, engineSettings, statAnswer, type Call } from './fakes.js';

/** Local wall-clock time in Asia/Kolkata (+05:30, no daylight saving) as an instant. */
const at = (local: string): number => Date.parse(`${local}+05:30`);
const RULE: AlertRule = { deviations: 3, threshold: 100, low: true };
const IP = ENTITY_BY_NAME.get('IP')!;
const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

const volumeDetector = (): VolumeDetector => new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, RULE);

/** A store whose `slot` has learnt `values` of entity `key`, one observation each (every one complete). */
function learnt(slots: number, slot: number, key: string, values: readonly number[]): BaselineStore {
  const store = new BaselineStore({ slots, capBytes: 1 << 22 });
  for (const v of values) store.learn(slot, new Map([[key, v]]), 0, true);
  return store;
}

t.test('the deviation floor: 1, the square root of the mean, a tenth of the mean, whichever is largest', async (t) => {
  t.equal(deviationFloor(0), 1);
  t.equal(deviationFloor(0.5), 1);
  t.equal(deviationFloor(4), 2);
  t.equal(deviationFloor(49), 7);
  t.equal(deviationFloor(100), 10, 'where the square root and a tenth meet');
  t.equal(deviationFloor(1000), 100);
  t.equal(deviationFloor(520_000), 52_000);
});

t.test('a flat history: small changes are not anomalous, large ones are, HIGH and LOW alike', async (t) => {
  // a poll that sent exactly 1000 bytes in each of 7 observations of its slot
  const e = learnt(144, 40, 'poll', [1000, 1000, 1000, 1000, 1000, 1000, 1000]).expectation('poll', [{ slot: 40, weight: 1 }]);
  t.same(e, { mean: 1000, stddev: 0, n: 7 });
  // judged by the floor, 100: -bk 3 of it is 300 either way
  for (const v of [1001, 1010, 1100, 1300, 999, 900, 700]) t.equal(judge(v, e, RULE), null, `${v} is normal`);
  t.same(judge(1301, e, RULE), { direction: 'HIGH', k: 3.01, crossed: 1300 });
  t.same(judge(5000, e, RULE), { direction: 'HIGH', k: 40, crossed: 1300 });
  t.same(judge(699, e, RULE), { direction: 'LOW', k: 3.01, crossed: 700 });
  t.same(judge(0, e, RULE), { direction: 'LOW', k: 10, crossed: 700 }, 'gone silent');
  t.equal(judge(0, e, { ...RULE, low: false }), null, '-bnl');
  t.equal(judge(1301, e, { ...RULE, threshold: 2000 }), null, 'a HIGH value must pass -bt');
  t.equal(judge(0, e, { ...RULE, threshold: 1000 }), null, 'a LOW alert needs a mean above -bt');

  // a count: 25 sessions in every observation, judged by its square root, 5
  const c = learnt(144, 40, 'ntp', [25, 25, 25]).expectation('ntp', [{ slot: 40, weight: 1 }]);
  const zero = { ...RULE, threshold: 0 };
  t.equal(judge(40, c, zero), null, '25 → 40 is 3 deviations, not more');
  t.same(judge(41, c, zero), { direction: 'HIGH', k: 3.2, crossed: 40 });
  t.equal(judge(10, c, zero), null);
  t.same(judge(9, c, zero), { direction: 'LOW', k: 3.2, crossed: 10 });

  // nearly flat (1000, 1000, 1001: s 0.58) is judged by the floor too, not by its tiny deviation
  const near = learnt(144, 40, 'near', [1000, 1000, 1001]).expectation('near', [{ slot: 40, weight: 1 }]);
  t.ok(near.stddev! > 0.5 && near.stddev! < 0.6);
  t.equal(judge(1010, near, RULE), null);
  t.equal(judge(1300, near, RULE), null);
  t.equal(judge(1301, near, RULE)?.direction, 'HIGH');

  // a deviation above the floor, from many observations, is the plain rule: mean 1000, s 300, n 10,000
  // (widened by 1.0002)
  const wide = { mean: 1000, stddev: 300, n: 10_000 };
  t.equal(judge(1900, wide, RULE), null);
  t.match(judge(1930, wide, RULE), { direction: 'HIGH' });
  t.ok(Math.abs(judge(1930, wide, RULE)!.k - 3.1) < 0.001);
});

t.test('a deviation estimated from few observations is widened to the Student t prediction bound', async (t) => {
  // -bk 3.090232 is the normal 0.999 quantile; the t distribution's 0.999 quantiles from the printed
  // tables (1, 2, 4, 9, 19, 99 degrees of freedom): 318.309, 22.327, 7.173, 4.297, 3.579, 3.174
  const bk = 3.090232;
  for (const [n, t999] of [[2, 318.309], [3, 22.327], [5, 7.173], [10, 4.297], [20, 3.579], [100, 3.174]] as const) {
    const expected = (t999 * Math.sqrt(1 + 1 / n)) / bk;
    t.ok(Math.abs(deviationWidening(bk, n) / expected - 1) < 2e-4, `n ${n}: ${deviationWidening(bk, n).toFixed(3)} (${expected.toFixed(3)})`);
  }
  t.equal(deviationWidening(3, 1), 1, 'one observation: no deviation to widen');
  t.equal(deviationWidening(3, 0), 1);
  // it falls towards 1 as n grows, and is wider the further out -bk reaches into the tails
  const ns = [2, 3, 4, 5, 8, 15, 21, 100, 10_000];
  for (let i = 1; i < ns.length; i++) t.ok(deviationWidening(3, ns[i]!) < deviationWidening(3, ns[i - 1]!), `n ${ns[i]} narrower than n ${ns[i - 1]}`);
  t.ok(deviationWidening(3, 10_000) < 1.001 && deviationWidening(3, 10_000) > 1);
  t.ok(deviationWidening(4, 8) > deviationWidening(3, 8) && deviationWidening(3, 8) > deviationWidening(1.6, 8));
  t.ok(Number.isFinite(deviationWidening(50, 21)) && deviationWidening(50, 21) === deviationWidening(37, 21), '-bk beyond 37 is widened as 37 (the last normal tail a double holds)');
  // for n = 2 the t quantile is infinite from -bk 26.5 on: a flat history (s 0) is judged by its floor, an
  // s above 0 by s + the mean
  t.equal(deviationWidening(30, 2), Infinity);
  t.same(judge(1e12, { mean: 1000, stddev: 0, n: 2 }, { ...RULE, deviations: 30 }), { direction: 'HIGH', k: (1e12 - 1000) / 100, crossed: 4000 });
  t.same(judge(1e12, { mean: 1000, stddev: 5, n: 2 }, { ...RULE, deviations: 30 }), { direction: 'HIGH', k: (1e12 - 1000) / 1005, crossed: 1000 + 30 * 1005 });

  // mean 1000, s 300 from 5 observations (widened 2.417 at -bk 3: d 725.2): what 3 × 300 would report
  // is normal until 3 × 725.2 above the mean
  const five = { mean: 1000, stddev: 300, n: 5 };
  t.equal(judge(1930, five, RULE), null, '3.1 sample deviations above, from 5 observations, is normal');
  t.equal(judge(3175, five, RULE), null);
  t.match(judge(3177, five, RULE), { direction: 'HIGH' });
  t.equal(judge(0, five, RULE), null, 'a value of 0 is 1.38 widened deviations low: normal');
  // the floor is not widened: a flat history of 5 is judged by a tenth of its mean, as before
  t.same(judge(1301, { mean: 1000, stddev: 0, n: 5 }, RULE), { direction: 'HIGH', k: 3.01, crossed: 1300 });
  // from 2 observations (1000 and 1424: s 300) the bound would be 96 times as wide (a change of 87,000),
  // but the widening adds the mean at most: d 300 + 1212 = 1512, so that 5748 is news, and no LOW is possible
  const two = { mean: 1212, stddev: 300, n: 2 };
  t.equal(judge(5748, two, RULE), null);
  t.same(judge(5749, two, RULE), { direction: 'HIGH', k: 4537 / 1512, crossed: 5748 });
  t.same(judge(24_240, two, RULE), { direction: 'HIGH', k: 23_028 / 1512, crossed: 5748 }, '20 times the mean');
  t.equal(judge(0, two, RULE), null);
  // a bursty entity (s above the mean) from 8 observations is widened in full: 1.60 × 1500 = 2402.4 is
  // less than 1500 + 1000
  const bursty = { mean: 1000, stddev: 1500, n: 8 };
  const d8 = 1500 * deviationWidening(3, 8);
  t.ok(Math.abs(d8 - 2402.4) < 0.1);
  t.equal(judge(1000 + 3 * d8 - 0.01, bursty, RULE), null);
  t.match(judge(1000 + 3 * d8 + 0.01, bursty, RULE), { direction: 'HIGH' });
});

t.test('fewer than 2 observations: k is -1, HIGH only, and one observation is passed by -bk floors', async (t) => {
  const one = learnt(144, 40, 'a', [1000]).expectation('a', [{ slot: 40, weight: 1 }]);
  t.same(one, { mean: 1000, stddev: null, n: 1 });
  t.equal(judge(1001, one, RULE), null, 'a change of 1 after one observation');
  t.equal(judge(1300, one, RULE), null);
  t.same(judge(1301, one, RULE), { direction: 'HIGH', k: -1, crossed: 1300 });
  t.equal(judge(0, one, RULE), null, 'never LOW');
  t.equal(judge(1301, one, { ...RULE, threshold: 5000 }), null, 'and above -bt');
  t.same(judge(101, { mean: 0, stddev: null, n: 0 }, RULE), { direction: 'HIGH', k: -1, crossed: 100 }, 'never seen: above -bt is enough');
});

t.test('fttcv prints u, the sample s and k counted in the judged deviation (docs/nbi.md)', async (t) => {
  const store = new BaselineStore({ slots: 144, capBytes: 1 << 22 });
  // slot 40 is 06:40–06:50: the flat host 10.0.0.1, the varying 10.0.0.2 (s above its floor)
  for (const v of [10_000, 10_000, 10_000, 10_000]) store.learn(40, new Map([['10.0.0.1', v], ['10.0.0.2', v === 10_000 ? 4000 : 0]]), 0, true);
  store.learn(40, new Map([['10.0.0.1', 10_000], ['10.0.0.2', 12_000]]), 0, true);
  const window = windowEnding(new SlotClock(GRANULARITIES.DAY), at('2026-11-24T06:50:00'));
  const link = new FakeLink((call) =>
    statAnswer(
      ['IP'],
      [
        { cells: ['10.0.0.1'], value: 14_000 },
        { cells: ['10.0.0.2'], value: 40_000 },
      ],
      { fromS: Number(call.params.after_time), toS: Number(call.params.before_time) },
    ),
  );
  const detector = volumeDetector();
  const check = await checkWindow(detector, store, link, window, 100, new AbortController().signal);
  const texts = (await detector.alerts(check)).map((a) => a.text.replace(/^.*: (\S+ \(.*\))$/, '$1'));
  // 10.0.0.2 observed 4000 ×4 and 12000: mean 5600, s √12,800,000 = 3577.71, which from 5 observations
  // is widened 2.4174 (t(4) at the normal tail beyond 3, 6.6088, × √1.2, / 3) to 8648.6 (less than s plus
  // the mean, 9177.7; above its floor 560): k (40000 − 5600) / 8648.6 = 3.98
  t.same(texts, ['14000.00 (u: 10000.00 s: 0.00 k: 4.00 n: 5)', '40000.00 (u: 5600.00 s: 3577.71 k: 3.98 n: 5)']);
});

t.test('slots never learnt are left out of the expectation; a learnt slot without the entity is a 0', async (t) => {
  const store = new BaselineStore({ slots: 144, capBytes: 1 << 22 });
  // 'a' sends 1000 in slot 10, every time; slot 11 is learnt five times with 'b' only; slot 12 never
  for (let i = 0; i < 5; i++) {
    store.learn(10, new Map([['a', 1000]]), 0, true);
    store.learn(11, new Map([['b', 50]]), 0, true);
  }
  t.equal(store.learnt(10), 5);
  t.equal(store.learnt(12), 0);
  const withSilent = store.expectation('a', [{ slot: 10, weight: 0.5 }, { slot: 11, weight: 0.5 }]);
  t.same(withSilent, { mean: 500, stddev: 0, n: 5 }, 'silent in slot 11: half the window expects 0');
  const withUnlearnt = store.expectation('a', [{ slot: 10, weight: 0.5 }, { slot: 12, weight: 0.5 }]);
  t.same(withUnlearnt, { mean: 1000, stddev: 0, n: 5 }, 'slot 12 says nothing: slot 10 stands for the window');
  t.same(judge(1100, withSilent, RULE), { direction: 'HIGH', k: 12, crossed: 650 }, 'twice what a silent half expects');
  t.equal(judge(1100, withUnlearnt, RULE), null, 'its usual rate over the whole window');
  t.same(store.expectation('a', [{ slot: 12, weight: 0.7 }, { slot: 13, weight: 0.3 }]), { mean: 0, stddev: null, n: 0, learnt: false });
  t.same(store.expectation('nobody', [{ slot: 12, weight: 1 }]), { mean: 0, stddev: null, n: 0, learnt: false });
  t.equal(judge(1e9, store.expectation('nobody', [{ slot: 12, weight: 1 }]), RULE), null, 'nothing learnt: nothing judged');
  t.same(store.expectation('nobody', [{ slot: 10, weight: 0.5 }, { slot: 12, weight: 0.5 }]), { mean: 0, stddev: null, n: 0 }, 'new in the learnt slot');
  // n is the fewest among the learnt slots the entity has a baseline in
  store.learn(12, new Map([['a', 900]]), 0, true);
  store.learn(12, new Map([['a', 1100]]), 0, true);
  t.match(store.expectation('a', [{ slot: 10, weight: 0.5 }, { slot: 12, weight: 0.5 }]), { mean: 1000, n: 2 });
  t.throws(() => store.learnt(144), RangeError);
});

t.test('a window wholly in slots not learnt is not judged, and stderr says so once', async (t) => {
  const clock = new SlotClock(GRANULARITIES.DAY, true);
  const store = new BaselineStore({ slots: clock.slots, capBytes: 1 << 22 });
  const tue = (hm: string): number => clock.slotOf(at(`2026-11-24T${hm}:00`));
  // Monday's 10:00 is learnt; Tuesday's 09:50 and 10:00 are not (-bdow keeps them apart)
  for (const v of [5000, 5200, 4800]) store.learn(clock.slotOf(at('2026-11-23T10:00:00')), new Map([['10.0.0.1', v]]), 0, true);
  const values = new Map([['10.0.0.1', 5000], ['10.0.0.2', 1_000_000]]);
  const link = new FakeLink((call) =>
    statAnswer(['IP'], [...values].map(([ip, value]) => ({ cells: [ip], value })), { fromS: Number(call.params.after_time), toS: Number(call.params.before_time) }),
  );
  const { notices, lines } = collectNotices('fttcv');
  const stop = new AbortController();
  const parts = { link, clock: new FakeClock(at('2026-11-24T10:03:30')), notices, output: { emit: async () => undefined }, episodes: new Episodes('fttcv', 'test', 120_000), signal: stop.signal };
  const settings = { ...engineSettings(at('2026-11-24T10:03:30')), byDayOfWeek: true };
  const baselines = new Baselines([{ spec: volumeDetector().ranking, store }], { slotClock: clock, settings, parts, rule: RULE, subject: 'entity' });
  const check = async (end: string) => (await baselines.check({ ...windowEnding(clock, at(`2026-11-24T${end}:00`)), coverage: 'whole' }))[0]!;
  t.same((await check('10:02')).findings, [], 'a million bytes from a host never seen: nothing to judge it by');
  t.same((await check('10:04')).findings, []);
  t.equal(lines.length, 1, 'said once');
  t.match(lines[0], /^fttcv: the window 11\/24\/2026 09:52:00 to 11\/24\/2026 10:02:00 lies in slots not learnt yet \(Tue 09:50 and Tue 10:00\): no entity is judged in it/);
  // Tuesday's 09:50 learnt (10.0.0.1 at 5000, 10.0.0.2 not yet about): the next window is judged by it alone
  store.learn(tue('09:50'), new Map([['10.0.0.1', 5000]]), 0, true);
  const judged = await check('10:06');
  t.same(
    judged.findings.map((f) => [f.key, f.verdict.direction, f.expectation.mean, f.expectation.n]),
    [['10.0.0.2', 'HIGH', 0, 0]],
    '10.0.0.1 at its usual rate is normal; the new host above -bt is reported',
  );
  t.equal(lines.length, 1);
});

/** The traffic of the engine runs below: hosts 10.0.0.1–7, bytes per minute (TZ is the scenario's). */
interface World {
  /** When the flat host sends 1 byte a minute more, the loud one 50 times as much, and the silent one stops. */
  readonly changeAt: number;
}

const FLAT = 5;
const LOUD = 6;
const SILENT = 7;
const HOSTS = [1, 2, 3, 4, 5, 6, 7];

/**
 * Host h's bytes in the minute starting at `m`: a daily swing (±30 %, its phase per host), half on
 * weekends, and ±10 % on alternate weeks (so that this week's value is one the history has seen, or
 * 22 % from the single one a week of history gives). The flat host sends 1000 every minute.
 */
function perMinute(world: World, h: number, m: number): number {
  const after = m >= world.changeAt;
  if (h === FLAT) return after ? 1001 : 1000;
  if (h === SILENT && after) return 0;
  const d = new Date(m);
  const minuteOfDay = d.getHours() * 60 + d.getMinutes();
  const week = Math.floor((m - d.getTimezoneOffset() * MINUTE) / WEEK_MS);
  const weekend = d.getDay() === 0 || d.getDay() === 6 ? 0.5 : 1;
  const v = 1000 * h * weekend * (1 + 0.3 * Math.sin((2 * Math.PI * minuteOfDay) / 1440 + h)) * (1 + 0.1 * ((h + week) % 2 === 0 ? 1 : -1));
  return Math.round(h === LOUD && after ? 50 * v : v);
}

/** ftserver's answers over `world`: the feed check (50 short sessions in every part), and rankings by IP. */
function worldAnswer(world: World, call: Call): StatAnswer {
  const fromMs = Number(call.params.after_time) * 1000;
  const toMs = Number(call.params.before_time) * 1000;
  const n = call.params.slices === undefined ? 0 : Number(call.params.slices);
  const opts = { fromS: fromMs / 1000, toS: toMs / 1000, slices: n };
  if (call.params.group_by === 'QOS') return statAnswer(['QOS'], [{ cells: [0], value: 50 * n, slices: Array.from({ length: n }, () => 50) }], { ...opts, sessions: 50 * n });
  const span = (toMs - fromMs) / Math.max(1, n);
  const rows = HOSTS.map((h) => {
    const slices = Array.from({ length: Math.max(1, n) }, (_, k) => {
      let sum = 0;
      for (let m = fromMs + k * span; m < fromMs + (k + 1) * span; m += MINUTE) sum += perMinute(world, h, m);
      return sum;
    });
    const value = slices.reduce((a, b) => a + b, 0);
    return { cells: [`10.0.0.${h}`], value, ...(n > 0 && { slices }) };
  });
  return statAnswer(['IP'], rows.filter((r) => r.value > 0).sort((a, b) => b.value - a.value), { ...opts, sessions: 100 });
}

interface Run {
  readonly alerts: RaisedAlert[];
  readonly lines: string[];
  readonly windows: number;
}

/** fttcv from `startMs` with `weeks` of history, until the window ending `untilMs` has been checked. */
async function run(granularity: Granularity, byDayOfWeek: boolean, weeks: number, startMs: number, untilMs: number, world: World): Promise<Run> {
  const stop = new AbortController();
  const link = new FakeLink((call) => {
    const answer = worldAnswer(world, call);
    if (call.params.group_by === 'IP' && call.params.slices === undefined && Number(call.params.before_time) * 1000 >= untilMs) stop.abort('SIGTERM');
    return answer;
  });
  const { notices, lines } = collectNotices('fttcv');
  const alerts: RaisedAlert[] = [];
  const settings = { ...engineSettings(startMs), granularity, byDayOfWeek, history: { fromMs: startMs - weeks * WEEK_MS, toMs: startMs } };
  const report = await runEngine(volumeDetector(), settings, {
    link,
    clock: new FakeClock(startMs),
    notices,
    output: { emit: async (a) => void alerts.push(a) },
    episodes: new Episodes('fttcv', 'test', granularity.stepMs),
    signal: stop.signal,
  });
  return { alerts, lines, windows: report.windows };
}

/** u, s, k, n and the value of an fttcv alert line. */
function printed(text: string): { value: number; u: number; s: number; k: number; n: number } {
  const m = /: (\d+\.\d\d) \(u: (\d+\.\d\d) s: (\d+\.\d\d) k: (-?\d+\.\d\d) n: (\d+)\)$/.exec(text);
  if (m === null) throw new Error(`not an fttcv line: ${text}`);
  const [value, u, s, k, n] = m.slice(1).map(Number) as [number, number, number, number, number];
  return { value, u, s, k, n };
}

t.test('-bg WEEK and -bdow: normal traffic raises nothing after one week of history or eight; the changes are found', async (t) => {
  const startMs = at('2026-11-24T10:03:30');
  const world = { changeAt: at('2026-11-24T10:23:30') };
  const cases = [
    { name: 'WEEK', granularity: GRANULARITIES.WEEK, byDayOfWeek: false, untilMs: at('2026-11-24T12:00:00'), unlearnt: '11/24/2026 09:00:00 to 11/24/2026 10:00:00 lies in slots not learnt yet (Tue 09:00)' },
    { name: '-bdow', granularity: GRANULARITIES.DAY, byDayOfWeek: true, untilMs: at('2026-11-24T10:50:00'), unlearnt: '11/24/2026 10:00:00 to 11/24/2026 10:10:00 lies in slots not learnt yet (Tue 10:00)' },
  ];
  for (const c of cases) {
    for (const weeks of [1, 8]) {
      const { alerts, lines, windows } = await run(c.granularity, c.byDayOfWeek, weeks, startMs, c.untilMs, world);
      const what = `${c.name}, -tn ${weeks}w`;
      const found = alerts.map((a) => `${a.draft.type} ${a.draft.subject}`);
      const expected = (a: string): boolean => a === 'volume_high 10.0.0.6' || (weeks > 1 && a === 'volume_low 10.0.0.7');
      t.same(found.filter((a) => !expected(a)), [], `${what}: no false positive over ${windows} windows`);
      t.ok(found.includes('volume_high 10.0.0.6'), `${what}: the loud host is found`);
      if (weeks > 1) t.ok(found.includes('volume_low 10.0.0.7'), `${what}: the silent host is found`);
      else t.notOk(found.includes('volume_low 10.0.0.7'), `${what}: one observation says nothing of how low is unusual`);
      t.ok(lines.some((l) => l === 'Training complete, tracking 7 entities...'), `${what}: every host learnt`);
      t.equal(lines.some((l) => l.includes('at most 1 observation')), weeks === 1, `${what}: the note on a single observation`);
      // a week ago the history began inside the slot the detector starts in (and WEEK's first window is
      // the slot before it, which it learns): a window wholly in such a slot is not judged, said once
      t.same(
        lines.filter((l) => l.includes('not learnt yet')).map((l) => l.replace(/\): .*$/, ')')),
        weeks === 1 ? [`fttcv: the window ${c.unlearnt}`] : [],
        `${what}: the window in the slot the history began in`,
      );
      // the printed numbers: k is |value − u| over max(min(s × the widening for n, s + u), u/10, √u, 1), or -1 with one
      // observation; the widening computed here from the t and normal quantiles themselves
      for (const a of alerts) {
        const p = printed(a.draft.text);
        if (p.n < 2) {
          t.same([p.k, p.s], [-1, 0], `${what}: ${a.draft.text}`);
          continue;
        }
        const widening = (-tQuantile(normalCdf(-RULE.deviations, 0, 1), p.n - 1) * Math.sqrt(1 + 1 / p.n)) / RULE.deviations;
        const d = Math.max(Math.min(p.s * widening, p.s + p.u), p.u / 10, Math.sqrt(p.u), 1);
        t.ok(Math.abs(p.k - Math.abs(p.value - p.u) / d) < 0.01, `${what}: ${a.draft.text}`);
      }
    }
  }
});
