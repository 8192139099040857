// How every tool runs: parse the command line, answer --help / --version, run, and end with the
// exit code of cli.md — every error printed once on stderr as `<tool>: <message>`, never a stack trace.

import { CliError, EXIT } from './clierror.js';
import { renderHelp } from './helptext.js';
import { Output, OutputClosed } from './output.js';
import { parseCommandLine } from './parsecommandline.js';
import type { ParsedOptions } from './parsedoptions.js';
import type { Environment } from './serveraddress.js';
import { styleFor, type Style } from './style.js';
import { unknownTimeZone } from './timezoneparams.js';
import type { ToolSpec } from './toolspec.js';
import { cliVersion } from './version.js';

export interface ToolContext {
  readonly spec: ToolSpec;
  readonly version: string;
  readonly env: Environment;
  /** stdout, with backpressure and EPIPE handling. */
  readonly out: Output;
  /** The stream stdout writes to (to ask whether it is a terminal). */
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export interface RunStreams {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Environment;
}

/** The message block: `tool: ` before the first line; continuation lines (carets) as they are. */
function errorText(tool: string, message: string, style: Style): string {
  return `${style.red(`${tool}:`)} ${message}\n`;
}

/**
 * Runs `body` for `argv` and resolves with the exit code. Usage errors come before any connection:
 * parseCommandLine and the readers `body` calls first throw them.
 */
export async function runTool(
  spec: ToolSpec,
  argv: readonly string[],
  body: (parsed: ParsedOptions, ctx: ToolContext) => Promise<void>,
  streams: RunStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const { stdout, stderr, env } = streams;
  const out = new Output(stdout);
  const version = cliVersion();
  try {
    const parsed = parseCommandLine(argv, spec);
    if (parsed.help) {
      await out.write(renderHelp(spec, version));
      return EXIT.OK;
    }
    if (parsed.version) {
      await out.write(`${spec.name} (opentraq) ${version}\n`);
      return EXIT.OK;
    }
    const badZone = unknownTimeZone(env);
    if (badZone !== undefined) {
      // not refused: a cron job with a mistyped TZ keeps working, in UTC, and its log says why
      stderr.write(`${spec.name}: TZ '${badZone}' is not a time zone this machine knows: times are read and printed in UTC (give TZ a zone name such as Europe/Berlin, or unset it for the system's zone)\n`);
    }
    await body(parsed, { spec, version, env, out, stdout, stderr });
    await out.flush();
    return EXIT.OK;
  } catch (e) {
    if (e instanceof OutputClosed) return EXIT.OK;
    const style = await styleFor(stderr, env);
    if (e instanceof CliError) {
      stderr.write(errorText(spec.name, e.message, style));
      return e.exitCode;
    }
    stderr.write(errorText(spec.name, `internal error: ${(e as Error)?.stack ?? String(e)}`, style));
    return EXIT.FAILURE;
  }
}

/**
 * Ends the process with `code` once stdout and stderr have handed everything to the system. The
 * launchers call it instead of letting Node wind down by itself: undici's HTTP parser is WebAssembly
 * whose background compilation would otherwise keep a finished tool alive for another ~80 ms.
 */
export function exitWhenFlushed(code: number, streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  let pending = streams.length;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  for (const s of streams) {
    // the callback comes after the write, or with the error of a stream that is closed (EPIPE)
    if (s.destroyed || !s.writable) done();
    else s.write('', () => done());
  }
}
