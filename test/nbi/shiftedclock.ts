// A clock of its own for a detector under test: libfaketime (Debian's faketime package) preloaded into
// its process, starting the clock at a chosen instant in the past and optionally running it faster.
// Every window such a detector checks is already in the store, so hours of windows need not be waited for.
import fs from 'node:fs';
import path from 'node:path';

/** libfaketime's thread-safe build (node runs threads) wherever Debian put it for this machine's architecture, or null. */
export function libfaketimePath(): string | null {
  for (const lib of ['/usr/lib', '/usr/lib64']) {
    let dirs: string[];
    try {
      dirs = fs.readdirSync(lib);
    } catch {
      continue;
    }
    for (const d of ['', ...dirs]) {
      const candidate = path.join(lib, d, 'faketime', 'libfaketimeMT.so.1');
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * The environment that makes a process's clock read `startMs` (ms since the epoch, to the second) when
 * it starts and run `speed` times as fast as the real one from there: timers and the monotonic clock
 * follow, so a 2-minute wait takes 6 real seconds at speed 20.
 */
export function shiftedClockEnv(startMs: number, speed = 1): Record<string, string> {
  const lib = libfaketimePath();
  if (lib === null) throw new Error('libfaketime is not installed (apt-get install faketime): the tests that shift a detector\'s clock need it');
  const offsetS = Math.round((startMs - Date.now()) / 1000);
  return { LD_PRELOAD: lib, FAKETIME: `${offsetS >= 0 ? '+' : ''}${offsetS}${speed === 1 ? '' : ` x${speed}`}` };
}
