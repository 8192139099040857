// Where everything of a stacked chart goes at a given pixel size: header, plot, axes, legend, each text
// with the box its glyphs cover. Computed apart from the SVG so that tests can check, for any size,
// that no text is clipped by the image's edge, overlaps another, or is set too small to read.

import { formatBits, formatBytes, formatCount } from '../common/humanscale.js';
import { chartEntries, type ChartEntry } from './chartentries.js';
import { chartFonts, type ChartFonts } from './chartfonts.js';
import { placeText, TEXT_ASCENT, TEXT_DESCENT, type Box, type ChartText } from './charttext.js';
import { durationText } from './durationtext.js';
import { layoutLegend, type ChartSwatch, type LegendLayout } from './legendlayout.js';
import { MUTED_TEXT, TEXT_COLOUR } from './palette.js';
import type { ChartSize, StackedChart } from './stackedchart.js';
import { fitText, textWidth } from './textwidth.js';
import { timeAxis, withinOneDay, type TimeAxis } from './timeaxis.js';
import { valueAxis, type ValueAxis, type ValueUnit } from './valueaxis.js';

export interface ChartArea {
  readonly colour: string;
  /** The outline: the upper edge left to right, then the lower edge right to left. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly fonts: ChartFonts;
  /** The plot's frame: the value axis on its left edge, the time axis on its bottom edge. */
  readonly plot: Box;
  readonly legend: LegendLayout;
  /** The heights of the value axis's grid lines (its ticks above 0). */
  readonly grid: readonly number[];
  /** Where the time axis's tick marks are. */
  readonly marks: readonly number[];
  /** The stacked areas, rank 1 at the bottom; entries with nothing to draw have none. */
  readonly areas: readonly ChartArea[];
  /** Every text: header, axis labels and captions, the legend's names and totals. */
  readonly texts: readonly ChartText[];
  readonly swatches: readonly ChartSwatch[];
}

/** A legend under the plot leaves it at least this many pixels high, and at least this share of the image's height. */
const MIN_PLOT_PX = 45;
const MIN_PLOT_SHARE = 0.22;
/** Value axis ticks are at least this many em apart: their labels, one em high, never touch. */
const TICK_SPACING_EM = 1.6;

function human(unit: ValueUnit): (n: number) => string {
  return unit === 'bytes' ? formatBytes : unit === 'bits' ? formatBits : formatCount;
}

function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local';
  } catch {
    return 'local';
  }
}

/** Round ticks up to `max`, as many as the plot's height has room for (five at most). */
function fittingValueAxis(max: number, unit: ValueUnit, plotH: number, size: number): ValueAxis {
  let axis = valueAxis(max, unit);
  for (let target = 4; target >= 1 && plotH / (axis.ticks.length - 1) < TICK_SPACING_EM * size; target--) axis = valueAxis(max, unit, target);
  return axis;
}

/** `Bytes per 1 min` along a plot of `height` px; on a short plot `Bytes/1 min`, or only `Bytes`, rather than a cut phrase. */
function valueTitle(quantity: string, slice: string, height: number, size: number): string {
  for (const t of [`${quantity} per ${slice}`, `${quantity}/${slice}`]) if (textWidth(t, size) <= height) return t;
  return fitText(quantity, height, size);
}

/** The layout of `chart` in an image of exactly `size` pixels. */
export function chartLayout(chart: StackedChart, size: ChartSize): ChartLayout {
  const W = size.width;
  const H = size.height;
  const n = chart.bounds.length - 1;
  if (n < 1) throw new RangeError('a chart needs at least one slice (two bounds)');
  const from = chart.bounds[0]!;
  const to = chart.bounds[n]!;
  const fonts = chartFonts(size);
  const { base: f, small, title: titleSize, pad } = fonts;
  const tick = small;
  const axisTitleX = pad + small * 0.85;
  const texts: ChartText[] = [];

  // header: title and query, shortened to the width
  const titleY = pad + TEXT_ASCENT * titleSize;
  texts.push(placeText('title', fitText(chart.title, W - 2 * pad, titleSize, true), pad, titleY, titleSize, { bold: true, colour: TEXT_COLOUR }));
  const subtitleY = titleY + TEXT_DESCENT * titleSize + (0.3 + TEXT_ASCENT) * small;
  texts.push(placeText('subtitle', fitText(chart.subtitle, W - 2 * pad, small), pad, subtitleY, small, { colour: MUTED_TEXT }));
  // the top tick's label reaches above the plot by half its height
  const plotTop = subtitleY + TEXT_DESCENT * small + 0.45 * tick + 0.5 * f;

  // under the plot: time labels, the dates under them when the frame spans days, the caption
  const dateRow = withinOneDay(from, to) ? 0 : tick * 1.2;
  const underPlot = tick * 1.45 + dateRow + small * 1.6;
  const fmt = human(chart.unit);
  const stackOf = (es: readonly ChartEntry[]): number => Math.max(0, ...Array.from({ length: n }, (_, k) => es.reduce((a, e) => a + e.values[k]!, 0)));
  // where the plot starts depends on the value axis's labels, which depend (a little) on the plot's height: take them for the tallest plot
  const all = chartEntries(chart, n);
  const plotLeftOf = (axis: ValueAxis): number => axisTitleX + small * 0.6 + Math.max(...axis.ticks.map((t) => textWidth(t.label, tick))) + f * 0.6;
  const legend = layoutLegend(all, (e) => (e.total === undefined ? '' : fmt(e.total)), {
    width: W,
    height: H,
    pad,
    font: f,
    plotLeft: plotLeftOf(fittingValueAxis(stackOf(all), chart.unit, H - pad - underPlot - plotTop, tick)),
    plotTop,
    plotBottom: H - pad - underPlot,
    minPlotHeight: Math.max(MIN_PLOT_PX, MIN_PLOT_SHARE * H),
  });
  const captionY = Math.min(H - pad, legend.bottom);
  const plotBottom = Math.max(captionY - underPlot, plotTop + 1);
  const plotH = plotBottom - plotTop;
  const entries = legend.entries;

  // value axis: round ticks up to the highest stack, labels in the unit that fits
  const axis = fittingValueAxis(stackOf(entries), chart.unit, plotH, tick);
  const plotLeft = plotLeftOf(axis);

  // time axis: a label centred on the plot's right end may not pass the image's edge; narrow the plot until none does
  const zone = chart.zone ?? localZone();
  const tickWidth = (l: string): number => textWidth(l, tick);
  let plotRight = Math.max(plotLeft + 10, Math.min(legend.right, W - pad));
  let time: TimeAxis = timeAxis(from, to, plotRight - plotLeft, tickWidth, zone);
  for (let pass = 0; pass < 3; pass++) {
    const xOf = (t: number): number => plotLeft + ((t - from) / (to - from)) * (plotRight - plotLeft);
    const past = Math.max(0, ...time.ticks.map((t) => xOf(t.at) + Math.max(tickWidth(t.label), tickWidth(t.date ?? '')) / 2 - (W - pad)));
    if (past <= 0) break;
    plotRight = Math.max(plotLeft + 10, plotRight - past);
    time = timeAxis(from, to, plotRight - plotLeft, tickWidth, zone);
  }
  const plotW = plotRight - plotLeft;
  const xOf = (t: number): number => plotLeft + ((t - from) / (to - from)) * plotW;
  const yOf = (v: number): number => plotBottom - (v / axis.top) * plotH;

  const grid: number[] = [];
  for (const t of axis.ticks) {
    const y = yOf(t.value);
    if (t.value > 0) grid.push(y);
    texts.push(placeText('value tick', t.label, plotLeft - f * 0.5, y + tick * 0.35, tick, { colour: MUTED_TEXT, anchor: 'end' }));
  }
  const axisTitle = valueTitle(chart.quantity, durationText((to - from) / n), plotH, small);
  const axisMid = (plotTop + plotBottom) / 2;
  if (axisTitle !== '') texts.push(placeText('value title', axisTitle, axisTitleX, axisMid, small, { colour: MUTED_TEXT, anchor: 'middle', vertical: true }));

  // the stacked areas: slice values at the slices' middles, held flat to the frame's edges
  const xs = [plotLeft, ...Array.from({ length: n }, (_, k) => xOf((chart.bounds[k]! + chart.bounds[k + 1]!) / 2)), plotRight];
  const at = (vs: readonly number[], j: number): number => vs[Math.min(n - 1, Math.max(0, j - 1))]!;
  const base = new Array<number>(n).fill(0);
  const areas: ChartArea[] = [];
  for (const e of entries) {
    const top = base.map((b, k) => b + e.values[k]!);
    if (e.sum > 0) {
      const upper = xs.map((x, j): [number, number] => [x, yOf(at(top, j))]);
      const lower = xs.map((x, j): [number, number] => [x, yOf(at(base, j))]).reverse();
      areas.push({ colour: e.colour, points: [...upper, ...lower] });
    }
    top.forEach((v, k) => (base[k] = v));
  }
  if (entries.every((e) => e.sum === 0)) {
    const words = fitText('no sessions in the frame', plotW, f);
    if (words !== '') texts.push(placeText('empty', words, (plotLeft + plotRight) / 2, axisMid, f, { colour: MUTED_TEXT, anchor: 'middle' }));
  }

  // time axis: ticks on round local times, labels below, the zone (and the day) under them
  const marks: number[] = [];
  for (const t of time.ticks) {
    const x = xOf(t.at);
    marks.push(x);
    texts.push(placeText('time tick', t.label, x, plotBottom + tick * 1.45, tick, { colour: MUTED_TEXT, anchor: 'middle' }));
    if (t.date !== undefined) texts.push(placeText('date', t.date, x, plotBottom + tick * 1.45 + dateRow, tick, { colour: MUTED_TEXT, anchor: 'middle' }));
  }
  // centred under the plot, or as near as the image's edges let it be when it is wider than the plot
  const caption = fitText(time.caption, W - 2 * pad, small);
  const captionW = textWidth(caption, small);
  const captionX = Math.min(Math.max((plotLeft + plotRight) / 2, pad + captionW / 2), W - pad - captionW / 2);
  if (caption !== '') texts.push(placeText('caption', caption, captionX, captionY, small, { colour: MUTED_TEXT, anchor: 'middle' }));

  return {
    width: W,
    height: H,
    fonts,
    plot: { left: plotLeft, top: plotTop, right: plotRight, bottom: plotBottom },
    legend,
    grid,
    marks,
    areas,
    texts: [...texts, ...legend.texts],
    swatches: legend.swatches,
  };
}
