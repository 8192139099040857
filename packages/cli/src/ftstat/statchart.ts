// A ranking with slices as the stacked chart of -g: the top rows (at most ten) as layers named like
// the table names them, the rest as "other", and a title and subtitle that say what was asked.

import { formatLocalTime, PROTO_MNEMONICS, type EntityName } from '@opentraq/core';
import { MAX_LAYERS, type StackedChart } from '../chart/stackedchart.js';
import type { ValueUnit } from '../chart/valueaxis.js';
import { firstSliceColumn, type StatAnswer, type StatCell } from '../common/statanswer.js';
import type { StatRequest } from './readstatrequest.js';
import { valueHeader } from './stattable.js';

const PROTO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name]));

function text(v: StatCell | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

function num(v: StatCell | undefined): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** The entity of `row` for the legend: `10.0.0.1 (US)`, `443/TCP https`, `AS15169 Google LLC`, `10.0.0.1 ↔ 10.0.0.2`. */
export function entityLabel(a: StatAnswer, row: readonly StatCell[], entity: EntityName): string {
  const cell = (name: string): string => text(row[a.columns.indexOf(name)]);
  const has = (name: string): boolean => a.columns.includes(name) && row[a.columns.indexOf(name)] !== null && row[a.columns.indexOf(name)] !== undefined;
  switch (entity) {
    case 'IP': {
      const cc = cell('country');
      return cc === '' || cc === '--' ? cell('IP') : `${cell('IP')} (${cc})`;
    }
    case 'IPPAIR':
      return `${cell('IP_A')} ↔ ${cell('IP_B')}`;
    case 'PORTPROTO': {
      const proto = num(row[a.columns.indexOf('PROTO')]);
      const service = cell('service');
      return `${cell('PORT')}/${PROTO_NAMES.get(proto) ?? proto}${service === '' ? '' : ` ${service}`}`;
    }
    case 'QOS':
      return `QoS ${cell('QOS')}`;
    case 'IF':
      return `${cell('EXPIP')} if ${cell('IF')}`;
    case 'IFPAIR':
      return `${cell('EXPIP')} if ${cell('IF_A')} → ${cell('IF_B')}`;
    case 'VLAN':
      return `VLAN ${cell('VLAN')}`;
    case 'VLANPAIR':
      return `VLAN ${cell('VLAN_A')} → ${cell('VLAN_B')}`;
    case 'ASN':
      return has('as_name') ? `AS${cell('ASN')} ${cell('as_name')}` : `AS${cell('ASN')}`;
    case 'ASNPAIR':
      return `AS${cell('ASN_A')} ↔ AS${cell('ASN_B')}`;
    case 'MACPAIR':
      return `${cell('MAC_A')} ↔ ${cell('MAC_B')}`;
    default:
      return a.columns
        .slice(1, a.columns.indexOf('value'))
        .map((c) => cell(c))
        .join(' ');
  }
}

function unitOf(count: StatRequest['count']): ValueUnit {
  return count === 'BYTES' ? 'bytes' : count === 'BITS' ? 'bits' : 'count';
}

/** The command's query words: `-grp IP -cnt BYTES -snd -tn 1h -q "SRVPORT=443"`. */
function queryWords(req: StatRequest): string {
  const words = [`-grp ${req.entity.name}`, `-cnt ${req.count}${req.unique === undefined ? '' : ` ${req.unique}`}`];
  if (req.direction !== undefined) words.push(`-${req.direction}`);
  words.push(req.frame.text);
  if (req.params.exporter !== undefined) words.push(`-e ${req.params.exporter}`);
  if (req.params.ifindex !== undefined) words.push(`-ei ${req.params.ifindex}`);
  if (req.params.query !== undefined) words.push(`-q "${req.params.query}"`);
  return words.join(' ');
}

/** `11/24/2026 00:00:00 to 01:00:00` (the date once when both ends fall on the same day). */
function frameText(fromS: number, toS: number): string {
  const a = formatLocalTime(Math.round(fromS * 1e6)).slice(0, 19);
  const b = formatLocalTime(Math.round(toS * 1e6)).slice(0, 19);
  return `${a} to ${a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b}`;
}

/** The chart of `a`, which has slices: its first ten rows as layers, everything else as "other". */
export function statChart(a: StatAnswer, req: StatRequest): StackedChart {
  if (a.series === undefined) throw new RangeError('a chart is drawn from a ranking with slices');
  const first = firstSliceColumn(a);
  const n = a.series.bounds.length - 1;
  const slices = (row: readonly StatCell[]): number[] => Array.from({ length: n }, (_, k) => num(row[first + k]));
  const top = a.data.slice(0, MAX_LAYERS);
  const other = a.series.other.map((v) => num(v));
  for (const row of a.data.slice(MAX_LAYERS)) slices(row).forEach((v, k) => (other[k] = (other[k] ?? 0) + v));
  const quantity = valueHeader(req);
  const what = /^[A-Z][a-z]/.test(quantity) ? quantity.charAt(0).toLowerCase() + quantity.slice(1) : quantity;
  const entities = a.summary.entities;
  const shown = entities === 0 ? 'no sessions' : top.length < entities ? `top ${top.length} of ${entities}` : `all ${entities}`;
  return {
    title: `${req.entity.name} by ${what}: ${shown}`,
    subtitle: `ftstat ${queryWords(req)} · ${frameText(a.summary.from, a.summary.to)}, ${n} slice${n === 1 ? '' : 's'}`,
    bounds: a.series.bounds,
    layers: top.map((row) => ({ label: entityLabel(a, row, req.entity.name), values: slices(row), total: num(row[a.columns.indexOf('value')]) })),
    other,
    unit: unitOf(req.count),
    quantity,
  };
}
