// Draws a stacked chart as one SVG document: title, stacked areas over the slices (rank 1 at the
// bottom, "other" on top), value axis with units, local time axis, and a legend naming every colour.
// The same SVG is written for .svg and rasterised for .png/.tga, so every format looks the same.

import { chartLayout } from './chartlayout.js';
import type { ChartText } from './charttext.js';
import { AXIS_COLOUR, BACKGROUND, GRID_COLOUR } from './palette.js';
import type { ChartSize, StackedChart } from './stackedchart.js';

/** The font the chart names; rasterising gives resvg exactly this font (dejavu-fonts-ttf), viewers of the .svg fall back. */
const FONT = "'DejaVu Sans', Verdana, sans-serif";

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

function textElement(t: ChartText): string {
  const attrs = [`x="${r1(t.x)}"`, `y="${r1(t.y)}"`, `font-size="${r1(t.size)}"`];
  if (t.bold) attrs.push('font-weight="bold"');
  attrs.push(`fill="${t.colour}"`);
  if (t.anchor !== 'start') attrs.push(`text-anchor="${t.anchor}"`);
  if (t.vertical) attrs.push(`transform="rotate(-90 ${r1(t.x)} ${r1(t.y)})"`);
  return `<text ${attrs.join(' ')}>${escapeXml(t.text)}</text>`;
}

/** The chart as an SVG document of exactly `size` pixels. */
export function renderChartSvg(chart: StackedChart, size: ChartSize): string {
  const layout = chartLayout(chart, size);
  const { plot } = layout;
  const f = layout.fonts.base;
  const parts: string[] = [];
  for (const y of layout.grid) parts.push(`<line x1="${r1(plot.left)}" y1="${r1(y)}" x2="${r1(plot.right)}" y2="${r1(y)}" stroke="${GRID_COLOUR}" stroke-width="1"/>`);
  for (const a of layout.areas) parts.push(`<path d="M${a.points.map(([x, y]) => `${r1(x)},${r1(y)}`).join('L')}Z" fill="${a.colour}"/>`);
  parts.push(`<path d="M${r1(plot.left)},${r1(plot.top)}V${r1(plot.bottom)}H${r1(plot.right)}" fill="none" stroke="${AXIS_COLOUR}" stroke-width="1"/>`);
  for (const x of layout.marks) parts.push(`<line x1="${r1(x)}" y1="${r1(plot.bottom)}" x2="${r1(x)}" y2="${r1(plot.bottom + f * 0.35)}" stroke="${AXIS_COLOUR}" stroke-width="1"/>`);
  for (const t of layout.texts) parts.push(textElement(t));
  for (const s of layout.swatches) {
    parts.push(`<rect x="${r1(s.box.left)}" y="${r1(s.box.top)}" width="${r1(s.box.right - s.box.left)}" height="${r1(s.box.bottom - s.box.top)}" fill="${s.colour}"/>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${FONT}">\n` +
    `<rect width="${layout.width}" height="${layout.height}" fill="${BACKGROUND}"/>\n` +
    parts.join('\n') +
    '\n</svg>\n'
  );
}
