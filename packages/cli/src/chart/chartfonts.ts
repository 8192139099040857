// The type sizes of a chart at a given pixel size: they grow with the image up to a limit and never
// shrink below a size people can read, so small charts show less rather than smaller text.

import type { ChartSize } from './stackedchart.js';

/** No text of a chart is set smaller than this many pixels: DejaVu Sans stays legible at 10 px. */
export const MIN_FONT_PX = 10;
/** The title is bold and a little larger than the rest, even at the smallest sizes. */
const MIN_TITLE_PX = 13;

export interface ChartFonts {
  /** The legend's text and the unit the spacing is measured in. */
  readonly base: number;
  /** The subtitle, the axis labels and their captions. */
  readonly small: number;
  readonly title: number;
  /** The margin around everything. */
  readonly pad: number;
}

/** 13 px at 800 × 400, scaled with the tighter of the two sides, from 10 px up to 24 px. */
export function chartFonts(size: ChartSize): ChartFonts {
  const base = Math.min(24, Math.max(MIN_FONT_PX, Math.round(13 * Math.min(size.width / 800, size.height / 400))));
  return {
    base,
    small: Math.max(MIN_FONT_PX, Math.round(base * 0.92)),
    title: Math.max(MIN_TITLE_PX, Math.round(base * 1.3)),
    pad: Math.round(base * 0.9),
  };
}
