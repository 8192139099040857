// Writes a chart to its file in the format its extension asks for: the SVG itself, or the SVG
// rasterised to PNG or uncompressed TGA. A file that cannot be written is a runtime failure (exit 1).

import { writeFile } from 'node:fs/promises';
import { RuntimeFailure } from '../common/clierror.js';
import { encodeTga } from './encodetga.js';
import { rasterizeSvg } from './rasterizesvg.js';

export type ChartFormat = 'png' | 'tga' | 'svg';

/** The bytes of `svg` in `format`. */
export async function encodeChart(svg: string, format: ChartFormat): Promise<Buffer> {
  if (format === 'svg') return Buffer.from(svg, 'utf8');
  const raster = await rasterizeSvg(svg);
  return format === 'png' ? raster.png() : encodeTga(raster.pixels, raster.width, raster.height);
}

export async function writeChart(file: string, svg: string, format: ChartFormat): Promise<void> {
  const bytes = await encodeChart(svg, format);
  try {
    await writeFile(file, bytes);
  } catch (e) {
    throw new RuntimeFailure('NOT_AVAILABLE', `cannot write the chart to ${file}: ${(e as Error).message}`);
  }
}
