// Issue #6: an outage of the collector's feed (exporters down, the network to them cut, ftserver
// restarted) is not traffic dropping to zero. Windows and history slots the collector did not see
// whole are not learnt nor judged LOW (only HIGH values stand), stderr says when the gap began and what
// it cost, and a server that stays away for long is retried without filling stderr.
process.env.TZ = 'America/New_York';

import { EventEmitter } from 'node:events';
import t from 'tap';
import { ENTITY_BY_NAME } from '@opentraq/core';
import { BaselineStore } from '../src/engine/baselinestore.js';
import { Baselines } from '../src/engine/baselines.js';
import { FEED_PARTS, feedVerdict } from '../src/engine/feedcoverage.js';
import { FEED_FILTER, FeedWatch } from '../src/engine/feedwatch.js';
import { HistoryGaps } from '../src/engine/historygaps.js';
import { GRANULARITIES } from '../src/engine/granularity.js';
import { runEngine } from '../src/engine/runengine.js';
import { runTrainedWindows } from '../src/engine/runtrainedwindows.js';
import { FeedGap } from '../src/engine/feedgap.js';
import { SlotClock } from '../src/engine/slotclock.js';
import { addObservation, NO_MOMENTS, type Moments } from '../src/engine/welford.js';
import { windowEnding } from '../src/engine/windowplan.js';
import { main as fttcv } from '../src/fttcv/main.js';
import { VolumeDetector } from '../src/fttcv/volumedetector.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { formatWindowTime } from '../src/output/windowtime.js';
import { runCommand } from './commandrun.js';
import { FakeFeed, type Stretch } from './fakefeed.js';
import { FakeClock, FakeLink, collectNotices, engineSettings, perMinute, statAnswer, type Call } from './fakes.js';
import { FakeFtserver } from './fakeserver.js';

const at = (local: string): number => Date.parse(`${local}-05:00`);
const START = at('2026-11-24T10:03:30');
const IP = ENTITY_BY_NAME.get('IP')!;
const RULE = { deviations: 3, threshold: 100, low: true };
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'];
const DAY = new SlotClock(GRANULARITIES.DAY);
const MINUTE = 60_000;
const time = formatWindowTime;

function volumeDetector(): VolumeDetector {
  return new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, RULE);
}

/** Whether `call` is a window's own ranking (not a training query, nor the check of the collector's feed). */
const isWindowRanking = (call: Call): boolean => call.params.slices === undefined && call.params.group_by === 'IP';

/** A link to `feed` that aborts `stop` once the ranking of the window ending `untilMs` is answered. */
function feedLink(feed: FakeFeed, stop: AbortController, untilMs: number): FakeLink {
  return new FakeLink((call) => {
    const answer = feed.answer(call.params);
    if (isWindowRanking(call) && Number(call.params.before_time) * 1000 >= untilMs) stop.abort('SIGTERM');
    return answer;
  });
}

interface LiveRun {
  readonly alerts: RaisedAlert[];
  readonly lines: string[];
  readonly store: BaselineStore;
  readonly link: FakeLink;
}

/** fttcv's engine (runEngine's parts, with its store at hand) over `feed` from START until the window ending `untilMs`. */
async function liveRun(feed: FakeFeed, untilMs: number): Promise<LiveRun> {
  const stop = new AbortController();
  const link = feedLink(feed, stop, untilMs);
  const { notices, lines } = collectNotices('fttcv');
  const alerts: RaisedAlert[] = [];
  const settings = engineSettings(START, 3);
  const parts = { link, clock: new FakeClock(START), notices, output: { emit: async (a: RaisedAlert) => void alerts.push(a) }, episodes: new Episodes('fttcv', 'test', 120_000), signal: stop.signal };
  const detector = volumeDetector();
  const store = new BaselineStore({ slots: DAY.slots, capBytes: settings.capBytes });
  const baselines = new Baselines([{ spec: detector.ranking, store }], { slotClock: DAY, settings, parts, rule: RULE, subject: 'entity' });
  await runTrainedWindows(DAY, settings, parts, {
    feed: detector.ranking.selection,
    train: (start) => baselines.train(start),
    check: async (window) => {
      const checks = await baselines.check(window);
      const drafts = await detector.alerts(checks[0]!);
      return { drafts, summary: `${drafts.length} alerts${baselines.learn(window, checks)}` };
    },
  });
  return { alerts, lines, store, link };
}

/** Whether two baselines are the same to the last bit (both absent counts as the same). */
function sameMoments(a: Moments | undefined, b: Moments | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.n === b.n && a.mean === b.mean && a.m2 === b.m2;
}

/** The slots a stretch of local time touches. */
function slotsOf(s: Stretch): Set<number> {
  const out = new Set<number>();
  for (let m = s.fromMs; m < s.toMs; m += MINUTE) out.add(DAY.slotOf(m));
  return out;
}

t.test('a feed that stops for 20 minutes: no LOW alert, nothing learnt, HIGH values still found, stderr says so twice', async (t) => {
  const gap = { fromMs: at('2026-11-24T10:35:00'), toMs: at('2026-11-24T10:55:00') };
  const until = at('2026-11-24T11:30:00');
  const trained = await liveRun(new FakeFeed([]), START - 200_000);
  const whole = await liveRun(new FakeFeed([]), until);
  const cut = await liveRun(new FakeFeed([gap]), until);
  t.same(whole.alerts.map((a) => a.line), [], 'the rhythm is normal: no alert without the gap');
  t.same(cut.alerts.map((a) => `${a.draft.type} ${a.draft.subject} ${time(a.windowEndMs)}`), [], 'no LOW (nor any) alert for the gap');

  // 10:30, 10:40, 10:50 are learnt without the gap; with it each keeps what training gave it
  const gapSlots = slotsOf(gap);
  t.same([...gapSlots].map((s) => DAY.describeSlot(s)), ['10:30', '10:40', '10:50']);
  let learntWithoutGap = 0;
  let differs = 0;
  for (const key of HOSTS) {
    for (let slot = 0; slot < DAY.slots; slot++) {
      const expected = gapSlots.has(slot) ? trained.store.moments(key, slot) : whole.store.moments(key, slot);
      if (!sameMoments(cut.store.moments(key, slot), expected)) differs++;
      if (gapSlots.has(slot) && whole.store.moments(key, slot)!.n > trained.store.moments(key, slot)!.n) learntWithoutGap++;
    }
  }
  t.equal(learntWithoutGap, 15, 'without the gap, its three slots learn every host');
  t.equal(differs, 0, 'with it, they are as training left them, and every other slot as without the gap');

  // windows ending 10:36 to 11:04 hold minutes without a session; 10:46 to 10:54 nothing else
  const windowLine = (end: string): string | undefined => cut.lines.find((l) => l.startsWith(`fttcv: window ${time(at(end) - 600_000)} to ${time(at(end))}: `));
  t.equal(windowLine('2026-11-24T10:36:00'), `fttcv: window ${time(at('2026-11-24T10:26:00'))} to ${time(at('2026-11-24T10:36:00'))}: 0 alerts; 1 min without a session: HIGH values only, not learnt`);
  t.equal(windowLine('2026-11-24T10:40:00'), `fttcv: window ${time(at('2026-11-24T10:30:00'))} to ${time(at('2026-11-24T10:40:00'))}: 0 alerts; 5 min without a session: HIGH values only, not learnt`, 'a window of a slot: not learnt');
  t.equal(windowLine('2026-11-24T10:50:00'), `fttcv: window ${time(at('2026-11-24T10:40:00'))} to ${time(at('2026-11-24T10:50:00'))}: skipped: no session at all`);
  t.equal(cut.lines.filter((l) => / skipped: /.test(l)).length, 5, 'the five windows without any session skipped');
  t.equal(windowLine('2026-11-24T11:10:00'), `fttcv: window ${time(at('2026-11-24T11:00:00'))} to ${time(at('2026-11-24T11:10:00'))}: 0 alerts; learnt slot 11:00`);
  t.same(
    cut.lines.filter((l) => /collector/.test(l)),
    [
      `fttcv: the collector stored nothing from ${time(gap.fromMs)} (1 min without a session in the window ending ${time(at('2026-11-24T10:36:00'))}): until its feed is back, windows it did not see whole are judged for HIGH values only and not learnt, those without any session not judged at all (exporters down, the network to them cut, ftserver restarted?)`,
      `fttcv: the collector's feed is back: 15 windows ending ${time(at('2026-11-24T10:36:00'))} to ${time(at('2026-11-24T11:04:00'))} were not seen whole (5 without any session, skipped; 10 judged for HIGH values only), none learnt; the window ending ${time(at('2026-11-24T11:06:00'))} is judged and learnt in full`,
    ],
  );
  const checks = cut.link.calls.filter(isWindowRanking).map((c) => Number(c.params.before_time) * 1000);
  t.notOk(checks.some((end) => end >= at('2026-11-24T10:45:00') && end <= gap.toMs), 'a window without any session costs no ranking query');
  const feedChecks = cut.link.calls.filter((c) => c.params.group_by === 'QOS' && c.params.slices === '10');
  t.match(feedChecks[0]!.params, { count_by: 'SESSIONS', rows: '1', query: 'TTIME<=60' }, 'the feed check counts short sessions a minute');

  // a host 50 times as loud from the minute the feed is back: found in the windows that still miss minutes
  const loud = await liveRun(new FakeFeed([gap], gap.toMs), until);
  const highs = loud.alerts.map((a) => `${a.draft.type} ${a.draft.subject} ${time(a.windowEndMs)}`);
  t.same(highs.slice(0, 5), ['56', '58', '00', '02', '04'].map((m) => `volume_high 10.0.0.2 ${time(at(`2026-11-24T1${m === '56' || m === '58' ? '0' : '1'}:${m}:00`))}`));
  t.ok(loud.alerts.every((a) => a.draft.type === 'volume_high' && a.draft.subject === '10.0.0.2'), 'and nothing else');
});

t.test('the same through runEngine: no LOW alert when the collector was down for the whole of some windows', async (t) => {
  const gap = { fromMs: at('2026-11-24T10:20:00'), toMs: at('2026-11-24T11:00:00') };
  const stop = new AbortController();
  const { notices, lines } = collectNotices('fttcv');
  const alerts: RaisedAlert[] = [];
  const report = await runEngine(volumeDetector(), engineSettings(START, 3), {
    link: feedLink(new FakeFeed([gap]), stop, at('2026-11-24T11:20:00')),
    clock: new FakeClock(START),
    notices,
    output: { emit: async (a) => void alerts.push(a) },
    episodes: new Episodes('fttcv', 'test', 120_000),
    signal: stop.signal,
  });
  t.same(alerts.map((a) => `${a.draft.type} ${a.draft.subject} ${time(a.windowEndMs)}`), []);
  // 10:02–10:20 (10 windows), 10:22–10:28 and 11:02–11:08 (8, part of them without data), 11:10–11:20 (6) checked; 10:30–11:00 (16) skipped
  t.match(report, { windows: 24, alerts: 0, lastEndMs: at('2026-11-24T11:20:00') });
  t.ok(
    lines.includes(
      `fttcv: the collector's feed is back: 24 windows ending ${time(at('2026-11-24T10:22:00'))} to ${time(at('2026-11-24T11:08:00'))} were not seen whole (16 without any session, skipped; 8 judged for HIGH values only), none learnt; the window ending ${time(at('2026-11-24T11:10:00'))} is judged and learnt in full`,
    ),
  );
});

t.test('a detector stopped during the gap says what the gap cost', async (t) => {
  const stop = new AbortController();
  const { notices, lines } = collectNotices('fttcv');
  const feed = new FakeFeed([{ fromMs: at('2026-11-24T10:05:00'), toMs: Infinity }]);
  const link = new FakeLink((call) => {
    // the feed's check of the window ending 10:30 is the last call (and a run gone astray stops at 12:00)
    const end = Number(call.params.before_time) * 1000;
    if ((call.params.group_by === 'QOS' && end >= at('2026-11-24T10:30:00')) || end >= at('2026-11-24T12:00:00')) stop.abort('SIGTERM');
    return feed.answer(call.params);
  });
  const report = await runEngine(volumeDetector(), engineSettings(START, 3), { link, clock: new FakeClock(START), notices, output: { emit: async () => undefined }, episodes: new Episodes('fttcv', 'test', 120_000), signal: stop.signal });
  t.match(report, { windows: 7, lastEndMs: at('2026-11-24T10:14:00') });
  t.equal(
    lines[lines.length - 1],
    `fttcv: 13 windows ending ${time(at('2026-11-24T10:06:00'))} to ${time(at('2026-11-24T10:30:00'))} were not seen whole (8 without any session, skipped; 5 judged for HIGH values only), none learnt: the collector's feed was not back when the detector stopped`,
  );
});

/** Welford's moments of `xs`, undefined for none. */
const fold = (xs: readonly number[]): Moments | undefined => (xs.length === 0 ? undefined : xs.reduce(addObservation, NO_MOMENTS));

t.test('training skips what the collector did not see: the time before it was installed, and an outage', async (t) => {
  const settings = engineSettings(START, 3);
  const installed = at('2026-11-21T16:04:00');
  const gaps = [
    { fromMs: -Infinity, toMs: installed },
    { fromMs: at('2026-11-22T09:37:00'), toMs: at('2026-11-22T12:03:00') },
  ];
  const feed = new FakeFeed(gaps);
  const stop = new AbortController();
  const link = new FakeLink((call) => feed.answer(call.params));
  const { notices, lines } = collectNotices('fttcv');
  const parts = { link, clock: new FakeClock(START), notices, output: { emit: async () => undefined }, episodes: new Episodes('fttcv', 'test', 120_000), signal: stop.signal };
  const store = new BaselineStore({ slots: DAY.slots, capBytes: settings.capBytes });
  const baselines = new Baselines([{ spec: volumeDetector().ranking, store }], { slotClock: DAY, settings, parts, rule: RULE, subject: 'entity' });
  await runTrainedWindows(DAY, settings, parts, { feed: {}, train: (s) => baselines.train(s), check: async () => {
      // trained: nothing more to see
      stop.abort('SIGTERM');
      return { drafts: [], summary: '' };
    },
  });
  // by hand: every whole slot of the history up to 10:00 today, learnt only when all its minutes were stored
  const trainUntil = at('2026-11-24T10:00:00');
  let wrong = 0;
  for (const [h, key] of HOSTS.entries()) {
    const seen = new Map<number, number[]>();
    for (let slotStart = DAY.ceil(settings.history.fromMs, 600_000); slotStart < trainUntil; slotStart += 600_000) {
      const minutes = Array.from({ length: 10 }, (_, k) => slotStart + k * MINUTE);
      if (!minutes.every((m) => feed.stored(m))) continue;
      const slot = DAY.slotOf(slotStart);
      seen.set(slot, [...(seen.get(slot) ?? []), minutes.reduce((a, m) => a + perMinute(h + 1, m, Infinity), 0)]);
    }
    for (let slot = 0; slot < DAY.slots; slot++) if (!sameMoments(store.moments(key, slot), fold(seen.get(slot) ?? []))) wrong++;
  }
  t.equal(wrong, 0, 'every slot holds the observations of the days it was stored whole, and no zero');
  t.equal(store.moments('10.0.0.1', DAY.slotOf(at('2026-11-24T09:40:00')))!.n, 2, '09:40 of 11-23 and 11-24: on 11-21 it was before the installation, on 11-22 in the outage');
  t.equal(store.moments('10.0.0.1', DAY.slotOf(at('2026-11-24T16:10:00')))!.n, 3, '16:10 of 11-21 (installed at 16:04), 11-22 and 11-23');
  t.equal(store.moments('10.0.0.1', DAY.slotOf(at('2026-11-24T12:00:00')))!.n, 1, '12:00 of 11-23 only: of 11-21 it was before the installation, of 11-22 the outage\'s last minutes');
  t.ok(
    lines.includes(
      `fttcv: the collector stored nothing in parts of the history — from ${time(at('2026-11-21T10:10:00'))} to ${time(installed)}, from ${time(gaps[1]!.fromMs)} to ${time(gaps[1]!.toMs)}: the 52 slots they touch were not learnt (an outage, or the time before the collector was installed, is not silence)`,
    ),
    lines.filter((l) => l.startsWith('fttcv:')).join('\n'),
  );
});

t.test('fttcv from its command line, its server down for 40 minutes (and so the feed): quiet retries, no alert, the gap neither judged LOW nor learnt', async (t) => {
  const down = { fromMs: at('2026-11-24T10:30:00'), toMs: at('2026-11-24T11:10:00') };
  const feed = new FakeFeed([down]);
  const clock = new FakeClock(START);
  const signals = new EventEmitter();
  const server = new FakeFtserver({
    busy: 0,
    refuse: false,
    down: () => clock.now() >= down.fromMs && clock.now() < down.toMs,
    stat: (p) => {
      if (p.group_by === 'IP' && p.slices === undefined && Number(p.before_time) * 1000 >= at('2026-11-24T11:40:00')) setImmediate(() => signals.emit('SIGTERM'));
      return feed.answer(p);
    },
  });
  await server.start();
  t.teardown(() => server.stop());
  const argv = ['-s', '127.0.0.1', '-p', String(server.port), '-un', 'admin', '-up', 'secret', '-tn', '3d', '-snd', '-j', '-v', '-nr'];
  const { code, stdout, stderr } = await runCommand(fttcv, argv, {}, { clock, signals });
  t.equal(code, 0, stderr);
  t.equal(stdout, '', 'no alert');
  const lines = stderr.split('\n');
  const failures = lines.filter((l) => / failed: | still fails /.test(l));
  t.match(failures[0], /^fttcv: checking the window 11\/24\/2026 10:20:00 to 11\/24\/2026 10:30:00 failed: the connection to 127\.0\.0\.1:\d+ broke: .*; retrying in 1 s$/);
  t.match(failures.slice(1, 4), [/retrying in 2 s$/, /retrying in 4 s$/, /retrying in 8 s$/]);
  t.match(failures.slice(4), [
    /^fttcv: checking the window 11\/24\/2026 10:20:00 to 11\/24\/2026 10:30:00 still fails after 1 min: .*; retrying every 15 s$/,
    /still fails after 2 min: /,
    /still fails after 4 min: /,
    /still fails after 8 min: /,
    /still fails after 16 min: /,
    /still fails after 32 min: /,
  ]);
  t.equal(failures.length, 10, '10 lines for 159 failed attempts');
  t.ok(lines.some((l) => /^fttcv: the server answers again \(after 2\d\d\d s\); checking the window 11\/24\/2026 10:20:00 to 11\/24\/2026 10:30:00 done$/.test(l)));
  t.ok(lines.includes(`fttcv: window ${time(at('2026-11-24T10:20:00'))} to ${time(at('2026-11-24T10:30:00'))}: 5 entities, 1000 sessions, 0 alerts; learnt slot 10:20; tracking 5`), 'the window due while the server was away is checked late');
  t.ok(lines.some((l) => l.startsWith(`fttcv: the collector stored nothing from ${time(down.fromMs)} (2 min without a session in the window ending ${time(at('2026-11-24T10:32:00'))})`)));
  t.ok(
    lines.includes(
      `fttcv: the collector's feed is back: 24 windows ending ${time(at('2026-11-24T10:32:00'))} to ${time(at('2026-11-24T11:18:00'))} were not seen whole (16 without any session, skipped; 8 judged for HIGH values only), none learnt; the window ending ${time(at('2026-11-24T11:20:00'))} is judged and learnt in full`,
    ),
  );
  t.match(lines.filter((l) => l.startsWith('fttcv: stopped')), [/after 34 windows and 0 alerts; the last window checked ended 11\/24\/2026 11:40:00$/]);
});

t.test('the rule: a window without any session, or with minutes without one in a busy feed, is not seen whole', async (t) => {
  const busy = [120, 130, 110, 0, 0, 125, 118, 122, 119, 121];
  t.match(feedVerdict(busy, 0), { coverage: 'cut', dark: [3, 4] }, 'a busy feed does not fall silent for two minutes by chance');
  t.match(feedVerdict(Array(10).fill(0), 0), { coverage: 'none', level: 0 });
  t.match(feedVerdict(Array(10).fill(0), 500), { coverage: 'none' });
  t.match(feedVerdict([3, 0, 5, 2, 0, 0, 4, 1, 2, 6], 0), { coverage: 'whole', dark: [1, 4, 5] }, 'a quiet network has quiet minutes: they are judged');
  t.match(feedVerdict([3, 0, 5, 2, 0, 0, 4, 1, 2, 6], 400), { coverage: 'cut' }, 'after a busy window, they are a feed coming back');
  t.match(feedVerdict([29, 29, 29, 29, 29, 29, 29, 29, 29, 0], 0), { coverage: 'whole' }, 'below 30 a part, a minute without a session may be chance');
  t.match(feedVerdict([30, 30, 30, 30, 30, 30, 30, 30, 30, 0], 0), { coverage: 'cut' });
  t.same(feedVerdict([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0), { coverage: 'whole', dark: [], level: 55 });
  t.equal(FEED_PARTS, 10);
});

t.test('the feed check: one ranking by QOS, the exporter and interface kept, the filter not; answers it cannot read are refused', async (t) => {
  const hour = new SlotClock(GRANULARITIES.WEEK);
  const window = { startMs: at('2026-11-24T09:00:00'), endMs: at('2026-11-24T10:00:00') };
  let answer: unknown = statAnswer(['QOS'], [{ cells: [0], value: 900, slices: [100, 100, 0, 0, 100, 100, 100, 100, 100, 100] }], { fromS: 0, toS: 3600, slices: 10 });
  const link = new FakeLink(() => answer);
  const watch = new FeedWatch(link, { query: 'SRVPORT=443', exporter: '192.0.2.1', ifindex: '3' });
  const verdict = await watch.window(window, 'checking');
  t.match(verdict, { coverage: 'cut', dark: [2, 3] });
  t.same(link.calls[0]!.params, {
    group_by: 'QOS',
    count_by: 'SESSIONS',
    after_time: String(window.startMs / 1000),
    before_time: String(window.endMs / 1000),
    rows: '1',
    slices: '10',
    query: FEED_FILTER,
    exporter: '192.0.2.1',
    ifindex: '3',
  });
  t.equal(FEED_FILTER, 'TTIME<=60');
  // the rest of the QOS values are in the series' other: they count too
  answer = { ...(statAnswer(['QOS'], [{ cells: [0], value: 50, slices: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5] }], { fromS: 0, toS: 3600, slices: 10 }) as object), series: { bounds: Array.from({ length: 11 }, (_, k) => k * 360), other: [40, 40, 40, 40, 40, 40, 40, 40, 40, 0] } };
  t.match(await watch.window(window, 'checking'), { coverage: 'whole', dark: [], level: 41 });
  t.equal(FeedGap.missing(windowEnding(hour, window.endMs), verdict), '12 min without a session', 'a WEEK window in parts of 6 minutes');
  for (const [bad, why] of [
    [{ columns: [], data: [] }, /it has no rank column/],
    [statAnswer(['QOS'], [], { fromS: 0, toS: 3600 }), /it has no slices where 10 were asked for/],
    [statAnswer(['QOS'], [{ cells: [0], value: 1, slices: [1, 1] }], { fromS: 0, toS: 3600, slices: 2 }), /it has 2 slices where 10 were asked for/],
    [statAnswer(['QOS'], [{ cells: [0], value: 1, slices: [1, 1, 1, 1, 1, 'x', 1, 1, 1, 1] as unknown as number[] }], { fromS: 0, toS: 3600, slices: 10 }), /a slice holds something other than a count of sessions/],
  ] as const) {
    answer = bad;
    await t.rejects(watch.window(window, 'checking'), { code: 'BAD_ANSWER', message: why });
  }
});

t.test('what training says of the gaps it found: named up to three, counted beyond', async (t) => {
  const dark = (minutes: readonly number[]): number[] => Array.from({ length: 10 }, (_, k) => (minutes.includes(k) ? 0 : 100));
  const from = at('2026-11-20T00:00:00');
  // six slots: a cut one, a whole one, a cut one, two without any session, and a whole one
  const counts = [dark([2]), dark([]), dark([0, 1, 5, 9]), dark([...Array(10).keys()]), dark([...Array(10).keys()]), dark([])].flat();
  const link = new FakeLink(() => statAnswer(['QOS'], [{ cells: [0], value: 1, slices: counts }], { fromS: from / 1000, toS: from / 1000 + 3600, slices: 60 }));
  const gaps = new HistoryGaps(new FeedWatch(link, {}));
  t.same(await gaps.gapsIn(from, from + 3_600_000, 6, 'training query 1 of 1'), [true, false, true, true, true, false]);
  t.equal(gaps.slots, 4);
  t.ok(gaps.has(from + 1_200_000) && !gaps.has(from + 600_000));
  const t0 = (min: number): string => time(from + min * MINUTE);
  t.equal(
    gaps.notice(),
    `the collector stored nothing in parts of the history — from ${t0(2)} to ${t0(3)}, from ${t0(20)} to ${t0(22)}, from ${t0(25)} to ${t0(26)} and 1 more stretch: the 4 slots they touch were not learnt (an outage, or the time before the collector was installed, is not silence)`,
  );
  t.equal(new HistoryGaps(new FeedWatch(link, {})).notice(), null, 'nothing found, nothing said');
});
