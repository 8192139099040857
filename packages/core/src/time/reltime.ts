// The RELTIME language of -tn: `<integer><unit>` terms such as 15m, 1h30m, 1w2d, 3M.
// Parsing only; relFrame turns a RelTime into a frame ending now.

import { TimeError, type TimeErrorCode, type TimeOption } from './timeerror.js';

export interface RelTime {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  /** The canonical spelling, e.g. `1w2d` for `-1w2d`. */
  readonly text: string;
}

type Unit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';

/**
 * Units from the largest down, with their RelTime field and a nominal length in seconds for the size
 * limit (a Gregorian mean year of 365.2425 days, a twelfth of it for a month: both whole seconds).
 */
const UNITS: readonly { unit: Unit; field: Exclude<keyof RelTime, 'text'>; name: string; nominalSeconds: number }[] = [
  { unit: 'y', field: 'years', name: 'years', nominalSeconds: 31_556_952 },
  { unit: 'M', field: 'months', name: 'months', nominalSeconds: 2_629_746 },
  { unit: 'w', field: 'weeks', name: 'weeks', nominalSeconds: 604_800 },
  { unit: 'd', field: 'days', name: 'days', nominalSeconds: 86_400 },
  { unit: 'h', field: 'hours', name: 'hours', nominalSeconds: 3_600 },
  { unit: 'm', field: 'minutes', name: 'minutes', nominalSeconds: 60 },
  { unit: 's', field: 'seconds', name: 'seconds', nominalSeconds: 1 },
];

/** Longest accepted frame: generous for any flow archive, and keeps every µs value an exact integer. */
export const MAX_REL_YEARS = 100;

const UNIT_LIST = 's (seconds), m (minutes), h (hours), d (days), w (weeks), M (months), y (years)';
const EXAMPLES = 'e.g. 15m, 1h30m or 1w2d';

interface Term {
  count: number;
  unit: Unit;
  rank: number;
  position: number;
}

/**
 * Parse a RELTIME. A leading `-` is accepted and ignored (`-tn -3m`, for older scripts).
 * `option` only labels error messages.
 */
export function parseRelTime(text: string, option?: TimeOption): RelTime {
  const fail = (code: TimeErrorCode, detail: string, position?: number): never => {
    throw new TimeError(code, detail, { ...(option && { option }), value: text, ...(position !== undefined && { position }) });
  };
  const start = text.startsWith('-') ? 1 : 0;
  if (text.length === start) fail('EMPTY', `expected a relative time such as 15m, 1h30m or 1w2d; units are ${UNIT_LIST}`);

  const terms: Term[] = [];
  const re = /(\d*)([A-Za-z]*)/y;
  let i = start;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text)!;
    const digits = m[1]!;
    const letters = m[2]!;
    if (digits === '' && letters === '') {
      const ch = text[i]!;
      if (/\s/.test(ch)) fail('BAD_FORMAT', `spaces are not allowed between terms; write the terms together, ${EXAMPLES}`, i);
      if (ch === '-') fail('BAD_FORMAT', `only one leading '-' is accepted; a relative time always reaches back from now, ${EXAMPLES}`, i);
      fail('BAD_FORMAT', `unexpected '${ch}' at position ${i + 1}; expected <number><unit> terms, ${EXAMPLES}`, i);
    }
    if (digits === '') {
      const unit = UNITS.some((u) => u.unit === letters) ? letters : suggestUnit(letters);
      const notUnit = unit === letters ? '' : `, and '${letters}' is not a unit`;
      const example = unit === undefined ? EXAMPLES : `write e.g. 1${unit}`;
      fail('MISSING_NUMBER', `'${letters}' has no number before it${notUnit}; ${example} (units: ${UNIT_LIST})`, i);
    }
    if (letters === '') {
      const next = text[i + digits.length];
      if (next === '.' || next === ',') {
        fail('BAD_NUMBER', `fractions are not accepted; use whole numbers of a smaller unit, e.g. 1h30m instead of 1.5h`, i + digits.length);
      }
      fail('MISSING_UNIT', `the number ${digits} has no unit; write e.g. ${digits}m for minutes or ${digits}s for seconds (units: ${UNIT_LIST})`, i);
    }
    const rank = UNITS.findIndex((u) => u.unit === letters);
    if (rank < 0) fail('BAD_UNIT', badUnitDetail(letters), i + digits.length);
    terms.push({ count: Number(digits), unit: letters as Unit, rank, position: i });
    i += digits.length + letters.length;
  }

  const counts = new Map<Unit, number>();
  for (const t of terms) counts.set(t.unit, (counts.get(t.unit) ?? 0) + t.count);
  const canonical = UNITS.filter((u) => (counts.get(u.unit) ?? 0) > 0)
    .map((u) => `${counts.get(u.unit)}${u.unit}`)
    .join('');

  const seen = new Set<Unit>();
  for (const t of terms) {
    if (seen.has(t.unit)) {
      const u = UNITS[t.rank]!;
      fail('REPEATED_UNIT', `unit ${u.unit} (${u.name}) is given more than once; give each unit at most once, e.g. ${canonical}`, t.position);
    }
    seen.add(t.unit);
  }
  for (let k = 1; k < terms.length; k++) {
    if (terms[k]!.rank < terms[k - 1]!.rank) {
      fail('ORDER', `the terms are out of order; give larger units first, e.g. ${canonical}`, terms[k]!.position);
    }
  }

  const rel = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0, text: canonical };
  let nominalSeconds = 0;
  for (const t of terms) {
    const u = UNITS[t.rank]!;
    rel[u.field] = t.count;
    nominalSeconds += t.count * u.nominalSeconds;
  }
  if (nominalSeconds === 0) fail('ZERO_LENGTH', `a zero-length frame selects nothing; give a positive duration, ${EXAMPLES}`);
  if (nominalSeconds > MAX_REL_YEARS * UNITS[0]!.nominalSeconds) {
    fail('TOO_LARGE', `the frame is longer than the ${MAX_REL_YEARS}-year limit; give at most ${MAX_REL_YEARS}y, or an absolute frame with -te/-tl`);
  }
  return rel;
}

/** Spelled-out units people type out of habit, mapped to the letter they meant. */
const UNIT_WORDS: Readonly<Record<string, Unit>> = {
  sec: 's', secs: 's', second: 's', seconds: 's',
  min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  day: 'd', days: 'd',
  wk: 'w', wks: 'w', week: 'w', weeks: 'w',
  mo: 'M', mon: 'M', mos: 'M', month: 'M', months: 'M',
  yr: 'y', yrs: 'y', year: 'y', years: 'y',
};

/** The unit someone typing `letters` most likely meant: the other case of a letter, or a spelled-out word. */
function suggestUnit(letters: string): Unit | undefined {
  if (letters.length === 1) return UNITS.find((u) => u.unit !== letters && u.unit.toLowerCase() === letters.toLowerCase())?.unit;
  return UNIT_WORDS[letters.toLowerCase()];
}

function badUnitDetail(letters: string): string {
  const meant = suggestUnit(letters);
  const hint = meant === undefined ? '' : ` (did you mean ${meant} for ${UNITS.find((u) => u.unit === meant)!.name}?)`;
  return `unknown unit '${letters}'${hint}; units are single, case-sensitive letters: ${UNIT_LIST}`;
}
