// Window bounds on the local clock for the detectors whose windows have a length of their own (ftth
// and ftbl, -bi): any length that divides an hour, so that windows read 16:55:00–17:00:00 everywhere.

const HOUR_MS = 3_600_000;

/**
 * The latest instant at or before `ms` at which the local clock (TZ) shows a whole multiple of
 * `unitMs` within its hour. By the local clock's minutes, so that zones whose offset is not a whole
 * hour (+05:30, +05:45) get round windows too, and daylight-saving changes keep them aligned.
 */
export function clockFloor(ms: number, unitMs: number): number {
  if (!(Number.isInteger(unitMs) && unitMs >= 1000 && HOUR_MS % unitMs === 0 && unitMs % 1000 === 0)) {
    throw new RangeError(`clockFloor: ${unitMs} ms is not a whole number of seconds that divides an hour`);
  }
  const d = new Date(ms);
  const intoHour = (d.getMinutes() * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
  return ms - (intoHour % unitMs);
}
