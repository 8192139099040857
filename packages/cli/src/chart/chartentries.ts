// What a chart stacks and its legend lists: the layers in rank order with their colours, then the grey
// "other"; and the same folded to fewer entries when the legend has room for only so many rows.

import { OTHER_COLOUR, SERIES_COLOURS } from './palette.js';
import { MAX_LAYERS, type StackedChart } from './stackedchart.js';

export interface ChartEntry {
  readonly label: string;
  readonly colour: string;
  /** One value per slice, finite and ≥ 0. */
  readonly values: readonly number[];
  /** The sum of the values: zero means nothing to draw. */
  readonly sum: number;
  /** The legend's number, if any. */
  readonly total: number | undefined;
  /** Whether this is the grey entry on top (the rest of the selection), not a ranked row. */
  readonly grey: boolean;
}

function sumOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The layers of `chart` over its `slices`, then "other" when it holds anything. */
export function chartEntries(chart: StackedChart, slices: number): ChartEntry[] {
  const value = (vs: readonly number[], k: number): number => {
    const v = vs[k];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  };
  const norm = (vs: readonly number[]): number[] => Array.from({ length: slices }, (_, k) => value(vs, k));
  const entries: ChartEntry[] = chart.layers.slice(0, MAX_LAYERS).map((l, i) => {
    const values = norm(l.values);
    return { label: l.label, colour: SERIES_COLOURS[i]!, values, sum: sumOf(values), total: l.total, grey: false };
  });
  // layers past the colours join "other"
  const rest = chart.layers.slice(MAX_LAYERS).map((l) => norm(l.values));
  if (chart.other !== undefined || rest.length > 0) {
    const values = norm(chart.other ?? []).map((v, k) => rest.reduce((a, r) => a + r[k]!, v));
    const sum = sumOf(values);
    if (sum > 0) entries.push({ label: 'other', colour: OTHER_COLOUR, values, sum, total: undefined, grey: true });
  }
  return entries;
}

/** The name of the grey entry that holds ranks `first` to `last` and, when `other`, the rest: `ranks 4–10 and other`. */
export function foldedLabel(first: number, last: number, other: boolean): string {
  const ranks = first === last ? `rank ${first}` : `ranks ${first}–${last}`;
  return other ? `${ranks} and other` : ranks;
}

/**
 * `entries` in at most `rows` legend rows (at least two): the first ranks keep their colours, the
 * ranks after them join the grey entry, named for what it holds, so that every colour drawn is named.
 */
export function foldEntries(entries: readonly ChartEntry[], rows: number): readonly ChartEntry[] {
  if (entries.length <= rows) return entries;
  const kept = Math.max(1, rows - 1);
  const ranked = entries.filter((e) => !e.grey);
  const other = entries.find((e) => e.grey);
  const folded = [...ranked.slice(kept), ...(other === undefined ? [] : [other])];
  const values = folded[0]!.values.map((_, k) => folded.reduce((a, e) => a + e.values[k]!, 0));
  const label = foldedLabel(kept + 1, ranked.length, other !== undefined);
  return [...ranked.slice(0, kept), { label, colour: OTHER_COLOUR, values, sum: sumOf(values), total: undefined, grey: true }];
}
