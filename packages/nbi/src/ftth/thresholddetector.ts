// ftth: every window, each entity of a ranking (-grp by -cnt, -snd/-rcv) whose rate per -bw seconds
// exceeds -bt raises an alert, confidence 100 — no baseline, no training, as nbi.md describes it.

import type { StatAnswer } from '@opentraq/cli';
import { isV4Words, parseIp } from '@opentraq/core';
import type { DetectorContext } from '../engine/detector.js';
import { STAT_PATH, rankingParams, readRanking, type RankedEntity, type RankingSpec } from '../engine/ranking.js';
import type { FixedWindow, FixedWindowDetector, WindowSchedule } from '../engine/fixedwindowdetector.js';
import type { WindowOutcome } from '../engine/windowloop.js';
import type { Notices } from '../engine/notices.js';
import type { Measure } from '../fttcv/readmeasure.js';
import type { AlertDraft } from '../output/alertdraft.js';
import type { AlertValues } from '../output/alertrecord.js';
import { entityLabel, entityPhrase } from '../output/entitytext.js';
import { formatWindowTime } from '../output/windowtime.js';
import { countByName } from './countbyname.js';
import { ratePhrase } from './ratephrase.js';
import type { RateRule } from './readraterule.js';
import { plural } from '../output/plural.js';

/** Alerts per window at most (the highest rates); stderr says when more entities passed -bt. */
export const MAX_THRESHOLD_ALERTS = 1000;
/** One row more than is reported, to know whether more passed. */
const ROWS = MAX_THRESHOLD_ALERTS + 1;

/** A rate as the line prints it: whole numbers as they are (48999), others to the hundredth. */
export function formatRate(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export class ThresholdDetector implements FixedWindowDetector {
  readonly name = 'ftth';
  readonly ranking: RankingSpec;
  readonly configuration: string;
  private readonly phrase: string;

  constructor(
    readonly measure: Measure,
    selection: Readonly<Record<string, string>>,
    readonly rule: RateRule,
    readonly schedule: WindowSchedule,
  ) {
    this.ranking = { ...measure, selection };
    this.phrase = ratePhrase(measure, rule.perS);
    this.configuration = JSON.stringify({
      detector: 'ftth',
      entity: measure.entity.name,
      count: measure.count,
      unique: measure.unique ?? null,
      direction: measure.direction ?? null,
      selection,
      windowMs: schedule.windowMs,
      perS: rule.perS,
      threshold: rule.threshold,
    });
  }

  async prepare(): Promise<void> {
    // nothing to learn or load: a threshold needs no history
  }

  startNotice(firstEndMs: number): string {
    const { windowMs, settleMs } = this.schedule;
    return (
      `no training (a threshold needs no history): ${this.phrase} each ${this.measure.entity.name} checked against -bt ${this.rule.threshold} ` +
      `in windows of ${windowMs / 1000} s, each ${settleMs / 1000} s after it closes; the first window ends ${formatWindowTime(firstEndMs)}`
    );
  }

  /** The window's value as a rate per -bw seconds. */
  private rate(value: number): number {
    return (value * this.rule.perS * 1000) / this.schedule.windowMs;
  }

  async check(window: FixedWindow, ctx: DetectorContext): Promise<WindowOutcome> {
    const params = rankingParams(this.ranking, window.startMs, window.endMs, ROWS);
    const what = `checking the window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}`;
    const ranking = readRanking(await ctx.link.json<StatAnswer>('GET', STAT_PATH, { params }, what, ctx.signal), ROWS);
    const over = ranking.rows
      .map((row) => ({ row, rate: this.rate(row.value) }))
      .filter((x) => x.rate > this.rule.threshold)
      .sort((a, b) => b.rate - a.rate || (a.row.key < b.row.key ? -1 : a.row.key > b.row.key ? 1 : 0));
    if (over.length > MAX_THRESHOLD_ALERTS) this.sayCut(ctx.notices, window);
    return {
      drafts: over.slice(0, MAX_THRESHOLD_ALERTS).map(({ row, rate }) => this.draft(window, row, rate)),
      summary: `${plural(ranking.entities, 'entity', 'entities')}, ${plural(ranking.sessions, 'session', 'sessions')}`,
    };
  }

  private sayCut(notices: Notices, window: FixedWindow): void {
    notices.say(
      `more than ${MAX_THRESHOLD_ALERTS} entities exceed -bt ${this.rule.threshold} in the window ending ${formatWindowTime(window.endMs)}: the ${MAX_THRESHOLD_ALERTS} highest are reported (is -bt too low?)`,
    );
  }

  private currentValues(row: RankedEntity): AlertValues {
    const c = row.counts;
    const { direction, entity } = this.measure;
    const conn = direction === 'snd' ? c.sessions_initiated : direction === 'rcv' ? c.sessions_accepted : entity.shape === 'sided' ? c.sessions_initiated + c.sessions_accepted : c.sessions_initiated;
    return { packets_in: c.packets_recv, packets_out: c.packets_sent, bytes_in: c.bytes_recv, bytes_out: c.bytes_sent, new_conn: conn };
  }

  private draft(window: FixedWindow, row: RankedEntity, rate: number): AlertDraft {
    const { entity, unique } = this.measure;
    const value = formatRate(Math.round(rate * 100) / 100);
    const start = formatWindowTime(window.startMs);
    const end = formatWindowTime(window.endMs);
    const ip = entity.name === 'IP' ? parseIp(String(row.cells[0])) : null;
    return {
      type: 'threshold',
      subject: row.key,
      text: `threshold exceeded for ${this.phrase} ${entityPhrase(entity.name, row.cells)} during ${start} to ${end}: ${value} confidence: 100.00 (TH: ${this.rule.threshold})`,
      fields: [
        { name: 'groupby', value: entity.name },
        { name: 'countby', value: countByName(this.measure) },
        { name: 'unique', value: unique ?? 'NONE' },
        { name: 'nbisource', value: entityLabel(entity.name, row.cells) },
        { name: 'starttime', value: start },
        { name: 'endtime', value: end },
        { name: 'value', value },
        { name: 'absth', value: this.rule.threshold.toFixed(2) },
        { name: 'confidence', value: 100 },
        // FlowTraq's host name and customer id: opentraq names no hosts and has one customer
        { name: 'friendlyname', value: '' },
        { name: 'CID', value: 0 },
        { name: 'rateseconds', value: this.rule.perS },
        { name: 'windowseconds', value: this.schedule.windowMs / 1000 },
        { name: 'total', value: formatRate(Math.round(row.value * 100) / 100) },
      ],
      facts: {
        target_ip: ip === null ? null : String(row.cells[0]),
        target_mask: ip === null ? null : isV4Words(ip[0], ip[1], ip[2]) ? 32 : 128,
        proto: entity.name === 'PORTPROTO' && typeof row.cells[1] === 'number' ? row.cells[1] : null,
        server_port: entity.name === 'PORTPROTO' && typeof row.cells[0] === 'number' ? row.cells[0] : null,
        sources: [],
        total_sources: 0,
        threshold_value: this.rule.threshold,
        current_values: this.currentValues(row),
        average_values: null,
      },
    };
  }
}
