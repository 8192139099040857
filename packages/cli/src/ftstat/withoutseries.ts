// A ranking without its time slices: ftstat asks for slices when it draws a chart, and prints the
// table or JSON without them when -w did not ask for them.

import { firstSliceColumn, type StatAnswer } from '../common/statanswer.js';

/** `a` without its slices (the chart asked for them; the output was not to have them). */
export function withoutSeries(a: StatAnswer): StatAnswer {
  if (a.series === undefined) return a;
  const first = firstSliceColumn(a);
  return { columns: a.columns.slice(0, first), data: a.data.map((r) => r.slice(0, first)), summary: a.summary };
}
