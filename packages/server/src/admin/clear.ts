// ftserver clear: deletes the sessions of a store (segments, the server's checkpoint, temporaries of
// interrupted writes, quarantined segments) and nothing else; the users are in another directory.

import fs from 'node:fs';
import path from 'node:path';
import { readSegmentInfo, type SegmentFileInfo } from '@opentraq/core';
import { CHECKPOINT_DIR } from '../storage/index.js';
import { errnoOf, ioError } from './adminerror.js';
import { syncDirectory } from './durablecopy.js';
import { checkpointEntryKind, listDir, requireStoreDir, storeEntryKind, withoutSuperseded } from './storefiles.js';
import { acquireStoreLock } from './storelock.js';

export interface ClearOptions {
  /** storage.databasepath */
  databasePath: string;
}

export interface ClearReport {
  readonly databasePath: string;
  /** Segment files deleted, the sessions they held (superseded partials not counted twice), their bytes. */
  readonly segments: number;
  readonly rows: number;
  readonly bytes: number;
  /** Files of the server's checkpoint deleted. */
  readonly checkpointFiles: number;
  /** Temporary files of interrupted writes deleted. */
  readonly tempFiles: number;
  /** Segments set aside as corrupt (*.corrupt) deleted. */
  readonly quarantinedFiles: number;
  /** What is left in the directory because it is not store data (directories end with '/'). */
  readonly kept: readonly string[];
  /** Set when a stale store lock (its process gone) was taken over. */
  readonly lockNote: string | undefined;
}

function remove(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw ioError('delete', file, e);
  }
}

/** Delete the checkpoint's files; returns how many, and what it leaves in the checkpoint directory. */
function clearCheckpoint(dir: string, kept: string[]): number {
  let n = 0;
  const leftBefore = kept.length;
  for (const e of listDir(dir)) {
    if (!e.isDirectory && checkpointEntryKind(e.name) !== 'other') {
      remove(path.join(dir, e.name));
      n++;
    } else kept.push(`${CHECKPOINT_DIR}/${e.name}${e.isDirectory ? '/' : ''}`);
  }
  if (kept.length === leftBefore) {
    try {
      fs.rmdirSync(dir);
    } catch (e) {
      throw ioError('delete', dir, e);
    }
  }
  return n;
}

/**
 * Delete every session of the store in `databasePath`. Refuses (AdminError LOCKED) while a server
 * holds the store, NOT_FOUND when there is no such directory. Entries that are not store data are
 * left and listed in `kept`. The caller asks for confirmation first (confirmClear).
 */
export function clearStore(opts: ClearOptions): ClearReport {
  const databasePath = path.resolve(opts.databasePath);
  requireStoreDir(databasePath);
  const lock = acquireStoreLock(databasePath);
  try {
    const entries = listDir(databasePath);
    const kept: string[] = [];
    const segments: string[] = [];
    const others: string[] = [];
    let tempFiles = 0;
    let quarantinedFiles = 0;
    let checkpointFiles = 0;
    for (const e of entries) {
      const kind = storeEntryKind(e.name, e.isDirectory);
      if (kind === 'segment') segments.push(e.name);
      else if (kind === 'temp' || kind === 'quarantined') {
        others.push(e.name);
        if (kind === 'temp') tempFiles++;
        else quarantinedFiles++;
      } else if (kind === 'checkpoint') {
        // first, so that a crash half-way never leaves a checkpoint pointing at deleted segments
        checkpointFiles = clearCheckpoint(path.join(databasePath, e.name), kept);
      } else if (kind === 'other') kept.push(e.name + (e.isDirectory ? '/' : ''));
    }
    const infos: SegmentFileInfo[] = [];
    let bytes = 0;
    for (const name of segments) {
      const file = path.join(databasePath, name);
      try {
        infos.push(readSegmentInfo(file));
      } catch {
        // a damaged segment holds no sessions anyone can read; it is deleted all the same
      }
      try {
        bytes += fs.statSync(file).size;
      } catch (e) {
        if (errnoOf(e) !== 'ENOENT') throw ioError('inspect', file, e);
      }
      remove(file);
    }
    for (const name of others) remove(path.join(databasePath, name));
    syncDirectory(databasePath);
    return {
      databasePath,
      segments: segments.length,
      rows: withoutSuperseded(infos).reduce((n, s) => n + s.rows, 0),
      bytes,
      checkpointFiles,
      tempFiles,
      quarantinedFiles,
      kept,
      lockNote: lock.note,
    };
  } finally {
    lock.release();
  }
}
