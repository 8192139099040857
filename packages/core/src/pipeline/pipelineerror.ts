// The error type of the ingest pipeline: an option that cannot work, or a call with arguments the
// pipeline cannot use. `code` is stable for callers (the server maps BAD_OPTION to a configuration error).

export type PipelineErrorCode =
  /** an option of IngestPipeline is missing, of the wrong type or out of range */
  | 'BAD_OPTION'
  /** datagram() was given a kind other than 'netflow' or 'sflow', or bytes that are not a Uint8Array */
  | 'BAD_INPUT'
  /** a receive time (nowMs) that is not a finite number of ms since the epoch >= 0 */
  | 'BAD_TIME'
  /** onSessions called back into the pipeline (its batch is in use during the call) */
  | 'REENTRANT';

export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  readonly code: PipelineErrorCode;
  /** The option concerned (BAD_OPTION only). */
  readonly option: string | undefined;

  constructor(code: PipelineErrorCode, message: string, option?: string) {
    super(message);
    this.code = code;
    this.option = option;
  }
}
