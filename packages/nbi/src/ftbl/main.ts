// ftbl: checks its parameters, loads its list, then reports every session with a listed address,
// window by window, until SIGTERM. bin/ftbl launches this (bundled by scripts/bundle.mjs).

import { readSelection, runTool, type RunStreams } from '@opentraq/cli';
import { readWindowSchedule } from '../params/readwindowschedule.js';
import { runFixedWindowDetector, type FixedWindowRunOptions } from '../run/runfixedwindowdetector.js';
import { BlacklistDetector } from './blacklistdetector.js';
import { DEFAULT_INTERVAL_S, FTBL } from './ftblspec.js';
import { readBlacklistSettings } from './readblacklistsettings.js';
import type { Resolver } from './resolvehostnames.js';
import { withForeignRefusals } from '../run/withforeignrefusals.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '@opentraq/cli';

export interface FtblRunOptions extends FixedWindowRunOptions {
  /** How hostnames are looked up (tests); the system's resolver by default. */
  readonly resolve?: Resolver;
}

/** Runs ftbl with `argv` (the words after the command); resolves with the exit code once it has stopped. */
export function main(argv: readonly string[], streams?: RunStreams, opts: FtblRunOptions = {}): Promise<number> {
  return runTool(
    withForeignRefusals(FTBL),
    argv,
    (parsed, ctx) =>
      runFixedWindowDetector(
        parsed,
        ctx,
        (p, clock) =>
          new BlacklistDetector({
            settings: readBlacklistSettings(p),
            selection: readSelection(p, FTBL.name).params,
            schedule: readWindowSchedule(p, DEFAULT_INTERVAL_S),
            clock,
            ...(opts.resolve !== undefined && { resolve: opts.resolve }),
          }),
        opts,
      ),
    streams,
  );
}
