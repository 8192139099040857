// The one error type of the query API's parameters: a request that cannot be run as given.
// The HTTP layer answers it with `status` and a JSON body {error, code, param?, caret?}.

export type ApiErrorCode =
  /** a parameter this endpoint does not know (a typo, or one that belongs to the other endpoint) */
  | 'UNKNOWN_PARAM'
  /** the same parameter given twice */
  | 'REPEATED_PARAM'
  /** a parameter that is required, alone or by another one */
  | 'MISSING_PARAM'
  /** parameters that exclude each other */
  | 'CONFLICTING_PARAMS'
  /** a value of the wrong form or out of range */
  | 'BAD_PARAM'
  /** a time frame that does not parse or is empty */
  | 'BAD_TIME'
  /** a filter (query=) that does not parse */
  | 'BAD_FILTER';

export interface ApiErrorDetails {
  /** The parameter the error is about. */
  readonly param?: string;
  /** BAD_FILTER: the error, the filter and a caret line under the offending part (formatFilterError). */
  readonly caret?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  /** HTTP status: 400, every such error is the client's to fix. */
  readonly status: number = 400;
  readonly param: string | undefined;
  readonly caret: string | undefined;

  constructor(code: ApiErrorCode, message: string, details: ApiErrorDetails = {}) {
    super(message);
    this.code = code;
    this.param = details.param;
    this.caret = details.caret;
  }
}
