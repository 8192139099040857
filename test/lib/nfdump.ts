// nfdump as the reference collector: runs Debian's nfcapd 1.7 on a free UDP port of 127.0.0.1 writing
// into a temporary directory, stops it cleanly, and reads per-address totals back with nfdump's CSV.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireProgram, run } from './exporters.js';

/** Per-address totals as nfdump's `-s ip/bytes` gives them: every flow counts for its source and its destination. */
export interface IpTotals {
  bytes: number;
  packets: number;
  flows: number;
}

/** nfdump's summary line: totals over every flow read. */
export interface NfdumpSummary {
  flows: number;
  bytes: number;
  packets: number;
}

/** nfcapd and nfdump come in Debian's nfdump package (CI installs it in .ci/run). */
function program(name: 'nfcapd' | 'nfdump'): string {
  try {
    return requireProgram(name);
  } catch {
    throw new Error(`${name} is not installed (looked in PATH and /usr/sbin). These tests need nfdump 1.7: apt-get install -y --no-install-recommends nfdump`);
  }
}

/** A UDP port of 127.0.0.1 nobody had bound a moment ago. */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface NfcapdOptions {
  /** Directory for the capture files; default a new one under the system temp directory (removed by `cleanup`). */
  dir?: string;
  /** Socket receive buffer nfcapd asks for (its -B), bytes. Default 8 MiB. */
  bufferBytes?: number;
  /** How long to wait for nfcapd to report it is listening. Default 5,000 ms. */
  startTimeoutMs?: number;
  /**
   * nfcapd's -s: a positive rate applies to records whose exporter announces none; a negative one
   * replaces every announced rate (-1: counters stay as sent, never scaled). Default: not given.
   */
  samplingRate?: number;
}

/**
 * One nfcapd process. `start` resolves once it listens ("Startup nfcapd." after "Bound to ..."), on a
 * port picked free just before (retried when another process took it in between).
 */
export class Nfcapd {
  readonly host = '127.0.0.1';
  private output = '';
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** What nfcapd printed so far (its log: exporters seen, totals at exit). */
  get log(): string {
    return this.output;
  }

  static async start(opts: NfcapdOptions = {}): Promise<Nfcapd> {
    const file = program('nfcapd');
    const ownsDir = opts.dir === undefined;
    const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'opentraq-nfcapd-'));
    const timeout = opts.startTimeoutMs ?? 5000;
    const buffer = opts.bufferBytes ?? 8 << 20;
    const sampling = opts.samplingRate;
    if (sampling !== undefined && !(Number.isSafeInteger(sampling) && sampling !== 0)) throw new RangeError(`Nfcapd.start: samplingRate must be a whole number other than 0, got ${String(sampling)}`);
    let lastLog = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freeUdpPort();
      // -w: capture directory; -p / -b: where to listen; -B: socket buffer; -s: sampling. Foreground
      // (no -D): SIGTERM makes it write out the current file under its final name and exit.
      const args = ['-w', dir, '-p', String(port), '-b', '127.0.0.1', '-B', String(buffer), ...(sampling === undefined ? [] : ['-s', String(sampling)])];
      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const n = new Nfcapd(port, dir, ownsDir, child);
      const ready = await n.waitFor(/Startup nfcapd\./, timeout);
      if (ready) return n;
      lastLog = n.output;
      await n.kill();
    }
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw new Error(`nfcapd did not start listening on 127.0.0.1 within ${timeout} ms (3 attempts); its last output: ${lastLog.slice(-2000)}`);
  }

  /** Resolve true once the log matches `re`, false when nfcapd exits or `ms` pass first. */
  private async waitFor(re: RegExp, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    let gone = false;
    void this.exited.then(() => (gone = true));
    while (!re.test(this.output)) {
      if (gone || Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  private async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * Bytes waiting in nfcapd's receive queue (Linux /proc/net/udp), or -1 when that cannot be read.
   * nfcapd stops reading at SIGTERM: what is still queued then is lost.
   */
  private queued(): number {
    let table: string;
    try {
      table = readFileSync('/proc/net/udp', 'utf8');
    } catch {
      return -1;
    }
    const local = `0100007F:${this.port.toString(16).toUpperCase().padStart(4, '0')}`;
    for (const line of table.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1] === local) return parseInt((f[4] ?? '0:0').split(':')[1] ?? '0', 16);
    }
    return -1;
  }

  /**
   * Wait until nfcapd has read every datagram sent to it (its receive queue stays empty), then SIGTERM
   * and wait for the exit: nfcapd closes its current file under its final name (nfcapd.YYYYMMDDhhmm).
   * Rejects when it does not end within `timeoutMs` or ends abnormally.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const until = Date.now() + timeoutMs;
    for (let quiet = 0; quiet < 3 && Date.now() < until; ) {
      const q = this.queued();
      if (q < 0) {
        // No queue to look at (not Linux): give nfcapd a moment to read.
        await new Promise((r) => setTimeout(r, 500));
        break;
      }
      quiet = q === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 30));
    }
    this.child.kill('SIGTERM');
    const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), timeoutMs).unref());
    const end = await Promise.race([this.exited, timer]);
    if (end === 'late') {
      await this.kill();
      throw new Error(`nfcapd on port ${this.port} did not exit within ${timeoutMs} ms of SIGTERM; its output: ${this.output.slice(-2000)}`);
    }
    if (end.code !== 0 && end.signal !== 'SIGTERM') {
      throw new Error(`nfcapd on port ${this.port} ended with ${end.signal ?? `exit code ${String(end.code)}`}; its output: ${this.output.slice(-2000)}`);
    }
    const files = readdirSync(this.dir);
    if (files.some((f) => f.startsWith('nfcapd.current'))) {
      throw new Error(`nfcapd on port ${this.port} exited without closing its current file (${files.join(', ')}); its output: ${this.output.slice(-2000)}`);
    }
  }

  /** Stop (when still running) and remove the directory if `start` made it. */
  async cleanup(): Promise<void> {
    await this.kill();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Rows of an nfdump CSV table: the header line starting with `first,` up to the first line that is
 * empty or has no comma (a statistic ends with an empty line, a flow listing runs into "Summary").
 */
function csvTable(text: string, first: string): Record<string, string>[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(first + ','));
  if (at < 0) return [];
  const cols = lines[at]!.split(',');
  const rows: Record<string, string>[] = [];
  for (let i = at + 1; i < lines.length && lines[i]!.includes(','); i++) {
    const cells = lines[i]!.split(',');
    const row: Record<string, string> = {};
    cols.forEach((c, k) => (row[c] = (cells[k] ?? '').trim()));
    rows.push(row);
  }
  return rows;
}

function whole(v: string | undefined, what: string, text: string): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`nfdump printed ${JSON.stringify(v)} for ${what}, not a whole number; its output: ${text.slice(0, 2000)}`);
  return Number(v);
}

async function nfdump(args: readonly string[]): Promise<string> {
  const r = await run(program('nfdump'), args, 120_000);
  if (r.code !== 0) throw new Error(`nfdump ${args.join(' ')} exited with ${String(r.code)}: ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  return r.stdout;
}

/**
 * Which of a flow's counters nfdump adds up: `all` its IN and OUT counters (what `-s ip/bytes` and the
 * summary count), `in` the IN counters only (`-s ip/ibyte`). nfdump files NetFlow v9 OUT_BYTES /
 * OUT_PKTS (fields 23/24) as OUT counters.
 */
export type NfdumpCounters = 'all' | 'in';

export interface NfdumpIpOptions {
  /** An nfdump filter, e.g. `router ip 127.1.0.7` (the records one exporter sent). Default: every record. */
  filter?: string;
  /** Default `all`. */
  counters?: NfdumpCounters;
}

/**
 * Bytes, packets and flows per address over every capture file in `dir`: `nfdump -R dir -s ip/bytes
 * -n 0 -o csv -N` (`ip/ibyte` for the IN counters only). CSV gives exact numbers where tables print
 * "1.2 M"; `-n 0` lists every address. IPv6 addresses come in nfdump's text form (RFC 5952, as Node
 * prints them). A flow from an address to itself counts twice for it, as source and as destination.
 */
export async function nfdumpIpTotals(dir: string, opts: NfdumpIpOptions = {}): Promise<Map<string, IpTotals>> {
  const inOnly = opts.counters === 'in';
  const text = await nfdump(['-R', dir, '-s', inOnly ? 'ip/ibyte' : 'ip/bytes', '-n', '0', '-o', 'csv', '-N', ...filterArgs(opts.filter)]);
  const [bytesCol, packetsCol] = inOnly ? ['ibyt', 'ipkt'] : ['byt', 'pkt'];
  const out = new Map<string, IpTotals>();
  for (const row of csvTable(text, 'ts')) {
    const ip = row['val'];
    if (ip === undefined || ip === '') throw new Error(`nfdump's ip statistic CSV has a row without an address; its output: ${text.slice(0, 2000)}`);
    out.set(ip, { bytes: whole(row[bytesCol], `${ip} bytes`, text), packets: whole(row[packetsCol], `${ip} packets`, text), flows: whole(row['fl'], `${ip} flows`, text) });
  }
  return out;
}

/** Flows, bytes and packets over every capture file in `dir` (the CSV summary of `nfdump -R dir -o csv`), or those `filter` selects. */
export async function nfdumpSummary(dir: string, filter?: string): Promise<NfdumpSummary> {
  const text = await nfdump(['-R', dir, '-s', 'proto/bytes', '-n', '1', '-o', 'csv', '-N', ...filterArgs(filter)]);
  const row = csvTable(text, 'flows')[0];
  if (row === undefined) throw new Error(`nfdump printed no summary; its output: ${text.slice(0, 2000)}`);
  return { flows: whole(row['flows'], 'total flows', text), bytes: whole(row['bytes'], 'total bytes', text), packets: whole(row['packets'], 'total packets', text) };
}

/** One flow record as nfdump lists it. */
export interface NfdumpFlow {
  /** The exporter's address (where the datagram came from). */
  router: string;
  src: string;
  dst: string;
  inBytes: number;
  inPackets: number;
  outBytes: number;
  outPackets: number;
}

/** Every flow record in `dir` (or those `filter` selects): `nfdump -R dir -o csv -N`. */
export async function nfdumpFlows(dir: string, filter?: string): Promise<NfdumpFlow[]> {
  const text = await nfdump(['-R', dir, '-o', 'csv', '-N', ...filterArgs(filter)]);
  return csvTable(text, 'ts').map((row) => {
    const [src, dst, router] = [row['sa'], row['da'], row['ra']];
    if (!src || !dst || !router) throw new Error(`nfdump's flow CSV has a row without its addresses (sa, da, ra); its output: ${text.slice(0, 2000)}`);
    return {
      router,
      src,
      dst,
      inBytes: whole(row['ibyt'], `bytes of a flow ${src} -> ${dst}`, text),
      inPackets: whole(row['ipkt'], `packets of a flow ${src} -> ${dst}`, text),
      outBytes: whole(row['obyt'], `out bytes of a flow ${src} -> ${dst}`, text),
      outPackets: whole(row['opkt'], `out packets of a flow ${src} -> ${dst}`, text),
    };
  });
}

function filterArgs(filter: string | undefined): string[] {
  if (filter === undefined) return [];
  if (filter.trim() === '') throw new Error('an nfdump filter must not be empty: leave it out to read every record');
  return [filter];
}

/**
 * A NetFlow v5 datagram cut after the records its header counts (24 + 48 × count bytes), as ftserver
 * reads it; nfdump 1.7.1 reads bytes after them as a further v5 packet. Other datagrams come back as
 * they are.
 */
export function v5CountedRecordsOnly(datagram: Uint8Array): Uint8Array {
  if (datagram.length < 24 || datagram[0] !== 0 || datagram[1] !== 5) return datagram;
  const count = (datagram[2]! << 8) | datagram[3]!;
  const end = 24 + 48 * count;
  return end < datagram.length ? datagram.subarray(0, end) : datagram;
}

/** Flowset ids of NetFlow v9 templates and options templates. */
const V9_TEMPLATE_SETS = new Set([0, 1]);

/** The flowsets of a NetFlow v9 datagram (after its 20-byte header), or null when they do not parse whole. */
function v9Sets(datagram: Uint8Array): Uint8Array[] | null {
  const sets: Uint8Array[] = [];
  for (let at = 20; at < datagram.length; ) {
    if (at + 4 > datagram.length) return null;
    const len = (datagram[at + 2]! << 8) | datagram[at + 3]!;
    if (len < 4 || at + len > datagram.length) return null;
    sets.push(datagram.subarray(at, at + len));
    at += len;
  }
  return sets;
}

const setId = (set: Uint8Array): number => (set[0]! << 8) | set[1]!;

/**
 * NetFlow v9 datagrams with every template before the data that needs it: within a datagram the
 * template and options template flowsets move ahead of the others, and datagrams carrying templates
 * move ahead of those that carry none (each group keeps its order). ftserver holds data sets that
 * arrive before their template and decodes them when it comes; nfdump 1.7.1 drops them, so this is
 * how nfdump can be shown the records ftserver reads. Datagrams that are not v9, or whose flowsets do
 * not parse whole, are left as they are, among those without templates.
 */
export function v9TemplatesFirst(datagrams: readonly Uint8Array[]): Uint8Array[] {
  const withTemplates: Uint8Array[] = [];
  const others: Uint8Array[] = [];
  for (const d of datagrams) {
    const sets = d.length >= 20 && d[0] === 0 && d[1] === 9 ? v9Sets(d) : null;
    if (sets === null || !sets.some((s) => V9_TEMPLATE_SETS.has(setId(s)))) {
      others.push(d);
      continue;
    }
    const ordered = [...sets.filter((s) => V9_TEMPLATE_SETS.has(setId(s))), ...sets.filter((s) => !V9_TEMPLATE_SETS.has(setId(s)))];
    const out = new Uint8Array(d.length);
    out.set(d.subarray(0, 20), 0);
    let at = 20;
    for (const s of ordered) {
      out.set(s, at);
      at += s.length;
    }
    withTemplates.push(out);
  }
  return [...withTemplates, ...others];
}

/** The capture files nfcapd wrote in `dir` (to tell "nothing received" from "nothing written"). */
export function nfcapdFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^nfcapd\.\d{12}$/.test(f));
}
