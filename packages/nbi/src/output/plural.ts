// Counts in the detectors' messages and alert lines: `1 session`, `3 sessions`, `1 address`, `2 addresses` —
// lines a person reads, where `1 sessions` would look like a bug.

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
