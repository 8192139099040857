// How busy the generated network is at a given moment (UTC): working hours against night,
// weekdays against weekends. The start clock spreads sessions by it.

const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 86_400_000_000;

/** Relative activity at each full UTC hour on a working day; linear in between. */
const WEEKDAY_HOURS = [0.18, 0.14, 0.12, 0.11, 0.12, 0.16, 0.28, 0.5, 0.8, 0.95, 1, 0.98, 0.85, 0.93, 1, 0.98, 0.9, 0.7, 0.5, 0.42, 0.38, 0.34, 0.28, 0.22];
/** Weekends: a flatter, lower curve. */
const WEEKEND_BASE = 0.1;
const WEEKEND_SCALE = 0.25;

/**
 * Relative session rate at a time (µs since the epoch, UTC): busy in working hours, quiet at night,
 * weekends well below weekdays. Without the generator's random burstiness.
 */
export function dailyRhythm(tUs: number): number {
  const dayIndex = Math.floor(tUs / US_PER_DAY);
  const inDay = tUs - dayIndex * US_PER_DAY;
  const h = Math.floor(inDay / US_PER_HOUR);
  const f = (inDay - h * US_PER_HOUR) / US_PER_HOUR;
  const v = WEEKDAY_HOURS[h]! + (WEEKDAY_HOURS[(h + 1) % 24]! - WEEKDAY_HOURS[h]!) * f;
  // 1970-01-01 was a Thursday: day 0 → weekday 4 (0 = Sunday).
  const dow = (((dayIndex + 4) % 7) + 7) % 7;
  return dow === 0 || dow === 6 ? WEEKEND_BASE + WEEKEND_SCALE * v : v;
}

