// The one window schedule and the one training path every detector goes through: what stderr says
// when a history or a window holds more than -bm lets it read (one baseline or ftscan's two), when the
// history is empty, how training queries are named for the link's retry messages, and a stop while training.
process.env.TZ = 'America/New_York';

import type { Readable } from 'node:stream';
import t from 'tap';
import type { HttpMethod, RequestOptions } from '@opentraq/cli';
import { ENTITY_BY_NAME } from '@opentraq/core';
import type { ApiLink } from '../src/engine/apilink.js';
import type { EngineParts, EngineReport, EngineSettings } from '../src/engine/runengine.js';
import { runEngine } from '../src/engine/runengine.js';
import { Stopped } from '../src/engine/stopped.js';
import { runWindows } from '../src/engine/windowloop.js';
import { FingerprintDetector } from '../src/ftbfg/fingerprintdetector.js';
import { ScanDetector } from '../src/ftscan/scandetector.js';
import { VolumeDetector } from '../src/fttcv/volumedetector.js';
import { Episodes, type RaisedAlert } from '../src/output/episodes.js';
import { formatWindowTime } from '../src/output/windowtime.js';
import { FakeClock, FakeLink, collectNotices, engineSettings, statAnswer, type Call } from './fakes.js';

const at = (local: string): number => Date.parse(`${local}-05:00`);
const START = at('2026-11-24T10:03:30');
/** The first window checked at START (settle 60 s): 09:52–10:02. */
const FIRST_END = at('2026-11-24T10:02:00');
const RULE = { deviations: 3, threshold: 100, low: false };
const IP = ENTITY_BY_NAME.get('IP')!;

/** A link that also keeps the `what` of every call: the words the link's retry messages use. */
class NamingLink implements ApiLink {
  readonly whats: string[] = [];
  constructor(private readonly inner: FakeLink) {}
  get calls(): readonly Call[] {
    return this.inner.calls;
  }
  json<T>(method: HttpMethod, path: string, opts: RequestOptions, what: string, signal?: AbortSignal): Promise<T> {
    this.whats.push(what);
    return this.inner.json<T>(method, path, opts, what, signal);
  }
  read<T>(path: string, opts: RequestOptions, what: string, read: (body: Readable) => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.whats.push(what);
    return this.inner.read(path, opts, what, read, signal);
  }
}

/**
 * Rankings of five addresses 10.0.0.1–5 (10.0.0.h has 10·h in every slot), cut at the rows asked as
 * ftserver cuts them; `onCall` sees each call before it is answered.
 */
function fiveHosts(onCall: (call: Call) => void = () => undefined): NamingLink {
  return new NamingLink(
    new FakeLink((call) => {
      onCall(call);
      const n = call.params.slices === undefined ? 0 : Number(call.params.slices);
      const rows = [5, 4, 3, 2, 1].map((h) => ({ cells: [`10.0.0.${h}`], value: 10 * h * Math.max(1, n), counts: [0, 0, 0, 0, h, 0], ...(n > 0 && { slices: Array.from({ length: n }, () => 10 * h) }) }));
      return statAnswer(['IP'], rows.slice(0, Number(call.params.rows)), { fromS: Number(call.params.after_time), toS: Number(call.params.before_time), slices: n, entities: 5, sessions: 77 });
    }),
  );
}

interface Run {
  readonly report: EngineReport;
  readonly lines: string[];
  readonly alerts: RaisedAlert[];
}

/** Runs `detector` from START until `windows` windows have been asked for (by `isWindow`), then SIGTERM. */
async function runUntil(
  tool: 'fttcv' | 'ftscan' | 'ftbfg',
  run: (settings: EngineSettings, parts: EngineParts) => Promise<EngineReport>,
  settings: EngineSettings,
  link: ApiLink,
  stop: AbortController,
): Promise<Run> {
  const { notices, lines } = collectNotices(tool);
  const alerts: RaisedAlert[] = [];
  const report = await run(settings, {
    link,
    clock: new FakeClock(START),
    notices,
    output: { emit: async (a) => void alerts.push(a) },
    episodes: new Episodes(tool, 'test', settings.granularity.stepMs),
    signal: stop.signal,
  });
  return { report, lines, alerts };
}

/** Aborts `stop` once the `n`th window query (one without slices, of `unique`) is asked. */
function stopAtWindow(stop: AbortController, n: number, unique?: string): (call: Call) => void {
  let windows = 0;
  return (call) => {
    if (call.params.slices === undefined && (unique === undefined || call.params.unique === unique) && ++windows === n) stop.abort('SIGTERM');
  };
}

t.test('one baseline: a history and a window larger than the rows asked are said once each, in the engine\'s words', async (t) => {
  const stop = new AbortController();
  // the second window's answer is in when the stop comes: it is finished, and nothing more is asked
  const link = fiveHosts(stopAtWindow(stop, 2));
  const detector = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, { ...RULE, low: true });
  const settings = { ...engineSettings(START, 2), rows: 3 };
  const { report, lines } = await runUntil('fttcv', (s, p) => runEngine(detector, s, p), settings, link, stop);
  t.match(report, { windows: 2, lastEndMs: FIRST_END + 120_000, stopReason: 'SIGTERM', trainedEntities: 3 });
  t.same(lines.slice(0, 2), ['Learning...', 'Estimated iterations: 2']);
  t.same(
    lines.filter((l) => l.startsWith('fttcv: the ')),
    [
      'fttcv: the history holds 5 entities in one training query; only the 3 largest are learnt per query (raise -bm to track more)',
      // two days of history: each slot seen twice at most (docs/nbi.md, The rule)
      'fttcv: the history gives each slot at most 2 observations: a deviation estimated from so few is uncertain, and is widened 96.27 times at -bk 3, by the mean at most (the t prediction bound, docs/nbi.md: The rule), so only changes far beyond the usual are reported and few LOW ones (learn -tn 6d or more for 2.42 at most)',
      `fttcv: the window ending ${formatWindowTime(FIRST_END)} holds 5 entities; only the 3 largest are checked and learnt, and silence is not judged (raise -bm to track more)`,
    ],
  );
  const first = `checking the window ${formatWindowTime(FIRST_END - 600_000)} to ${formatWindowTime(FIRST_END)}`;
  t.same(
    link.whats.slice(0, 6),
    ["training query 1 of 2 (the collector's feed)", 'training query 1 of 2', "training query 2 of 2 (the collector's feed)", 'training query 2 of 2', first, first],
    'each query and window with the check of the collector\'s feed first, in the same words',
  );
  t.same(lines.filter((l) => l.startsWith('fttcv: window ')), [
    `fttcv: window ${formatWindowTime(FIRST_END - 600_000)} to ${formatWindowTime(FIRST_END)}: 3 entities, 77 sessions, 0 alerts; tracking 3`,
    `fttcv: window ${formatWindowTime(FIRST_END - 480_000)} to ${formatWindowTime(FIRST_END + 120_000)}: 3 entities, 77 sessions, 0 alerts; tracking 3`,
  ]);
});

t.test('ftscan\'s two baselines: each named in its training queries and in what is said of it, once each', async (t) => {
  const stop = new AbortController();
  // stopped while the third window is asked: its second ranking is never asked, the window is abandoned
  const link = fiveHosts(stopAtWindow(stop, 3, 'IP'));
  const detector = new ScanDetector({}, RULE, { granularity: { name: 'DAY' }, byDayOfWeek: false });
  const settings = { ...engineSettings(START, 2), rows: 3 };
  const { report, lines } = await runUntil('ftscan', (s, p) => detector.run(s, p), settings, link, stop);
  t.match(report, { windows: 2, stopReason: 'SIGTERM', trainedEntities: 3 });
  t.same(
    lines.filter((l) => l.startsWith('ftscan: the ')),
    [
      'ftscan: the history holds 5 addresses in one training query of unique hosts; only the 3 largest are learnt per query (raise -bm to track more)',
      'ftscan: the history holds 5 addresses in one training query of unique services; only the 3 largest are learnt per query (raise -bm to track more)',
      'ftscan: the history gives each slot at most 2 observations: a deviation estimated from so few is uncertain, and is widened 96.27 times at -bk 3, by the mean at most (the t prediction bound, docs/nbi.md: The rule), so only changes far beyond the usual are reported and few LOW ones (learn -tn 6d or more for 2.42 at most)',
      `ftscan: the window ending ${formatWindowTime(FIRST_END)} holds 5 addresses; only the 3 with the most unique hosts are checked and learnt (raise -bm to track more)`,
      `ftscan: the window ending ${formatWindowTime(FIRST_END)} holds 5 addresses; only the 3 with the most unique services are checked and learnt (raise -bm to track more)`,
    ],
  );
  t.same(link.whats.slice(0, 6), [
    "training query 1 of 2 (the collector's feed)",
    'training query 1 of 2 (unique hosts)',
    'training query 1 of 2 (unique services)',
    "training query 2 of 2 (the collector's feed)",
    'training query 2 of 2 (unique hosts)',
    'training query 2 of 2 (unique services)',
  ]);
  t.same(
    lines.filter((l) => l.startsWith('Progress: ')),
    ['Progress: 50.000%  77 records', 'Progress: 100.000%  154 records'],
    'the history\'s sessions counted once, not once per baseline',
  );
});

t.test('an empty history: nothing learnt, and stderr says what that means for each kind of detector', async (t) => {
  const noHistory = (settings: EngineSettings): EngineSettings => ({ ...settings, history: { fromMs: START, toMs: START } });
  const volume = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, RULE);
  const scan = new ScanDetector({}, RULE, { granularity: { name: 'DAY' }, byDayOfWeek: false });
  const fingerprint = new FingerprintDetector({}, 1, { granularity: { name: 'DAY' } });
  const sessions = (stop: AbortController): NamingLink =>
    new NamingLink(
      new FakeLink(() => {
        stop.abort('SIGTERM');
        return { columns: [], data: [], summary: { sessions: 0 } };
      }),
    );
  for (const [tool, run, link, said] of [
    ['fttcv', (s: EngineSettings, p: EngineParts) => runEngine(volume, s, p), fiveHosts, 'fttcv: the history holds no whole 10-minute slot before the first window: every entity starts without a baseline'],
    ['ftscan', (s: EngineSettings, p: EngineParts) => scan.run(s, p), fiveHosts, 'ftscan: the history holds no whole 10-minute slot before the first window: every source starts without a baseline'],
    ['ftbfg', (s: EngineSettings, p: EngineParts) => fingerprint.run(s, p), null, 'ftbfg: the history before the first window is empty: every two-way connection of the first window is new'],
  ] as const) {
    const stop = new AbortController();
    const { report, lines } = await runUntil(tool, run, noHistory(engineSettings(START)), link === null ? sessions(stop) : link(stopAtWindow(stop, 1)), stop);
    const tracking = tool === 'ftbfg' ? 'Training complete, tracking 0 client–service pairs...' : 'Training complete, tracking 0 entities...';
    t.same(lines.slice(0, 4), ['Learning...', 'Estimated iterations: 0', tracking, said], tool);
    t.match(report, { stopReason: 'SIGTERM', trainedEntities: 0 }, `${tool}: stopped in its first window`);
  }
});

t.test('a stop while training: no window is checked, and the report says so', async (t) => {
  const stop = new AbortController();
  let training = 0;
  const link = fiveHosts((call) => {
    if (call.params.slices !== undefined && ++training === 2) stop.abort('SIGINT');
  });
  const detector = new VolumeDetector({ entity: IP, count: 'BYTES', unique: undefined, direction: 'snd' }, {}, RULE);
  const { report, lines } = await runUntil('fttcv', (s, p) => runEngine(detector, s, p), engineSettings(START, 3), link, stop);
  t.same(report, { trainedEntities: 0, windows: 0, alerts: 0, lastEndMs: null, stopReason: 'SIGINT' });
  t.ok(link.calls.every((c) => c.params.slices !== undefined), 'only training queries were asked');
  t.notOk(lines.some((l) => l.startsWith('Training complete')));
});

t.test('the window loop with a cadence of its own: in order, late after a slow check, a backlog given up, stopped mid-check', async (t) => {
  const clock = new FakeClock(10_000_000);
  const stop = new AbortController();
  const { notices, lines } = collectNotices('ftth');
  const alerts: RaisedAlert[] = [];
  const checked: number[] = [];
  const cadence = {
    stepMs: 60_000,
    settleMs: 5_000,
    maxBacklogMs: 7_200_000,
    floor: (ms: number) => ms - (ms % 60_000),
    ending: (endMs: number) => ({ startMs: endMs - 60_000, endMs }),
  };
  const report = await runWindows(
    cadence,
    { firstEndMs: 9_960_000, severity: 5, verbose: true },
    { link: new FakeLink(() => undefined), clock, notices, output: { emit: async (a) => void alerts.push(a) }, episodes: new Episodes('ftth', 'test', 60_000), signal: stop.signal },
    async (window) => {
      checked.push(window.endMs);
      // the second check takes three hours: all but the last two hours of windows are given up
      if (checked.length === 2) clock.t += 3 * 3_600_000;
      if (checked.length === 4) {
        stop.abort('SIGTERM');
        throw new Stopped('SIGTERM');
      }
      return { drafts: [], summary: `check ${checked.length}` };
    },
  );
  const resume = 10_020_000 + 3 * 3_600_000 - 7_200_000;
  t.same(checked, [9_960_000, 10_020_000, resume, resume + 60_000]);
  t.same(report, { windows: 3, alerts: 0, lastEndMs: resume, stopReason: 'SIGTERM' }, 'the window stopped mid-check is not counted');
  t.same(lines, [
    `ftth: window ${formatWindowTime(9_900_000)} to ${formatWindowTime(9_960_000)}: check 1`,
    `ftth: window ${formatWindowTime(9_960_000)} to ${formatWindowTime(10_020_000)}: check 2`,
    `ftth: skipped 59 windows ending ${formatWindowTime(10_080_000)} to ${formatWindowTime(resume - 60_000)}: the detector fell more than 2 hours behind; checking resumes with the window ending ${formatWindowTime(resume)}`,
    `ftth: window ${formatWindowTime(resume - 60_000)} to ${formatWindowTime(resume)}: check 3`,
  ]);
});
