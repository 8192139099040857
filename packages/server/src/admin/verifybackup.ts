// Checks a backup directory completely before anything is restored from it: the manifest, every file
// against its size and sha256, no file the manifest does not list, and every segment column by column.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StoreError, verifySegment } from '@opentraq/core';
import { CHECKPOINT_DIR } from '../storage/index.js';
import { AdminError, errnoOf, ioError, storeErrorDetail } from './adminerror.js';
import { hashFile } from './durablecopy.js';
import { MANIFEST_FILE, STORE_PART, USERDATA_PART, parseManifest, type BackupManifest } from './manifest.js';
import { SEGMENT_NAME_RE } from './storefiles.js';

export interface VerifiedBackup {
  /** The backup directory, absolute. */
  readonly dir: string;
  readonly manifest: BackupManifest;
}

function corrupt(file: string, why: string): AdminError {
  return new AdminError('CORRUPT_BACKUP', `${file} ${why}; the backup cannot be trusted and nothing was restored`, { path: file });
}

/** Relative paths ('/'-separated) of every entry under store/ and userdata/; directories end with '/'. */
async function walk(root: string, rel: string, out: string[]): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true });
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return;
    throw ioError('list', path.join(root, rel), e);
  }
  for (const d of entries) {
    const p = `${rel}/${d.name}`;
    if (d.isDirectory()) {
      out.push(p + '/');
      await walk(root, p, out);
    } else out.push(p);
  }
}

/**
 * Verify the backup in `src`; AdminError NOT_FOUND (no such directory), CORRUPT_BACKUP naming the
 * first bad file and why, or VERSION (written by a newer opentraq). Reads every byte; changes nothing.
 */
export async function verifyBackup(src: string, onProgress?: (msg: string) => void): Promise<VerifiedBackup> {
  const dir = path.resolve(src);
  const progress = onProgress ?? (() => undefined);
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') throw new AdminError('NOT_FOUND', `the backup directory ${dir} does not exist`, { path: dir });
    throw ioError('inspect', dir, e);
  }
  if (!st.isDirectory()) throw new AdminError('NOT_FOUND', `${dir} is not a directory; a backup is the directory that ftserver backup made`, { path: dir });
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') throw corrupt(manifestPath, 'does not exist: the backup is incomplete (interrupted before it finished) or this is not a backup directory');
    throw ioError('read', manifestPath, e);
  }
  const manifest = parseManifest(text, manifestPath);

  const listed = new Set(manifest.files.map((f) => f.path));
  const present: string[] = [];
  await walk(dir, STORE_PART, present);
  await walk(dir, USERDATA_PART, present);
  for (const p of present) {
    if (p === `${STORE_PART}/${CHECKPOINT_DIR}/`) continue;
    if (!listed.has(p)) throw corrupt(path.join(dir, p), `is not listed in ${MANIFEST_FILE}: the backup was changed after it was made`);
  }

  progress(`checking ${manifest.files.length} file(s) against their sha256`);
  for (const f of manifest.files) {
    const file = path.join(dir, f.path);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw corrupt(file, `is listed in ${MANIFEST_FILE} but missing`);
      throw ioError('inspect', file, e);
    }
    if (size !== f.bytes) throw corrupt(file, `has ${size} bytes, the manifest says ${f.bytes}`);
    const digest = await hashFile(file);
    if (digest.sha256 !== f.sha256 || digest.bytes !== f.bytes) throw corrupt(file, 'does not match its sha256 in the manifest: its content is damaged');
  }

  progress('checking every segment column by column');
  let segments = 0;
  let rows = 0;
  for (const f of manifest.files) {
    const name = path.posix.basename(f.path);
    const m = SEGMENT_NAME_RE.exec(name);
    if (m === null) continue;
    const file = path.join(dir, f.path);
    try {
      const info = verifySegment(file);
      if (path.posix.dirname(f.path) !== STORE_PART) continue;
      if (info.id !== Number(m[1])) throw corrupt(file, `has the header of segment ${info.id} under the name of segment ${Number(m[1])}`);
      segments++;
      rows += info.rows;
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      if (e.code === 'VERSION') {
        throw new AdminError('VERSION', `${file} was written by a newer opentraq (${storeErrorDetail(e)}): restore with that version`, { path: file, cause: e });
      }
      if (e.code === 'CORRUPT') throw corrupt(file, `is not a sound segment: ${storeErrorDetail(e)}`);
      throw ioError('read', file, e);
    }
  }
  if (segments !== manifest.segments || rows !== manifest.rows) {
    throw corrupt(manifestPath, `says ${manifest.segments} segment(s) with ${manifest.rows} session(s), the files hold ${segments} with ${rows}`);
  }
  return { dir, manifest };
}
