// The rule that tells a stopped feed from a quiet network: a span looked at in tenths is not seen whole
// when every tenth is without a session, or some are while the feed is busy enough that it cannot be chance.

/** A window or slot is looked at in this many parts: a minute of a DAY slot, 6 minutes of a WEEK one. */
export const FEED_PARTS = 10;

/**
 * Sessions no longer than this (seconds) are what the feed check counts. A long session that the
 * collector goes on merging flows into after an outage spans the gap and would make it look busy;
 * one of at most a minute cannot cover a whole minute without data.
 */
export const SHORT_SESSION_S = 60;

/**
 * Short sessions a part of a busy feed holds on average. At this rate a part without any is not
 * chance (a Poisson count of mean 30 is 0 once in 10^13), so it is a part the collector did not receive.
 */
export const BUSY_PART = 30;

/**
 * `whole`: the collector saw the span; `none`: it stored no session in it at all; `cut`: parts
 * without a session in a feed that is busy (the feed stopped or came back within the span).
 */
export type Coverage = 'whole' | 'none' | 'cut';

/**
 * A window as the window loop hands it to a check: with how much of it the collector saw. A `cut`
 * window misses data, which can only lower values: it is judged for HIGH values only, and not learnt.
 */
export type Seen<W> = W & { readonly coverage: Exclude<Coverage, 'none'> };

export interface FeedVerdict {
  readonly coverage: Coverage;
  /** The parts without a single session, in time order. */
  readonly dark: readonly number[];
  /** Short sessions per part with some: the feed's level in the span (0 when none has any). */
  readonly level: number;
}

/**
 * The verdict on a span from its short sessions per part (`counts`, time order). `recentLevel` is the
 * level of the last span seen whole: a feed that was busy just before makes parts without a session
 * a gap even when the rest of this span is quiet (a feed coming back slowly). A span with no session
 * at all is never seen, whatever the level: there is nothing to judge in it, and nothing to learn.
 */
export function feedVerdict(counts: readonly number[], recentLevel: number): FeedVerdict {
  const dark: number[] = [];
  let sum = 0;
  for (const [k, c] of counts.entries()) {
    if (c > 0) sum += c;
    else dark.push(k);
  }
  const lit = counts.length - dark.length;
  const level = lit === 0 ? 0 : sum / lit;
  if (lit === 0) return { coverage: 'none', dark, level };
  if (dark.length > 0 && Math.max(level, recentLevel) >= BUSY_PART) return { coverage: 'cut', dark, level };
  return { coverage: 'whole', dark, level };
}
