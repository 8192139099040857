// What the engine needs of its server connection: JSON calls that are retried until they succeed
// (ServerLink), so that training, checks and alert records share one notion of "the server".

import type { HttpMethod, RequestOptions } from '@opentraq/cli';

export interface ApiLink {
  /**
   * The JSON answer of `method path`. Transient failures are retried (and said on stderr with
   * `what`); refusals are thrown; Stopped is thrown once `signal` (or the link's own) aborts.
   */
  json<T>(method: HttpMethod, path: string, opts: RequestOptions, what: string, signal?: AbortSignal): Promise<T>;
}
