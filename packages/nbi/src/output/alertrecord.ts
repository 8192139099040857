// An alert as ftserver records it (POST /api/v1/alerts) and `ftnbi -alert -j` returns it: core's alert
// contract (types, detectors, value names), and what a detector says of its subject besides the message.

import { ALERT_TYPES, ALERT_VALUE_NAMES, ALERT_VERSION, type Alert, type AlertType, type AlertValues, type Detector } from '@opentraq/core';

export { ALERT_TYPES, ALERT_VERSION, type AlertType, type AlertValues };

/** The detectors of nbi.md. */
export type DetectorName = Detector;

export const VALUE_NAMES = ALERT_VALUE_NAMES;

/** What a detector says about the subject of an alert, besides the message: core's alert fields of that name. */
export type AlertFacts = Pick<
  Alert,
  'target_ip' | 'target_mask' | 'proto' | 'server_port' | 'sources' | 'total_sources' | 'threshold_value' | 'current_values' | 'average_values'
>;

export interface AlertRecord extends AlertFacts {
  readonly version: number;
  /** Stable across the windows of one episode, so that each window updates the same record. */
  readonly id: string;
  /** UTC epoch seconds with µs: the start of the episode's first window and the end of its latest. */
  readonly earliest_utc: number;
  readonly latest_utc: number;
  /** Syslog severity 0 (EMERG) – 7 (DEBUG): -ll. */
  readonly severity: number;
  readonly alert_type: AlertType;
  readonly detector: DetectorName;
  /** Per measure, the highest value over the episode's windows. */
  readonly peak_values: AlertValues | null;
  /** The line the detector printed. */
  readonly message: string;
}
