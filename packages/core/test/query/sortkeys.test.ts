import t from 'tap';
import { sortKeys } from '../../src/query/sortkeys.js';
import { rng } from '../seededrng.js';

t.test('keys of 1 to 8 words come out in ascending order, equal keys in index order', async (t) => {
  const r = rng(3);
  for (const width of [1, 2, 4, 8]) {
    for (const n of [0, 1, 2, 300, 5000]) {
      const keys = new Uint32Array(n * width);
      for (let i = 0; i < n; i++) {
        for (let w = 0; w < width; w++) {
          // shared prefixes, few values per word (ties), and the full 32-bit range
          const c = r();
          keys[i * width + w] = c < 0.3 ? 0 : c < 0.5 ? 0xffff : c < 0.8 ? Math.floor(r() * 4) : Math.floor(r() * 2 ** 32);
        }
      }
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
        for (let w = 0; w < width; w++) {
          const d = keys[a * width + w]! - keys[b * width + w]!;
          if (d !== 0) return d;
        }
        return a - b;
      });
      t.strictSame(Array.from(sortKeys(keys, width, n)), want, `${n} keys of ${width} words`);
    }
  }
});

t.test('keys nearly in order (a few ascending runs, ties across them) come out the same as sorted', async (t) => {
  const r = rng(4);
  for (const width of [1, 4]) {
    for (const runs of [1, 2, 5, 63, 64, 70]) {
      const n = 2000;
      const keys = new Uint32Array(n * width);
      for (let i = 0; i < n; i++) {
        // run k holds ascending keys from its own random start; runs overlap, so keys repeat across them
        const k = Math.floor((i * runs) / n);
        const v = Math.floor((k * 7919) % 1000) + Math.floor(((i % Math.ceil(n / runs)) * 3) / 2);
        keys[i * width + width - 1] = v;
        if (width > 1) keys[i * width] = r() < 0.02 ? 1 : 0;
        if (width > 1 && keys[i * width] === 1) keys[i * width + width - 1] = 0;
      }
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
        for (let w = 0; w < width; w++) {
          const d = keys[a * width + w]! - keys[b * width + w]!;
          if (d !== 0) return d;
        }
        return a - b;
      });
      t.strictSame(Array.from(sortKeys(keys, width, n)), want, `${runs} runs of ${width}-word keys`);
    }
  }
});
