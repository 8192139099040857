// An alert as a detector states it for one window, before the engine gives it its time, its
// episode (id, first window, peaks) and sends it to stdout, syslog and the server.

import type { AlertFacts, AlertType } from './alertrecord.js';

/** One named fact for syslog structured data (the SD-PARAM name) and JSON lines (the key). */
export interface AlertField {
  /** 1–32 characters of [A-Za-z0-9_]: valid as an RFC 5424 PARAM-NAME and as a JSON key. */
  readonly name: string;
  readonly value: string | number;
}

export interface AlertDraft {
  readonly type: AlertType;
  /**
   * What the alert is about (`10.0.0.9`, `1.2.3.4>10.0.0.9`): the same subject alerting in consecutive
   * windows is one episode, recorded in the server as one alert that each window updates.
   */
  readonly subject: string;
  /** The human-readable line after its time stamp, as nbi.md shows it. */
  readonly text: string;
  /** The detector's own facts (entity, measure, value, baseline, thresholds), in the order they are shown. */
  readonly fields: readonly AlertField[];
  readonly facts: AlertFacts;
}
