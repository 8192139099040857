// The parts of the history the collector did not see whole, found while training: the slots that are
// therefore not learnt (an outage is not silence), and the stretches without data for the note after it.

import { formatWindowTime } from '../output/windowtime.js';
import { FEED_PARTS } from './feedcoverage.js';
import type { FeedWatch } from './feedwatch.js';

/** Stretches named in the note; more are counted. */
const NAMED_STRETCHES = 3;

interface Stretch {
  fromMs: number;
  toMs: number;
}

export class HistoryGaps {
  /** Dark parts of the slots not learnt, merged where they touch, in time order. */
  private readonly stretches: Stretch[] = [];
  /** Starts of the slots not learnt. */
  private readonly skipped = new Set<number>();

  constructor(private readonly feed: FeedWatch) {}

  /** Slots found not seen whole so far. */
  get slots(): number {
    return this.skipped.size;
  }

  /** Whether the slot starting at `startMs` was found not seen whole (and so not learnt). */
  has(startMs: number): boolean {
    return this.skipped.has(startMs);
  }

  /**
   * For each of the `slots` consecutive slots of [fromMs, toMs), oldest first: whether the collector
   * did not see it whole, so that it must not be learnt. `what` names the training query it belongs to.
   */
  async gapsIn(fromMs: number, toMs: number, slots: number, what: string, signal?: AbortSignal): Promise<boolean[]> {
    const verdicts = await this.feed.spans(fromMs, toMs, slots, `${what} (the collector's feed)`, signal);
    const slotMs = (toMs - fromMs) / slots;
    const partMs = slotMs / FEED_PARTS;
    return verdicts.map((v, k) => {
      if (v.coverage === 'whole') return false;
      const start = fromMs + k * slotMs;
      this.skipped.add(start);
      for (const d of v.dark) this.addDark(start + d * partMs, start + (d + 1) * partMs);
      return true;
    });
  }

  private addDark(fromMs: number, toMs: number): void {
    const last = this.stretches[this.stretches.length - 1];
    if (last !== undefined && last.toMs === fromMs) last.toMs = toMs;
    else this.stretches.push({ fromMs, toMs });
  }

  /** What training left out, for stderr; null when it left out nothing. */
  notice(): string | null {
    const n = this.skipped.size;
    if (n === 0) return null;
    const named = this.stretches.slice(0, NAMED_STRETCHES).map((s) => `from ${formatWindowTime(s.fromMs)} to ${formatWindowTime(s.toMs)}`);
    const more = this.stretches.length - named.length;
    const list = more > 0 ? `${named.join(', ')} and ${more} more stretch${more === 1 ? '' : 'es'}` : named.join(', ');
    const touch = this.stretches.length === 1 ? 'it touches' : 'they touch';
    const slots = n === 1 ? `the one slot ${touch} was not learnt` : `the ${n} slots ${touch} were not learnt`;
    return `the collector stored nothing in ${this.stretches.length === 1 ? 'part' : 'parts'} of the history — ${list}: ${slots} (an outage, or the time before the collector was installed, is not silence)`;
  }
}
