// Runs a real detector (bin/ftdos, bin/fttcv) for the end-to-end tests: its stdout lines with the
// time each arrived, its stderr lines, waiting for either, and stopping it with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from '../lib/ftserver.js';

export interface TimedLine {
  readonly line: string;
  /** When the test read it, ms since the epoch. */
  readonly at: number;
}

export class DetectorProcess {
  readonly stdout: TimedLine[] = [];
  readonly stderr: TimedLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;

  constructor(tool: 'ftdos' | 'fttcv' | 'ftscan' | 'ftbfg' | 'ftth' | 'ftbl', args: readonly string[], env: Record<string, string>) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    // the test runner's loader hooks are not for the tool, which runs its bundle
    delete childEnv.NODE_OPTIONS;
    for (const k of Object.keys(childEnv)) if (k.startsWith('FLOWTRAQ_')) delete childEnv[k];
    this.proc = spawn(process.execPath, [path.join(REPO, 'bin', tool), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
    this.collect(this.proc.stdout!, this.stdout);
    this.collect(this.proc.stderr!, this.stderr);
    this.exited = new Promise((resolve) => this.proc.once('close', (code, signal) => resolve({ code, signal })));
  }

  private collect(stream: NodeJS.ReadableStream, into: TimedLine[]): void {
    let partial = '';
    stream.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      const at = Date.now();
      for (const line of parts) into.push({ line, at });
    });
  }

  /** Resolves once `test` holds (checked every 200 ms); rejects after `ms` with the detector's stderr. */
  async waitFor(what: string, test: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr so far:\n${this.stderr.map((l) => l.line).join('\n')}`);
      if (this.proc.exitCode !== null) throw new Error(`the detector exited (${this.proc.exitCode}) while waiting for ${what}:\n${this.stderr.map((l) => l.line).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The windows checked so far (from -v lines): their end times as printed. */
  windowEnds(): string[] {
    return this.stderr.map((l) => /: window \S+ \S+ to (\S+ \S+):/.exec(l.line)?.[1]).filter((x): x is string => x !== undefined);
  }

  /** The alerts printed so far (-j), with when each was read. */
  alerts(): (Record<string, unknown> & { readAt: number })[] {
    return this.stdout.filter((l) => l.line.startsWith('{')).map((l) => ({ ...(JSON.parse(l.line) as Record<string, unknown>), readAt: l.at }));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}
