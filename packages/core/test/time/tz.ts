// Helpers the time tests share: UTC instants in µs, and running a block under another TZ
// (Node reads process.env.TZ afresh for Date and Intl, so a zone can change mid-process).

/** µs since the epoch of a UTC reading, from Date.UTC (month 1-12). */
export const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) * 1000;

/** Runs `fn` with TZ set to `zone`, restoring the previous value afterwards. */
export function withTZ(zone: string, fn: () => void): void {
  const saved = process.env['TZ'];
  process.env['TZ'] = zone;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
}
