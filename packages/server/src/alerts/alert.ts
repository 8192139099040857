// What the server keeps of an alert: the shared contract (@opentraq/core: the fields a detector posts)
// plus the server's own fields. Every field is always present in the stored form, null when unknown.

import type { Alert } from '@opentraq/core';

export { ALERT_FIELDS, ALERT_TYPES, ALERT_VERSION, DETECTORS, SEVERITY_NAMES, ALERT_VALUE_NAMES as VALUE_NAMES, type Alert, type AlertType, type AlertValues, type Detector } from '@opentraq/core';

/** An alert as the server keeps and lists it. */
export interface StoredAlert extends Alert {
  /** The user who first posted it: the owner, who may update it. */
  readonly posted_by: string;
  /** When the server first received it, UTC epoch seconds (ms precision). */
  readonly received_utc: number;
  /** When its content last changed (the first post, or the last update that changed something). */
  readonly updated_utc: number;
}

/** The members the server sets; a poster cannot give them. */
export const SERVER_FIELDS: readonly (keyof StoredAlert)[] = ['posted_by', 'received_utc', 'updated_utc'];
