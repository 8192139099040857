// ftscan: checks its parameters, learns every source's usual unique hosts and services, then reports
// horizontal and vertical scans until SIGTERM. bin/ftscan launches this (bundled by scripts/bundle.mjs).

import { readSelection, runTool, type RunStreams } from '@opentraq/cli';
import { runDetector, type RunOptions } from '../run/rundetector.js';
import { FTSCAN } from './ftscanspec.js';
import { ScanDetector } from './scandetector.js';
import { withForeignRefusals } from '../run/withforeignrefusals.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '@opentraq/cli';

/** Runs ftscan with `argv` (the words after the command); resolves with the exit code once it has stopped. */
export function main(argv: readonly string[], streams?: RunStreams, opts: Partial<RunOptions> = {}): Promise<number> {
  return runTool(
    withForeignRefusals(FTSCAN),
    argv,
    (parsed, ctx) =>
      runDetector(parsed, ctx, (p, baseline) => new ScanDetector(readSelection(p, FTSCAN.name).params, baseline.rule, baseline), {
        ...opts,
        low: () => false,
      }),
    streams,
  );
}
