// ftbfg: checks its parameters, learns which client subnets use which services, then reports the
// connections that do not fit until SIGTERM. bin/ftbfg launches this (bundled by scripts/bundle.mjs).

import { readSelection, runTool, type RunStreams } from '@opentraq/cli';
import { runDetector, type RunOptions } from '../run/rundetector.js';
import { FingerprintDetector } from './fingerprintdetector.js';
import { FTBFG } from './ftbfgspec.js';
import { readComplexity } from './readcomplexity.js';
import { withForeignRefusals } from '../run/withforeignrefusals.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '@opentraq/cli';

/** Runs ftbfg with `argv` (the words after the command); resolves with the exit code once it has stopped. */
export function main(argv: readonly string[], streams?: RunStreams, opts: Partial<RunOptions> = {}): Promise<number> {
  return runTool(
    withForeignRefusals(FTBFG),
    argv,
    (parsed, ctx) =>
      runDetector(parsed, ctx, (p, baseline) => new FingerprintDetector(readSelection(p, FTBFG.name).params, readComplexity(p), baseline), {
        ...opts,
        low: () => false,
      }),
    streams,
  );
}
