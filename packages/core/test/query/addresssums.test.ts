import t from 'tap';
import { formatIpAt, parseIp } from '../../src/fields/ipcodec.js';
import { AddressSums } from '../../src/query/addresssums.js';
import { CODE_SUM_WIDTH, IDENTITY } from '../../src/query/codesums.js';
import { KeyIndex, makeLayout } from '../../src/query/keyindex.js';
import type { DictColumn } from '../../src/query/source.js';
import { rng } from '../seededrng.js';

const ACC_WIDTH = 8;

/** An address pool: both families, and the addresses that sort below the IPv4-mapped ones. */
function pool(r: () => number): string[] {
  const out = ['::', '::1', '::fffe:0:1'];
  for (let i = 0; i < 4000; i++) out.push(`10.${Math.floor(r() * 4)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`);
  for (let i = 0; i < 1500; i++) out.push(`2001:db8:${Math.floor(r() * 3).toString(16)}::${Math.floor(r() * 65536).toString(16)}`);
  out.push('fe80::1', 'ffff::1');
  return [...new Set(out)];
}

function words(a: string): number[] {
  return Array.from(parseIp(a)!);
}

function compareWords(x: readonly number[], y: readonly number[]): number {
  for (let w = 0; w < 4; w++) if (x[w] !== y[w]) return x[w]! - y[w]!;
  return 0;
}

/**
 * A segment's dictionary of these addresses as the store keeps it: sorted, in three runs (below
 * the IPv4-mapped addresses, the IPv4-mapped run, which the reader marks, above), or as a
 * damaged file could hold it (each run shuffled: the reader builds the runs, so they hold).
 */
function dictOf(addrs: readonly string[], sorted: boolean, r: () => number): DictColumn {
  const list = [...addrs].sort((a, b) => compareWords(words(a), words(b)));
  const isMapped = (a: string): boolean => words(a)[0] === 0 && words(a)[1] === 0 && words(a)[2] === 0xffff;
  const from = list.findIndex(isMapped);
  const to = from < 0 ? 0 : list.length - [...list].reverse().findIndex(isMapped);
  if (!sorted) {
    const shuffle = (lo: number, hi: number): void => {
      for (let i = hi - 1; i > lo; i--) {
        const j = lo + Math.floor(r() * (i - lo + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
    };
    const [a, b] = from < 0 ? [list.length, list.length] : [from, to];
    shuffle(0, a);
    shuffle(a, b);
    shuffle(b, list.length);
  }
  const dict = new Uint32Array(4 * list.length);
  list.forEach((a, k) => dict.set(words(a), 4 * k));
  return { kind: 'dict', codes: new Uint8Array(0), dict, size: list.length, v4: from < 0 ? [0, 0] : [from, to] };
}

/** Runs `segments` segments through AddressSums and a plain reference; returns both, by address. */
function run(seed: number, segments: number, sortedEvery: number): { got: Map<string, number[]>; want: Map<string, number[]>; ix: KeyIndex } {
  const r = rng(seed);
  const addrs = pool(r);
  const sums = new AddressSums();
  const want = new Map<string, number[]>();
  const ix = new KeyIndex(makeLayout(['clnip']));
  let acc = new Float64Array(0);
  const growAcc = (): Float64Array => {
    if (acc.length < ix.count * ACC_WIDTH) {
      const b = new Float64Array(2 * ix.count * ACC_WIDTH);
      b.set(acc);
      acc = b;
    }
    return acc;
  };
  for (let s = 0; s < segments; s++) {
    // a Zipf-like segment: the first addresses of the pool often, the rest now and then
    const picked = new Set<string>();
    const n = 200 + Math.floor(r() * 1500);
    for (let i = 0; i < n; i++) picked.add(addrs[Math.floor(addrs.length * r() ** 3)]!);
    const d = dictOf([...picked], s % sortedEvery !== 1, r);
    const src = new Float64Array(CODE_SUM_WIDTH * d.size);
    const side = r() < 0.5 ? [4] : [5];
    // sums of values, or of steps of a frame of reference: value = base × rows + step × steps
    const conv = s % 2 === 0 ? IDENTITY : Float64Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? Math.floor(r() * 50) : 1 + Math.floor(r() * 3)));
    for (let k = 0; k < d.size; k++) {
      if (r() < 0.1) continue; // a code without rows
      const v = [Math.floor(r() * 2 ** 40), Math.floor(r() * 1e6), Math.floor(r() * 100), Math.floor(r() * 100), 1 + Math.floor(r() * 5)];
      src.set(v, CODE_SUM_WIDTH * k);
      const a = formatIpAt(d.dict as Uint32Array, k);
      const w = want.get(a) ?? [0, 0, 0, 0, 0, 0];
      for (let j = 0; j < 4; j++) w[j]! += conv[2 * j]! * v[4]! + conv[2 * j + 1]! * v[j]!;
      w[side[0]!]! += v[4]!;
      want.set(a, w);
    }
    t.equal(sums.add(d, src, CODE_SUM_WIDTH, side, conv), true);
    if (!src.every((x) => x === 0)) t.fail(`segment ${s}: the code sums are left zeroed`);
    if (s % 17 === 5) sums.settle(ix, growAcc, ACC_WIDTH);
  }
  sums.settle(ix, growAcc, ACC_WIDTH);
  const keys = ix.exportKeys();
  const got = new Map<string, number[]>();
  for (let id = 0; id < ix.count; id++) {
    const a = formatIpAt(keys, id);
    if (got.has(a)) t.fail(`${a} has two ids`);
    got.set(a, Array.from(acc.subarray(id * ACC_WIDTH, id * ACC_WIDTH + 6)));
  }
  return { got, want, ix };
}

t.test('address-ordered sums give every address exactly its sums, across rebuilds and settles', async (t) => {
  const { got, want, ix } = run(1, 120, 1000);
  t.ok(want.size > 3000, `${want.size} addresses (enough to rebuild the sorted tables several times)`);
  t.equal(got.size, want.size, 'one entity an address with rows');
  let bad = 0;
  for (const [a, w] of want) if (JSON.stringify(got.get(a)) !== JSON.stringify(w)) bad++;
  t.equal(bad, 0, 'every sum exact');
  // ids are the ones any other path finds for the same address
  for (const a of ['::1', '10.0.0.1', '2001:db8::1']) {
    const before = ix.count;
    const w = Uint32Array.from(words(a));
    const id = ix.idOfValue(w, 0);
    if (want.has(a)) t.ok(id < before, `${a}: idOfValue finds the settled entity`);
  }
});

t.test('dictionaries out of order (a damaged file) still give exact sums', async (t) => {
  const { got, want } = run(2, 60, 3);
  t.equal(got.size, want.size);
  let bad = 0;
  for (const [a, w] of want) if (JSON.stringify(got.get(a)) !== JSON.stringify(w)) bad++;
  t.equal(bad, 0, 'every sum exact');
});

t.test('a dictionary without a marked IPv4 run is left to the caller', async (t) => {
  const d = dictOf(['10.0.0.1'], true, rng(1));
  const unmarked: DictColumn = { kind: 'dict', codes: d.codes, dict: d.dict, size: d.size };
  const src = Float64Array.of(1, 2, 3, 4, 1);
  t.equal(new AddressSums().add(unmarked, src, CODE_SUM_WIDTH, [4], IDENTITY), false);
  t.strictSame(Array.from(src), [1, 2, 3, 4, 1], 'nothing taken');
});
