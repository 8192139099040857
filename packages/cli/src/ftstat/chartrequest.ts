// The chart ftstat is asked to draw (-g FILE, -gx, -gy): the file's format from its extension, the
// size in pixels and a file that can be written, checked with the other parameters before anything is sent.

import fs from 'node:fs';
import path from 'node:path';
import type { ChartFormat } from '../chart/writechart.js';
import { UsageError } from '../common/clierror.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { readWholeNumber } from '../common/readwholenumber.js';

export interface ChartRequest {
  readonly file: string;
  readonly format: ChartFormat;
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_CHART_WIDTH = 800;
export const DEFAULT_CHART_HEIGHT = 400;
/** Slices of a chart when -w does not say (cli.md). */
export const DEFAULT_CHART_SLICES = 60;
/** Below this a chart has no room for its axes and legend; above it the pixels alone take hundreds of MB. */
const MIN_SIDE = 200;
const MAX_SIDE = 10_000;
const FORMATS: readonly ChartFormat[] = ['png', 'tga', 'svg'];

/** Fails unless `file` can be created or replaced: an existing directory, writable, and not itself a directory. */
function checkWritable(flag: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  let why: string | undefined;
  try {
    if (!fs.statSync(dir).isDirectory()) why = `${dir} is not a directory`;
    else if (fs.existsSync(file) && fs.statSync(file).isDirectory()) why = 'it is a directory';
    else fs.accessSync(fs.existsSync(file) ? file : dir, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    why = code === 'ENOENT' ? `the directory ${dir} does not exist` : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
  }
  if (why !== undefined) throw new UsageError('BAD_VALUE', `${flag} '${file}': the chart cannot be written there: ${why}`);
}

export function readChartRequest(parsed: ParsedOptions): ChartRequest | undefined {
  const file = parsed.value('g');
  if (file === undefined) return undefined;
  const ext = path.extname(file).slice(1).toLowerCase();
  if (file === '' || !FORMATS.includes(ext as ChartFormat)) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling('g')} '${file}': the chart file must end in .png, .tga or .svg (e.g. -g top.png)`);
  }
  const width = readWholeNumber(parsed, 'gx', MIN_SIDE, MAX_SIDE, 'a chart width in pixels') ?? DEFAULT_CHART_WIDTH;
  const height = readWholeNumber(parsed, 'gy', MIN_SIDE, MAX_SIDE, 'a chart height in pixels') ?? DEFAULT_CHART_HEIGHT;
  checkWritable(parsed.spelling('g'), file);
  return { file, format: ext as ChartFormat, width, height };
}
