import t from 'tap';
import { profileNumeric } from '../../src/store/profile.js';
import { rng } from './flowdata.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function varintLength(x: number): number {
  let n = 1;
  while (x >= 128) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

/** What a u8/u16 profile must say, from the values alone. */
function reference(values: number[]) {
  const n = values.length;
  const min = n === 0 ? 0 : Math.min(...values);
  const max = n === 0 ? 0 : Math.max(...values);
  let step = 0;
  for (const v of values) step = gcd(v - min, step);
  const div = step === 0 ? 1 : step;
  let varintBytes = 0;
  let over1 = 0;
  let over2 = 0;
  for (const v of values) {
    const x = (v - min) / div;
    varintBytes += varintLength(x);
    if (x >= 0x100) over1++;
    if (x >= 0x10000) over2++;
  }
  let ascending = 0;
  for (let i = 1; i < n; i++) if (values[i]! >= values[i - 1]!) ascending++;
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  return { min, max, step, varintBytes, pforExceptions: [over1, over2, 0], sorted, ascending };
}

t.test('u8 and u16 profiles: range, step, sizes, distinct values and their ranks, whatever part of the value range the column holds', async (t) => {
  const r = rng(5);
  const cases: [string, 'u8' | 'u16', number[]][] = [
    ['no rows', 'u16', []],
    ['one row', 'u16', [7]],
    ['all 65535', 'u16', Array.from({ length: 300 }, () => 65535)],
    ['all 255', 'u8', Array.from({ length: 300 }, () => 255)],
    ['a narrow range (VLANs)', 'u16', Array.from({ length: 2000 }, () => 100 + Math.floor(r() * 5))],
    ['a common step of 4', 'u16', Array.from({ length: 2000 }, () => 4000 + 4 * Math.floor(r() * 50))],
    ['zero and the top value', 'u16', Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 65535 : 0))],
    ['ports over the whole range', 'u16', Array.from({ length: 5000 }, () => Math.floor(r() * 65536))],
    ['protocols', 'u8', Array.from({ length: 5000 }, () => [1, 6, 17, 58][Math.floor(r() * 4)]!)],
  ];
  for (const [name, type, vals] of cases) {
    // junk past n must not count
    const arr = type === 'u8' ? new Uint8Array(vals.length + 3).fill(3) : new Uint16Array(vals.length + 3).fill(3);
    arr.set(vals);
    const p = profileNumeric(arr, vals.length);
    const want = reference(vals);
    t.same(
      { min: p.min, max: p.max, step: p.step, varintBytes: p.varintBytes, pforExceptions: p.pforExceptions, ascending: p.ascending },
      { min: want.min, max: want.max, step: want.step, varintBytes: want.varintBytes, pforExceptions: want.pforExceptions, ascending: want.ascending },
      `${name}: range, step, sizes`,
    );
    const set = p.distinct!;
    t.equal(set.size, want.sorted.length, `${name}: distinct count`);
    t.same(Array.from(set.sorted()), want.sorted, `${name}: distinct values in order`);
    const out = new Uint16Array(vals.length);
    set.rankRows(arr, vals.length, out);
    t.same(Array.from(out), vals.map((v) => want.sorted.indexOf(v)), `${name}: each row's rank`);
    for (const v of want.sorted) if (set.rank(v) !== want.sorted.indexOf(v)) t.fail(`${name}: rank(${v})`);
  }
});
