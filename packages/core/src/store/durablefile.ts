// Crash-safe file creation: write a temporary file in the target directory, fsync it, rename it into
// place, fsync the directory. After a crash the final name holds either nothing or the complete file.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from './storeerror.js';

function ioError(action: string, file: string, e: unknown): StoreError {
  return new StoreError('IO', `cannot ${action}: ${(e as Error).message}`, { path: file, cause: e });
}

/** Make a rename or unlink in `dir` durable (a no-op on Windows, which cannot open directories). */
export function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    throw ioError('fsync the directory', dir, e);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write all of `bytes` at `position`, however many writeSync calls that takes. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/**
 * Write a fresh temporary file in `dir` through `fill`, fsync it and rename it to `name`. A failure
 * removes the temporary file and throws (StoreError IO). The directory is not fsynced here.
 */
function writeAndRename(dir: string, name: string, fill: (fd: number) => void, mode: number): string {
  const target = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', mode);
    fill(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e instanceof StoreError ? e : ioError('write', target, e);
  }
  return target;
}

/** Session data says who talked to whom: store files and folders are the server user's alone. */
export const STORE_FILE_MODE = 0o600;
export const STORE_DIR_MODE = 0o700;

/**
 * Create dir/name durably (mode STORE_FILE_MODE). `fill` writes the content through the file descriptor. Refuses to replace
 * an existing file. A failure at any step removes what was written and throws (StoreError IO).
 */
export function writeFileDurably(dir: string, name: string, fill: (fd: number) => void): void {
  const existing = path.join(dir, name);
  if (fs.existsSync(existing)) throw new StoreError('IO', 'refusing to overwrite an existing file', { path: existing });
  const target = writeAndRename(dir, name, fill, STORE_FILE_MODE);
  try {
    fsyncDirectory(dir);
  } catch (e) {
    // Not known to be durable: take it back, so that the caller's retry cannot leave two copies.
    fs.rmSync(target, { force: true });
    throw e;
  }
}

/**
 * Replace dir/name durably with `bytes` (small files: commit records, users, keys): after a crash the
 * name holds the old content or the new one, never a mix. `mode` applies to the new file.
 */
export function replaceFileDurably(dir: string, name: string, bytes: Uint8Array | string, mode = STORE_FILE_MODE): void {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  writeAndRename(dir, name, (fd) => writeFully(fd, data, 0), mode);
  fsyncDirectory(dir);
}
