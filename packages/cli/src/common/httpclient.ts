// The HTTP/1.1 connection the tools talk to ftserver over: undici's Client with its request() method,
// loaded from those two files alone — undici's index also loads fetch, WebSocket, caches and mocks,
// a third of a small query's run time that the tools never use.

import type { Client, Dispatcher } from 'undici';

export interface HttpClient {
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  /** Closes once every answer has been read. */
  close(): Promise<void>;
  /** Drops the connection at once. */
  destroy(): Promise<void>;
}

type Request = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** A CommonJS module as import() gives it: under `default` (Node, or an ES bundle of it), or itself. */
function commonJs<T>(m: T | { default: T }): T {
  return typeof m === 'object' && m !== null && 'default' in m ? m.default : (m as T);
}

/** Opens (lazily: at the first request) a connection to `origin`, e.g. `http://localhost:9640`. */
export async function openHttpClient(origin: string, options: Client.Options): Promise<HttpClient> {
  const [clientModule, requestModule] = await Promise.all([import('undici/lib/dispatcher/client.js'), import('undici/lib/api/api-request.js')]);
  const ClientClass = commonJs<typeof Client>(clientModule);
  const request = commonJs<Request>(requestModule);
  const client = new ClientClass(origin, options);
  return {
    request: (o) => request.call(client, o),
    close: () => client.close(),
    destroy: () => client.destroy(),
  };
}
