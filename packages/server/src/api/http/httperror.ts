// An API failure with its HTTP status and a stable code; the body is always JSON {error, code, ...}.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** More members of the JSON body (param, caret, retry_after ...). */
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Response headers to add (Retry-After, WWW-Authenticate ...). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
