// What a tool's process tells V8 because it lives for a fraction of a second: the bundles that bin/
// launches call tuneForShortRun() first; library users of @opentraq/cli (the detectors) never do.

import { setFlagsFromString } from 'node:v8';

/**
 * undici parses HTTP with llhttp, a WebAssembly module. V8 compiles it at once with its baseline
 * compiler (Liftoff) and then again, on other threads, with its optimising one (TurboFan) for the
 * functions that run hot — work that a run answering one query never earns back: bench/cli.mjs measured
 * ~70 ms of CPU and ~90 ms of wall time per small query on a loaded 2-core machine, and no loss when
 * streaming millions of sessions. Set before undici is loaded (it compiles llhttp at the first request).
 */
export function tuneForShortRun(): void {
  setFlagsFromString('--liftoff-only');
}
