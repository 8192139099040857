// What every baseline detector's alert says of the baseline it was judged by, in its structured data
// and JSON: the expectation (mean, stddev, n), the deviations k, and the rule's -bt and -bk.

import type { AlertField } from '../output/alertdraft.js';
import type { Finding } from './detector.js';
import type { AlertRule } from './judge.js';

/** `mean stddev k n absth devth`, in that order (nbi.md's structured data). */
export function baselineFields(finding: Pick<Finding, 'expectation' | 'verdict'>, rule: AlertRule): AlertField[] {
  const { mean, stddev, n } = finding.expectation;
  return [
    { name: 'mean', value: mean.toFixed(2) },
    { name: 'stddev', value: (stddev ?? 0).toFixed(2) },
    { name: 'k', value: finding.verdict.k.toFixed(2) },
    { name: 'n', value: n },
    { name: 'absth', value: rule.threshold },
    { name: 'devth', value: rule.deviations },
  ];
}
