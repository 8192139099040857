// One baseline of a detector: the ranking it learns and checks, and the store that keeps it. ftdos
// and fttcv have one; ftscan two (unique hosts, unique services), named in their messages.

import type { BaselineStore } from './baselinestore.js';
import type { RankingSpec } from './ranking.js';

/** How stderr tells a detector's baselines apart when it keeps several. */
export interface TrackNaming {
  /** What the baseline counts: `unique hosts`. */
  readonly what: string;
  /** What its ranking's entities are: `addresses`. */
  readonly entities: string;
}

export interface BaselineTrack {
  readonly spec: RankingSpec;
  readonly store: BaselineStore;
  /** Absent for a detector's only baseline. */
  readonly naming?: TrackNaming;
}
