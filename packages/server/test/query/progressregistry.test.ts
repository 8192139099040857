// The registry of session queries' scan progress: entries by user and id (another user's id is
// unknown), gone as soon as their query ends, ids unique per user, bounded per user and in all.

import t from 'tap';
import { MAX_TRACKED, MAX_TRACKED_PER_USER, ProgressRegistry, ProgressRegistryError } from '../../src/query/index.js';

t.test('a query is followed from its arrival to its end, under its user and id only', async (t) => {
  const reg = new ProgressRegistry();
  const q = reg.track('alice', 'q1');
  t.strictSame(reg.get('alice', 'q1'), { state: 'queued', scanned: 0, total: 0 }, 'queued, nothing scanned, the total not known yet');
  q.scanning();
  q.update(0, 5000);
  t.strictSame(reg.get('alice', 'q1'), { state: 'scanning', scanned: 0, total: 5000 });
  q.update(1200, 5000);
  t.strictSame(reg.get('alice', 'q1'), { state: 'scanning', scanned: 1200, total: 5000 });
  t.equal(reg.get('bob', 'q1'), undefined, "bob does not see alice's query");
  t.equal(reg.get('alice', 'q2'), undefined, 'an id never given: unknown');
  const snapshot = reg.get('alice', 'q1')!;
  q.update(5000, 5000);
  t.equal(snapshot.scanned, 1200, 'an answer is a copy: later updates do not change it');
  t.equal(reg.size, 1);
  q.end();
  t.equal(reg.get('alice', 'q1'), undefined, 'ended: unknown');
  t.equal(reg.size, 0);
  q.end();
  q.update(7, 7);
  t.equal(reg.size, 0, 'ending twice, or updating after the end, changes nothing');
  t.equal(reg.get('alice', 'q1'), undefined);
  const again = reg.track('alice', 'q1');
  t.strictSame(reg.get('alice', 'q1'), { state: 'queued', scanned: 0, total: 0 }, 'an ended id may be used again');
  q.end();
  t.ok(reg.get('alice', 'q1') !== undefined, 'ending the old query again does not end the new one with its id');
  again.end();
});

t.test('ids are unique per user: the same id of another user is another query', async (t) => {
  const reg = new ProgressRegistry();
  const a = reg.track('alice', 'same');
  t.throws(() => reg.track('alice', 'same'), { name: 'ProgressRegistryError', code: 'PROGRESS_ID_IN_USE', status: 409, message: /a query of alice with progress=same is already running; give each query its own random id/ });
  const b = reg.track('bob', 'same');
  a.update(10, 100);
  b.update(70, 200);
  t.match(reg.get('alice', 'same'), { scanned: 10, total: 100 });
  t.match(reg.get('bob', 'same'), { scanned: 70, total: 200 });
  a.end();
  t.equal(reg.get('alice', 'same'), undefined);
  t.match(reg.get('bob', 'same'), { scanned: 70 }, "ending alice's query leaves bob's");
  b.end();
  t.equal(reg.size, 0);
});

t.test('bounded: per user and in all; an ended query frees its place', async (t) => {
  t.ok(MAX_TRACKED_PER_USER >= 16 && MAX_TRACKED >= MAX_TRACKED_PER_USER, `defaults ${MAX_TRACKED_PER_USER} per user, ${MAX_TRACKED} in all`);
  const reg = new ProgressRegistry(3, 5);
  const alice = [0, 1, 2].map((i) => reg.track('alice', `a${i}`));
  let refused: unknown;
  try {
    reg.track('alice', 'a3');
  } catch (e) {
    refused = e;
  }
  t.type(refused, ProgressRegistryError, 'a fourth query of alice is refused');
  t.match(refused, { code: 'TOO_MANY_PROGRESS_QUERIES', status: 429, message: /alice already has 3 session queries with progress running; wait for one to end, or leave progress= out/ });
  reg.track('bob', 'b0');
  reg.track('bob', 'b1');
  t.equal(reg.size, 5);
  t.throws(() => reg.track('carol', 'c0'), { code: 'TOO_MANY_PROGRESS_QUERIES', message: /the server already follows 5 session queries with progress/ }, 'the bound in all');
  alice[0]!.end();
  t.doesNotThrow(() => reg.track('carol', 'c0'), 'a place freed by an ended query');
  t.throws(() => reg.track('alice', 'a9'), { code: 'TOO_MANY_PROGRESS_QUERIES' }, 'full again');
  alice[1]!.end();
  t.doesNotThrow(() => reg.track('alice', 'a9'));
  t.equal(reg.size, 5);
});
