// Local wall-clock arithmetic of the baselines: which slot an instant falls in (time of day, or of
// the week), and the local-clock boundaries windows and slots are aligned to (TZ, daylight saving).

import { GRANULARITIES, type Granularity } from './granularity.js';

const MINUTE_MS = 60_000;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Part of a time span that lies in one slot: `weight` is that part's share of the span (0–1]. */
export interface SlotShare {
  readonly slot: number;
  readonly weight: number;
}

export class SlotClock {
  /** Baseline slots: 144 (DAY), 1008 (DAY with -bdow), 168 (WEEK). */
  readonly slots: number;

  constructor(
    readonly granularity: Granularity,
    /** -bdow: separate DAY slots per day of the week. WEEK slots are per day of the week already. */
    readonly byDayOfWeek: boolean = false,
  ) {
    if (byDayOfWeek && granularity === GRANULARITIES.WEEK) throw new RangeError('SlotClock: WEEK slots are per day of the week already; byDayOfWeek is for DAY');
    this.slots = granularity.slotsPerPeriod * (byDayOfWeek ? 7 : 1);
  }

  /** The slot the instant `ms` falls in, by the local clock. */
  slotOf(ms: number): number {
    const d = new Date(ms);
    if (this.granularity === GRANULARITIES.WEEK) return d.getDay() * 24 + d.getHours();
    const inDay = Math.floor((d.getHours() * 60 + d.getMinutes()) / 10);
    return this.byDayOfWeek ? d.getDay() * 144 + inDay : inDay;
  }

  /**
   * The latest instant at or before `ms` at which the local clock shows a whole multiple of `unitMs`
   * (which divides an hour: 2, 10 or 60 minutes). Local, so that windows read 16:20:00–16:30:00 in
   * zones whose offset is not a whole hour, and stay aligned across daylight-saving changes.
   */
  floor(ms: number, unitMs: number): number {
    const d = new Date(ms);
    const unitMin = unitMs / MINUTE_MS;
    return ms - (((d.getMinutes() % unitMin) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds());
  }

  /** The earliest local-clock multiple of `unitMs` at or after `ms`. */
  ceil(ms: number, unitMs: number): number {
    const f = this.floor(ms, unitMs);
    return f === ms ? ms : f + unitMs;
  }

  /** Whether `ms` is a slot boundary by the local clock. */
  isSlotBoundary(ms: number): boolean {
    return this.floor(ms, this.granularity.slotMs) === ms;
  }

  /** How the span [fromMs, toMs) divides over slots, in time order; weights add up to 1. */
  shares(fromMs: number, toMs: number): SlotShare[] {
    const out: SlotShare[] = [];
    const span = toMs - fromMs;
    let at = fromMs;
    while (at < toMs) {
      const next = Math.min(toMs, this.floor(at, this.granularity.slotMs) + this.granularity.slotMs);
      const slot = this.slotOf(at);
      const weight = (next - at) / span;
      const last = out[out.length - 1];
      if (last !== undefined && last.slot === slot) out[out.length - 1] = { slot, weight: last.weight + weight };
      else out.push({ slot, weight });
      at = next;
    }
    return out;
  }

  /** A slot for messages: `16:20` (DAY), `Mon 16:20` (DAY with -bdow), `Mon 16:00` (WEEK). */
  describeSlot(slot: number): string {
    const hm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    if (this.granularity === GRANULARITIES.WEEK) return `${DAY_NAMES[Math.floor(slot / 24)]} ${hm((slot % 24) * 60)}`;
    const inDay = slot % 144;
    return this.byDayOfWeek ? `${DAY_NAMES[Math.floor(slot / 144)]} ${hm(inDay * 10)}` : hm(inDay * 10);
  }
}
