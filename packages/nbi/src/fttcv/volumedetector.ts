// fttcv: any entity whose measure in a window lies more than -bk standard deviations above (HIGH) or
// below (LOW, unless -bnl) its baseline — hosts that appear, disappear, or suddenly carry far more.

import { isV4Words, parseIp } from '@opentraq/core';
import { baselineFields } from '../engine/baselinefields.js';
import type { Detector, Finding, WindowCheck } from '../engine/detector.js';
import type { AlertRule } from '../engine/judge.js';
import { NO_COUNTS, keyCells, type RankingSpec } from '../engine/ranking.js';
import { countByName } from '../ftth/countbyname.js';
import type { AlertDraft } from '../output/alertdraft.js';
import type { AlertValues } from '../output/alertrecord.js';
import { entityLabel, entityPhrase } from '../output/entitytext.js';
import { formatWindowTime } from '../output/windowtime.js';
import { measurePhrase } from './measurephrase.js';
import type { Measure } from './readmeasure.js';

const fixed = (n: number): string => n.toFixed(2);
/** Values in records to the hundredth, as the line prints them (no float noise like 809008.0000000001). */
const cents = (n: number): number => Math.round(n * 100) / 100;

/** The measure's member of an alert's value sets, and the factor from the measure to it (bits are 8 per byte). */
function valueSlot(m: Measure): { name: keyof AlertValues; factor: number } | null {
  const side = m.direction === 'snd' ? 'out' : m.direction === 'rcv' ? 'in' : null;
  switch (m.count) {
    case 'BYTES':
      return side === null ? null : { name: `bytes_${side}`, factor: 1 };
    case 'BITS':
      return side === null ? null : { name: `bytes_${side}`, factor: 1 / 8 };
    case 'PACKETS':
      return side === null ? null : { name: `packets_${side}`, factor: 1 };
    case 'SESSIONS':
      return { name: 'new_conn', factor: 1 };
    case 'UNIQUE':
      return null;
  }
}

export class VolumeDetector implements Detector {
  readonly name = 'fttcv';
  readonly ranking: RankingSpec;
  private readonly phrase: string;

  constructor(
    readonly measure: Measure,
    selection: Readonly<Record<string, string>>,
    readonly rule: AlertRule,
  ) {
    this.ranking = { ...measure, selection };
    this.phrase = measurePhrase(measure);
  }

  async alerts(check: WindowCheck): Promise<AlertDraft[]> {
    return check.findings.map((f) => this.draft(check, f));
  }

  private currentValues(f: Finding): AlertValues {
    const c = f.entity?.counts ?? NO_COUNTS;
    const { direction, entity } = this.measure;
    const conn = direction === 'snd' ? c.sessions_initiated : direction === 'rcv' ? c.sessions_accepted : entity.shape === 'sided' ? c.sessions_initiated + c.sessions_accepted : c.sessions_initiated;
    return { packets_in: c.packets_recv, packets_out: c.packets_sent, bytes_in: c.bytes_recv, bytes_out: c.bytes_sent, new_conn: conn };
  }

  private draft(check: WindowCheck, f: Finding): AlertDraft {
    const { entity, unique } = this.measure;
    const cells = f.entity?.cells ?? keyCells(f.key);
    const label = entityLabel(entity.name, cells);
    const { mean, stddev, n } = f.expectation;
    const { window } = check;
    const dir = f.verdict.direction;
    const text =
      `unusually ${dir} volume for ${this.phrase} ${entityPhrase(entity.name, cells)} during ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: ` +
      `${fixed(f.value)} (u: ${fixed(mean)} s: ${fixed(stddev ?? 0)} k: ${fixed(f.verdict.k)} n: ${n})`;
    const ip = entity.name === 'IP' ? parseIp(String(cells[0])) : null;
    const slot = valueSlot(this.measure);
    let average: AlertValues | null = null;
    if (slot !== null) {
      average = { packets_in: null, packets_out: null, bytes_in: null, bytes_out: null, new_conn: null, [slot.name]: cents(mean * slot.factor) };
    }
    return {
      type: dir === 'HIGH' ? 'volume_high' : 'volume_low',
      subject: f.key,
      text,
      fields: [
        { name: 'groupby', value: entity.name },
        { name: 'countby', value: countByName(this.measure) },
        { name: 'unique', value: unique ?? 'NONE' },
        { name: 'nbisource', value: label },
        { name: 'value', value: fixed(f.value) },
        ...baselineFields(f, this.rule),
      ],
      facts: {
        target_ip: ip === null ? null : String(cells[0]),
        target_mask: ip === null ? null : isV4Words(ip[0], ip[1], ip[2]) ? 32 : 128,
        proto: entity.name === 'PORTPROTO' && typeof cells[1] === 'number' ? cells[1] : null,
        server_port: entity.name === 'PORTPROTO' && typeof cells[0] === 'number' ? cells[0] : null,
        sources: [],
        total_sources: 0,
        threshold_value: cents(f.verdict.crossed),
        current_values: this.currentValues(f),
        average_values: average,
      },
    };
  }
}
