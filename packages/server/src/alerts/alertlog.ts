// The alert store's file: an append-only log of JSON lines, each line synced before the post is
// answered, with crash recovery (a torn last line is cut off) and an atomic rewrite for compaction.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirectory } from '@opentraq/core';
import { AlertStoreError } from './alertstoreerror.js';

export const ALERT_LOG_FILE = 'alerts.ndjson';

const FILE_MODE = 0o640;
const READ_CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** One complete line of the log, parsed. */
export interface AlertLogEntry {
  /** 1-based line number, for messages. */
  readonly line: number;
  readonly value: unknown;
  /** Size of the line in the file, newline included. */
  readonly bytes: number;
}

function ioError(action: string, file: string, e: unknown): AlertStoreError {
  return new AlertStoreError('IO', `cannot ${action} ${file}: ${(e as Error)?.message ?? String(e)}`, { path: file, cause: e });
}

function writeAll(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

function parseLine(bytes: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export class AlertLog {
  private fd: number | undefined;
  /** Complete lines in the file (valid or not). */
  private lineCount: number;
  private size: number;

  private constructor(
    private readonly dir: string,
    fd: number,
    lines: number,
    size: number,
  ) {
    this.fd = fd;
    this.lineCount = lines;
    this.size = size;
  }

  get file(): string {
    return path.join(this.dir, ALERT_LOG_FILE);
  }

  /** Lines in the file, the live alerts' and the superseded ones. */
  get lines(): number {
    return this.lineCount;
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Opens (creating) dir/alerts.ndjson and reads every complete line. A line that is not JSON is
   * skipped and reported; an incomplete last line (a crash during an append) is cut off and reported.
   */
  static open(dir: string, onWarning: (message: string) => void): { log: AlertLog; entries: AlertLogEntry[] } {
    const file = path.join(dir, ALERT_LOG_FILE);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw ioError('create the alert directory', dir, e);
    }
    const created = !fs.existsSync(file);
    let fd: number;
    try {
      fd = fs.openSync(file, 'a+', FILE_MODE);
    } catch (e) {
      throw ioError('open', file, e);
    }
    try {
      if (created) fsyncDirectory(dir);
      const entries: AlertLogEntry[] = [];
      let lines = 0;
      let position = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      const take = (bytes: Buffer): void => {
        lines++;
        if (bytes.length === 0 || /^\s*$/.test(bytes.toString('latin1'))) return;
        const r = parseLine(bytes);
        if (r.ok) entries.push({ line: lines, value: r.value, bytes: bytes.length + 1 });
        else onWarning(`${file} line ${lines} is not valid JSON (${r.reason}); that line is skipped`);
      };
      for (;;) {
        const n = fs.readSync(fd, chunk, 0, READ_CHUNK, position);
        if (n === 0) break;
        position += n;
        let start = 0;
        for (let i = chunk.indexOf(NEWLINE, 0); i >= 0 && i < n; i = chunk.indexOf(NEWLINE, start)) {
          const piece = chunk.subarray(start, i);
          take(pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]));
          pending = [];
          pendingBytes = 0;
          start = i + 1;
        }
        if (start < n) {
          pending.push(Buffer.from(chunk.subarray(start, n)));
          pendingBytes += n - start;
        }
      }
      let size = position;
      if (pendingBytes > 0) {
        const tail = Buffer.concat(pending);
        const r = parseLine(tail);
        if (r.ok && typeof r.value === 'object' && r.value !== null && !Array.isArray(r.value)) {
          // a whole line without its newline (a file edited by hand): keep it, and end it
          writeAll(fd, Buffer.from('\n'));
          fs.fdatasyncSync(fd);
          size += 1;
          lines++;
          entries.push({ line: lines, value: r.value, bytes: tail.length + 1 });
        } else {
          size -= pendingBytes;
          fs.ftruncateSync(fd, size);
          fs.fdatasyncSync(fd);
          onWarning(`${file} ended with an incomplete line of ${pendingBytes} bytes (the server stopped while writing an alert); it was cut off`);
        }
      }
      return { log: new AlertLog(dir, fd, lines, size), entries };
    } catch (e) {
      fs.closeSync(fd);
      throw e instanceof AlertStoreError ? e : ioError('read', file, e);
    }
  }

  /** Appends one line and syncs it: when this returns, the line survives a crash. */
  append(line: string): void {
    const fd = this.handle();
    const bytes = Buffer.from(line + '\n');
    try {
      writeAll(fd, bytes);
      fs.fdatasyncSync(fd);
    } catch (e) {
      // a partial line would glue itself to the next one: take it back
      try {
        fs.ftruncateSync(fd, this.size);
      } catch {
        this.closeFd();
      }
      throw ioError('append to', this.file, e);
    }
    this.size += bytes.length;
    this.lineCount++;
  }

  /**
   * Replaces the file with `lines` atomically (temporary file, fsync, rename, directory fsync):
   * after a crash the file holds the old log or the new one. On failure the old log stays in use.
   */
  rewrite(lines: readonly string[]): void {
    const temp = path.join(this.dir, `.${ALERT_LOG_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    let fd: number | undefined;
    let size = 0;
    try {
      fd = fs.openSync(temp, 'wx', FILE_MODE);
      const batch: string[] = [];
      let batchChars = 0;
      const flush = (): void => {
        const bytes = Buffer.from(batch.join(''));
        writeAll(fd!, bytes);
        size += bytes.length;
        batch.length = 0;
        batchChars = 0;
      };
      for (const l of lines) {
        batch.push(l, '\n');
        batchChars += l.length + 1;
        if (batchChars >= READ_CHUNK) flush();
      }
      flush();
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(temp, this.file);
    } catch (e) {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(temp, { force: true });
      throw ioError('rewrite', this.file, e);
    }
    // the old descriptor points at the replaced file: appends must go to the new one
    this.closeFd();
    this.lineCount = lines.length;
    this.size = size;
    try {
      fsyncDirectory(this.dir);
    } catch (e) {
      throw ioError('sync the directory of', this.file, e);
    }
  }

  close(): void {
    this.closeFd();
  }

  private handle(): number {
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.file, 'a', FILE_MODE);
        this.size = fs.fstatSync(this.fd).size;
      } catch (e) {
        throw ioError('open', this.file, e);
      }
    }
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } catch {
      // nothing was pending on it: every append was synced
    }
  }
}
