// Types for the two files of undici the tools load instead of its index (which also loads fetch,
// WebSocket, caches, mocks and proxies): the HTTP/1.1 Client and the request() method undici adds to it.

declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici';
  const ClientClass: typeof Client;
  export = ClientClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export = request;
}
