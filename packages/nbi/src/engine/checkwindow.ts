// Checks one window: its ranking asked for, each entity (and each tracked one that went silent)
// compared with its expectation by the alert rule, the anomalies listed in the order they print.

import type { StatAnswer } from '@opentraq/cli';
import type { ApiLink } from './apilink.js';
import type { BaselineStore } from './baselinestore.js';
import type { Detector, Finding, WindowCheck } from './detector.js';
import { judge } from './judge.js';
import { STAT_PATH, rankingParams, readRanking } from './ranking.js';
import type { EvalWindow } from './windowplan.js';
import { formatWindowTime } from '../output/windowtime.js';

function order(a: Finding, b: Finding): number {
  if (a.verdict.direction !== b.verdict.direction) return a.verdict.direction === 'HIGH' ? -1 : 1;
  if (a.verdict.k !== b.verdict.k) return b.verdict.k - a.verdict.k;
  const byValue = a.verdict.direction === 'HIGH' ? b.value - a.value : a.value - b.value;
  return byValue !== 0 ? byValue : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** `detector`: the ranking asked for and the rule its entities are judged by. */
export async function checkWindow(detector: Pick<Detector, 'ranking' | 'rule'>, store: BaselineStore, link: ApiLink, window: EvalWindow, rows: number, signal: AbortSignal): Promise<WindowCheck> {
  const params = rankingParams(detector.ranking, window.startMs, window.endMs, rows);
  const what = `checking the window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}`;
  const ranking = readRanking(await link.json<StatAnswer>('GET', STAT_PATH, { params }, what, signal), rows);
  const present = new Map(ranking.rows.filter((r) => r.value > 0).map((r) => [r.key, r]));
  const keys = new Set(present.keys());
  // an entity missing from a complete ranking was silent: its 0 is checked too (LOW alerts)
  if (ranking.complete) for (const k of store.keysIn(window.shares.map((s) => s.slot))) keys.add(k);
  const findings: Finding[] = [];
  for (const key of keys) {
    const entity = present.get(key);
    const value = entity?.value ?? 0;
    const expectation = store.expectation(key, window.shares);
    const verdict = judge(value, expectation, detector.rule);
    if (verdict !== null) findings.push({ key, entity, value, expectation, verdict });
  }
  findings.sort(order);
  return { window, ranking, findings };
}
