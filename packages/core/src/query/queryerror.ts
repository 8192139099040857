// The one error type of the query engine: a query it cannot run, or a failure while running it.
// `code` is stable for callers (the server maps usage codes to HTTP 400, the others to 500).

export type QueryErrorCode =
  /** `entity` is not one of the ranking entities */
  | 'UNKNOWN_ENTITY'
  /** `count` is not BYTES, BITS, PACKETS, SESSIONS or UNIQUE */
  | 'UNKNOWN_COUNT'
  /** UNIQUE without a target, with a target that cannot be counted, or a target without UNIQUE */
  | 'BAD_UNIQUE'
  /** -snd / -rcv on an entity that does not sit on one side of a session */
  | 'BAD_DIRECTION'
  /** a frame that is not two finite instants with from < to */
  | 'BAD_TIME_FRAME'
  /** rows / limit not a positive integer */
  | 'BAD_ROWS'
  /** slices not an integer in 1..MAX_SLICES */
  | 'BAD_SLICES'
  /** workers not a positive integer */
  | 'BAD_WORKERS'
  /** a column name that does not exist */
  | 'UNKNOWN_COLUMN'
  /** a batch given to MemorySource that is not a full set of columns of the right types and length */
  | 'BAD_BATCH'
  /** a segment kind this process cannot open */
  | 'UNSUPPORTED_SEGMENT'
  /** the worker pool was closed before or while the query ran */
  | 'POOL_CLOSED'
  /** a worker thread failed (its message is kept) */
  | 'WORKER_FAILED';

export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly code: QueryErrorCode;

  constructor(code: QueryErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
