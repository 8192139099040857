// Which spans a detector looks at: the live windows (a slot long, ending on every step of the local
// clock), the slot each learns, and the history before them cut into the training queries.

import type { SlotClock, SlotShare } from './slotclock.js';

export interface EvalWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** How the window divides over baseline slots (one slot when it coincides with one, else two). */
  readonly shares: readonly SlotShare[];
  /** The slot the window coincides with, learnt once the window is checked; null between slots. */
  readonly learnSlot: number | null;
}

/** The window that ends at `endMs` (a step boundary). */
export function windowEnding(clock: SlotClock, endMs: number): EvalWindow {
  const startMs = endMs - clock.granularity.slotMs;
  const shares = clock.shares(startMs, endMs);
  return { startMs, endMs, shares, learnSlot: clock.isSlotBoundary(startMs) && shares.length === 1 ? shares[0]!.slot : null };
}

export interface LiveStart {
  /** The end of the first live window: the latest one that has closed and settled at `nowMs`. */
  readonly firstEndMs: number;
  /**
   * Where training stops: the start of the first live window that coincides with a slot, so that
   * every slot is learnt exactly once, by training before it and by the live windows after.
   */
  readonly trainUntilMs: number;
}

export function liveStart(clock: SlotClock, nowMs: number, settleMs: number): LiveStart {
  const { stepMs, slotMs } = clock.granularity;
  const firstEndMs = clock.floor(nowMs - settleMs, stepMs);
  return { firstEndMs, trainUntilMs: clock.ceil(firstEndMs, slotMs) - slotMs };
}

/** One training query: `slices` whole slots from `fromMs` to `toMs`. */
export interface TrainingChunk {
  readonly fromMs: number;
  readonly toMs: number;
  readonly slices: number;
}

/** The whole slots inside [fromMs, toMs), in queries of at most `maxSlices` slots, oldest first. */
export function trainingChunks(clock: SlotClock, fromMs: number, toMs: number, maxSlices: number): TrainingChunk[] {
  if (!(Number.isInteger(maxSlices) && maxSlices >= 1)) throw new RangeError(`trainingChunks: maxSlices must be a whole number >= 1, got ${maxSlices}`);
  const { slotMs } = clock.granularity;
  const chunks: TrainingChunk[] = [];
  let at = clock.ceil(fromMs, slotMs);
  const end = clock.floor(toMs, slotMs);
  while (at < end) {
    const slices = Math.min(maxSlices, Math.round((end - at) / slotMs));
    chunks.push({ fromMs: at, toMs: at + slices * slotMs, slices });
    at += slices * slotMs;
  }
  return chunks;
}
