// The tools' login and connection edges end to end: the password prompt through a pseudo-terminal
// (script), session keys that expire or are disabled, and servers that misbehave (fakes speaking HTTP):
// errors, a cut-off stream, a non-ftserver answer, IPv6 in brackets, and a reader that closes stdout.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { FTSQ, FTSTAT, runTool, toolEnv } from './clirun.js';

/** Runs `args` of `bin` in a pseudo-terminal (util-linux script); `typed` is sent once `waitFor` has been printed. */
function inTerminal(bin: string, args: readonly string[], waitFor: RegExp, typed: string): Promise<{ code: number | null; output: string }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, bin, ...args].map(quote).join(' ');
  const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: toolEnv() });
  let output = '';
  let sent = false;
  proc.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    if (!sent && waitFor.test(output)) {
      sent = true;
      proc.stdin.write(typed);
    }
  });
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.once('close', (code) => {
      clearTimeout(timer);
      proc.stdin.destroy();
      resolve({ code, output });
    }),
  );
}

t.test('an ftserver without session keys', async (t) => {
  const s = await startServer();
  t.teardown(() => s.stop());
  const connect = ['-s', '127.0.0.1', '-p', String(s.ports.api)];

  t.test('the password is asked for on the terminal, without echo', async (t) => {
    const r = await inTerminal(FTSTAT, [...connect, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES', '-c'], /Password for admin@127\.0\.0\.1:\d+: $/, `${ADMIN_PASSWORD}\r`);
    t.equal(r.code, 0, `exit 0 (output: ${JSON.stringify(r.output)})`);
    t.match(r.output, `Password for admin@127.0.0.1:${s.ports.api}: `, 'the prompt names user and server');
    t.notMatch(r.output, ADMIN_PASSWORD, 'the password is not echoed');
    const wrong = await inTerminal(FTSTAT, [...connect, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES'], /Password for /, 'nope\r');
    t.equal(wrong.code, 3, 'a wrong password typed: exit 3');
    t.match(wrong.output, /\u001b\[31mftstat:\u001b\[39m login failed for user admin/, 'the message, its prefix red on a terminal');
    const cancelled = await inTerminal(FTSQ, [...connect, '-un', 'admin'], /Password for /, '\u0003');
    t.equal(cancelled.code, 130, 'Ctrl-C at the prompt: 130');
    t.match(cancelled.output, /ftsq:(\u001b\[39m)? interrupted at the password prompt/);
  });

  t.test('-v on a terminal: a spinner on stderr that ends with the count', async (t) => {
    const r = await inTerminal(FTSQ, [...connect, '-un', 'admin', '-up', ADMIN_PASSWORD, '-c', '-v'], /(?!)/, '');
    t.equal(r.code, 0, `exit 0 (output: ${JSON.stringify(r.output)})`);
    t.match(r.output, /ftsq: 0 sessions in \d+\.\d s/, 'the closing line stays');
  });

  t.test('a session key asked for while they are disabled', async (t) => {
    const r = await runTool(FTSTAT, [...connect, '-un', 'admin', '-up', ADMIN_PASSWORD, '-us', '-grp', 'IP', '-cnt', 'BYTES']);
    t.equal(r.code, 3, 'exit 3');
    t.match(r.stderr, /^ftstat: login failed for user admin at 127\.0\.0\.1:\d+: .*maxsessionkeyage/, 'the server\'s reason, naming the setting');
  });
});

t.test('session keys expire', async (t) => {
  const s = await startServer({ args: ['--maxsessionkeyage', '2'] });
  t.teardown(() => s.stop());
  const connect = ['-s', '127.0.0.1', '-p', String(s.ports.api)];
  const issued = await runTool(FTSQ, [...connect, '-un', 'admin', '-up', ADMIN_PASSWORD, '-us', '-c']);
  t.equal(issued.code, 0);
  const key = issued.stderr.trim();
  t.match(key, /^[A-Za-z0-9_-]{20,}$/, 'a key on stderr');
  t.equal((await runTool(FTSQ, [...connect, '-us', key, '-c'])).code, 0, 'usable at once');
  await new Promise((r) => setTimeout(r, 3500));
  const late = await runTool(FTSQ, [...connect, '-us', key, '-c']);
  t.equal(late.code, 3, 'unused for longer than maxsessionkeyage: exit 3');
  t.match(late.stderr, /^ftsq: login failed for the session key at 127\.0\.0\.1:\d+: /);
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A fake server on `host` that logs anyone in and answers the other calls with `handler`. */
async function fake(t: Test, handler: Handler, host = '127.0.0.1'): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.url === '/api/v1/auth') {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ auth_token: 'fake-token', username: 'admin', admin: true }));
      });
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return (server.address() as AddressInfo).port;
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const STAT_ANSWER = {
  columns: ['rank', 'IP', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'asn', 'as_name', 'country'],
  data: [[1, '192.0.2.1', 100, 100, 60, 40, 3, 2, 1, 0, null, null, null]],
  summary: { sessions: 1, packets: 5, bytes: 100, entities: 1, total: 100, from: 1763931600, to: 1763935200 },
};

t.test('servers that misbehave', async (t) => {
  const LOGIN = ['-un', 'admin', '-up', 'x'];

  t.test('server errors: exit 1 with the server\'s text', async (t) => {
    const port = await fake(t, (_req, res) => json(res, 500, { error: 'the store could not be read: disk on fire', code: 'STORE_IO' }));
    const r = await runTool(FTSTAT, ['-s', '127.0.0.1', '-p', String(port), ...LOGIN, '-grp', 'IP', '-cnt', 'BYTES']);
    t.equal(r.code, 1);
    t.equal(r.stderr, 'ftstat: the server failed (HTTP 500): the store could not be read: disk on fire\n');
    const busyPort = await fake(t, (_req, res) => json(res, 503, { error: 'too many queries are waiting', code: 'QUERY_QUEUE_FULL' }));
    const busy = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', String(busyPort), ...LOGIN]);
    t.equal(busy.code, 1);
    t.match(busy.stderr, /the server is busy: too many queries are waiting; try again/);
  });

  t.test('a filter the server refuses: exit 2 with its caret', async (t) => {
    const caret = "query: bad filter: something only this server knows\n  PORT=1\n  ^^^^";
    const port = await fake(t, (_req, res) => json(res, 400, { error: 'bad filter: something only this server knows', code: 'BAD_FILTER', param: 'query', caret }));
    const r = await runTool(FTSTAT, ['-s', '127.0.0.1', '-p', String(port), ...LOGIN, '-grp', 'IP', '-cnt', 'BYTES', '-q', 'PORT=1']);
    t.equal(r.code, 2);
    t.equal(r.stderr, 'ftstat: bad filter: something only this server knows\n  PORT=1\n  ^^^^\n');
  });

  t.test('an expired token: exit 3', async (t) => {
    const port = await fake(t, (_req, res) => json(res, 401, { error: 'the auth_token is unknown or expired; log in again', code: 'BAD_TOKEN' }));
    const r = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', String(port), ...LOGIN]);
    t.equal(r.code, 3);
    t.match(r.stderr, /^ftsq: the server no longer accepts the login: the auth_token is unknown or expired/);
  });

  t.test('not an ftserver: exit 1', async (t) => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const r = await runTool(FTSTAT, ['-s', '127.0.0.1', '-p', String((server.address() as AddressInfo).port), ...LOGIN, '-grp', 'IP', '-cnt', 'BYTES']);
    t.equal(r.code, 1);
    t.match(r.stderr, /answered the login without an auth_token: is it an ftserver\?/);
  });

  t.test('a stream cut off in the middle: exit 1, never taken for complete', async (t) => {
    const port = await fake(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('01/01/2026 00:00:00.000000,01/01/2026 00:00:01.000000,192.0.2.1\n');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const r = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', String(port), ...LOGIN, '-c']);
    t.equal(r.code, 1);
    t.match(r.stdout, /^01\/01\/2026 00:00:00\.000000,/, 'what came was printed at once');
    t.match(r.stderr, new RegExp(`^ftsq: the connection to 127\\.0\\.0\\.1:${port} broke: .*the answer is incomplete`));
  });

  t.test('IPv6 in brackets', async (t) => {
    let port: number;
    try {
      port = await fake(t, (_req, res) => json(res, 200, STAT_ANSWER), '::1');
    } catch {
      t.comment('skipped: this machine has no IPv6 loopback');
      return;
    }
    const r = await runTool(FTSTAT, ['-s', '[::1]', '-p', String(port), ...LOGIN, '-grp', 'IP', '-cnt', 'BYTES', '-c']);
    t.equal(r.code, 0, `exit 0 (${r.stderr.trim()})`);
    const bare = await runTool(FTSTAT, ['-s', '::1', '-p', String(port), ...LOGIN, '-grp', 'IP', '-cnt', 'BYTES', '-j']);
    t.same(JSON.parse(bare.stdout), [{ rank: 1, IP: '192.0.2.1', value: 100, percent: 100, bytes_sent: 60, bytes_recv: 40, packets_sent: 3, packets_recv: 2, sessions_initiated: 1, sessions_accepted: 0, asn: null, as_name: null, country: null }]);
    const refused = await runTool(FTSQ, ['-s', '[::1]', '-p', '1', ...LOGIN]);
    t.equal(refused.code, 4);
    t.match(refused.stderr, /^ftsq: cannot connect to \[::1\]:1: /, 'the address in brackets in the message');
  });

  t.test('a reader that stops reading: exit 0, quietly', async (t) => {
    const line = `${'x'.repeat(200)}\n`;
    const port = await fake(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      let sent = 0;
      const more = (): void => {
        // 200 MB at most: far more than a pipe holds, so the writer meets the closed pipe
        while (sent < 1_000_000) {
          sent++;
          if (!res.write(line)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const proc = spawn(process.execPath, [FTSQ, '-s', '127.0.0.1', '-p', String(port), ...LOGIN, '-c'], { stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv() });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.once('data', () => proc.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
    t.equal(code, 0, 'like `ftsq -c | head -1`');
    t.equal(stderr, '', 'no error message');
  });
});
