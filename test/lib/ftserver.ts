// Starts the real `bin/ftserver` as a child process on free loopback ports with a temporary store,
// and talks to its HTTP API: the harness of the server's end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The launcher the tests run; FTSERVER_BIN points them at another build (one not yet in dist/). */
export const FTSERVER = process.env.FTSERVER_BIN ?? path.join(REPO, 'bin/ftserver');
export const ADMIN_PASSWORD = 'test-admin-password';

/** Ports freePort handed out: the OS may offer a just-released port again, to the same server's next listener. */
const handedOut = new Set<number>();

/** A port free on 127.0.0.1 for both UDP and TCP right now (the OS picks; we check the other protocol), never the same twice. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const ok = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** API parameters as a URL query string (without the `?`). */
export function queryString(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
}

export interface ServerOptions {
  /** Directory for the store, user data and log (reused to restart on the same store). */
  dir?: string;
  /** More command-line arguments (settings). */
  args?: readonly string[];
  /** Ports to reuse (a restart on the same ports). */
  ports?: Partial<ServerPorts>;
  /** Seconds between durability cycles (default 1, to keep tests short). */
  storageInterval?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ServerPorts {
  api: number;
  netflow: number;
  sflow: number;
  ipfixtcp: number;
}

export class RunningServer {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
    readonly ports: ServerPorts,
  ) {
    proc.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get databasePath(): string {
    return path.join(this.dir, 'SESSIONDB');
  }

  get userdataPath(): string {
    return path.join(this.dir, 'USERDATA');
  }

  get log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'ftserver.log'), 'utf8');
    } catch {
      return '';
    }
  }

  url(p: string): string {
    return `http://127.0.0.1:${this.ports.api}${p}`;
  }

  async login(username = 'admin', password = ADMIN_PASSWORD, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await fetch(this.url('/api/v1/auth'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, ...extra }) });
    const body = (await r.json()) as { auth_token?: string; error?: string };
    if (r.status !== 200 || body.auth_token === undefined) throw new Error(`login failed: ${r.status} ${JSON.stringify(body)}`);
    return body.auth_token;
  }

  /** GET a JSON answer; throws with the server's error text on a non-200 status. */
  async getJson<T>(p: string, token: string, params: Record<string, string | number> = {}): Promise<T> {
    const r = await this.get(p, token, params);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ${p} -> ${r.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  get(p: string, token: string, params: Record<string, string | number> = {}): Promise<Response> {
    return fetch(this.url(`${p}?${queryString(params)}`), { headers: { authorization: `Bearer ${token}` } });
  }

  /** SIGTERM (or another signal) and wait for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}

/** Where an API request goes: the API port on 127.0.0.1, over HTTPS when `ca` (the certificate to trust) is given. */
export interface ApiTarget {
  port: number;
  ca?: string;
}

export interface ApiRequestOptions {
  /** A body: Buffers and strings go as they are, anything else as JSON. */
  body?: unknown;
  token?: string;
  /** The client socket's local address: another loopback address looks like another machine. */
  from?: string;
  headers?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body as JSON; undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

/**
 * One request with node:http or node:https, for what fetch cannot do: choose the local address, trust a
 * test CA, send a chunked or malformed body. A JSON content type and the length are set unless `headers` say otherwise.
 */
export function apiRequest(target: ApiTarget, method: string, p: string, opts: ApiRequestOptions = {}): Promise<ApiAnswer> {
  let payload: Buffer | undefined;
  if (opts.body !== undefined) payload = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...opts.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    // a chunked body carries no length
    if (headers['transfer-encoding'] === undefined) headers['content-length'] ??= String(payload.length);
  }
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const done = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    };
    const common = { host: '127.0.0.1', port: target.port, method, path: p, headers, agent: false as const, ...(opts.from === undefined ? {} : { localAddress: opts.from }) };
    const req = target.ca === undefined ? http.request(common, done) : https.request({ ...common, ca: target.ca }, done);
    req.on('error', reject);
    req.end(payload);
  });
}

/** Directories startServer made: removed when the test process exits (a restart may reuse one until then). */
const made: string[] = [];
process.once('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function madeDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ftserver-test-'));
  made.push(d);
  return d;
}

/** Start ftserver and wait until it says it listens; rejects with its output when it exits instead. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const dir = opts.dir ?? madeDir();
  const ports: ServerPorts = {
    api: opts.ports?.api ?? (await freePort()),
    netflow: opts.ports?.netflow ?? (await freePort()),
    sflow: opts.ports?.sflow ?? (await freePort()),
    ipfixtcp: opts.ports?.ipfixtcp ?? (await freePort()),
  };
  const args = [
    '--databasepath', path.join(dir, 'SESSIONDB'),
    '--userdatapath', path.join(dir, 'USERDATA'),
    '--logfile', path.join(dir, 'ftserver.log'),
    '--debuglevel', 'LOW',
    '--listenport', String(ports.api),
    '--netflowport', String(ports.netflow),
    '--sflowport', String(ports.sflow),
    '--ipfixtcpport', String(ports.ipfixtcp),
    '--listenaddress', '127.0.0.1',
    '--storageinterval', String(opts.storageInterval ?? 1),
    '--init-admin-password', ADMIN_PASSWORD,
    ...(opts.args ?? []),
  ];
  return launchServer(args, { dir, ports, ...(opts.env === undefined ? {} : { env: opts.env }) });
}

/** The environment ftserver runs in: the test runner's loader hooks (NODE_OPTIONS) are not for the server, which runs the built JavaScript. */
function serverEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

export interface LaunchOptions {
  /** The working directory (where ./ftserver.conf and relative paths are found). */
  dir: string;
  /** The ports the arguments or configuration file give, for RunningServer.url() and tests. */
  ports: ServerPorts;
  env?: NodeJS.ProcessEnv;
}

/**
 * Start ftserver with exactly `args` (none of startServer's settings: for configuration-file tests)
 * and wait until it says it listens; rejects with its output when it exits instead.
 */
export async function launchServer(args: readonly string[], opts: LaunchOptions): Promise<RunningServer> {
  const proc = spawn(process.execPath, [FTSERVER, ...args], { cwd: opts.dir, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(opts.env) });
  const s = new RunningServer(proc, opts.dir, opts.ports);
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (s.stdout.includes('ftserver: listening:')) {
        proc.stdout!.off('data', check);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    void s.exited.then(({ code, signal }) => reject(new Error(`ftserver exited (${code ?? signal}) before listening:\n${s.stderr}\n${s.log}`)));
  });
  return s;
}

export interface FtserverRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run ftserver until it exits (a command, or a start that must fail); after `timeoutMs` (default 30 s)
 * it is killed, and the result says so with signal SIGKILL.
 */
export function runFtserver(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<FtserverRun> {
  const proc = spawn(process.execPath, [FTSERVER, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(opts.env) });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  return new Promise((resolve) =>
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}
