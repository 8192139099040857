// Window bounds as the alert lines print them: local time to the second (`10/15/2012 16:20:00`),
// and UTC epoch seconds for JSON and the server's records.

import { formatLocalTime } from '@opentraq/core';

/** `MM/DD/YYYY hh:mm:ss` in the local time zone; window bounds are whole seconds. */
export function formatWindowTime(ms: number): string {
  return formatLocalTime(Math.round(ms) * 1000).slice(0, 19);
}

/** µs since the epoch as UTC epoch seconds (a number with the µs fraction). */
export function epochSeconds(us: number): number {
  return Math.round(us) / 1_000_000;
}
