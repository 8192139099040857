// The one error type of enrichment: a data file (country/ASN database, services file) that cannot be
// used becomes an EnrichError whose `code` says why and whose message names the file and the fix.

export type EnrichErrorCode =
  /** The file cannot be read (missing, unreadable, a directory). */
  | 'IO'
  /** The file is not in a format we read (not an mmdb, not a CSV in a known layout, a bad line). */
  | 'FORMAT'
  /** The file is readable but holds none of the data it was given for (e.g. no country in a country file). */
  | 'NO_DATA'
  /** The caller passed an option we cannot take. */
  | 'USAGE';

export class EnrichError extends Error {
  override readonly name = 'EnrichError';
  readonly code: EnrichErrorCode;
  /** The file the error is about, when there is one. */
  readonly path: string | undefined;

  /** The message is `path: detail` when the file is known. */
  constructor(code: EnrichErrorCode, detail: string, path?: string, cause?: unknown) {
    super(path === undefined ? detail : `${path}: ${detail}`, cause === undefined ? undefined : { cause });
    this.code = code;
    this.path = path;
  }
}
