// ftnbi -j: the alerts of GET /api/v1/alerts as cli.md lists their fields, in that order and no
// others (the server's bookkeeping — who posted, when received — stays out), one object per line.

import { ALERT_FIELDS, ALERT_VALUE_NAMES as VALUE_NAMES } from '@opentraq/core';

export { ALERT_FIELDS };

const VALUE_SETS = new Set<string>(['current_values', 'peak_values', 'average_values']);

export type AlertField = (typeof ALERT_FIELDS)[number];
type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

/** An alert as the API lists it: cli.md's fields (and the server's own, which are dropped). */
export interface ListedAlert {
  readonly id: string;
  readonly earliest_utc: number;
  readonly latest_utc: number;
  readonly severity: number;
  readonly alert_type: string;
  readonly detector: string;
  readonly target_ip: string | null;
  readonly target_mask: number | null;
  readonly proto: number | null;
  readonly server_port: number | null;
  readonly sources: readonly string[];
  readonly total_sources: number;
  readonly message: string;
  readonly [field: string]: unknown;
}

export interface AlertList {
  readonly alerts: readonly ListedAlert[];
  /** Alerts in the frame, also those left out by rows. */
  readonly total: number;
}

/** Why the answer cannot be read as an alert list, or null. */
export function alertListProblem(answer: unknown): string | null {
  const a = answer as Partial<AlertList> | null;
  if (typeof a !== 'object' || a === null || !Array.isArray(a.alerts)) return 'it has no alerts array';
  if (typeof a.total !== 'number') return 'it has no total';
  for (const x of a.alerts as Partial<ListedAlert>[]) {
    if (typeof x !== 'object' || x === null) return 'an alert is not an object';
    if (typeof x.id !== 'string' || typeof x.earliest_utc !== 'number' || typeof x.latest_utc !== 'number' || typeof x.message !== 'string') {
      return `an alert lacks id, earliest_utc, latest_utc or message: ${JSON.stringify(x).slice(0, 200)}`;
    }
    if (!Array.isArray(x.sources) || typeof x.severity !== 'number') return `alert ${x.id} has no sources list or severity number`;
  }
  return null;
}

/** A value set with its measures in cli.md's order (null stays null). */
function valueSet(v: unknown): Json {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(VALUE_NAMES.map((k) => [k, typeof o[k] === 'number' ? (o[k] as number) : null]));
}

/** The alert with exactly cli.md's fields, in order; a field the server left out is null. */
export function alertObject(a: ListedAlert): Record<AlertField, Json> {
  const out = {} as Record<AlertField, Json>;
  for (const f of ALERT_FIELDS) out[f] = VALUE_SETS.has(f) ? valueSet(a[f]) : ((a[f] as Json | undefined) ?? null);
  return out;
}

/** The JSON array, one alert per line (line-oriented tools can still read it). */
export function renderAlertJson(alerts: readonly ListedAlert[]): string {
  const rows = alerts.map((a) => JSON.stringify(alertObject(a)));
  return rows.length === 0 ? '[]\n' : `[\n${rows.join(',\n')}\n]\n`;
}
