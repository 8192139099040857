// Where the legend goes and how much it says: at the right of the plot when its names fit there,
// else under the plot in columns; the totals only when they leave the names room; and when not every
// row fits at a readable size, the last ranks folded into the grey entry rather than smaller text.

import { foldEntries, type ChartEntry } from './chartentries.js';
import { placeText, type Box, type ChartText } from './charttext.js';
import { fitLabel } from './fitlabel.js';
import { MUTED_TEXT, TEXT_COLOUR } from './palette.js';
import { textWidth } from './textwidth.js';

/** The room a legend has, from the rest of the chart's layout. */
export interface LegendSpace {
  readonly width: number;
  readonly height: number;
  readonly pad: number;
  /** The legend's font size in px. */
  readonly font: number;
  /** Where the plot starts, right of the value axis's labels. */
  readonly plotLeft: number;
  /** The plot's top, and its bottom when nothing is under the time axis's caption. */
  readonly plotTop: number;
  readonly plotBottom: number;
  /** A legend under the plot leaves it at least this high. */
  readonly minPlotHeight: number;
}

export interface ChartSwatch {
  readonly colour: string;
  readonly box: Box;
}

export interface LegendLayout {
  readonly placement: 'right' | 'below';
  /** Whether each name has its ranked value beside it. */
  readonly totals: boolean;
  /** What the chart stacks: its entries, folded to the legend's rows. */
  readonly entries: readonly ChartEntry[];
  /** The plot and its labels stay left of this x (the legend's left edge minus a gap; the image's width under the plot). */
  readonly right: number;
  /** The time axis and its caption stay above this y (the legend's top minus a gap; the image's height at the right). */
  readonly bottom: number;
  readonly swatches: readonly ChartSwatch[];
  readonly texts: readonly ChartText[];
}

/** The legend at the right takes at most this share of the width, and leaves the plot at least the second. */
const RIGHT_SHARE = 0.38;
const PLOT_SHARE = 0.4;
/** A placement reads well when at least this share of the names fit whole … */
const WHOLE_SHARE = 0.75;
/** … and a shortened name keeps at least this many em (about 16 digits). */
const MIN_NAME_EM = 10;
/** Rows at the right are 1.6 em apart, closer (down to 1.35 em) before any is folded; under the plot 1.3 em. */
const RIGHT_LINE_EM = 1.6;
const TIGHT_LINE_EM = 1.35;
const BELOW_LINE_EM = 1.3;
/** Between the caption and a legend under it, and between columns. */
const BELOW_GAP_EM = 0.5;
const COLUMN_GAP_EM = 1.5;
const SWATCH_EM = 0.95;
/** Between a swatch and its name, and between a name and its total. */
const NAME_GAP_EM = 0.5;
const TOTAL_GAP_EM = 1;

interface Plan {
  readonly placement: 'right' | 'below';
  readonly totals: boolean;
  readonly entries: readonly ChartEntry[];
  readonly columns: number;
  readonly rows: number;
  readonly line: number;
  /** Width of one column: swatch, name, total. */
  readonly columnWidth: number;
  /** Whether the names read well (most whole, none cut to almost nothing) and the plot keeps its share. */
  readonly readable: boolean;
  /** Whether the plot keeps more room than the legend takes: at the right always, under it when the plot is the higher. */
  readonly roomy: boolean;
}

/** Whether names of these widths read well in `room` px at `font` px. */
function readable(widths: readonly number[], room: number, font: number): boolean {
  if (widths.length === 0) return true;
  const whole = widths.filter((w) => w <= room).length;
  return whole >= WHOLE_SHARE * widths.length && room >= Math.min(Math.max(...widths), MIN_NAME_EM * font);
}

/**
 * Better plans list more entries with readable names, then leave the plot more room than the legend,
 * then sit at the right (the plot keeps its height), then keep the totals.
 */
function better(a: Plan, b: Plan): boolean {
  const key = (p: Plan): number[] => [p.readable ? 1 : 0, p.entries.length, p.roomy ? 1 : 0, p.placement === 'right' ? 1 : 0, p.totals ? 1 : 0];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! > kb[i]!;
  return false;
}

export function layoutLegend(all: readonly ChartEntry[], totalText: (e: ChartEntry) => string, space: LegendSpace): LegendLayout {
  const f = space.font;
  const swatch = SWATCH_EM * f;
  const nameX = swatch + NAME_GAP_EM * f;
  const labelW = (e: ChartEntry): number => textWidth(e.label, f);
  const totalW = (es: readonly ChartEntry[], totals: boolean): number => (totals ? Math.max(0, ...es.map((e) => textWidth(totalText(e), f))) : 0);
  const totalRoom = (es: readonly ChartEntry[], totals: boolean): number => {
    const w = totalW(es, totals);
    return w > 0 ? w + TOTAL_GAP_EM * f : 0;
  };
  const withTotals = all.some((e) => totalText(e) !== '') ? [true, false] : [false];
  const plans: Plan[] = [];

  const rightHeight = space.plotBottom - space.plotTop;
  const rightRows = Math.max(2, Math.floor(rightHeight / (TIGHT_LINE_EM * f)));
  for (const totals of withTotals) {
    const entries = foldEntries(all, rightRows);
    const natural = nameX + Math.max(0, ...entries.map(labelW)) + totalRoom(entries, totals);
    const columnWidth = Math.min(natural, RIGHT_SHARE * space.width);
    const room = columnWidth - nameX - totalRoom(entries, totals);
    const line = Math.max(TIGHT_LINE_EM * f, Math.min(RIGHT_LINE_EM * f, rightHeight / Math.max(entries.length, 1)));
    const plotWidth = space.width - space.pad - columnWidth - COLUMN_GAP_EM * f - space.plotLeft;
    const ok = readable(entries.map(labelW), room, f) && plotWidth >= PLOT_SHARE * space.width;
    plans.push({ placement: 'right', totals, entries, columns: 1, rows: entries.length, line, columnWidth, readable: ok, roomy: true });
  }

  const line = BELOW_LINE_EM * f;
  const belowRows = Math.floor((space.plotBottom - space.plotTop - space.minPlotHeight - BELOW_GAP_EM * f) / line);
  if (belowRows >= 1) {
    const across = space.width - 2 * space.pad;
    for (const totals of withTotals) {
      // as many columns as the names fit (the fewer the columns, the fewer rows fit and the more are folded)
      for (let columns = Math.max(1, all.length); columns >= 1; columns--) {
        const entries = foldEntries(all, Math.max(2, columns * belowRows));
        const natural = nameX + Math.max(0, ...entries.map(labelW)) + totalRoom(entries, totals);
        const columnWidth = Math.min(natural, (across - (columns - 1) * COLUMN_GAP_EM * f) / columns);
        const room = columnWidth - nameX - totalRoom(entries, totals);
        const rows = Math.ceil(entries.length / columns);
        const legendHeight = rows * line + BELOW_GAP_EM * f;
        const roomy = space.plotBottom - space.plotTop - legendHeight >= legendHeight;
        const plan: Plan = { placement: 'below', totals, entries, columns, rows, line, columnWidth, readable: readable(entries.map(labelW), room, f), roomy };
        if (plan.readable || columns === 1) {
          plans.push(plan);
          break;
        }
      }
    }
  }

  const plan = plans.reduce((best, p) => (better(p, best) ? p : best));
  return drawLegend(plan, totalText, space);
}

/** The swatches and texts of `plan`. */
function drawLegend(plan: Plan, totalText: (e: ChartEntry) => string, space: LegendSpace): LegendLayout {
  const f = space.font;
  const swatch = SWATCH_EM * f;
  const right = plan.placement === 'right';
  const left0 = right ? space.width - space.pad - plan.columnWidth : space.pad;
  const top0 = right ? space.plotTop : space.height - space.pad - plan.rows * plan.line;
  const totals = plan.entries.map((e) => (plan.totals ? totalText(e) : ''));
  const totalW = Math.max(0, ...totals.map((t) => textWidth(t, f)));
  const room = plan.columnWidth - swatch - NAME_GAP_EM * f - (totalW > 0 ? totalW + TOTAL_GAP_EM * f : 0);
  const swatches: ChartSwatch[] = [];
  const texts: ChartText[] = [];
  plan.entries.forEach((e, i) => {
    const x = left0 + Math.floor(i / plan.rows) * (plan.columnWidth + COLUMN_GAP_EM * f);
    const y = top0 + (i % plan.rows) * plan.line;
    const sy = y + (plan.line - swatch) / 2;
    swatches.push({ colour: e.colour, box: { left: x, top: sy, right: x + swatch, bottom: sy + swatch } });
    // the baseline that centres digits and capitals on the swatch
    const baseline = y + plan.line / 2 + f * 0.36;
    const name = fitLabel(e.label, room, f);
    if (name !== '') texts.push(placeText('legend', name, x + swatch + NAME_GAP_EM * f, baseline, f, { colour: TEXT_COLOUR }));
    if (totals[i] !== '') texts.push(placeText('total', totals[i]!, x + plan.columnWidth, baseline, f, { colour: MUTED_TEXT, anchor: 'end' }));
  });
  // nothing to name (an empty frame): the plot takes the whole width
  const none = plan.entries.length === 0;
  return {
    placement: plan.placement,
    totals: plan.totals,
    entries: plan.entries,
    right: right && !none ? left0 - COLUMN_GAP_EM * f : space.width,
    bottom: right || none ? space.height : top0 - BELOW_GAP_EM * f,
    swatches,
    texts,
  };
}
