// Starts the real `bin/ftserver` as a child process on free loopback ports with a temporary store,
// and talks to its HTTP API: the harness of the server's end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FTSERVER = path.join(REPO, 'bin/ftserver');
export const ADMIN_PASSWORD = 'test-admin-password';

/** A port free on 127.0.0.1 for both UDP and TCP right now (the OS picks; we check the other protocol). */
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
    if (ok) return port;
  }
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
    const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    return fetch(this.url(`${p}?${q}`), { headers: { authorization: `Bearer ${token}` } });
  }

  /** SIGTERM (or another signal) and wait for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}

/** Start ftserver and wait until it says it listens; rejects with its output when it exits instead. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ftserver-test-'));
  const ports: ServerPorts = {
    api: opts.ports?.api ?? (await freePort()),
    netflow: opts.ports?.netflow ?? (await freePort()),
    sflow: opts.ports?.sflow ?? (await freePort()),
    ipfixtcp: opts.ports?.ipfixtcp ?? (await freePort()),
  };
  const args = [
    FTSERVER,
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
  // the test runner's loader hooks (NODE_OPTIONS) are not for the server: it runs the built JavaScript
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.NODE_OPTIONS;
  const proc = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  const s = new RunningServer(proc, dir, ports);
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
