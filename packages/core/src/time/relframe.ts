// Turns a RelTime into the frame that ends now, counting calendar units back in local time.
// Calendar units (y M w d) move the local wall clock; time units (h m s) are exact durations.

import { civilFromUs, civilToUs, daysInMonth, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND } from './civil.js';
import { LOCAL_ZONE, localWallUs, resolveLocal, type ZoneOffset } from './localzone.js';
import type { RelTime } from './reltime.js';
import type { TimeFrame } from './timeframe.js';

/**
 * The frame of length `rel` ending at `now` (a Date, or µs since the epoch).
 *
 * Years, months, weeks and days go back on the local calendar (TZ) to the same wall-clock time:
 * `1d` across a DST change is 23 or 25 hours, `1M` from March 31 lands on the last day of February.
 * Years and months are applied first (clamping the day), then weeks and days, then hours, minutes and
 * seconds as exact durations — the order of ISO 8601 / Temporal. A wall-clock time that falls in a
 * spring-forward gap moves forward by the gap; one that occurs twice takes the earlier instant.
 * `zone` counts the calendar in another zone than the local one (a client's).
 */
export function relFrame(rel: RelTime, now: Date | number, zone: ZoneOffset = LOCAL_ZONE): TimeFrame {
  const toUs = typeof now === 'number' ? now : now.getTime() * 1000;
  if (!Number.isSafeInteger(toUs)) throw new RangeError(`relFrame: now must be an integer number of µs, got ${String(now)}`);

  let anchor = toUs;
  if (rel.years || rel.months || rel.weeks || rel.days) {
    const wall = civilFromUs(localWallUs(toUs, zone));
    const monthIndex = wall.year * 12 + (wall.month - 1) - (rel.years * 12 + rel.months);
    const year = Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    const day = Math.min(wall.day, daysInMonth(year, month));
    const backWall = civilToUs({ ...wall, year, month, day }) - (rel.weeks * 7 + rel.days) * US_PER_DAY;
    const r = resolveLocal(backWall, zone);
    anchor = r.kind === 'unique' ? r.us : r.kind === 'ambiguous' ? r.earlier : r.shifted;
  }
  const fromUs = anchor - (rel.hours * US_PER_HOUR + rel.minutes * US_PER_MINUTE + rel.seconds * US_PER_SECOND);
  return { fromUs, toUs };
}
