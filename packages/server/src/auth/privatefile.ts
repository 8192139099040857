// The small secret files of the user data directory (users.json, sessionkeys.json): read with their
// permissions tightened to 0600, and replaced atomically so a crash leaves the old or the new content.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;

export interface PrivateFileContent {
  readonly text: string;
  /** The permission bits the file had when they were looser than 0600 (and have been tightened); else null. */
  readonly tightenedFrom: number | null;
}

/** Reads `file`; null when it does not exist. Other failures throw the node error. */
export function readPrivateFileSync(file: string): PrivateFileContent | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!st.isFile()) throw new Error('it is not a regular file');
  const mode = st.mode & 0o777;
  let tightenedFrom: number | null = null;
  // only on POSIX systems do the bits mean who may read the file
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
    tightenedFrom = mode;
  }
  return { text: fs.readFileSync(file, 'utf8'), tightenedFrom };
}

function tempName(dir: string, name: string): string {
  return path.join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function fsyncDirectorySync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces dir/name with `text`, mode 0600, durably; blocking (start-up only). */
export function writePrivateFileSync(dir: string, name: string, text: string): void {
  const temp = tempName(dir, name);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', PRIVATE_FILE_MODE);
    // the umask could have taken bits away; 0600 exactly is what the server needs to rewrite it later
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, path.join(dir, name));
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
  fsyncDirectorySync(dir);
}

/** Replaces dir/name with `text`, mode 0600, durably, without blocking the event loop. */
export async function writePrivateFile(dir: string, name: string, text: string): Promise<void> {
  const temp = tempName(dir, name);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(temp, 'wx', PRIVATE_FILE_MODE);
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(temp, path.join(dir, name));
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw e;
  }
  if (process.platform === 'win32') return;
  const dirHandle = await fsp.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
