// What the entries of a store directory are (docs/storage-format.md, "The store directory"): segments,
// temporaries of interrupted writes, quarantined segments, the server's checkpoint and lock, or other.

import fs from 'node:fs';
import path from 'node:path';
import { readSegmentInfo, type SegmentFileInfo } from '@opentraq/core';
import { CHECKPOINT_DIR, CHECKPOINT_FILE } from '../storage/index.js';
import { AdminError, errnoOf, ioError } from './adminerror.js';
import { LOCK_FILE } from './storelock.js';

export type StoreEntryKind = 'segment' | 'temp' | 'quarantined' | 'checkpoint' | 'lock' | 'other';

// The names the store's writer uses (core store/format.ts and columnstore.ts keep theirs private).
export const SEGMENT_NAME_RE = /^seg-(\d{10})\.otq$/;
const TEMP_NAME_RE = /^\..+\.tmp$/;
const QUARANTINED_NAME_RE = /^seg-\d{10}\.otq\.corrupt(?:\.\d+)?$/;

/** The kind of an entry directly in the store directory. */
export function storeEntryKind(name: string, isDirectory: boolean): StoreEntryKind {
  if (isDirectory) return name === CHECKPOINT_DIR ? 'checkpoint' : 'other';
  if (name === LOCK_FILE) return 'lock';
  if (SEGMENT_NAME_RE.test(name)) return 'segment';
  if (TEMP_NAME_RE.test(name)) return 'temp';
  if (QUARANTINED_NAME_RE.test(name)) return 'quarantined';
  return 'other';
}

/** The kind of a file in the checkpoint directory: its record and segment files, temporaries, or other. */
export function checkpointEntryKind(name: string): 'checkpoint' | 'temp' | 'other' {
  if (name === CHECKPOINT_FILE || SEGMENT_NAME_RE.test(name)) return 'checkpoint';
  return TEMP_NAME_RE.test(name) ? 'temp' : 'other';
}

/** AdminError NOT_FOUND unless `databasePath` is an existing directory. */
export function requireStoreDir(databasePath: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(databasePath);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') throw new AdminError('NOT_FOUND', `the store directory ${databasePath} does not exist: check storage.databasepath`, { path: databasePath });
    throw ioError('inspect', databasePath, e);
  }
  if (!st.isDirectory()) throw new AdminError('NOT_FOUND', `${databasePath} is not a directory: check storage.databasepath`, { path: databasePath });
}

export interface DirEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** The entries of `dir`, sorted by name (so segments come by id); a directory that does not exist has none. */
export function listDir(dir: string): DirEntry[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .map((d) => ({ name: d.name, isDirectory: d.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return [];
    throw ioError('list', dir, e);
  }
}

/**
 * The segments that hold data: without the partial segments that another one of the set supersedes
 * (its id in [supersedesFrom, id)). The same rule as the store's at open, so no row counts twice.
 */
export function withoutSuperseded<T extends SegmentFileInfo>(segments: readonly T[]): T[] {
  const superseded = new Set<number>();
  for (const s of segments) {
    const from = s.supersedesFrom;
    if (from === undefined) continue;
    for (const o of segments) if (o.partial && o.id >= from && o.id < s.id) superseded.add(o.id);
  }
  return segments.filter((s) => !superseded.has(s.id));
}

/** Sessions in the segment files of a store (superseded partials not counted; unreadable files skipped). */
export function countStoredSessions(databasePath: string): number {
  const infos: SegmentFileInfo[] = [];
  for (const e of listDir(databasePath)) {
    if (e.isDirectory || storeEntryKind(e.name, false) !== 'segment') continue;
    try {
      infos.push(readSegmentInfo(path.join(databasePath, e.name)));
    } catch {
      // a file that cannot be read is not counted; the store quarantines it at its next open
    }
  }
  return withoutSuperseded(infos).reduce((n, s) => n + s.rows, 0);
}
