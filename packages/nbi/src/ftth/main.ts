// ftth: checks its parameters, then compares every window's rates with the threshold and reports
// the entities above it until SIGTERM. bin/ftth launches this (bundled by scripts/bundle.mjs).

import { readSelection, runTool, type RunStreams } from '@opentraq/cli';
import { readMeasure } from '../fttcv/readmeasure.js';
import { readWindowSchedule } from '../params/readwindowschedule.js';
import { runFixedWindowDetector, type FixedWindowRunOptions } from '../run/runfixedwindowdetector.js';
import { DEFAULT_INTERVAL_S, FTTH } from './ftthspec.js';
import { readRateRule } from './readraterule.js';
import { ThresholdDetector } from './thresholddetector.js';
import { withForeignRefusals } from '../run/withforeignrefusals.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '@opentraq/cli';

/** Runs ftth with `argv` (the words after the command); resolves with the exit code once it has stopped. */
export function main(argv: readonly string[], streams?: RunStreams, opts: FixedWindowRunOptions = {}): Promise<number> {
  return runTool(
    withForeignRefusals(FTTH),
    argv,
    (parsed, ctx) =>
      runFixedWindowDetector(
        parsed,
        ctx,
        (p) => new ThresholdDetector(readMeasure(p), readSelection(p, FTTH.name).params, readRateRule(p), readWindowSchedule(p, DEFAULT_INTERVAL_S)),
        opts,
      ),
    streams,
  );
}
