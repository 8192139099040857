// ftth's rule: -bt, the threshold, applies to the rate per -bw seconds (default 60) of the measure;
// both read and checked before any connection.

import type { OptionDef, ParsedOptions } from '@opentraq/cli';
import { readWholeNumber } from '@opentraq/cli';
import { DEFAULT_THRESHOLD } from '../params/detectoroptions.js';
import { readDecimal } from '../params/readdecimal.js';

export const DEFAULT_RATE_S = 60;
const MAX_RATE_S = 86_400;

export const RATE_OPTION: OptionDef = {
  name: 'bw',
  long: ['rate-window'],
  kind: 'value',
  arg: 'SECONDS',
  example: '10',
  group: 'Detector',
  help: `-bt is a rate per this many seconds: the window's value × SECONDS / -bi (1–${MAX_RATE_S})`,
  defaultText: String(DEFAULT_RATE_S),
};

export interface RateRule {
  /** -bt: a rate above it raises an alert. */
  readonly threshold: number;
  /** -bw: the seconds the rate is per. */
  readonly perS: number;
}

export function readRateRule(parsed: ParsedOptions): RateRule {
  const perS = readWholeNumber(parsed, 'bw', 1, MAX_RATE_S, 'a number of seconds for the rate') ?? DEFAULT_RATE_S;
  const threshold = readDecimal(parsed, 'bt', { min: 0, max: 1e15 }, 'a threshold') ?? DEFAULT_THRESHOLD;
  return { threshold, perS };
}
