// A collector's store for the outage tests: hosts 10.0.0.1–5 sending perMinute's bytes in 20 short
// sessions a minute each (10.0.0.2 loud from a given time), and stretches in which it stored nothing.

import type { StatAnswer } from '@opentraq/cli';
import { perMinute, statAnswer, type RankRow } from './fakes.js';

const MINUTE_MS = 60_000;
/** Sessions each host has in a minute the collector stored. */
export const SESSIONS_PER_HOST_MINUTE = 20;
const HOSTS = [1, 2, 3, 4, 5];

export interface Stretch {
  readonly fromMs: number;
  readonly toMs: number;
}

export class FakeFeed {
  constructor(
    /** Stretches of minutes in which nothing was stored. */
    readonly gaps: readonly Stretch[],
    /** From then on 10.0.0.2 sends 50 times its bytes (perMinute). */
    readonly loudFrom = Infinity,
  ) {}

  /** Whether the minute starting at `minuteMs` was stored. */
  stored(minuteMs: number): boolean {
    return !this.gaps.some((g) => minuteMs >= g.fromMs && minuteMs < g.toMs);
  }

  /** The minutes of [fromMs, toMs) (whole minutes) that were stored. */
  private storedMinutes(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let m = fromMs; m < toMs; m += MINUTE_MS) if (this.stored(m)) out.push(m);
    return out;
  }

  /**
   * The answer ftserver gives for these /api/v1/stat parameters: the ranking of the five hosts by bytes
   * (rhythmRanking's, without what was not stored), or the feed check's sessions by QOS (one value: 0).
   */
  answer(params: Readonly<Record<string, string>>): StatAnswer {
    const fromMs = Number(params.after_time) * 1000;
    const toMs = Number(params.before_time) * 1000;
    const n = params.slices === undefined ? 1 : Number(params.slices);
    const span = (toMs - fromMs) / n;
    const sliceMinutes = Array.from({ length: n }, (_, k) => this.storedMinutes(fromMs + k * span, fromMs + (k + 1) * span));
    const sessions = sliceMinutes.reduce((a, ms) => a + ms.length, 0) * HOSTS.length * SESSIONS_PER_HOST_MINUTE;
    const opts = { fromS: fromMs / 1000, toS: toMs / 1000, slices: params.slices === undefined ? 0 : n, sessions };
    if (params.group_by === 'QOS') {
      const slices = sliceMinutes.map((ms) => ms.length * HOSTS.length * SESSIONS_PER_HOST_MINUTE);
      return statAnswer(['QOS'], sessions === 0 ? [] : [{ cells: [0], value: sessions, counts: [0, 0, 0, 0, sessions, 0], ...(params.slices !== undefined && { slices }) }], opts);
    }
    const rows: RankRow[] = [];
    for (const h of HOSTS) {
      const slices = sliceMinutes.map((ms) => ms.reduce((a, m) => a + perMinute(h, m, this.loudFrom), 0));
      const value = slices.reduce((a, b) => a + b, 0);
      if (value > 0) rows.push({ cells: [`10.0.0.${h}`], value, counts: [value, 0, 10, 0, 5, 0], ...(params.slices !== undefined && { slices }) });
    }
    rows.sort((a, b) => b.value - a.value);
    return statAnswer(['IP'], rows.slice(0, Number(params.rows ?? rows.length)), { ...opts, entities: rows.length });
  }
}
