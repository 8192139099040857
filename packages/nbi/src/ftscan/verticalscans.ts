// ftscan's vertical scans: a source whose unique services in a window lie more than -bk standard
// deviations above its baseline is followed up, and every host it tried more than -bt ports on is named.

import { RuntimeFailure, type StatAnswer } from '@opentraq/cli';
import { isV4Words, parseIp } from '@opentraq/core';
import { baselineFields } from '../engine/baselinefields.js';
import type { Detector, DetectorContext, Finding, WindowCheck } from '../engine/detector.js';
import type { AlertRule } from '../engine/judge.js';
import { STAT_PATH, rankingParams, readRanking, type RankingSpec } from '../engine/ranking.js';
import type { AlertDraft } from '../output/alertdraft.js';
import { formatWindowTime } from '../output/windowtime.js';
import { targetsOfSource } from './scanrankings.js';

/** Sources followed up per window (one query each); more are said on stderr. */
export const MAX_SCANNERS = 100;
/** Targets reported per source and window. */
export const MAX_SCAN_TARGETS = 1000;
/** Rows of a source's target ranking: enough to count the targets above -bt beyond those reported. */
const TARGET_ROWS = 10_000;

export class VerticalScans implements Detector {
  readonly name = 'ftscan';

  constructor(
    /** scanRankings(...).vertical */
    readonly ranking: RankingSpec,
    readonly rule: AlertRule,
  ) {}

  async alerts(check: WindowCheck, ctx: DetectorContext): Promise<AlertDraft[]> {
    const scanners = check.findings.filter((f) => f.verdict.direction === 'HIGH' && f.entity !== undefined);
    if (scanners.length > MAX_SCANNERS) {
      ctx.notices.say(
        `${scanners.length} sources contacted anomalously many services in the window ending ${formatWindowTime(check.window.endMs)}: the ${MAX_SCANNERS} furthest above their baselines are followed up`,
      );
    }
    const drafts: AlertDraft[] = [];
    for (const scanner of scanners.slice(0, MAX_SCANNERS)) drafts.push(...(await this.targets(check, scanner, ctx)));
    return drafts;
  }

  /** The alert lines of one anomalous source: one per target it tried more than -bt services on, most first. */
  private async targets(check: WindowCheck, scanner: Finding, ctx: DetectorContext): Promise<AlertDraft[]> {
    const source = String(scanner.entity!.cells[0]);
    if (parseIp(source) === null) throw new RuntimeFailure('BAD_ANSWER', `the server ranked an address that is not one: ${JSON.stringify(source)}`);
    const { startMs, endMs } = check.window;
    const params = rankingParams(targetsOfSource(this.ranking.selection, source), startMs, endMs, TARGET_ROWS);
    const answer = await ctx.link.json<StatAnswer>('GET', STAT_PATH, { params }, `asking the targets of ${source}`, ctx.signal);
    const above = readRanking(answer, TARGET_ROWS)
      .rows.filter((r) => r.value > this.rule.threshold)
      .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : 1));
    if (above.length > MAX_SCAN_TARGETS) {
      ctx.notices.say(`${source} tried more than ${this.rule.threshold} ports on each of ${above.length} hosts: the ${MAX_SCAN_TARGETS} with the most are reported`);
    }
    const during = `${formatWindowTime(startMs)} to ${formatWindowTime(endMs)}`;
    const drafts: AlertDraft[] = [];
    for (const row of above.slice(0, MAX_SCAN_TARGETS)) {
      const target = String(row.cells[0]);
      const words = parseIp(target);
      if (words === null) throw new RuntimeFailure('BAD_ANSWER', `the server ranked an address that is not one: ${JSON.stringify(target)}`);
      const ports = Math.round(row.value);
      const c = row.counts;
      drafts.push({
        type: 'scan_vertical',
        subject: `${source}>${target}`,
        text: `port/vertical SCAN detected from source ${source} to target ${target} during ${during}: ${ports} unique ports scanned`,
        fields: [
          { name: 'nbisource', value: source },
          { name: 'target', value: target },
          { name: 'value', value: ports },
          { name: 'sourcevalue', value: Math.round(scanner.value) },
          ...baselineFields(scanner, this.rule),
          { name: 'totaltargets', value: above.length },
        ],
        facts: {
          target_ip: target,
          target_mask: isV4Words(words[0], words[1], words[2]) ? 32 : 128,
          proto: null,
          server_port: null,
          sources: [source],
          total_sources: 1,
          threshold_value: this.rule.threshold,
          // the target's row, seen from the source: what the target received the source sent
          current_values: { packets_in: c.packets_sent, packets_out: c.packets_recv, bytes_in: c.bytes_sent, bytes_out: c.bytes_recv, new_conn: c.sessions_accepted },
          average_values: null,
        },
      });
    }
    return drafts;
  }
}
