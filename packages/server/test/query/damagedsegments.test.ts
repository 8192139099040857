import t from 'tap';
import type { SegmentInfo, SegmentReader, SessionSource, SkippedSegment } from '@opentraq/core';
import { DamagedSegments, MAX_REMEMBERED, skippedSegmentJson } from '../../src/query/index.js';

const pathOf = (id: number): string => `/store/seg-${String(id).padStart(10, '0')}.otq`;

function fileInfo(id: number): SegmentInfo {
  return { id, rows: 10, startMin: 0, startMax: 5, endMax: 9, stats: {}, ref: { kind: 'file', path: pathOf(id) } };
}

const memory: SegmentInfo = { id: 2 ** 33, rows: 1, startMin: 0, startMax: 0, endMax: 0, stats: {}, ref: { kind: 'memory', rows: 1, columns: {} } };

/** A source of segments 1..3 and a memory segment that records what it is told. */
function source(told: SkippedSegment[]): SessionSource {
  return {
    segments: () => [fileInfo(1), fileInfo(2), fileInfo(3), memory],
    open: (): SegmentReader => {
      throw new Error('not opened in these tests');
    },
    segmentDamaged: (s) => told.push(s),
  };
}

function recorder(): { lines: string[]; log(level: string, message: string, fields?: Readonly<Record<string, unknown>>): void } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`) };
}

const damage = (id: number): SkippedSegment => ({ id, path: pathOf(id), reason: 'column clnbyts: checksum mismatch: the column bytes are damaged' });

t.test('a damaged file is logged and counted once, passed on, and listed as damaged to every later query', async (t) => {
  const log = recorder();
  let counted = 0;
  const damaged = new DamagedSegments(log, () => counted++);
  const told: SkippedSegment[] = [];
  const first = damaged.guard(source(told));
  t.strictSame(
    first.segments(0, 10).map((s) => s.damaged),
    [undefined, undefined, undefined, undefined],
    'nothing known yet',
  );
  first.segmentDamaged!(damage(2));
  // a second query that found it before it was known (they ran at once)
  damaged.guard(source(told)).segmentDamaged!(damage(2));
  t.equal(counted, 1, 'counted once');
  t.equal(log.lines.length, 1, 'logged once');
  t.match(log.lines[0], /^CRITICAL a segment file is damaged.*"file":"\/store\/seg-0000000002\.otq","segment":2,"reason":"column clnbyts: checksum mismatch/);
  t.equal(told.length, 2, 'the underlying source is told each time');
  const later = damaged.guard(source(told)).segments(0, 10);
  t.strictSame(
    later.map((s) => s.damaged),
    [undefined, 'column clnbyts: checksum mismatch: the column bytes are damaged', undefined, undefined],
    'a later query sees it as damaged, and only it',
  );
  t.equal(damaged.size, 1);
});

t.test('at most MAX_REMEMBERED files are remembered, the oldest forgotten first', async (t) => {
  let counted = 0;
  const damaged = new DamagedSegments(recorder(), () => counted++);
  const guarded = damaged.guard(source([]));
  for (let id = 1; id <= MAX_REMEMBERED + 2; id++) guarded.segmentDamaged!(damage(id));
  t.equal(damaged.size, MAX_REMEMBERED);
  t.equal(counted, MAX_REMEMBERED + 2);
  t.strictSame(
    guarded.segments(0, 10).map((s) => s.damaged !== undefined),
    [false, false, true, false],
    'segments 1 and 2 forgotten, 3 remembered; memory segments are never damaged',
  );
});

t.test('the JSON form names the file, not the path', async (t) => {
  t.strictSame(skippedSegmentJson(damage(7)), { segment: 7, file: 'seg-0000000007.otq', reason: 'column clnbyts: checksum mismatch: the column bytes are damaged' });
  t.strictSame(skippedSegmentJson({ id: 1, path: null, reason: 'x' }), { segment: 1, file: null, reason: 'x' });
});
