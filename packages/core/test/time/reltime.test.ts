// Relative frames: the RELTIME language of -tn, relFrame's calendar arithmetic in local time
// (DST nights, month ends, leap years), and the option rules of resolveTimeFrame.
import t from 'tap';
import fc from 'fast-check';
import { parseRelTime, relFrame, resolveTimeFrame, TimeError, type TimeErrorCode, type RelTime } from '../../src/time/index.js';
import { utc, withTZ } from './tz.js';

const H = 3_600_000_000;
const MIN = 60_000_000;
/** The TimeError `fn` throws; fails the test when it throws nothing or something else. */
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

type Asserts = Pick<typeof t, 'ok' | 'equal' | 'fail' | 'match'>;

function fails(t: Asserts, fn: () => unknown, code: TimeErrorCode, quoted: string | undefined, more?: RegExp): void {
  try {
    fn();
    t.fail(`expected ${code}`);
  } catch (e) {
    t.ok(e instanceof TimeError, `${code} is a TimeError`);
    const err = e as TimeError;
    t.equal(err.code, code, `code for ${quoted ?? err.message}`);
    if (quoted !== undefined) t.ok(err.message.includes(`'${quoted}'`), `message quotes the value: ${err.message}`);
    if (more) t.match(err.message, more);
  }
}

const rel = (parts: Partial<Omit<RelTime, 'text'>>, text: string): RelTime => ({
  years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0, ...parts, text,
});

t.test('parseRelTime accepts every unit, in order, with an optional leading -', async (t) => {
  t.same(parseRelTime('15m'), rel({ minutes: 15 }, '15m'));
  t.same(parseRelTime('1h'), rel({ hours: 1 }, '1h'));
  t.same(parseRelTime('1d12h'), rel({ days: 1, hours: 12 }, '1d12h'));
  t.same(parseRelTime('1w2d'), rel({ weeks: 1, days: 2 }, '1w2d'));
  t.same(parseRelTime('3M'), rel({ months: 3 }, '3M'), 'M is months');
  t.same(parseRelTime('3m'), rel({ minutes: 3 }, '3m'), 'm is minutes');
  t.same(parseRelTime('-3m'), rel({ minutes: 3 }, '3m'), 'leading - ignored');
  t.same(parseRelTime('90s'), rel({ seconds: 90 }, '90s'), 'no carrying between units');
  t.same(parseRelTime('2y11M3w6d23h59m59s'), rel({ years: 2, months: 11, weeks: 3, days: 6, hours: 23, minutes: 59, seconds: 59 }, '2y11M3w6d23h59m59s'));
  t.same(parseRelTime('1h0m'), rel({ hours: 1 }, '1h'), 'a zero term is allowed when the total is not zero');
  t.same(parseRelTime('007h'), rel({ hours: 7 }, '7h'), 'leading zeros');
  t.same(parseRelTime('100y'), rel({ years: 100 }, '100y'), 'the 100-year limit itself is accepted');
  t.same(parseRelTime('1200M'), rel({ months: 1200 }, '1200M'), '1200 months are 100 years');
});

t.test('parseRelTime errors: code, quoted value, what was expected', async (t) => {
  fails(t, () => parseRelTime(''), 'EMPTY', '', /15m/);
  fails(t, () => parseRelTime('-'), 'EMPTY', '-');
  fails(t, () => parseRelTime('5x'), 'BAD_UNIT', '5x', /unknown unit 'x'.*s \(seconds\)/);
  fails(t, () => parseRelTime('5H'), 'BAD_UNIT', '5H', /did you mean h for hours/);
  fails(t, () => parseRelTime('5min'), 'BAD_UNIT', '5min', /did you mean m for minutes/);
  fails(t, () => parseRelTime('2months'), 'BAD_UNIT', '2months', /did you mean M for months/);
  fails(t, () => parseRelTime('h'), 'MISSING_NUMBER', 'h', /1h/);
  fails(t, () => parseRelTime('1hm'), 'BAD_UNIT', '1hm');
  fails(t, () => parseRelTime('1h30'), 'MISSING_UNIT', '1h30', /30m/);
  fails(t, () => parseRelTime('90'), 'MISSING_UNIT', '90');
  fails(t, () => parseRelTime('1.5h'), 'BAD_NUMBER', '1.5h', /1h30m/);
  fails(t, () => parseRelTime('2d1w'), 'ORDER', '2d1w', /larger units first, e\.g\. 1w2d$/);
  fails(t, () => parseRelTime('30m1h'), 'ORDER', '30m1h', /1h30m/);
  fails(t, () => parseRelTime('1h2h'), 'REPEATED_UNIT', '1h2h', /at most once, e\.g\. 3h/);
  fails(t, () => parseRelTime('1h30m15m'), 'REPEATED_UNIT', '1h30m15m', /1h45m/);
  fails(t, () => parseRelTime('0m'), 'ZERO_LENGTH', '0m');
  fails(t, () => parseRelTime('0d0h0s'), 'ZERO_LENGTH', '0d0h0s');
  fails(t, () => parseRelTime('101y'), 'TOO_LARGE', '101y', /100/);
  fails(t, () => parseRelTime('1201M'), 'TOO_LARGE', '1201M');
  fails(t, () => parseRelTime('99999999999999999999999s'), 'TOO_LARGE', '99999999999999999999999s');
  fails(t, () => parseRelTime('1h 30m'), 'BAD_FORMAT', '1h 30m', /spaces/);
  fails(t, () => parseRelTime('--3m'), 'BAD_FORMAT', '--3m');
  fails(t, () => parseRelTime('+3m'), 'BAD_FORMAT', '+3m');
});

t.test('errors carry the option and the position of the offending term', async (t) => {
  const err = caught(t, () => parseRelTime('1w2d1h5x', '-tn'));
  t.equal(err.option, '-tn');
  t.equal(err.value, '1w2d1h5x');
  t.equal(err.position, 7, 'points at the unit x');
  t.ok(err.message.startsWith(`-tn '1w2d1h5x': `), err.message);
  const order = caught(t, () => parseRelTime('-1h2d'));
  t.equal(order.position, 3, 'the misplaced term, counted in the original text');
  t.equal(order.option, undefined);
  t.ok(order.message.startsWith(`'-1h2d': `), 'without an option the message starts with the value');
});

t.test('time units are exact durations', async (t) => {
  const now = utc(2012, 10, 15, 16, 20) + 123_456;
  t.same(relFrame(parseRelTime('15m'), now), { fromUs: now - 15 * MIN, toUs: now });
  t.same(relFrame(parseRelTime('1h30m15s'), now), { fromUs: now - 90 * MIN - 15_000_000, toUs: now });
  t.same(relFrame(parseRelTime('15m'), new Date(utc(2012, 10, 15) / 1000)), { fromUs: utc(2012, 10, 14, 23, 45), toUs: utc(2012, 10, 15) }, 'now as a Date');
  withTZ('America/New_York', () => {
    // 01:30 EDT on the fall-back night, 02:00 EDT = 06:00Z is the change
    const fallNow = utc(2012, 11, 4, 6, 30);
    t.equal(fallNow - relFrame(parseRelTime('3h'), fallNow).fromUs, 3 * H, '3h is three real hours across fall-back');
  });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4e15 }), fc.nat(23), fc.nat(59), fc.nat(59), (now, h, m, s) => {
      fc.pre(h + m + s > 0);
      const f = relFrame(parseRelTime(`${h}h${m}m${s}s`), now);
      return f.toUs === now && f.toUs - f.fromUs === h * H + m * MIN + s * 1_000_000;
    }),
  );
});

t.test('days and weeks are calendar days in local time (23 or 25 hours across DST)', async (t) => {
  withTZ('UTC', () => {
    const now = utc(2012, 3, 11, 12);
    t.equal(relFrame(parseRelTime('1d'), now).fromUs, utc(2012, 3, 10, 12));
    t.equal(relFrame(parseRelTime('2w'), now).fromUs, utc(2012, 2, 26, 12));
  });
  withTZ('America/New_York', () => {
    // Spring forward: 03/11/2012 02:00 EST (07:00Z) became 03:00 EDT.
    const spring = utc(2012, 3, 11, 16); // 12:00 EDT
    const f = relFrame(parseRelTime('1d'), spring);
    t.equal(f.fromUs, utc(2012, 3, 10, 17), 'yesterday 12:00 EST');
    t.equal(f.toUs - f.fromUs, 23 * H, '1d is 23 hours across spring-forward');
    t.equal(relFrame(parseRelTime('1d1h'), spring).fromUs, utc(2012, 3, 10, 16), 'then hours are exact');
    // Fall back: 11/04/2012 02:00 EDT (06:00Z) became 01:00 EST.
    const fall = utc(2012, 11, 4, 17); // 12:00 EST
    t.equal(relFrame(parseRelTime('1d'), fall).toUs - relFrame(parseRelTime('1d'), fall).fromUs, 25 * H, '1d is 25 hours across fall-back');
    t.equal(relFrame(parseRelTime('1w'), fall).fromUs, utc(2012, 10, 28, 16), '1w: 12:00 EDT a week ago');
    // From 02:30 EDT the day after spring-forward, 02:30 yesterday never existed: it moves forward by the gap.
    const afterGap = utc(2012, 3, 12, 6, 30);
    t.equal(relFrame(parseRelTime('1d'), afterGap).fromUs, utc(2012, 3, 11, 7, 30), 'gap reading -> 03:30 EDT');
    // From 01:30 EST the day after fall-back, 01:30 yesterday happened twice: the earlier (EDT) one.
    const afterFold = utc(2012, 11, 5, 6, 30);
    t.equal(relFrame(parseRelTime('1d'), afterFold).fromUs, utc(2012, 11, 4, 5, 30), 'ambiguous reading -> 01:30 EDT');
  });
  withTZ('Europe/Amsterdam', () => {
    // 03/25/2012 02:00 CET (01:00Z) became 03:00 CEST; 10/28/2012 03:00 CEST (01:00Z) became 02:00 CET.
    const spring = utc(2012, 3, 25, 10); // 12:00 CEST
    t.equal(relFrame(parseRelTime('1d'), spring).fromUs, utc(2012, 3, 24, 11), '12:00 CET yesterday');
    const fall = utc(2012, 10, 28, 11); // 12:00 CET
    t.equal(relFrame(parseRelTime('1d'), fall).fromUs, utc(2012, 10, 27, 10), '12:00 CEST yesterday: 25 hours');
    t.equal(relFrame(parseRelTime('24h'), fall).fromUs, utc(2012, 10, 27, 11), '24h stays 24 hours');
  });
});

t.test('months and years are calendar months, clamped to the month end', async (t) => {
  withTZ('UTC', () => {
    const from = (text: string, now: number): number => relFrame(parseRelTime(text), now).fromUs;
    t.equal(from('1M', utc(2023, 3, 31, 10)), utc(2023, 2, 28, 10), 'Mar 31 - 1M = Feb 28');
    t.equal(from('1M', utc(2024, 3, 31, 10)), utc(2024, 2, 29, 10), 'leap year: Feb 29');
    t.equal(from('1M', utc(2012, 5, 31)), utc(2012, 4, 30), 'May 31 - 1M = Apr 30');
    t.equal(from('1M', utc(2012, 1, 15, 8)), utc(2011, 12, 15, 8), 'across the year');
    t.equal(from('13M', utc(2012, 1, 15)), utc(2010, 12, 15));
    t.equal(from('1y', utc(2024, 2, 29, 12)), utc(2023, 2, 28, 12), 'Feb 29 - 1y = Feb 28');
    t.equal(from('4y', utc(2024, 2, 29, 12)), utc(2020, 2, 29, 12));
    t.equal(from('1M1d', utc(2023, 3, 31)), utc(2023, 2, 27), 'months first, clamp, then days');
    t.equal(from('1y1M', utc(2013, 3, 31)), utc(2012, 2, 29));
  });
  withTZ('America/New_York', () => {
    // 1M from 04/15/2012 12:00 EDT is 03/15/2012 12:00 EDT: whole calendar month, no hour drift.
    t.equal(relFrame(parseRelTime('1M'), utc(2012, 4, 15, 16)).fromUs, utc(2012, 3, 15, 16));
    // 1M from 03/31/2012 12:00 EDT is 02/29/2012 12:00 EST.
    t.equal(relFrame(parseRelTime('1M'), utc(2012, 3, 31, 16)).fromUs, utc(2012, 2, 29, 17));
  });
});

t.test('resolveTimeFrame: default, -tn, -te/-tl and the forbidden combinations', async (t) => {
  const now = utc(2012, 10, 15, 16, 20);
  withTZ('UTC', () => {
    t.same(resolveTimeFrame({}, now), { fromUs: now - 15 * MIN, toUs: now }, 'default 15m');
    t.same(resolveTimeFrame({ tn: '-3m' }, now), { fromUs: now - 3 * MIN, toUs: now }, '-tn -3m');
    t.same(resolveTimeFrame({ tn: '1h' }, now), { fromUs: now - H, toUs: now });
    t.same(resolveTimeFrame({ te: '10/15/12 10:00', tl: '10/15/2012 11:00:30' }), { fromUs: utc(2012, 10, 15, 10), toUs: utc(2012, 10, 15, 11, 0, 30) });
    const wall = Date.now() * 1000;
    const f = resolveTimeFrame({ tn: '1h' });
    t.ok(f.toUs >= wall && f.toUs - f.fromUs === H, 'now defaults to the current time');
  });
  fails(t, () => resolveTimeFrame({ tn: '1h', te: '10/15/12' }), 'TN_WITH_TE', undefined, /-tn cannot be combined with -te/);
  fails(t, () => resolveTimeFrame({ tn: '1h', tl: '10/15/12' }), 'TN_WITH_TE', undefined, /with -tl/);
  fails(t, () => resolveTimeFrame({ tn: '1h', te: 'a', tl: 'b' }), 'TN_WITH_TE', undefined, /-te and -tl/);
  fails(t, () => resolveTimeFrame({ te: '10/15/12' }), 'TE_WITHOUT_TL', '10/15/12', /needs -tl/);
  fails(t, () => resolveTimeFrame({ tl: '10/15/12' }), 'TL_WITHOUT_TE', '10/15/12', /needs -te/);
  fails(t, () => resolveTimeFrame({ tn: '' }, now), 'EMPTY', '');
  fails(t, () => resolveTimeFrame({ tn: '0s' }, now), 'ZERO_LENGTH', '0s');
  const order = caught(t, () => resolveTimeFrame({ tn: '2d1w' }, now));
  t.equal(order.option, '-tn');
  t.equal(order.message, `-tn '2d1w': the terms are out of order; give larger units first, e.g. 1w2d`);
  t.equal(caught(t, () => resolveTimeFrame({ tl: 'x' })).option, '-tl', 'combination errors name the option');
});
