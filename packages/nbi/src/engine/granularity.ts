// The two baseline granularities of nbi.md (-bg): how long a slot and a window are, how often a
// window is evaluated, and how many slots make up the baseline's period.

export type GranularityName = 'DAY' | 'WEEK';

export const GRANULARITY_NAMES: readonly GranularityName[] = ['DAY', 'WEEK'];

export interface Granularity {
  readonly name: GranularityName;
  /** Length of a baseline slot, which is also the length of every evaluated window (ms). */
  readonly slotMs: number;
  /** How often a window is evaluated: windows end on local-clock multiples of this (ms). */
  readonly stepMs: number;
  /** Slots in one period of the baseline: 144 ten-minute slots of a day, 168 hours of a week. */
  readonly slotsPerPeriod: number;
  /** Words for messages: `10-minute slots of the day`. */
  readonly describe: string;
}

const MINUTE_MS = 60_000;

export const GRANULARITIES: Readonly<Record<GranularityName, Granularity>> = {
  DAY: { name: 'DAY', slotMs: 10 * MINUTE_MS, stepMs: 2 * MINUTE_MS, slotsPerPeriod: 144, describe: '10-minute slots of the day' },
  WEEK: { name: 'WEEK', slotMs: 60 * MINUTE_MS, stepMs: 10 * MINUTE_MS, slotsPerPeriod: 168, describe: 'hourly slots of the week' },
};
