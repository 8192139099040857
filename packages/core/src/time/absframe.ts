// The frame between two absolute times, as given to -te and -tl.
// Both ends are parsed with parseAbsTime; the start must come strictly before the end.

import { parseAbsTime } from './abstime.js';
import { formatLocalTime } from './formattime.js';
import { TimeError } from './timeerror.js';
import type { TimeFrame } from './timeframe.js';

export function absFrame(start: string, end: string): TimeFrame {
  const fromUs = parseAbsTime(start, '-te');
  const toUs = parseAbsTime(end, '-tl');
  if (fromUs === toUs) {
    throw new TimeError(
      'ZERO_LENGTH',
      `-te '${start}' and -tl '${end}' are the same instant (${formatLocalTime(fromUs)}): a zero-length frame selects nothing; the start must be before the end`,
      { option: '-tl' },
    );
  }
  if (fromUs > toUs) {
    throw new TimeError(
      'START_AFTER_END',
      `-te '${start}' (${formatLocalTime(fromUs)}) is after -tl '${end}' (${formatLocalTime(toUs)}): the start must be before the end; swap them?`,
      { option: '-te' },
    );
  }
  return { fromUs, toUs };
}
