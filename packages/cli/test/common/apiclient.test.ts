// The API client against servers that keep quiet or refuse what they do not know: FLOWTRAQ_LOGIN_TIMEOUT
// read and checked, a login or /healthz left unanswered reported as such (exit 4, not "cannot connect"),
// and streamWithOptional() asking again without progress= only when the refusal is about it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { ApiClient } from '../../src/common/apiclient.js';
import { CliError, ConnectFailure, EXIT, RuntimeFailure, UsageError } from '../../src/common/clierror.js';
import { readConnection } from '../../src/common/connection.js';
import { DEFAULT_LOGIN_TIMEOUT_MS, readLoginTimeout } from '../../src/common/logintimeout.js';
import { parseCommandLine } from '../../src/common/parsecommandline.js';
import type { ServerAddress } from '../../src/common/serveraddress.js';
import { FTSQ } from '../../src/ftsq/ftsqspec.js';

const PASSWORD_LOGIN = { kind: 'password', username: 'admin', password: 'pw', wantSessionKey: false } as const;
const OPTS = { tool: 'fttest', version: '0.0.0' };

function addressOf(port: number): ServerAddress {
  return { host: '127.0.0.1', port, tls: false, origin: `http://127.0.0.1:${port}`, display: `127.0.0.1:${port}` };
}

/** The error `promise` rejects with (fails the test when it resolves). */
async function failure(t: Test, promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  t.fail('no error');
  return new RuntimeFailure('SERVER_ERROR', 'no error');
}

async function listen(t: Test, server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function textOf(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

t.test('FLOWTRAQ_LOGIN_TIMEOUT', async (t) => {
  t.equal(DEFAULT_LOGIN_TIMEOUT_MS, 60_000, 'a minute by default');
  t.equal(readLoginTimeout({}), 60_000, 'unset: the default');
  t.equal(readLoginTimeout({ FLOWTRAQ_LOGIN_TIMEOUT: '' }), 60_000, 'empty counts as unset');
  t.equal(readLoginTimeout({ FLOWTRAQ_LOGIN_TIMEOUT: '120' }), 120_000, 'seconds');
  t.equal(readLoginTimeout({ FLOWTRAQ_LOGIN_TIMEOUT: '0.25' }), 250, 'fractions of a second');
  t.equal(readLoginTimeout({ FLOWTRAQ_LOGIN_TIMEOUT: '86400' }), 86_400_000, 'a day at most');
  for (const bad of ['0', '0.0', 'abc', '-5', '5s', '1e3', ' 5', '86401', '.5', 'Infinity']) {
    let thrown: unknown;
    try {
      readLoginTimeout({ FLOWTRAQ_LOGIN_TIMEOUT: bad });
    } catch (e) {
      thrown = e;
    }
    t.ok(thrown instanceof UsageError, `'${bad}': a usage error`);
    t.match(thrown, { code: 'BAD_VALUE', exitCode: EXIT.USAGE }, `'${bad}': BAD_VALUE, exit 2`);
    t.equal(
      (thrown as Error).message,
      `FLOWTRAQ_LOGIN_TIMEOUT '${bad}': give the seconds to wait for the server to answer the login, a number above 0 and at most 86400 (e.g. 120; default 60)`,
      `'${bad}': the message names the variable, the value and what is wanted`,
    );
  }
  const parsed = parseCommandLine(['-un', 'admin', '-up', 'pw'], FTSQ);
  t.equal(readConnection(parsed, { FLOWTRAQ_LOGIN_TIMEOUT: '2.5' }).loginTimeoutMs, 2500, 'read with the other connection settings');
  t.throws(() => readConnection(parsed, { FLOWTRAQ_LOGIN_TIMEOUT: 'soon' }), UsageError, 'and checked there, before any connection');
});

t.test('a server that accepts the connection and never answers', async (t) => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  const port = await listen(t, server);
  const display = `127.0.0.1:${port}`;

  const login = await failure(t, ApiClient.login(addressOf(port), PASSWORD_LOGIN, { ...OPTS, loginTimeoutMs: 300 }));
  t.ok(login instanceof ConnectFailure, 'a connection failure');
  t.equal(login.exitCode, EXIT.CONNECT, 'exit 4');
  t.equal(
    login.message,
    `the server at ${display} accepted the connection but did not answer the login within 0.3 s: is it overloaded, or is it not an ftserver? (FLOWTRAQ_LOGIN_TIMEOUT=SECONDS waits longer)`,
    'says that the server kept quiet, not that it cannot be reached',
  );

  let asked = false;
  const askPassword = async (): Promise<string> => {
    asked = true;
    return 'pw';
  };
  const ping = await failure(t, ApiClient.login(addressOf(port), { ...PASSWORD_LOGIN, password: undefined }, { ...OPTS, loginTimeoutMs: 300, askPassword }));
  t.equal(ping.exitCode, EXIT.CONNECT, 'the check before the password prompt: exit 4');
  t.match(ping.message, `the server at ${display} accepted the connection but did not answer GET /healthz (asked before the password) within 0.3 s`);
  t.notOk(asked, 'and no password is asked for');
});

t.test('a server that begins the login answer and stops', async (t) => {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"auth_token":');
  });
  t.teardown(() => server.closeAllConnections());
  const port = await listen(t, server);
  const e = await failure(t, ApiClient.login(addressOf(port), PASSWORD_LOGIN, { ...OPTS, loginTimeoutMs: 300 }));
  t.equal(e.exitCode, EXIT.CONNECT, 'exit 4');
  t.match(e.message, `the server at 127.0.0.1:${port} began to answer the login but then sent nothing for 0.3 s: is it overloaded, or is it not an ftserver?`);
});

t.test('nothing listening is still "cannot connect"', async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const e = await failure(t, ApiClient.login(addressOf(port), PASSWORD_LOGIN, { ...OPTS, loginTimeoutMs: 300 }));
  t.equal(e.exitCode, EXIT.CONNECT);
  t.match(e.message, /^cannot connect to 127\.0\.0\.1:\d+: connection refused/);
});

interface Seen {
  path: string;
  params: URLSearchParams;
}

type Answer = (seen: Seen, nth: number) => { status: number; body: string };

/** An HTTP server that logs anyone in and answers GET /api/v1/sessions with `answer`, recording each request. */
async function fakeApi(t: Test): Promise<{ port: number; seen: Seen[]; answer: (a: Answer) => void }> {
  const seen: Seen[] = [];
  let answer: Answer = () => ({ status: 500, body: '' });
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/v1/auth') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ auth_token: 'tok', username: 'admin', admin: true }));
      return;
    }
    const s = { path: url.pathname, params: url.searchParams };
    seen.push(s);
    const a = answer(s, seen.length);
    res.writeHead(a.status, { 'content-type': a.body.startsWith('{') ? 'application/json' : 'text/plain' });
    res.end(a.body);
  });
  t.teardown(() => server.closeAllConnections());
  const port = await listen(t, server);
  return {
    port,
    seen,
    answer: (a) => {
      seen.length = 0;
      answer = a;
    },
  };
}

const UNKNOWN_PROGRESS = JSON.stringify({
  error: "unknown parameter 'progress': /api/v1/sessions takes fields time_range after_time before_time query rows exporter ifindex format header tz",
  code: 'UNKNOWN_PARAM',
  param: 'progress',
});
const SESSIONS = 'a,b\nc,d\n';

t.test('streamWithOptional: asked again without progress= only when it is what the server refuses', async (t) => {
  const api = await fakeApi(t);
  const client = await ApiClient.login(addressOf(api.port), PASSWORD_LOGIN, OPTS);
  t.teardown(() => client.destroy());
  const ask = (): Promise<{ body: Readable; taken: boolean }> => client.streamWithOptional('/api/v1/sessions', { progress: 'ID1' }, { params: { format: 'csv', query: 'PORT=1' } });
  const refusedFirst = (status: number, body: string): Answer => (s) => (s.params.has('progress') ? { status, body } : { status: 200, body: SESSIONS });

  api.answer(() => ({ status: 200, body: SESSIONS }));
  const taken = await ask();
  t.equal(taken.taken, true, 'a server that takes it: taken');
  t.equal(await textOf(taken.body), SESSIONS);
  t.same(api.seen.map((s) => s.params.toString()), ['format=csv&query=PORT%3D1&progress=ID1'], 'one request, with progress= added to the parameters');

  const retried: [string, number, string][] = [
    ['an older ftserver: 400 UNKNOWN_PARAM naming progress', 400, UNKNOWN_PROGRESS],
    ['ours following too many such queries: 429 naming progress', 429, JSON.stringify({ error: 'too many', code: 'TOO_MANY_PROGRESS_QUERIES', param: 'progress' })],
    ['an id in use: 409 naming progress', 409, JSON.stringify({ error: 'in use', code: 'PROGRESS_ID_IN_USE', param: 'progress' })],
    ['another API: a bare 400 in plain text', 400, 'Bad Request'],
    ['another API: a JSON 400 that names no parameter', 400, JSON.stringify({ error: 'unsupported option' })],
  ];
  for (const [what, status, body] of retried) {
    api.answer(refusedFirst(status, body));
    const r = await ask();
    t.equal(r.taken, false, `${what}: not taken`);
    t.equal(await textOf(r.body), SESSIONS, `${what}: the answer to the second request`);
    t.same(api.seen.map((s) => s.params.toString()), ['format=csv&query=PORT%3D1&progress=ID1', 'format=csv&query=PORT%3D1'], `${what}: asked again once, without progress=`);
  }

  const caret = "query: bad filter: unknown field 'PORTX'\n  PORTX=1\n  ^^^^^";
  const notRetried: [string, number, string, RegExp][] = [
    ['a filter error', 400, JSON.stringify({ error: "bad filter: unknown field 'PORTX'", code: 'BAD_FILTER', param: 'query', caret }), /^bad filter: unknown field 'PORTX'\n {2}PORTX=1/],
    ['a refusal naming another parameter', 400, JSON.stringify({ error: 'rows must be a whole number', code: 'BAD_PARAM', param: 'rows' }), /^the server refused the request: rows must be a whole number$/],
    ['a 400 with a caret and no parameter', 400, JSON.stringify({ error: 'bad', caret: 'bad\n ^' }), /^bad\n \^$/],
    ['a server error', 500, JSON.stringify({ error: 'disk on fire', code: 'STORE_IO' }), /^the server failed \(HTTP 500\): disk on fire$/],
    ['a 404 naming progress (not a refusal of it)', 404, JSON.stringify({ error: 'no such endpoint', code: 'NOT_FOUND', param: 'progress' }), /does not answer \/api\/v1\/sessions/],
  ];
  for (const [what, status, body, message] of notRetried) {
    api.answer(() => ({ status, body }));
    const e = await failure(t, ask());
    t.match(e.message, message, `${what}: the server's error`);
    t.equal(e.exitCode, status === 400 ? EXIT.USAGE : EXIT.FAILURE, `${what}: exit ${status === 400 ? 2 : 1}`);
    t.equal(api.seen.length, 1, `${what}: not asked again`);
  }

  api.answer((s) => (s.params.has('progress') ? { status: 400, body: UNKNOWN_PROGRESS } : { status: 400, body: JSON.stringify({ error: 'query: something else', code: 'BAD_PARAM', param: 'query' }) }));
  const second = await failure(t, ask());
  t.equal(second.message, 'the server refused the request: query: something else', 'when the second request is refused too, that refusal is the error');
  t.equal(api.seen.length, 2);

  const plain = await client.stream('/api/v1/sessions', { params: { format: 'csv' } }).catch((e: unknown) => e);
  t.ok(plain instanceof UsageError, 'stream() itself never asks twice');
});
