// How every detector with a history (ftdos, fttcv, ftscan, ftbfg) runs once its spec is parsed: its
// baseline parameters read and checked, the detector built, then the engine (or the detector's own
// runner) inside the session every detector shares: login, outputs, a clean stop.

import type { ParsedOptions, ToolContext } from '@opentraq/cli';
import { SYSTEM_CLOCK, type Clock } from '../engine/clock.js';
import type { Detector } from '../engine/detector.js';
import { isDetectorRunner, type DetectorRunner } from '../engine/detectorrunner.js';
import { runEngine, type EngineSettings } from '../engine/runengine.js';
import { Episodes } from '../output/episodes.js';
import { readBaselineSettings, type BaselineSettings } from '../params/readenginesettings.js';
import { runDetectorSession } from './detectorsession.js';

export { STOP_GRACE_MS } from './detectorsession.js';

/**
 * Builds the detector from its own parameters (usage errors first) and the baseline settings: a
 * Detector of one ranking that runEngine runs, or a DetectorRunner that runs itself.
 */
export type DetectorFactory = (parsed: ParsedOptions, baseline: BaselineSettings) => Detector | DetectorRunner;

export interface RunOptions {
  /** Whether the detector reports LOW values (reads -bnl). */
  readonly low: (parsed: ParsedOptions) => boolean;
  readonly clock?: Clock;
  /** Signals that stop the detector; tests pass an emitter of their own. */
  readonly signals?: NodeJS.EventEmitter;
}

export async function runDetector(parsed: ParsedOptions, ctx: ToolContext, make: DetectorFactory, opts: RunOptions): Promise<void> {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  // every parameter is checked before anything is sent
  const baseline = readBaselineSettings(parsed, opts.low(parsed), clock.now());
  const detector = make(parsed, baseline);
  const configuration = isDetectorRunner(detector)
    ? detector.configuration
    : JSON.stringify({
        detector: detector.name,
        entity: detector.ranking.entity.name,
        count: detector.ranking.count,
        unique: detector.ranking.unique ?? null,
        direction: detector.ranking.direction ?? null,
        selection: detector.ranking.selection,
        granularity: baseline.granularity.name,
        byDayOfWeek: baseline.byDayOfWeek,
      });
  await runDetectorSession(parsed, ctx, { clock, ...(opts.signals !== undefined && { signals: opts.signals }) }, {
    run: (session) => {
      const episodes = new Episodes(detector.name, configuration, baseline.granularity.stepMs);
      const settings: EngineSettings = { ...baseline, severity: session.severity, verbose: session.verbose };
      const parts = { link: session.link, clock, notices: session.notices, output: session.output, episodes, signal: session.signal };
      return isDetectorRunner(detector) ? detector.run(settings, parts) : runEngine(detector, settings, parts);
    },
  });
}
