// The embedded session store: a directory of immutable segment files kept as a ring of at most
// segmentCount segments. The directory listing is the manifest; a file's rename is its commit.

import fs from 'node:fs';
import path from 'node:path';
import { COLUMN_DEFS, COLUMN_NAMES, allocColumns, wordsPerRow, type ColumnArray, type ColumnName, type Columns } from '../fields/columns.js';
import type { SkippedSegment } from '../query/skippedsegment.js';
import type { SegmentInfo, SessionSource } from '../query/source.js';
import type { ColumnPlan, CompressionMode } from './encodecolumn.js';
import { STORE_DIR_MODE } from './durablefile.js';
import { QUARANTINE_SUFFIX, SEGMENT_FILE_RE, TEMP_FILE_RE } from './format.js';
import type { SegmentFileInfo } from './segmentfileinfo.js';
import { SegmentFileReader, readSegmentInfo } from './segmentreader.js';
import { StoreError, type StoreErrorCode } from './storeerror.js';
import { checkColumns, writeSegment } from './writesegment.js';

/** Where the store reports problems it survives; pino's logger fits. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface ColumnStoreOptions {
  /** Most segments kept (storage.segmentcount); the oldest is deleted when a new one would exceed it. */
  segmentCount: number;
  /** Rows in a full segment (storage.segmentsize). */
  segmentSize: number;
  /** Write a CRC-32 per column blob (storage.computecrc); default true. Header and directory CRCs are always written. */
  computeCrc?: boolean;
  /** Open without changing anything: no cleanup, no deletion, no append (backup, inspection). */
  readOnly?: boolean;
  logger?: StoreLogger;
  /** Deflate policy for column blobs; default 'auto'. */
  compression?: CompressionMode;
  /**
   * Takes the files the store drops (partial segments a newer one supersedes, the oldest segments by
   * retention), in the order dropped, instead of the store deleting them at its next write: for a
   * caller whose readers in other threads may still open them for longer. It must delete them in that
   * order, a superseded partial never after the segment that supersedes it, or an open of the store
   * in between would count the partial's rows twice.
   */
  onDropped?: (file: string) => void;
}

/** A problem found and survived (a corrupt segment skipped, a leftover file removed). */
export interface StoreProblem {
  readonly code: StoreErrorCode;
  readonly path: string;
  readonly message: string;
}

export interface StoreStats {
  /** Segment files in the store, partial ones included. */
  readonly segments: number;
  /** Of those, written by flush() and not yet merged into a full segment. */
  readonly partialSegments: number;
  /** Rows in the segment files. */
  readonly rows: number;
  /** Bytes of the segment files. */
  readonly bytes: number;
  /** Rows appended but not yet in any file (lost by a crash now). */
  readonly unflushedRows: number;
  /** Segments found corrupt and skipped since open. */
  readonly corruptSegments: number;
}

const QUARANTINED_RE = /^seg-(\d{10})\.otq\.corrupt(?:\.\d+)?$/;
const MAX_SEGMENT_SIZE = 0xffffffff;

function checkOptions(o: ColumnStoreOptions): void {
  if (!Number.isInteger(o.segmentCount) || o.segmentCount < 1) {
    throw new StoreError('USAGE', `segmentCount must be a positive integer, got ${o.segmentCount}`);
  }
  if (!Number.isInteger(o.segmentSize) || o.segmentSize < 1 || o.segmentSize > MAX_SEGMENT_SIZE) {
    throw new StoreError('USAGE', `segmentSize must be an integer 1..${MAX_SEGMENT_SIZE}, got ${o.segmentSize}`);
  }
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Rows are appended into a buffer of segmentSize rows; a full buffer becomes a segment file. flush()
 * writes the rows not yet on disk as a small *partial* segment, so a crash loses nothing flushed; when
 * the buffer fills, the full segment is written with a header saying it supersedes those partials,
 * which are then deleted (or deleted at the next open if a crash came first).
 */
export class ColumnStore implements SessionSource {
  /** The store directory, absolute. */
  readonly dir: string;
  private readonly options: Required<Omit<ColumnStoreOptions, 'logger' | 'onDropped'>> & Pick<ColumnStoreOptions, 'logger' | 'onDropped'>;
  private readonly segs = new Map<number, SegmentFileInfo>();
  private byStart: SegmentFileInfo[] | undefined;
  private readonly reported: StoreProblem[] = [];
  /** Each column's encoding plan from the last segment written (encodeColumn): most segments skip the full search. */
  private readonly plans = new Map<ColumnName, ColumnPlan>();
  private corrupt = 0;
  private nextId = 1;
  private closed = false;

  private buffer: Columns | undefined;
  /** Rows in the buffer. */
  private count = 0;
  /** Rows of the buffer already in partial segment files. */
  private flushedUpTo = 0;
  /** The partial segments holding buffer rows, in buffer order (each holds the rows after the previous one's). */
  private tail: { id: number; rows: number }[] = [];
  /** First id handed to a partial write for this buffer: the full segment supersedes from here. */
  private tailFromId: number | undefined;
  /**
   * Files dropped from the store but deleted only at the next write or close, so that a query that
   * listed them a moment ago (possibly in a worker) can still open them.
   */
  private pendingDeletes: string[] = [];

  private constructor(dir: string, options: ColumnStoreOptions) {
    // absolute, so that segment refs still name the file in a worker with another working directory
    this.dir = path.resolve(dir);
    this.options = {
      segmentCount: options.segmentCount,
      segmentSize: options.segmentSize,
      computeCrc: options.computeCrc ?? true,
      readOnly: options.readOnly ?? false,
      compression: options.compression ?? 'auto',
      logger: options.logger,
      onDropped: options.onDropped,
    };
  }

  /**
   * Open (creating unless read-only) the store in `dir`. Leftover temporary files are removed,
   * superseded partial segments deleted, corrupt segments reported and renamed *.corrupt, the
   * partial segments after the last full one loaded back into the buffer. Throws VERSION when a
   * segment is newer than this code: retention must never delete data it cannot read.
   */
  static open(dir: string, options: ColumnStoreOptions): ColumnStore {
    checkOptions(options);
    try {
      if (options.readOnly) {
        if (!fs.statSync(dir).isDirectory()) throw new StoreError('USAGE', 'not a directory', { path: dir });
      } else {
        fs.mkdirSync(dir, { recursive: true, mode: STORE_DIR_MODE });
      }
    } catch (e) {
      if (e instanceof StoreError) throw e;
      if (isMissing(e)) throw new StoreError('MISSING', 'store directory does not exist', { path: dir, cause: e });
      throw new StoreError('IO', `cannot open the store directory: ${(e as Error).message}`, { path: dir, cause: e });
    }
    const store = new ColumnStore(dir, options);
    store.load();
    return store;
  }

  /**
   * The id the next segment file will get. Every segment written from now on has an id at least this;
   * the server's checkpoint records it to know, after a crash, whether a write it preceded happened.
   */
  get nextSegmentId(): number {
    return this.nextId;
  }

  /** Segments found corrupt (at open, when reloading partials, or by a query) and skipped. */
  get corruptSegments(): number {
    return this.corrupt;
  }

  get problems(): readonly StoreProblem[] {
    return this.reported;
  }

  private report(code: StoreErrorCode, file: string, message: string): void {
    this.reported.push({ code, path: file, message });
    if (code === 'CORRUPT') this.corrupt++;
    this.options.logger?.warn({ code, path: file }, message);
  }

  /**
   * A query found segment `s` damaged (a column failing its CRC or a bound) and skipped it. It is
   * reported like a segment found corrupt at open, and listed from now on with `damaged` set, so
   * that queries skip it without reading it. The file is not renamed: a query in another thread
   * may hold it open or be about to open it, and retention deletes it in its turn. The next open
   * of the store (which checks headers, not columns) lists it again until a query finds it again.
   */
  segmentDamaged(s: SkippedSegment): void {
    const info = this.segs.get(s.id);
    if (info === undefined || info.ref.path !== s.path || info.damaged !== undefined) return;
    this.segs.set(s.id, { ...info, damaged: s.reason });
    this.byStart = undefined;
    this.report('CORRUPT', info.ref.path, `skipping corrupt segment: ${s.reason}`);
  }

  private quarantine(file: string, e: StoreError): void {
    this.report('CORRUPT', file, `skipping corrupt segment: ${e.message}`);
    if (this.options.readOnly) return;
    let to = file + QUARANTINE_SUFFIX;
    for (let k = 1; fs.existsSync(to); k++) to = `${file}${QUARANTINE_SUFFIX}.${k}`;
    try {
      fs.renameSync(file, to);
    } catch (err) {
      this.report('IO', file, `cannot rename the corrupt segment aside: ${(err as Error).message}`);
    }
  }

  private removeFile(file: string, why: string): void {
    try {
      fs.unlinkSync(file);
    } catch (e) {
      if (!isMissing(e)) this.report('IO', file, `cannot delete ${why}: ${(e as Error).message}`);
    }
  }

  /** A file no longer in the store: deleted at the next write or close, or handed to onDropped. */
  private drop(file: string): void {
    if (this.options.onDropped === undefined) this.pendingDeletes.push(file);
    else this.options.onDropped(file);
  }

  private deletePending(): void {
    for (const file of this.pendingDeletes) this.removeFile(file, 'a segment dropped from the store');
    this.pendingDeletes = [];
  }

  private load(): void {
    let names: string[];
    try {
      // a directory or device that happens to have a segment's name is not ours to read
      names = fs
        .readdirSync(this.dir, { withFileTypes: true })
        .filter((d) => d.isFile() || d.isSymbolicLink())
        .map((d) => d.name);
    } catch (e) {
      throw new StoreError('IO', `cannot list the store directory: ${(e as Error).message}`, { path: this.dir, cause: e });
    }
    const found: SegmentFileInfo[] = [];
    let maxId = 0;
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      if (TEMP_FILE_RE.test(name)) {
        if (!this.options.readOnly) {
          this.removeFile(file, 'a leftover temporary file');
          this.options.logger?.warn({ path: file }, 'removed a temporary file left by an interrupted write');
        }
        continue;
      }
      const q = QUARANTINED_RE.exec(name);
      if (q !== null) {
        maxId = Math.max(maxId, Number(q[1]));
        continue;
      }
      const m = SEGMENT_FILE_RE.exec(name);
      if (m === null) continue;
      const id = Number(m[1]);
      maxId = Math.max(maxId, id);
      try {
        const info = readSegmentInfo(file);
        if (info.id !== id) throw new StoreError('CORRUPT', `header says segment ${info.id}, file name says ${id}`, { path: file });
        found.push(info);
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        if (e.code === 'CORRUPT') this.quarantine(file, e);
        else if (e.code !== 'MISSING') throw e;
      }
    }
    this.nextId = maxId + 1;
    const superseded = new Set<number>();
    for (const s of found) {
      const from = s.supersedesFrom;
      if (from === undefined) continue;
      for (const o of found) if (o.partial && o.id >= from && o.id < s.id) superseded.add(o.id);
    }
    for (const s of found) {
      if (!superseded.has(s.id)) this.segs.set(s.id, s);
      else if (!this.options.readOnly) this.drop(s.ref.path);
    }
    if (!this.options.readOnly) {
      this.reloadTail();
      this.enforceRetention();
      this.deletePending();
    }
  }

  /** Put the rows of the partial segments written after the last full one back into the buffer. */
  private reloadTail(): void {
    let lastFull = 0;
    for (const s of this.segs.values()) if (!s.partial) lastFull = Math.max(lastFull, s.id);
    const tail = [...this.segs.values()].filter((s) => s.partial && s.id > lastFull).sort((a, b) => a.id - b.id);
    if (tail.length === 0 || tail.reduce((n, s) => n + s.rows, 0) > this.options.segmentSize) return;
    const buffer = this.ensureBuffer();
    for (const s of tail) {
      const reader = SegmentFileReader.open(s.ref.path);
      let cols;
      try {
        cols = reader.read(COLUMN_NAMES);
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'CORRUPT')) throw e;
        reader.close();
        this.segs.delete(s.id);
        this.quarantine(s.ref.path, e);
        continue;
      }
      reader.close();
      for (const def of COLUMN_DEFS) buffer[def.name].set(cols[def.name]!, this.count * wordsPerRow(def.type));
      this.count += s.rows;
      this.tail.push({ id: s.id, rows: s.rows });
    }
    this.flushedUpTo = this.count;
    this.tailFromId = this.tail[0]?.id;
    this.byStart = undefined;
  }

  private ensureBuffer(): Columns {
    return (this.buffer ??= allocColumns(this.options.segmentSize));
  }

  private checkWritable(what: string): void {
    if (this.closed) throw new StoreError('CLOSED', `${what} after close()`, { path: this.dir });
    if (this.options.readOnly) throw new StoreError('USAGE', `${what} on a store opened read-only`, { path: this.dir });
  }

  /**
   * Add rows (the first `rows` of each column array); full segments are written as the buffer fills.
   * When such a write fails this throws (IO) having taken only the rows that filled the buffer; the
   * write is retried at the next append or flush.
   */
  append(cols: Columns, rows: number): void {
    this.checkWritable('append()');
    if (!Number.isInteger(rows) || rows < 0) throw new StoreError('USAGE', `rows must be a non-negative integer, got ${rows}`);
    checkColumns(cols, rows);
    const size = this.options.segmentSize;
    const buffer = this.ensureBuffer();
    let done = 0;
    while (done < rows) {
      // a full buffer left by a failed write is retried before taking more rows
      if (this.count === size) this.writeFull();
      const k = Math.min(size - this.count, rows - done);
      for (const def of COLUMN_DEFS) {
        const w = wordsPerRow(def.type);
        buffer[def.name].set(cols[def.name].subarray(done * w, (done + k) * w), this.count * w);
      }
      this.count += k;
      done += k;
      if (this.count === size) this.writeFull();
    }
  }

  private writeFull(): void {
    this.deletePending();
    const id = this.nextId++;
    const info = writeSegment(this.dir, id, this.buffer!, this.count, {
      computeCrc: this.options.computeCrc,
      compression: this.options.compression,
      supersedesFrom: this.tailFromId,
      plans: this.plans,
    });
    this.segs.set(id, info);
    this.dropTail(this.tail);
    this.tail = [];
    this.tailFromId = undefined;
    this.count = 0;
    this.flushedUpTo = 0;
    this.byStart = undefined;
    this.enforceRetention();
  }

  private dropTail(parts: readonly { id: number }[]): void {
    for (const { id } of parts) {
      const s = this.segs.get(id);
      this.segs.delete(id);
      if (s !== undefined) this.drop(s.ref.path);
    }
  }

  /**
   * Make every appended row durable: the rows not yet in a file become a partial segment. Returns its
   * info, or undefined when there was nothing to write. The server calls this every storageinterval.
   *
   * So that a slow trickle of sessions does not leave thousands of tiny files, the new partial segment
   * also takes in the latest partials that hold no more rows than it would (like a binary counter):
   * at most about log2(segmentSize) partials exist, and each row is rewritten that many times at most.
   */
  flush(): SegmentFileInfo | undefined {
    this.checkWritable('flush()');
    this.deletePending();
    if (this.count === this.options.segmentSize) {
      this.writeFull();
      return this.list().at(-1);
    }
    if (this.count === this.flushedUpTo) return undefined;
    let from = this.flushedUpTo;
    const merged: { id: number; rows: number }[] = [];
    while (this.tail.length > 0 && this.tail.at(-1)!.rows <= this.count - from) {
      const last = this.tail.pop()!;
      merged.unshift(last);
      from -= last.rows;
    }
    const rows = this.count - from;
    const part = {} as Record<string, ColumnArray>;
    for (const def of COLUMN_DEFS) {
      const w = wordsPerRow(def.type);
      part[def.name] = this.buffer![def.name].subarray(from * w, this.count * w);
    }
    const id = this.nextId++;
    this.tailFromId ??= id;
    let info: SegmentFileInfo;
    try {
      info = writeSegment(this.dir, id, part as Columns, rows, {
        computeCrc: this.options.computeCrc,
        compression: this.options.compression,
        partial: true,
        supersedesFrom: merged[0]?.id,
        plans: this.plans,
      });
    } catch (e) {
      this.tail.push(...merged);
      throw e;
    }
    this.dropTail(merged);
    this.segs.set(id, info);
    this.tail.push({ id, rows });
    this.flushedUpTo = this.count;
    this.byStart = undefined;
    return info;
  }

  /** Drop the oldest segments beyond segmentCount; the partial segments of the buffer do not count. */
  private enforceRetention(): void {
    const tail = new Set(this.tail.map((p) => p.id));
    const settled = [...this.segs.values()].filter((s) => !tail.has(s.id)).sort((a, b) => a.id - b.id);
    for (let k = 0; k < settled.length - this.options.segmentCount; k++) {
      const s = settled[k]!;
      this.segs.delete(s.id);
      this.drop(s.ref.path);
    }
    this.byStart = undefined;
  }

  private sortedByStart(): SegmentFileInfo[] {
    return (this.byStart ??= [...this.segs.values()].sort((a, b) => a.startMin - b.startMin || a.id - b.id));
  }

  /**
   * Segments that may hold sessions overlapping [fromUs, toUs), by startMin then id, from the headers
   * read at open (no file is opened). A session overlaps when start < to and end > from, or when
   * start == end lies in the frame; hence the test startMin < to and endMax >= from.
   */
  segments(fromUs: number, toUs: number): SegmentFileInfo[] {
    if (this.closed) throw new StoreError('CLOSED', 'segments() after close()', { path: this.dir });
    if (Number.isNaN(fromUs) || Number.isNaN(toUs)) throw new StoreError('USAGE', `time frame ${fromUs}..${toUs} is not a pair of numbers`);
    return this.sortedByStart().filter((s) => s.startMin < toUs && s.endMax >= fromUs);
  }

  /** Every segment file of the store, by id (oldest first). */
  list(): SegmentFileInfo[] {
    return [...this.segs.values()].sort((a, b) => a.id - b.id);
  }

  /** Open a segment listed by segments() or list(); MISSING when retention has deleted it since. */
  open(info: SegmentInfo): SegmentFileReader {
    if (this.closed) throw new StoreError('CLOSED', 'open() after close()', { path: this.dir });
    if (info.ref.kind !== 'file') throw new StoreError('USAGE', `the column store opens file segments, not ${info.ref.kind} ones`);
    return SegmentFileReader.open(info.ref.path);
  }

  stats(): StoreStats {
    let rows = 0;
    let bytes = 0;
    let partial = 0;
    for (const s of this.segs.values()) {
      rows += s.rows;
      bytes += s.fileBytes;
      if (s.partial) partial++;
    }
    return {
      segments: this.segs.size,
      partialSegments: partial,
      rows,
      bytes,
      unflushedRows: this.count - this.flushedUpTo,
      corruptSegments: this.corrupt,
    };
  }

  /** Flush (unless read-only) and release the buffer. A clean stop loses nothing. */
  close(): void {
    if (this.closed) return;
    if (!this.options.readOnly) {
      this.flush();
      this.deletePending();
    }
    this.closed = true;
    this.buffer = undefined;
  }
}
