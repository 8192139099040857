// File copies for backup and restore: every byte is hashed (sha256) on its way, and the copy is
// fsynced before it counts, so that a manifest written afterwards vouches for what is on disk.

import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import { fsyncDirectory } from '@opentraq/core';
import { ioError } from './adminerror.js';

export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

const CHUNK = 1 << 20;

/**
 * Copy the open file `src` (read from offset 0; the caller closes it) to a new file `dest` (which must
 * not exist) with permission bits `mode`; fsyncs the copy. On failure the partial copy is removed.
 */
export async function copyFromHandle(src: fsp.FileHandle, srcPath: string, dest: string, mode: number): Promise<FileDigest> {
  let out: fsp.FileHandle;
  try {
    out = await fsp.open(dest, 'wx', mode);
  } catch (e) {
    throw ioError('create', dest, e);
  }
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  try {
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await src.read(buf, 0, CHUNK, bytes));
      } catch (e) {
        throw ioError('read', srcPath, e);
      }
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      await out.write(buf, 0, n, bytes);
      bytes += n;
    }
    await out.sync();
    await out.close();
  } catch (e) {
    await out.close().catch(() => undefined);
    await fsp.rm(dest, { force: true });
    throw ioError('copy to', dest, e);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Copy `src` to the new file `dest` (see copyFromHandle). */
export async function copyFileHashed(src: string, dest: string, mode: number): Promise<FileDigest> {
  let h: fsp.FileHandle;
  try {
    h = await fsp.open(src, 'r');
  } catch (e) {
    throw ioError('open', src, e);
  }
  try {
    return await copyFromHandle(h, src, dest, mode);
  } finally {
    await h.close();
  }
}

/** Size and sha256 of a file. */
export async function hashFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(file, 'r');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, CHUNK, bytes);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } catch (e) {
    throw ioError('read', file, e);
  } finally {
    await h?.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Make the entries of `dir` durable (AdminError IO when the system refuses). */
export function syncDirectory(dir: string): void {
  try {
    fsyncDirectory(dir);
  } catch (e) {
    // core's StoreError already names the directory; its cause has the system's reason
    throw ioError('fsync the directory', dir, (e as Error).cause ?? e);
  }
}
