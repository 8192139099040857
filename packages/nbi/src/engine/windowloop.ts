// The one schedule every detector's live windows follow: each window checked once and in order as soon
// as it has closed and settled, its alerts sent out, a lost server caught up with, a backlog given up and
// logged, and (for the detectors that learn) a window the collector did not see whole marked, or skipped.

import type { AlertDraft } from '../output/alertdraft.js';
import { formatWindowTime } from '../output/windowtime.js';
import type { Seen } from './feedcoverage.js';
import { FeedGap } from './feedgap.js';
import type { FeedWatch } from './feedwatch.js';
import type { EngineParts } from './runengine.js';
import { Stopped, stopReason } from './stopped.js';
import type { WindowCadence, WindowSpan } from './windowcadence.js';
import { plural } from '../output/plural.js';

/** What checking one window gave. */
export interface WindowOutcome {
  /** Its alerts, in the order they print. */
  readonly drafts: readonly AlertDraft[];
  /** For -v: what the window held and what was learnt (`24 sources, 3421 sessions; learnt slot 16:20`). */
  readonly summary: string;
}

export interface WindowLoopOptions {
  /** The end of the first window to check: the latest that had closed and settled at start. */
  readonly firstEndMs: number;
  /** Syslog severity (0–7) of the alerts (-ll). */
  readonly severity: number;
  /** -v: a line on stderr for every window checked. */
  readonly verbose: boolean;
  /**
   * When given, each window's feed is checked first: a window without any session is skipped, one with
   * parts without (the feed stopped or came back within it) is checked as `cut`, and the gap is logged.
   * Without it every window is checked as `whole`.
   */
  readonly feed?: FeedWatch;
}

/** How far a detector got, for the last line on stderr. */
export interface WindowLoopReport {
  /** Windows checked (not those skipped for want of any session). */
  readonly windows: number;
  readonly alerts: number;
  /** End of the last window checked, or null. */
  readonly lastEndMs: number | null;
  readonly stopReason: string;
}

/**
 * Checks windows with `check` until `parts.signal` aborts (or `check` throws Stopped), and resolves
 * with how far it got. A window is checked once it has closed and the cadence's settling delay has
 * passed; windows that became due meanwhile (a slow or lost server) are checked late, in order; a
 * backlog beyond the cadence's limit is given up with a line on stderr. With `opts.feed`, a window
 * the collector did not see whole is checked as `cut`, or skipped when it has no session at all (FeedGap
 * says so).
 */
export async function runWindows<W extends WindowSpan>(
  cadence: WindowCadence<W>,
  opts: WindowLoopOptions,
  parts: EngineParts,
  check: (window: Seen<W>) => Promise<WindowOutcome>,
): Promise<WindowLoopReport> {
  const { clock, notices, output, episodes, signal } = parts;
  const { stepMs, settleMs, maxBacklogMs } = cadence;
  let windows = 0;
  let alerts = 0;
  let lastEndMs: number | null = null;
  let nextEnd = opts.firstEndMs;
  const gap = new FeedGap(notices, opts.verbose);
  try {
    while (!signal.aborted) {
      const due = nextEnd + settleMs;
      const now = clock.now();
      if (now < due) {
        await clock.sleep(due - now, signal);
        continue;
      }
      const newest = cadence.floor(now - settleMs);
      if (newest - nextEnd > maxBacklogMs) {
        const resume = newest - maxBacklogMs;
        const skipped = Math.round((resume - nextEnd) / stepMs);
        notices.say(
          `skipped ${plural(skipped, 'window', 'windows')} ending ${formatWindowTime(nextEnd)} to ${formatWindowTime(resume - stepMs)}: the detector fell more than ${Math.round(maxBacklogMs / 3_600_000)} hours behind; checking resumes with the window ending ${formatWindowTime(resume)}`,
        );
        nextEnd = resume;
      }
      const window = cadence.ending(nextEnd);
      let seen: Seen<W> = { ...window, coverage: 'whole' };
      let missing = '';
      if (opts.feed !== undefined) {
        // the same words as the window's own queries: to the operator the feed check is part of checking it
        const verdict = await opts.feed.window(window, `checking the window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}`, signal);
        if (verdict.coverage === 'whole') gap.resume(window);
        else gap.notSeenWhole(window, verdict);
        if (verdict.coverage === 'none') {
          // nothing to judge: an episode does not go on across the gap
          episodes.windowDone(window.endMs);
          nextEnd += stepMs;
          continue;
        }
        if (verdict.coverage === 'cut') {
          seen = { ...window, coverage: 'cut' };
          missing = `; ${FeedGap.missing(window, verdict)}: HIGH values only, not learnt`;
        }
      }
      const outcome = await check(seen);
      const raisedUs = clock.nowUs();
      for (const draft of outcome.drafts) await output.emit(episodes.raise(draft, window.startMs, window.endMs, raisedUs, opts.severity));
      episodes.windowDone(window.endMs);
      windows++;
      alerts += outcome.drafts.length;
      lastEndMs = window.endMs;
      if (opts.verbose) notices.say(`window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: ${outcome.summary}${missing}`);
      nextEnd += stepMs;
    }
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
  gap.stopped();
  return { windows, alerts, lastEndMs, stopReason: stopReason(signal) };
}
