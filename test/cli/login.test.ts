// The tools' login and connection edges end to end: the password prompt (on the terminal, also when
// stdout and stderr are captured: the session-key idiom) and the -v spinner through a pseudo-terminal
// (script), session keys that expire or are disabled, a server with TLS, and servers that misbehave (fakes
// speaking HTTP, or TCP and nothing): errors, a cut-off stream, a non-ftserver answer, IPv6 in brackets,
// a reader that closes stdout, a login left unanswered, a slow query, and a server that refuses progress=.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { ADMIN_PASSWORD, apiRequest, startServer, type ApiTarget } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { ndjsonRows, until } from '../lib/serverchecks.js';
import { sessionKey, v9Traffic } from '../lib/v9traffic.js';
import { FTSQ, FTSTAT, FTUM, parseCsv, runTool, toolEnv } from './clirun.js';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `args` of `bin` in a pseudo-terminal (util-linux script); `typed` is sent once `waitFor` has been printed. */
function inTerminal(bin: string, args: readonly string[], waitFor: RegExp, typed: string): Promise<{ code: number | null; output: string }> {
  return shellInTerminal([process.execPath, bin, ...args].map(quote).join(' '), waitFor, typed);
}

/** Runs the shell `command` (sh) in a pseudo-terminal, its controlling terminal; `typed` is sent once `waitFor` has been printed. */
function shellInTerminal(command: string, waitFor: RegExp, typed: string): Promise<{ code: number | null; output: string }> {
  const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: toolEnv({ SHELL: '/bin/sh' }) });
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

/** What the terminal shows, with the escape sequences that move the cursor turned into line breaks and colours removed. */
function visible(raw: string): string {
  return raw.replace(/\r|\u001b\[\d*G/g, '\n').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

/** The last line with text on it: what stays on the terminal once the tool has ended. */
function lastLine(raw: string): string {
  return visible(raw).split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
}

/** The spinner's frames drawn on the terminal (ora's dots: braille characters), each once. */
function framesDrawn(raw: string): Set<string> {
  return new Set(raw.match(/[\u2800-\u28ff]/g) ?? []);
}

/**
 * Runs `bin` with `args` in a pseudo-terminal of 120 columns (util-linux script; a terminal without a
 * width gets no spinner) with TERM=xterm-256color, its stdout apart on descriptor 3 (a pipe of the
 * test's). `onTerminal` sees what the terminal shows, raw, each time it grows.
 */
function spinnerRun(bin: string, args: readonly string[], onTerminal: (raw: string) => void = () => undefined): Promise<{ code: number | null; terminal: string; stdout: string }> {
  const command = `stty cols 120 rows 40; ${[process.execPath, bin, ...args].map(quote).join(' ')} 1>&3`;
  const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: toolEnv({ TERM: 'xterm-256color' }) });
  let terminal = '';
  let stdout = '';
  proc.stdout!.on('data', (d: Buffer) => {
    terminal += d.toString();
    onTerminal(terminal);
  });
  proc.stderr!.on('data', (d: Buffer) => (terminal += d.toString()));
  (proc.stdio[3] as Readable).on('data', (d: Buffer) => (stdout += d.toString()));
  // only a broken run gets here: the tool waits for a server that the test releases when the spinner shows
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, terminal, stdout });
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

  t.test('the prompt is on the terminal itself: shown and answered with stdin, stdout and stderr redirected', async (t) => {
    const command = `${[process.execPath, FTSTAT, ...connect, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES', '-c'].map(quote).join(' ')} </dev/null >/dev/null 2>/dev/null; echo "exit=$?"`;
    const r = await shellInTerminal(command, /Password for admin@127\.0\.0\.1:\d+: $/, `${ADMIN_PASSWORD}\r`);
    t.match(r.output, `Password for admin@127.0.0.1:${s.ports.api}: `, 'the prompt shows, though stderr is /dev/null');
    t.match(r.output, /exit=0\r?\n/, 'the password typed on the terminal logged in, though stdin is /dev/null');
    t.notMatch(r.output, ADMIN_PASSWORD, 'not echoed');
  });

  t.test('without a controlling terminal (setsid) but with one on stdin: asked on stdin and stderr', async (t) => {
    const command = `setsid -w ${[process.execPath, FTSTAT, ...connect, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES', '-c'].map(quote).join(' ')}; echo "exit=$?"`;
    const r = await shellInTerminal(command, /Password for admin@127\.0\.0\.1:\d+: $/, `${ADMIN_PASSWORD}\r`);
    t.match(r.output, /exit=0\r?\n/, 'the password typed on stdin logged in');
    t.notMatch(r.output, ADMIN_PASSWORD, 'not echoed');
  });

  t.test('-v on a terminal: a spinner on stderr that ends with the count', async (t) => {
    const r = await spinnerRun(FTSQ, [...connect, '-un', 'admin', '-up', ADMIN_PASSWORD, '-c', '-v']);
    t.equal(r.code, 0, `exit 0 (terminal: ${JSON.stringify(visible(r.terminal))})`);
    // ora draws the first frame when it starts: this needs no waiting
    t.match(r.terminal, /\u001b\[36m[\u2800-\u28ff]\u001b\[39m asking for the sessions of -tn 15m/, 'the spinner was drawn (a cyan frame, and its text)');
    t.match(lastLine(r.terminal), /^ftsq: 0 sessions in \d+\.\d s$/, 'the closing line stays, last');
    t.equal(r.stdout, '', 'nothing on stdout (an empty store)');
  });

  t.test('a session key asked for while they are disabled', async (t) => {
    const r = await runTool(FTSTAT, [...connect, '-un', 'admin', '-up', ADMIN_PASSWORD, '-us', '-grp', 'IP', '-cnt', 'BYTES']);
    t.equal(r.code, 3, 'exit 3');
    t.match(r.stderr, /^ftstat: login failed for user admin at 127\.0\.0\.1:\d+: .*maxsessionkeyage/, 'the server\'s reason, naming the setting');
  });
});

t.test('the session-key idiom on a terminal: KEY=$(ftum -un admin -us 2>&1 >/dev/null)', async (t) => {
  const s = await startServer({ args: ['--maxsessionkeyage', '3600'] });
  t.teardown(() => s.stop());
  const connect = `-s 127.0.0.1 -p ${s.ports.api}`;
  const node = quote(process.execPath);
  // exactly the idiom of cli.md and ftum --help, in the shell of a terminal, then the key used
  const command = [
    `KEY=$(${node} ${quote(FTUM)} ${connect} -un admin -us 2>&1 >/dev/null)`,
    'echo "ftum exit $?"',
    'echo "KEY=[$KEY]"',
    `${node} ${quote(FTSTAT)} ${connect} -us "$KEY" -grp IP -cnt BYTES -C`,
    'echo "ftstat exit $?"',
  ].join('; ');
  const r = await shellInTerminal(command, /Password for admin@127\.0\.0\.1:\d+: $/, `${ADMIN_PASSWORD}\r`);
  const shown = r.output.replace(/\r/g, '');
  t.match(shown, `Password for admin@127.0.0.1:${s.ports.api}: \n`, 'the prompt appeared on the terminal, though stderr was captured');
  t.match(shown, /\nftum exit 0\n/, 'ftum: exit 0');
  const key = /\nKEY=\[(.*)\]\n/.exec(shown)?.[1];
  t.match(key, /^[A-Za-z0-9_-]{20,}$/, `KEY holds the key and nothing else (${JSON.stringify(key)})`);
  t.match(shown, /\nrank,IP,value,.*\n# Total sessions: 0, Total packets: 0, Total bytes: 0\n# Distinct entities: 0\nftstat exit 0\n/s, 'the key logs in: ftstat -us "$KEY" answers');
  t.notMatch(shown, ADMIN_PASSWORD, 'the password is not echoed');
  const again = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', String(s.ports.api), '-us', key ?? '', '-c']);
  t.equal(again.code, 0, `the same key works for ftsq (${again.stderr.trim()})`);
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

t.test('a server with TLS: ftstat, ftsq and ftum over https:// with NODE_EXTRA_CA_CERTS', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftcli-tls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  // a self-signed certificate for 127.0.0.1 and localhost, as docs/server.md tells an operator to make one
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  const s = await startServer({ args: ['--tlscert', cert, '--tlskey', key, '--maxsessionkeyage', '3600'] });
  t.teardown(() => s.stop());
  const traffic = v9Traffic(60, 7301);
  await sendDatagrams(s.ports.netflow, traffic.datagrams);
  const api: ApiTarget = { port: s.ports.api, ca: fs.readFileSync(cert, 'utf8') };
  const token = (await apiRequest(api, 'POST', '/api/v1/auth', { body: { username: 'admin', password: ADMIN_PASSWORD } })).json?.auth_token as string;
  const stored = async (): Promise<number> => ndjsonRows((await apiRequest(api, 'GET', `/api/v1/sessions?format=ndjson&time_range=15m`, { token })).text).length;
  t.ok(await until(async () => (await stored()) === traffic.sessions.length), 'the server stored what was sent (asked over HTTPS)');

  const tls = { env: { NODE_EXTRA_CA_CERTS: cert } };
  const at = ['-s', 'https://127.0.0.1', '-p', String(s.ports.api)];
  const login = [...at, '-un', 'admin', '-up', ADMIN_PASSWORD];
  const sq = await runTool(FTSQ, [...login, '-j'], tls);
  t.equal(sq.code, 0, `ftsq: exit 0 (${sq.stderr.trim()})`);
  const got = ndjsonRows(sq.stdout).map((r) => sessionKey(r.CLNIP as string, r.CLNPORT as number, r.SRVIP as string, r.SRVPORT as number, r.PROTO as number));
  t.same(got.sort(), traffic.sessions.map((x) => x.key).sort(), 'ftsq: every session sent, over TLS');
  const stat = await runTool(FTSTAT, [...login, '-grp', 'PORTPROTO', '-cnt', 'SESSIONS', '-C', '-us'], tls);
  t.equal(stat.code, 0, `ftstat: exit 0 (${stat.stderr.trim()})`);
  const packets = traffic.sessions.reduce((n, x) => n + x.packets, 0);
  const bytes = traffic.sessions.reduce((n, x) => n + x.bytes, 0);
  t.match(stat.stdout, `\n# Total sessions: ${traffic.sessions.length}, Total packets: ${packets}, Total bytes: ${bytes}\n`, 'ftstat: the totals of what was sent');
  const sessionKeyText = stat.stderr.trim();
  t.match(sessionKeyText, /^[A-Za-z0-9_-]{20,}$/, 'ftstat -us: a session key on stderr');
  const users = await runTool(FTUM, [...at, '-us', sessionKeyText, '-ulist', '-j'], tls);
  t.equal(users.code, 0, `ftum -us KEY -ulist: exit 0 (${users.stderr.trim()})`);
  t.same((JSON.parse(users.stdout) as { username: string }[]).map((u) => u.username), ['admin'], 'ftum: the users, logged in with the key over TLS');
  const named = await runTool(FTSQ, ['-s', 'https://localhost', '-p', String(s.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-c', '-r', '1'], tls);
  t.equal(named.code, 0, `-s https://localhost, a name the certificate has: exit 0 (${named.stderr.trim()})`);
  t.equal(parseCsv(named.stdout).length, 1);

  const untrusted = await runTool(FTSQ, [...login, '-c']);
  t.equal(untrusted.code, 4, 'without NODE_EXTRA_CA_CERTS: exit 4');
  t.equal(
    untrusted.stderr,
    `ftsq: cannot connect to 127.0.0.1:${s.ports.api}: the server's certificate is not trusted (self-signed certificate): to trust it, point NODE_EXTRA_CA_CERTS at it, or at the CA that signed it; -s and -p (or FLOWTRAQ_SERVER and FLOWTRAQ_PORT) choose the server\n`,
  );
  const otherName = await runTool(FTSTAT, ['-s', 'https://127.0.0.2', '-p', String(s.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-grp', 'IP', '-cnt', 'BYTES'], tls);
  t.equal(otherName.code, 4, 'an address the certificate does not name: exit 4');
  t.equal(
    otherName.stderr,
    `ftstat: cannot connect to 127.0.0.2:${s.ports.api}: the server's certificate is not for 127.0.0.2 (it names 127.0.0.1, localhost): give -s https:// with a name or address the certificate names (NODE_EXTRA_CA_CERTS cannot change this); -s and -p (or FLOWTRAQ_SERVER and FLOWTRAQ_PORT) choose the server\n`,
    'says the name does not match, not to trust the certificate',
  );
  const plain = await runTool(FTUM, ['-s', '127.0.0.1', '-p', String(s.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-ulist'], tls);
  t.equal(plain.code, 4, 'http to the TLS port: exit 4');
  t.match(plain.stderr, /; if the server has TLS on, give -s https:\/\/127\.0\.0\.1; /, 'with the hint');

  const notTls = http.createServer((_req, res) => res.end('plain'));
  await new Promise<void>((resolve) => notTls.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => notTls.close(() => resolve())));
  const plainPort = (notTls.address() as AddressInfo).port;
  const https2plain = await runTool(FTSQ, ['-s', 'https://127.0.0.1', '-p', String(plainPort), '-un', 'admin', '-up', 'x'], tls);
  t.equal(https2plain.code, 4, 'https:// to a server without TLS: exit 4');
  t.equal(
    https2plain.stderr,
    `ftsq: cannot connect to 127.0.0.1:${plainPort}: the server does not answer in TLS: is TLS on at the server (tls.cert, tls.key)? without it, give -s without https://; -s and -p (or FLOWTRAQ_SERVER and FLOWTRAQ_PORT) choose the server\n`,
    'one line, in plain words (not OpenSSL\'s two lines)',
  );
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

  t.test('a TZ that names no zone: said once, and every time in UTC, the server asked for UTC too', async (t) => {
    const asked: URLSearchParams[] = [];
    const port = await fake(t, (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      asked.push(url.searchParams);
      if (url.pathname === '/api/v1/stat') return json(res, 200, STAT_ANSWER);
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('11/23/2025 21:00:00.000000,11/23/2025 21:00:01.000000,192.0.2.1\n');
    });
    const at = ['-s', '127.0.0.1', '-p', String(port), ...LOGIN];
    const bogus = await runTool(FTSTAT, [...at, '-grp', 'IP', '-cnt', 'BYTES'], { env: { TZ: 'Bogus/Zone' } });
    t.equal(bogus.code, 0, 'not refused: exit 0');
    t.equal(
      bogus.stderr,
      "ftstat: TZ 'Bogus/Zone' is not a time zone this machine knows: times are read and printed in UTC (give TZ a zone name such as Europe/Berlin, or unset it for the system's zone)\n",
      'one warning on stderr',
    );
    // the answer's frame is 1763931600 to 1763935200: 2025-11-23 21:00 to 22:00 UTC
    t.match(bogus.stdout, /\n1 session, 5 packets, 100 B from 11\/23\/2025 21:00:00\.000000 to 11\/23\/2025 22:00:00\.000000; 1 distinct IP\n$/, 'the table\'s times in UTC (and one session: singular)');
    t.equal(asked.at(-1)?.get('tz'), 'UTC', 'tz=UTC: the server counts and writes in the zone the tool uses');
    const kolkata = await runTool(FTSTAT, [...at, '-grp', 'IP', '-cnt', 'BYTES'], { env: { TZ: 'Asia/Kolkata' } });
    t.match(kolkata.stdout, /from 11\/24\/2025 02:30:00\.000000 to 11\/24\/2025 03:30:00\.000000;/, 'a zone that exists is used (UTC+5:30)');
    t.equal(kolkata.stderr, '');
    const colon = await runTool(FTSQ, [...at, '-c'], { env: { TZ: ':Europe/Berlin' } });
    t.equal(colon.stderr, '', "glibc's TZ=:Zone is a zone: no warning");
    t.equal(asked.at(-1)?.get('tz'), 'Europe/Berlin');
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

t.test('servers that keep quiet', async (t) => {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const quiet = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => quiet.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    sockets.forEach((s) => s.destroy());
    quiet.close();
  });
  const port = (quiet.address() as AddressInfo).port;
  const at = ['-s', '127.0.0.1', '-p', String(port)];

  t.test('a login left unanswered: exit 4, saying the server kept quiet', async (t) => {
    const r = await runTool(FTSQ, [...at, '-un', 'admin', '-up', 'x', '-c'], { env: { FLOWTRAQ_LOGIN_TIMEOUT: '0.5' } });
    t.equal(r.code, 4);
    t.equal(
      r.stderr,
      `ftsq: the server at 127.0.0.1:${port} accepted the connection but did not answer the login within 0.5 s: is it overloaded, or is it not an ftserver? (FLOWTRAQ_LOGIN_TIMEOUT=SECONDS waits longer)\n`,
    );
    t.equal(r.stdout, '');
    const ping = await runTool(FTSTAT, [...at, '-un', 'admin', '-grp', 'IP', '-cnt', 'BYTES'], { env: { FLOWTRAQ_LOGIN_TIMEOUT: '0.5' } });
    t.equal(ping.code, 4, 'without a password: the check that comes before the prompt, exit 4');
    t.match(ping.stderr, new RegExp(`^ftstat: the server at 127\\.0\\.0\\.1:${port} accepted the connection but did not answer GET /healthz \\(asked before the password\\) within 0\\.5 s: `));
  });

  t.test('a bad FLOWTRAQ_LOGIN_TIMEOUT: exit 2 before any connection', async (t) => {
    const before = connections;
    const r = await runTool(FTSQ, [...at, '-un', 'admin', '-up', 'x'], { env: { FLOWTRAQ_LOGIN_TIMEOUT: '30s' } });
    t.equal(r.code, 2);
    t.equal(r.stderr, "ftsq: FLOWTRAQ_LOGIN_TIMEOUT '30s': give the seconds to wait for the server to answer the login, a number above 0 and at most 86400 (e.g. 120; default 60)\n");
    t.equal(connections, before, 'nothing was sent');
  });
});

const CSV_LINES = ['01/01/2026 00:00:00.000000,01/01/2026 00:00:01.000000,192.0.2.1\n', '01/01/2026 00:00:02.000000,01/01/2026 00:00:03.000000,192.0.2.2\n', '01/01/2026 00:00:04.000000,01/01/2026 00:00:05.000000,192.0.2.3\n', '01/01/2026 00:00:06.000000,01/01/2026 00:00:07.000000,192.0.2.4\n', '01/01/2026 00:00:08.000000,01/01/2026 00:00:09.000000,192.0.2.5\n'];

t.test('a query whose answer takes longer than the login may: waited for', async (t) => {
  const timers = new Set<NodeJS.Timeout>();
  t.teardown(() => timers.forEach((x) => clearTimeout(x)));
  // the answer's headers come well after FLOWTRAQ_LOGIN_TIMEOUT: a query is never bounded by it
  const port = await fake(t, (_req, res) => {
    timers.add(
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end(CSV_LINES.join(''));
      }, 4000),
    );
  });
  const r = await runTool(FTSQ, ['-s', '127.0.0.1', '-p', String(port), '-un', 'admin', '-up', 'x', '-c'], { env: { FLOWTRAQ_LOGIN_TIMEOUT: '2' } });
  t.equal(r.code, 0, `exit 0 (${r.stderr.trim()})`);
  t.equal(r.stdout, CSV_LINES.join(''), 'the whole answer');
  t.equal(r.stderr, '');
});

/** A gate a fake server's answer waits at until the test opens it (when the terminal shows what the test waits for). */
function gate(t: Test): { wait: Promise<void>; open: () => void; opened: () => boolean } {
  let open!: () => void;
  let isOpen = false;
  const wait = new Promise<void>((resolve) => (open = resolve));
  // a test that fails before opening it must not leave the answer hanging
  t.teardown(() => open());
  return {
    wait,
    open: () => {
      isOpen = true;
      open();
    },
    opened: () => isOpen,
  };
}

t.test('-v on a terminal: the spinner turns and its text follows the query', async (t) => {
  const g = gate(t);
  let progressId: string | null = null;
  const port = await fake(t, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/v1/sessions/progress') {
      if (progressId !== null && url.searchParams.get('id') === progressId) return json(res, 200, { id: progressId, state: 'scanning', scanned: 5, total: 10 });
      return json(res, 404, { error: 'no session query with that progress id is running', code: 'NO_SUCH_QUERY', param: 'id' });
    }
    progressId = url.searchParams.get('progress');
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.write(CSV_LINES.slice(0, 3).join(''));
    void g.wait.then(() => res.end(CSV_LINES.slice(3).join('')));
  });
  // the rest of the answer comes once the terminal has shown the count, the server's scan and two frames
  const r = await spinnerRun(FTSQ, ['-s', '127.0.0.1', '-p', String(port), '-un', 'admin', '-up', 'x', '-c', '-v'], (raw) => {
    if (!g.opened() && visible(raw).includes('3 sessions received, 5 of 10 sessions scanned (50%)') && framesDrawn(raw).size >= 2) g.open();
  });
  t.ok(g.opened(), `the spinner showed the sessions received and the scan, turning (terminal: ${JSON.stringify(visible(r.terminal).slice(-400))})`);
  t.match(progressId, /^[A-Za-z0-9_-]{22}$/, 'the query carried a random progress id, which the polls asked about');
  t.equal(r.code, 0, 'exit 0');
  t.equal(r.stdout, CSV_LINES.join(''), 'stdout: the answer, untouched');
  t.match(r.terminal, /\u001b\[36m[\u2800-\u28ff]\u001b\[39m/, 'the frames are cyan on a terminal');
  t.match(lastLine(r.terminal), /^ftsq: 5 sessions in \d+\.\d s$/, 'the closing line stays, last');
});

t.test('-v against a server that refuses progress= (an older ftserver): the same run, with the tool\'s own count', async (t) => {
  const sessionsAsked: URLSearchParams[] = [];
  const statAsked: URLSearchParams[] = [];
  let g: ReturnType<typeof gate> | null = null;
  // what ftserver answers for a parameter it does not know (packages/server/src/api/params/readparams.ts)
  const unknown = (endpoint: string, takes: string): Record<string, string> => ({
    error: `unknown parameter 'progress': /api/v1/${endpoint} takes ${takes}`,
    code: 'UNKNOWN_PARAM',
    param: 'progress',
  });
  const port = await fake(t, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.searchParams;
    if (url.pathname === '/api/v1/sessions') {
      sessionsAsked.push(p);
      if (p.has('progress')) return json(res, 400, unknown('sessions', 'fields time_range after_time before_time query rows exporter ifindex format header tz'));
      if (p.get('format') === 'ndjson') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return void res.end('{"START":1767225600,"CLNIP":"192.0.2.1"}\n{"START":1767225602,"CLNIP":"192.0.2.2"}\n');
      }
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write(CSV_LINES.slice(0, 3).join(''));
      if (g === null) return void res.end(CSV_LINES.slice(3).join(''));
      return void g.wait.then(() => res.end(CSV_LINES.slice(3).join('')));
    }
    if (url.pathname === '/api/v1/stat') {
      statAsked.push(p);
      if (p.has('progress')) return json(res, 400, unknown('stat', 'group_by count_by unique direction slices time_range after_time before_time query rows exporter ifindex format header tz'));
      if (p.get('format') === 'csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        return void res.end('1,192.0.2.1,100,100.00,60,40,3,2,1,0\n');
      }
      return json(res, 200, STAT_ANSWER);
    }
    // an older server has no progress endpoint
    json(res, 404, { error: `no such endpoint: ${url.pathname}`, code: 'NOT_FOUND' });
  });
  const at = ['-s', '127.0.0.1', '-p', String(port), '-un', 'admin', '-up', 'x'];

  t.test('ftsq -v -c', async (t) => {
    const quiet = await runTool(FTSQ, [...at, '-c']);
    t.equal(quiet.code, 0, `without -v: exit 0 (${quiet.stderr.trim()})`);
    t.equal(quiet.stdout, CSV_LINES.join(''));
    sessionsAsked.length = 0;
    const open = gate(t);
    g = open;
    const r = await spinnerRun(FTSQ, [...at, '-c', '-v'], (raw) => {
      if (!open.opened() && visible(raw).includes('3 sessions received')) open.open();
    });
    g = null;
    t.ok(open.opened(), `the spinner showed the sessions received (terminal: ${JSON.stringify(visible(r.terminal).slice(-400))})`);
    t.equal(r.code, 0, 'exit 0: -v fails nothing');
    t.equal(r.stdout, quiet.stdout, 'stdout: the same bytes as without -v');
    t.notMatch(visible(r.terminal), /sessions scanned|refused|unknown parameter/, 'no scan shown, no error');
    t.match(lastLine(r.terminal), /^ftsq: 5 sessions in \d+\.\d s$/, 'the closing line');
    t.equal(sessionsAsked.length, 2, 'asked twice');
    t.match(sessionsAsked[0]!.get('progress'), /^[A-Za-z0-9_-]{22}$/, 'first with progress=ID');
    const without = new URLSearchParams(sessionsAsked[0]);
    without.delete('progress');
    t.equal(sessionsAsked[1]!.toString(), without.toString(), 'then the same query without it');
  });

  t.test('ftsq -v -j', async (t) => {
    const quiet = await runTool(FTSQ, [...at, '-j']);
    t.equal(quiet.code, 0);
    t.equal(quiet.stdout.split('\n').length, 3, 'two sessions');
    const r = await spinnerRun(FTSQ, [...at, '-j', '-v']);
    t.equal(r.code, 0, `exit 0 (terminal: ${JSON.stringify(visible(r.terminal).slice(-300))})`);
    t.equal(r.stdout, quiet.stdout, 'stdout: the same bytes as without -v');
    t.match(lastLine(r.terminal), /^ftsq: 2 sessions in \d+\.\d s$/);
  });

  t.test('ftstat -v -c and -j', async (t) => {
    for (const format of ['-c', '-j']) {
      const quiet = await runTool(FTSTAT, [...at, '-grp', 'IP', '-cnt', 'BYTES', format]);
      t.equal(quiet.code, 0, `${format} without -v: exit 0 (${quiet.stderr.trim()})`);
      statAsked.length = 0;
      const r = await spinnerRun(FTSTAT, [...at, '-grp', 'IP', '-cnt', 'BYTES', format, '-v']);
      t.equal(r.code, 0, `${format} -v: exit 0 (terminal: ${JSON.stringify(visible(r.terminal).slice(-300))})`);
      t.equal(r.stdout, quiet.stdout, `${format}: stdout the same as without -v`);
      t.same(statAsked.map((p) => p.has('progress')), [true, false], `${format}: asked with progress=1, then without`);
      t.match(lastLine(r.terminal), format === '-c' ? /^ftstat: \d+ bytes of CSV in \d+\.\d s$/ : /^ftstat: 1 row of 1 IP in \d+\.\d s$/, `${format}: the closing line (one row: singular)`);
    }
    const unique = await spinnerRun(FTSTAT, [...at, '-grp', 'IPPAIR', '-cnt', 'UNIQUE', 'PORTPROTO', '-j', '-v']);
    t.equal(unique.code, 0);
    t.match(visible(unique.terminal), 'ranking IPPAIR by UNIQUE PORTPROTO (-tn 15m)', 'the spinner says what is ranked by what, the UNIQUE target too');
  });
});
