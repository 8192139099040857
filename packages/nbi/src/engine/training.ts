// Training: the history (-tn, -te/-tl) asked for in windowed ranking queries with one slice per slot,
// every slot learnt in time order, and the progress lines of nbi.md on stderr.

import type { StatAnswer } from '@opentraq/cli';
import { RuntimeFailure } from '@opentraq/cli';
import type { ApiLink } from './apilink.js';
import type { BaselineStore } from './baselinestore.js';
import type { Notices } from './notices.js';
import { STAT_PATH, rankingParams, readSlicedRanking, type RankingSpec } from './ranking.js';
import type { SlotClock } from './slotclock.js';
import { trainingChunks } from './windowplan.js';

export interface TrainingRequest {
  readonly spec: RankingSpec;
  readonly clock: SlotClock;
  readonly store: BaselineStore;
  /** The history: whole slots inside [fromMs, toMs) are learnt. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Rows asked per query: the most entities a query can teach. */
  readonly rows: number;
  /** Slots per query. */
  readonly maxSlices: number;
  readonly notices: Notices;
  readonly signal?: AbortSignal;
}

export interface TrainingResult {
  readonly queries: number;
  /** Sessions the queries went through (nbi.md's "records"). */
  readonly records: number;
  readonly entities: number;
}

/** Learns the baselines from the history; resolves once every query is answered and learnt. */
export async function train(link: ApiLink, req: TrainingRequest): Promise<TrainingResult> {
  const { clock, store, notices } = req;
  const chunks = trainingChunks(clock, req.fromMs, req.toMs, req.maxSlices);
  const slotMs = clock.granularity.slotMs;
  notices.line('Learning...');
  notices.line(`Estimated iterations: ${chunks.length}`);
  let records = 0;
  let truncated = false;
  let column = new Float64Array(0);
  for (const [i, chunk] of chunks.entries()) {
    const params = rankingParams(req.spec, chunk.fromMs, chunk.toMs, req.rows, chunk.slices);
    const answer = await link.json<StatAnswer>('GET', STAT_PATH, { params }, `training query ${i + 1} of ${chunks.length}`, req.signal);
    const ranking = readSlicedRanking(answer, req.rows);
    if (ranking.slices !== chunk.slices) {
      throw new RuntimeFailure('BAD_ANSWER', `the server's ranking has not the ${chunk.slices} slices asked for: is it an ftserver of another version?`);
    }
    if (!ranking.complete && !truncated) {
      truncated = true;
      notices.say(
        `the history holds ${ranking.entities} entities in one training query; only the ${req.rows} largest are learnt per query (raise -bm to track more)`,
      );
    }
    if (column.length < ranking.keys.length) column = new Float64Array(ranking.keys.length);
    for (let k = 0; k < chunk.slices; k++) {
      ranking.sliceValues(k, column);
      const sliceStart = chunk.fromMs + k * slotMs;
      store.learnRows(clock.slotOf(sliceStart), ranking.keys, column, sliceStart + slotMs, ranking.complete);
    }
    records += ranking.sessions;
    notices.line(`Progress: ${(((i + 1) / chunks.length) * 100).toFixed(3)}%  ${records} records`);
  }
  notices.line(`Training complete, tracking ${store.entities} entities...`);
  return { queries: chunks.length, records, entities: store.entities };
}
