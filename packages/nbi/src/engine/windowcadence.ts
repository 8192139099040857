// When a detector's windows end and what each one spans: slot-long windows on every step of the local
// clock for the detectors with a history (-bg), windows of their own length for ftth and ftbl (-bi).

import { clockFloor } from './clockfloor.js';
import type { FixedWindow, WindowSchedule } from './fixedwindowdetector.js';
import type { SlotClock } from './slotclock.js';
import { windowEnding, type EvalWindow } from './windowplan.js';

/** Windows without baselines (-bi) more than this far behind are given up: a day, as for the DAY baselines. */
export const MAX_BACKLOG_MS = 86_400_000;

/** A window [startMs, endMs) on the local clock; the baseline detectors' windows say more (EvalWindow). */
export interface WindowSpan {
  readonly startMs: number;
  readonly endMs: number;
}

export interface WindowCadence<W extends WindowSpan> {
  /** Between the ends of consecutive windows. */
  readonly stepMs: number;
  /** How long after a window closes it is checked (-bd). */
  readonly settleMs: number;
  /** How far behind a detector may fall before it gives windows up (and says so). */
  readonly maxBacklogMs: number;
  /** The end of the latest window that ends at or before `ms`. */
  floor(ms: number): number;
  /** The window that ends at `endMs` (an end that floor gives). */
  ending(endMs: number): W;
}

/** A slot long, ending on every step of the local clock; a period's backlog at most (a day in DAY mode, a week in WEEK). */
export function slotCadence(clock: SlotClock, settleMs: number): WindowCadence<EvalWindow> {
  const { stepMs, slotMs, slotsPerPeriod } = clock.granularity;
  return {
    stepMs,
    settleMs,
    maxBacklogMs: slotMs * slotsPerPeriod,
    floor: (ms) => clock.floor(ms, stepMs),
    ending: (endMs) => windowEnding(clock, endMs),
  };
}

/** -bi long, one after the other, ending on round local times (clockFloor); a day's backlog at most. */
export function fixedCadence(schedule: WindowSchedule): WindowCadence<FixedWindow> {
  const { windowMs, settleMs } = schedule;
  return {
    stepMs: windowMs,
    settleMs,
    maxBacklogMs: MAX_BACKLOG_MS,
    floor: (ms) => clockFloor(ms, windowMs),
    ending: (endMs) => ({ startMs: endMs - windowMs, endMs }),
  };
}
