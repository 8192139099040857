// How every detector with a history learns it: the spans asked for one after the other, oldest
// first, and the lines nbi.md shows on stderr (Learning..., Estimated iterations, Progress, complete).

import type { Notices } from './notices.js';
import { plural } from '../output/plural.js';

export interface TrainingResult {
  /** Spans asked for (nbi.md's iterations). */
  readonly queries: number;
  /** Sessions the queries went through (nbi.md's "records"). */
  readonly records: number;
  /** Entities tracked once the history was learnt. */
  readonly entities: number;
}

/** What a detector learns from: its spans of the history, and how it learns one. */
export interface HistoryLessons<S> {
  /** Oldest first. */
  readonly spans: readonly S[];
  /**
   * Asks for one span and learns it; resolves with the sessions its queries went through. `what`
   * names the query for the server link's retry messages (`training query 3 of 84`).
   */
  learn(span: S, what: string): Promise<number>;
  /** Entities tracked so far. */
  tracked(): number;
  /** What the detector tracks, one and many, for the last line; default entity, entities (nbi.md's words). */
  readonly tracking?: readonly [string, string];
}

/** Learns every span in order; Stopped (from the link) unwinds it when the detector is asked to stop. */
export async function learnHistory<S>(lessons: HistoryLessons<S>, notices: Notices): Promise<TrainingResult> {
  const { spans } = lessons;
  notices.line('Learning...');
  notices.line(`Estimated iterations: ${spans.length}`);
  let records = 0;
  for (const [i, span] of spans.entries()) {
    records += await lessons.learn(span, `training query ${i + 1} of ${spans.length}`);
    notices.line(`Progress: ${(((i + 1) / spans.length) * 100).toFixed(3)}%  ${plural(records, 'record', 'records')}`);
  }
  const entities = lessons.tracked();
  const [one, many] = lessons.tracking ?? ['entity', 'entities'];
  notices.line(`Training complete, tracking ${plural(entities, one, many)}...`);
  return { queries: spans.length, records, entities };
}
