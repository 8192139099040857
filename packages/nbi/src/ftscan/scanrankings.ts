// The rankings ftscan learns and asks: unique hosts and unique services in the sessions each address
// initiated (its horizontal and vertical baselines), and one scanner's unique services per target.

import { ENTITY_BY_NAME } from '@opentraq/core';
import type { RankingSpec } from '../engine/ranking.js';

const IP = ENTITY_BY_NAME.get('IP')!;

export interface ScanRankings {
  /** -grp IP -cnt UNIQUE IP -snd: the distinct addresses each source sent sessions to. */
  readonly horizontal: RankingSpec;
  /** -grp IP -cnt UNIQUE PORTPROTO -snd: the distinct services (port/protocol) each source contacted, over all its targets. */
  readonly vertical: RankingSpec;
}

export function scanRankings(selection: Readonly<Record<string, string>>): ScanRankings {
  return {
    horizontal: { entity: IP, count: 'UNIQUE', unique: 'IP', direction: 'snd', selection },
    vertical: { entity: IP, count: 'UNIQUE', unique: 'PORTPROTO', direction: 'snd', selection },
  };
}

/**
 * -grp IP -cnt UNIQUE PORTPROTO -rcv with CLNIP=source added to the selection: for every address the
 * source initiated sessions to, the distinct services of those sessions — the ports it scanned there.
 */
export function targetsOfSource(selection: Readonly<Record<string, string>>, source: string): RankingSpec {
  const q = selection.query;
  return { entity: IP, count: 'UNIQUE', unique: 'PORTPROTO', direction: 'rcv', selection: { ...selection, query: q === undefined ? `CLNIP=${source}` : `(${q}) && CLNIP=${source}` } };
}
