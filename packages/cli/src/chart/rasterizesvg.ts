// SVG to pixels with resvg (a native module, loaded only when a chart is drawn) and the DejaVu fonts
// of the dejavu-fonts-ttf package — never the system's fonts, so a chart looks the same on every machine.

import { createRequire } from 'node:module';

export interface Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, premultiplied by alpha, top row first. */
  readonly pixels: Buffer;
  png(): Buffer;
}

type ResvgModule = typeof import('@resvg/resvg-js');

async function loadResvg(): Promise<ResvgModule> {
  const m = (await import('@resvg/resvg-js')) as ResvgModule & { default?: ResvgModule };
  return m.Resvg === undefined ? m.default! : m;
}

/** The font files the chart text is set in (regular and bold). */
export function chartFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

export async function rasterizeSvg(svg: string): Promise<Raster> {
  const { Resvg } = await loadResvg();
  const image = new Resvg(svg, {
    font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  }).render();
  return { width: image.width, height: image.height, pixels: image.pixels, png: () => image.asPng() };
}
