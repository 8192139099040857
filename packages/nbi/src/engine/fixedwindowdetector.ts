// What a detector without baselines is to the engine (ftth, ftbl): windows of its own length, each
// checked once after it has settled, and the alerts of a window worked out however it likes.

import type { DetectorName } from '../output/alertrecord.js';
import type { DetectorContext } from './detector.js';
import type { Notices } from './notices.js';
import type { WindowSpan } from './windowcadence.js';
import type { WindowOutcome } from './windowloop.js';

/** A window of -bi: its span on the local clock, nothing more. */
export type FixedWindow = WindowSpan;

export interface WindowSchedule {
  /** Length of a window, which is also how often one is checked (-bi): divides an hour. */
  readonly windowMs: number;
  /** How long after a window closes it is checked (-bd). */
  readonly settleMs: number;
}

export interface FixedWindowDetector {
  readonly name: DetectorName;
  readonly schedule: WindowSchedule;
  /** What makes this instance's alerts its own (measure, filter, list, window): part of every alert id. */
  readonly configuration: string;
  /**
   * Runs once before the login (ftbl loads its list here). A CliError ends the detector with its
   * exit code; Stopped when `signal` aborts.
   */
  prepare(ctx: { readonly notices: Notices; readonly signal: AbortSignal }): Promise<void>;
  /** Said on stderr once logged in, where the baseline detectors print their training: what is checked from which window. */
  startNotice(firstEndMs: number): string;
  check(window: FixedWindow, ctx: DetectorContext): Promise<WindowOutcome>;
}
