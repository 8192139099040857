// The charts of ftstat -g without a server: value and time axes (units, local time zones), the SVG
// (well formed, the words it must show), the pixels resvg draws from it — decoded back with pngjs:
// size, stacked areas in the colours of the legend, rank 1 at the bottom — and the TGA file's header.
import t from 'tap';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import { chartFontFiles, durationText, encodeChart, encodeTga, fitText, renderChartSvg, textWidth, timeAxis, valueAxis, type StackedChart } from '../src/chart/index.js';

type Rgb = readonly [number, number, number];
const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

function colourAt(png: PNG, x: number, y: number): string {
  const i = (y * png.width + x) * 4;
  return hex([png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]);
}

/** The colours other than white that fill a 6 × 6 block somewhere in the rectangle: swatches and areas, never text strokes. */
function solidColours(png: PNG, x0: number, x1: number, y0: number, y1: number): Set<string> {
  const out = new Set<string>();
  for (let y = y0; y + 6 <= y1; y++) {
    for (let x = x0; x + 6 <= x1; x++) {
      const c = colourAt(png, x, y);
      if (c === '#ffffff' || out.has(c)) continue;
      let solid = true;
      for (let dy = 0; dy < 6 && solid; dy++) for (let dx = 0; dx < 6 && solid; dx++) solid = colourAt(png, x + dx, y + dy) === c;
      if (solid) out.add(c);
    }
  }
  return out;
}

/** Counts of each exact colour in the rectangle [x0, x1) × [y0, y1) of an RGBA image. */
function histogram(png: PNG, x0: number, x1: number, y0: number, y1: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      const c = hex([png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]);
      out.set(c, (out.get(c) ?? 0) + 1);
    }
  }
  return out;
}

const HOUR = 3600;
const FROM = 1795478400; // 11/24/2026 00:00:00 UTC
const slices = 60;
const bounds = Array.from({ length: slices + 1 }, (_, k) => FROM + (k * HOUR) / slices);
const names = ['10.0.0.1', '192.0.2.77 (US)', '2001:db8::5', '198.51.100.3 (DE)'];
const chart: StackedChart = {
  title: 'IP by bytes: top 4 of 900',
  subtitle: 'ftstat -grp IP -cnt BYTES -tn 1h',
  bounds,
  // rank 1 largest; every layer non-zero in every slice
  layers: names.map((label, i) => ({ label, values: bounds.slice(1).map((_, k) => (4 - i) * 2 ** 30 * (1 + 0.3 * Math.sin(k / 6))), total: (4 - i) * 60 * 2 ** 30 })),
  other: bounds.slice(1).map(() => 2 ** 29),
  unit: 'bytes',
  quantity: 'Bytes',
  zone: 'UTC',
};

t.test('value axis: round ticks in the unit that fits', async (t) => {
  const bytes = valueAxis(3.4 * 2 ** 30, 'bytes');
  t.same(bytes.ticks.map((x) => x.label), ['0', '1 GiB', '2 GiB', '3 GiB', '4 GiB']);
  t.equal(bytes.top, 4 * 2 ** 30, 'the top is the last tick, above the highest value');
  t.same(valueAxis(2300, 'count').ticks.map((x) => x.label), ['0', '0.5 k', '1.0 k', '1.5 k', '2.0 k', '2.5 k']);
  t.same(valueAxis(3, 'count').ticks.map((x) => x.label), ['0', '1', '2', '3'], 'no half sessions');
  t.same(valueAxis(7, 'count').ticks.map((x) => x.label), ['0', '2', '4', '6', '8']);
  t.same(valueAxis(4.2e9, 'bits').ticks.map((x) => x.label), ['0', '1 Gbit', '2 Gbit', '3 Gbit', '4 Gbit', '5 Gbit']);
  t.same(valueAxis(0, 'bytes').ticks.map((x) => x.label), ['0', '1 B'], 'nothing to show: an axis up to one unit');
  t.same(valueAxis(900, 'bytes').ticks.map((x) => x.label), ['0', '200 B', '400 B', '600 B', '800 B', '1000 B']);
});

t.test('time axis: round local times, as many as fit', async (t) => {
  const width = (s: string): number => textWidth(s, 12);
  process.env.TZ = 'UTC';
  const hour = timeAxis(FROM, FROM + HOUR, 600, width, 'UTC');
  t.same(hour.ticks.map((x) => x.label), ['00:00', '00:10', '00:20', '00:30', '00:40', '00:50', '01:00']);
  t.equal(hour.caption, 'local time (UTC), 11/24/2026', 'within a day the caption has the date');
  t.ok(hour.ticks.every((x) => x.date === undefined));
  const narrow = timeAxis(FROM, FROM + HOUR, 200, width, 'UTC');
  t.ok(narrow.ticks.length >= 2 && narrow.ticks.length < hour.ticks.length, 'fewer ticks on a narrower axis');

  process.env.TZ = 'Asia/Kolkata';
  const kolkata = timeAxis(FROM, FROM + HOUR, 600, width, 'Asia/Kolkata');
  // 00:00 UTC is 05:30 in Kolkata: the ticks fall on round local times, not round UTC ones
  t.same(kolkata.ticks.map((x) => x.label), ['05:30', '05:40', '05:50', '06:00', '06:10', '06:20', '06:30']);
  t.equal(kolkata.ticks[0]!.at, FROM);

  process.env.TZ = 'America/New_York';
  const day = timeAxis(FROM, FROM + 24 * HOUR, 700, width, 'America/New_York');
  // 00:00 UTC is 19:00 the day before in New York; at 700 px a label needs about two hours
  t.same(day.ticks.slice(0, 3).map((x) => x.label), ['20:00', '22:00', '00:00'], 'ticks on even local hours');
  t.equal(day.ticks[0]!.date, '11/23', 'the date under the first tick of a frame over days');
  const midnight = day.ticks.find((x) => x.label === '00:00');
  t.equal(midnight?.date, '11/24', 'and under the first tick of the next day');
  t.equal(day.caption, 'local time (America/New_York)');
  t.ok(day.ticks.filter((x) => x.date !== undefined).length === 2, 'only where the day changes');

  process.env.TZ = 'UTC';
  const week = timeAxis(FROM, FROM + 7 * 24 * HOUR, 600, width, 'UTC');
  t.ok(week.ticks.every((x) => /^\d\d\/\d\d$/.test(x.label)), 'a week: ticks on days, labelled by date');
  const year = timeAxis(FROM, FROM + 365 * 24 * HOUR, 600, width, 'UTC');
  t.ok(year.ticks.every((x) => /^\d\d\/\d{4}$/.test(x.label)), 'a year: ticks on months');
  t.equal(year.ticks[0]!.label, '01/2027', 'every second month, from January');
});

t.test('words: durations and text that fits', async (t) => {
  t.equal(durationText(15), '15 s');
  t.equal(durationText(60), '1 min');
  t.equal(durationText(900), '15 min');
  t.equal(durationText(3600), '1 h');
  t.equal(durationText(86400), '1 day');
  t.equal(durationText(128.57), '2.1 min');
  t.equal(durationText(0.25), '0.3 s');
  t.ok(textWidth('WWW', 12) > textWidth('iii', 12), 'widths follow the font');
  t.equal(fitText('10.0.0.1', 200, 12), '10.0.0.1');
  const cut = fitText('2600:149d:b379:2e9d:577a:e151:add2:c271', 100, 12);
  t.match(cut, /^2600:149d.*…$/);
  t.ok(textWidth(cut, 12) <= 100);
});

t.test('the SVG: well formed, with the legend, the units and the times', async (t) => {
  process.env.TZ = 'UTC';
  const svg = renderChartSvg(chart, { width: 800, height: 400 });
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="400"/);
  t.doesNotThrow(() => new Resvg(svg, { font: { loadSystemFonts: false } }), 'resvg parses it');
  for (const name of names) t.match(svg, `>${name}</text>`, `the legend names ${name}`);
  t.match(svg, '>other</text>');
  t.match(svg, '>240.0 GiB</text>', 'the legend shows each entity\'s ranked value');
  t.match(svg, '>Bytes per 1 min</text>', 'the value axis says what and per how long');
  t.match(svg, /> ?\d+ GiB<\/text>/, 'ticks with their unit');
  t.match(svg, '>00:30</text>', 'local time ticks');
  t.match(svg, '>local time (UTC), 11/24/2026</text>');
  t.match(svg, '>IP by bytes: top 4 of 900</text>');
  const tricky = renderChartSvg({ ...chart, layers: [{ label: 'AS1 <Fish & "Chips">', values: [1] }], bounds: [FROM, FROM + 60], other: undefined }, { width: 800, height: 400 });
  t.match(tricky, 'AS1 &lt;Fish &amp; &quot;Chips&quot;&gt;', 'names are escaped');
  t.doesNotThrow(() => new Resvg(tricky, { font: { loadSystemFonts: false } }));
  const empty = renderChartSvg({ ...chart, layers: [], other: [0, 0], bounds: [FROM, FROM + 30, FROM + 60] }, { width: 800, height: 400 });
  t.match(empty, '>no sessions in the frame</text>');
  t.throws(() => renderChartSvg({ ...chart, bounds: [FROM] }, { width: 800, height: 400 }), RangeError);
});

t.test('the PNG: size, stacked areas in the colours of the legend', async (t) => {
  process.env.TZ = 'UTC';
  const W = 900;
  const H = 420;
  const png = PNG.sync.read(await encodeChart(renderChartSvg(chart, { width: W, height: H }), 'png'));
  t.equal(png.width, W);
  t.equal(png.height, H);
  // the legend's swatches: blocks of one exact colour at the right, found without knowing the palette
  const swatches = [...solidColours(png, Math.round(W * 0.6), W, 0, H)];
  t.equal(swatches.length, names.length + 1, 'one swatch per entity and one for other');
  const plot = histogram(png, 0, Math.round(W * 0.55), 0, H);
  for (const c of swatches) t.ok((plot.get(c) ?? 0) > 2000, `the plot has an area in the legend's ${c} (${plot.get(c) ?? 0} pixels)`);
  // rank 1 sits at the bottom of the stack: the pixel just above the axis, mid-plot, is the first swatch's colour
  const firstSwatch = (() => {
    for (let y = 0; y < H; y++) for (let x = W - 1; x >= Math.round(W * 0.6); x--) if (swatches.includes(colourAt(png, x, y))) return colourAt(png, x, y);
    return '';
  })();
  const column = Math.round(W * 0.3);
  let bottom = '';
  for (let y = H - 1; y > 0 && bottom === ''; y--) if (swatches.includes(colourAt(png, column, y))) bottom = colourAt(png, column, y);
  t.equal(bottom, firstSwatch, 'the bottom layer has the colour of the legend\'s first entry');
  const background = plot.get('#ffffff') ?? 0;
  t.ok(background < Math.round(W * 0.55) * H * 0.6, 'the stacked areas fill much of the plot');
  // text is drawn: dark pixels in the header, where no area reaches
  const header = histogram(png, 0, W, 0, 30);
  t.ok([...header].some(([c, n]) => n > 20 && parseInt(c.slice(1, 3), 16) < 80), 'the title is drawn (the font was found)');
});

t.test('the TGA: an uncompressed truecolor image of resvg\'s pixels', async (t) => {
  const tga = await encodeChart(renderChartSvg(chart, { width: 640, height: 300 }), 'tga');
  t.equal(tga[0], 0, 'no image id');
  t.equal(tga[1], 0, 'no colour map');
  t.equal(tga[2], 2, 'uncompressed truecolor');
  t.equal(tga.readUInt16LE(12), 640, 'width');
  t.equal(tga.readUInt16LE(14), 300, 'height');
  t.equal(tga[16], 24, '24 bits per pixel');
  t.equal(tga[17], 0x20, 'top-left origin, no alpha bits');
  t.equal(tga.length, 18 + 640 * 300 * 3 + 26, 'header, pixels and the TGA 2.0 footer');
  t.equal(tga.toString('latin1', tga.length - 18, tga.length - 1), 'TRUEVISION-XFILE.');
  // the same pixels as the PNG, as BGR
  const png = PNG.sync.read(await encodeChart(renderChartSvg(chart, { width: 640, height: 300 }), 'png'));
  let differ = 0;
  for (let p = 0; p < 640 * 300; p++) {
    if (tga[18 + p * 3] !== png.data[p * 4 + 2] || tga[18 + p * 3 + 1] !== png.data[p * 4 + 1] || tga[18 + p * 3 + 2] !== png.data[p * 4]) differ++;
  }
  t.equal(differ, 0, 'every pixel as in the PNG');
  const half = encodeTga(new Uint8Array([0, 0, 0, 0, 128, 0, 0, 128]), 2, 1);
  t.same([...half.subarray(18, 24)], [255, 255, 255, 127, 127, 255], 'transparent pixels come out white; half-transparent red is pink');
  t.throws(() => encodeTga(new Uint8Array(4), 2, 1), RangeError);
});

t.test('the chart is drawn in the shipped DejaVu font', async (t) => {
  const files = chartFontFiles();
  t.match(files[0], /dejavu-fonts-ttf[/\\]ttf[/\\]DejaVuSans\.ttf$/);
  t.match(files[1], /DejaVuSans-Bold\.ttf$/);
  const svg = renderChartSvg(chart, { width: 800, height: 400 });
  const a = await encodeChart(svg, 'png');
  const b = await encodeChart(svg, 'png');
  t.ok(a.equals(b), 'the same chart gives the same bytes (no system fonts)');
});
