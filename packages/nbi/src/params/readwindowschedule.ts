// The window parameters of the detectors that check windows of their own length (ftth, ftbl): -bi,
// the window and how often one is checked, and -bd, the settling delay — read and checked.

import { UsageError, readWholeNumber, type OptionDef, type ParsedOptions } from '@opentraq/cli';
import type { WindowSchedule } from '../engine/fixedwindowdetector.js';
import { DEFAULT_SETTLE_S } from './detectoroptions.js';

const MIN_INTERVAL_S = 10;
const HOUR_S = 3600;

/** -bi with this detector's default (ftth 300, ftbl 120). */
export function intervalOption(defaultS: number): OptionDef {
  return {
    name: 'bi',
    long: ['interval'],
    kind: 'value',
    arg: 'SECONDS',
    example: '300',
    group: 'Detector',
    help: 'length of a window in seconds, also how often one is checked; divides an hour (60, 120, 300, 600, 900, 1800, 3600 ...)',
    defaultText: String(defaultS),
  };
}

/** -bi and -bd; -bi must divide an hour, so that windows end on round clock times (16:55:00, 17:00:00). */
export function readWindowSchedule(parsed: ParsedOptions, defaultIntervalS: number): WindowSchedule {
  const intervalS = readWholeNumber(parsed, 'bi', MIN_INTERVAL_S, HOUR_S, 'a window length in seconds') ?? defaultIntervalS;
  if (HOUR_S % intervalS !== 0) {
    const below = [...Array(intervalS).keys()].reverse().find((s) => s >= MIN_INTERVAL_S && HOUR_S % s === 0);
    const above = [...Array(HOUR_S + 1).keys()].find((s) => s > intervalS && HOUR_S % s === 0);
    const near = [below, above].filter((s): s is number => s !== undefined).join(' or ');
    throw new UsageError(
      'BAD_VALUE',
      `${parsed.spelling('bi')} ${intervalS} does not divide an hour: windows end on round clock times (16:55:00, 17:00:00), so give seconds that divide 3600, e.g. ${near}`,
    );
  }
  const settleS = readWholeNumber(parsed, 'bd', 0, 3600, 'a settling delay in seconds') ?? DEFAULT_SETTLE_S;
  return { windowMs: intervalS * 1000, settleMs: settleS * 1000 };
}
