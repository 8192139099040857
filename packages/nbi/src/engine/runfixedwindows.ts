// The life of a detector without baselines (ftth, ftbl): no training; every window of its own length
// checked once it has closed and settled, exactly once and in order — catching up after a lost
// server, logging any window it has to give up — and stopping cleanly when asked.

import { formatWindowTime } from '../output/windowtime.js';
import { clockFloor } from './clockfloor.js';
import type { EngineParts } from './runengine.js';
import { Stopped } from './stopped.js';
import type { FixedWindowDetector } from './fixedwindowdetector.js';

/** Windows more than this far behind are given up (and said so): a day, as for the DAY baselines. */
export const MAX_BACKLOG_MS = 86_400_000;

export interface FixedWindowRunSettings {
  /** Syslog severity (0–7) of the alerts (-ll). */
  readonly severity: number;
  /** -v: a line on stderr for every window checked. */
  readonly verbose: boolean;
}

export interface FixedWindowReport {
  readonly windows: number;
  readonly alerts: number;
  /** End of the last window checked, or null. */
  readonly lastEndMs: number | null;
  readonly stopReason: string;
}

/** Checks windows until `parts.signal` aborts; throws only what cannot be retried. */
export async function runFixedWindows(detector: FixedWindowDetector, settings: FixedWindowRunSettings, parts: EngineParts): Promise<FixedWindowReport> {
  const { link, clock, notices, output, episodes, signal } = parts;
  const { windowMs, settleMs } = detector.schedule;
  let windows = 0;
  let alerts = 0;
  let lastEndMs: number | null = null;
  // the first window is the latest that has closed and settled now
  let nextEnd = clockFloor(clock.now() - settleMs, windowMs);
  notices.say(detector.startNotice(nextEnd));
  try {
    while (!signal.aborted) {
      const due = nextEnd + settleMs;
      const now = clock.now();
      if (now < due) {
        await clock.sleep(due - now, signal);
        continue;
      }
      const newest = clockFloor(now - settleMs, windowMs);
      if (newest - nextEnd > MAX_BACKLOG_MS) {
        const resume = newest - MAX_BACKLOG_MS;
        const skipped = Math.round((resume - nextEnd) / windowMs);
        notices.say(
          `skipped ${skipped} windows ending ${formatWindowTime(nextEnd)} to ${formatWindowTime(resume - windowMs)}: the detector fell more than ${MAX_BACKLOG_MS / 3_600_000} hours behind; checking resumes with the window ending ${formatWindowTime(resume)}`,
        );
        nextEnd = resume;
      }
      const window = { startMs: nextEnd - windowMs, endMs: nextEnd };
      const result = await detector.check(window, { link, signal, notices });
      const raisedUs = clock.nowUs();
      for (const draft of result.drafts) {
        await output.emit(episodes.raise(draft, window.startMs, window.endMs, raisedUs, settings.severity));
      }
      episodes.windowDone(window.endMs);
      windows++;
      alerts += result.drafts.length;
      lastEndMs = window.endMs;
      if (settings.verbose) {
        notices.say(`window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: ${result.summary}, ${result.drafts.length} alerts`);
      }
      nextEnd += windowMs;
    }
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
  return { windows, alerts, lastEndMs, stopReason: String(signal.reason ?? 'asked to stop') };
}
