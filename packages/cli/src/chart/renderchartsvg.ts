// Draws a stacked chart as one SVG document: title, stacked areas over the slices (rank 1 at the
// bottom, "other" on top), value axis with units, local time axis, and a legend naming every layer.
// The same SVG is written for .svg and rasterised for .png/.tga, so every format looks the same.

import { formatBits, formatBytes, formatCount } from '../common/humanscale.js';
import { durationText } from './durationtext.js';
import { AXIS_COLOUR, BACKGROUND, GRID_COLOUR, MUTED_TEXT, OTHER_COLOUR, SERIES_COLOURS, TEXT_COLOUR } from './palette.js';
import { MAX_LAYERS, type ChartSize, type StackedChart } from './stackedchart.js';
import { fitText, textWidth } from './textwidth.js';
import { timeAxis, withinOneDay } from './timeaxis.js';
import { valueAxis, type ValueUnit } from './valueaxis.js';

/** The font the chart names; rasterising gives resvg exactly this font (dejavu-fonts-ttf), viewers of the .svg fall back. */
const FONT = "'DejaVu Sans', Verdana, sans-serif";

interface Entry {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
  /** The sum of the values: zero means nothing to draw. */
  readonly sum: number;
  /** The legend's number, if any. */
  readonly total: number | undefined;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

function text(x: number, y: number, size: number, body: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}" font-size="${r1(size)}"${attrs === '' ? '' : ` ${attrs}`}>${escapeXml(body)}</text>`;
}

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

/** The layers, then "other" when it holds anything, each with its colour and total. */
function entriesOf(chart: StackedChart, n: number): Entry[] {
  const value = (vs: readonly number[], k: number): number => {
    const v = vs[k];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  };
  const norm = (vs: readonly number[]): number[] => Array.from({ length: n }, (_, k) => value(vs, k));
  const entries: Entry[] = chart.layers.slice(0, MAX_LAYERS).map((l, i) => {
    const values = norm(l.values);
    return { label: l.label, colour: SERIES_COLOURS[i]!, values, sum: values.reduce((a, b) => a + b, 0), total: l.total };
  });
  // layers past the colours join "other"
  const rest = chart.layers.slice(MAX_LAYERS).map((l) => norm(l.values));
  if (chart.other !== undefined || rest.length > 0) {
    const values = norm(chart.other ?? []).map((v, k) => rest.reduce((a, r) => a + r[k]!, v));
    const sum = values.reduce((a, b) => a + b, 0);
    if (sum > 0) entries.push({ label: 'other', colour: OTHER_COLOUR, values, sum, total: undefined });
  }
  return entries;
}

/** The chart as an SVG document of exactly `size` pixels. */
export function renderChartSvg(chart: StackedChart, size: ChartSize): string {
  const W = size.width;
  const H = size.height;
  const n = chart.bounds.length - 1;
  if (n < 1) throw new RangeError('a chart needs at least one slice (two bounds)');
  const from = chart.bounds[0]!;
  const to = chart.bounds[n]!;
  const entries = entriesOf(chart, n);
  const fmt = human(chart.unit);

  const f = Math.min(24, Math.max(9, Math.round(13 * Math.min(W / 800, H / 400))));
  const pad = Math.round(f * 0.9);
  const titleSize = Math.round(f * 1.3);
  const smallSize = Math.round(f * 0.92);
  const out: string[] = [];

  // header: title and query, shortened to the width
  const titleY = pad + titleSize;
  const subtitleY = titleY + smallSize * 1.55;
  out.push(text(pad, titleY, titleSize, fitText(chart.title, W - 2 * pad, titleSize, true), `font-weight="bold" fill="${TEXT_COLOUR}"`));
  out.push(text(pad, subtitleY, smallSize, fitText(chart.subtitle, W - 2 * pad, smallSize), `fill="${MUTED_TEXT}"`));
  const plotTop = subtitleY + f * 1.3;

  // x axis labels (and the dates under them when the frame spans days) and the caption below the plot
  const tickSize = smallSize;
  const dateRow = withinOneDay(from, to) ? 0 : tickSize * 1.2;
  const plotBottom = H - pad - tickSize * 1.5 - dateRow - smallSize * 1.6;

  // legend at the right: a swatch, the name, the total; names shortened when space is short
  const legendAvail = Math.max(plotBottom - plotTop, f);
  let lf = f;
  let line = f * 1.6;
  if (entries.length * line > legendAvail) {
    line = legendAvail / Math.max(entries.length, 1);
    lf = Math.max(6, Math.min(f, line / 1.3));
  }
  const swatch = lf * 0.95;
  const totals = entries.map((e) => (e.total === undefined ? '' : fmt(e.total)));
  const totalW = Math.max(0, ...totals.map((t) => textWidth(t, lf)));
  const natural = Math.max(0, ...entries.map((e) => swatch + lf * 0.5 + textWidth(e.label, lf) + lf + totalW));
  const legendW = Math.min(natural, W * 0.38);
  const legendX = W - pad - legendW;
  const labelRoom = Math.max(0, legendW - swatch - lf * 0.5 - lf - totalW);
  entries.forEach((e, i) => {
    const y = plotTop + i * line;
    out.push(`<rect x="${r1(legendX)}" y="${r1(y + (line - swatch) / 2)}" width="${r1(swatch)}" height="${r1(swatch)}" fill="${e.colour}"/>`);
    const baseline = y + line / 2 + lf * 0.36;
    out.push(text(legendX + swatch + lf * 0.5, baseline, lf, fitText(e.label, labelRoom, lf), `fill="${TEXT_COLOUR}"`));
    out.push(text(W - pad, baseline, lf, totals[i]!, `fill="${MUTED_TEXT}" text-anchor="end"`));
  });

  // value axis: round ticks up to the highest stack, labels in the unit that fits
  const stack = Array.from({ length: n }, (_, k) => entries.reduce((a, e) => a + e.values[k]!, 0));
  const axis = valueAxis(Math.max(0, ...stack), chart.unit);
  const tickLabelW = Math.max(...axis.ticks.map((t) => textWidth(t.label, tickSize)));
  const axisTitleX = pad + smallSize * 0.85;
  const plotLeft = axisTitleX + smallSize * 0.6 + tickLabelW + f * 0.6;
  const plotRight = Math.max(plotLeft + 10, legendX - f * 1.5);
  const plotW = plotRight - plotLeft;
  const plotH = Math.max(plotBottom - plotTop, 1);
  const xOf = (t: number): number => plotLeft + ((t - from) / (to - from)) * plotW;
  const yOf = (v: number): number => plotBottom - (v / axis.top) * plotH;

  const grid: string[] = [];
  const labels: string[] = [];
  for (const t of axis.ticks) {
    const y = yOf(t.value);
    if (t.value > 0) grid.push(`<line x1="${r1(plotLeft)}" y1="${r1(y)}" x2="${r1(plotRight)}" y2="${r1(y)}" stroke="${GRID_COLOUR}" stroke-width="1"/>`);
    labels.push(text(plotLeft - f * 0.5, y + tickSize * 0.35, tickSize, t.label, `fill="${MUTED_TEXT}" text-anchor="end"`));
  }
  const axisTitle = `${chart.quantity} per ${durationText((to - from) / n)}`;
  const axisMid = (plotTop + plotBottom) / 2;
  labels.push(
    text(axisTitleX, axisMid, smallSize, fitText(axisTitle, plotH, smallSize), `fill="${MUTED_TEXT}" text-anchor="middle" transform="rotate(-90 ${r1(axisTitleX)} ${r1(axisMid)})"`),
  );

  // the stacked areas: slice values at the slices' middles, held flat to the frame's edges
  const xs = [plotLeft, ...Array.from({ length: n }, (_, k) => xOf((chart.bounds[k]! + chart.bounds[k + 1]!) / 2)), plotRight];
  const at = (vs: readonly number[], j: number): number => vs[Math.min(n - 1, Math.max(0, j - 1))]!;
  const base = new Array<number>(n).fill(0);
  const areas: string[] = [];
  for (const e of entries) {
    const top = base.map((b, k) => b + e.values[k]!);
    if (e.sum > 0) {
      const upper = xs.map((x, j) => `${r1(x)},${r1(yOf(at(top, j)))}`);
      const lower = xs.map((x, j) => `${r1(x)},${r1(yOf(at(base, j)))}`).reverse();
      areas.push(`<path d="M${upper.join('L')}L${lower.join('L')}Z" fill="${e.colour}"/>`);
    }
    top.forEach((v, k) => (base[k] = v));
  }
  if (entries.every((e) => e.sum === 0)) {
    areas.push(text((plotLeft + plotRight) / 2, axisMid, f, 'no sessions in the frame', `fill="${MUTED_TEXT}" text-anchor="middle"`));
  }

  // time axis: ticks on round local times, labels below, the zone (and the day) under them
  const time = timeAxis(from, to, plotW, (l) => textWidth(l, tickSize), chart.zone ?? localZone());
  const marks: string[] = [];
  for (const t of time.ticks) {
    const x = xOf(t.at);
    marks.push(`<line x1="${r1(x)}" y1="${r1(plotBottom)}" x2="${r1(x)}" y2="${r1(plotBottom + f * 0.35)}" stroke="${AXIS_COLOUR}" stroke-width="1"/>`);
    labels.push(text(x, plotBottom + tickSize * 1.45, tickSize, t.label, `fill="${MUTED_TEXT}" text-anchor="middle"`));
    if (t.date !== undefined) labels.push(text(x, plotBottom + tickSize * 1.45 + dateRow, tickSize, t.date, `fill="${MUTED_TEXT}" text-anchor="middle"`));
  }
  labels.push(text((plotLeft + plotRight) / 2, H - pad, smallSize, fitText(time.caption, plotW, smallSize), `fill="${MUTED_TEXT}" text-anchor="middle"`));
  const axes = `<path d="M${r1(plotLeft)},${r1(plotTop)}V${r1(plotBottom)}H${r1(plotRight)}" fill="none" stroke="${AXIS_COLOUR}" stroke-width="1"/>`;

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">\n` +
    `<rect width="${W}" height="${H}" fill="${BACKGROUND}"/>\n` +
    [...grid, ...areas, axes, ...marks, ...labels, ...out].join('\n') +
    '\n</svg>\n'
  );
}
