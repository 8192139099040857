// The alerts as a table for people: active period in local time, severity by name, type, detector,
// target, how many sources, the id (to find it in the JSON) and the detector's message.

import { formatLocalTime, PROTO_MNEMONICS } from '@opentraq/core';
import type { Style } from '../common/style.js';
import { TextTable } from '../common/texttable.js';
import type { ListedAlert } from './alertobjects.js';

/** Syslog severities, 0 to 7 (RFC 5424), as the detectors' -ll spells them. */
const SEVERITY_NAMES = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
const PROTO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name]));
/** Messages are whole sentences with times and figures; the table shows the start, -j all of it. */
const MAX_MESSAGE = 80;

/** `MM/DD/YYYY hh:mm:ss.microsec` in local time, as every tool prints a time (cli.md). */
function when(epochSeconds: number): string {
  return formatLocalTime(Math.round(epochSeconds * 1_000_000));
}

function target(a: ListedAlert): string {
  if (a.target_ip === null) return '';
  const family = a.target_ip.includes(':') ? 128 : 32;
  const ip = a.target_mask === null || a.target_mask === family ? a.target_ip : `${a.target_ip}/${a.target_mask}`;
  if (a.server_port === null) return ip;
  const proto = a.proto === null ? '' : `/${PROTO_NAMES.get(a.proto) ?? a.proto}`;
  return `${ip} ${a.server_port}${proto}`;
}

function shorten(s: string): string {
  const chars = [...s.replace(/\s+/g, ' ')];
  return chars.length <= MAX_MESSAGE ? chars.join('') : `${chars.slice(0, MAX_MESSAGE - 1).join('').trimEnd()}…`;
}

export function renderAlertTable(alerts: readonly ListedAlert[], style: Style): string {
  const table = new TextTable(
    [
      { header: 'Earliest', align: 'left' },
      { header: 'Latest', align: 'left' },
      { header: 'Severity', align: 'left' },
      { header: 'Type', align: 'left' },
      { header: 'Detector', align: 'left' },
      { header: 'Target', align: 'left' },
      { header: 'Sources', align: 'right' },
      { header: 'ID', align: 'left' },
      { header: 'Message', align: 'left' },
    ],
    style,
  );
  const rows = alerts.map((a) => [
    when(a.earliest_utc),
    when(a.latest_utc),
    SEVERITY_NAMES[a.severity] ?? String(a.severity),
    a.alert_type,
    a.detector,
    target(a),
    String(a.total_sources),
    a.id,
    shorten(a.message),
  ]);
  return table.start(rows) + table.end();
}
