// Training of ranking baselines: the history (-tn, -te/-tl) asked for in windowed ranking queries with
// one slice per slot, every baseline of the detector asked for the same slots, each slot learnt in time order.

import type { ApiLink } from './apilink.js';
import type { BaselineStore } from './baselinestore.js';
import type { BaselineTrack } from './baselinetrack.js';
import type { HistoryGaps } from './historygaps.js';
import { learnHistory, type TrainingResult } from './learnhistory.js';
import type { Notices } from './notices.js';
import { STAT_PATH, rankingParams, type RankingSpec } from './ranking.js';
import { readSlicedRankingCsv } from './slicedrankingcsv.js';
import type { SlotClock } from './slotclock.js';
import { trainingChunks } from './windowplan.js';

/** The history to learn and how to ask for it. */
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
  /** When given: the slots the collector did not see whole, which are not learnt (an outage is not silence). */
  readonly gaps?: Pick<HistoryGaps, 'gapsIn'>;
}

/** The training of a detector with one baseline. */
export interface TrainingRequest extends BaselinesRequest {
  readonly spec: RankingSpec;
  readonly store: BaselineStore;
}

/** Learns one baseline from the history; resolves once every query is answered and learnt. */
export function train(link: ApiLink, req: TrainingRequest): Promise<TrainingResult> {
  return trainBaselines(link, [{ spec: req.spec, store: req.store }], req);
}

/**
 * Learns every track from the history, oldest slots first; an iteration asks each track's ranking
 * for the same slots. `records` counts the sessions of the history once (every ranking goes through
 * the same sessions); `entities` is the most any track tracks.
 */
export function trainBaselines(link: ApiLink, tracks: readonly BaselineTrack[], req: BaselinesRequest): Promise<TrainingResult> {
  const { clock, notices } = req;
  const slotMs = clock.granularity.slotMs;
  const truncated = new Set<BaselineTrack>();
  let column = new Float64Array(0);
  return learnHistory(
    {
      spans: trainingChunks(clock, req.fromMs, req.toMs, req.maxSlices),
      tracked: () => Math.max(0, ...tracks.map((t) => t.store.entities)),
      learn: async (chunk, what) => {
        const gaps = (await req.gaps?.gapsIn(chunk.fromMs, chunk.toMs, chunk.slices, what, req.signal)) ?? [];
        if (gaps.length > 0 && gaps.every(Boolean)) return 0;
        let sessions = 0;
        for (const track of tracks) {
          const { naming } = track;
          // as CSV read while it arrives: an answer of rows × slots is never held whole (docs/nbi.md, Memory)
          const params = { ...rankingParams(track.spec, chunk.fromMs, chunk.toMs, req.rows, chunk.slices), format: 'csv', header: '1' };
          const asked = naming === undefined ? what : `${what} (${naming.what})`;
          const ranking = await link.read(STAT_PATH, { params }, asked, (body) => readSlicedRankingCsv(body, chunk.slices, req.rows), req.signal);
          if (!ranking.complete && !truncated.has(track)) {
            truncated.add(track);
            notices.say(
              `the history holds ${ranking.entities} ${naming?.entities ?? 'entities'} in one training query${naming === undefined ? '' : ` of ${naming.what}`}; only the ${req.rows} largest are learnt per query (raise -bm to track more)`,
            );
          }
          if (column.length < ranking.keys.length) column = new Float64Array(ranking.keys.length);
          for (let k = 0; k < chunk.slices; k++) {
            if (gaps[k] === true) continue;
            ranking.sliceValues(k, column);
            const sliceStart = chunk.fromMs + k * slotMs;
            track.store.learnRows(clock.slotOf(sliceStart), ranking.keys, column, sliceStart + slotMs, ranking.complete);
          }
          sessions = Math.max(sessions, ranking.sessions);
        }
        return sessions;
      },
    },
    notices,
  );
}
