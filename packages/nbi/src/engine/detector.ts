// What a detector is to the engine: the ranking it learns and checks, its alert rule, and how it
// turns the anomalies of a checked window into alerts (asking the server more when it needs to).

import type { AlertDraft } from '../output/alertdraft.js';
import type { DetectorName } from '../output/alertrecord.js';
import type { ApiLink } from './apilink.js';
import type { Expectation } from './baselinestore.js';
import type { Notices } from './notices.js';
import type { AlertRule, Verdict } from './judge.js';
import type { Ranking, RankedEntity, RankingSpec } from './ranking.js';
import type { EvalWindow } from './windowplan.js';

/** An entity whose value in a window is anomalous. */
export interface Finding {
  readonly key: string;
  /** Its row in the window's ranking; undefined when it was absent (its value is then 0). */
  readonly entity: RankedEntity | undefined;
  readonly value: number;
  readonly expectation: Expectation;
  readonly verdict: Verdict;
}

export interface WindowCheck {
  readonly window: EvalWindow;
  readonly ranking: Ranking;
  /** HIGH findings first, then LOW; each by deviations (those without a deviation last), then value. */
  readonly findings: readonly Finding[];
}

/** What a detector may use while it turns a checked window into alerts. */
export interface DetectorContext {
  /** For further queries (ftdos asks each target's sources). */
  readonly link: ApiLink;
  /** Aborted when the detector stops: pass it to link.json. */
  readonly signal: AbortSignal;
  readonly notices: Notices;
}

export interface Detector {
  readonly name: DetectorName;
  readonly ranking: RankingSpec;
  readonly rule: AlertRule;
  /** The alerts of a checked window, in the order they are printed. */
  alerts(check: WindowCheck, ctx: DetectorContext): Promise<AlertDraft[]>;
}
