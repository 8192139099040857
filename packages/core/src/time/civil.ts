// Proleptic Gregorian calendar arithmetic on plain integers, independent of any time zone.
// Exact for every µs value a JS number holds as an integer, with none of Date's two-digit-year quirks.

export const US_PER_SECOND = 1_000_000;
export const US_PER_MINUTE = 60 * US_PER_SECOND;
export const US_PER_HOUR = 60 * US_PER_MINUTE;
export const US_PER_DAY = 24 * US_PER_HOUR;

export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

/** Floor division of integers; exact for safe integers because the dividend is made divisible first. */
export function floorDiv(a: number, b: number): number {
  return (a - floorMod(a, b)) / b;
}

export function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the given date (month 1-12); Howard Hinnant's days_from_civil. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export interface CivilDateTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  micro: number;
}

/** A wall-clock reading counted in µs as if it were UTC; the form local-time arithmetic works in. */
export function civilToUs(t: CivilDateTime): number {
  return (
    daysFromCivil(t.year, t.month, t.day) * US_PER_DAY +
    t.hour * US_PER_HOUR +
    t.minute * US_PER_MINUTE +
    t.second * US_PER_SECOND +
    t.micro
  );
}

export function civilFromUs(us: number): CivilDateTime {
  const date = civilFromDays(floorDiv(us, US_PER_DAY));
  const tod = floorMod(us, US_PER_DAY);
  return {
    ...date,
    hour: Math.floor(tod / US_PER_HOUR),
    minute: Math.floor((tod % US_PER_HOUR) / US_PER_MINUTE),
    second: Math.floor((tod % US_PER_MINUTE) / US_PER_SECOND),
    micro: tod % US_PER_SECOND,
  };
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
