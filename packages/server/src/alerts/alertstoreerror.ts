// The one error type of the alert store itself (not of the alerts posted to it): its file cannot
// be read or written, or the store was used after close().

export type AlertStoreErrorCode =
  /** the alert log (or its directory) cannot be read, created or written */
  | 'IO'
  /** record() or list() after close() */
  | 'CLOSED';

export class AlertStoreError extends Error {
  override readonly name = 'AlertStoreError';
  readonly code: AlertStoreErrorCode;
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined;

  constructor(code: AlertStoreErrorCode, message: string, details: { path?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
  }
}
