// A ranking as the rows and columns of the CSV/JSON contract of cli.md: rank, the entity,
// value, percent, the auxiliary counts, the descriptive extras, then one column per slice.

import { OUTPUT_FIELDS, planRank, type ColumnName, type DisplayFormat, type RankResult, type RankRow } from '@opentraq/core';
import { isJsonString } from './fieldformat.js';
import type { RowExtras } from './rowextras.js';

export type StatCell = string | number | null;

export interface StatTable {
  readonly columns: string[];
  readonly data: StatCell[][];
}

const AUX_COLUMNS = ['bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted'] as const;

const FORMAT_OF: ReadonlyMap<ColumnName, DisplayFormat> = new Map(
  OUTPUT_FIELDS.flatMap((f) => (f.source.kind === 'column' && f.output !== undefined ? [[f.source.column, f.output.format] as const] : [])),
);

/** Percent with six decimals: finer than any total a person compares, and short text. */
function roundPercent(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

/** An instant as UTC epoch seconds, rounded to the µs (slice bounds may fall between two). */
export function epochSeconds(us: number): number {
  return Math.round(us) / 1_000_000;
}

/** Whether each entity column is written as text, from the field table's format of its stored column. */
function textColumns(r: RankResult): boolean[] {
  const plan = planRank({ entity: r.entity, count: r.count, ...(r.unique !== null && { unique: r.unique }), direction: r.direction, fromUs: r.fromUs, toUs: r.toUs });
  const cols = plan.entityLayout.columns;
  if (cols.length !== r.columns.length) throw new RangeError(`the ranking has ${r.columns.length} entity columns, its entity ${r.entity} ${cols.length}`);
  return cols.map((c) => {
    const format = c === null ? undefined : FORMAT_OF.get(c);
    return format !== undefined && isJsonString(format);
  });
}

/** One descriptive column: its name and how a row fills it. */
interface Extra {
  readonly name: string;
  value(row: RankRow): StatCell;
}

const orNull = (s: string | null | undefined): string | null => (s === undefined || s === null || s === '' ? null : s);

/**
 * asn, as_name, country for each address column (IP; IP_A and IP_B get `_A`/`_B` names), as_name
 * for each AS column, service for PORTPROTO. Exporter addresses (EXPIP) get none.
 */
function extrasFor(r: RankResult, extras: RowExtras): Extra[] {
  const out: Extra[] = [];
  r.columns.forEach((name, i) => {
    const m = /^(IP|ASN)(_[AB])?$/.exec(name);
    if (m === null) return;
    const suffix = m[2] ?? '';
    if (m[1] === 'IP') {
      out.push(
        { name: `asn${suffix}`, value: (row) => extras.asnOf(row.text[i]!)?.asn ?? null },
        { name: `as_name${suffix}`, value: (row) => orNull(extras.asnOf(row.text[i]!)?.name) },
        { name: `country${suffix}`, value: (row) => orNull(extras.countryOf(row.text[i]!)) },
      );
    } else {
      out.push({ name: `as_name${suffix}`, value: (row) => orNull(extras.asName?.(row.key[i] as number)) });
    }
  });
  if (r.entity === 'PORTPROTO') out.push({ name: 'service', value: (row) => orNull(extras.serviceOf(row.key[0] as number, row.key[1] as number)) });
  return out;
}

export function statTable(r: RankResult, extras: RowExtras): StatTable {
  const text = textColumns(r);
  const extra = extrasFor(r, extras);
  const slices = r.slices === null ? [] : r.slices.bounds.slice(0, -1).map((b) => String(epochSeconds(b)));
  const columns = ['rank', ...r.columns, 'value', 'percent', ...AUX_COLUMNS, ...extra.map((e) => e.name), ...slices];
  const data = r.rows.map((row) => [
    row.rank,
    ...row.key.map((k, i) => (text[i] ? row.text[i]! : (k as number))),
    Math.round(row.value),
    roundPercent(row.percent),
    Math.round(row.bytesSent),
    Math.round(row.bytesRecv),
    Math.round(row.packetsSent),
    Math.round(row.packetsRecv),
    row.sessionsInitiated,
    row.sessionsAccepted,
    ...extra.map((e) => e.value(row)),
    ...(row.series ?? []).map((v) => Math.round(v)),
  ]);
  return { columns, data };
}
