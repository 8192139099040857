// The manifest of a backup directory (DEST/manifest.json): what the backup holds, file by file with
// sizes and sha256, written last, so that a backup without one is incomplete by definition.

import { SCHEMA_VERSION } from '@opentraq/core';
import { ALERT_LOG_FILE } from '../alerts/index.js';
import { SESSION_KEYS_FILE, USERS_FILE } from '../auth/index.js';
import { CHECKPOINT_DIR } from '../storage/index.js';
import { AdminError } from './adminerror.js';
import { SEGMENT_NAME_RE, checkpointEntryKind } from './storefiles.js';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'opentraq-backup';
export const BACKUP_VERSION = 1;
/** DEST/store holds the store directory's data, DEST/userdata the user files. */
export const STORE_PART = 'store';
export const USERDATA_PART = 'userdata';
/** The user data files a backup carries. */
export const USERDATA_FILES: readonly string[] = [USERS_FILE, SESSION_KEYS_FILE, ALERT_LOG_FILE];

export interface ManifestFile {
  /** Relative to the backup directory, with '/' separators: store/seg-0000000001.otq, userdata/users.json ... */
  readonly path: string;
  readonly bytes: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  /** When the backup was taken (ISO 8601). */
  readonly created: string;
  /** The column schema version of the opentraq that wrote it. */
  readonly schemaVersion: number;
  readonly files: readonly ManifestFile[];
  /** Segment files in store/ (the checkpoint's not counted). */
  readonly segments: number;
  /** Sessions in those segments. */
  readonly rows: number;
}

/**
 * Whether a backup may hold a file at this relative path: a segment in store/, a file of the
 * checkpoint in store/checkpoint/, a user data file in userdata/. Nothing else is ever restored.
 */
export function isBackupPath(p: string): boolean {
  const parts = p.split('/');
  if (parts.length === 2 && parts[0] === STORE_PART) return SEGMENT_NAME_RE.test(parts[1]!);
  if (parts.length === 3 && parts[0] === STORE_PART && parts[1] === CHECKPOINT_DIR) return checkpointEntryKind(parts[2]!) === 'checkpoint';
  return parts.length === 2 && parts[0] === USERDATA_PART && USERDATA_FILES.includes(parts[1]!);
}

function corrupt(file: string, why: string): AdminError {
  return new AdminError('CORRUPT_BACKUP', `${file} ${why}; the backup cannot be trusted and nothing was restored`, { path: file });
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parse and check a manifest; AdminError CORRUPT_BACKUP says what is wrong, VERSION when it is too new. */
export function parseManifest(text: string, file: string): BackupManifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw corrupt(file, 'is not valid JSON (damaged or cut short)');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw corrupt(file, 'is not a JSON object');
  const m = v as Record<string, unknown>;
  if (m.format !== BACKUP_FORMAT) throw corrupt(file, `is not an opentraq backup manifest (its format is ${JSON.stringify(m.format)}, expected "${BACKUP_FORMAT}")`);
  if (!Number.isSafeInteger(m.version) || (m.version as number) < 1) throw corrupt(file, `has an invalid version ${JSON.stringify(m.version)}`);
  if ((m.version as number) > BACKUP_VERSION) {
    throw new AdminError('VERSION', `${file} is backup format version ${String(m.version)}, written by a newer opentraq; this one reads version ${BACKUP_VERSION}: restore with that newer version`, { path: file });
  }
  if (!Number.isSafeInteger(m.schemaVersion) || (m.schemaVersion as number) < 1) throw corrupt(file, `has an invalid schemaVersion ${JSON.stringify(m.schemaVersion)}`);
  if ((m.schemaVersion as number) > SCHEMA_VERSION) {
    throw new AdminError('VERSION', `the backup holds sessions of schema version ${String(m.schemaVersion)}, newer than this opentraq's ${SCHEMA_VERSION}: restore with the opentraq version that wrote it, or a newer one`, { path: file });
  }
  if (typeof m.created !== 'string' || Number.isNaN(Date.parse(m.created))) throw corrupt(file, `has an invalid creation time ${JSON.stringify(m.created)}`);
  if (!isCount(m.segments) || !isCount(m.rows)) throw corrupt(file, 'has invalid segment or row counts');
  if (!Array.isArray(m.files)) throw corrupt(file, 'has no list of files');
  const seen = new Set<string>();
  const files: ManifestFile[] = [];
  for (const [i, f] of (m.files as unknown[]).entries()) {
    const e = f as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || typeof e.path !== 'string' || !isCount(e.bytes) || typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) {
      throw corrupt(file, `has a malformed entry ${i + 1} in its list of files (each needs path, bytes and a sha256 in hex)`);
    }
    if (!isBackupPath(e.path)) throw corrupt(file, `lists ${JSON.stringify(e.path)}, which is no file a backup holds`);
    if (seen.has(e.path)) throw corrupt(file, `lists ${e.path} twice`);
    seen.add(e.path);
    files.push({ path: e.path, bytes: e.bytes, sha256: e.sha256 });
  }
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, created: m.created, schemaVersion: m.schemaVersion as number, files, segments: m.segments, rows: m.rows };
}
