// Reads segment files: the header and directory (checked), and only the columns asked for, each read
// at its offset, CRC-checked (once per file and thread) and decoded. Columns an older schema lacks read as zeros.

import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { COLUMNS, allocColumn, type ColumnArray, type ColumnName } from '../fields/columns.js';
import type { CodedColumn, SegmentReader } from '../query/source.js';
import { decodeColumn, decodeColumnEncoded } from './decodecolumn.js';
import { HEADER, align8 } from './format.js';
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

/**
 * Read exactly `length` bytes at `position` into the first bytes of `into` when it is long
 * enough (a view of it comes back), else into a fresh array; either is 8-byte aligned.
 */
function readAt(fd: number, path: string, position: number, length: number, into?: Uint8Array): Uint8Array {
  const buf = into !== undefined && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
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

function readInfo(fd: number, path: string, size: number): SegmentFileInfo {
  const head = readAt(fd, path, 0, Math.min(HEADER.size, size));
  const fixed = parseFixedHeader(head, size, path);
  const dir = readAt(fd, path, HEADER.size, fixed.directoryLength);
  return segmentInfoOf(parseDirectory(dir, fixed, path), path);
}

function statFile(fd: number, path: string): fs.BigIntStats {
  try {
    return fs.fstatSync(fd, { bigint: true });
  } catch (e) {
    throw new StoreError('IO', `cannot stat: ${(e as Error).message}`, { path, cause: e });
  }
}

/**
 * What this thread has checked of a file: the offsets of the columns whose CRC matched, and
 * of those whose dictionary codes were all found below the dictionary size.
 */
interface FileChecks {
  readonly intact: Set<number>;
  readonly codes: Set<number>;
}

/**
 * Files whose column CRCs this thread has checked, by identity (device, inode, size, change
 * and modification times in ns: rewriting or replacing the file changes it). Segments are
 * immutable, so a column read again is not summed again, nor are its codes checked again
 * when its CRC matched; the oldest files are forgotten beyond VERIFIED_FILES.
 */
const verified = new Map<string, FileChecks>();
const VERIFIED_FILES = 8192;

function fileIdentity(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** Stored bytes that decodeColumn copies out of at once: one buffer per thread, grown as needed. */
let transient = new Uint8Array(0);

function transientBuffer(length: number): Uint8Array {
  if (transient.length < length) transient = new Uint8Array(Math.max(length, 2 * transient.length));
  return transient;
}

/** Header and directory of a segment file, checked (CORRUPT, VERSION, MISSING, IO on failure). */
export function readSegmentInfo(path: string): SegmentFileInfo {
  const fd = openFile(path);
  try {
    return readInfo(fd, path, Number(statFile(fd, path).size));
  } finally {
    fs.closeSync(fd);
  }
}

/** An open segment file; keeps its descriptor until close(), so a file deleted meanwhile stays readable. */
export class SegmentFileReader implements SegmentReader {
  readonly info: SegmentFileInfo;
  private fd: number | undefined;
  private readonly entries: ReadonlyMap<string, SegmentColumnEntry>;
  /** What this thread has already checked of this file (shared by every reader of the file). */
  private readonly checks: FileChecks;

  private constructor(fd: number, info: SegmentFileInfo, checks: FileChecks) {
    this.fd = fd;
    this.info = info;
    this.entries = new Map(info.columns.map((c) => [c.name, c]));
    this.checks = checks;
  }

  static open(path: string): SegmentFileReader {
    const fd = openFile(path);
    try {
      const st = statFile(fd, path);
      const info = readInfo(fd, path, Number(st.size));
      const id = fileIdentity(st);
      let checks = verified.get(id);
      if (checks === undefined) {
        checks = { intact: new Set(), codes: new Set() };
        verified.set(id, checks);
        if (verified.size > VERIFIED_FILES) verified.delete(verified.keys().next().value!);
      }
      return new SegmentFileReader(fd, info, checks);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /**
   * The stored bytes of a column, read into `into` when it is long enough, CRC-checked when the
   * segment has CRCs, unless this thread has found this column of this file intact before
   * (`always`: check anyway).
   */
  private stored(entry: SegmentColumnEntry, into: Uint8Array | undefined, always = false): Uint8Array {
    const path = this.info.ref.path;
    if (this.fd === undefined) throw new StoreError('CLOSED', 'segment reader used after close()', { path });
    const bytes = readAt(this.fd, path, entry.offset, entry.length, into);
    if (this.info.columnCrc && (always || !this.checks.intact.has(entry.offset))) {
      if (crc32(bytes) !== entry.crc) throw new StoreError('CORRUPT', 'checksum mismatch: the column bytes are damaged', { path, column: entry.name });
      this.checks.intact.add(entry.offset);
    }
    return bytes;
  }

  private decode(entry: SegmentColumnEntry, start: Float64Array | undefined, into?: ColumnArray, always = false): ColumnArray {
    // decodeColumn copies every value out of the stored bytes: they can go to the thread's transient buffer
    const bytes = this.stored(entry, transientBuffer(entry.length), always);
    try {
      return decodeColumn(entry.type, { bytes, compression: entry.compression, blobLength: entry.blobLength }, this.info.rows, start, into);
    } catch (e) {
      if (e instanceof StoreError) throw new StoreError(e.code, e.message, { path: this.info.ref.path, column: entry.name, cause: e });
      throw e;
    }
  }

  private decodeEncoded(entry: SegmentColumnEntry, start: Float64Array | undefined, into: Uint8Array | undefined, frame: boolean): CodedColumn {
    // the codes come back as a view of these bytes (when not deflated): not the transient buffer
    const bytes = this.stored(entry, into);
    const spare = into?.subarray(align8(entry.length));
    // the codes of a column whose CRC matched were checked the first time: the bytes are the same
    const codes = this.checks.codes;
    const trusted = this.info.columnCrc && codes.has(entry.offset);
    try {
      const coded = decodeColumnEncoded(entry.type, { bytes, compression: entry.compression, blobLength: entry.blobLength }, this.info.rows, start, spare, frame, trusted);
      if (this.info.columnCrc) codes.add(entry.offset);
      return coded;
    } catch (e) {
      if (e instanceof StoreError) throw new StoreError(e.code, e.message, { path: this.info.ref.path, column: entry.name, cause: e });
      throw e;
    }
  }

  /**
   * Like read, but dictionary-encoded columns come back as codes and dictionary, and the
   * columns in `frames` stored as 'for' or 'pfor' as their frame of reference. With
   * `scratch`, such a column's bytes are read into the byte array kept there under its
   * name (replaced by a bigger one when too short), other columns decoded as read does.
   */
  readEncoded(
    names: readonly ColumnName[],
    scratch?: Partial<Record<ColumnName, ColumnArray>>,
    frames?: ReadonlySet<ColumnName>,
  ): Partial<Record<ColumnName, CodedColumn>> {
    const out: Partial<Record<ColumnName, CodedColumn>> = {};
    const plain: ColumnName[] = [];
    for (const name of names) {
      const entry = this.entries.get(name);
      const frame = entry !== undefined && frames?.has(name) === true && (entry.encoding === 'for' || entry.encoding === 'pfor');
      if (entry !== undefined && (frame || entry.encoding === 'dict' || (entry.encoding === 'ip-dict' && entry.type === 'ip'))) {
        if (out[name] !== undefined) continue;
        let into: Uint8Array | undefined;
        if (scratch !== undefined) {
          const kept = scratch[name];
          into = kept instanceof Uint8Array && kept.length >= entry.length ? kept : (scratch[name] = new Uint8Array(entry.length));
        }
        const coded = this.decodeEncoded(entry, undefined, into, frame);
        out[name] = coded;
        // an expanded dictionary that did not fit after the bytes will, in the next segment's read
        if (scratch !== undefined && coded.kind === 'dict' && coded.dict.buffer !== into!.buffer && coded.dict.buffer !== coded.codes.buffer) {
          scratch[name] = new Uint8Array(align8(entry.length) + Math.ceil(1.25 * coded.dict.byteLength));
        }
      } else plain.push(name);
    }
    const values = this.read(plain, scratch);
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

  /** Read and decode every column, checking every CRC again: what backup and restore run before trusting a file. */
  verify(): void {
    const start = this.decode(this.entries.get('start')!, undefined, undefined, true) as Float64Array;
    for (const entry of this.info.columns) this.decode(entry, start, undefined, true);
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
