// The detectors' printed times (`11/24/2026 07:24:00`, local in the scenario's +05:30) as instants, and
// the check the end-to-end tests make of the windows a detector printed.

/** A time as the detectors print it, local +05:30 (SCENARIO_TZ), as an instant. */
export const printedInstant = (printed: string): number => Date.parse(`${printed.replace(/(\d\d)\/(\d\d)\/(\d{4}) /, '$3-$1-$2T')}+05:30`);

/** Whether every window was checked once, in order, none skipped: window ends `stepMs` apart. */
export const everyWindowOnce = (ends: readonly number[], stepMs: number): boolean => ends.every((e, i) => i === 0 || e - ends[i - 1]! === stepMs);
