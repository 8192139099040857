// Welford's online mean and variance: one pass, numerically stable, three numbers per baseline.
// The baselines keep these per entity per slot; a new observation updates them in place.

/** n observations, their mean, and the sum of squared deviations from the mean (M2). */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

export const NO_MOMENTS: Moments = { n: 0, mean: 0, m2: 0 };

/** The moments after one more observation `x`. */
export function addObservation(m: Moments, x: number): Moments {
  const n = m.n + 1;
  const delta = x - m.mean;
  const mean = m.mean + delta / n;
  // delta * (x - mean) is never negative, so M2 only grows and never cancels
  return { n, mean, m2: m.m2 + delta * (x - mean) };
}

/** The sample standard deviation (n - 1 in the denominator); undefined with fewer than 2 observations. */
export function standardDeviation(m: Moments): number | undefined {
  return m.n < 2 ? undefined : Math.sqrt(m.m2 / (m.n - 1));
}
