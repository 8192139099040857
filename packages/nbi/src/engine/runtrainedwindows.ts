// The life of a detector with a history (ftdos, fttcv, ftscan, ftbfg): learn the history up to the
// live windows, then the shared window schedule with slot-long windows on every step of the local clock,
// each window's feed checked first so that one the collector did not see whole is not learnt nor judged LOW.

import type { Seen } from './feedcoverage.js';
import { FeedWatch } from './feedwatch.js';
import type { EngineParts, EngineReport, EngineSettings } from './runengine.js';
import type { SlotClock } from './slotclock.js';
import { Stopped, stopReason } from './stopped.js';
import { slotCadence } from './windowcadence.js';
import { runWindows, type WindowOutcome } from './windowloop.js';
import { liveStart, type EvalWindow, type LiveStart } from './windowplan.js';

/** What a detector with a history does in its own way. */
export interface TrainedWindowSteps {
  /**
   * The detector's selection (query=, exporter=, ifindex=), through which the collector's feed is
   * watched: what its exporter and interface (-e, -ei) sent. null: every window is checked as it is —
   * for a detector that nothing missing can mislead (ftbfg: a window without data alerts nothing and
   * teaches a fingerprint nothing).
   */
  readonly feed: Readonly<Record<string, string>> | null;
  /** Learns the history before the live windows (`start`); resolves with the entities it tracks. */
  train(start: LiveStart): Promise<number>;
  /**
   * Checks one live window, and learns from it when the collector saw it whole; a `cut` window is judged
   * for HIGH values only and not learnt, and one without any session is not checked at all.
   */
  check(window: Seen<EvalWindow>): Promise<WindowOutcome>;
}

/** Trains, then checks windows until `parts.signal` aborts; throws only what cannot be retried. */
export async function runTrainedWindows(slotClock: SlotClock, settings: EngineSettings, parts: EngineParts, steps: TrainedWindowSteps): Promise<EngineReport> {
  const start = liveStart(slotClock, parts.clock.now(), settings.settleMs);
  let trainedEntities: number;
  try {
    trainedEntities = await steps.train(start);
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
    return { trainedEntities: 0, windows: 0, alerts: 0, lastEndMs: null, stopReason: stopReason(parts.signal) };
  }
  const cadence = slotCadence(slotClock, settings.settleMs);
  const options = { firstEndMs: start.firstEndMs, severity: settings.severity, verbose: settings.verbose };
  const feed = steps.feed === null ? {} : { feed: new FeedWatch(parts.link, steps.feed) };
  const loop = await runWindows(cadence, { ...options, ...feed }, parts, (window) => steps.check(window));
  return { trainedEntities, ...loop };
}
