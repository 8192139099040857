import t from 'tap';
import { allocColumn, type ColumnType } from '../../src/fields/columns.js';
import { gatherRows, minMax } from '../../src/fields/gather.js';

t.test('gatherRows copies rows in the given order for every column type, ip columns 4 words a row, with their range', async (t) => {
  const order = Uint32Array.from([3, 0, 2, 1, 3]);
  for (const type of ['f64', 'u32', 'u16', 'u8', 'ip'] as ColumnType[]) {
    const w = type === 'ip' ? 4 : 1;
    const src = allocColumn(type, 4);
    for (let i = 0; i < 4 * w; i++) src[i] = type === 'f64' ? 1.5 * i + 0.25 : i * 7 + 1;
    const dst = allocColumn(type, 5);
    const range = gatherRows(type, dst, src, order, 5);
    const want: number[] = [];
    for (const r of order) for (let k = 0; k < w; k++) want.push(src[r * w + k]!);
    t.same(Array.from(dst), want, type);
    if (type === 'ip') t.ok(Number.isNaN(range.min) && Number.isNaN(range.max), 'ip: no range');
    else t.same(range, { min: Math.min(...want), max: Math.max(...want) }, `${type}: the range of the rows copied`);
  }
});

t.test('minMax over the first rows of each numeric type', async (t) => {
  t.same(minMax('f64', Float64Array.from([2.5, -1, 9, 100]), 3), { min: -1, max: 9 });
  t.same(minMax('u32', Uint32Array.from([7, 4_000_000_000, 3]), 3), { min: 3, max: 4_000_000_000 });
  t.same(minMax('u16', Uint16Array.from([65535, 2, 9]), 2), { min: 2, max: 65535 });
  t.same(minMax('u8', Uint8Array.from([5, 5, 5]), 3), { min: 5, max: 5 });
  t.same(minMax('f64', new Float64Array(0), 0), { min: Infinity, max: -Infinity }, 'no rows: empty range');
});

t.test('gatherRows copies only the first rows of the order, and zero rows leave dst alone', async (t) => {
  const src = Float64Array.from([10, 20, 30, 40]);
  const dst = Float64Array.from([-1, -1, -1, -1]);
  t.same(gatherRows('f64', dst, src, Uint32Array.from([2, 0, 3, 1]), 2), { min: 10, max: 30 });
  t.same(Array.from(dst), [30, 10, -1, -1], 'two rows copied');
  const none = gatherRows('f64', dst, src, Uint32Array.from([3]), 0);
  t.same(Array.from(dst), [30, 10, -1, -1], 'zero rows: nothing copied');
  t.same(none, { min: Infinity, max: -Infinity }, 'zero rows: empty range');
});
