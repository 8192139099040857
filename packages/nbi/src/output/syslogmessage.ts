// RFC 5424 syslog messages: header (PRI, version, local time with offset and µs, host, app, pid,
// message id), one structured-data element with every alert field, and the alert line as MSG.

/** Facilities -lf takes: LOCAL0–LOCAL7 are 16–23 (RFC 5424 table 1). */
export const FACILITIES = ['LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7'] as const;
export type FacilityName = (typeof FACILITIES)[number];

/** Severities -ll takes, by number (RFC 5424 table 2). */
export const SEVERITIES = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;
export type SeverityName = (typeof SEVERITIES)[number];

/** The private enterprise number of the SD-ID (`ftdos@32473`), as nbi.md's example has it. */
export const ENTERPRISE_NUMBER = 32473;

export interface SyslogMessage {
  readonly facility: FacilityName;
  readonly severity: SeverityName;
  /** When the alert was raised, µs since the epoch; written in local time with its UTC offset. */
  readonly timeUs: number;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  /** SD-PARAMs of the one SD-ELEMENT `<appName>@32473`, in order; names are 1–32 of [A-Za-z0-9_]. */
  readonly params: readonly (readonly [string, string | number])[];
  readonly message: string;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** TIMESTAMP of RFC 5424: `2014-09-22T17:04:33.441673-04:00` (local time, µs, numeric offset). */
export function syslogTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const micro = us - Math.floor(us / 1_000_000) * 1_000_000;
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const date = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
  const time = `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(micro, 6)}`;
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** A header field: printable US-ASCII without spaces, at most `max` characters; NILVALUE when nothing is left. */
export function headerField(text: string, max: number): string {
  const clean = [...text].filter((c) => c >= '!' && c <= '~').join('').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** PARAM-VALUE escaping: `"`, `\` and `]` take a backslash (RFC 5424 section 6.3.3). */
export function escapeParamValue(v: string): string {
  return v.replace(/["\\\]]/g, (c) => `\\${c}`);
}

// upper case for FlowTraq's own names (ftth's CID, nbi.md)
const PARAM_NAME = /^[A-Za-z0-9_]{1,32}$/;

/** The message as text; encode it as UTF-8 for the wire. */
export function formatSyslogMessage(m: SyslogMessage): string {
  const facility = FACILITIES.indexOf(m.facility) + 16;
  const severity = SEVERITIES.indexOf(m.severity);
  if (facility < 16 || severity < 0) throw new RangeError(`formatSyslogMessage: unknown facility ${m.facility} or severity ${m.severity}`);
  const sdId = `${headerField(m.appName, 32 - 1 - String(ENTERPRISE_NUMBER).length).replace(/[=\]"]/g, '')}@${ENTERPRISE_NUMBER}`;
  const params = m.params.map(([name, value]) => {
    if (!PARAM_NAME.test(name)) throw new RangeError(`formatSyslogMessage: '${name}' is not an SD-PARAM name of [A-Za-z0-9_], 1-32 characters`);
    return ` ${name}="${escapeParamValue(String(value))}"`;
  });
  const header = [
    `<${facility * 8 + severity}>1`,
    syslogTimestamp(m.timeUs),
    headerField(m.hostname, 255),
    headerField(m.appName, 48),
    headerField(m.procId, 128),
    headerField(m.msgId, 32),
  ].join(' ');
  // MSG-UTF8 starts with a byte order mark; plain ASCII may go without (MSG-ANY)
  const msg = /^[\x00-\x7f]*$/.test(m.message) ? m.message : `\ufeff${m.message}`;
  return `${header} [${sdId}${params.join('')}] ${msg}`;
}

/** RFC 6587 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes of the UTF-8 message. */
export function octetCountedFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
