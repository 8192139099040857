// A detector that runs its own training and windows instead of runEngine's one ranking (ftscan's two
// baselines, ftbfg's fingerprint): runDetector hands it what it hands runEngine, and reports alike.

import type { DetectorName } from '../output/alertrecord.js';
import type { EngineParts, EngineReport, EngineSettings } from './runengine.js';

export interface DetectorRunner {
  readonly name: DetectorName;
  /** What makes this instance's alerts its own (its queries, filter, granularity): hashed into every alert id. */
  readonly configuration: string;
  /** Trains, then checks windows until `parts.signal` aborts; throws only what cannot be retried. */
  run(settings: EngineSettings, parts: EngineParts): Promise<EngineReport>;
}

/** Whether a factory's product runs itself (a DetectorRunner) rather than through runEngine. */
export function isDetectorRunner(d: object): d is DetectorRunner {
  return typeof (d as Partial<DetectorRunner>).run === 'function';
}
