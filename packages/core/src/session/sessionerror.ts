// The error type of session assembly: a tracker option that cannot work, or a call the tracker
// cannot honour. `code` is stable for callers (the server maps BAD_OPTION to a configuration error).

export type SessionErrorCode =
  /** an option of SessionTracker is missing, of the wrong type or out of range */
  | 'BAD_OPTION'
  /** nowUs given to ingest / expire is not a finite number >= 0 */
  | 'BAD_TIME'
  /** the onSessions callback called back into the tracker (ingest, expire, drain, flush, snapshot) */
  | 'REENTRANT';

export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly code: SessionErrorCode;
  /** The option concerned (BAD_OPTION only). */
  readonly option: string | undefined;

  constructor(code: SessionErrorCode, message: string, option?: string) {
    super(message);
    this.code = code;
    this.option = option;
  }
}
