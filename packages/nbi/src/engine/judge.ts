// The alert rule of nbi.md: a value is anomalous when it lies more than -bk deviations above (or, for
// LOW alerts, below) its expectation, and the absolute threshold -bt is passed.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
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
  /** Deviations from the mean, counted in judgedDeviation() (a positive number for HIGH and LOW alike); -1 when there is no deviation to measure. */
  readonly k: number;
  /** The value the measured one crossed: mean ± deviations × the judged deviation, or -bt without a baseline. */
  readonly crossed: number;
}

/** k printed for an entity without a deviation (nbi.md: fewer than 2 observations). */
export const NO_DEVIATION_K = -1;

/**
 * The floor's share of the mean. Day-to-day volumes of people's traffic vary by tens of percent; what
 * varies by less is a machine (a poll, a backup), and a change of a few percent in it is not news.
 */
const FLOOR_SHARE_OF_MEAN = 0.1;

/**
 * The least deviation any baseline is judged by, for a mean of `mean`: a tenth of the mean, the square
 * root of the mean (a Poisson count's deviation: what counts of sessions or hosts vary by at the least),
 * and 1 (the values are whole numbers). A history that happens to be flat, or two observations that
 * happen to be close, does not make a change of 1 anomalous.
 */
export function deviationFloor(mean: number): number {
  const m = Math.max(0, mean);
  return Math.max(m * FLOOR_SHARE_OF_MEAN, Math.sqrt(m), 1);
}

/**
 * -bk beyond which the widening is that of this -bk: the normal tail beyond 37 deviations (5.7e-300) is
 * the last a double holds, and a rule that strict is a rule that never fires anyway.
 */
const WIDEST_QUANTILE_DEVIATIONS = 37;

const widenings = new Map<string, number>();

/**
 * How much wider than the sample deviation `s` of `n` observations the deviation a value is judged by
 * must be, for "more than `deviations` deviations" to be as rare as it is against a deviation known
 * exactly (the normal tail beyond -bk): the Student t prediction bound for a new observation,
 * t(n − 1) at that tail × √(1 + 1/n) × s, divided by -bk. s from few observations is often well below
 * the true deviation (from 2, under half of it nearly two times in five), and a bound of -bk × s would then
 * report ordinary values: 1.17 for n = 21 at -bk 3, 1.60 for n = 8, 7.39 for n = 3, 96 for n = 2.
 * 1 for n < 2 (no s to widen).
 */
export function deviationWidening(deviations: number, n: number): number {
  if (n < 2) return 1;
  const bk = Math.min(deviations, WIDEST_QUANTILE_DEVIATIONS);
  const key = `${bk} ${n}`;
  let w = widenings.get(key);
  if (w === undefined) {
    // the upper tail through the lower one, which keeps its precision far out
    w = (-tQuantile(normalCdf(-bk, 0, 1), n - 1) * Math.sqrt(1 + 1 / n)) / bk;
    widenings.set(key, w);
  }
  return w;
}

/**
 * The deviation k is counted in: the expectation's standard deviation widened for the n it was estimated
 * from (deviationWidening), but by no more than the mean (the true deviation is taken to be at most the
 * sample's plus a spread of 100 %: from 2 or 3 observations the bound would otherwise let a flood of 20
 * times the usual through), and never below deviationFloor() — the floor is assumed, not estimated, and
 * is not widened.
 */
export function judgedDeviation(e: Pick<Expectation, 'mean' | 'stddev' | 'n'>, deviations: number): number {
  const s = e.stddev ?? 0;
  // s 0 is not widened: the widening is infinite from -bk 26.5 on for n = 2, and 0 × Infinity is NaN
  const widened = s > 0 ? Math.min(s * deviationWidening(deviations, e.n), s + Math.max(0, e.mean)) : 0;
  return Math.max(widened, deviationFloor(e.mean));
}

/**
 * The verdict on `value` against `e`, or null when it is normal.
 *
 * - None of the window's slots learnt yet (`e.learnt` false): nothing to judge against, null.
 * - No baseline in the window's slots (n = 0): HIGH when value > -bt, k = -1 (nbi.md); never LOW.
 * - One observation (no standard deviation): HIGH when value > -bt and value > mean + -bk × the floor,
 *   k = -1 (nbi.md: fewer than 2 observations); never LOW — one value says nothing of how low is unusual.
 * - Otherwise, with d = judgedDeviation(e, -bk) and k = |value − mean| / d: HIGH when value > mean, k > -bk
 *   and value > -bt; LOW when value < mean, k > -bk and mean > -bt (the entity normally carries enough
 *   to matter).
 */
export function judge(value: number, e: Expectation, rule: AlertRule): Verdict | null {
  const { mean, stddev, n } = e;
  if (e.learnt === false) return null;
  if (n === 0) return value > rule.threshold ? { direction: 'HIGH', k: NO_DEVIATION_K, crossed: rule.threshold } : null;
  if (n < 2 || stddev === null) {
    const crossed = mean + rule.deviations * deviationFloor(mean);
    return value > crossed && value > rule.threshold ? { direction: 'HIGH', k: NO_DEVIATION_K, crossed } : null;
  }
  const d = judgedDeviation(e, rule.deviations);
  const k = Math.abs(value - mean) / d;
  if (!(k > rule.deviations)) return null;
  if (value > mean) return value > rule.threshold ? { direction: 'HIGH', k, crossed: mean + rule.deviations * d } : null;
  return rule.low && mean > rule.threshold ? { direction: 'LOW', k, crossed: mean - rule.deviations * d } : null;
}
