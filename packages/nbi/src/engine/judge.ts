// The alert rule of nbi.md: a value is anomalous when it lies more than -bk standard deviations
// above (or, for LOW alerts, below) its expectation, and the absolute threshold -bt is passed.

import type { Expectation } from './baselinestore.js';

export interface AlertRule {
  /** -bk: standard deviations from the mean that make a value anomalous. */
  readonly deviations: number;
  /** -bt: below this nothing is reported (a HIGH value must exceed it; a LOW alert needs a mean above it). */
  readonly threshold: number;
  /** Whether values below the baseline are reported (fttcv without -bnl). */
  readonly low: boolean;
}

export type Direction = 'HIGH' | 'LOW';

export interface Verdict {
  readonly direction: Direction;
  /** Deviations from the mean (a positive number for HIGH and LOW alike); -1 when there is no deviation to measure. */
  readonly k: number;
  /** The value the measured one crossed: mean ± deviations × stddev, or -bt without a deviation. */
  readonly crossed: number;
}

/** k printed for an entity without a deviation (nbi.md: fewer than 2 observations). */
export const NO_DEVIATION_K = -1;

/**
 * The verdict on `value` against `e`, or null when it is normal.
 *
 * - With a deviation (n >= 2, stddev > 0): HIGH when value > mean + k·s and value > -bt; LOW when
 *   value < mean − k·s and mean > -bt (the entity normally carries enough to matter).
 * - Fewer than 2 observations: no deviation, k = -1; HIGH when value > -bt (nbi.md) and, after one
 *   observation, above it too (a value below the only one seen is not unusually high); never LOW.
 * - A deviation of exactly 0 (every observation equal): no deviation either; HIGH when value > -bt
 *   and above the mean, LOW when below the mean and the mean > -bt.
 */
export function judge(value: number, e: Expectation, rule: AlertRule): Verdict | null {
  const { mean, stddev, n } = e;
  if (n < 2 || stddev === null) {
    const above = n === 0 || value > mean;
    return above && value > rule.threshold ? { direction: 'HIGH', k: NO_DEVIATION_K, crossed: rule.threshold } : null;
  }
  if (stddev === 0) {
    if (value > mean && value > rule.threshold) return { direction: 'HIGH', k: NO_DEVIATION_K, crossed: rule.threshold };
    if (rule.low && value < mean && mean > rule.threshold) return { direction: 'LOW', k: NO_DEVIATION_K, crossed: mean };
    return null;
  }
  const k = Math.abs(value - mean) / stddev;
  if (k <= rule.deviations) return null;
  if (value > mean) return value > rule.threshold ? { direction: 'HIGH', k, crossed: mean + rule.deviations * stddev } : null;
  return rule.low && mean > rule.threshold ? { direction: 'LOW', k, crossed: mean - rule.deviations * stddev } : null;
}
