// How a detector without baselines (ftth, ftbl) runs once its spec is parsed: its parameters and the
// output ones checked, its preparation (ftbl's list), the login, the syslog connection, the windows
// until SIGTERM or SIGINT, then the same clean stop as the baseline detectors.

import type { ParsedOptions, ToolContext } from '@opentraq/cli';
import { SYSTEM_CLOCK, type Clock } from '../engine/clock.js';
import type { FixedWindowDetector } from '../engine/fixedwindowdetector.js';
import { runFixedWindows } from '../engine/runfixedwindows.js';
import { Episodes } from '../output/episodes.js';
import { runDetectorSession } from './detectorsession.js';

/** Builds the detector from its parameters, throwing usage errors; `clock` is the one it runs by. */
export type FixedWindowDetectorFactory = (parsed: ParsedOptions, clock: Clock) => FixedWindowDetector;

export interface FixedWindowRunOptions {
  readonly clock?: Clock;
  /** Signals that stop the detector; tests pass an emitter of their own. */
  readonly signals?: NodeJS.EventEmitter;
}

export async function runFixedWindowDetector(parsed: ParsedOptions, ctx: ToolContext, make: FixedWindowDetectorFactory, opts: FixedWindowRunOptions = {}): Promise<void> {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  // every parameter is checked before anything is read or sent
  const detector = make(parsed, clock);
  await runDetectorSession(parsed, ctx, { clock, ...(opts.signals !== undefined && { signals: opts.signals }) }, {
    prepare: (c) => detector.prepare(c),
    run: (session) =>
      runFixedWindows(
        detector,
        { severity: session.severity, verbose: session.verbose },
        {
          link: session.link,
          clock,
          notices: session.notices,
          output: session.output,
          episodes: new Episodes(detector.name, detector.configuration, detector.schedule.windowMs),
          signal: session.signal,
        },
      ),
  });
}
