// The life of a detector without baselines (ftth, ftbl): no training, a line on stderr saying what is
// checked from which window, then the shared window schedule with windows of the detector's own length.

import type { EngineParts } from './runengine.js';
import type { FixedWindowDetector } from './fixedwindowdetector.js';
import { fixedCadence } from './windowcadence.js';
import { runWindows, type WindowLoopReport } from './windowloop.js';
import { plural } from '../output/plural.js';

export interface FixedWindowRunSettings {
  /** Syslog severity (0–7) of the alerts (-ll). */
  readonly severity: number;
  /** -v: a line on stderr for every window checked. */
  readonly verbose: boolean;
}

/** Checks windows until `parts.signal` aborts; throws only what cannot be retried. */
export async function runFixedWindows(detector: FixedWindowDetector, settings: FixedWindowRunSettings, parts: EngineParts): Promise<WindowLoopReport> {
  const { link, clock, notices, signal } = parts;
  const cadence = fixedCadence(detector.schedule);
  // the first window is the latest that has closed and settled now
  const firstEndMs = cadence.floor(clock.now() - cadence.settleMs);
  notices.say(detector.startNotice(firstEndMs));
  const ctx = { link, signal, notices };
  return runWindows(cadence, { firstEndMs, severity: settings.severity, verbose: settings.verbose }, parts, async (window) => {
    const outcome = await detector.check(window, ctx);
    return { drafts: outcome.drafts, summary: `${outcome.summary}, ${plural(outcome.drafts.length, 'alert', 'alerts')}` };
  });
}
