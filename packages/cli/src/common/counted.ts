// How many of something, for the lines people read: `1 session`, `6,978 sessions` — singular for one,
// thousands separated as the -v spinner writes them, so that a run's lines agree with each other.

/** `n` and `noun` (plural with an s unless n is 1); `shown` replaces the number (a human-scaled `7.0 k`). */
export function counted(n: number, noun: string, shown: string = n.toLocaleString('en-US')): string {
  return `${shown} ${n === 1 ? noun : `${noun}s`}`;
}
