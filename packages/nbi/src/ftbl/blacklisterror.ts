// Why a blacklist could not be used: a file that cannot be read, a download that failed, a list too
// large or without one usable line. At start these end ftbl; at a reload the previous list stays.

export type BlacklistErrorCode =
  /** the file is missing, unreadable or not a file */
  | 'LIST_UNREADABLE'
  /** the URL did not answer, answered with an error status, or took too long */
  | 'LIST_DOWNLOAD_FAILED'
  /** more bytes or entries than ftbl takes */
  | 'LIST_TOO_LARGE'
  /** not one address, block or resolvable hostname in it */
  | 'LIST_EMPTY';

export class BlacklistError extends Error {
  override readonly name = 'BlacklistError';

  constructor(
    readonly code: BlacklistErrorCode,
    message: string,
  ) {
    super(message);
  }
}
