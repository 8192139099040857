// What a stacked chart shows: the top rows of a ranking as layers over equal time slices, the rest
// as "other", the unit of the values and the words around them. ftstat fills it from a ranking.

import type { ValueUnit } from './valueaxis.js';

export interface ChartLayer {
  /** The entity as the legend names it (`10.0.0.1 (US)`, `443/TCP https`). */
  readonly label: string;
  /** One value per slice. */
  readonly values: readonly number[];
  /** The legend's number: the entity's ranked value over the frame (slices of a session count or a unique count do not add up to it). */
  readonly total?: number;
}

export interface StackedChart {
  /** The first line, bold: what is ranked by what. */
  readonly title: string;
  /** The second line: the query and the frame. */
  readonly subtitle: string;
  /** The n + 1 slice bounds, UTC epoch seconds, increasing. */
  readonly bounds: readonly number[];
  /** The top rows, rank 1 first: stacked from the bottom up, at most ten (ten colours). */
  readonly layers: readonly ChartLayer[];
  /** Per slice, everything not in a layer; stacked on top in grey. */
  readonly other: readonly number[] | undefined;
  readonly unit: ValueUnit;
  /** What the values count, capitalised, for the value axis: `Bytes sent`, `Unique PORTPROTO`. */
  readonly quantity: string;
  /** The time zone the labels are in, for the caption; default: this process's (TZ). */
  readonly zone?: string;
}

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

/** At most this many layers have a colour of their own; ftstat sums the rest into "other". */
export const MAX_LAYERS = 10;
