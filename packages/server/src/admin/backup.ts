// ftserver backup DEST: a consistent copy of the store and the user data, taken while the server runs
// and writes: DEST/store/ (segments and checkpoint), DEST/userdata/, and DEST/manifest.json last.
//
// Why the copy is consistent. The server changes the store directory in three ways only: it renames
// a complete segment into place, deletes a segment (a partial one after the segment that supersedes
// it is in place, or the oldest by retention), and commits a new checkpoint record (checkpoint.ts:
// {finished F, active A, N = next segment id}, then F goes to segments with ids >= N).
//  1. Pinning a file (a hard link into DEST, or a full copy when DEST is on another file system)
//     makes it immune to later deletion; segment files are never changed in place.
//  2. The checkpoint record is pinned first, then its files (they are deleted only after a newer
//     record is committed).
//  3. Then rounds: list the segments, pin every one not pinned yet. A round in which every listed file
//     could be pinned gives a set S = the directory at the moment of that listing. A file that vanished
//     between listing and pinning was superseded (its rows are now in a newer segment the listing may
//     lack) or dropped by retention: the round is repeated with a fresh listing.
//  4. Then the checkpoint record is compared with the pinned one. Unchanged: the listing lies between
//     two checkpoint commits, so S and the record are what a crash (kill -9) at that moment would have
//     left, which the server's restart puts together without loss or duplicates (F is stored iff S has
//     a segment >= N). Changed: a cycle ran meanwhile, and its segments may hold the final versions of
//     sessions the pinned record still holds as active; the checkpoint is pinned again and step 3
//     repeated (already pinned segments are kept, so the repeat is short).
//  5. S may hold a partial segment and the one that supersedes it (the store deletes the partial once
//     no running query reads it, never after its superseder): the partial is left out, by the rule
//     the store itself applies at open. S may also hold segments past retention that a query still
//     reads; they are restored and the store's retention drops them again at its first open.
// Restoring the backup is therefore restarting the server after a crash at the final listing.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SCHEMA_VERSION, StoreError, readSegmentInfo, replaceFileDurably, verifySegment, type SegmentFileInfo } from '@opentraq/core';
import { CHECKPOINT_DIR, CHECKPOINT_FILE } from '../storage/index.js';
import { AdminError, errnoOf, ioError, storeErrorDetail } from './adminerror.js';
import { copyFileHashed, copyFromHandle, syncDirectory, type FileDigest } from './durablecopy.js';
import { isInside } from './isinside.js';
import { BACKUP_FORMAT, BACKUP_VERSION, MANIFEST_FILE, STORE_PART, USERDATA_FILES, USERDATA_PART, type BackupManifest, type ManifestFile } from './manifest.js';
import { SEGMENT_NAME_RE, checkpointEntryKind, listDir, requireStoreDir, withoutSuperseded } from './storefiles.js';

export interface BackupOptions {
  /** storage.databasepath */
  databasePath: string;
  /** userdata.userdatapath */
  userdataPath: string;
  /** A directory that does not exist or is empty. */
  dest: string;
  /** One line per step, for a progress display or the log. */
  onProgress?: (msg: string) => void;
}

export interface BackupReport {
  readonly dest: string;
  /** Segment files in the backup, and the sessions they hold. */
  readonly segments: number;
  readonly rows: number;
  /** Files of the server's checkpoint in the backup (0: the store had no committed checkpoint). */
  readonly checkpointFiles: number;
  /** The user data files copied (users.json, sessionkeys.json when they exist). */
  readonly userdataFiles: readonly string[];
  /** Every file in the manifest, and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Segment files left out because they are damaged, each with the reason. */
  readonly skipped: readonly string[];
  /** Listings of the store it took to see it hold still between a pin and a check. */
  readonly listings: number;
}

/** Listings (steps 3 and 4) before giving up on a store that never holds still. */
const MAX_LISTINGS = 200;
const STAGING = '.staging';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** Files made immune to deletion in the store: hard links into the staging directory, else copies. */
class Pins {
  /** True until a hard link fails for want of support (another file system): then pins are copies. */
  linking = true;
  /** Digests of the pins made by copying (hard links are hashed when they are copied out). */
  readonly copied = new Map<string, FileDigest>();

  constructor(readonly dir: string) {}

  /** Pin `src` as `name` (relative to the staging directory); false when `src` no longer exists. */
  async pin(src: string, name: string): Promise<boolean> {
    const to = path.join(this.dir, name);
    if (this.linking) {
      try {
        fs.linkSync(src, to);
        return true;
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT') return false;
        // another file system, or one (or a policy) that refuses hard links: copy instead
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK' && code !== 'ENOSYS') throw ioError('link', src, e);
        this.linking = false;
      }
    }
    let h: fsp.FileHandle;
    try {
      h = await fsp.open(src, 'r');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw ioError('open', src, e);
    }
    try {
      this.copied.set(name, await copyFromHandle(h, src, to, FILE_MODE));
    } finally {
      await h.close();
    }
    return true;
  }

  /** Move the pinned `name` to `dest` as an independent file; returns its digest. */
  async finish(name: string, dest: string): Promise<FileDigest> {
    const from = path.join(this.dir, name);
    const digest = this.copied.get(name);
    if (digest === undefined) return copyFileHashed(from, dest, FILE_MODE);
    try {
      fs.renameSync(from, dest);
    } catch (e) {
      throw ioError('move into place', dest, e);
    }
    return digest;
  }

  /** Forget every pin under `subdir` (a fresh checkpoint replaces the old one). */
  reset(subdir: string): void {
    const d = path.join(this.dir, subdir);
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(d, { mode: DIR_MODE });
    for (const k of [...this.copied.keys()]) if (k.startsWith(subdir + '/')) this.copied.delete(k);
  }
}

interface PinnedCheckpoint {
  /** The record's bytes (null: the store has no committed checkpoint). */
  readonly record: Buffer | null;
  /** Names of the pinned files, the record first. */
  readonly names: readonly string[];
}

function readRecord(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw ioError('read', file, e);
  }
}

async function pinCheckpoint(pins: Pins, databasePath: string): Promise<PinnedCheckpoint> {
  pins.reset(CHECKPOINT_DIR);
  const ckDir = path.join(databasePath, CHECKPOINT_DIR);
  const recordName = `${CHECKPOINT_DIR}/${CHECKPOINT_FILE}`;
  // files without a committed record are an unfinished first checkpoint, which a restart ignores
  if (!(await pins.pin(path.join(ckDir, CHECKPOINT_FILE), recordName))) return { record: null, names: [] };
  const record = readRecord(path.join(pins.dir, recordName))!;
  const names = [CHECKPOINT_FILE];
  for (const e of listDir(ckDir)) {
    if (e.isDirectory || e.name === CHECKPOINT_FILE || checkpointEntryKind(e.name) !== 'checkpoint') continue;
    // a file gone already belongs to an older record: the check after the listing sees the change
    if (await pins.pin(path.join(ckDir, e.name), `${CHECKPOINT_DIR}/${e.name}`)) names.push(e.name);
  }
  return { record, names };
}

type Pinned = { readonly info: SegmentFileInfo } | { readonly damage: string };

async function listSegments(databasePath: string): Promise<string[]> {
  try {
    const entries = await fsp.readdir(databasePath, { withFileTypes: true });
    return entries.filter((d) => d.isFile() && SEGMENT_NAME_RE.test(d.name)).map((d) => d.name).sort();
  } catch (e) {
    throw ioError('list the store directory', databasePath, e);
  }
}

/** Header of a pinned segment, or the damage that keeps it out of the backup. */
function inspect(file: string, name: string): Pinned {
  try {
    const info = readSegmentInfo(file);
    const id = Number(SEGMENT_NAME_RE.exec(name)![1]);
    if (info.id !== id) return { damage: `its header says segment ${info.id}, its name says ${id}` };
    return { info };
  } catch (e) {
    if (e instanceof StoreError && e.code === 'CORRUPT') return { damage: storeErrorDetail(e) };
    if (e instanceof StoreError && e.code === 'VERSION') {
      throw new AdminError('VERSION', `the store holds a segment written by a newer opentraq (${storeErrorDetail(e)}): back it up with that version's ftserver`, { path: file, cause: e });
    }
    throw ioError('read', file, e);
  }
}

interface PinnedStore {
  readonly checkpoint: PinnedCheckpoint;
  /** The listing pinned whole, with the checkpoint record unchanged around it. */
  readonly listing: readonly string[];
  readonly listings: number;
}

/**
 * Steps 2 to 4: pin the checkpoint, then list and pin until a listing is pinned whole while the
 * checkpoint record stays the pinned one; a new record is pinned afresh (segments pinned stay).
 */
async function pinStore(pins: Pins, databasePath: string, pinned: Map<string, Pinned>, progress: (m: string) => void): Promise<PinnedStore> {
  const recordPath = path.join(databasePath, CHECKPOINT_DIR, CHECKPOINT_FILE);
  let checkpoint = await pinCheckpoint(pins, databasePath);
  for (let listings = 1; listings <= MAX_LISTINGS; listings++) {
    progress(`listing the segment files of ${databasePath} (listing ${listings})`);
    const listing = await listSegments(databasePath);
    const fresh = listing.filter((name) => !pinned.has(name));
    progress(`${pins.linking ? 'linking' : 'copying'} ${fresh.length} segment file(s) not yet secured`);
    let vanished = 0;
    for (const name of fresh) {
      const staged = `segments/${name}`;
      if (!(await pins.pin(path.join(databasePath, name), staged))) {
        vanished++;
        continue;
      }
      pinned.set(name, inspect(path.join(pins.dir, staged), name));
    }
    const now = readRecord(recordPath);
    const same = now === null || checkpoint.record === null ? now === checkpoint.record : now.equals(checkpoint.record);
    if (vanished === 0 && same) return { checkpoint, listing, listings };
    if (vanished > 0) progress(`${vanished} segment file(s) were replaced while the store was listed; listing it again`);
    if (!same) {
      progress('the server wrote a new checkpoint meanwhile; taking it again');
      checkpoint = await pinCheckpoint(pins, databasePath);
    }
  }
  throw new AdminError('BUSY', `the store ${databasePath} changed during each of ${MAX_LISTINGS} listings, so no consistent copy could be taken: try again (or stop the server for the backup)`, { path: databasePath });
}

async function prepareDest(dest: string): Promise<boolean> {
  let st: fs.Stats;
  try {
    st = fs.statSync(dest);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw ioError('inspect', dest, e);
    try {
      fs.mkdirSync(dest, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw ioError('create the backup directory', dest, err);
    }
    return true;
  }
  if (!st.isDirectory()) throw new AdminError('DEST_NOT_EMPTY', `${dest} exists and is not a directory: give a new directory or an empty one for the backup`, { path: dest });
  const entries = listDir(dest);
  if (entries.length > 0) {
    const hint = entries.some((e) => e.name === MANIFEST_FILE) ? 'it holds a backup already' : `it holds ${entries.length} entries (${MANIFEST_FILE} missing: an interrupted backup? delete it)`;
    throw new AdminError('DEST_NOT_EMPTY', `${dest} is not empty: ${hint}; give a new directory or an empty one`, { path: dest });
  }
  return false;
}

/** Remove what a failed backup wrote, so that DEST is as it was (absent or empty). */
function undo(dest: string, created: boolean): void {
  try {
    if (created) fs.rmSync(dest, { recursive: true, force: true });
    else for (const e of listDir(dest)) fs.rmSync(path.join(dest, e.name), { recursive: true, force: true });
  } catch {
    // the original error matters more; what is left has no manifest, so it is no backup
  }
}

function checkPaths(databasePath: string, userdataPath: string, dest: string): void {
  requireStoreDir(databasePath);
  for (const [what, dir] of [['store', databasePath], ['user data directory', userdataPath]] as const) {
    if (isInside(dest, dir)) throw new AdminError('USAGE', `the backup destination ${dest} is inside the ${what} ${dir}: put it elsewhere, so that it does not copy itself or go down with the ${what}`, { path: dest });
  }
}

/**
 * Take a consistent backup of a store (and its user data) into `dest`, while a server may run and
 * write (see the comment at the top of this file). Segments that fail their checksums are left out
 * and listed in `skipped`. On failure everything written to `dest` is removed again.
 */
export async function backupStore(opts: BackupOptions): Promise<BackupReport> {
  const databasePath = path.resolve(opts.databasePath);
  const userdataPath = path.resolve(opts.userdataPath);
  const dest = path.resolve(opts.dest);
  const progress = opts.onProgress ?? (() => undefined);
  checkPaths(databasePath, userdataPath, dest);
  const created = await prepareDest(dest);
  try {
    return await takeBackup(databasePath, userdataPath, dest, progress);
  } catch (e) {
    undo(dest, created);
    throw e instanceof AdminError ? e : ioError('back up into', dest, e);
  }
}

async function takeBackup(databasePath: string, userdataPath: string, dest: string, progress: (m: string) => void): Promise<BackupReport> {
  const staging = path.join(dest, STAGING);
  fs.mkdirSync(path.join(staging, 'segments'), { recursive: true, mode: DIR_MODE });
  const pins = new Pins(staging);
  const pinned = new Map<string, Pinned>();
  const { checkpoint, listing, listings } = await pinStore(pins, databasePath, pinned, progress);

  // Segments: leave out the damaged ones first, so that a damaged segment never displaces the partials it supersedes.
  const skipped: string[] = [];
  const good: (SegmentFileInfo & { name: string })[] = [];
  progress(`verifying ${listing.length} segment file(s)`);
  for (const name of listing) {
    const p = pinned.get(name)!;
    let damage = 'damage' in p ? p.damage : undefined;
    if (damage === undefined) {
      try {
        verifySegment(path.join(staging, 'segments', name));
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'CORRUPT')) throw ioError('read', path.join(databasePath, name), e);
        damage = storeErrorDetail(e);
      }
    }
    if (damage !== undefined) {
      skipped.push(`${name}: ${damage}`);
      progress(`leaving out the damaged segment ${name}: ${damage}`);
    } else good.push({ ...(p as { info: SegmentFileInfo }).info, name });
  }
  const keep = withoutSuperseded(good);

  const files: ManifestFile[] = [];
  const storeDir = path.join(dest, STORE_PART);
  fs.mkdirSync(storeDir, { mode: DIR_MODE });
  progress(`copying ${keep.length} segment file(s)`);
  let rows = 0;
  for (const s of keep) {
    const digest = await pins.finish(`segments/${s.name}`, path.join(storeDir, s.name));
    files.push({ path: `${STORE_PART}/${s.name}`, ...digest });
    rows += s.rows;
  }

  if (checkpoint.names.length > 0) {
    const ckDir = path.join(storeDir, CHECKPOINT_DIR);
    fs.mkdirSync(ckDir, { mode: DIR_MODE });
    for (const name of checkpoint.names) {
      const file = path.join(staging, CHECKPOINT_DIR, name);
      if (name !== CHECKPOINT_FILE) {
        try {
          verifySegment(file);
        } catch (e) {
          if (!(e instanceof StoreError)) throw e;
          throw new AdminError('CORRUPT_STORE', `the server's checkpoint file ${path.join(databasePath, CHECKPOINT_DIR, name)} is damaged (${storeErrorDetail(e)}); the server rewrites it every storageinterval: try again in a few seconds`, { path: file, cause: e });
        }
      }
      const digest = await pins.finish(`${CHECKPOINT_DIR}/${name}`, path.join(ckDir, name));
      files.push({ path: `${STORE_PART}/${CHECKPOINT_DIR}/${name}`, ...digest });
    }
    syncDirectory(ckDir);
  } else progress('the store has no committed checkpoint (no server running, or stopped cleanly)');
  syncDirectory(storeDir);

  const userdataFiles = await copyUserdata(userdataPath, path.join(dest, USERDATA_PART), files, progress);
  fs.rmSync(staging, { recursive: true, force: true });
  syncDirectory(dest);

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created: new Date().toISOString(),
    schemaVersion: SCHEMA_VERSION,
    files,
    segments: keep.length,
    rows,
  };
  try {
    replaceFileDurably(dest, MANIFEST_FILE, JSON.stringify(manifest, null, 1) + '\n', FILE_MODE);
  } catch (e) {
    throw ioError('write', path.join(dest, MANIFEST_FILE), (e as Error).cause ?? e);
  }
  progress(`backup complete: ${keep.length} segment(s), ${rows} session(s) in ${dest}`);
  return {
    dest,
    segments: keep.length,
    rows,
    checkpointFiles: checkpoint.names.length,
    userdataFiles,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    skipped,
    listings,
  };
}

/** Copy the user data files that exist (they are replaced by rename, so one read is consistent). */
async function copyUserdata(userdataPath: string, to: string, files: ManifestFile[], progress: (m: string) => void): Promise<string[]> {
  fs.mkdirSync(to, { mode: DIR_MODE });
  const copied: string[] = [];
  for (const name of USERDATA_FILES) {
    const src = path.join(userdataPath, name);
    let h: fsp.FileHandle;
    try {
      h = await fsp.open(src, 'r');
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw ioError('open', src, e);
      progress(`no ${name} in ${userdataPath}: not in the backup`);
      continue;
    }
    try {
      const digest = await copyFromHandle(h, src, path.join(to, name), FILE_MODE);
      files.push({ path: `${USERDATA_PART}/${name}`, ...digest });
      copied.push(name);
    } finally {
      await h.close();
    }
  }
  syncDirectory(to);
  return copied;
}
