import t from 'tap';
import { sortOrder } from '../../src/store/sortorder.js';
import { rng } from './flowdata.js';

/** The stable order by start a plain comparison sort gives. */
function reference(start: Float64Array, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a]! - start[b]! || a - b);
}

t.test('sortOrder is the stable order by start for every span: radix with two and three digits, and the fallback', async (t) => {
  const r = rng(11);
  const cases: [string, (i: number) => number][] = [
    ['span under 2^32 µs (two digits)', () => 1.7e15 + Math.floor(r() * 3_000_000_000)],
    ['span between 2^32 and 2^48 µs (three digits)', () => 1.7e15 + Math.floor(r() * 2 ** 40)],
    ['span just under 2^48', (i) => (i % 2 === 0 ? 1.7e15 : 1.7e15 + 2 ** 48 - 1) - (i % 7)],
    ['span beyond 2^48 (comparison sort)', () => Math.floor(r() * 2 ** 52)],
    ['fractions (comparison sort)', () => 1.7e15 + r() * 1e6],
    ['many equal starts (stability)', () => 1.7e15 + Math.floor(r() * 4) * 2 ** 33],
  ];
  for (const [name, gen] of cases) {
    const n = 5000;
    const start = new Float64Array(n);
    for (let i = 0; i < n; i++) start[i] = gen(i);
    const order = sortOrder(start, n);
    t.ok(order !== undefined, `${name}: not already sorted`);
    t.same(Array.from(order!), reference(start, n), name);
  }
  const sorted = Float64Array.from([1, 2, 2, 5]);
  t.equal(sortOrder(sorted, 4), undefined, 'already in order: undefined');
});
