// The durability checkpoint: every storageinterval the server writes the sessions not yet in a store
// segment (finished ones and still-active ones) to <databasepath>/checkpoint/, committed by one rename.
//
// Why this is enough (server.md §3): a cycle takes the finished sessions F and the active sessions A
// (disjoint: every session is one or the other), writes the checkpoint {F, A, N = the store's next
// segment id}, and only then appends F to the store, whose segments from then on have ids >= N.
// After a crash, the last committed checkpoint and the store tell exactly what is where: if the store
// has a segment with id >= N, F reached it; otherwise F is only in the checkpoint. A is never in the
// store. So restart = take F (unless stored) and A from the checkpoint, without loss or duplicates; a
// flow is lost only if it arrived after the last commit, i.e. less than a cycle before the crash.

import fs from 'node:fs';
import path from 'node:path';
import { COLUMN_NAMES, STORE_DIR_MODE, SegmentFileReader, replaceFileDurably, writeRawSegment, type ColumnArray, type Columns } from '@opentraq/core';

export const CHECKPOINT_DIR = 'checkpoint';
export const CHECKPOINT_FILE = 'checkpoint.json';
const FORMAT = 'opentraq-checkpoint';

/** Rows of full session columns (allocColumns layout). */
export interface SessionRows {
  readonly cols: Columns;
  readonly rows: number;
}

interface PartRecord {
  readonly file: string;
  readonly rows: number;
}

export interface CheckpointRecord {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly generation: number;
  /** The store's next segment id when the checkpoint was written. */
  readonly nextSegmentId: number;
  readonly writtenAt: string;
  readonly finished: PartRecord | null;
  readonly active: PartRecord | null;
}

export class CheckpointError extends Error {
  readonly code = 'CHECKPOINT';
  constructor(
    message: string,
    readonly path: string,
    /** The files are there but damaged (torn, garbled): set aside at start. Otherwise (a newer version, no permission) the start stops. */
    readonly damaged: boolean,
  ) {
    super(`${message} (${path})`);
    this.name = 'CheckpointError';
  }
}

export interface LoadedCheckpoint {
  readonly record: CheckpointRecord;
  readonly finished: SessionRows | null;
  readonly active: SessionRows | null;
}

function dirOf(databasePath: string): string {
  return path.join(databasePath, CHECKPOINT_DIR);
}

/**
 * Checkpoint parts are rewritten every cycle and read back only after a crash: they are written raw,
 * uncompressed and unsorted, straight from the batches' own arrays (writeRawSegment), which costs the
 * file write and its CRCs instead of a sort, a gather and the store's search for the smallest encoding.
 */
function writePart(dir: string, id: number, parts: readonly SessionRows[], computeCrc: boolean): PartRecord | null {
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  if (rows === 0) return null;
  const info = writeRawSegment(dir, id, parts, { computeCrc });
  return { file: path.basename(info.ref.path), rows };
}

/**
 * Write and commit checkpoint `generation` (ids 2g-1 and 2g name its two files), then delete the
 * files of earlier generations. `finished` may come as a list of batches (written one after the
 * other, not copied together first). Throws StoreError (IO) when the disk refuses: the previous checkpoint
 * then stays the committed one.
 */
export function writeCheckpoint(
  databasePath: string,
  generation: number,
  nextSegmentId: number,
  finished: SessionRows | readonly SessionRows[] | null,
  active: SessionRows | null,
  computeCrc: boolean,
): CheckpointRecord {
  const dir = dirOf(databasePath);
  fs.mkdirSync(dir, { recursive: true, mode: STORE_DIR_MODE });
  // a file of this generation left by a write that failed before its commit is not referenced by any record
  for (const id of [2 * generation - 1, 2 * generation]) fs.rmSync(path.join(dir, `seg-${String(id).padStart(10, '0')}.otq`), { force: true });
  const record: CheckpointRecord = {
    format: FORMAT,
    version: 1,
    generation,
    nextSegmentId,
    writtenAt: new Date().toISOString(),
    finished: writePart(dir, 2 * generation - 1, finished === null ? [] : 'cols' in finished ? [finished] : finished, computeCrc),
    active: writePart(dir, 2 * generation, active === null ? [] : [active], computeCrc),
  };
  replaceFileDurably(dir, CHECKPOINT_FILE, JSON.stringify(record, null, 1) + '\n');
  const keep = new Set([record.finished?.file, record.active?.file, CHECKPOINT_FILE]);
  for (const name of fs.readdirSync(dir)) if (!keep.has(name)) fs.rmSync(path.join(dir, name), { force: true });
  return record;
}

function readPart(dir: string, part: PartRecord | null): SessionRows | null {
  if (part === null) return null;
  const file = path.join(dir, part.file);
  const reader = SegmentFileReader.open(file);
  try {
    if (reader.info.rows !== part.rows) throw new CheckpointError(`holds ${reader.info.rows} sessions, the record says ${part.rows}`, file, true);
    const cols = reader.read(COLUMN_NAMES) as Record<string, ColumnArray>;
    return { cols: cols as unknown as Columns, rows: part.rows };
  } finally {
    reader.close();
  }
}

function checkRecord(v: unknown, file: string): CheckpointRecord {
  const r = v as Partial<CheckpointRecord> | null;
  const part = (p: unknown): boolean =>
    p === null || (typeof p === 'object' && typeof (p as PartRecord).file === 'string' && /^seg-\d{10}\.otq$/.test((p as PartRecord).file) && Number.isSafeInteger((p as PartRecord).rows));
  if (r === null || typeof r !== 'object' || r.format !== FORMAT) throw new CheckpointError('is not an opentraq checkpoint record', file, true);
  if (r.version !== 1) throw new CheckpointError(`has version ${String(r.version)}; this server reads version 1`, file, false);
  if (!Number.isSafeInteger(r.generation) || !Number.isSafeInteger(r.nextSegmentId) || !part(r.finished) || !part(r.active)) {
    throw new CheckpointError('is malformed', file, true);
  }
  return r as CheckpointRecord;
}

/**
 * Move a damaged checkpoint directory out of the way (to checkpoint.corrupt-<time>) so that the server
 * can start; the files stay for a person to look at. Returns the new path.
 */
export function setCheckpointAside(databasePath: string): string {
  const aside = path.join(databasePath, `${CHECKPOINT_DIR}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.renameSync(dirOf(databasePath), aside);
  return aside;
}

/**
 * The committed checkpoint, or null when there is none (a new store, or one written by a clean stop
 * that left nothing behind). A record or file that cannot be read throws CheckpointError or StoreError:
 * the server must not start and silently drop the sessions it holds.
 */
export function readCheckpoint(databasePath: string): LoadedCheckpoint | null {
  const dir = dirOf(databasePath);
  const file = path.join(dir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError(`cannot be read: ${(e as Error).message}`, file, false);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CheckpointError('is not valid JSON', file, true);
  }
  const record = checkRecord(parsed, file);
  return { record, finished: readPart(dir, record.finished), active: readPart(dir, record.active) };
}
