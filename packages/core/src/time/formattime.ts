// Printing instants: local wall-clock time for people, UTC epoch seconds for JSON.
// Integer arithmetic on the µs value throughout, so no digit ever drifts.

import { floorMod, pad, US_PER_SECOND } from './civil.js';
import { localFields } from './localzone.js';

function checkUs(us: number, fn: string): void {
  if (!Number.isSafeInteger(us)) throw new RangeError(`${fn}: expected an integer number of µs since the epoch, got ${us}`);
}

/**
 * `MM/DD/YYYY hh:mm:ss.ffffff` in the local time zone (TZ). During a DST fall-back hour the two
 * occurrences print alike, as on any wall clock; parseAbsTime reads such a time as the earlier one.
 */
export function formatLocalTime(us: number): string {
  checkUs(us, 'formatLocalTime');
  const t = localFields(us);
  return (
    `${pad(t.month, 2)}/${pad(t.day, 2)}/${pad(t.year, 4)} ` +
    `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(t.micro, 6)}`
  );
}

/** Seconds since the epoch (UTC) with exactly six fraction digits, e.g. `1350318000.000001`. */
export function formatUtcEpoch(us: number): string {
  checkUs(us, 'formatUtcEpoch');
  const abs = Math.abs(us);
  const frac = floorMod(abs, US_PER_SECOND);
  return `${us < 0 ? '-' : ''}${(abs - frac) / US_PER_SECOND}.${pad(frac, 6)}`;
}
