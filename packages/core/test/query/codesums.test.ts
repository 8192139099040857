import t from 'tap';
import { parseIp, parseMac } from '../../src/fields/ipcodec.js';
import { CodeSums, CODE_SUM_WIDTH, matchDictionaries } from '../../src/query/codesums.js';
import { planRank } from '../../src/query/rankquery.js';
import { ACC, ACC_WIDTH, RankState } from '../../src/query/rankstate.js';
import type { DictColumn } from '../../src/query/source.js';

function ipDict(addrs: readonly string[]): DictColumn {
  const dict = new Uint32Array(addrs.length * 4);
  addrs.forEach((a, i) => dict.set(parseIp(a)!, i * 4));
  return { kind: 'dict', codes: new Uint8Array(0), dict, size: addrs.length };
}

function wordDict(values: readonly number[]): DictColumn {
  return { kind: 'dict', codes: new Uint8Array(0), dict: Uint32Array.from(values), size: values.length };
}

function accOf(st: RankState, id: number): number[] {
  return [...st.acc.subarray(id * ACC_WIDTH, id * ACC_WIDTH + 6)];
}

t.test('fold adds each touched code to its entity, looks up the codes the kernel did not, and leaves the sums zeroed', async (t) => {
  const st = new RankState(planRank({ entity: 'IP', count: 'BYTES', fromUs: 0, toUs: 1 }));
  const known = st.ix.idOfValue(ipDict(['2001:db8::7']).dict, 0);
  const d = ipDict(['10.0.0.1', '2001:db8::7', '10.0.0.2', '10.0.0.3']);
  const cs = new CodeSums();
  cs.prepare(d);
  const add = (k: number, v: readonly number[]): void => {
    for (let j = 0; j < 4; j++) cs.sums[k * CODE_SUM_WIDTH + j] += v[j]!;
    cs.sums[k * CODE_SUM_WIDTH + 4] += 1;
  };
  add(1, [2 ** 40, 3, 4, 5]);
  add(1, [1, 0, 1, 0]);
  add(3, [7, 8, 9, 10]);
  // code 1 was found by the kernel, code 3 was not; code 0 and 2 had no rows
  const memo = Int32Array.of(-1, known, -1, -1);
  cs.fold(st, memo, d, [ACC.initiated]);
  t.equal(st.ix.count, 2, 'only touched codes become entities');
  t.equal(memo[3], 1, 'the looked-up id is kept in the memo');
  t.equal(memo[0], -1);
  t.strictSame(accOf(st, known), [2 ** 40 + 1, 3, 5, 5, 2, 0]);
  t.strictSame(accOf(st, 1), [7, 8, 9, 10, 1, 0]);
  t.ok(cs.sums.every((x) => x === 0), 'sums and row counts zeroed');

  // the next segment: a smaller dictionary reuses the arrays; a session entity counts both slots
  const d2 = ipDict(['10.0.0.3']);
  const before = cs.sums;
  cs.prepare(d2);
  t.equal(cs.sums, before, 'arrays are kept at their largest size');
  add(0, [1, 1, 1, 1]);
  cs.fold(st, Int32Array.of(-1), d2, [ACC.initiated, ACC.accepted]);
  t.strictSame(accOf(st, 1), [8, 9, 10, 11, 2, 1], 'folded into the entity of the same address');
});

t.test('twins: each code of one dictionary maps to the code of the same value in the other', async (t) => {
  const a = ipDict(['::1', '10.0.0.1', '10.0.0.5', '192.168.1.1', '2001:db8::1', 'fe80::1']);
  const b = ipDict(['10.0.0.1', '10.0.0.2', '192.168.1.1', '2001:db8::1', '2001:db8::2']);
  const cs = new CodeSums();
  cs.linkTwins('ip', a, b);
  t.strictSame([...cs.twin.subarray(0, a.size)], [-1, 0, -1, 2, 3, -1], 'addresses, IPv4 and IPv6');
  cs.linkTwins('ip', b, a);
  t.strictSame([...cs.twin.subarray(0, b.size)], [1, -1, 3, 4, -1], 'and the other way round');
  t.ok(cs.twin.length >= 1024, 'kept at its largest size');

  const out = new Int32Array(4);
  matchDictionaries('word', wordDict([3, 7, 4200000000, 4294967295]), wordDict([7, 4294967295]), out);
  t.strictSame([...out], [-1, 0, -1, 1], 'words (unsigned, up to 2^32 - 1)');
  const m = (s: string): number => parseMac(s)!;
  const macs = (xs: readonly string[]): DictColumn => ({ kind: 'dict', codes: new Uint8Array(0), dict: Float64Array.from(xs.map(m)), size: xs.length });
  matchDictionaries('mac', macs(['02:00:00:00:00:01', 'fe:00:00:00:00:09']), macs(['fe:00:00:00:00:09']), out);
  t.strictSame([...out.subarray(0, 2)], [-1, 0], 'MACs (48-bit numbers)');
  matchDictionaries('word', wordDict([]), wordDict([1, 2]), out);
  matchDictionaries('word', wordDict([5, 6]), wordDict([]), out);
  t.strictSame([...out.subarray(0, 2)], [-1, -1], 'an empty dictionary has no twins');
});

t.test('twins of dictionaries out of order (a damaged file without checksums) are still exact', async (t) => {
  const out = new Int32Array(4);
  matchDictionaries('word', wordDict([9, 1, 5]), wordDict([1, 5, 9]), out);
  t.strictSame([...out.subarray(0, 3)], [2, 0, 1], 'the first out of order');
  matchDictionaries('word', wordDict([1, 5, 9]), wordDict([9, 5, 1, 2]), out);
  t.strictSame([...out.subarray(0, 3)], [2, 1, 0], 'the second out of order');
  matchDictionaries('word', wordDict([1, 2]), wordDict([1, 2, 7, 3]), out);
  t.strictSame([...out.subarray(0, 2)], [0, 1], 'the second out of order beyond the last match');
  matchDictionaries('ip', ipDict(['10.0.0.2', '10.0.0.1']), ipDict(['10.0.0.1']), out);
  t.strictSame([...out.subarray(0, 2)], [-1, 0], 'addresses');
  matchDictionaries('word', wordDict([4, 4]), wordDict([4]), out);
  t.strictSame([...out.subarray(0, 2)], [0, 0], 'a value twice');
});

t.test('fold hands a dictionary with a marked IPv4 run to the address-ordered sums; settle makes them entities', async (t) => {
  // without slices the addresses are taken in address order as they are; with slices they get ids
  for (const slices of [0, 2]) {
    const st = new RankState(planRank({ entity: 'IP', count: 'BYTES', fromUs: 0, toUs: 1, slices }));
    const plain = ipDict(['::1', '10.0.0.1', '10.0.0.2', '2001:db8::7']);
    const d: DictColumn = { ...plain, v4: [1, 3] };
    const cs = new CodeSums();
    cs.prepare(d);
    cs.sums.set([5, 6, 7, 8, 2], 0);
    cs.sums.set([1, 1, 1, 1, 1], 2 * CODE_SUM_WIDTH);
    cs.sums.set([9, 9, 9, 9, 3], 3 * CODE_SUM_WIDTH);
    const memo = Int32Array.of(-1, -1, -1, -1);
    cs.fold(st, memo, d, [ACC.accepted]);
    t.equal(st.entityCount(), 0, 'no entity yet: the sums wait in address order');
    t.ok(cs.sums.every((x) => x === 0), 'code sums zeroed');
    st.settle();
    t.equal(st.entityCount(), 3, `-w ${slices}: the three addresses with rows, and no other`);
    const keys = st.entityKeys();
    const id = (a: string): number => {
      const w = parseIp(a)!;
      for (let i = 0; i < st.entityCount(); i++) if (w.every((x, k) => keys[4 * i + k] === x)) return i;
      return -1;
    };
    if (slices === 0) {
      t.equal(st.ix.count, 0, 'no ids');
      t.strictSame([id('::1'), id('10.0.0.2'), id('2001:db8::7')], [0, 1, 2], 'in address order');
    } else t.equal(st.ix.count, 3, 'ids');
    t.strictSame(accOf(st, id('::1')), [5, 6, 7, 8, 0, 2]);
    t.strictSame(accOf(st, id('10.0.0.2')), [1, 1, 1, 1, 0, 1]);
    t.strictSame(accOf(st, id('2001:db8::7')), [9, 9, 9, 9, 0, 3]);
  }
});
