// The live half of a detector that runs itself (a DetectorRunner): every window checked once and in
// order as soon as it has closed and settled, its alerts sent out, a backlog of more than a period given up and logged.

import type { AlertDraft } from '../output/alertdraft.js';
import { formatWindowTime } from '../output/windowtime.js';
import type { EngineParts } from './runengine.js';
import type { SlotClock } from './slotclock.js';
import { Stopped } from './stopped.js';
import { windowEnding, type EvalWindow } from './windowplan.js';

/** What checking one window gave. */
export interface WindowOutcome {
  /** Its alerts, in the order they print. */
  readonly drafts: readonly AlertDraft[];
  /** For -v: what the window held and what was learnt (`24 sources, 3421 sessions; learnt slot 16:20`). */
  readonly summary: string;
}

export interface WindowLoopOptions {
  readonly slotClock: SlotClock;
  /** -bd, ms. */
  readonly settleMs: number;
  /** The end of the first window to check (liveStart's firstEndMs). */
  readonly firstEndMs: number;
  /** Syslog severity (0–7) of the alerts. */
  readonly severity: number;
  /** -v: a line on stderr for every window checked. */
  readonly verbose: boolean;
}

export interface WindowLoopReport {
  readonly windows: number;
  readonly alerts: number;
  /** End of the last window checked, or null. */
  readonly lastEndMs: number | null;
}

/**
 * Checks windows with `check` until `parts.signal` aborts (or `check` throws Stopped), and resolves
 * with how far it got. A window is checked once it has closed and `settleMs` have passed; windows
 * that became due meanwhile (a slow or lost server) are checked late, in order; a backlog of more
 * than a period (a day in DAY mode, a week in WEEK) is given up with a line on stderr.
 */
export async function runWindows(opts: WindowLoopOptions, parts: EngineParts, check: (window: EvalWindow) => Promise<WindowOutcome>): Promise<WindowLoopReport> {
  const { clock, notices, output, episodes, signal } = parts;
  const { slotClock, settleMs } = opts;
  const { stepMs, slotMs, slotsPerPeriod } = slotClock.granularity;
  const maxBacklogMs = slotMs * slotsPerPeriod;
  let windows = 0;
  let alerts = 0;
  let lastEndMs: number | null = null;
  let nextEnd = opts.firstEndMs;
  try {
    while (!signal.aborted) {
      const due = nextEnd + settleMs;
      const now = clock.now();
      if (now < due) {
        await clock.sleep(due - now, signal);
        continue;
      }
      const newest = slotClock.floor(now - settleMs, stepMs);
      if (newest - nextEnd > maxBacklogMs) {
        const resume = newest - maxBacklogMs;
        const skipped = Math.round((resume - nextEnd) / stepMs);
        notices.say(
          `skipped ${skipped} windows ending ${formatWindowTime(nextEnd)} to ${formatWindowTime(resume - stepMs)}: the detector fell more than ${Math.round(maxBacklogMs / 3_600_000)} hours behind; checking resumes with the window ending ${formatWindowTime(resume)}`,
        );
        nextEnd = resume;
      }
      const window = windowEnding(slotClock, nextEnd);
      const outcome = await check(window);
      const raisedUs = clock.nowUs();
      for (const draft of outcome.drafts) await output.emit(episodes.raise(draft, window.startMs, window.endMs, raisedUs, opts.severity));
      episodes.windowDone(window.endMs);
      windows++;
      alerts += outcome.drafts.length;
      lastEndMs = window.endMs;
      if (opts.verbose) notices.say(`window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: ${outcome.summary}`);
      nextEnd += stepMs;
    }
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
  return { windows, alerts, lastEndMs };
}
