// ftsq's engine: the whole sessions of a frame that pass a filter, in start order,
// merged across segments whose start ranges overlap, batch by batch with bounded memory.

import { COLUMN_NAMES, COLUMNS, allocColumn, wordsPerRow, type ColumnArray, type ColumnName } from '../fields/columns.js';
import type { FilterNode } from '../filter/ast.js';
import { compileToJs, type CompiledFilter } from '../filter/index.js';
import { overlaps } from './prorate.js';
import { QueryError } from './queryerror.js';
import { CHUNK_ROWS, firstStartAtOrAfter } from './rankscanner.js';
import { knownDamaged, skippedSegment, type SkippedSegment } from './skippedsegment.js';
import type { SegmentInfo, SegmentReader, SessionSource } from './source.js';

export interface SessionQuery {
  /** The frame [fromUs, toUs): sessions overlapping it are returned whole (time.md). */
  readonly fromUs: number;
  readonly toUs: number;
  readonly filter?: FilterNode;
  /** Stop after this many sessions. */
  readonly limit?: number;
  /** Columns to return (default: all of them). */
  readonly columns?: readonly ColumnName[];
  /** Sessions per batch (default 4096). */
  readonly batchRows?: number;
}

export interface SessionStreamOptions {
  /**
   * Told how far the scan is: the rows of the segments read and filtered so far and of all the
   * frame's segments (every row of a segment is looked at, so these count stored sessions, not
   * matches). Called with scanned = 0 before the first segment and after each segment; after each,
   * the stream also yields what it has gathered, possibly an empty batch, so that a caller which
   * reports progress gets control back even while nothing matches.
   */
  readonly onProgress?: (scannedRows: number, totalRows: number) => void;
  /**
   * Told of each segment of the frame the stream leaves out because its data is damaged (none
   * of its sessions is returned): those its source lists as damaged, at the start, and those
   * found damaged when the merge reaches them (the source is then told too: segmentDamaged).
   */
  readonly onSkipped?: (segment: SkippedSegment) => void;
}

export interface SessionBatch {
  readonly rows: number;
  /** The requested columns, exactly `rows` rows each (ip columns 4 words a row). */
  readonly columns: Partial<Record<ColumnName, ColumnArray>>;
}

/** An open segment and the rows of it still to emit. */
interface Cursor {
  readonly order: number;
  readonly reader: SegmentReader;
  readonly cols: Partial<Record<ColumnName, ColumnArray>>;
  readonly start: Float64Array;
  readonly rows: Uint32Array;
  readonly count: number;
  pos: number;
}

function positiveInt(v: number | undefined, what: string): number {
  if (v === undefined) return Infinity;
  if (!Number.isSafeInteger(v) || v <= 0) throw new QueryError('BAD_ROWS', `${what} must be a positive whole number (got ${String(v)})`);
  return v;
}

/** Cursor a comes before cursor b: earlier start of the next row, then earlier segment. */
function before(a: Cursor, b: Cursor): boolean {
  const sa = a.start[a.rows[a.pos]!]!;
  const sb = b.start[b.rows[b.pos]!]!;
  return sa < sb || (sa === sb && a.order < b.order);
}

function push(heap: Cursor[], c: Cursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(heap[i]!, heap[p]!)) break;
    [heap[i], heap[p]] = [heap[p]!, heap[i]!];
    i = p;
  }
}

function pop(heap: Cursor[]): Cursor {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}

/** Reads a segment and selects its rows that overlap the frame and pass the filter; null when none do. */
function openCursor(
  source: SessionSource,
  info: SegmentInfo,
  order: number,
  names: readonly ColumnName[],
  filter: CompiledFilter | null,
  from: number,
  to: number,
): Cursor | null {
  const reader = source.open(info);
  try {
    const cols = reader.read(names);
    const start = cols.start as Float64Array;
    const end = cols.end as Float64Array;
    const hi = firstStartAtOrAfter(start, info.rows, to);
    let rows = new Uint32Array(Math.min(hi, CHUNK_ROWS));
    let count = 0;
    const sel = new Uint32Array(CHUNK_ROWS);
    for (let lo = 0; lo < hi; lo += CHUNK_ROWS) {
      const stop = Math.min(lo + CHUNK_ROWS, hi);
      let n = stop - lo;
      if (filter !== null) n = filter.select(cols, lo, stop, sel);
      else for (let i = 0; i < n; i++) sel[i] = lo + i;
      if (count + n > rows.length) {
        const grown = new Uint32Array(Math.max(count + n, rows.length * 2));
        grown.set(rows.subarray(0, count));
        rows = grown;
      }
      for (let i = 0; i < n; i++) {
        const r = sel[i]!;
        if (overlaps(start[r]!, end[r]!, from, to)) rows[count++] = r;
      }
    }
    if (count === 0) {
      reader.close();
      return null;
    }
    return { order, reader, cols, start, rows, count, pos: 0 };
  } catch (err) {
    reader.close();
    throw err;
  }
}

/**
 * The sessions overlapping [fromUs, toUs) that pass the filter, whole, in start order
 * (ties: segment order, then row order), in batches. A segment is opened only when the
 * merge reaches its first start, and closed when its last row is emitted, so memory
 * holds the segments whose start ranges overlap plus one batch (docs/queries.md).
 * Stopping the iteration early closes the open segments. With `opts.onProgress`, a batch may be
 * short or empty (rows: 0) without being the last.
 */
export function* streamSessions(source: SessionSource, q: SessionQuery, opts: SessionStreamOptions = {}): Generator<SessionBatch, void, undefined> {
  const { fromUs: from, toUs: to } = q;
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isFinite(from) || !Number.isFinite(to) || !(from < to)) {
    throw new QueryError('BAD_TIME_FRAME', `the time frame must be two finite instants with from < to (got ${String(from)} .. ${String(to)})`);
  }
  const limit = positiveInt(q.limit, 'limit');
  const batchRows = q.batchRows === undefined ? 4096 : positiveInt(q.batchRows, 'batchRows');
  const out = q.columns ?? COLUMN_NAMES;
  for (const c of out) if (!COLUMNS.has(c)) throw new QueryError('UNKNOWN_COLUMN', `unknown column ${JSON.stringify(c)}`);
  const filter = q.filter === undefined || q.filter.type === 'all' ? null : compileToJs(q.filter);
  const names = [...new Set<ColumnName>([...out, 'start', 'end', ...(filter?.columns ?? [])])];
  const widths = out.map((c) => wordsPerRow(COLUMNS.get(c)!.type));

  const infos: SegmentInfo[] = [];
  for (const info of source.segments(from, to)) {
    const known = knownDamaged(info);
    if (known === null) infos.push(info);
    else opts.onSkipped?.(known);
  }
  // a segment is read whole before any of its rows is emitted: one found damaged gives none
  const openOrSkip = (info: SegmentInfo, order: number): Cursor | null => {
    try {
      return openCursor(source, info, order, names, filter, from, to);
    } catch (e) {
      const skipped = skippedSegment(info, e);
      if (skipped === null) throw e;
      source.segmentDamaged?.(skipped);
      opts.onSkipped?.(skipped);
      return null;
    }
  };
  const onProgress = opts.onProgress;
  const totalRows = onProgress === undefined ? 0 : infos.reduce((n, s) => n + s.rows, 0);
  let scannedRows = 0;
  onProgress?.(0, totalRows);
  const heap: Cursor[] = [];
  let next = 0;
  let emitted = 0;
  // the arrays of a batch yielded empty, for the next one
  let spare: ColumnArray[] | null = null;
  try {
    while (emitted < limit) {
      const size = Math.min(batchRows, limit - emitted);
      const batch: ColumnArray[] = spare ?? out.map((c) => allocColumn(COLUMNS.get(c)!.type, size));
      spare = null;
      let rows = 0;
      // a segment was scanned with progress asked for: hand back what there is before going on
      let paused = false;
      while (rows < size) {
        // Open every segment that may hold a session starting no later than the next one out.
        while (next < infos.length && (heap.length === 0 || infos[next]!.startMin <= heap[0]!.start[heap[0]!.rows[heap[0]!.pos]!]!)) {
          const c = openOrSkip(infos[next]!, next);
          scannedRows += infos[next]!.rows;
          next++;
          if (c !== null) push(heap, c);
          if (onProgress !== undefined) {
            onProgress(scannedRows, totalRows);
            paused = true;
            break;
          }
        }
        if (paused || heap.length === 0) break;
        const c = pop(heap);
        // Emit the run of c's rows that stays ahead of every other open cursor and of the next
        // unopened segment (at least one row: c is the least cursor and the opening loop ran).
        const other = heap.length > 0 ? heap[0]! : null;
        const otherStart = other === null ? Infinity : other.start[other.rows[other.pos]!]!;
        const nextStart = next < infos.length ? infos[next]!.startMin : Infinity;
        let run = 0;
        const room = size - rows;
        while (run < room && c.pos + run < c.count) {
          const s = c.start[c.rows[c.pos + run]!]!;
          if (s > nextStart || s > otherStart || (s === otherStart && other!.order < c.order)) break;
          run++;
        }
        const r0 = c.rows[c.pos]!;
        const contiguous = c.rows[c.pos + run - 1]! - r0 === run - 1;
        for (let k = 0; k < out.length; k++) {
          const src = c.cols[out[k]!]!;
          const dst = batch[k]!;
          const w = widths[k]!;
          if (contiguous) {
            dst.set(src.subarray(r0 * w, (r0 + run) * w), rows * w);
            continue;
          }
          for (let i = 0; i < run; i++) {
            const r = c.rows[c.pos + i]!;
            if (w === 1) dst[rows + i] = src[r]!;
            else for (let j = 0; j < w; j++) dst[(rows + i) * w + j] = src[r * w + j]!;
          }
        }
        rows += run;
        c.pos += run;
        if (c.pos < c.count) push(heap, c);
        else c.reader.close();
      }
      if (rows === 0 && !paused) return;
      emitted += rows;
      const columns: Partial<Record<ColumnName, ColumnArray>> = {};
      out.forEach((c, k) => (columns[c] = rows === size ? batch[k]! : batch[k]!.subarray(0, rows * widths[k]!)));
      if (rows === 0) spare = batch;
      yield { rows, columns };
      if (rows < size && !paused) return;
    }
  } finally {
    for (const c of heap) c.reader.close();
  }
}
