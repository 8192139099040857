// What an alert is (cli.md `ftnbi`, nbi.md): the fields a detector posts and the server lists, shared
// by the server (which validates and stores them), the detectors and ftnbi. Unknown values are null.

/** `alert_type` values, nbi.md "Output". */
export const ALERT_TYPES = [
  'fingerprint_new_service',
  'fingerprint_new_client',
  'dos',
  'scan_horizontal',
  'scan_vertical',
  'volume_high',
  'volume_low',
  'threshold',
  'blacklist',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** The detectors that post alerts (nbi.md). */
export const DETECTORS = ['ftbfg', 'ftdos', 'ftscan', 'fttcv', 'ftth', 'ftbl'] as const;
export type Detector = (typeof DETECTORS)[number];

/** Syslog severities by number (RFC 5424), spelt as the detectors' `-ll` option spells them. */
export const SEVERITY_NAMES = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;

/** The only alert format version this server knows. */
export const ALERT_VERSION = 1;

/** The measures of `current_values`, `peak_values` and `average_values`. */
export const ALERT_VALUE_NAMES = ['packets_in', 'packets_out', 'bytes_in', 'bytes_out', 'new_conn'] as const;

/** One set of measures; null: the detector does not measure it. */
export type AlertValues = { readonly [K in (typeof ALERT_VALUE_NAMES)[number]]: number | null };

/** An alert as a detector describes it, validated and canonical. */
export interface Alert {
  readonly version: number;
  readonly id: string;
  /** UTC epoch seconds (µs fractions): the alert is active from earliest_utc to latest_utc. */
  readonly earliest_utc: number;
  readonly latest_utc: number;
  /** Syslog severity, 0 (EMERG) to 7 (DEBUG). */
  readonly severity: number;
  readonly alert_type: AlertType;
  readonly detector: Detector;
  /** Canonical text (dotted quad, RFC 5952), or null for alerts without a target (horizontal scans). */
  readonly target_ip: string | null;
  /** Prefix length; null exactly when target_ip is. */
  readonly target_mask: number | null;
  readonly proto: number | null;
  readonly server_port: number | null;
  readonly sources: readonly string[];
  readonly total_sources: number;
  readonly threshold_value: number | null;
  readonly current_values: AlertValues | null;
  readonly peak_values: AlertValues | null;
  readonly average_values: AlertValues | null;
  readonly message: string;
}

/** Every member of a posted alert, in the order alerts are written. */
export const ALERT_FIELDS: readonly (keyof Alert)[] = [
  'version',
  'id',
  'earliest_utc',
  'latest_utc',
  'severity',
  'alert_type',
  'detector',
  'target_ip',
  'target_mask',
  'proto',
  'server_port',
  'sources',
  'total_sources',
  'threshold_value',
  'current_values',
  'peak_values',
  'average_values',
  'message',
];

