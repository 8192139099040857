// The main thread's leases on the storage thread's views: the oldest epoch a running query reads, each
// lease released once, and sharing a view only while none of its files can have been deleted.
import t from 'tap';
import { MemorySource, type SkippedSegment } from '@opentraq/core';
import { ViewLeases } from '../../src/storage/viewleases.js';

t.test('the oldest epoch read follows the leases held, and the current epoch when none is older', async (t) => {
  let current = 3;
  const leases = new ViewLeases(() => current);
  const src = new MemorySource();
  t.equal(leases.oldest(), 3, 'no query: the current view');
  const a = leases.lease(src, 3);
  const b = leases.lease(src, 3);
  current = 5;
  const c = leases.lease(src, 5);
  t.equal(leases.size, 3);
  t.equal(leases.oldest(), 3, 'two queries still read view 3');
  a.release();
  a.release();
  t.equal(leases.oldest(), 3, 'a release counts once, however often it is called');
  b.release();
  t.equal(leases.oldest(), 5, 'view 3 read by nobody now');
  c.release();
  current = 6;
  t.equal(leases.oldest(), 6);
  t.equal(leases.size, 0);
});

t.test('a view is shared while it is current or still leased, never after its last lease ended behind a newer view', async (t) => {
  let current = 1;
  const leases = new ViewLeases(() => current);
  const first = leases.lease(new MemorySource(), 1);
  first.release();
  const again = first.share();
  t.ok(again !== undefined, 'the current view: none of its files goes before a newer view comes');
  t.equal(again!.epoch, 1);
  current = 2;
  const third = again!.share();
  t.ok(third !== undefined, 'a newer view came, but a lease still holds this one');
  again!.release();
  third!.release();
  t.equal(first.share(), undefined, 'no lease and a newer view: its files may be deleted at the next cycle');
  t.equal(leases.size, 0);
});

t.test('a leased source reads and reports like the source it leases', async (t) => {
  const reported: SkippedSegment[] = [];
  const src = new MemorySource();
  const plain = new ViewLeases(() => 0).lease(src, 0);
  t.same(plain.segments(0, 1), [], 'segments are the source’s');
  t.equal(plain.segmentDamaged, undefined, 'a source that is not told of damage is not made to look like one');
  const told = new ViewLeases(() => 0).lease({ segments: () => [], open: (info) => src.open(info), segmentDamaged: (s) => reported.push(s) }, 0);
  const s: SkippedSegment = { id: 7, path: '/x/seg-0000000007.otq', reason: 'crc' };
  told.segmentDamaged!(s);
  t.same(reported, [s], 'damage found by a query reaches the source');
});
