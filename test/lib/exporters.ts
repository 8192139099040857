// Runs real flow exporters from Debian (softflowd, pmacctd with its nfprobe and sfprobe plugins) over
// a capture file, sending to a test collector; finds their binaries and kills what is left at teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Debian packages that hold each program (what CI installs in .ci/run). */
const PACKAGE_OF: Readonly<Record<string, string>> = { softflowd: 'softflowd', pmacctd: 'pmacct', tshark: 'tshark' };

/**
 * The absolute path of a program, searched in PATH and the sbin directories (not always in a
 * user's PATH). Throws, saying what to install, when it is not there: these tests never skip.
 */
export function requireProgram(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  const pkg = PACKAGE_OF[name] ?? name;
  throw new Error(
    `${name} is not installed (looked in PATH and /usr/sbin). These end-to-end tests need it: ` +
      `apt-get install -y --no-install-recommends ${pkg} (.ci/run installs it in CI)`,
  );
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Child processes still running, killed by `killAll` (test teardown). */
const running = new Set<ChildProcess>();

/** Run a program to its end (killed after `timeoutMs`, which rejects). Output is kept for messages. */
export function run(file: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Its own process group, so that killAll ends the exporter together with what it forked (pmacctd's
    // plugin processes), not just the process started here.
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${path.basename(file)} ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

/** Kill every child process still running, with the processes it started (SIGKILL to its group). */
export function killAll(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

/**
 * softflowd reading `pcap` and exporting NetFlow `version` (1, 5, 9 or 10 = IPFIX) to 127.0.0.1:`port`.
 * `-r` processes the whole file, expires every flow at its end ("flushed") and exits; `-d` keeps it in
 * the foreground; `-T ether` tracks and exports VLAN ids and MAC addresses (v9/IPFIX); `-b` makes
 * IPFIX biflows. `-p` keeps the pid file it removes at exit inside the test's directory (the default
 * is a running daemon's). No `-c`: given a control socket, softflowd 1.1.0 waits on it after the end
 * of the file instead of exiting.
 */
export function softflowdArgs(o: { pcap: string; port: number; version: 1 | 5 | 9 | 10; biflow?: boolean; dir: string; tag: string }): string[] {
  const args = ['-d', '-r', o.pcap, '-n', `127.0.0.1:${o.port}`, '-v', String(o.version), '-T', 'ether'];
  if (o.biflow === true) args.push('-b');
  args.push('-p', path.join(o.dir, `${o.tag}.pid`));
  return args;
}

/**
 * A pmacctd configuration file reading `pcap` with one plugin: `nfprobe` (NetFlow v9 or IPFIX,
 * observation domain / source id `engine`) or `sfprobe` (sFlow v5, every packet sampled, sub-agent
 * `engine`). pmacctd processes the whole savefile and exits; nfprobe expires all its flows then.
 * `aggregate` chooses what nfprobe exports (its default is only addresses, ports, protocol and ToS).
 */
export function writePmacctConfig(o: { file: string; pcap: string; port: number; plugin: 'nfprobe9' | 'nfprobe10' | 'sfprobe'; engine: number }): string {
  const lines = ['daemonize: false', `pcap_savefile: ${o.pcap}`, 'aggregate: src_host, dst_host, src_port, dst_port, proto, tos, tcpflags, vlan, src_mac, dst_mac'];
  if (o.plugin === 'sfprobe') {
    lines.push('plugins: sfprobe', `sfprobe_receiver: 127.0.0.1:${o.port}`, 'sfprobe_agentip: 127.0.0.1', `sfprobe_agentsubid: ${o.engine}`, 'sampling_rate: 1');
  } else {
    lines.push('plugins: nfprobe', `nfprobe_receiver: 127.0.0.1:${o.port}`, `nfprobe_version: ${o.plugin === 'nfprobe9' ? 9 : 10}`, `nfprobe_engine: ${o.engine}`);
  }
  writeFileSync(o.file, lines.join('\n') + '\n');
  return o.file;
}

/**
 * Whether a pmacctd run over a savefile ended as it should. At the end of the file its core sends the
 * plugin its last buffer, waits 2 s, sends it SIGINT and wait()s; when its SIGCHLD handler sees the
 * plugin go first, it logs "no more plugins active. Shutting down." and exits 1 instead of 0 (a race
 * in pmacctd 1.7.7, seen now and then): both are a finished run.
 */
export function pmacctdEndedNormally(r: RunResult): boolean {
  return r.code === 0 || (r.code === 1 && /no more plugins active\. Shutting down\./.test(r.stderr));
}
