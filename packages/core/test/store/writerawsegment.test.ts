import fs from 'node:fs';
import t from 'tap';
import { COLUMN_DEFS, COLUMN_NAMES, allocColumns, wordsPerRow, type ColumnArray, type Columns } from '../../src/fields/index.js';
import { MemorySource } from '../../src/query/index.js';
import { openSegment, readSegmentInfo, verifySegment, writeRawSegment } from '../../src/store/index.js';
import { plausibleFlows, randomColumns } from './flowdata.js';

/** Rows `from`..`from + rows` of `cols` as a batch of their own (a copy). */
function slice(cols: Columns, from: number, rows: number): Columns {
  const out = allocColumns(rows);
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    (out[d.name] as ColumnArray).set((cols[d.name] as ColumnArray).subarray(from * w, (from + rows) * w));
  }
  return out;
}

t.test('batches are written in their order, unsorted, every column raw; any reader and verifySegment accept the file', async (t) => {
  const dir = t.testdir();
  const all = plausibleFlows(5000, 3);
  // the hot store's batches live in SharedArrayBuffers: one of the three comes from there
  const shared = new MemorySource().append(slice(all, 1000, 2500), 2500);
  const sharedCols = shared.ref.kind === 'memory' ? (shared.ref.columns as unknown as Columns) : t.fail('not a memory segment');
  const batches = [
    { cols: slice(all, 0, 1000), rows: 1000 },
    { cols: slice(all, 3500, 1500), rows: 1500 },
    { cols: allocColumns(4), rows: 0 },
    { cols: sharedCols as Columns, rows: 2500 },
  ];
  const info = writeRawSegment(dir, 7, batches, { computeCrc: true });
  t.equal(info.rows, 5000);
  t.equal(info.id, 7);
  t.ok(info.columns.every((c) => c.encoding === 'raw' && c.compression === 'none'), 'every column raw, uncompressed');
  t.ok(info.columns.every((c) => c.crc !== 0), 'every column has a CRC');
  verifySegment(info.ref.path);
  const header = readSegmentInfo(info.ref.path);
  const starts = [...batches.flatMap((b) => Array.from((b.cols.start as Float64Array).subarray(0, b.rows)))];
  const ends = [...batches.flatMap((b) => Array.from((b.cols.end as Float64Array).subarray(0, b.rows)))];
  t.equal(header.startMin, Math.min(...starts));
  t.equal(header.startMax, Math.max(...starts));
  t.equal(header.endMax, Math.max(...ends, ...starts));
  const r = openSegment(info.ref.path);
  const got = r.read(COLUMN_NAMES);
  r.close();
  let bad = 0;
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    let at = 0;
    for (const b of batches) {
      const src = (b.cols[d.name] as ColumnArray).subarray(0, b.rows * w);
      const dst = (got[d.name] as ColumnArray).subarray(at * w, (at + b.rows) * w);
      for (let i = 0; i < src.length; i++) if (src[i] !== dst[i]) bad++;
      at += b.rows;
    }
  }
  t.equal(bad, 0, 'every value read back where it was written');
});

t.test('without CRCs the column CRCs are 0 and the file still verifies', async (t) => {
  const dir = t.testdir();
  const cols = randomColumns(300, 5);
  const info = writeRawSegment(dir, 1, [{ cols, rows: 300 }], { computeCrc: false });
  t.ok(info.columns.every((c) => c.crc === 0));
  t.equal(info.columnCrc, false);
  verifySegment(info.ref.path);
});

t.test('bad input is a USAGE error that says what is wrong, and leaves no file', async (t) => {
  const dir = t.testdir();
  const good = plausibleFlows(10, 1);
  const usage = (f: () => unknown, re: RegExp, what: string) => t.throws(f, { name: 'StoreError', code: 'USAGE', message: re }, what);
  usage(() => writeRawSegment(dir, 1, []), /1\.\.\d+ rows, got 0/, 'no batch');
  usage(() => writeRawSegment(dir, 1, [{ cols: good, rows: 0 }]), /got 0/, 'no rows');
  usage(() => writeRawSegment(dir, 0, [{ cols: good, rows: 10 }]), /segment id/, 'id 0');
  usage(() => writeRawSegment(dir, 1, [{ cols: good, rows: 11 }]), /holds 10 rows, fewer than 11/, 'a short column');
  usage(() => writeRawSegment(dir, 1, [{ cols: { ...good, srcid: new Float64Array(10) } as unknown as Columns, rows: 10 }]), /srcid must be a Uint32Array/, 'a column of the wrong type');
  const nan = slice(good, 0, 10);
  (nan.end as Float64Array)[4] = NaN;
  usage(() => writeRawSegment(dir, 1, [{ cols: good, rows: 10 }, { cols: nan, rows: 10 }]), /batch 1, row 4: start and end must be finite/, 'a NaN end');
  t.same(fs.readdirSync(dir), [], 'nothing written');
});

t.test('an existing segment is never overwritten (IO)', async (t) => {
  const dir = t.testdir();
  const cols = plausibleFlows(10, 2);
  writeRawSegment(dir, 3, [{ cols, rows: 10 }]);
  t.throws(() => writeRawSegment(dir, 3, [{ cols, rows: 10 }]), { name: 'StoreError', code: 'IO', message: /refusing to overwrite/ });
});
