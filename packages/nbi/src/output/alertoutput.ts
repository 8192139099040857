// Where a raised alert goes: a line on stdout (text, or JSON with -j), an RFC 5424 message to the
// log host (-lh), and a record in the server (unless -nr) — the same alert, the same fields, in each.

import { OutputClosed, OutputFailed, type Output } from '@opentraq/cli';
import type { AlertPoster } from './alertposter.js';
import type { RaisedAlert } from './episodes.js';
import { SEVERITIES, formatSyslogMessage, type FacilityName, type SeverityName } from './syslogmessage.js';
import type { SyslogSender } from './syslogsender.js';
import { epochSeconds, formatWindowTime } from './windowtime.js';

export interface SyslogOutput {
  readonly sender: SyslogSender;
  readonly facility: FacilityName;
  /** The HOSTNAME of the messages (this machine's name). */
  readonly hostname: string;
  /** -lu: text appended to each message. */
  readonly append: string | undefined;
}

export interface AlertOutputOptions {
  readonly tool: string;
  /** stdout, or null when -lh is given without -ls. */
  readonly stdout: Output | null;
  readonly json: boolean;
  readonly syslog: SyslogOutput | null;
  /** null with -nr. */
  readonly poster: AlertPoster | null;
  /** The process id for syslog's PROCID. */
  readonly procId: number;
}

/** The alert as one JSON object (-j): every field of the server's record, the window, and the detector's own facts. */
export function alertJson(a: RaisedAlert): Record<string, unknown> {
  return {
    time_utc: epochSeconds(a.raisedUs),
    ...a.record,
    severity_name: SEVERITIES[a.record.severity] ?? null,
    window_start_utc: epochSeconds(a.windowStartMs * 1000),
    window_end_utc: epochSeconds(a.windowEndMs * 1000),
    detail: Object.fromEntries(a.draft.fields.map((f) => [f.name, f.value])),
  };
}

/**
 * The SD-PARAMs of an alert: id and type, the detector's facts, the window, then every other record
 * field that has a value; each name once (a detector's own fact wins over the record's field).
 */
export function alertParams(a: RaisedAlert): [string, string | number][] {
  const r = a.record;
  const params: [string, string | number][] = [['id', r.id], ['alerttype', r.alert_type]];
  for (const f of a.draft.fields) params.push([f.name, f.value]);
  const own = new Set(params.map(([name]) => name));
  const generic: [string, string | number][] = [];
  generic.push(['starttime', formatWindowTime(a.windowStartMs)], ['endtime', formatWindowTime(a.windowEndMs)]);
  generic.push(['earliestutc', r.earliest_utc], ['latestutc', r.latest_utc]);
  if (r.target_ip !== null) generic.push(['targetip', r.target_ip], ['targetmask', r.target_mask ?? '']);
  if (r.proto !== null) generic.push(['proto', r.proto]);
  if (r.server_port !== null) generic.push(['serverport', r.server_port]);
  if (r.sources.length > 0) generic.push(['sources', r.sources.join(',')], ['totalsources', r.total_sources]);
  if (r.threshold_value !== null) generic.push(['thresholdvalue', r.threshold_value]);
  const sets = [
    ['current', r.current_values],
    ['peak', r.peak_values],
    ['average', r.average_values],
  ] as const;
  for (const [prefix, set] of sets) {
    if (set === null) continue;
    for (const [k, v] of Object.entries(set)) if (v !== null) generic.push([`${prefix}_${k}`, v as number]);
  }
  for (const p of generic) if (!own.has(p[0])) params.push(p);
  return params;
}

export class AlertOutput {
  /** Set once stdout has failed or its reader has gone: no more lines are written to it. */
  private stdoutEnded = false;

  constructor(private readonly options: AlertOutputOptions) {}

  /**
   * Sends `a` everywhere it goes; resolves once stdout has taken it (a slow reader slows the detector).
   * A stdout that can take no more is no reason to keep the alert from syslog and the server: the
   * detector's session, which watches stdout, stops the detector after the window.
   */
  async emit(a: RaisedAlert): Promise<void> {
    const { stdout, json, syslog, poster } = this.options;
    if (syslog !== null) {
      const text = syslog.append === undefined ? a.draft.text : `${a.draft.text} ${syslog.append}`;
      syslog.sender.send(
        formatSyslogMessage({
          facility: syslog.facility,
          severity: (SEVERITIES[a.record.severity] ?? 'NOTICE') as SeverityName,
          timeUs: a.raisedUs,
          hostname: syslog.hostname,
          appName: this.options.tool,
          procId: String(this.options.procId),
          msgId: this.options.tool,
          params: alertParams(a),
          message: text,
        }),
      );
    }
    poster?.post(a.record);
    if (stdout === null || this.stdoutEnded) return;
    try {
      await stdout.write(`${json ? JSON.stringify(alertJson(a)) : a.line}\n`);
    } catch (e) {
      if (!(e instanceof OutputClosed || e instanceof OutputFailed)) throw e;
      this.stdoutEnded = true;
    }
  }
}
