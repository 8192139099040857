// ftdos: checks its parameters, learns every address's incoming sessions, then reports the sources
// of anomalous floods until SIGTERM. bin/ftdos launches this (bundled by scripts/bundle.mjs).

import { readSelection, runTool, type RunStreams } from '@opentraq/cli';
import { runDetector, type RunOptions } from '../run/rundetector.js';
import { DosDetector } from './dosdetector.js';
import { FTDOS } from './ftdosspec.js';
import { withForeignRefusals } from '../run/withforeignrefusals.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '@opentraq/cli';

/** Runs ftdos with `argv` (the words after the command); resolves with the exit code once it has stopped. */
export function main(argv: readonly string[], streams?: RunStreams, opts: Partial<RunOptions> = {}): Promise<number> {
  return runTool(
    withForeignRefusals(FTDOS),
    argv,
    (parsed, ctx) =>
      runDetector(parsed, ctx, (p, baseline) => new DosDetector(readSelection(p, FTDOS.name).params, baseline.rule), {
        ...opts,
        low: () => false,
      }),
    streams,
  );
}
