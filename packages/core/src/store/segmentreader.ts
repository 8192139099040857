// Reads segment files: the header and directory (checked), and only the columns asked for, each read
// at its offset, CRC-checked and decoded. Columns an older schema lacks read as zeros.

import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { COLUMNS, allocColumn, type ColumnArray, type ColumnName } from '../fields/columns.js';
import type { CodedColumn, SegmentReader } from '../query/source.js';
import { decodeColumn, decodeColumnEncoded } from './decodecolumn.js';
import { HEADER } from './format.js';
import { parseDirectory, parseFixedHeader, type SegmentColumnEntry } from './segmentheader.js';
import { segmentInfoOf, type SegmentFileInfo } from './segmentfileinfo.js';
import { StoreError } from './storeerror.js';

function openFile(path: string): number {
  try {
    return fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StoreError('MISSING', 'segment file no longer exists (deleted by retention?)', { path, cause: e });
    throw new StoreError('IO', `cannot open: ${(e as Error).message}`, { path, cause: e });
  }
}

/** Read exactly `length` bytes at `position` into a fresh (8-byte aligned) array. */
function readAt(fd: number, path: string, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  try {
    while (done < length) {
      const n = fs.readSync(fd, buf, done, length - done, position + done);
      if (n === 0) throw new StoreError('CORRUPT', `file ends at ${position + done}, expected ${length} bytes at ${position}`, { path });
      done += n;
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError('IO', `cannot read: ${(e as Error).message}`, { path, cause: e });
  }
  return buf;
}

function readInfo(fd: number, path: string): SegmentFileInfo {
  const size = fs.fstatSync(fd).size;
  const head = readAt(fd, path, 0, Math.min(HEADER.size, size));
  const fixed = parseFixedHeader(head, size, path);
  const dir = readAt(fd, path, HEADER.size, fixed.directoryLength);
  return segmentInfoOf(parseDirectory(dir, fixed, path), path);
}

/** Header and directory of a segment file, checked (CORRUPT, VERSION, MISSING, IO on failure). */
export function readSegmentInfo(path: string): SegmentFileInfo {
  const fd = openFile(path);
  try {
    return readInfo(fd, path);
  } finally {
    fs.closeSync(fd);
  }
}

/** An open segment file; keeps its descriptor until close(), so a file deleted meanwhile stays readable. */
export class SegmentFileReader implements SegmentReader {
  readonly info: SegmentFileInfo;
  private fd: number | undefined;
  private readonly entries: ReadonlyMap<string, SegmentColumnEntry>;

  private constructor(fd: number, info: SegmentFileInfo) {
    this.fd = fd;
    this.info = info;
    this.entries = new Map(info.columns.map((c) => [c.name, c]));
  }

  static open(path: string): SegmentFileReader {
    const fd = openFile(path);
    try {
      return new SegmentFileReader(fd, readInfo(fd, path));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** The stored bytes of a column, CRC-checked when the segment has CRCs. */
  private stored(entry: SegmentColumnEntry): Uint8Array {
    const path = this.info.ref.path;
    if (this.fd === undefined) throw new StoreError('CLOSED', 'segment reader used after close()', { path });
    const bytes = readAt(this.fd, path, entry.offset, entry.length);
    if (this.info.columnCrc && crc32(bytes) !== entry.crc) {
      throw new StoreError('CORRUPT', 'checksum mismatch: the column bytes are damaged', { path, column: entry.name });
    }
    return bytes;
  }

  private decode(entry: SegmentColumnEntry, start: Float64Array | undefined, into?: ColumnArray): ColumnArray {
    const bytes = this.stored(entry);
    try {
      return decodeColumn(entry.type, { bytes, compression: entry.compression, blobLength: entry.blobLength }, this.info.rows, start, into);
    } catch (e) {
      if (e instanceof StoreError) throw new StoreError(e.code, e.message, { path: this.info.ref.path, column: entry.name, cause: e });
      throw e;
    }
  }

  private decodeEncoded(entry: SegmentColumnEntry, start: Float64Array | undefined): CodedColumn {
    const bytes = this.stored(entry);
    try {
      return decodeColumnEncoded(entry.type, { bytes, compression: entry.compression, blobLength: entry.blobLength }, this.info.rows, start);
    } catch (e) {
      if (e instanceof StoreError) throw new StoreError(e.code, e.message, { path: this.info.ref.path, column: entry.name, cause: e });
      throw e;
    }
  }

  /** Like read, but dictionary-encoded columns come back as codes and dictionary. */
  readEncoded(names: readonly ColumnName[]): Partial<Record<ColumnName, CodedColumn>> {
    const out: Partial<Record<ColumnName, CodedColumn>> = {};
    const plain: ColumnName[] = [];
    for (const name of names) {
      const entry = this.entries.get(name);
      if (entry !== undefined && entry.encoding === 'dict') {
        if (out[name] === undefined) out[name] = this.decodeEncoded(entry, undefined);
      } else plain.push(name);
    }
    const values = this.read(plain);
    for (const name of plain) out[name] = { kind: 'plain', values: values[name]! };
    return out;
  }

  read(names: readonly ColumnName[], scratch?: Partial<Record<ColumnName, ColumnArray>>): Partial<Record<ColumnName, ColumnArray>> {
    for (const n of names) if (!COLUMNS.has(n)) throw new StoreError('USAGE', `unknown column '${String(n)}'`, { path: this.info.ref.path });
    const out: Partial<Record<ColumnName, ColumnArray>> = {};
    /** Decodes a column into its scratch array, or into a new one left in scratch for the next read. */
    const decode = (name: ColumnName, entry: SegmentColumnEntry, start: Float64Array | undefined): ColumnArray => {
      if (scratch === undefined) return this.decode(entry, start);
      const a = this.decode(entry, start, scratch[name]);
      if (a.buffer !== scratch[name]?.buffer) scratch[name] = a;
      return a;
    };
    let start: Float64Array | undefined;
    // the start column that 'start-offset' needs uses the scratch array only when it is asked for
    const startColumn = (): Float64Array =>
      (start ??= (names.includes('start') ? decode('start', this.entries.get('start')!, undefined) : this.decode(this.entries.get('start')!, undefined)) as Float64Array);
    for (const name of names) {
      if (out[name] !== undefined) continue;
      const entry = this.entries.get(name);
      if (entry === undefined) {
        // parseDirectory has made sure only an older schema can lack a column
        out[name] = allocColumn(COLUMNS.get(name)!.type, this.info.rows);
        continue;
      }
      if (name === 'start') out[name] = startColumn();
      else out[name] = decode(name, entry, entry.encoding === 'start-offset' ? startColumn() : undefined);
    }
    return out;
  }

  /** Read and decode every column, checking CRCs: what backup and restore run before trusting a file. */
  verify(): void {
    const start = this.decode(this.entries.get('start')!, undefined) as Float64Array;
    for (const entry of this.info.columns) this.decode(entry, start);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Open a segment file for reading columns. */
export function openSegment(path: string): SegmentFileReader {
  return SegmentFileReader.open(path);
}

/** Check a segment file completely (header, directory, every column's CRC and encoding); returns its info. */
export function verifySegment(path: string): SegmentFileInfo {
  const r = openSegment(path);
  try {
    r.verify();
    return r.info;
  } finally {
    r.close();
  }
}
