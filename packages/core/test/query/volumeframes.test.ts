import t, { type Test } from 'tap';
import type { Columns } from '../../src/fields/columns.js';
import { parseFilter } from '../../src/filter/index.js';
import { WorkerPool, rank, type FrameColumn, type RankQuery, type SegmentInfo, type SegmentReader, type SessionSource } from '../../src/query/index.js';
import { VolumeFrames } from '../../src/query/volumeframes.js';
import { ColumnStore, writeSegment } from '../../src/store/index.js';
import { rng } from '../seededrng.js';
import { FROM, TO, randomSessions } from './randomsessions.js';
import { allRows, normalise, referenceRank } from './referencerank.js';

function frame(parts: Uint8Array | Uint16Array, base: number, step: number, high: [number, number][]): FrameColumn {
  const highScale = parts instanceof Uint8Array ? 0x100 : 0x10000;
  return {
    kind: 'frame',
    parts,
    base,
    step,
    highRows: Uint32Array.from(high.map(([r]) => r)),
    high: Uint32Array.from(high.map(([, h]) => h)),
    highSum: high.reduce((n, [, h]) => n + h, 0),
    highScale,
  };
}

t.test('VolumeFrames: frames with their high parts, sums in steps, and what cannot be summed in steps', async (t) => {
  const f = new VolumeFrames();
  const bytes = frame(Uint16Array.of(1, 2, 3, 65535), 40, 1, [
    [1, 3],
    [3, 70000],
  ]);
  const pkts = frame(Uint8Array.of(0, 1, 255, 7), 2, 2, [[2, 1]]);
  const plain = Float64Array.of(5, 6, 7, 8);
  t.ok(f.prepare([bytes, plain, pkts, plain], 4));
  t.equal(f.types, 'u16 f64 u8 f64');
  t.notOk(f.identity);
  t.strictSame([f.base[0], f.step[0], f.highScale[0], [...f.highRows[0]!], [...f.high[0]!]], [40, 1, 65536, [1, 3], [3, 70000]], 'bytes: base, step, high parts');
  // rows 0 and 2: 2 rows, steps 1 + 3
  t.equal(f.sum(0, 2, 1 + 3), 41 + 43);
  // rows 1 and 3, whose steps include their high parts (high × highScale, added by a kernel)
  t.equal(f.sum(0, 2, 2 + 3 * 65536 + 65535 + 70000 * 65536), 42 + 3 * 65536 + 40 + 65535 + 70000 * 65536);
  // packets 2, 4, 2 + 2 × (255 + 256) (row 2's high part 1 × 256), 16
  t.equal(f.sum(2, 4, 0 + 1 + 255 + 256 + 7), 2 + 4 + 2 + 2 * (255 + 256) + 16);
  t.equal(f.sum(1, 4, 5 + 6 + 7 + 8), 5 + 6 + 7 + 8, 'decoded values are their own steps');
  t.ok(f.prepare([plain, plain, plain, plain], 4) && f.identity, 'values only: nothing to convert');
  t.notOk(f.prepare([frame(Uint8Array.of(1), 0.5, 1, []), plain, plain, plain], 1), 'a fractional base');
  t.notOk(f.prepare([frame(Uint8Array.of(1), 0, 1.5, []), plain, plain, plain], 1), 'a fractional step');
  t.notOk(f.prepare([frame(Uint16Array.of(1), 0, 100000, [[0, 2 ** 31]]), plain, plain, plain], 1000), 'sums that could leave the exact range');
  t.ok(f.prepare([frame(Uint16Array.of(1), 0, 1, [[0, 2 ** 31]]), plain, plain, plain], 100000), 'a large high part in a large segment is fine');
});

/**
 * The query fixture's sessions with volumes a frame of reference keeps with many high parts:
 * bytes from 40 up, packets in steps of 2, a few of them far above the rest (up to 2^44 and
 * 2^37: their unit counts pass 2^53 where the frame cuts them, and must still be pro-rated
 * exactly); and the sessions of an address with itself among those with high parts.
 */
function framedBatches(seed: number): { columns: Columns; rows: number }[] {
  const r = rng(seed);
  const { batches } = randomSessions(seed, 5, 300);
  const pick = (small: number, big: number): number => (r() < 0.85 ? Math.floor(r() * small) : small + Math.floor(r() * big));
  for (const { columns: c, rows } of batches) {
    for (let i = 0; i < rows; i++) {
      c.clnbyts[i] = 40 + pick(200, 5e9);
      c.srvbyts[i] = pick(60000, 2 ** 44);
      c.clnpkts[i] = 2 * pick(100, 2 ** 36);
      c.srvpkts[i] = pick(250, 70000);
      // an address talking to itself, with high parts
      if (r() < 0.05) {
        c.srvip.set(c.clnip.subarray(4 * i, 4 * i + 4), 4 * i);
        c.clnbyts[i] = 40 + 200 + Math.floor(r() * 5e9);
      }
    }
  }
  return batches;
}

const PFOR = { clnbyts: 'pfor', srvbyts: 'pfor', clnpkts: 'pfor', srvpkts: 'pfor' } as const;

/** The batches as segment files with volumes in 'pfor', read through a store that counts the segments read as frames. */
function framedStore(t: Test, batches: readonly { columns: Columns; rows: number }[]): { source: SessionSource; framed: () => number } {
  const dir = t.testdir();
  batches.forEach((b, i) => writeSegment(dir, i + 1, b.columns, b.rows, { encodings: PFOR, compression: 'none' }));
  const store = ColumnStore.open(dir, { segmentCount: 100, segmentSize: 1000, readOnly: true });
  t.teardown(() => store.close());
  let framed = 0;
  const source: SessionSource = {
    segments: (from, to) => store.segments(from, to),
    open: (info: SegmentInfo): SegmentReader => {
      const r = store.open(info);
      return {
        info: r.info,
        read: (names, scratch) => r.read(names, scratch),
        readEncoded: (names, scratch, frames) => {
          const out = r.readEncoded!(names, scratch, frames);
          if (Object.values(out).some((c) => c?.kind === 'frame')) framed++;
          return out;
        },
        close: () => r.close(),
      };
    },
  };
  return { source, framed: () => framed };
}

function queries(from: number, to: number): RankQuery[] {
  const out: RankQuery[] = [];
  for (const entity of ['IP', 'COUNTRY', 'QOS', 'MAC'] as const) {
    for (const count of ['BYTES', 'PACKETS', 'SESSIONS'] as const) {
      for (const direction of ['none', 'snd', 'rcv'] as const) {
        if (entity === 'QOS' && direction !== 'none') continue;
        out.push({ entity, count, direction, fromUs: from, toUs: to });
      }
    }
  }
  for (const filter of ['PROTO=TCP || SRVPORT=53', 'ADDR=10.0.0.0/29,2001:db8::/64', 'BYTES>100000', 'MAC=00:11:22:33:44:55']) {
    out.push({ entity: 'IP', count: 'BYTES', fromUs: from, toUs: to, filter: parseFilter(filter) });
    out.push({ entity: 'MAC', count: 'PACKETS', direction: 'snd', fromUs: from, toUs: to, filter: parseFilter(filter) });
  }
  return out;
}

t.test('volumes summed in steps straight from pfor parts (high parts, self sessions, both families) match the reference', async (t) => {
  const batches = framedBatches(3);
  const rows = allRows(batches);
  const { source, framed } = framedStore(t, batches);
  const span = TO - FROM;
  // every segment whole (sums by code, frames) and cut by the frame (values, pro-rated)
  for (const [from, to] of [
    [FROM - span, FROM + 3 * span],
    [FROM + 777, TO - 555],
  ] as const) {
    for (const q of queries(from, to)) {
      const label = `${q.entity} ${q.count} ${q.direction ?? ''} [${q.filter === undefined ? 'no filter' : 'filtered'}] ${from === FROM + 777 ? 'cut' : 'whole'}`;
      t.strictSame(normalise(await rank(source, q)), referenceRank(rows, q), label);
    }
  }
  t.ok(framed() > 20, `${framed()} segments read as frames`);
});

t.test('rankings summed in steps are the same on 1, 2 and 3 threads', async (t) => {
  const { source } = framedStore(t, framedBatches(4));
  const span = TO - FROM;
  const pools = [new WorkerPool(2), new WorkerPool(3)];
  t.teardown(() => Promise.all(pools.map((p) => p.close())));
  for (const q of queries(FROM - span, FROM + 3 * span)) {
    const one = await rank(source, q);
    for (const pool of pools) t.strictSame(await rank(source, q, { pool }), one, `${q.entity} ${q.count} ${q.direction ?? ''} on ${pool.size}`);
  }
});
