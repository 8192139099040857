// The life of a detector after its parameters are read: train on the history, then check every
// window as it closes and settles, report its alerts, learn its slot — catching up in order after a
// lost server, logging any window it has to give up, and stopping cleanly when asked.

import type { AlertOutput } from '../output/alertoutput.js';
import type { Episodes } from '../output/episodes.js';
import { formatWindowTime } from '../output/windowtime.js';
import type { ApiLink } from './apilink.js';
import { BaselineStore } from './baselinestore.js';
import { checkWindow } from './checkwindow.js';
import type { Clock } from './clock.js';
import type { Detector } from './detector.js';
import type { Granularity } from './granularity.js';
import type { Notices } from './notices.js';
import { SlotClock } from './slotclock.js';
import { Stopped } from './stopped.js';
import { train } from './training.js';
import { liveStart, windowEnding } from './windowplan.js';

export interface EngineSettings {
  readonly granularity: Granularity;
  /** -bdow */
  readonly byDayOfWeek: boolean;
  /** -bd, ms. */
  readonly settleMs: number;
  /** -bm, bytes. */
  readonly capBytes: number;
  /** Rows asked per ranking: the most entities one query can report or teach. */
  readonly rows: number;
  /** Slots per training query. */
  readonly maxTrainingSlices: number;
  /** The history to learn from (-tn, -te/-tl); cut where the live windows take over. */
  readonly history: { readonly fromMs: number; readonly toMs: number };
  /** Syslog severity (0–7) of the alerts (-ll). */
  readonly severity: number;
  /** -v: a line on stderr for every window checked. */
  readonly verbose: boolean;
}

export interface EngineParts {
  readonly link: ApiLink;
  readonly clock: Clock;
  readonly notices: Notices;
  readonly output: Pick<AlertOutput, 'emit'>;
  readonly episodes: Episodes;
  /** Aborted to stop: the engine finishes nothing more and resolves. */
  readonly signal: AbortSignal;
}

export interface EngineReport {
  readonly trainedEntities: number;
  readonly windows: number;
  readonly alerts: number;
  /** End of the last window checked, or null. */
  readonly lastEndMs: number | null;
  readonly stopReason: string;
}

/** Trains, then checks windows until `parts.signal` aborts; throws only what cannot be retried. */
export async function runEngine(detector: Detector, settings: EngineSettings, parts: EngineParts): Promise<EngineReport> {
  const { link, clock, notices, output, episodes, signal } = parts;
  const slotClock = new SlotClock(settings.granularity, settings.byDayOfWeek);
  const store = new BaselineStore({
    slots: slotClock.slots,
    capBytes: settings.capBytes,
    onFirstEviction: (n) =>
      notices.say(
        `the baselines reached -bm ${Math.round(n.capBytes / 2 ** 20)} MB with ${n.entities} entities: the ${n.evicted} least recently seen were forgotten, and more will be as needed (raise -bm to keep more)`,
      ),
  });
  const { stepMs, slotMs } = settings.granularity;
  const start = liveStart(slotClock, clock.now(), settings.settleMs);
  let windows = 0;
  let alerts = 0;
  let lastEndMs: number | null = null;
  const report = (trainedEntities: number): EngineReport => ({ trainedEntities, windows, alerts, lastEndMs, stopReason: String(signal.reason ?? 'asked to stop') });

  let trainedEntities = 0;
  try {
    const toMs = Math.min(settings.history.toMs, start.trainUntilMs);
    const trained = await train(link, {
      spec: detector.ranking,
      clock: slotClock,
      store,
      fromMs: settings.history.fromMs,
      toMs,
      rows: settings.rows,
      maxSlices: settings.maxTrainingSlices,
      notices,
      signal,
    });
    trainedEntities = trained.entities;
    if (settings.history.fromMs >= toMs || trained.queries === 0) {
      notices.say(`the history holds no whole ${Math.round(slotMs / 60000)}-minute slot before the first window: every entity starts without a baseline`);
    }

    // windows up to this end have had their slot learnt (by training, or live)
    let learntUntil = start.trainUntilMs;
    let cutSaid = false;
    let nextEnd = start.firstEndMs;
    const maxBacklogMs = slotMs * settings.granularity.slotsPerPeriod;
    while (!signal.aborted) {
      const due = nextEnd + settings.settleMs;
      const now = clock.now();
      if (now < due) {
        await clock.sleep(due - now, signal);
        continue;
      }
      const newest = slotClock.floor(now - settings.settleMs, stepMs);
      if (newest - nextEnd > maxBacklogMs) {
        const resume = newest - maxBacklogMs;
        const skipped = Math.round((resume - nextEnd) / stepMs);
        notices.say(
          `skipped ${skipped} windows ending ${formatWindowTime(nextEnd)} to ${formatWindowTime(resume - stepMs)}: the detector fell more than ${Math.round(maxBacklogMs / 3_600_000)} hours behind; checking resumes with the window ending ${formatWindowTime(resume)}`,
        );
        nextEnd = resume;
      }
      const window = windowEnding(slotClock, nextEnd);
      const check = await checkWindow(detector, store, link, window, settings.rows, signal);
      if (!check.ranking.complete && !cutSaid) {
        cutSaid = true;
        notices.say(
          `the window ending ${formatWindowTime(window.endMs)} holds ${check.ranking.entities} entities; only the ${settings.rows} largest are checked and learnt, and silence is not judged (raise -bm to track more)`,
        );
      }
      const drafts = await detector.alerts(check, { link, signal, notices });
      const raisedUs = clock.nowUs();
      for (const draft of drafts) {
        await output.emit(episodes.raise(draft, window.startMs, window.endMs, raisedUs, settings.severity));
      }
      episodes.windowDone(window.endMs);
      let learnt = '';
      if (window.learnSlot !== null && window.endMs > learntUntil) {
        const values = new Map(check.ranking.rows.map((r) => [r.key, r.value]));
        store.learn(window.learnSlot, values, window.endMs, check.ranking.complete);
        learntUntil = window.endMs;
        learnt = `; learnt slot ${slotClock.describeSlot(window.learnSlot)}`;
      }
      windows++;
      alerts += drafts.length;
      lastEndMs = window.endMs;
      if (settings.verbose) {
        notices.say(
          `window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: ${check.ranking.rows.filter((r) => r.value > 0).length} entities, ${check.ranking.sessions} sessions, ${drafts.length} alerts${learnt}; tracking ${store.entities}`,
        );
      }
      nextEnd += stepMs;
    }
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
  return report(trainedEntities);
}
