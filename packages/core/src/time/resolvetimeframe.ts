// The one entry point for a tool's time-frame options: -tn, or -te with -tl, or the default 15m.
// Rejects the combinations time.md forbids before parsing any value.

import { absFrame } from './absframe.js';
import { relFrame } from './relframe.js';
import { parseRelTime } from './reltime.js';
import { TimeError } from './timeerror.js';
import type { TimeFrame } from './timeframe.js';

export const DEFAULT_REL_TIME = '15m';

export interface TimeFrameOptions {
  /** -tn RELTIME */
  tn?: string;
  /** -te START */
  te?: string;
  /** -tl END */
  tl?: string;
}

/** `now` is µs since the epoch (default: the current time). An empty string counts as given. */
export function resolveTimeFrame(opts: TimeFrameOptions, now: number = Date.now() * 1000): TimeFrame {
  const { tn, te, tl } = opts;
  if (tn !== undefined && (te !== undefined || tl !== undefined)) {
    const abs = [te !== undefined && '-te', tl !== undefined && '-tl'].filter(Boolean).join(' and ');
    throw new TimeError(
      'TN_WITH_TE',
      `-tn cannot be combined with ${abs}: give either a relative frame (-tn 1h) or an absolute one (-te START -tl END)`,
      { option: '-tn' },
    );
  }
  if (te !== undefined && tl === undefined) {
    throw new TimeError('TE_WITHOUT_TL', `-te '${te}' needs -tl END as well: an absolute frame has both a start (-te) and an end (-tl)`, {
      option: '-te',
    });
  }
  if (tl !== undefined && te === undefined) {
    throw new TimeError('TL_WITHOUT_TE', `-tl '${tl}' needs -te START as well: an absolute frame has both a start (-te) and an end (-tl)`, {
      option: '-tl',
    });
  }
  if (te !== undefined && tl !== undefined) return absFrame(te, tl);
  return relFrame(parseRelTime(tn ?? DEFAULT_REL_TIME, '-tn'), now);
}
