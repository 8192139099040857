// An alert as ftserver records it (POST /api/v1/alerts) and `ftnbi -alert -j` returns it: core's alert
// contract (types, detectors, value names), and what a detector says of its subject besides the message.

import { ALERT_TYPES, ALERT_VALUE_NAMES, ALERT_VERSION, type AlertType, type AlertValues, type Detector } from '@opentraq/core';

export { ALERT_TYPES, ALERT_VERSION, type AlertType, type AlertValues };

/** The detectors of nbi.md. */
export type DetectorName = Detector;

export const VALUE_NAMES = ALERT_VALUE_NAMES;

/** What a detector says about the subject of an alert, besides the message. */
export interface AlertFacts {
  /** The attacked or anomalous address (canonical text), with its prefix length; null when there is none. */
  readonly target_ip: string | null;
  readonly target_mask: number | null;
  readonly proto: number | null;
  readonly server_port: number | null;
  /** The sources named by the alert (at most 1000), and how many there are in all. */
  readonly sources: readonly string[];
  readonly total_sources: number;
  /** The value the measured one crossed. */
  readonly threshold_value: number | null;
  readonly current_values: AlertValues | null;
  /** The baseline, where the detector has one. */
  readonly average_values: AlertValues | null;
}

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
