// The tool's own time zone as the API parameter tz=, so that the server writes CSV times and counts the
// calendar units of -tn in the zone the person at the terminal lives in (TZ), not in the server's.

import type { Environment } from './serveraddress.js';

/** `name` as Intl spells it (`utc` → `UTC`), or undefined when this machine's time zone data does not know it. */
function knownZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** TZ without glibc's optional leading colon (`:Europe/Berlin`). */
function tzName(tz: string): string {
  return tz.replace(/^:/, '');
}

/**
 * TZ when it is set to a zone this machine does not know (`Bogus/Zone`, a POSIX rule such as
 * `CET-1CEST`): Node then reads and prints every time in UTC, and the person should hear it once.
 */
export function unknownTimeZone(env: Environment): string | undefined {
  const tz = env['TZ'];
  if (tz === undefined || tzName(tz) === '') return undefined;
  return knownZone(tzName(tz)) === undefined ? tz : undefined;
}

/**
 * The zone of this process as an IANA name: TZ's (UTC when TZ is empty, as POSIX says, or unknown, as
 * Node then keeps time), else the system's; undefined when there is none (the server's zone applies).
 */
export function toolTimeZone(env: Environment = process.env): string | undefined {
  const tz = env['TZ'];
  if (tz !== undefined) return tzName(tz) === '' ? 'UTC' : (knownZone(tzName(tz)) ?? 'UTC');
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  if (name === undefined || name === '' || name === 'Etc/Unknown') return undefined;
  // a name this machine's time zone data cannot use would be refused by the server too
  return knownZone(name);
}

/** `{tz: NAME}` for a request, or nothing (the server's zone then applies). */
export function timeZoneParams(): Readonly<Record<string, string>> {
  const zone = toolTimeZone();
  return zone === undefined ? {} : { tz: zone };
}
