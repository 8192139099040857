// ftdos: targets whose incoming sessions in a window are anomalous, and for each the sources that
// initiated more than -bt sessions to it — one alert line per source, as nbi.md shows them.

import { RuntimeFailure, type StatAnswer } from '@opentraq/cli';
import { ENTITY_BY_NAME, parseIp, isV4Words } from '@opentraq/core';
import { baselineFields } from '../engine/baselinefields.js';
import type { Detector, DetectorContext, Finding, WindowCheck } from '../engine/detector.js';
import type { AlertRule } from '../engine/judge.js';
import { STAT_PATH, rankingParams, readRanking, type RankingSpec } from '../engine/ranking.js';
import type { AlertDraft } from '../output/alertdraft.js';
import { formatWindowTime } from '../output/windowtime.js';

/** Targets followed up per window; more are said on stderr (each costs a query). */
export const MAX_TARGETS = 100;
/** Sources reported per target and window (the server keeps at most 1000 per alert). */
export const MAX_SOURCES = 1000;
/** Rows of a target's source ranking: enough to count the sources above -bt beyond those reported. */
const SOURCE_ROWS = 10_000;

const IP = ENTITY_BY_NAME.get('IP')!;

/** The sessions each address accepted: what ftdos learns and checks. */
export function dosRanking(selection: Readonly<Record<string, string>>): RankingSpec {
  return { entity: IP, count: 'SESSIONS', unique: undefined, direction: 'rcv', selection };
}

function withTarget(selection: Readonly<Record<string, string>>, target: string): Record<string, string> {
  const q = selection.query;
  return { ...selection, query: q === undefined ? `SRVIP=${target}` : `(${q}) && SRVIP=${target}` };
}

export class DosDetector implements Detector {
  readonly name = 'ftdos';
  readonly ranking: RankingSpec;

  constructor(
    selection: Readonly<Record<string, string>>,
    readonly rule: AlertRule,
  ) {
    this.ranking = dosRanking(selection);
  }

  async alerts(check: WindowCheck, ctx: DetectorContext): Promise<AlertDraft[]> {
    const targets = check.findings.filter((f) => f.verdict.direction === 'HIGH' && f.entity !== undefined);
    if (targets.length > MAX_TARGETS) {
      ctx.notices.say(
        `${targets.length} targets are anomalous in the window ending ${formatWindowTime(check.window.endMs)}: the ${MAX_TARGETS} furthest above their baselines are followed up`,
      );
    }
    const drafts: AlertDraft[] = [];
    for (const target of targets.slice(0, MAX_TARGETS)) drafts.push(...(await this.sources(check, target, ctx)));
    return drafts;
  }

  /** The alert lines of one anomalous target: one per source above -bt, most sessions first. */
  private async sources(check: WindowCheck, target: Finding, ctx: DetectorContext): Promise<AlertDraft[]> {
    const ip = String(target.entity!.cells[0]);
    const words = parseIp(ip);
    if (words === null) throw new RuntimeFailure('BAD_ANSWER', `the server ranked an address that is not one: ${JSON.stringify(ip)}`);
    const { startMs, endMs } = check.window;
    const spec: RankingSpec = { entity: IP, count: 'SESSIONS', unique: undefined, direction: 'snd', selection: withTarget(this.ranking.selection, ip) };
    const params = rankingParams(spec, startMs, endMs, SOURCE_ROWS);
    const answer = await ctx.link.json<StatAnswer>('GET', STAT_PATH, { params }, `asking the sources of ${ip}`, ctx.signal);
    const above = readRanking(answer, SOURCE_ROWS)
      .rows.filter((r) => r.value > this.rule.threshold)
      .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : 1));
    if (above.length > MAX_SOURCES) {
      ctx.notices.say(`${above.length} sources sent more than ${this.rule.threshold} sessions to ${ip}: the ${MAX_SOURCES} busiest are reported`);
    }
    const during = `${formatWindowTime(startMs)} to ${formatWindowTime(endMs)}`;
    return above.slice(0, MAX_SOURCES).map((src): AlertDraft => {
      const source = String(src.cells[0]);
      const connections = Math.round(src.value);
      return {
        type: 'dos',
        subject: `${source}>${ip}`,
        text: `DOS behavior detected from source ${source} to target ${ip} during ${during}: ${connections} connections initiated`,
        fields: [
          { name: 'nbisource', value: source },
          { name: 'target', value: ip },
          { name: 'value', value: connections },
          { name: 'targetvalue', value: Math.round(target.value) },
          ...baselineFields(target, this.rule),
          { name: 'totalsources', value: above.length },
        ],
        facts: {
          target_ip: ip,
          target_mask: isV4Words(words[0], words[1], words[2]) ? 32 : 128,
          proto: null,
          server_port: null,
          sources: [source],
          total_sources: above.length,
          threshold_value: this.rule.threshold,
          current_values: {
            packets_in: src.counts.packets_recv,
            packets_out: src.counts.packets_sent,
            bytes_in: src.counts.bytes_recv,
            bytes_out: src.counts.bytes_sent,
            new_conn: src.counts.sessions_initiated,
          },
          average_values: null,
        },
      };
    });
  }
}
