import t from 'tap';
import { digitBits, sortOrder } from '../../src/store/sortorder.js';
import { rng } from './flowdata.js';

/** The stable order by start a plain comparison sort gives. */
function reference(start: Float64Array, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a]! - start[b]! || a - b);
}

t.test('sortOrder is the stable order by start for every span and row count: radix digits of 8, 11 and 16 bits, and the fallback', async (t) => {
  const r = rng(11);
  const cases: [string, (i: number) => number][] = [
    ['span under 2^32 µs (two digits)', () => 1.7e15 + Math.floor(r() * 3_000_000_000)],
    ['span between 2^32 and 2^48 µs (three digits)', () => 1.7e15 + Math.floor(r() * 2 ** 40)],
    ['span of exactly 2^48 - 1 (every digit of the high word)', (i) => 1.7e15 + (i % 2 === 0 ? Math.floor(r() * 2 ** 48) : i % 4 === 1 ? 0 : 2 ** 48 - 1)],
    ['span of exactly 2^48 (comparison sort)', (i) => 1.7e15 + (i % 2 === 0 ? Math.floor(r() * 2 ** 48) : i % 4 === 1 ? 0 : 2 ** 48)],
    ['span beyond 2^48 (comparison sort)', () => Math.floor(r() * 2 ** 52)],
    ['fractions (comparison sort)', () => 1.7e15 + r() * 1e6],
    ['many equal starts (stability)', () => 1.7e15 + Math.floor(r() * 4) * 2 ** 33],
    ['a batch of finished sessions: starts within 3 s', () => 1.7e15 + Math.floor(r() * 3_000_000)],
    ['span of exactly 32 bits', (i) => 1.7e15 + (i % 3 === 0 ? 2 ** 32 - 1 : i % 5)],
    ['span of 33 bits', (i) => 1.7e15 + (i % 3 === 0 ? 2 ** 32 : i % 5)],
    ['two values', (i) => 1.7e15 + (i % 2 === 0 ? 1 : 0)],
  ];
  for (const n of [3, 700, 5000, 8192, 140_000]) {
    t.equal(digitBits(n), n < 4096 ? 8 : n < 131072 ? 11 : 16, `digits for ${n} rows`);
    for (const [name, gen] of cases) {
      const start = new Float64Array(n);
      for (let i = 0; i < n; i++) start[i] = gen(i);
      const order = sortOrder(start, n);
      const want = reference(start, n);
      if (want.every((v, i) => v === i)) {
        t.equal(order, undefined, `${name}, ${n} rows: already in order`);
        continue;
      }
      t.ok(order !== undefined, `${name}, ${n} rows: not already sorted`);
      // compare without a per-element assertion (140,000 rows)
      const got = Array.from(order!);
      const first = got.findIndex((v, i) => v !== want[i]);
      t.equal(first, -1, `${name}, ${n} rows: the reference order`);
      t.equal(got.length, n, `${name}, ${n} rows: every row once`);
    }
  }
  const sorted = Float64Array.from([1, 2, 2, 5]);
  t.equal(sortOrder(sorted, 4), undefined, 'already in order: undefined');
});
