// Writes one segment file: rows sorted by start, every column encoded with its best encoding, blobs
// written at aligned offsets, then header and directory, all through the crash-safe rename protocol.

import path from 'node:path';
import { crc32 } from 'node:zlib';
import { COLUMN_DEFS, SCHEMA_VERSION, allocColumn, wordsPerRow, type ColumnArray, type ColumnName, type Columns } from '../fields/columns.js';
import { gatherRows } from '../fields/gather.js';
import { encodeColumn, type ColumnPlan, type CompressionMode } from './encodecolumn.js';
import { ENCODINGS, type EncodingName } from './encodings.js';
import { FORMAT_VERSION, HEADER, align8, segmentFileName } from './format.js';
import { buildHeader, directoryLength, type SegmentColumnEntry, type SegmentHeader } from './segmentheader.js';
import { segmentInfoOf, type SegmentFileInfo } from './segmentfileinfo.js';
import { sortOrder } from './sortorder.js';
import { writeFileDurably, writeFully } from './durablefile.js';
import { StoreError } from './storeerror.js';

export interface WriteSegmentOptions {
  /** Store a CRC-32 per column blob (storage.computecrc); default true. */
  computeCrc?: boolean;
  /** Mark the segment as written by flush() before it was full. */
  partial?: boolean;
  /** This segment holds every row of the partial segments with ids in [supersedesFrom, id). */
  supersedesFrom?: number;
  /** Force an encoding per column (tests, experiments); others are chosen by size. */
  encodings?: Partial<Record<ColumnName, EncodingName>>;
  /** Deflate policy for every column; default 'auto' (only when that halves a blob). */
  compression?: CompressionMode;
  /**
   * Write an older schema version with only these columns: for upgrade tests and tools that produce
   * segments for older readers. Defaults: SCHEMA_VERSION and every column.
   */
  schemaVersion?: number;
  columns?: readonly ColumnName[];
  /**
   * Each column's plan from the previous segment of the same writer (encodeColumn's ColumnPlan):
   * read, then replaced by the plans this segment returns (a column without one is searched next time).
   */
  plans?: Map<ColumnName, ColumnPlan>;
}

const MAX_U32 = 0xffffffff;

const CTOR = { f64: Float64Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array, ip: Uint32Array } as const;

function usage(detail: string): never {
  throw new StoreError('USAGE', detail);
}

function checkOptions(id: number, rows: number, o: WriteSegmentOptions): readonly ColumnName[] {
  if (!Number.isInteger(id) || id < 1 || id > MAX_U32) usage(`segment id must be an integer 1..${MAX_U32}, got ${id}`);
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_U32) usage(`a segment holds 1..${MAX_U32} rows, got ${rows}`);
  if (o.supersedesFrom !== undefined && !(Number.isInteger(o.supersedesFrom) && o.supersedesFrom >= 1 && o.supersedesFrom < id)) {
    usage(`supersedesFrom must be an id below the segment's own (${id}), got ${o.supersedesFrom}`);
  }
  const schema = o.schemaVersion ?? SCHEMA_VERSION;
  if (!Number.isInteger(schema) || schema < 0 || schema > SCHEMA_VERSION) usage(`schema version must be 0..${SCHEMA_VERSION}, got ${schema}`);
  const all = COLUMN_DEFS.map((d) => d.name);
  const names = o.columns === undefined ? all : all.filter((n) => o.columns!.includes(n));
  for (const n of o.columns ?? []) if (!all.includes(n)) usage(`unknown column '${n}'`);
  if (!names.includes('start') || !names.includes('end')) usage('a segment needs the start and end columns');
  if (schema === SCHEMA_VERSION && names.length !== all.length) usage(`a schema ${SCHEMA_VERSION} segment holds every column`);
  for (const [n, e] of Object.entries(o.encodings ?? {})) {
    if (!all.includes(n as ColumnName)) usage(`encodings: unknown column '${n}'`);
    if (!ENCODINGS.includes(e)) usage(`encodings: unknown encoding '${e}' for ${n} (known: ${ENCODINGS.join(', ')})`);
  }
  return names;
}

/** Check that every column to write is an array of its type with at least `rows` rows. */
export function checkColumns(cols: Columns, rows: number, names: readonly ColumnName[] = COLUMN_DEFS.map((d) => d.name)): void {
  for (const def of COLUMN_DEFS) {
    if (!names.includes(def.name)) continue;
    const a = cols[def.name] as ColumnArray | undefined;
    const Ctor = CTOR[def.type];
    if (!(a instanceof Ctor)) usage(`column ${def.name} must be a ${Ctor.name} (${def.type})`);
    if (a.length < rows * wordsPerRow(def.type)) usage(`column ${def.name} holds ${a.length / wordsPerRow(def.type)} rows, fewer than ${rows}`);
  }
  const start = cols.start as Float64Array;
  const end = cols.end as Float64Array;
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(start[i]!) || !Number.isFinite(end[i]!)) usage(`row ${i}: start and end must be finite times, got ${start[i]} and ${end[i]}`);
  }
}

function permute(a: ColumnArray, words: number, order: Uint32Array | undefined, rows: number, type: (typeof COLUMN_DEFS)[number]['type']): ColumnArray {
  if (order === undefined) return a.subarray(0, rows * words);
  const out = allocColumn(type, rows);
  gatherRows(type, out, a, order, rows);
  return out;
}

/**
 * Write the first `rows` rows of `cols` as segment `id` in `dir` (file seg-<id>.otq), crash-safely.
 * Rows are stably sorted by start. Returns what a reader of the file would report.
 */
export function writeSegment(dir: string, id: number, cols: Columns, rows: number, options: WriteSegmentOptions = {}): SegmentFileInfo {
  const names = checkOptions(id, rows, options);
  checkColumns(cols, rows, names);
  const computeCrc = options.computeCrc ?? true;
  const order = sortOrder(cols.start as Float64Array, rows);
  const start = permute(cols.start, 1, order, rows, 'f64') as Float64Array;
  const end = cols.end as Float64Array;
  let endMax = start[rows - 1]!;
  for (let i = 0; i < rows; i++) if (end[i]! > endMax) endMax = end[i]!;

  const dataStart = align8(HEADER.size + directoryLength(names));
  const entries: SegmentColumnEntry[] = [];
  let fileLength = dataStart;
  let header: SegmentHeader | undefined;
  const file = path.join(dir, segmentFileName(id));
  writeFileDurably(dir, segmentFileName(id), (fd) => {
    let offset = dataStart;
    for (const def of COLUMN_DEFS) {
      if (!names.includes(def.name)) continue;
      const values = def.name === 'start' ? start : permute(cols[def.name], wordsPerRow(def.type), order, rows, def.type);
      let enc;
      try {
        enc = encodeColumn(def.type, values, rows, {
          encoding: options.encodings?.[def.name],
          compression: options.compression,
          // start cannot be stored relative to itself
          start: def.name === 'start' ? undefined : start,
          plan: options.plans?.get(def.name),
        });
      } catch (e) {
        if (e instanceof StoreError) throw new StoreError(e.code, e.message, { path: file, column: def.name, cause: e });
        throw e;
      }
      writeFully(fd, enc.bytes, offset);
      if (options.plans !== undefined) {
        if (enc.plan === undefined) options.plans.delete(def.name);
        else options.plans.set(def.name, enc.plan);
      }
      entries.push({
        name: def.name,
        type: def.type,
        encoding: enc.encoding,
        compression: enc.compression,
        offset,
        length: enc.bytes.length,
        blobLength: enc.blobLength,
        crc: computeCrc ? crc32(enc.bytes) : 0,
        stats: enc.stats,
      });
      fileLength = offset + enc.bytes.length;
      offset = align8(fileLength);
    }
    header = {
      formatVersion: FORMAT_VERSION,
      schemaVersion: options.schemaVersion ?? SCHEMA_VERSION,
      id,
      rows,
      startMin: start[0]!,
      startMax: start[rows - 1]!,
      endMax,
      columnCrc: computeCrc,
      partial: options.partial ?? false,
      supersedesFrom: options.supersedesFrom,
      fileLength,
      columns: entries,
    };
    writeFully(fd, buildHeader(header), 0);
  });
  return segmentInfoOf(header!, file);
}
