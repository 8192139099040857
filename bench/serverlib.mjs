// What the ftserver benchmarks share: starting bin/ftserver and Debian's nfcapd on free loopback ports
// with temporary stores, reading a process's CPU time, memory and UDP queue from /proc, and small stats.
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FTSERVER = path.join(REPO, 'bin/ftserver');
export const ADMIN_PASSWORD = 'bench-admin-password';
/** The UDP receive buffer ftserver asks for (server.md §1); nfcapd is given the same with -B. */
export const RECEIVE_BUFFER = 32 * 1024 * 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Collectors started and not yet ended: killed when the benchmark exits whatever the way, never left running. */
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
function track(proc) {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

/** A port free on 127.0.0.1 for both UDP and TCP right now (the OS picks; the other protocol is checked). */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const ok = await new Promise((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

/** A new temporary directory for one collector's files. */
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Raise net.core.rmem_max (and wmem_max, for the sender) to `bytes` when it is lower, as root. Without it
 * the kernel silently caps every socket's buffer at the old limit, whatever the collector asks for.
 */
export function raiseSocketBufferLimits(bytes = RECEIVE_BUFFER) {
  const out = {};
  for (const name of ['rmem_max', 'wmem_max']) {
    const file = `/proc/sys/net/core/${name}`;
    let before = NaN;
    try {
      before = Number(fs.readFileSync(file, 'utf8').trim());
    } catch {
      out[name] = { before: null, after: null, raised: false, note: `${file} cannot be read` };
      continue;
    }
    let note;
    if (before < bytes) {
      try {
        fs.writeFileSync(file, String(bytes));
      } catch (e) {
        note = `could not raise it (${e.code ?? e.message}); run as root: sysctl -w net.core.${name}=${bytes}`;
      }
    }
    const after = Number(fs.readFileSync(file, 'utf8').trim());
    out[name] = { before, after, raised: after >= bytes, ...(note === undefined ? {} : { note }) };
  }
  return out;
}

/** Clock ticks per second of /proc/<pid>/stat times. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds the process has used (/proc/<pid>/stat utime + stime), or NaN when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing one
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds (user + system) of each thread of the process so far, by thread id
 * (/proc/<pid>/task/<tid>/stat); an empty map when the process is gone.
 */
export function threadCpuSeconds(pid) {
  const out = new Map();
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = cpuSeconds(`${pid}/task/${tid}`);
    if (!Number.isNaN(s)) out.set(Number(tid), s);
  }
  return out;
}

/**
 * CPU % of one core between two threadCpuSeconds() readings over `seconds`: the main thread (whose
 * id is the pid), the busiest other thread (in ftserver while it ingests: the storage thread; query
 * workers are idle) and all the others together (V8's garbage-collection helpers, libuv, …).
 */
export function threadShares(pid, before, after, seconds) {
  const used = [...after].map(([tid, s]) => ({ tid, s: s - (before.get(tid) ?? 0) }));
  const pct = (s) => Math.round((s / seconds) * 1000) / 10;
  const main = used.find((u) => u.tid === pid)?.s ?? 0;
  const others = used.filter((u) => u.tid !== pid).sort((a, b) => b.s - a.s);
  const busiest = others[0]?.s ?? 0;
  const rest = others.slice(1).reduce((n, u) => n + u.s, 0);
  return { mainThread: pct(main), busiestOtherThread: pct(busiest), otherThreads: pct(rest) };
}

/** Resident memory now and at its peak (/proc/<pid>/status VmRSS, VmHWM), bytes; NaN when the process is gone. */
export function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/**
 * The UDP socket bound to `port` (any local address, IPv4 or IPv6): bytes waiting in its receive queue
 * and datagrams the kernel dropped because the queue was full. Null when no such socket is listed.
 */
export function udpSocket(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let table;
    try {
      table = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13 || !f[1].endsWith(hex)) continue;
      return { queued: parseInt(f[4].split(':')[1], 16), drops: Number(f[f.length - 1]) };
    }
  }
  return null;
}

/**
 * Wait until the collector has read everything sent to `port`: its receive queue empty on `quiet`
 * consecutive looks 50 ms apart. Resolves false after `timeoutMs`.
 */
export async function waitUdpDrained(port, { quiet = 4, timeoutMs = 120_000 } = {}) {
  const until = Date.now() + timeoutMs;
  let n = 0;
  while (n < quiet) {
    if (Date.now() > until) return false;
    const s = udpSocket(port);
    n = s === null || s.queued === 0 ? n + 1 : 0;
    await sleep(50);
  }
  return true;
}

/**
 * Sends datagrams to a local collector's UDP port as fast as it reads them: before each burst it looks
 * at the collector's receive queue (/proc/net/udp) and waits while more than `maxQueuedBytes` are
 * waiting, so a collector that pauses (a storage cycle) is not overrun. For filling collectors, not for
 * measuring rates.
 */
export class PacedSender {
  constructor(port, { maxQueuedBytes = 4 << 20, host = '127.0.0.1' } = {}) {
    this.port = port;
    this.host = host;
    this.maxQueuedBytes = maxQueuedBytes;
    this.socket = null;
    this.datagrams = 0;
    this.bytes = 0;
    this.waits = 0;
    this.errors = 0;
  }

  async open() {
    const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
    socket.on('error', () => this.errors++);
    await new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(this.port, this.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    return this;
  }

  /** Send every datagram of `list` (Uint8Arrays), in order. */
  async send(list) {
    const socket = this.socket;
    for (let i = 0; i < list.length; i++) {
      if ((this.datagrams & 31) === 0) {
        for (;;) {
          const q = udpSocket(this.port);
          if (q === null) throw new Error(`no UDP socket is bound to port ${this.port} any more: the collector stopped`);
          if (q.queued <= this.maxQueuedBytes && socket.getSendQueueCount() < 256) break;
          this.waits++;
          await sleep(1);
        }
      }
      const d = list[i];
      socket.send(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
      this.datagrams++;
      this.bytes += d.byteLength;
    }
  }

  /** Wait for the socket to hand everything to the kernel, then close it. */
  async close() {
    while (this.socket.getSendQueueCount() > 0) await sleep(2);
    await new Promise((resolve) => this.socket.close(resolve));
  }
}

/** A program's path, looking in PATH and the sbin directories (Debian puts nfcapd in /usr/bin). */
export function requireProgram(name, hint) {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    if (d === '') continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not installed (looked in PATH and the sbin directories). ${hint}`);
}

/** Run a program to its end; stdout, stderr and the exit code (killed after `timeoutMs`). */
export function run(file, args, { timeoutMs = 600_000, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The environment of a child node process: no loader hooks of whoever started the benchmark. */
function childEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/** One running bin/ftserver, started by startFtserver. */
export class Ftserver {
  constructor(proc, dir, ports) {
    this.proc = proc;
    this.pid = proc.pid;
    this.dir = dir;
    this.ports = ports;
    this.stdout = '';
    this.stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    this.token = null;
  }

  get databasePath() {
    return path.join(this.dir, 'SESSIONDB');
  }

  get log() {
    try {
      return fs.readFileSync(path.join(this.dir, 'ftserver.log'), 'utf8');
    } catch {
      return '';
    }
  }

  url(p, params = {}) {
    const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    return `http://127.0.0.1:${this.ports.api}${p}${q.size > 0 ? `?${q}` : ''}`;
  }

  /** Log in as admin once; later calls reuse the token. */
  async login() {
    if (this.token !== null) return this.token;
    const r = await fetch(this.url('/api/v1/auth'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const body = await r.json();
    if (r.status !== 200 || typeof body.auth_token !== 'string') throw new Error(`ftserver login failed: HTTP ${r.status} ${JSON.stringify(body)}`);
    this.token = body.auth_token;
    return this.token;
  }

  /** GET an API path with the token; the whole answer as text. Throws with the server's error on a non-200 status. */
  async getText(p, params = {}) {
    const token = await this.login();
    const r = await fetch(this.url(p, params), { headers: { authorization: `Bearer ${token}` } });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ${p} -> HTTP ${r.status}: ${text.slice(0, 2000)}`);
    return text;
  }

  /** GET an API path with the token and hand each chunk of the answer to `onText` as it arrives (big answers). */
  async getStream(p, params, onText) {
    const token = await this.login();
    const r = await fetch(this.url(p, params), { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) throw new Error(`GET ${p} -> HTTP ${r.status}: ${(await r.text()).slice(0, 2000)}`);
    const decoder = new TextDecoder();
    for await (const chunk of r.body) onText(decoder.decode(chunk, { stream: true }));
    onText(decoder.decode());
  }

  /** GET /metrics, parsed: "name{labels}" → value, and by name the sum over its label sets. */
  async metrics() {
    const r = await fetch(this.url('/metrics'), { headers: { authorization: `Bearer ${await this.login()}` } });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET /metrics -> HTTP ${r.status}: ${text.slice(0, 500)}`);
    const series = new Map();
    const sums = new Map();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m === null) continue;
      const v = Number(m[3]);
      series.set(m[1] + (m[2] ?? ''), v);
      sums.set(m[1], (sums.get(m[1]) ?? 0) + v);
    }
    return { series, sum: (name) => sums.get(name) ?? NaN };
  }

  /** SIGTERM and wait for the exit (everything tracked is stored first). */
  async stop(signal = 'SIGTERM') {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }

  /** Stop when still running and remove the directory. */
  async cleanup() {
    await this.stop('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Start bin/ftserver (the built server) on free loopback ports, with its store, users and log in `dir`
 * (a new temporary directory when absent), and wait until it says it listens. `args` are more settings;
 * `nodeArgs` go to node itself (e.g. --cpu-prof). No IPFIX-over-TCP listener.
 */
export async function startFtserver({ dir = tempDir('opentraq-bench-ftserver-'), args = [], nodeArgs = [], debuglevel = 'MEDIUM' } = {}) {
  const ports = { api: await freePort(), netflow: await freePort(), sflow: await freePort() };
  const argv = [
    ...nodeArgs,
    FTSERVER,
    '--databasepath', path.join(dir, 'SESSIONDB'),
    '--userdatapath', path.join(dir, 'USERDATA'),
    '--logfile', path.join(dir, 'ftserver.log'),
    '--debuglevel', debuglevel,
    '--listenport', String(ports.api),
    '--netflowport', String(ports.netflow),
    '--sflowport', String(ports.sflow),
    '--listenaddress', '127.0.0.1',
    '--init-admin-password', ADMIN_PASSWORD,
    ...args,
  ];
  const proc = track(spawn(process.execPath, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() }));
  const s = new Ftserver(proc, dir, ports);
  await new Promise((resolve, reject) => {
    const check = () => {
      if (s.stdout.includes('ftserver: listening:')) {
        proc.stdout.off('data', check);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    void s.exited.then(({ code, signal }) => reject(new Error(`ftserver exited (${code ?? signal}) before listening:\n${s.stderr}\n${s.log}`)));
  });
  return s;
}

/** One running nfcapd (Debian's nfdump 1.7), started by startNfcapd. */
export class Nfcapd {
  constructor(proc, dir, port) {
    this.proc = proc;
    this.pid = proc.pid;
    this.dir = dir;
    this.port = port;
    this.output = '';
    proc.stdout.setEncoding('utf8').on('data', (s) => (this.output += s));
    proc.stderr.setEncoding('utf8').on('data', (s) => (this.output += s));
    this.exited = new Promise((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Wait until nfcapd has read every datagram (its queue stays empty), then SIGTERM: it closes its
   * current file under its final name. Rejects when it does not end within `timeoutMs`.
   */
  async stop(timeoutMs = 60_000) {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await waitUdpDrained(this.port, { timeoutMs });
    this.proc.kill('SIGTERM');
    const late = new Promise((r) => setTimeout(() => r('late'), timeoutMs).unref());
    const end = await Promise.race([this.exited, late]);
    if (end === 'late') {
      this.proc.kill('SIGKILL');
      throw new Error(`nfcapd did not exit within ${timeoutMs} ms of SIGTERM; its output: ${this.output.slice(-2000)}`);
    }
    if (fs.readdirSync(this.dir).some((f) => f.startsWith('nfcapd.current'))) {
      throw new Error(`nfcapd exited without closing its current file; its output: ${this.output.slice(-2000)}`);
    }
  }

  async cleanup() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const NFDUMP_HINT = 'The reference collector is Debian\'s nfdump 1.7: apt-get install -y --no-install-recommends nfdump';

/**
 * Start nfcapd on a free port of 127.0.0.1 writing into `dir`, with a `bufferBytes` socket buffer (-B);
 * `lz4` compresses its files (-y).
 */
export async function startNfcapd({ dir = tempDir('opentraq-bench-nfcapd-'), bufferBytes = RECEIVE_BUFFER, lz4 = false } = {}) {
  const file = requireProgram('nfcapd', NFDUMP_HINT);
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['-w', dir, '-p', String(port), '-b', '127.0.0.1', '-B', String(bufferBytes), ...(lz4 ? ['-y'] : [])];
    const proc = track(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    const n = new Nfcapd(proc, dir, port);
    const until = Date.now() + 5000;
    let gone = false;
    void n.exited.then(() => (gone = true));
    while (!/Startup nfcapd\./.test(n.output) && !gone && Date.now() < until) await sleep(20);
    if (/Startup nfcapd\./.test(n.output)) return n;
    last = n.output;
    if (!gone) proc.kill('SIGKILL');
    await n.exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(`nfcapd did not start listening within 5 s (3 attempts); its last output: ${last.slice(-2000)}`);
}

/** Run nfdump with `args` (times in -t read as UTC); its stdout. Throws with its output when it fails. */
export async function nfdump(args, opts = {}) {
  const r = await run(requireProgram('nfdump', NFDUMP_HINT), args, { ...opts, env: { ...process.env, TZ: 'UTC' } });
  if (r.code !== 0) throw new Error(`nfdump ${args.join(' ')} exited with ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  return r.stdout;
}

/** Rows of an nfdump CSV table: from the header line starting with `first,` up to the first empty line. */
export function nfdumpCsvTable(text, first) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${first},`));
  if (at < 0) return [];
  const cols = lines[at].split(',');
  const rows = [];
  for (let i = at + 1; i < lines.length && lines[i].trim() !== ''; i++) {
    const cells = lines[i].split(',');
    rows.push(Object.fromEntries(cols.map((c, k) => [c, (cells[k] ?? '').trim()])));
  }
  return rows;
}

/** Flows, packets and bytes over every file in `dir`, exact (nfdump's CSV summary). */
export async function nfdumpTotals(dir) {
  const text = await nfdump(['-R', dir, '-s', 'proto/bytes', '-n', '1', '-o', 'csv', '-N']);
  const row = nfdumpCsvTable(text, 'flows')[0];
  if (row === undefined) throw new Error(`nfdump printed no summary for ${dir}; its output: ${text.slice(0, 2000)}`);
  const whole = (k) => {
    if (!/^\d+$/.test(row[k] ?? '')) throw new Error(`nfdump's summary has ${JSON.stringify(row[k])} for ${k}, not a whole number`);
    return Number(row[k]);
  };
  return { flows: whole('flows'), packets: whole('packets'), bytes: whole('bytes') };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function load() {
  return os.loadavg().map((x) => Number(x.toFixed(2)));
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const mib = (b) => Number((b / 1048576).toFixed(1));

/** A description of the machine for the figures. */
export function machine() {
  const c = os.cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, node ${process.version}`;
}

/**
 * A bench script's options (node:util parseArgs, plus -h/--help printing `usage`): returns the values
 * and `fail(message)`, which prints the message and the usage and exits 2; `whole(name, text, lo, hi)`
 * reads a whole number in a range or fails naming the option.
 */
export function benchOptions(script, usage, options) {
  const fail = (message) => {
    process.stderr.write(`${script}: ${message}\n${usage}\n`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    fail(e.message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const whole = (name, text, lo, hi) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < lo || n > hi) fail(`--${name} must be a whole number from ${lo} to ${hi}, got ${JSON.stringify(text)}`);
    return n;
  };
  return { values, fail, whole };
}
