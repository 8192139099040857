// Everything that can stop a store administration command (lock, backup, restore, clear), each with
// a stable code and the process exit code ftserver ends with (cli.md: 1 runtime failure, 2 usage).

/** Every error code, its exit code and what it means (main.ts and the docs read this table). */
export const ADMIN_ERROR_CODES = {
  LOCKED: { exitCode: 1, doc: 'a running ftserver holds the store lock (or one on another host may): stop it first' },
  DEST_NOT_EMPTY: { exitCode: 2, doc: 'the backup destination exists and is not an empty directory' },
  NOT_FOUND: { exitCode: 2, doc: 'the store, the backup or a directory named on the command line does not exist' },
  USAGE: { exitCode: 2, doc: 'paths that cannot work together, e.g. a backup destination inside the store it copies' },
  CORRUPT_BACKUP: { exitCode: 1, doc: 'the backup fails a check (manifest, size, sha256, stray file, segment checksum); nothing was changed' },
  CORRUPT_STORE: { exitCode: 1, doc: 'a file the backup cannot do without (the durability checkpoint) is damaged in the store' },
  VERSION: { exitCode: 1, doc: 'the backup or store was written by a newer opentraq than this one' },
  BUSY: { exitCode: 1, doc: 'the store changed during every attempt to take a consistent copy of it; try again' },
  IO: { exitCode: 1, doc: 'the operating system refused a read, write, link, rename or fsync' },
  DECLINED: { exitCode: 0, doc: 'restore was not confirmed at the terminal (any answer but yes): nothing was changed, as when clear is not confirmed' },
} as const satisfies Record<string, { exitCode: number; doc: string }>;

export type AdminErrorCode = keyof typeof ADMIN_ERROR_CODES;

export interface AdminErrorDetails {
  /** The file or directory the error is about. */
  readonly path?: string;
  readonly cause?: unknown;
}

export class AdminError extends Error {
  override readonly name = 'AdminError';
  readonly code: AdminErrorCode;
  /** What ftserver exits with: 1 runtime failure, 2 usage error. */
  readonly exitCode: number;
  readonly path: string | undefined;

  constructor(code: AdminErrorCode, message: string, details: AdminErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.exitCode = ADMIN_ERROR_CODES[code].exitCode;
    this.path = details.path;
  }
}

/** An IO AdminError for a failed file operation: "cannot <action> <path>: <reason>". */
export function ioError(action: string, file: string, e: unknown): AdminError {
  if (e instanceof AdminError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // node's "ENOENT: no such file or directory, open '/x'" repeats the path this message already names
  const m = /^(E[A-Z0-9]+): ([^,]+),/.exec(message);
  const reason = m === null ? message : `${m[2]} (${m[1]})`;
  return new AdminError('IO', `cannot ${action} ${file}: ${reason}`, { path: file, cause: e });
}

/** A core StoreError's message without the path it starts with (for messages that name the file already). */
export function storeErrorDetail(e: Error & { path?: string | undefined }): string {
  return e.path !== undefined && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
}

/** The system error code of a node fs error (ENOENT, EXDEV ...), if it has one. */
export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}
