// The charts of ftstat -g without a server: value and time axes (units, local time zones), the SVG
// (well formed, the words it must show), the pixels resvg draws from it — decoded back with pngjs:
// size, stacked areas in the colours of the legend, rank 1 at the bottom — and the TGA file's header.
// The layout at every size from the smallest -gx/-gy up: no text clipped, overlapping or too small.
import t from 'tap';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import {
  chartEntries,
  chartFontFiles,
  chartLayout,
  durationText,
  encodeChart,
  encodeTga,
  fitLabel,
  fitText,
  foldEntries,
  renderChartSvg,
  SERIES_COLOURS,
  textWidth,
  timeAxis,
  valueAxis,
  type Box,
  type ChartLayout,
  type StackedChart,
} from '../src/chart/index.js';

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

// Charts with the names the issue is about (#5): address pairs, addresses with countries (IPv6 among
// them), long AS names with letters beyond ASCII, and a few short ones; over an hour or over days.
function rankedChart(title: string, labels: readonly string[], opts: { days?: number; totals?: boolean; other?: boolean; unit?: StackedChart['unit'] } = {}): StackedChart {
  const span = (opts.days ?? 0) > 0 ? opts.days! * 24 * HOUR : HOUR;
  const b = Array.from({ length: slices + 1 }, (_, k) => FROM + (k * span) / slices);
  return {
    title,
    subtitle: `ftstat -grp X -cnt BYTES -tn 1h · 11/24/2026 00:00:00 to 01:00:00, ${slices} slices`,
    bounds: b,
    layers: labels.map((label, i) => ({
      label,
      values: b.slice(1).map((_, k) => (labels.length + 2 - i) * 2 ** 28 * (1 + 0.5 * Math.sin(k / 5 + i))),
      ...(opts.totals !== false && { total: (labels.length + 2 - i) * 60 * 2 ** 28 * 1.37 }),
    })),
    other: opts.other === false ? undefined : b.slice(1).map((_, k) => 2 ** 29 * (1 + 0.3 * Math.cos(k / 3))),
    unit: opts.unit ?? 'bytes',
    quantity: 'Bytes',
    zone: 'UTC',
  };
}
const PAIRS = ['192.168.100.200 ↔ 10.20.30.40', '172.16.254.1 ↔ 192.168.100.201', '10.0.0.1 ↔ 10.0.0.2', '2001:db8:85a3::8a2e:370:7334 ↔ 2001:db8::1', '198.51.100.77 ↔ 203.0.113.250', '192.0.2.1 ↔ 192.0.2.254', '10.11.12.13 ↔ 10.200.201.202', '172.31.255.255 ↔ 172.16.0.1', '192.168.1.10 ↔ 8.8.8.8', '100.64.0.10 ↔ 1.1.1.1'];
const IPS = ['192.168.100.200 (US)', '10.20.30.40', '2001:db8:85a3::8a2e:370:7334 (DE)', '172.16.254.1 (GB)', '198.51.100.77 (FR)', '203.0.113.250 (JP)', '10.0.0.1', '192.0.2.254 (NL)', '8.8.8.8 (US)', '1.1.1.1 (AU)'];
const ASES = ['AS16509 Amazon.com, Inc.', 'AS8075 Microsoft Corporation', 'AS5410 Bouygues Télécom SA', 'AS15169 Google LLC', 'AS20940 Akamai International B.V.', 'AS2906 Netflix Streaming Services Inc.', 'AS3356 Level 3 Parent, LLC', 'AS174 Cogent Communications', 'AS13335 Cloudflare, Inc.', 'AS3320 Deutsche Telekom AG'];
const CHARTS: Record<string, StackedChart> = {
  'IPPAIR, 10 rows and other': rankedChart('IPPAIR by bytes: top 10 of 48213', PAIRS),
  'IP with countries, 10 rows and other': rankedChart('IP by bytes: top 10 of 900', IPS),
  'AS names over three days': rankedChart('ASN by bytes: top 10 of 3120', ASES, { days: 3 }),
  'ports, no other, no totals': rankedChart('PORTPROTO by packets: top 5 of 5', ['443/TCP https', '53/UDP domain', '22/TCP ssh', '123/UDP ntp', '80/TCP http'], { other: false, totals: false, unit: 'count' }),
  'one row': rankedChart('IP by bits: top 1 of 1', ['10.0.0.1'], { other: false, unit: 'bits' }),
  'empty': { ...rankedChart('IP by bytes: top 0 of 0', []), other: undefined },
};
const WIDTHS = [200, 240, 320, 400, 500, 640, 800, 1024, 1280, 1920, 3000, 10000];
const HEIGHTS = [200, 240, 300, 400, 600, 1080, 2000, 10000];

const overlaps = (a: Box, b: Box): boolean => a.left < b.right - 0.01 && b.left < a.right - 0.01 && a.top < b.bottom - 0.01 && b.top < a.bottom - 0.01;
const inside = (a: Box, w: number, h: number): boolean => a.left >= 0 && a.top >= 0 && a.right <= w && a.bottom <= h;
const boxText = (b: Box): string => `[${b.left.toFixed(1)}, ${b.top.toFixed(1)} – ${b.right.toFixed(1)}, ${b.bottom.toFixed(1)}]`;

/** What is wrong with a layout of `chart`: texts past the edges, overlapping, too small, colours without a name … */
function layoutProblems(chart: StackedChart, l: ChartLayout): string[] {
  const W = l.width;
  const H = l.height;
  const out: string[] = [];
  const at = `${W}×${H}`;
  for (const x of l.texts) {
    if (!inside(x.box, W, H)) out.push(`${at}: ${x.role} '${x.text}' ${boxText(x.box)} passes the image's edge`);
    if (x.size < 10) out.push(`${at}: ${x.role} '${x.text}' is ${x.size} px`);
    if (x.role !== 'empty' && overlaps(x.box, l.plot)) out.push(`${at}: ${x.role} '${x.text}' lies on the plot`);
  }
  for (const s of l.swatches) {
    if (!inside(s.box, W, H)) out.push(`${at}: a swatch ${boxText(s.box)} passes the image's edge`);
    if (overlaps(s.box, l.plot)) out.push(`${at}: a swatch lies on the plot`);
  }
  const things = [...l.texts.map((x) => ({ what: `${x.role} '${x.text}'`, box: x.box })), ...l.swatches.map((s) => ({ what: `swatch ${s.colour}`, box: s.box }))];
  for (let i = 0; i < things.length; i++) {
    for (let j = i + 1; j < things.length; j++) if (overlaps(things[i]!.box, things[j]!.box)) out.push(`${at}: ${things[i]!.what} overlaps ${things[j]!.what}`);
  }
  // every colour drawn is named, once; names are whole or visibly shortened
  const swatchColours = l.swatches.map((s) => s.colour);
  if (new Set(swatchColours).size !== swatchColours.length) out.push(`${at}: a colour has two swatches`);
  for (const a of l.areas) if (!swatchColours.includes(a.colour)) out.push(`${at}: the area in ${a.colour} has no swatch`);
  const names = l.texts.filter((x) => x.role === 'legend');
  if (names.length !== l.swatches.length) out.push(`${at}: ${l.swatches.length} swatches but ${names.length} names`);
  const labels = [...chart.layers.map((x) => x.label), 'other'];
  const whole = names.filter((x) => labels.includes(x.text) || /^ranks? \d+(–\d+)?( and other)?$/.test(x.text));
  for (const x of names) if (!whole.includes(x) && (!x.text.includes('…') || [...x.text].length < 12)) out.push(`${at}: '${x.text}' is cut to almost nothing`);
  if (whole.length < names.length / 2) out.push(`${at}: only ${whole.length} of ${names.length} names whole`);
  const drawn = chart.layers.length + (chart.other === undefined ? 0 : 1);
  if (l.swatches.length < Math.min(drawn, 4)) out.push(`${at}: only ${l.swatches.length} legend rows`);
  // the plot keeps a useful size
  if (l.plot.right - l.plot.left < W / 3) out.push(`${at}: the plot is ${(l.plot.right - l.plot.left).toFixed(0)} px wide`);
  if (l.plot.bottom - l.plot.top < 40) out.push(`${at}: the plot is ${(l.plot.bottom - l.plot.top).toFixed(0)} px high`);
  // folding a rank into the grey keeps the stack: its height is the whole selection in every slice
  const n = chart.bounds.length - 1;
  for (let k = 0; k < n; k++) {
    const want = chart.layers.reduce((a, x) => a + x.values[k]!, chart.other?.[k] ?? 0);
    const got = l.legend.entries.reduce((a, e) => a + e.values[k]!, 0);
    if (Math.abs(got - want) > 1e-6 * want) {
      out.push(`${at}: slice ${k} stacks to ${got}, not ${want}`);
      break;
    }
  }
  return out;
}

t.test('the layout at every size: nothing clipped, overlapping or too small, every colour named', async (t) => {
  process.env.TZ = 'UTC';
  for (const [name, chart] of Object.entries(CHARTS)) {
    const problems: string[] = [];
    for (const width of WIDTHS) for (const height of HEIGHTS) problems.push(...layoutProblems(chart, chartLayout(chart, { width, height })));
    t.same(problems.slice(0, 20), [], `${name}: ${WIDTHS.length * HEIGHTS.length} sizes from 200 × 200 to 10000 × 10000`);
  }
  // the checks can fail: a layout with a name past the edge, one on another, one too small
  const good = chartLayout(CHARTS['IP with countries, 10 rows and other']!, { width: 800, height: 400 });
  const name = good.texts.find((x) => x.role === 'legend')!;
  const bad: ChartLayout = {
    ...good,
    texts: [...good.texts, { ...name, box: { ...name.box, right: 801 } }, { ...name, size: 8, box: { left: 0, top: 0, right: 1, bottom: 1 } }],
  };
  const found = layoutProblems(CHARTS['IP with countries, 10 rows and other']!, bad);
  t.ok(found.some((p) => p.includes("passes the image's edge")), 'a name past the edge is found');
  t.ok(found.some((p) => p.includes('overlaps')), 'overlapping names are found');
  t.ok(found.some((p) => p.includes('is 8 px')), 'a too small text is found');
});

t.test('the legend: at the right when the names fit there, else under the plot; ranks folded rather than shrunk', async (t) => {
  process.env.TZ = 'UTC';
  const pairs = CHARTS['IPPAIR, 10 rows and other']!;
  const names = (l: ChartLayout): string[] => l.texts.filter((x) => x.role === 'legend').map((x) => x.text);
  const totals = (l: ChartLayout): string[] => l.texts.filter((x) => x.role === 'total').map((x) => x.text);

  const big = chartLayout(pairs, { width: 800, height: 400 });
  t.equal(big.legend.placement, 'right', 'the default size: the legend at the right');
  t.equal(big.swatches.length, 11, 'every row and other');
  t.ok(big.swatches.every((s) => s.box.left > big.plot.right), 'right of the plot');
  for (const pair of PAIRS.filter((p) => !p.includes(':'))) t.ok(names(big).includes(pair), `800 × 400: ${pair} whole`);
  t.same(totals(big), [], 'the ranked values would cut the pairs: left out');
  const addresses = chartLayout(CHARTS['IP with countries, 10 rows and other']!, { width: 800, height: 400 });
  t.equal(addresses.legend.placement, 'right');
  t.same(totals(addresses).slice(0, 2), ['246.6 GiB', '226.1 GiB'], 'shorter names: with the ranked values');
  t.same(names(addresses).filter((x) => x.includes('…')), [names(addresses)[2]], 'and every name whole but the IPv6 address');

  const mid = chartLayout(pairs, { width: 500, height: 300 });
  t.equal(mid.swatches.length, 11, '500 × 300: every row and other');
  for (const pair of PAIRS.filter((p) => !p.includes(':'))) t.ok(names(mid).includes(pair), `500 × 300: ${pair} whole`);
  const v6 = names(mid).find((x) => x.startsWith('2001:'));
  t.match(v6, /^2001:db8:.*….* ↔ 2001:db8::1$/, 'a long IPv6 pair loses characters in the middle of its long side');

  const small = chartLayout(pairs, { width: 200, height: 200 });
  t.equal(small.legend.placement, 'below', '200 × 200: the legend under the plot');
  t.ok(small.swatches.every((s) => s.box.top > small.plot.bottom), 'under the plot');
  const listed = names(small);
  t.ok(listed.length >= 4, `200 × 200: ${listed.length} rows`);
  t.equal(listed[0], '192.168.100.200 ↔ 10.20.30.40', 'rank 1 named whole');
  t.equal(listed.at(-1), `ranks ${listed.length}–10 and other`, 'the last row says which ranks joined other');
  t.equal(small.swatches.at(-1)!.colour, '#cfcfcf', 'in the grey of other');
  t.same(small.swatches.slice(0, -1).map((s) => s.colour), SERIES_COLOURS.slice(0, listed.length - 1), 'the ranks shown keep their colours');
  t.ok(small.texts.every((x) => x.size >= 10), 'no text below 10 px');

  const ip = chartLayout(CHARTS['IP with countries, 10 rows and other']!, { width: 320, height: 240 });
  t.equal(ip.swatches.length, 11, '320 × 240, addresses: every row and other');
  t.ok(names(ip).some((x) => /^2001:db8:.*….*\(DE\)$/.test(x)), 'a shortened IPv6 address keeps its country');

  const wide = chartLayout(pairs, { width: 3000, height: 200 });
  t.equal(wide.legend.placement, 'below', 'a wide, low chart: under the plot, where every row fits …');
  t.equal(wide.swatches.length, 11);
  t.ok(new Set(wide.swatches.map((s) => s.box.top)).size < 11, '… in columns side by side');
  const squat = chartLayout(pairs, { width: 420, height: 200 });
  t.ok(squat.swatches.length < 11 && squat.swatches.length >= 4, `420 × 200: as many rows as there is room for (${squat.swatches.length}) …`);
  t.ok(squat.texts.every((x) => x.size >= 10), '… at 10 px or more');
  const tall = chartLayout(pairs, { width: 200, height: 2000 });
  t.equal(tall.legend.placement, 'below');
  t.equal(tall.swatches.length, 11, 'a narrow, tall chart: every row under the plot');
});

t.test('names shortened in the middle; ranks folded into other', async (t) => {
  t.equal(fitLabel('10.0.0.1', 100, 12), '10.0.0.1', 'a name that fits is whole');
  const ip6 = '2001:db8:85a3::8a2e:370:7334 (DE)';
  const cut = fitLabel(ip6, 120, 12);
  t.match(cut, /^2001:db8.*….*\(DE\)$/, 'the start and the country stay');
  t.ok(textWidth(cut, 12) <= 120, 'and it fits');
  const pair = fitLabel('2001:db8:85a3::8a2e:370:7334 ↔ 10.0.0.2', 200, 12);
  t.match(pair, /^2001:db8.*….* ↔ 10\.0\.0\.2$/, 'a pair: the short side whole, the long one cut');
  t.ok(textWidth(pair, 12) <= 200);
  const both = fitLabel('2001:db8:85a3::8a2e:370:7334 ↔ 2001:db8:85a3::8a2e:370:7335', 260, 12);
  t.match(both, /^2001:db8.*…\S*7334 ↔ 2001:db8.*…\S*7335$/, 'both sides cut, each keeps its start and end');
  t.ok(textWidth(both, 12) <= 260);
  t.equal(fitLabel('10.0.0.1', 5, 12), '', 'no room: nothing');
  t.ok(textWidth('↔', 10) < textWidth('WW', 10), 'the arrows are measured, not taken for wide glyphs');

  const entries = chartEntries(CHARTS['IPPAIR, 10 rows and other']!, slices);
  t.equal(entries.length, 11);
  t.equal(foldEntries(entries, 11), entries, 'room for every row: nothing folded');
  const four = foldEntries(entries, 4);
  t.same(four.map((e) => e.label), [PAIRS[0], PAIRS[1], PAIRS[2], 'ranks 4–10 and other']);
  t.equal(four[3]!.values[0], entries.slice(3).reduce((a, e) => a + e.values[0]!, 0), 'the grey holds the folded ranks and other');
  t.equal(four[3]!.total, undefined, 'and no total (unique counts do not add up)');
  const noOther = chartEntries(CHARTS['ports, no other, no totals']!, slices);
  t.same(foldEntries(noOther, 3).map((e) => e.label).at(-1), 'ranks 3–5');
  t.same(foldEntries(noOther, 4).map((e) => e.label).at(-1), 'ranks 4–5');
});

/** Connected blocks of one exact colour that are nearly full squares of 7 to 40 px: the legend's swatches, never areas or text. */
function swatchBlocks(png: PNG): { colour: string; left: number; top: number; right: number; bottom: number }[] {
  const W = png.width;
  const H = png.height;
  const rgb = new Uint32Array(W * H);
  for (let p = 0; p < W * H; p++) rgb[p] = (png.data[p * 4]! << 16) | (png.data[p * 4 + 1]! << 8) | png.data[p * 4 + 2]!;
  const seen = new Uint8Array(W * H);
  const out: { colour: string; left: number; top: number; right: number; bottom: number }[] = [];
  for (let start = 0; start < W * H; start++) {
    if (seen[start] || rgb[start] === 0xffffff) continue;
    const c = rgb[start]!;
    seen[start] = 1;
    let [left, top, right, bottom, count] = [W, H, 0, 0, 0];
    const stack = [start];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % W;
      const y = (p - x) / W;
      count++;
      [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
      for (const q of [x + 1 < W ? p + 1 : -1, x > 0 ? p - 1 : -1, y + 1 < H ? p + W : -1, y > 0 ? p - W : -1]) {
        if (q < 0 || seen[q] || rgb[q] !== c) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
    const w = right - left + 1;
    const h = bottom - top + 1;
    if (w >= 7 && h >= 7 && w <= 40 && h <= 40 && Math.abs(w - h) <= 1 && count >= 0.95 * w * h) out.push({ colour: `#${c.toString(16).padStart(6, '0')}`, left, top, right, bottom });
  }
  return out;
}

t.test('the pixels at small and usual sizes: a margin left blank, a swatch for every colour drawn', async (t) => {
  process.env.TZ = 'UTC';
  const cases: [string, number, number][] = [
    ['IPPAIR, 10 rows and other', 200, 200],
    ['IP with countries, 10 rows and other', 200, 200],
    ['IPPAIR, 10 rows and other', 320, 240],
    ['IPPAIR, 10 rows and other', 500, 300],
    ['IP with countries, 10 rows and other', 500, 300],
    ['AS names over three days', 640, 320],
  ];
  for (const [name, W, H] of cases) {
    const chart = CHARTS[name]!;
    const svg = renderChartSvg(chart, { width: W, height: H });
    const sizes = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
    t.ok(sizes.length > 10 && sizes.every((s) => s >= 10), `${name} at ${W}×${H}: every text 10 px or more (smallest ${Math.min(...sizes)})`);
    const png = PNG.sync.read(await encodeChart(svg, 'png'));
    t.same([png.width, png.height], [W, H]);
    // nothing reaches the edge: a name cut by the edge would leave dark pixels there
    let edge = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x < 3 || y < 3 || x >= W - 3 || y >= H - 3) && colourAt(png, x, y) !== '#ffffff') edge++;
    t.equal(edge, 0, `${name} at ${W}×${H}: a blank margin of 3 px`);
    const swatches = swatchBlocks(png);
    const swatchColours = new Set(swatches.map((s) => s.colour));
    t.equal(swatchColours.size, swatches.length, 'one swatch per colour');
    t.ok(swatches.length >= 4, `${swatches.length} swatches`);
    const areaColours = solidColours(png, 0, W, 0, H);
    for (const c of areaColours) t.ok(swatchColours.has(c), `${W}×${H}: the colour ${c} drawn has a swatch`);
    // the names beside the swatches are drawn in the text colours only: no plot or swatch under them
    const layout = chartLayout(chart, { width: W, height: H });
    t.equal(swatches.length, layout.swatches.length, 'the swatches drawn are those laid out');
    for (const x of layout.texts.filter((x) => x.role === 'legend')) {
      const h = histogram(png, Math.floor(x.box.left), Math.ceil(x.box.right), Math.floor(x.box.top), Math.ceil(x.box.bottom));
      const coloured = [...h.keys()].filter((c) => swatchColours.has(c) || SERIES_COLOURS.includes(c));
      t.same(coloured, [], `'${x.text}' is not drawn over colour`);
      const ink = [...h].filter(([c]) => parseInt(c.slice(1, 3), 16) < 100).reduce((a, [, n]) => a + n, 0);
      t.ok(ink > 10, `'${x.text}' is drawn (${ink} dark pixels)`);
    }
  }
});
