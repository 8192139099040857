// Unit tests of the NSEL ledger: what it remembers per key, accumulation, its LRU bound, expiry
// by write time, and its size for a tracker.
import t from 'tap';
import { KEY_WORDS } from '../../src/session/flowkey.js';
import { NSEL_LEDGER_MIN_ENTRIES, NselLedger, nselLedgerCapacity } from '../../src/session/nselledger.js';

/** Keys 0…n-1 side by side in one array (word 13, the ports, tells them apart), hash = the number. */
function keys(n: number): Uint32Array {
  const k = new Uint32Array(n * KEY_WORDS);
  for (let i = 0; i < n; i++) {
    k[i * KEY_WORDS] = 0xc0000201;
    k[i * KEY_WORDS + 13] = i;
  }
  return k;
}

t.test('put, find, counted, end, remove', async (t) => {
  const l = new NselLedger(8);
  const k = keys(2);
  t.equal(l.find(k, 0, 0), -1, 'empty');
  l.put(k, 0, 0, 1, 100, 2, 200, 60, 1000);
  const e = l.find(k, 0, 0);
  t.ok(e >= 0);
  t.equal(l.find(k, KEY_WORDS, 0), -1, 'another key with the same hash is not found');
  t.same([...l.counted(e)], [1, 100, 2, 200]);
  t.equal(l.end(e), 60);
  // a second put for the same key adds, and keeps the later end
  l.put(k, 0, 0, 1, 10, 0, 20, 50, 1001);
  t.same([...l.counted(l.find(k, 0, 0))], [2, 110, 2, 220]);
  t.equal(l.end(l.find(k, 0, 0)), 60);
  t.equal(l.size, 1);
  l.remove(l.find(k, 0, 0));
  t.equal(l.size, 0);
  t.equal(l.find(k, 0, 0), -1);
  // a slot reused after removal starts from zero
  l.put(k, KEY_WORDS, 7, 0, 5, 0, 0, 10, 1002);
  t.same([...l.counted(l.find(k, KEY_WORDS, 7))], [0, 5, 0, 0]);
});

t.test('bounded: the entry written least recently is forgotten', async (t) => {
  const l = new NselLedger(4);
  const k = keys(6);
  for (let i = 0; i < 4; i++) l.put(k, i * KEY_WORDS, i, 0, i, 0, 0, i, i);
  l.put(k, 0, 0, 0, 1, 0, 0, 9, 10); // key 0 written again: now the most recent
  l.put(k, 4 * KEY_WORDS, 4, 0, 4, 0, 0, 4, 11);
  l.put(k, 5 * KEY_WORDS, 5, 0, 5, 0, 0, 5, 12);
  t.equal(l.size, 4);
  t.equal(l.capacity, 4);
  t.same([0, 1, 2, 3, 4, 5].map((i) => l.find(k, i * KEY_WORDS, i) >= 0), [true, false, false, true, true, true]);
  t.ok(l.memoryBytes() > 0);
});

t.test('expire forgets the entries written before the limit', async (t) => {
  const l = new NselLedger(16);
  const k = keys(3);
  l.put(k, 0, 0, 0, 1, 0, 0, 1, 100);
  l.put(k, KEY_WORDS, 1, 0, 1, 0, 0, 1, 200);
  l.put(k, 2 * KEY_WORDS, 2, 0, 1, 0, 0, 1, 300);
  l.expire(200);
  t.same([0, 1, 2].map((i) => l.find(k, i * KEY_WORDS, i) >= 0), [false, true, true]);
  l.expire(301);
  t.equal(l.size, 0);
});

t.test('size for a tracker: max(64 Ki, conntracksize / 8)', async (t) => {
  t.equal(nselLedgerCapacity(1), NSEL_LEDGER_MIN_ENTRIES);
  t.equal(nselLedgerCapacity(447_248), 65_536);
  t.equal(nselLedgerCapacity(2 ** 26), 2 ** 23);
  t.equal(nselLedgerCapacity(1_000_001), 125_001);
});
