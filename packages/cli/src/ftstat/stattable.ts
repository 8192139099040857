// A ranking as the table people read: rank, the entity (addresses with AS and country, ports with
// protocol and service), the value and its percent human-scaled, the directional counts or the slices.

import { formatLocalTime, PROTO_MNEMONICS, type CountName, type EntityDef, type EntityName } from '@opentraq/core';
import { counted } from '../common/counted.js';
import { formatBits, formatBytes, formatCount, formatPercent } from '../common/humanscale.js';
import { AUX_COLUMNS, firstSliceColumn, type StatAnswer, type StatCell } from '../common/statanswer.js';
import type { Style } from '../common/style.js';
import { TextTable, type TableColumn } from '../common/texttable.js';

export interface StatTableQuery {
  readonly entity: EntityDef;
  readonly count: CountName;
  readonly unique: EntityName | undefined;
  readonly direction: 'snd' | 'rcv' | undefined;
}

type Row = readonly StatCell[];

interface DisplayColumn extends TableColumn {
  cell(row: Row): string;
}

const PROTO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name]));
/** AS names are long ("AMAZON-02 - Amazon.com, Inc."): a table shows the start. */
const MAX_AS_NAME = 24;

function text(v: StatCell): string {
  return v === null ? '' : String(v);
}

function num(v: StatCell): number {
  return typeof v === 'number' ? v : Number(v);
}

function shorten(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The scale of the ranked value: bytes, bits, or a count. */
function scaleOf(count: CountName): (n: number) => string {
  return count === 'BYTES' ? formatBytes : count === 'BITS' ? formatBits : formatCount;
}

/** The ranked value's name: `Bytes sent`, `Sessions accepted`, `Unique PORTPROTO`. */
export function valueHeader(q: StatTableQuery): string {
  const base = q.count === 'UNIQUE' ? `Unique ${q.unique ?? ''}` : q.count.charAt(0) + q.count.slice(1).toLowerCase();
  if (q.direction === undefined) return base;
  if (q.count === 'SESSIONS') return q.direction === 'snd' ? 'Sessions initiated' : 'Sessions accepted';
  return `${base} ${q.direction === 'snd' ? 'sent' : 'received'}`;
}

/** The entity's columns, with the descriptive extras next to what they describe. */
function entityColumns(a: StatAnswer, valueAt: number): DisplayColumn[] {
  const at = (name: string): number => a.columns.indexOf(name);
  const out: DisplayColumn[] = [];
  const names = a.columns.slice(1, valueAt);
  for (const name of names) {
    const i = at(name);
    const ip = /^IP(_[AB])?$/.exec(name);
    const asn = /^ASN(_[AB])?$/.exec(name);
    const label = name.replace('_', ' ');
    if (ip !== null) {
      const suffix = ip[1] ?? '';
      const side = suffix === '' ? '' : ` ${suffix.slice(1)}`;
      const asnAt = at(`asn${suffix}`);
      const nameAt = at(`as_name${suffix}`);
      const ccAt = at(`country${suffix}`);
      out.push({ header: label, align: 'left', cell: (r) => text(r[i]!) });
      if (asnAt >= 0) {
        out.push({
          header: `AS${side}`,
          align: 'left',
          cell: (r) => (r[asnAt] === null ? '' : shorten(`AS${text(r[asnAt]!)}${nameAt >= 0 && r[nameAt] !== null ? ` ${text(r[nameAt]!)}` : ''}`, MAX_AS_NAME + 8)),
        });
      }
      if (ccAt >= 0) out.push({ header: `CC${side}`, align: 'left', cell: (r) => text(r[ccAt]!) });
    } else if (asn !== null) {
      const nameAt = at(`as_name${asn[1] ?? ''}`);
      out.push({ header: label, align: 'right', cell: (r) => text(r[i]!) });
      if (nameAt >= 0) out.push({ header: `AS name${asn[1] === undefined ? '' : ` ${asn[1].slice(1)}`}`, align: 'left', cell: (r) => shorten(text(r[nameAt]!), MAX_AS_NAME) });
    } else if (name === 'PORT') {
      const protoAt = at('PROTO');
      const serviceAt = at('service');
      out.push({ header: 'Port/Proto', align: 'left', cell: (r) => `${text(r[i]!)}/${PROTO_NAMES.get(num(r[protoAt]!)) ?? text(r[protoAt]!)}` });
      if (serviceAt >= 0) out.push({ header: 'Service', align: 'left', cell: (r) => text(r[serviceAt]!) });
    } else if (name === 'PROTO') {
      continue;
    } else {
      const numeric = a.data.length > 0 && typeof a.data[0]![i] === 'number';
      const header = name === 'TCPFLAGS' ? 'TCP flags' : name === 'QOS' ? 'QoS' : name === 'EXPIP' ? 'Exporter' : name === 'COUNTRY' ? 'Country' : label;
      out.push({ header, align: numeric ? 'right' : 'left', cell: (r) => text(r[i]!) });
    }
  }
  return out;
}

/** Bytes, packets and sessions in each direction, named for the entity's shape (docs/queries.md). */
function auxColumns(a: StatAnswer, entity: EntityDef, count: CountName): DisplayColumn[] {
  const [bs, br, ps, pr, si, sa] = AUX_COLUMNS.map((c) => a.columns.indexOf(c)) as [number, number, number, number, number, number];
  const bytes = (i: number) => (r: Row) => formatBytes(num(r[i]!));
  const countOf = (i: number) => (r: Row) => formatCount(num(r[i]!));
  const col = (header: string, cell: (r: Row) => string): DisplayColumn => ({ header, align: 'right', cell });
  switch (entity.shape) {
    case 'sided':
      return [col('Bytes sent', bytes(bs)), col('Bytes rcvd', bytes(br)), col('Pkts sent', countOf(ps)), col('Pkts rcvd', countOf(pr)), col('Sess init', countOf(si)), col('Sess acc', countOf(sa))];
    case 'pair':
      return [col('Bytes A>B', bytes(bs)), col('Bytes B>A', bytes(br)), col('Pkts A>B', countOf(ps)), col('Pkts B>A', countOf(pr)), col('Sess by A', countOf(si)), col('Sess by B', countOf(sa))];
    case 'session': {
      // its sessions are both initiated and accepted: one column, left out when it is the ranked value
      const volumes = [col('Bytes C>S', bytes(bs)), col('Bytes S>C', bytes(br)), col('Pkts C>S', countOf(ps)), col('Pkts S>C', countOf(pr))];
      return count === 'SESSIONS' ? volumes : [...volumes, col('Sessions', countOf(si))];
    }
  }
}

/** Slice start times as short local times: `16:20` within a day, `11/23 16:20` across days, seconds when slices are shorter than a minute. */
function sliceLabels(bounds: readonly number[]): string[] {
  const times = bounds.map((s) => formatLocalTime(Math.round(s * 1_000_000)));
  const sameDay = times.every((t) => t.slice(0, 10) === times[0]!.slice(0, 10));
  const seconds = bounds.length > 1 && bounds[1]! - bounds[0]! < 60;
  return times.slice(0, -1).map((t) => `${sameDay ? '' : `${t.slice(0, 5)} `}${t.slice(11, seconds ? 19 : 16)}`);
}

/** `11/23/2026 20:00:00.000000`: local time as every tool prints a time (cli.md), microseconds always. */
function when(epochSeconds: number): string {
  return formatLocalTime(Math.round(epochSeconds * 1_000_000));
}

/** The line under the table: what the whole selection holds. */
export function statSummaryLine(a: StatAnswer, q: StatTableQuery): string {
  const s = a.summary;
  const shown = a.data.length < s.entities ? `, ${a.data.length} shown` : '';
  return (
    `${counted(s.sessions, 'session', formatCount(s.sessions))}, ${counted(s.packets, 'packet', formatCount(s.packets))}, ${formatBytes(s.bytes)} ` +
    `from ${when(s.from)} to ${when(s.to)}; ${s.entities} distinct ${q.entity.name}${shown}\n`
  );
}

export function renderStatTable(a: StatAnswer, q: StatTableQuery, style: Style): string {
  const valueAt = a.columns.indexOf('value');
  const percentAt = a.columns.indexOf('percent');
  const scale = scaleOf(q.count);
  const columns: DisplayColumn[] = [
    { header: '#', align: 'right', cell: (r) => text(r[0]!) },
    ...entityColumns(a, valueAt),
    { header: valueHeader(q), align: 'right', cell: (r) => scale(num(r[valueAt]!)) },
    { header: '%', align: 'right', cell: (r) => formatPercent(num(r[percentAt]!)) },
  ];
  if (a.series === undefined) {
    columns.push(...auxColumns(a, q.entity, q.count));
  } else {
    // with slices the table shows the series instead of the directional counts (CSV and JSON carry both)
    const first = firstSliceColumn(a);
    sliceLabels(a.series.bounds).forEach((label, k) => columns.push({ header: label, align: 'right', cell: (r) => scale(num(r[first + k]!)) }));
  }
  const table = new TextTable(columns, style);
  const rows = a.data.map((r) => columns.map((c) => c.cell(r)));
  return table.start(rows) + table.end() + statSummaryLine(a, q);
}
