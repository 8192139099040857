// The chart ftstat is asked to draw (-g FILE, -gx, -gy): the file's format from its extension and the
// size in pixels, checked with the other parameters before anything is sent.

import path from 'node:path';
import { UsageError } from '../common/clierror.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { readWholeNumber } from '../common/readwholenumber.js';

export type ChartFormat = 'png' | 'tga' | 'svg';

export interface ChartRequest {
  readonly file: string;
  readonly format: ChartFormat;
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_CHART_WIDTH = 800;
export const DEFAULT_CHART_HEIGHT = 400;
/** Below this a chart has no room for its axes and legend; above it the pixels alone take hundreds of MB. */
const MIN_SIDE = 200;
const MAX_SIDE = 10_000;
const FORMATS: readonly ChartFormat[] = ['png', 'tga', 'svg'];

export function readChartRequest(parsed: ParsedOptions): ChartRequest | undefined {
  const file = parsed.value('g');
  if (file === undefined) return undefined;
  const ext = path.extname(file).slice(1).toLowerCase();
  if (file === '' || !FORMATS.includes(ext as ChartFormat)) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling('g')} '${file}': the chart file must end in .png, .tga or .svg (e.g. -g top.png)`);
  }
  const width = readWholeNumber(parsed, 'gx', MIN_SIDE, MAX_SIDE, 'a chart width in pixels') ?? DEFAULT_CHART_WIDTH;
  const height = readWholeNumber(parsed, 'gy', MIN_SIDE, MAX_SIDE, 'a chart height in pixels') ?? DEFAULT_CHART_HEIGHT;
  return { file, format: ext as ChartFormat, width, height };
}
