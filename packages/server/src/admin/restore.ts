// ftserver restore SRC: replaces the store (and the user files) with a backup, after checking every
// byte of the backup, so that a damaged backup is refused with the current store untouched.
//
// The store is replaced by directory renames, so that it is never half old, half restored:
//  1. verify the backup and ask for confirmation (ftserver restore without --yes); copy it into
//     <databasepath>.restore-<pid> (a sibling: same file system), checking every byte against the
//     manifest again, fsync files and directories.
//     A crash here leaves the store untouched and the sibling behind (delete it).
//  2. rename the store aside to <databasepath>.old-<time>.
//     A crash here leaves no <databasepath>: the old store and the complete restored one are both
//     there as siblings; rename the one wanted to <databasepath> before starting the server.
//  3. rename the restored copy to <databasepath>; move the entries of the old directory that are
//     not store data (a user's own files) into it; delete the old store.
//     A crash here leaves the restored store in place and <databasepath>.old-<time> (delete it).
//  4. replace users.json and sessionkeys.json, each atomically.
//     A crash here leaves each user file old or restored: run the restore again.
// The store lock is held throughout (and carried into the restored directory before the swap), so no
// server starts on the store meanwhile.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { replaceFileDurably } from '@opentraq/core';
import { CHECKPOINT_DIR } from '../storage/index.js';
import { AdminError, errnoOf, ioError } from './adminerror.js';
import type { RestorePlan } from './confirmrestore.js';
import { copyFileHashed, syncDirectory } from './durablecopy.js';
import { isInside } from './isinside.js';
import { STORE_PART, USERDATA_FILES, USERDATA_PART, type ManifestFile } from './manifest.js';
import { countStoredSessions, listDir, storeEntryKind } from './storefiles.js';
import { acquireStoreLock, assertStoreUnlocked, type StoreLock } from './storelock.js';
import { verifyBackup } from './verifybackup.js';

export interface RestoreOptions {
  /** The backup directory (made by ftserver backup). */
  src: string;
  /** storage.databasepath: the store to replace (created when it does not exist). */
  databasePath: string;
  /** userdata.userdatapath */
  userdataPath: string;
  onProgress?: (msg: string) => void;
  /**
   * Asked once the backup is verified and before anything changes (ftserver restore without --yes);
   * false stops the restore with AdminError DECLINED. Absent: no question.
   */
  confirm?: (plan: RestorePlan) => Promise<boolean>;
}

export interface RestoreReport {
  readonly src: string;
  readonly databasePath: string;
  readonly userdataPath: string;
  /** Segment files restored and the sessions they hold (the checkpoint's not counted). */
  readonly segments: number;
  readonly rows: number;
  readonly checkpointFiles: number;
  /** Every file restored, and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** User data files written from the backup, and those removed because the backup has none. */
  readonly userdataRestored: readonly string[];
  readonly userdataRemoved: readonly string[];
  /** Entries of the old store directory that are not store data, moved into the restored one. */
  readonly keptEntries: readonly string[];
  /** The old store when it could not be deleted completely: delete it by hand. */
  readonly oldStoreLeft: string | undefined;
  /** Set when a stale store lock (its process gone) was taken over. */
  readonly lockNote: string | undefined;
}

const DIR_MODE = 0o700;
const STORE_FILE_MODE = 0o644;
const USER_FILE_MODE = 0o600;

function corrupt(file: string, why: string): AdminError {
  return new AdminError('CORRUPT_BACKUP', `${file} ${why}; nothing was restored`, { path: file });
}

/** The store directory's mode, or undefined when it does not exist; refuses a non-directory. */
function storeDirMode(databasePath: string): number | undefined {
  try {
    const st = fs.statSync(databasePath);
    if (!st.isDirectory()) throw new AdminError('USAGE', `${databasePath} is not a directory: check storage.databasepath`, { path: databasePath });
    return st.mode & 0o7777;
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw ioError('inspect', databasePath, e);
  }
}

/** Tell about the siblings an interrupted restore leaves, so that they are not forgotten. */
function reportLeftovers(databasePath: string, progress: (m: string) => void): void {
  const base = path.basename(databasePath);
  for (const e of listDir(path.dirname(databasePath))) {
    if (e.name.startsWith(`${base}.restore-`) || e.name.startsWith(`${base}.old-`)) {
      progress(`note: ${path.join(path.dirname(databasePath), e.name)} is left by an earlier restore that was interrupted; delete it when it is not needed`);
    }
  }
}

/** The user files of the backup, read and checked against the manifest before anything changes. */
function readUserFiles(src: string, files: readonly ManifestFile[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of files) {
    if (path.posix.dirname(f.path) !== USERDATA_PART) continue;
    const file = path.join(src, f.path);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw ioError('read', file, e);
    }
    if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw corrupt(file, 'changed after it was verified');
    out.set(path.posix.basename(f.path), bytes);
  }
  return out;
}

/** Step 1: the backup's store files copied into `tmp`, each checked against the manifest again. */
async function fillStore(src: string, tmp: string, files: readonly ManifestFile[]): Promise<number> {
  fs.mkdirSync(path.join(tmp, CHECKPOINT_DIR), { recursive: true, mode: DIR_MODE });
  let checkpointFiles = 0;
  for (const f of files) {
    const parts = f.path.split('/');
    if (parts[0] !== STORE_PART) continue;
    const to = path.join(tmp, ...parts.slice(1));
    const digest = await copyFileHashed(path.join(src, f.path), to, STORE_FILE_MODE);
    if (digest.sha256 !== f.sha256 || digest.bytes !== f.bytes) throw corrupt(path.join(src, f.path), 'changed after it was verified');
    if (parts.length === 3) checkpointFiles++;
  }
  if (checkpointFiles === 0) fs.rmdirSync(path.join(tmp, CHECKPOINT_DIR));
  else syncDirectory(path.join(tmp, CHECKPOINT_DIR));
  syncDirectory(tmp);
  return checkpointFiles;
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function rename(from: string, to: string, what: string): void {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    const hint = errnoOf(e) === 'EBUSY' || errnoOf(e) === 'EXDEV' ? ' (is the store directory a mount point? then make storage.databasepath a directory inside it)' : '';
    throw new AdminError('IO', `cannot ${what} (${from} to ${to}): ${(e as Error).message}${hint}`, { path: from, cause: e });
  }
}

/** Steps 2 and 3. Returns the entries kept from the old directory and the old store if it is left. */
function swap(databasePath: string, tmp: string, progress: (m: string) => void): { kept: string[]; left: string | undefined } {
  const parent = path.dirname(databasePath);
  let old = `${databasePath}.old-${stamp()}`;
  for (let k = 1; fs.existsSync(old); k++) old = `${databasePath}.old-${stamp()}-${k}`;
  rename(databasePath, old, 'move the current store aside');
  try {
    syncDirectory(parent);
    rename(tmp, databasePath, 'move the restored store into place');
  } catch (e) {
    try {
      fs.renameSync(old, databasePath);
    } catch {
      // reported below: the old store is still whole at `old`
    }
    throw e instanceof AdminError ? new AdminError(e.code, `${e.message}; the current store was left as it was (or at ${old})`, { path: databasePath, cause: e }) : e;
  }
  syncDirectory(parent);
  progress(`the restored store is in place; removing the previous one (${old})`);
  const kept: string[] = [];
  let left: string | undefined;
  for (const e of listDir(old)) {
    if (storeEntryKind(e.name, e.isDirectory) !== 'other') continue;
    try {
      fs.renameSync(path.join(old, e.name), path.join(databasePath, e.name));
      kept.push(e.name);
    } catch {
      left = old;
    }
  }
  try {
    if (left === undefined) fs.rmSync(old, { recursive: true, force: true });
  } catch {
    left = old;
  }
  return { kept, left };
}

/** Step 4: users.json and sessionkeys.json made what the backup holds. */
function restoreUserFiles(userdataPath: string, userFiles: Map<string, Buffer>, progress: (m: string) => void): { restored: string[]; removed: string[] } {
  const restored: string[] = [];
  const removed: string[] = [];
  if (userFiles.size === 0) {
    progress(`the backup holds no user files; ${userdataPath} is left as it is`);
    return { restored, removed };
  }
  try {
    fs.mkdirSync(userdataPath, { recursive: true, mode: DIR_MODE });
  } catch (e) {
    throw ioError('create the user data directory', userdataPath, e);
  }
  for (const name of USERDATA_FILES) {
    const bytes = userFiles.get(name);
    const file = path.join(userdataPath, name);
    if (bytes !== undefined) {
      try {
        replaceFileDurably(userdataPath, name, bytes, USER_FILE_MODE);
      } catch (e) {
        throw ioError('write', file, (e as Error).cause ?? e);
      }
      restored.push(name);
      continue;
    }
    try {
      fs.unlinkSync(file);
      removed.push(name);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw ioError('remove', file, e);
    }
  }
  if (removed.length > 0) syncDirectory(userdataPath);
  return { restored, removed };
}

/**
 * Replace the store in `databasePath` and the user files in `userdataPath` with the backup in `src`.
 * Refuses (AdminError LOCKED) while a server holds the store; verifies the whole backup first and
 * refuses a damaged one (CORRUPT_BACKUP) or one from a newer opentraq (VERSION) with nothing changed;
 * then asks `opts.confirm`, if given (DECLINED unless it says yes).
 * See the comment at the top of this file for what a crash at each step leaves.
 */
export async function restoreStore(opts: RestoreOptions): Promise<RestoreReport> {
  const src = path.resolve(opts.src);
  const databasePath = path.resolve(opts.databasePath);
  const userdataPath = path.resolve(opts.userdataPath);
  const progress = opts.onProgress ?? (() => undefined);
  for (const [what, dir] of [['store', databasePath], ['user data directory', userdataPath]] as const) {
    if (isInside(src, dir) || isInside(dir, src)) {
      throw new AdminError('USAGE', `the backup ${src} and the ${what} ${dir} overlap: the restore would replace what it reads; move the backup elsewhere first`, { path: src });
    }
  }
  const mode = storeDirMode(databasePath);
  if (mode !== undefined) assertStoreUnlocked(databasePath);
  reportLeftovers(databasePath, progress);
  const { manifest } = await verifyBackup(src, progress);
  const userFiles = readUserFiles(src, manifest.files);
  if (opts.confirm !== undefined) {
    const plan: RestorePlan = {
      src,
      databasePath,
      storedRows: mode === undefined ? 0 : countStoredSessions(databasePath),
      userdataPath,
      userFiles: [...userFiles.keys()],
      backupRows: manifest.rows,
      backupSegments: manifest.segments,
    };
    if (!(await opts.confirm(plan))) throw new AdminError('DECLINED', `nothing restored: replacing ${databasePath} with ${src} was not confirmed`, { path: databasePath });
  }

  let lock: StoreLock;
  try {
    fs.mkdirSync(databasePath, { recursive: true, mode: DIR_MODE });
  } catch (e) {
    throw ioError('create the store directory', databasePath, e);
  }
  try {
    lock = acquireStoreLock(databasePath);
  } catch (e) {
    if (mode === undefined) fs.rmSync(databasePath, { recursive: true, force: true });
    throw e;
  }
  if (lock.note !== undefined) progress(lock.note);
  const tmp = `${databasePath}.restore-${process.pid}`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { mode: mode ?? DIR_MODE });
    progress(`copying the backup into ${tmp}`);
    let checkpointFiles: number;
    try {
      checkpointFiles = await fillStore(src, tmp, manifest.files);
      lock.carryTo(tmp);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (mode === undefined) {
        lock.release();
        fs.rmSync(databasePath, { recursive: true, force: true });
      }
      throw e;
    }
    const { kept, left } = swap(databasePath, tmp, progress);
    const users = restoreUserFiles(userdataPath, userFiles, progress);
    const storeFiles = manifest.files.filter((f) => f.path.startsWith(`${STORE_PART}/`));
    progress(`restored ${manifest.segments} segment(s) with ${manifest.rows} session(s) into ${databasePath}`);
    return {
      src,
      databasePath,
      userdataPath,
      segments: manifest.segments,
      rows: manifest.rows,
      checkpointFiles,
      files: storeFiles.length + users.restored.length,
      bytes: storeFiles.reduce((n, f) => n + f.bytes, 0) + [...userFiles.values()].reduce((n, b) => n + b.length, 0),
      userdataRestored: users.restored,
      userdataRemoved: users.removed,
      keptEntries: kept,
      oldStoreLeft: left,
      lockNote: lock.note,
    };
  } catch (e) {
    throw e instanceof AdminError ? e : ioError('restore into', databasePath, e);
  } finally {
    lock.release();
  }
}
