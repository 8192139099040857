// Absolute times: every accepted -te/-tl spelling, every field error, DST gaps and repeated hours
// in non-UTC zones, absFrame ordering, and exact microsecond printing (local and UTC epoch).
import t from 'tap';
import fc from 'fast-check';
import { absFrame, formatLocalTime, formatUtcEpoch, parseAbsTime, TimeError, type TimeErrorCode } from '../../src/time/index.js';
import { utc, withTZ } from './tz.js';

const H = 3_600_000_000;
type Asserts = Pick<typeof t, 'ok' | 'equal' | 'fail' | 'match'>;

function caught(t: Asserts, fn: () => unknown): TimeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TimeError) return e;
    throw e;
  }
  t.fail('expected a TimeError');
  return new TimeError('EMPTY', 'nothing was thrown');
}

/** Checks the code, that the message quotes the value, and optionally its wording and position. */
function fails(t: Asserts, text: string, code: TimeErrorCode, more?: RegExp, position?: number): void {
  const err = caught(t, () => parseAbsTime(text, '-te'));
  t.equal(err.code, code, `${text}: ${err.message}`);
  t.ok(err.message.startsWith(`-te '${text}': `), 'message starts with the option and quoted value');
  t.equal(err.option, '-te');
  if (more) t.match(err.message, more);
  if (position !== undefined) t.equal(err.position, position, 'position');
}

t.test('MM/DD/YY[YY] variants, in UTC', async (t) => {
  withTZ('UTC', () => {
    const at = utc(2012, 10, 15, 16, 20);
    for (const s of [
      '10/15/12 16:20',
      '10/15/2012 16:20',
      '10/15/12 16:20:00',
      '10/15/2012 16:20:00.0',
      '10/15/2012 16:20:00.000000',
      '10/15/12-16:20',
      '10/15/12T16:20:00',
      '10/15/12t16:20',
      '10/15/2012  16:20',
      ' 10/15/2012 16:20 ',
      '10/15/2012 16:20:00,000',
    ]) {
      t.equal(parseAbsTime(s), at, s);
    }
    t.equal(parseAbsTime('10/15/12'), utc(2012, 10, 15), 'no time part is midnight');
    t.equal(parseAbsTime('1/5/2012 9:05'), utc(2012, 1, 5, 9, 5), 'single-digit month, day and hour');
    t.equal(parseAbsTime('10/15/12 16:20:00.5'), at + 500_000, '.5 is half a second');
    t.equal(parseAbsTime('10/15/12 16:20:00.000001'), at + 1, 'microseconds');
    t.equal(parseAbsTime('10/15/12 16:20:59.999999'), at + 59_999_999);
    t.equal(parseAbsTime('12/31/2199 23:59:59.999999'), utc(2200, 1, 1) - 1, 'the last accepted instant is exact');
    t.equal(parseAbsTime('01/01/1970 00:00'), 0, 'the epoch');
    t.equal(parseAbsTime('12/31/1969 23:59:59.999999'), -1, 'four-digit years before 1970');
  });
});

t.test('two-digit years pivot at 70', async (t) => {
  withTZ('UTC', () => {
    t.equal(parseAbsTime('01/01/00'), utc(2000, 1, 1));
    t.equal(parseAbsTime('06/30/69'), utc(2069, 6, 30));
    t.equal(parseAbsTime('01/01/70'), utc(1970, 1, 1));
    t.equal(parseAbsTime('12/31/99 23:59'), utc(1999, 12, 31, 23, 59));
  });
});

t.test('leap years', async (t) => {
  withTZ('UTC', () => {
    t.equal(parseAbsTime('02/29/2024'), utc(2024, 2, 29));
    t.equal(parseAbsTime('02/29/00'), utc(2000, 2, 29), '2000 is a leap year (divisible by 400)');
    t.equal(parseAbsTime('02/29/1996 12:00'), utc(1996, 2, 29, 12));
  });
  fails(t, '02/29/2023', 'BAD_DAY', /day 29 is out of range for February 2023 \(01-28; 2023 is not a leap year\)/, 3);
  fails(t, '02/29/2100', 'BAD_DAY', /2100 is not a leap year/);
  fails(t, '02/30/2024', 'BAD_DAY', /01-29/);
});

t.test('ISO-8601 with an explicit offset or Z', async (t) => {
  withTZ('America/New_York', () => {
    t.equal(parseAbsTime('2012-10-15T16:20:00Z'), utc(2012, 10, 15, 16, 20), 'Z ignores TZ');
    t.equal(parseAbsTime('2012-10-15T16:20:00.123456+02:00'), utc(2012, 10, 15, 14, 20) + 123_456);
    t.equal(parseAbsTime('2012-10-15T16:20-0530'), utc(2012, 10, 15, 21, 50));
    t.equal(parseAbsTime('2012-10-15 16:20:00+02'), utc(2012, 10, 15, 14, 20), 'space and hour-only offset');
    t.equal(parseAbsTime('2012-10-15t16:20:00z'), utc(2012, 10, 15, 16, 20), 'lower-case t and z');
    t.equal(parseAbsTime('2012-03-11T02:30:00-05:00'), utc(2012, 3, 11, 7, 30), 'an offset makes a gap time unambiguous');
  });
  fails(t, '2012-10-15T16:20:00', 'BAD_FORMAT', /explicit offset or Z.*10\/15\/2012 16:20:00/);
  fails(t, '2012-10-15', 'BAD_FORMAT', /offset or Z/);
  fails(t, '2012-13-15T16:20:00Z', 'BAD_MONTH', /month 13/, 5);
  fails(t, '2012-02-30T16:20:00Z', 'BAD_DAY', /February 2012/);
  fails(t, '2012-10-15T25:20:00Z', 'BAD_HOUR', /hour 25/, 11);
  fails(t, '2012-10-15T16:20:00+24:00', 'BAD_OFFSET', /\+24:00/, 19);
  fails(t, '2012-10-15T16:20:00+02:60', 'BAD_OFFSET');
  fails(t, '2012-10-15T16:20:00.1234567Z', 'BAD_FORMAT', /6 fraction digits/);
});

t.test('field errors name the field, its range and the expected format', async (t) => {
  const format = /expected MM\/DD\/YY\[YY\] hh:mm\[:ss\[\.ffffff\]\]/;
  fails(t, '', 'EMPTY', format);
  fails(t, '   ', 'EMPTY');
  fails(t, 'yesterday', 'BAD_FORMAT', format);
  fails(t, '10-15-2012', 'BAD_FORMAT');
  fails(t, '2012/10/15 10:00', 'BAD_FORMAT', /month first/, 0);
  fails(t, '13/01/2012 10:00', 'BAD_MONTH', /month 13 is out of range \(01-12\) \(dates are month first: MM\/DD\); expected MM\/DD\/YY\[YY\] hh:mm\[:ss\[\.ffffff\]\]$/, 0);
  fails(t, '00/10/2012', 'BAD_MONTH', /month 00/);
  fails(t, '123/10/2012', 'BAD_MONTH');
  fails(t, '10/32/12', 'BAD_DAY', /day 32 is out of range for October 2012 \(01-31\)/, 3);
  fails(t, '04/31/12', 'BAD_DAY', /April 2012 \(01-30\)/);
  fails(t, '10/00/12', 'BAD_DAY');
  fails(t, '10/15/123', 'BAD_YEAR', /2 or 4 digits/, 6);
  fails(t, '10/15/1899', 'BAD_YEAR', /1900-2199/);
  fails(t, '10/15/2200', 'BAD_YEAR', /1900-2199/);
  fails(t, '10/15/12 24:00', 'BAD_HOUR', /hour 24 is out of range \(00-23\)/, 9);
  fails(t, '10/15/12 123:00', 'BAD_HOUR');
  fails(t, '10/15/12 10:60', 'BAD_MINUTE', /minute 60 is out of range \(00-59\)/, 12);
  fails(t, '10/15/12 10:5', 'BAD_MINUTE', /2 digits/);
  fails(t, '10/15/12 10:00:60', 'BAD_SECOND', /second 60 is out of range \(00-59\)/, 15);
  fails(t, '10/15/12 10:00:5', 'BAD_SECOND');
  fails(t, '10/15/12 10:00:00.1234567', 'BAD_FORMAT', /6 fraction digits/, 18);
  fails(t, '10/15/12 10', 'BAD_FORMAT', /hh:mm/);
  fails(t, '10/15/12 10:00 PM', 'BAD_FORMAT');
  fails(t, '10/15/12 10:00:00.', 'BAD_FORMAT');
  fails(t, ' 10/15/12 24:00', 'BAD_HOUR', undefined, 10);
});

t.test('local time across DST: gaps are errors, repeated hours take the earlier instant', async (t) => {
  withTZ('America/New_York', () => {
    t.equal(parseAbsTime('10/15/12 16:20'), utc(2012, 10, 15, 20, 20), 'EDT is UTC-4');
    t.equal(parseAbsTime('01/15/12 16:20'), utc(2012, 1, 15, 21, 20), 'EST is UTC-5');
    t.equal(parseAbsTime('03/11/2012 01:59:59.999999'), utc(2012, 3, 11, 7) - 1, 'just before the gap');
    t.equal(parseAbsTime('03/11/2012 03:00'), utc(2012, 3, 11, 7), 'the end of the gap');
    fails(t, '03/11/2012 02:00', 'NONEXISTENT_TIME', /02:00 does not exist on 03\/11\/2012 in America\/New_York: the clocks jumped from 02:00 to 03:00/);
    fails(t, '03/11/2012 02:30', 'NONEXISTENT_TIME', /ISO-8601 with an offset/);
    fails(t, '03/11/2012 02:59:59.999999', 'NONEXISTENT_TIME');
    t.equal(parseAbsTime('11/04/2012 00:59'), utc(2012, 11, 4, 4, 59));
    t.equal(parseAbsTime('11/04/2012 01:00'), utc(2012, 11, 4, 5), '01:00 happens twice: the EDT one');
    t.equal(parseAbsTime('11/04/2012 01:30'), utc(2012, 11, 4, 5, 30));
    t.equal(parseAbsTime('11/04/2012 01:59:59.999999'), utc(2012, 11, 4, 6) - 1);
    t.equal(parseAbsTime('11/04/2012 02:00'), utc(2012, 11, 4, 7), '02:00 EST, once');
  });
  withTZ('Europe/Amsterdam', () => {
    t.equal(parseAbsTime('03/25/2012 01:59'), utc(2012, 3, 25, 0, 59));
    fails(t, '03/25/2012 02:15', 'NONEXISTENT_TIME', /Europe\/Amsterdam: the clocks jumped from 02:00 to 03:00/);
    t.equal(parseAbsTime('03/25/2012 03:00'), utc(2012, 3, 25, 1));
    t.equal(parseAbsTime('10/28/2012 02:30'), utc(2012, 10, 28, 0, 30), '02:30 happens twice: the CEST one');
    t.equal(parseAbsTime('10/28/2012 03:00'), utc(2012, 10, 28, 2));
  });
});

t.test('local parsing agrees with the Date constructor wherever the reading exists', async (t) => {
  for (const zone of ['America/New_York', 'Europe/Amsterdam', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
    withTZ(zone, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1900, max: 2199 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }),
          fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(999_999),
          (y, mo, d, h, mi, s, us) => {
            const text = `${mo}/${d}/${y} ${h}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(us).padStart(6, '0')}`;
            const date = new Date(y, mo - 1, d, h, mi, s, Math.floor(us / 1000));
            const exists = date.getHours() === h && date.getMinutes() === mi;
            if (!exists) {
              return (caught(t, () => parseAbsTime(text)).code === 'NONEXISTENT_TIME');
            }
            return parseAbsTime(text) === date.getTime() * 1000 + (us % 1000);
          },
        ),
        { numRuns: 400 },
      );
    });
  }
  t.pass('property held in every zone');
});

t.test('formatLocalTime prints MM/DD/YYYY hh:mm:ss.ffffff in TZ and round-trips', async (t) => {
  withTZ('UTC', () => {
    t.equal(formatLocalTime(utc(2012, 10, 15, 16, 20) + 123_456), '10/15/2012 16:20:00.123456');
    t.equal(formatLocalTime(0), '01/01/1970 00:00:00.000000');
    t.equal(formatLocalTime(-1), '12/31/1969 23:59:59.999999', 'before the epoch');
    t.equal(formatLocalTime(utc(2024, 2, 29, 23, 59, 59) + 999_999), '02/29/2024 23:59:59.999999');
  });
  withTZ('America/New_York', () => {
    t.equal(formatLocalTime(utc(2012, 3, 11, 7) - 1), '03/11/2012 01:59:59.999999');
    t.equal(formatLocalTime(utc(2012, 3, 11, 7)), '03/11/2012 03:00:00.000000', 'spring-forward');
    t.equal(formatLocalTime(utc(2012, 11, 4, 5, 30)), '11/04/2012 01:30:00.000000', 'first 01:30 (EDT)');
    t.equal(formatLocalTime(utc(2012, 11, 4, 6, 30)), '11/04/2012 01:30:00.000000', 'second 01:30 (EST) prints alike');
  });
  withTZ('Europe/Amsterdam', () => {
    t.equal(formatLocalTime(utc(2012, 10, 15, 16, 20) + 7), '10/15/2012 18:20:00.000007');
  });
  t.throws(() => formatLocalTime(1.5), RangeError);
  t.throws(() => formatLocalTime(Number.NaN), RangeError);

  for (const zone of ['America/New_York', 'Europe/Amsterdam']) {
    withTZ(zone, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: utc(2199, 12, 31) }), (us) => {
          const text = formatLocalTime(us);
          const back = parseAbsTime(text);
          // A reading from the second pass through a repeated hour parses as the first pass.
          return back === us || (back < us && us - back <= H && formatLocalTime(back) === text);
        }),
        { numRuns: 2000 },
      );
    });
  }
  withTZ('America/New_York', () => {
    const second = utc(2012, 11, 4, 6, 30);
    t.equal(parseAbsTime(formatLocalTime(second)), second - H, 'the documented exception: the earlier 01:30');
  });
});

t.test('formatUtcEpoch: epoch seconds with exactly six digits, no drift', async (t) => {
  t.equal(formatUtcEpoch(0), '0.000000');
  t.equal(formatUtcEpoch(1), '0.000001');
  t.equal(formatUtcEpoch(1_350_318_000_123_456), '1350318000.123456');
  t.equal(formatUtcEpoch(1_350_318_000_000_000), '1350318000.000000');
  t.equal(formatUtcEpoch(-1), '-0.000001');
  t.equal(formatUtcEpoch(-1_000_001), '-1.000001');
  t.equal(formatUtcEpoch(Number.MAX_SAFE_INTEGER), '9007199254.740991');
  t.throws(() => formatUtcEpoch(0.5), RangeError);
  fc.assert(
    fc.property(fc.maxSafeInteger(), (us) => {
      const big = BigInt(us);
      const abs = big < 0n ? -big : big;
      const expected = `${big < 0n ? '-' : ''}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`;
      return formatUtcEpoch(us) === expected;
    }),
  );
});

t.test('absFrame: both ends parsed, start strictly before end', async (t) => {
  withTZ('America/New_York', () => {
    t.same(absFrame('10/15/12 10:00', '10/15/12 11:00'), { fromUs: utc(2012, 10, 15, 14), toUs: utc(2012, 10, 15, 15) });
    t.same(absFrame('11/04/2012 00:00', '11/05/2012 00:00'), { fromUs: utc(2012, 11, 4, 4), toUs: utc(2012, 11, 5, 5) }, 'a 25-hour day');
    t.same(absFrame('10/15/12 16:00', '2012-10-15T20:00:00.000001Z'), { fromUs: utc(2012, 10, 15, 20), toUs: utc(2012, 10, 15, 20) + 1 }, 'mixed forms');
    const after = caught(t, () => absFrame('10/15/12 11:00', '10/15/12 10:00'));
    t.equal(after.code, 'START_AFTER_END');
    t.match(after.message, /^-te '10\/15\/12 11:00' .* is after -tl '10\/15\/12 10:00' .*the start must be before the end/);
    const same = caught(t, () => absFrame('10/15/12 10:00', '2012-10-15T14:00:00Z'));
    t.equal(same.code, 'ZERO_LENGTH');
    t.match(same.message, /'10\/15\/12 10:00'.*'2012-10-15T14:00:00Z'.*same instant/);
    const badEnd = caught(t, () => absFrame('10/15/12 10:00', '10/32/12 10:00'));
    t.equal(badEnd.code, 'BAD_DAY');
    t.equal(badEnd.option, '-tl', 'the error names the option the value came from');
    t.ok(badEnd.message.startsWith(`-tl '10/32/12 10:00': `));
    t.equal(caught(t, () => absFrame('03/11/2012 02:30', '03/12/2012')).option, '-te');
  });
});
