// Whether the collector saw a span whole: its short sessions in each tenth of the span, asked of the
// server whatever the detector's filter and measure, judged by feedVerdict against the feed's recent level.

import { RuntimeFailure, epochParam, firstSliceColumn, statAnswerProblem, type StatAnswer } from '@opentraq/cli';
import type { ApiLink } from './apilink.js';
import { FEED_PARTS, SHORT_SESSION_S, feedVerdict, type FeedVerdict } from './feedcoverage.js';
import { STAT_PATH } from './ranking.js';
import type { WindowSpan } from './windowcadence.js';

/** The sessions the feed check counts: the short ones (feedcoverage.ts says why). */
export const FEED_FILTER = `TTIME<=${SHORT_SESSION_S}`;

/**
 * What of a detector's selection narrows its feed: the exporter (-e) and interface (-ei) it reads
 * are where its data come from; -q and -ef choose among the data, and a choice that is quiet is no outage.
 */
const FEED_SELECTION = ['exporter', 'ifindex'] as const;

function badAnswer(problem: string): RuntimeFailure {
  return new RuntimeFailure('BAD_ANSWER', `the server's count of sessions per part of the span cannot be read: ${problem}`);
}

export class FeedWatch {
  private readonly selection: Readonly<Record<string, string>>;
  /** Short sessions per part in the last span seen whole; 0 before the first. */
  private level = 0;

  constructor(
    private readonly link: ApiLink,
    /** The detector's selection (query=, exporter=, ifindex= as readSelection gives them). */
    selection: Readonly<Record<string, string>>,
  ) {
    this.selection = Object.fromEntries(FEED_SELECTION.filter((k) => selection[k] !== undefined).map((k) => [k, selection[k]!]));
  }

  /** The verdict on one window, in FEED_PARTS parts; a window seen whole sets the level the next ones are judged by. */
  async window(span: WindowSpan, what: string, signal?: AbortSignal): Promise<FeedVerdict> {
    const [verdict] = await this.spans(span.startMs, span.endMs, 1, what, signal);
    return verdict!;
  }

  /** The verdicts on `spans` consecutive spans of equal length that make up [fromMs, toMs), oldest first. */
  async spans(fromMs: number, toMs: number, spans: number, what: string, signal?: AbortSignal): Promise<FeedVerdict[]> {
    const counts = await this.counts(fromMs, toMs, spans * FEED_PARTS, what, signal);
    const verdicts: FeedVerdict[] = [];
    for (let s = 0; s < spans; s++) {
      const v = feedVerdict(counts.slice(s * FEED_PARTS, (s + 1) * FEED_PARTS), this.level);
      if (v.coverage === 'whole') this.level = v.level;
      verdicts.push(v);
    }
    return verdicts;
  }

  /** Short sessions in each of `parts` equal parts of [fromMs, toMs), from one ranking by QOS with that many slices. */
  private async counts(fromMs: number, toMs: number, parts: number, what: string, signal?: AbortSignal): Promise<number[]> {
    const params = {
      group_by: 'QOS',
      count_by: 'SESSIONS',
      after_time: epochParam(fromMs * 1000),
      before_time: epochParam(toMs * 1000),
      rows: '1',
      slices: String(parts),
      query: FEED_FILTER,
      ...this.selection,
    };
    const answer = await this.link.json<StatAnswer>('GET', STAT_PATH, { params }, what, signal);
    const problem = statAnswerProblem(answer);
    if (problem !== null) throw badAnswer(problem);
    const other = answer.series?.other;
    if (!Array.isArray(other) || other.length !== parts) throw badAnswer(`it has ${Array.isArray(other) ? other.length : 'no'} slices where ${parts} were asked for`);
    // the one row shown and the sum over the rest: every short session of each part
    const counts = other.map(Number);
    const first = firstSliceColumn(answer);
    for (const row of answer.data) for (let k = 0; k < parts; k++) counts[k] = counts[k]! + Number(row[first + k]);
    if (!counts.every((c) => Number.isFinite(c) && c >= 0)) throw badAnswer('a slice holds something other than a count of sessions');
    return counts;
  }
}
