// fttcv: checks its parameters, learns every entity's usual volume, then reports unusually HIGH and
// LOW values until SIGTERM. bin/fttcv launches this (bundled by scripts/bundle.mjs).

import { readSelection, runTool, type RunStreams } from '@opentraq/cli';
import { runDetector, type RunOptions } from '../run/rundetector.js';
import { FTTCV } from './fttcvspec.js';
import { readMeasure } from './readmeasure.js';
import { VolumeDetector } from './volumedetector.js';
import { withForeignRefusals } from '../run/withforeignrefusals.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '@opentraq/cli';

/** Runs fttcv with `argv` (the words after the command); resolves with the exit code once it has stopped. */
export function main(argv: readonly string[], streams?: RunStreams, opts: Partial<RunOptions> = {}): Promise<number> {
  return runTool(
    withForeignRefusals(FTTCV),
    argv,
    (parsed, ctx) =>
      runDetector(parsed, ctx, (p, baseline) => new VolumeDetector(readMeasure(p), readSelection(p, FTTCV.name).params, baseline.rule), {
        ...opts,
        low: (p) => !p.flag('bnl'),
      }),
    streams,
  );
}
