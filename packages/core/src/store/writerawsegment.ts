// Writes a segment file whose columns are all 'raw' and uncompressed, straight from the caller's
// column arrays (several batches of rows, in their order): the server's checkpoint files.
//
// writeSegment sorts the rows, gathers every column into that order and searches each column's best
// encoding; a checkpoint is read back only after a crash, so that work is wasted on it. This writer
// copies nothing: each column's blob is its 8-byte raw header followed by the batches' bytes, written
// as they lie in memory. The file is an ordinary segment (any reader and verifySegment accept it),
// except that its rows are in the order given, not sorted by start.

import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { COLUMN_DEFS, SCHEMA_VERSION, wordsPerRow, type ColumnArray, type Columns } from '../fields/columns.js';
import { writeFileDurably } from './durablefile.js';
import { encodingId } from './encodings.js';
import { FORMAT_VERSION, HEADER, TYPE_CODES, TYPE_WIDTH, align8, assertLittleEndian, segmentFileName } from './format.js';
import { buildHeader, directoryLength, type SegmentColumnEntry } from './segmentheader.js';
import { segmentInfoOf, type SegmentFileInfo } from './segmentfileinfo.js';
import { StoreError } from './storeerror.js';

/** One batch of rows: the first `rows` rows of every column of `cols` (allocColumns layout). */
export interface RowBatch {
  readonly cols: Columns;
  readonly rows: number;
}

const MAX_U32 = 0xffffffff;
const CTOR = { f64: Float64Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array, ip: Uint32Array } as const;
const RAW_ID = encodingId('raw');

function usage(detail: string): never {
  throw new StoreError('USAGE', detail);
}

function bytesOf(a: ColumnArray, values: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, values * a.BYTES_PER_ELEMENT);
}

/** Write every byte of `bytes` at `position`; returns the position after them. */
function writeAt(fd: number, bytes: Uint8Array, position: number): number {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  return position + bytes.length;
}

/**
 * Write the rows of `batches` (in that order) as segment `id` in `dir`, every column raw and
 * uncompressed, crash-safely (temporary file, fsync, rename, directory fsync). Throws StoreError:
 * USAGE for a bad id, no rows, a column of the wrong type or too short, a start or end that is not a
 * finite time; IO when the disk refuses.
 */
export function writeRawSegment(dir: string, id: number, batches: readonly RowBatch[], options: { computeCrc?: boolean } = {}): SegmentFileInfo {
  assertLittleEndian();
  if (!Number.isInteger(id) || id < 1 || id > MAX_U32) usage(`segment id must be an integer 1..${MAX_U32}, got ${id}`);
  let rows = 0;
  let startMin = Infinity;
  let startMax = -Infinity;
  let endMax = -Infinity;
  for (const [k, b] of batches.entries()) {
    if (!Number.isInteger(b.rows) || b.rows < 0) usage(`batch ${k}: rows must be a non-negative integer, got ${b.rows}`);
    for (const def of COLUMN_DEFS) {
      const a = b.cols[def.name] as ColumnArray | undefined;
      const Ctor = CTOR[def.type];
      if (!(a instanceof Ctor)) usage(`batch ${k}: column ${def.name} must be a ${Ctor.name} (${def.type})`);
      if (a.length < b.rows * wordsPerRow(def.type)) usage(`batch ${k}: column ${def.name} holds ${a.length / wordsPerRow(def.type)} rows, fewer than ${b.rows}`);
    }
    const start = b.cols.start as Float64Array;
    const end = b.cols.end as Float64Array;
    for (let i = 0; i < b.rows; i++) {
      const s = start[i]!;
      const e = end[i]!;
      // NaN fails both comparisons of a finite check written this way
      if (!(s - s === 0 && e - e === 0)) usage(`batch ${k}, row ${i}: start and end must be finite times, got ${s} and ${e}`);
      if (s < startMin) startMin = s;
      if (s > startMax) startMax = s;
      if (e > endMax) endMax = e;
    }
    rows += b.rows;
  }
  if (rows < 1 || rows > MAX_U32) usage(`a segment holds 1..${MAX_U32} rows, got ${rows}`);
  // as writeSegment does: the header's end max is at least the latest start (the header checks that order)
  if (endMax < startMax) endMax = startMax;
  const computeCrc = options.computeCrc ?? true;
  const names = COLUMN_DEFS.map((d) => d.name);
  const dataStart = align8(HEADER.size + directoryLength(names));
  const file = path.join(dir, segmentFileName(id));
  const entries: SegmentColumnEntry[] = [];
  let fileLength = dataStart;
  const header = (columns: readonly SegmentColumnEntry[]) => ({
    formatVersion: FORMAT_VERSION,
    schemaVersion: SCHEMA_VERSION,
    id,
    rows,
    startMin,
    startMax,
    endMax,
    columnCrc: computeCrc,
    partial: false,
    supersedesFrom: undefined,
    fileLength,
    columns,
  });
  writeFileDurably(dir, segmentFileName(id), (fd) => {
    let offset = dataStart;
    for (const def of COLUMN_DEFS) {
      const head = new Uint8Array(8);
      head[0] = RAW_ID;
      head[1] = TYPE_CODES[def.type];
      let crc = computeCrc ? crc32(head) : 0;
      let at = writeAt(fd, head, offset);
      const words = wordsPerRow(def.type);
      for (const b of batches) {
        if (b.rows === 0) continue;
        const bytes = bytesOf(b.cols[def.name], b.rows * words);
        if (computeCrc) crc = crc32(bytes, crc);
        at = writeAt(fd, bytes, at);
      }
      const length = 8 + rows * TYPE_WIDTH[def.type];
      entries.push({ name: def.name, type: def.type, encoding: 'raw', compression: 'none', offset, length, blobLength: length, crc, stats: undefined });
      fileLength = offset + length;
      offset = align8(fileLength);
    }
    writeAt(fd, buildHeader(header(entries)), 0);
  });
  return segmentInfoOf(header(entries), file);
}
