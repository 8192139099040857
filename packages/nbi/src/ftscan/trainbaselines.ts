// Training of several baselines over one history (ftscan's unique hosts and unique services): each
// windowed query period asks every ranking, learns every slot, and prints one progress line as nbi.md shows.

import { RuntimeFailure, type StatAnswer } from '@opentraq/cli';
import type { ApiLink } from '../engine/apilink.js';
import type { BaselineStore } from '../engine/baselinestore.js';
import type { Notices } from '../engine/notices.js';
import { STAT_PATH, rankingParams, readRanking, type RankingSpec } from '../engine/ranking.js';
import type { SlotClock } from '../engine/slotclock.js';
import type { TrainingResult } from '../engine/training.js';
import { trainingChunks } from '../engine/windowplan.js';

/** One baseline: the ranking it learns and where it keeps what it learnt. */
export interface BaselineTrack {
  /** For messages: `unique hosts`. */
  readonly what: string;
  readonly spec: RankingSpec;
  readonly store: BaselineStore;
}

export interface BaselinesRequest {
  readonly clock: SlotClock;
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

/**
 * Learns every track from the history, oldest slots first; an iteration asks each track's ranking
 * for the same slots. `records` counts the sessions of the history once (every ranking goes through
 * the same sessions); `entities` is the most any track tracks.
 */
export async function trainBaselines(link: ApiLink, tracks: readonly BaselineTrack[], req: BaselinesRequest): Promise<TrainingResult> {
  const { clock, notices } = req;
  const chunks = trainingChunks(clock, req.fromMs, req.toMs, req.maxSlices);
  const slotMs = clock.granularity.slotMs;
  notices.line('Learning...');
  notices.line(`Estimated iterations: ${chunks.length}`);
  let records = 0;
  const truncated = new Set<BaselineTrack>();
  for (const [i, chunk] of chunks.entries()) {
    let sessions = 0;
    for (const track of tracks) {
      const params = rankingParams(track.spec, chunk.fromMs, chunk.toMs, req.rows, chunk.slices);
      const answer = await link.json<StatAnswer>('GET', STAT_PATH, { params }, `training query ${i + 1} of ${chunks.length} (${track.what})`, req.signal);
      const ranking = readRanking(answer, req.rows);
      if (ranking.rows.some((r) => r.slices.length !== chunk.slices)) {
        throw new RuntimeFailure('BAD_ANSWER', `the server's ranking has not the ${chunk.slices} slices asked for: is it an ftserver of another version?`);
      }
      if (!ranking.complete && !truncated.has(track)) {
        truncated.add(track);
        notices.say(`the history holds ${ranking.entities} addresses in one training query of ${track.what}; only the ${req.rows} largest are learnt per query (raise -bm to track more)`);
      }
      for (let k = 0; k < chunk.slices; k++) {
        const values = new Map<string, number>();
        for (const row of ranking.rows) if (row.slices[k]! > 0) values.set(row.key, row.slices[k]!);
        const sliceStart = chunk.fromMs + k * slotMs;
        track.store.learn(clock.slotOf(sliceStart), values, sliceStart + slotMs, ranking.complete);
      }
      sessions = Math.max(sessions, ranking.sessions);
    }
    records += sessions;
    notices.line(`Progress: ${(((i + 1) / chunks.length) * 100).toFixed(3)}%  ${records} records`);
  }
  const entities = Math.max(0, ...tracks.map((t) => t.store.entities));
  notices.line(`Training complete, tracking ${entities} entities...`);
  return { queries: chunks.length, records, entities };
}
