import t from 'tap';
import { EXACT_VOLUME, UNIT, unitsLeftWithin, unitsWithin, wholeWithin } from '../../src/query/prorate.js';
import { rng } from '../seededrng.js';

/** docs/queries.md's definition, evaluated as written; the difference taken in BigInt, where it is exact. */
function before(v: number, s: number, e: number, x: number): bigint {
  if (e <= s) return BigInt(x > s ? Math.round(v * 1048576) : 0);
  const c = Math.min(Math.max(x, s), e);
  return BigInt(Math.round(v * ((c - s) / (e - s)) * 1048576));
}

const FROM = 1_700_000_000_000_000;

/** Volumes of every size a session can hold: small, around 2^33 (where the unit counts pass 2^53), up to 2^53 - 1. */
function volume(r: () => number): number {
  const k = r();
  if (k < 0.2) return Math.floor(r() * 1e6);
  if (k < 0.4) return EXACT_VOLUME - 3 + Math.floor(r() * 6);
  if (k < 0.5) return Number.MAX_SAFE_INTEGER - Math.floor(r() * 1000);
  return Math.floor(2 ** (20 + r() * 33));
}

t.test('whole and units of a pro-rated share are the exact difference of the documented unit counts, for volumes up to 2^53', async (t) => {
  const r = rng(17);
  let wrong = 0;
  let beyond = 0;
  const cases = 20000;
  for (let i = 0; i < cases; i++) {
    const v = volume(r);
    const s = FROM + Math.floor(r() * 3_600_000_000);
    const e = r() < 0.05 ? s - Math.floor(r() * 1000) : s + 1 + Math.floor(r() * 7_200_000_000);
    const from = s + Math.floor((r() - 0.5) * 8_000_000_000);
    const to = from + 1 + Math.floor(r() * 5_000_000_000);
    const want = before(v, s, e, to) - before(v, s, e, from);
    const whole = wholeWithin(v, s, e, from, to);
    const units = unitsLeftWithin(v, s, e, from, to);
    if (want > 2n ** 53n) beyond++;
    const ok = Number.isInteger(whole) && units >= 0 && units < UNIT && Number.isInteger(units) && BigInt(whole) * 1048576n + BigInt(units) === want;
    if (!ok) {
      wrong++;
      if (wrong <= 5) t.fail(`v ${v} [${s}, ${e}] in [${from}, ${to}): ${whole} + ${units} / 2^20, want ${want} units`);
    }
  }
  t.equal(wrong, 0, `${cases} shares exact`);
  t.ok(beyond > 1000, `${beyond} of them more than 2^53 units`);
});

t.test('below EXACT_VOLUME the plain difference of unit counts is the same number', async (t) => {
  const r = rng(5);
  let wrong = 0;
  for (let i = 0; i < 20000; i++) {
    const v = r() < 0.5 ? EXACT_VOLUME - 1 - Math.floor(r() * 100) : Math.floor(r() * EXACT_VOLUME);
    const s = FROM + Math.floor(r() * 1e9);
    const e = s + Math.floor(r() * 3e9);
    const from = s + Math.floor((r() - 0.5) * 4e9);
    const to = from + 1 + Math.floor(r() * 2e9);
    const q = unitsWithin(v, s, e, from, to);
    if (BigInt(q) !== before(v, s, e, to) - before(v, s, e, from) || Math.floor(q / UNIT) !== wholeWithin(v, s, e, from, to) || q % UNIT !== unitsLeftWithin(v, s, e, from, to)) wrong++;
  }
  t.equal(wrong, 0);
});

t.test('a session cut into slices: the slices add up to its share exactly, also beyond 2^53 units', async (t) => {
  const v = 2 ** 52 + 12345;
  const s = FROM;
  const e = FROM + 7_777_777_777;
  const bounds = [FROM - 5, FROM + 1_000_000_001, FROM + 3_333_333_333, FROM + 5_000_000_000, FROM + 9_000_000_000];
  let whole = 0n;
  let units = 0n;
  for (let k = 0; k + 1 < bounds.length; k++) {
    whole += BigInt(wholeWithin(v, s, e, bounds[k]!, bounds[k + 1]!));
    units += BigInt(unitsLeftWithin(v, s, e, bounds[k]!, bounds[k + 1]!));
  }
  t.equal(whole * 1048576n + units, before(v, s, e, bounds.at(-1)!) - before(v, s, e, bounds[0]!));
  t.equal(whole * 1048576n + units, BigInt(v) * 1048576n, 'the whole session: its whole volume');
});
