// The life of a detector of one ranking (ftdos, fttcv) after its parameters are read: its baseline
// trained on the history, then every window checked against it, its alerts reported, its slot learnt.

import type { AlertOutput } from '../output/alertoutput.js';
import type { Episodes } from '../output/episodes.js';
import type { ApiLink } from './apilink.js';
import { BaselineStore } from './baselinestore.js';
import { Baselines } from './baselines.js';
import type { Clock } from './clock.js';
import type { Detector } from './detector.js';
import type { Granularity } from './granularity.js';
import type { Notices } from './notices.js';
import { runTrainedWindows } from './runtrainedwindows.js';
import { SlotClock } from './slotclock.js';
import type { WindowLoopReport } from './windowloop.js';
import { plural } from '../output/plural.js';

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

export interface EngineReport extends WindowLoopReport {
  /** Entities tracked once the history was learnt (0 when the detector was stopped before). */
  readonly trainedEntities: number;
}

/** Trains, then checks windows until `parts.signal` aborts; throws only what cannot be retried. */
export async function runEngine(detector: Detector, settings: EngineSettings, parts: EngineParts): Promise<EngineReport> {
  const { link, notices, signal } = parts;
  const slotClock = new SlotClock(settings.granularity, settings.byDayOfWeek);
  const store = new BaselineStore({
    slots: slotClock.slots,
    capBytes: settings.capBytes,
    onFirstEviction: (n) =>
      notices.say(
        `the baselines reached -bm ${Math.round(n.capBytes / 2 ** 20)} MB with ${n.entities} entities: the ${n.evicted} least recently seen were forgotten, and more will be as needed (raise -bm to keep more)`,
      ),
  });
  const baselines = new Baselines([{ spec: detector.ranking, store }], { slotClock, settings, parts, rule: detector.rule, subject: 'entity' });
  const ctx = { link, signal, notices };
  return runTrainedWindows(slotClock, settings, parts, {
    feed: detector.ranking.selection,
    train: (start) => baselines.train(start),
    check: async (window) => {
      const checks = await baselines.check(window);
      const check = checks[0]!;
      const drafts = await detector.alerts(check, ctx);
      const learnt = baselines.learn(window, checks);
      const { ranking } = check;
      return {
        drafts,
        summary: `${plural(ranking.rows.filter((r) => r.value > 0).length, 'entity', 'entities')}, ${plural(ranking.sessions, 'session', 'sessions')}, ${plural(drafts.length, 'alert', 'alerts')}${learnt}; tracking ${store.entities}`,
      };
    },
  });
}
