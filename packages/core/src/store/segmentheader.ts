// The fixed header and the column directory of a segment file: building them for the writer and
// parsing them, with every check that keeps a torn, truncated or foreign file from being read as data.

import { crc32 } from 'node:zlib';
import { COLUMNS, SCHEMA_VERSION, type ColumnName, type ColumnType } from '../fields/columns.js';
import type { ColumnStats } from '../query/source.js';
import { encodingId, encodingName, type EncodingName } from './encodings.js';
import {
  BLOB_ALIGN,
  COMPRESSIONS,
  ENTRY_FIXED_BYTES,
  ENTRY_HAS_STATS,
  FLAG_COLUMN_CRC,
  FLAG_PARTIAL,
  FLAG_SUPERSEDES,
  FORMAT_VERSION,
  HEADER,
  KNOWN_FLAGS,
  MAGIC,
  TYPE_CODES,
  TYPES_BY_CODE,
  type CompressionName,
} from './format.js';
import { StoreError } from './storeerror.js';

/** Where one column lives in a segment file and how it is encoded. */
export interface SegmentColumnEntry {
  readonly name: string;
  readonly type: ColumnType;
  readonly encoding: EncodingName;
  readonly compression: CompressionName;
  /** Byte offset of the stored blob from the start of the file. */
  readonly offset: number;
  /** Stored bytes (after compression). */
  readonly length: number;
  /** Encoded blob length before compression. */
  readonly blobLength: number;
  /** CRC-32 of the stored bytes; 0 when the segment has no column CRCs. */
  readonly crc: number;
  readonly stats: ColumnStats | undefined;
}

export interface SegmentHeader {
  readonly formatVersion: number;
  readonly schemaVersion: number;
  readonly id: number;
  readonly rows: number;
  readonly startMin: number;
  readonly startMax: number;
  readonly endMax: number;
  /** Column blobs carry CRC-32s (storage.computecrc yes when written). */
  readonly columnCrc: boolean;
  /** Written by flush() before the segment was full; a later full segment may supersede it. */
  readonly partial: boolean;
  /** This segment holds every row of the partial segments with ids in [supersedesFrom, id). */
  readonly supersedesFrom: number | undefined;
  readonly fileLength: number;
  readonly columns: readonly SegmentColumnEntry[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('ascii');

/** Bytes the directory takes for these column names (known before any column is encoded). */
export function directoryLength(names: readonly string[]): number {
  return names.reduce((sum, n) => sum + 1 + n.length + ENTRY_FIXED_BYTES, 0);
}

/** Header and directory as they go at the start of the file, CRCs filled in. */
export function buildHeader(h: SegmentHeader): Uint8Array {
  const dirLen = directoryLength(h.columns.map((c) => c.name));
  const buf = new Uint8Array(HEADER.size + dirLen);
  const dv = new DataView(buf.buffer);
  let p = HEADER.size;
  for (const c of h.columns) {
    const name = encoder.encode(c.name);
    buf[p++] = name.length;
    buf.set(name, p);
    p += name.length;
    buf[p++] = TYPE_CODES[c.type];
    buf[p++] = encodingId(c.encoding);
    buf[p++] = COMPRESSIONS.indexOf(c.compression);
    buf[p++] = c.stats === undefined ? 0 : ENTRY_HAS_STATS;
    buf[p++] = 0; // reserved
    dv.setBigUint64(p, BigInt(c.offset), true);
    dv.setUint32(p + 8, c.length, true);
    dv.setUint32(p + 12, c.blobLength, true);
    dv.setUint32(p + 16, c.crc, true);
    dv.setFloat64(p + 20, c.stats?.min ?? 0, true);
    dv.setFloat64(p + 28, c.stats?.max ?? 0, true);
    p += ENTRY_FIXED_BYTES - 5;
  }
  buf.set(MAGIC, HEADER.magic);
  dv.setUint16(HEADER.formatVersion, h.formatVersion, true);
  dv.setUint16(HEADER.schemaVersion, h.schemaVersion, true);
  const flags = (h.columnCrc ? FLAG_COLUMN_CRC : 0) | (h.partial ? FLAG_PARTIAL : 0) | (h.supersedesFrom === undefined ? 0 : FLAG_SUPERSEDES);
  dv.setUint32(HEADER.flags, flags, true);
  dv.setUint32(HEADER.id, h.id, true);
  dv.setUint32(HEADER.rows, h.rows, true);
  dv.setFloat64(HEADER.startMin, h.startMin, true);
  dv.setFloat64(HEADER.startMax, h.startMax, true);
  dv.setFloat64(HEADER.endMax, h.endMax, true);
  dv.setUint32(HEADER.supersedesFrom, h.supersedesFrom ?? 0, true);
  dv.setUint16(HEADER.columnCount, h.columns.length, true);
  dv.setUint32(HEADER.directoryLength, dirLen, true);
  dv.setUint32(HEADER.directoryCrc, crc32(buf.subarray(HEADER.size)), true);
  dv.setBigUint64(HEADER.fileLength, BigInt(h.fileLength), true);
  dv.setUint32(HEADER.headerCrc, crc32(buf.subarray(0, HEADER.headerCrc)), true);
  return buf;
}

/** The fixed header's fields, checked; the directory is parsed separately once its bytes are read. */
export interface FixedHeader extends Omit<SegmentHeader, 'columns'> {
  readonly columnCount: number;
  readonly directoryLength: number;
  readonly directoryCrc: number;
}

/** Parse and check the first HEADER.size bytes of a file of `fileSize` bytes. */
export function parseFixedHeader(buf: Uint8Array, fileSize: number, path: string): FixedHeader {
  const bad = (detail: string): never => {
    throw new StoreError('CORRUPT', detail, { path });
  };
  if (buf.length < HEADER.size) bad(`file is ${buf.length} bytes, shorter than the ${HEADER.size}-byte segment header`);
  for (let i = 0; i < MAGIC.length; i++) if (buf[i] !== MAGIC[i]) bad('not an opentraq segment (bad magic bytes)');
  const dv = new DataView(buf.buffer, buf.byteOffset, HEADER.size);
  const formatVersion = dv.getUint16(HEADER.formatVersion, true);
  if (formatVersion === 0) bad('format version 0 does not exist');
  if (formatVersion > FORMAT_VERSION) {
    throw new StoreError(
      'VERSION',
      `segment format version ${formatVersion} is newer than this opentraq reads (up to ${FORMAT_VERSION}); upgrade opentraq to read this store`,
      { path },
    );
  }
  if (crc32(buf.subarray(0, HEADER.headerCrc)) !== dv.getUint32(HEADER.headerCrc, true)) {
    bad('header checksum mismatch (torn write or damaged file)');
  }
  const schemaVersion = dv.getUint16(HEADER.schemaVersion, true);
  if (schemaVersion > SCHEMA_VERSION) {
    throw new StoreError(
      'VERSION',
      `segment schema version ${schemaVersion} is newer than this opentraq knows (up to ${SCHEMA_VERSION}); upgrade opentraq to read this store`,
      { path },
    );
  }
  const flags = dv.getUint32(HEADER.flags, true);
  if ((flags & ~KNOWN_FLAGS) !== 0) bad(`unknown header flags 0x${flags.toString(16)}`);
  if (dv.getUint16(HEADER.reserved1, true) !== 0 || dv.getUint32(HEADER.reserved2, true) !== 0) bad('reserved header fields are not zero');
  const rows = dv.getUint32(HEADER.rows, true);
  if (rows === 0) bad('segment has no rows');
  const startMin = dv.getFloat64(HEADER.startMin, true);
  const startMax = dv.getFloat64(HEADER.startMax, true);
  const endMax = dv.getFloat64(HEADER.endMax, true);
  if (!(Number.isFinite(startMin) && startMin <= startMax && startMax <= endMax && Number.isFinite(endMax))) {
    bad(`time range start ${startMin}..${startMax}, end max ${endMax} is not ordered`);
  }
  const fileLength = Number(dv.getBigUint64(HEADER.fileLength, true));
  if (fileLength !== fileSize) bad(`file is ${fileSize} bytes but its header says ${fileLength} (truncated or extended)`);
  const directoryLen = dv.getUint32(HEADER.directoryLength, true);
  if (HEADER.size + directoryLen > fileLength) bad('column directory runs past the end of the file');
  const id = dv.getUint32(HEADER.id, true);
  const supersedes = (flags & FLAG_SUPERSEDES) !== 0;
  const supersedesFrom = supersedes ? dv.getUint32(HEADER.supersedesFrom, true) : undefined;
  if (supersedesFrom !== undefined && !(supersedesFrom < id)) bad(`supersedes ids from ${supersedesFrom}, not below its own id ${id}`);
  return {
    formatVersion,
    schemaVersion,
    id,
    rows,
    startMin,
    startMax,
    endMax,
    columnCrc: (flags & FLAG_COLUMN_CRC) !== 0,
    partial: (flags & FLAG_PARTIAL) !== 0,
    supersedesFrom,
    fileLength,
    columnCount: dv.getUint16(HEADER.columnCount, true),
    directoryLength: directoryLen,
    directoryCrc: dv.getUint32(HEADER.directoryCrc, true),
  };
}

/** Parse and check the directory bytes that follow the header. */
export function parseDirectory(dir: Uint8Array, h: FixedHeader, path: string): SegmentHeader {
  const bad = (detail: string): never => {
    throw new StoreError('CORRUPT', detail, { path });
  };
  if (dir.length !== h.directoryLength) bad(`column directory is ${dir.length} bytes, header says ${h.directoryLength}`);
  if (crc32(dir) !== h.directoryCrc) bad('column directory checksum mismatch');
  const dv = new DataView(dir.buffer, dir.byteOffset, dir.length);
  const columns: SegmentColumnEntry[] = [];
  const names = new Set<string>();
  const dataStart = HEADER.size + h.directoryLength;
  let p = 0;
  for (let k = 0; k < h.columnCount; k++) {
    if (p >= dir.length) bad(`column directory ends after ${k} of ${h.columnCount} entries`);
    const nameLen = dir[p++]!;
    if (p + nameLen + ENTRY_FIXED_BYTES > dir.length) bad(`column directory entry ${k} runs past the directory end`);
    const name = decoder.decode(dir.subarray(p, p + nameLen));
    p += nameLen;
    if (!/^[a-z0-9_]+$/.test(name)) bad(`column directory entry ${k} has a bad name`);
    if (names.has(name)) bad(`column ${name} appears twice in the directory`);
    names.add(name);
    const type = TYPES_BY_CODE[dir[p]!] ?? bad(`column ${name}: unknown type code ${dir[p]}`);
    const encoding = encodingName(dir[p + 1]!) ?? bad(`column ${name}: unknown encoding id ${dir[p + 1]}`);
    const compression = COMPRESSIONS[dir[p + 2]!] ?? bad(`column ${name}: unknown compression id ${dir[p + 2]}`);
    const entryFlags = dir[p + 3]!;
    if ((entryFlags & ~ENTRY_HAS_STATS) !== 0 || dir[p + 4] !== 0) bad(`column ${name}: unknown entry flags`);
    p += 5;
    const offset = Number(dv.getBigUint64(p, true));
    const length = dv.getUint32(p + 8, true);
    const blobLength = dv.getUint32(p + 12, true);
    const crc = dv.getUint32(p + 16, true);
    const min = dv.getFloat64(p + 20, true);
    const max = dv.getFloat64(p + 28, true);
    p += ENTRY_FIXED_BYTES - 5;
    if (offset < dataStart || offset % BLOB_ALIGN !== 0 || offset + length > h.fileLength) {
      bad(`column ${name}: blob at ${offset}+${length} lies outside the data area ${dataStart}..${h.fileLength}`);
    }
    const stats = (entryFlags & ENTRY_HAS_STATS) !== 0 ? { min, max } : undefined;
    columns.push({ name, type, encoding, compression, offset, length, blobLength, crc, stats });
  }
  if (p !== dir.length) bad(`column directory has ${dir.length - p} bytes after its last entry`);
  const byOffset = [...columns].sort((a, b) => a.offset - b.offset);
  for (let k = 1; k < byOffset.length; k++) {
    const prev = byOffset[k - 1]!;
    if (prev.offset + prev.length > byOffset[k]!.offset) bad(`columns ${prev.name} and ${byOffset[k]!.name} overlap`);
  }
  checkSchema(columns, h.schemaVersion, path);
  return { ...withoutDirectoryFields(h), columns };
}

function withoutDirectoryFields(h: FixedHeader): Omit<SegmentHeader, 'columns'> {
  const { columnCount: _c, directoryLength: _l, directoryCrc: _d, ...rest } = h;
  return rest;
}

/**
 * A segment of the current schema holds every column with its current type. An older one may lack
 * columns (read as zeros) or hold ones since removed (ignored); a column whose type changed needs a
 * conversion this reader does not have, so it is refused rather than misread.
 */
function checkSchema(columns: readonly SegmentColumnEntry[], schemaVersion: number, path: string): void {
  const have = new Map(columns.map((c) => [c.name, c]));
  for (const c of columns) {
    const def = COLUMNS.get(c.name as ColumnName);
    if (def !== undefined && def.type !== c.type) {
      throw new StoreError(
        'VERSION',
        `column ${c.name} is stored as ${c.type} (schema ${schemaVersion}) but this opentraq reads it as ${def.type} and has no conversion`,
        { path },
      );
    }
  }
  for (const name of ['start', 'end']) {
    if (!have.has(name)) throw new StoreError('CORRUPT', `column ${name} is missing; every segment holds start and end`, { path });
  }
  if (schemaVersion === SCHEMA_VERSION) {
    for (const name of COLUMNS.keys()) {
      if (!have.has(name)) throw new StoreError('CORRUPT', `column ${name} is missing from a schema ${schemaVersion} segment`, { path });
    }
  }
}
