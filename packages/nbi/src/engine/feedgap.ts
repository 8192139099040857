// What stderr says of a gap in the collector's feed during the live windows: a line when it begins and
// one when the feed is back (or the detector stops first), with -v what became of each window in it.

import { formatWindowTime } from '../output/windowtime.js';
import { FEED_PARTS, type FeedVerdict } from './feedcoverage.js';
import type { Notices } from './notices.js';
import type { WindowSpan } from './windowcadence.js';

export class FeedGap {
  /** Windows not seen whole since the last one seen whole, of them those without any session, and the ends of the first and the last. */
  private windows = 0;
  private empty = 0;
  private firstEndMs = 0;
  private lastEndMs = 0;

  constructor(
    private readonly notices: Notices,
    /** -v: a line for every window skipped, as for every window checked. */
    private readonly verbose: boolean,
  ) {}

  /** What the collector missed of `window`: `no session at all`, `3 min without a session`. */
  static missing(window: WindowSpan, verdict: FeedVerdict): string {
    if (verdict.coverage === 'none') return 'no session at all';
    const partMs = (window.endMs - window.startMs) / FEED_PARTS;
    return `${Math.round((verdict.dark.length * partMs) / 60_000)} min without a session`;
  }

  /** `window` was not seen whole (verdict `none` or `cut`): the gap's first line when it is its first window, with -v its own for `none`. */
  notSeenWhole(window: WindowSpan, verdict: FeedVerdict): void {
    const missing = FeedGap.missing(window, verdict);
    if (this.windows === 0) {
      const partMs = (window.endMs - window.startMs) / FEED_PARTS;
      const from = window.startMs + (verdict.dark[0] ?? 0) * partMs;
      this.notices.say(
        `the collector stored nothing from ${formatWindowTime(from)} (${missing} in the window ending ${formatWindowTime(window.endMs)}): until its feed is back, windows it did not see whole are judged for HIGH values only and not learnt, those without any session not judged at all (exporters down, the network to them cut, ftserver restarted?)`,
      );
      this.firstEndMs = window.endMs;
    }
    this.windows++;
    this.lastEndMs = window.endMs;
    if (verdict.coverage !== 'none') return;
    this.empty++;
    if (this.verbose) this.notices.say(`window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: skipped: ${missing}`);
  }

  private tally(): string {
    const first = formatWindowTime(this.firstEndMs);
    const which = this.windows === 1 ? `1 window ending ${first} was` : `${this.windows} windows ending ${first} to ${formatWindowTime(this.lastEndMs)} were`;
    const judged = this.windows - this.empty;
    const kinds = [
      ...(this.empty > 0 ? [`${this.empty} without any session, skipped`] : []),
      ...(judged > 0 ? [`${judged} judged for HIGH values only`] : []),
    ];
    return `${which} not seen whole (${kinds.join('; ')}), none learnt`;
  }

  /** `window` is seen whole: the end of a gap, if there was one. */
  resume(window: WindowSpan): void {
    if (this.windows === 0) return;
    this.notices.say(`the collector's feed is back: ${this.tally()}; the window ending ${formatWindowTime(window.endMs)} is judged and learnt in full`);
    this.windows = 0;
    this.empty = 0;
  }

  /** The detector stops: a gap still open is told how long it was. */
  stopped(): void {
    if (this.windows === 0) return;
    this.notices.say(`${this.tally()}: the collector's feed was not back when the detector stopped`);
    this.windows = 0;
    this.empty = 0;
  }
}
