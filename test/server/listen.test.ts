// Where the query API listens: every address by default (IPv4 and IPv6), only `apiaddress` when set,
// and a bad address is a configuration error before anything starts.
import http from 'node:http';
import t from 'tap';
import { startServer, type RunningServer } from '../lib/ftserver.js';

/** GET /healthz at host:port: the HTTP status, or the connection error's code. */
function healthz(host: string, port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/healthz', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

t.test('by default the API answers on every address', async (t) => {
  const server: RunningServer = await startServer();
  t.teardown(() => server.stop());
  const port = server.ports.api;
  t.equal(await healthz('127.0.0.1', port), 200, '127.0.0.1');
  t.equal(await healthz('127.0.0.2', port), 200, 'another loopback address');
  t.equal(await healthz('::1', port), 200, 'IPv6 loopback');
});

t.test('apiaddress 127.0.0.1: only there', async (t) => {
  const server = await startServer({ args: ['--apiaddress', '127.0.0.1'] });
  t.teardown(() => server.stop());
  const port = server.ports.api;
  t.equal(await healthz('127.0.0.1', port), 200, 'the configured address');
  t.equal(await healthz('127.0.0.2', port), 'ECONNREFUSED', 'not another address');
  t.equal(await healthz('::1', port), 'ECONNREFUSED', 'not IPv6');
});

t.test('a bad apiaddress stops the start with a usage error', async (t) => {
  await t.rejects(startServer({ args: ['--apiaddress', '10.0.0.999'] }), /apiaddress/, 'named in the error');
});
