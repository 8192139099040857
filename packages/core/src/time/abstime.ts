// The absolute times of -te/-tl: `MM/DD/YY[YY] hh:mm[:ss[.ffffff]]` in local time (TZ),
// or ISO-8601 with an explicit offset or Z. Returns µs since the epoch.

import { civilFromUs, civilToUs, daysInMonth, MONTH_NAMES, pad, type CivilDateTime } from './civil.js';
import { localZoneName, resolveLocal } from './localzone.js';
import { TimeError, type TimeErrorCode, type TimeOption } from './timeerror.js';

export const ABS_TIME_FORMAT = 'MM/DD/YY[YY] hh:mm[:ss[.ffffff]]';
const EXPECTED = `expected ${ABS_TIME_FORMAT} (e.g. 10/15/2012 16:20:00) or ISO-8601 with an offset (e.g. 2012-10-15T16:20:00Z)`;

/**
 * Years accepted: µs since the epoch stay exact integers until 2255; the lower bound lets any
 * instant since the epoch, printed in any zone (12/31/1969 19:00 in New York), be read back.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

// Loose shapes first, so a wrong field gets a message about that field rather than "bad format".
const US_DATE = /^(\d+)\/(\d+)\/(\d+)(?:(?:\s+|[-Tt])(.*))?$/d;
const ISO_DATE = /^(\d{4})-(\d+)-(\d+)(?:[Tt ](.*?))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/d;
const TIME = /^(\d+):(\d+)(?::(\d+)(?:[.,](\d+))?)?$/d;

type Fail = (code: TimeErrorCode, detail: string, position?: number) => never;

interface Field {
  text: string;
  position: number;
}

/**
 * Parse an absolute time to µs since the epoch. MM/DD/YY forms are local time (TZ); two-digit years
 * 00-69 are 2000-2069 and 70-99 are 1970-1999; a missing time is midnight. A local time that occurs
 * twice (DST fall-back) is the earlier instant; one that never occurs (spring-forward gap) is an error.
 * `option` only labels error messages.
 */
export function parseAbsTime(text: string, option?: TimeOption): number {
  const lead = text.length - text.trimStart().length;
  const body = text.trim();
  const fail: Fail = (code, detail, position) => {
    throw new TimeError(code, detail, {
      ...(option && { option }),
      value: text,
      ...(position !== undefined && { position: position + lead }),
    });
  };
  if (body === '') fail('EMPTY', EXPECTED);

  const field = (m: RegExpExecArray, k: number): Field | undefined =>
    m[k] === undefined ? undefined : { text: m[k]!, position: m.indices![k]![0] };

  const iso = ISO_DATE.exec(body);
  if (iso) {
    const time = field(iso, 4);
    const offset = field(iso, 5);
    if (time === undefined || time.text === '' || offset === undefined) {
      fail('BAD_FORMAT', `an ISO-8601 time needs a time of day and an explicit offset or Z (e.g. 2012-10-15T16:20:00Z or 2012-10-15T16:20:00+02:00); for local time write 10/15/2012 16:20:00`);
    }
    const t = checkFields(fail, field(iso, 1)!, field(iso, 2)!, field(iso, 3)!, time);
    return civilToUs(t) - offsetUs(fail, offset);
  }

  const us = US_DATE.exec(body);
  if (!us) {
    if (/^\d{4}[/.]/.test(body)) fail('BAD_FORMAT', `dates are month first: MM/DD/YYYY; ${EXPECTED}`, 0);
    fail('BAD_FORMAT', EXPECTED);
  }
  if (us[1]!.length === 4) fail('BAD_FORMAT', `dates are month first: MM/DD/YYYY, not YYYY/MM/DD; ${EXPECTED}`, 0);
  const t = checkFields(fail, expandYear(fail, field(us, 3)!), field(us, 1)!, field(us, 2)!, field(us, 4));
  const wall = civilToUs(t);
  const r = resolveLocal(wall);
  if (r.kind === 'unique') return r.us;
  if (r.kind === 'ambiguous') return r.earlier;
  const from = civilFromUs(r.gapStartWallUs);
  const to = civilFromUs(r.gapEndWallUs);
  return fail(
    'NONEXISTENT_TIME',
    `${clock(t)} does not exist on ${pad(t.month, 2)}/${pad(t.day, 2)}/${t.year} in ${localZoneName()}: ` +
      `the clocks jumped from ${clock(from)} to ${clock(to)}; give a time outside that gap, or ISO-8601 with an offset`,
  );
}


function expandYear(fail: Fail, y: Field): Field {
  if (y.text.length === 4) return y;
  if (y.text.length !== 2) return fail('BAD_YEAR', `year '${y.text}' must have 2 or 4 digits; ${EXPECTED}`, y.position);
  const n = Number(y.text);
  return { text: String(n < 70 ? 2000 + n : 1900 + n), position: y.position };
}

function checkFields(fail: Fail, y: Field, mo: Field, d: Field, time: Field | undefined): CivilDateTime {
  const year = Number(y.text);
  const month = Number(mo.text);
  const day = Number(d.text);
  if (mo.text.length > 2) fail('BAD_MONTH', `month '${mo.text}' must have 1 or 2 digits; ${EXPECTED}`, mo.position);
  if (d.text.length > 2) fail('BAD_DAY', `day '${d.text}' must have 1 or 2 digits; ${EXPECTED}`, d.position);
  if (month < 1 || month > 12) {
    const swapped = day >= 1 && day <= 12 ? ' (dates are month first: MM/DD)' : '';
    fail('BAD_MONTH', `month ${mo.text} is out of range (01-12)${swapped}; expected ${ABS_TIME_FORMAT}`, mo.position);
  }
  if (year < MIN_YEAR || year > MAX_YEAR) fail('BAD_YEAR', `year ${year} is out of range (${MIN_YEAR}-${MAX_YEAR})`, y.position);
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) {
    const leap = month === 2 && day === 29 ? `; ${year} is not a leap year` : '';
    fail('BAD_DAY', `day ${d.text} is out of range for ${MONTH_NAMES[month - 1]} ${year} (01-${last}${leap}); expected ${ABS_TIME_FORMAT}`, d.position);
  }
  const t: CivilDateTime = { year, month, day, hour: 0, minute: 0, second: 0, micro: 0 };
  if (time === undefined) return t;

  const m = TIME.exec(time.text);
  if (!m) fail('BAD_FORMAT', `time '${time.text}' must be hh:mm, hh:mm:ss or hh:mm:ss.ffffff; ${EXPECTED}`, time.position);
  const part = (k: number): Field | undefined =>
    m[k] === undefined ? undefined : { text: m[k], position: time.position + m.indices![k]![0] };
  const h = part(1)!;
  const mi = part(2)!;
  const s = part(3);
  const f = part(4);
  if (h.text.length > 2) fail('BAD_HOUR', `hour '${h.text}' must have 1 or 2 digits; expected ${ABS_TIME_FORMAT}`, h.position);
  if (Number(h.text) > 23) fail('BAD_HOUR', `hour ${h.text} is out of range (00-23); expected ${ABS_TIME_FORMAT}`, h.position);
  if (mi.text.length !== 2) fail('BAD_MINUTE', `minute '${mi.text}' must have 2 digits; expected ${ABS_TIME_FORMAT}`, mi.position);
  if (Number(mi.text) > 59) fail('BAD_MINUTE', `minute ${mi.text} is out of range (00-59); expected ${ABS_TIME_FORMAT}`, mi.position);
  if (s && s.text.length !== 2) fail('BAD_SECOND', `second '${s.text}' must have 2 digits; expected ${ABS_TIME_FORMAT}`, s.position);
  if (s && Number(s.text) > 59) fail('BAD_SECOND', `second ${s.text} is out of range (00-59); expected ${ABS_TIME_FORMAT}`, s.position);
  if (f && f.text.length > 6) {
    fail('BAD_FORMAT', `'${f.text}' has more than 6 fraction digits; times are exact to the microsecond (.ffffff)`, f.position);
  }
  t.hour = Number(h.text);
  t.minute = Number(mi.text);
  t.second = s ? Number(s.text) : 0;
  t.micro = f ? Number(f.text.padEnd(6, '0')) : 0;
  return t;
}

function offsetUs(fail: Fail, o: Field): number {
  if (o.text === 'Z' || o.text === 'z') return 0;
  const sign = o.text[0] === '-' ? -1 : 1;
  const digits = o.text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) {
    fail('BAD_OFFSET', `offset ${o.text} is out of range (-23:59 to +23:59); e.g. +02:00 or Z`, o.position);
  }
  return sign * (hours * 60 + minutes) * 60_000_000;
}

function clock(t: CivilDateTime): string {
  return `${pad(t.hour, 2)}:${pad(t.minute, 2)}${t.second || t.micro ? ':' + pad(t.second, 2) : ''}`;
}
