// ftstat -j: the ranking as cli.md's JSON, an array of objects keyed by the CSV column names in their
// order, exact numbers; with -w each row also has `series`: one {start, end, value} per slice.

import { firstSliceColumn, type StatAnswer, type StatCell } from '../common/statanswer.js';

export interface SeriesPoint {
  /** Slice start and end, UTC epoch seconds. */
  readonly start: number;
  readonly end: number;
  readonly value: StatCell;
}

export function statObjects(a: StatAnswer): Record<string, StatCell | SeriesPoint[]>[] {
  const first = firstSliceColumn(a);
  const bounds = a.series?.bounds;
  return a.data.map((row) => {
    const obj: Record<string, StatCell | SeriesPoint[]> = {};
    for (let i = 0; i < first; i++) obj[a.columns[i]!] = row[i]!;
    if (bounds !== undefined) obj.series = row.slice(first).map((value, k) => ({ start: bounds[k]!, end: bounds[k + 1]!, value }));
    return obj;
  });
}

/** The array as text: one row per line, so that line-oriented tools can still read it. */
export function renderStatJson(a: StatAnswer): string {
  const rows = statObjects(a).map((o) => JSON.stringify(o));
  return rows.length === 0 ? '[]\n' : `[\n${rows.join(',\n')}\n]\n`;
}
