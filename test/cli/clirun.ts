// Runs the real bin/ftstat, bin/ftsq, bin/ftum and bin/ftnbi for the end-to-end tests of the query tools,
// in a pipe or a pseudo-terminal, and reads their CSV back: a child process per run, with an environment
// free of the test runner's and the caller's settings.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../lib/ftserver.js';

export const FTSTAT = path.join(REPO, 'bin/ftstat');
export const FTSQ = path.join(REPO, 'bin/ftsq');
export const FTUM = path.join(REPO, 'bin/ftum');
export const FTNBI = path.join(REPO, 'bin/ftnbi');

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables to add (FLOWTRAQ_*, TZ, NO_COLOR ...). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (stdin is an empty pipe otherwise: never a terminal). */
  input?: string;
  /** A file stdout is opened on for writing (e.g. /dev/full) instead of a pipe; ToolRun.stdout is then ''. */
  stdoutTo?: string;
  timeoutMs?: number;
}

/**
 * The environment of a tool run: the test runner's loader hooks (NODE_OPTIONS) are not for the tool,
 * which runs its bundle; FLOWTRAQ_*, colour settings, CI (which turns the -v spinner off) and the
 * certificates trusted (NODE_EXTRA_CA_CERTS) of whoever runs the tests do not leak in.
 */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('FLOWTRAQ_') || ['NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS', 'CI', 'NODE_EXTRA_CA_CERTS'].includes(k)) delete env[k];
  return { ...env, ...extra };
}

/**
 * Runs `bin` (FTSTAT, FTSQ, FTUM, FTNBI) with `args` until it exits; killed (SIGKILL) after `timeoutMs`,
 * default 60 s. The tool runs in a session of its own (setsid), without a controlling terminal, as under
 * cron: it cannot prompt on the terminal of whoever runs the tests (it would wait there for a password).
 */
export function runTool(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<ToolRun> {
  const stdoutFd = opts.stdoutTo === undefined ? undefined : fs.openSync(opts.stdoutTo, 'w');
  const proc = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'], env: toolEnv(opts.env), detached: true });
  if (stdoutFd !== undefined) fs.closeSync(stdoutFd);
  let stdout = '';
  let stderr = '';
  // stdin and stderr are pipes whatever stdout is
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin!.end(opts.input ?? '');
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/**
 * Runs `bin` with `args` in a pseudo-terminal (util-linux `script`): each time the output shows the
 * next prompt of `dialogue`, its answer is typed. Resolves with the exit code and everything shown.
 */
export function runInTerminal(bin: string, args: readonly string[], dialogue: readonly (readonly [RegExp, string])[]): Promise<{ code: number | null; output: string }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, bin, ...args].map(quote).join(' ');
  const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: toolEnv() });
  let output = '';
  let step = 0;
  // where the last answered prompt ended: the next prompt is looked for after it
  let from = 0;
  const advance = (): void => {
    while (step < dialogue.length) {
      const [prompt, answer] = dialogue[step]!;
      const m = prompt.exec(output.slice(from));
      if (m === null) return;
      from += m.index + m[0].length;
      step++;
      proc.stdin.write(answer);
    }
  };
  proc.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    advance();
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

/** `items` through `fn`, at most `limit` at a time, results in order (the machine has few cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** RFC 4180 CSV (quoted fields with "" escapes, as csv-stringify writes) into rows of text cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
