// What the engine needs of its server connection: JSON calls that are retried until they succeed
// (ServerLink), so that training, checks and alert records share one notion of "the server".

import type { Readable } from 'node:stream';
import type { HttpMethod, RequestOptions } from '@opentraq/cli';

export interface ApiLink {
  /**
   * The JSON answer of `method path`. Transient failures are retried (and said on stderr with
   * `what`); refusals are thrown; Stopped is thrown once `signal` (or the link's own) aborts.
   */
  json<T>(method: HttpMethod, path: string, opts: RequestOptions, what: string, signal?: AbortSignal): Promise<T>;
  /**
   * The answer of `GET path` read by `read` as it arrives (CSV, NDJSON: large answers are never held
   * whole). Retried as json is, the reading included: a connection lost mid-answer asks again.
   */
  read<T>(path: string, opts: RequestOptions, what: string, read: (body: Readable) => Promise<T>, signal?: AbortSignal): Promise<T>;
}
