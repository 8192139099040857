import t from 'tap';
import { parseIp, parseMac } from '../../src/fields/ipcodec.js';
import { CodeSums, CODE_SUM_WIDTH } from '../../src/query/codesums.js';
import { planRank } from '../../src/query/rankquery.js';
import { ACC, ACC_WIDTH, RankState } from '../../src/query/rankstate.js';
import type { DictColumn } from '../../src/query/source.js';

function ipDict(addrs: readonly string[]): DictColumn {
  const dict = new Uint32Array(addrs.length * 4);
  addrs.forEach((a, i) => dict.set(parseIp(a)!, i * 4));
  return { kind: 'dict', codes: new Uint8Array(0), dict, size: addrs.length };
}

function accOf(st: RankState, id: number): number[] {
  return [...st.acc.subarray(id * ACC_WIDTH, id * ACC_WIDTH + 6)];
}

t.test('fold adds each touched code to its entity, looks up the codes the kernel did not, and leaves the sums zeroed', async (t) => {
  const st = new RankState(planRank({ entity: 'IP', count: 'BYTES', fromUs: 0, toUs: 1 }));
  const known = st.ix.idOfValue(ipDict(['2001:db8::7']).dict, 0);
  const d = ipDict(['10.0.0.1', '2001:db8::7', '10.0.0.2', '10.0.0.3']);
  const cs = new CodeSums();
  cs.prepare('ip', d);
  t.strictSame([1, 3, 5, 7].map((i) => cs.counts[i]), [parseIp('10.0.0.1')![3], 7, parseIp('10.0.0.2')![3], parseIp('10.0.0.3')![3]], 'fingerprints: last words');
  const add = (k: number, v: readonly number[]): void => {
    for (let j = 0; j < CODE_SUM_WIDTH; j++) cs.sums[k * CODE_SUM_WIDTH + j] += v[j]!;
    cs.counts[2 * k] += 1;
  };
  add(1, [2 ** 40, 3, 4, 5]);
  add(1, [1, 0, 1, 0]);
  add(3, [7, 8, 9, 10]);
  // code 1 was found by the kernel, code 3 was not; code 0 and 2 had no rows
  const memo = Int32Array.of(-1, known, -1, -1);
  cs.fold(st, memo, d.dict, d.size, [ACC.initiated]);
  t.equal(st.ix.count, 2, 'only touched codes become entities');
  t.equal(memo[3], 1, 'the looked-up id is kept in the memo');
  t.equal(memo[0], -1);
  t.strictSame(accOf(st, known), [2 ** 40 + 1, 3, 5, 5, 2, 0]);
  t.strictSame(accOf(st, 1), [7, 8, 9, 10, 1, 0]);
  t.ok(cs.sums.every((x) => x === 0), 'sums zeroed');
  t.ok([0, 1, 2, 3].every((k) => cs.counts[2 * k] === 0), 'row counts zeroed');

  // the next segment: a smaller dictionary reuses the arrays; a session entity counts both slots
  const d2 = ipDict(['10.0.0.3']);
  cs.prepare('ip', d2);
  add(0, [1, 1, 1, 1]);
  cs.fold(st, Int32Array.of(-1), d2.dict, d2.size, [ACC.initiated, ACC.accepted]);
  t.strictSame(accOf(st, 1), [8, 9, 10, 11, 2, 1], 'folded into the entity of the same address');
});

t.test('fingerprints of word and MAC dictionaries', async (t) => {
  const cs = new CodeSums();
  cs.prepare('word', { kind: 'dict', codes: new Uint8Array(0), dict: Uint32Array.of(4200000000, 7), size: 2 });
  t.strictSame([cs.counts[1], cs.counts[3]], [4200000000, 7]);
  const m = parseMac('02:00:00:00:00:01')!;
  cs.prepare('mac', { kind: 'dict', codes: new Uint8Array(0), dict: Float64Array.of(m), size: 1 });
  t.equal(cs.counts[1], 1, 'the low 32 bits of the MAC');
  t.ok(cs.counts.length >= 2048, 'arrays are kept at their largest size');
});
