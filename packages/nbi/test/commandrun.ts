// A detector run as from its command line, with what it writes on stdout and stderr kept, and the
// checks every detector's parameter test makes: each mistake a usage error, and --help listing the options.

import { PassThrough } from 'node:stream';
import type { Test } from 'tap';
import type { RunStreams } from '@opentraq/cli';

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A detector's main(): the words after the command, its streams, and the options its tests may pass. */
export type DetectorMain<O> = (argv: readonly string[], streams?: RunStreams, opts?: O) => Promise<number>;

/** Runs `main` with `argv` (and `env` as its environment); resolves with its exit code and output once it has stopped. */
export async function runCommand<O>(main: DetectorMain<O>, argv: readonly string[], env: Record<string, string> = {}, opts?: O): Promise<CommandRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(argv, { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env }, opts);
  return { code, stdout: out, stderr: err };
}

/** Each case's words after `head` are a usage error: exit code 2, stderr matching its pattern, nothing on stdout. */
export async function expectRefusals(t: Test, run: (argv: string[]) => Promise<CommandRun>, head: readonly string[], cases: readonly (readonly [string[], RegExp])[]): Promise<void> {
  for (const [argv, pattern] of cases) {
    const r = await run([...head, ...argv]);
    const words = argv.join(' ').slice(0, 80);
    t.equal(r.code, 2, `${words}: exit 2`);
    t.match(r.stderr, pattern, words);
    t.equal(r.stdout, '');
  }
}

/** `--help` exits 0 and shows each of `options` on a line of its own; resolves with the help. */
export async function expectHelp(t: Test, run: (argv: string[]) => Promise<CommandRun>, options: readonly string[]): Promise<string> {
  const help = await run(['--help']);
  t.equal(help.code, 0);
  for (const p of options) t.match(help.stdout, new RegExp(`\\n  ${p}[ ,]`), `--help lists ${p}`);
  return help.stdout;
}
