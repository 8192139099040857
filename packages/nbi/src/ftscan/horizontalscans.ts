// ftscan's horizontal scans: a source whose unique destination hosts in a window lie more than -bk
// standard deviations above its baseline for the slot, and above -bt — one alert line per source.

import { RuntimeFailure } from '@opentraq/cli';
import { parseIp } from '@opentraq/core';
import { baselineFields } from '../engine/baselinefields.js';
import type { Detector, Finding, WindowCheck } from '../engine/detector.js';
import type { AlertRule } from '../engine/judge.js';
import type { RankingSpec } from '../engine/ranking.js';
import type { AlertDraft } from '../output/alertdraft.js';
import { formatWindowTime } from '../output/windowtime.js';

const cents = (n: number): number => Math.round(n * 100) / 100;

export class HorizontalScans implements Detector {
  readonly name = 'ftscan';

  constructor(
    /** scanRankings(...).horizontal */
    readonly ranking: RankingSpec,
    readonly rule: AlertRule,
  ) {}

  async alerts(check: WindowCheck): Promise<AlertDraft[]> {
    return check.findings.filter((f) => f.verdict.direction === 'HIGH' && f.entity !== undefined).map((f) => this.draft(check, f));
  }

  private draft(check: WindowCheck, f: Finding): AlertDraft {
    const source = String(f.entity!.cells[0]);
    if (parseIp(source) === null) throw new RuntimeFailure('BAD_ANSWER', `the server ranked an address that is not one: ${JSON.stringify(source)}`);
    const hosts = Math.round(f.value);
    const { startMs, endMs } = check.window;
    const c = f.entity!.counts;
    return {
      type: 'scan_horizontal',
      subject: source,
      text: `host/horizontal SCAN detected from source ${source} during ${formatWindowTime(startMs)} to ${formatWindowTime(endMs)}: ${hosts} unique hosts scanned`,
      fields: [
        { name: 'nbisource', value: source },
        { name: 'value', value: hosts },
        ...baselineFields(f, this.rule),
      ],
      facts: {
        // many hosts were scanned, none in particular: the scanner is the source
        target_ip: null,
        target_mask: null,
        proto: null,
        server_port: null,
        sources: [source],
        total_sources: 1,
        threshold_value: cents(Math.max(f.verdict.crossed, this.rule.threshold)),
        current_values: { packets_in: c.packets_recv, packets_out: c.packets_sent, bytes_in: c.bytes_recv, bytes_out: c.bytes_sent, new_conn: c.sessions_initiated },
        average_values: null,
      },
    };
  }
}

