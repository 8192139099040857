// The one error type of the columnar store: every failure to read or write segments becomes a StoreError.
// `code` is stable for callers (the server skips CORRUPT segments, refuses to start on VERSION); `message` names the file.

export type StoreErrorCode =
  /** A segment fails its checks (magic, lengths, header/directory/column CRC, encoding bounds). */
  | 'CORRUPT'
  /** A segment or store was written by a newer format or schema version than this code reads. */
  | 'VERSION'
  /** A segment listed earlier is gone (deleted by retention, or removed by hand). */
  | 'MISSING'
  /** The caller passed something the store cannot take (wrong column type, bad option, a write to a read-only store). */
  | 'USAGE'
  /** The store or reader was used after close(). */
  | 'CLOSED'
  /** The operating system refused a read, write, fsync or rename. */
  | 'IO';

export interface StoreErrorContext {
  /** The file the error is about. */
  path?: string;
  /** The column the error is about. */
  column?: string;
  /** The underlying error (an fs error for IO). */
  cause?: unknown;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly path: string | undefined;
  readonly column: string | undefined;

  /** The message is `path: column X: detail` with the parts that are known. */
  constructor(code: StoreErrorCode, detail: string, context: StoreErrorContext = {}) {
    const where = [context.path, context.column === undefined ? undefined : `column ${context.column}`]
      .filter((p) => p !== undefined)
      .join(': ');
    super(where === '' ? detail : `${where}: ${detail}`, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.path = context.path;
    this.column = context.column;
  }
}
