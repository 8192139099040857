// Checks an alert posted by a detector field by field and gives it its canonical form; every
// problem is a 400 BAD_ALERT naming the field, what was expected and what came.

import { formatIp, isV4Words, parseIp } from '@opentraq/core';
import { HttpError } from '../api/http/httperror.js';
import { ALERT_FIELDS, ALERT_TYPES, ALERT_VERSION, DETECTORS, SERVER_FIELDS, SEVERITY_NAMES, VALUE_NAMES, type Alert, type AlertType, type AlertValues, type Detector } from './alert.js';

/** An alert as posted: valid, canonical, its id null when the poster left the choice to the server. */
export type PostedAlert = Omit<Alert, 'id'> & { readonly id: string | null };

export const MAX_ID_LENGTH = 128;
export const MAX_SOURCES = 1000;
export const MAX_MESSAGE_LENGTH = 4096;
/** How far after the server's clock an alert may end: detectors' clocks drift, epoch milliseconds do not fit. */
export const MAX_FUTURE_SECONDS = 86_400;

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const SEVERITY_TEXT = `an integer from 0 (EMERG) to 7 (DEBUG), or one of ${SEVERITY_NAMES.join(' ')}`;

/** A value as an error message shows it: JSON, cut short so junk does not flood the message. */
function shown(v: unknown): string {
  let text: string;
  try {
    text = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function bad(field: string, expected: string, got: unknown): HttpError {
  return new HttpError(400, 'BAD_ALERT', `${field} must be ${expected} (got ${shown(got)})`, { param: field });
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const absent = (v: unknown): boolean => v === undefined || v === null;

function integerIn(body: Record<string, unknown>, field: string, min: number, max: number): number | null {
  const v = body[field];
  if (absent(v)) return null;
  if (!isNumber(v) || !Number.isInteger(v) || v < min || v > max) throw bad(field, `an integer from ${min} to ${max}`, v);
  return v;
}

/** UTC epoch seconds to µs precision. */
function epochSeconds(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (absent(v)) throw new HttpError(400, 'BAD_ALERT', `the alert needs ${field}: UTC epoch seconds, e.g. 1700000000.5`, { param: field });
  if (!isNumber(v) || v < 0) throw bad(field, 'UTC epoch seconds (a number ≥ 0, e.g. 1700000000.5)', v);
  return Math.round(v * 1e6) / 1e6;
}

function severityOf(v: unknown): number {
  if (absent(v)) throw new HttpError(400, 'BAD_ALERT', `the alert needs severity: ${SEVERITY_TEXT}`, { param: 'severity' });
  if (typeof v === 'string') {
    const i = (SEVERITY_NAMES as readonly string[]).indexOf(v.toUpperCase());
    if (i >= 0) return i;
  } else if (isNumber(v) && Number.isInteger(v) && v >= 0 && v < SEVERITY_NAMES.length) {
    return v;
  }
  throw bad('severity', SEVERITY_TEXT, v);
}

function oneOf<T extends string>(body: Record<string, unknown>, field: string, values: readonly T[]): T {
  const v = body[field];
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  if (absent(v)) throw new HttpError(400, 'BAD_ALERT', `the alert needs ${field}: one of ${values.join(' ')}`, { param: field });
  throw bad(field, `one of ${values.join(' ')}`, v);
}

/** Canonical address text and its family's prefix length, or null. */
function address(v: unknown): { text: string; bits: number } | null {
  if (typeof v !== 'string') return null;
  const w = parseIp(v);
  if (w === null) return null;
  return { text: formatIp(w[0], w[1], w[2], w[3]), bits: isV4Words(w[0], w[1], w[2]) ? 32 : 128 };
}

function valuesOf(body: Record<string, unknown>, field: string): AlertValues | null {
  const v = body[field];
  if (absent(v)) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(field, `an object with numbers ${VALUE_NAMES.join(' ')}`, v);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(VALUE_NAMES as readonly string[]).includes(k)) {
      throw new HttpError(400, 'BAD_ALERT', `${field} has an unknown member ${shown(k)}: it takes ${VALUE_NAMES.join(' ')}`, { param: `${field}.${k}` });
    }
  }
  const out: Record<string, number | null> = {};
  for (const k of VALUE_NAMES) {
    const x = o[k];
    if (absent(x)) out[k] = null;
    else if (isNumber(x) && x >= 0) out[k] = x;
    else throw bad(`${field}.${k}`, 'a number ≥ 0, or null when not measured', x);
  }
  return out as AlertValues;
}

/**
 * The alert `input` describes. `nowMs` is the server's clock, against which latest_utc is checked;
 * null skips that check (alerts read back from the log were checked when posted).
 */
export function validateAlert(input: unknown, nowMs: number | null): PostedAlert {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new HttpError(400, 'BAD_ALERT', `an alert must be a JSON object (got ${shown(input)})`);
  }
  const body = input as Record<string, unknown>;
  for (const k of Object.keys(body)) {
    if ((SERVER_FIELDS as readonly string[]).includes(k)) {
      throw new HttpError(400, 'BAD_ALERT', `${k} is set by the server (posted_by, received_utc, updated_utc); leave it out of the alert`, { param: k });
    }
    if (!(ALERT_FIELDS as readonly string[]).includes(k)) {
      throw new HttpError(400, 'BAD_ALERT', `unknown alert field ${shown(k)}: an alert has ${ALERT_FIELDS.join(' ')}`, { param: k });
    }
  }

  if (!absent(body.version) && body.version !== ALERT_VERSION) throw bad('version', `${ALERT_VERSION}, the alert format this server knows (or absent)`, body.version);

  let id: string | null = null;
  if (!absent(body.id)) {
    const v = body.id;
    if (typeof v !== 'string' || v.length > MAX_ID_LENGTH || !ID_PATTERN.test(v)) {
      throw bad('id', `1 to ${MAX_ID_LENGTH} characters among letters, digits and . _ : - (or absent: the server assigns one)`, v);
    }
    id = v;
  }

  const earliest = epochSeconds(body, 'earliest_utc');
  const latest = epochSeconds(body, 'latest_utc');
  if (earliest > latest) {
    throw new HttpError(400, 'BAD_ALERT', `earliest_utc (${earliest}) must not be after latest_utc (${latest})`, { param: 'earliest_utc' });
  }
  if (nowMs !== null && latest * 1e6 > nowMs * 1000 + MAX_FUTURE_SECONDS * 1e6) {
    throw new HttpError(
      400,
      'BAD_ALERT',
      `latest_utc (${latest}) is more than a day after the server's clock (${Math.floor(nowMs / 1000)}): give UTC epoch seconds, not milliseconds, and check the detector's clock`,
      { param: 'latest_utc' },
    );
  }

  const severity = severityOf(body.severity);
  const alertType: AlertType = oneOf(body, 'alert_type', ALERT_TYPES);
  const detector: Detector = oneOf(body, 'detector', DETECTORS);

  let targetIp: string | null = null;
  let targetMask: number | null = null;
  if (!absent(body.target_ip)) {
    const a = address(body.target_ip);
    if (a === null) throw bad('target_ip', 'an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1 (or absent)', body.target_ip);
    targetIp = a.text;
    targetMask = integerIn(body, 'target_mask', 0, a.bits) ?? a.bits;
  } else if (!absent(body.target_mask)) {
    throw new HttpError(400, 'BAD_ALERT', 'target_mask is given without target_ip: a prefix length needs the address it applies to', { param: 'target_mask' });
  }

  const proto = integerIn(body, 'proto', 0, 255);
  const serverPort = integerIn(body, 'server_port', 0, 65535);

  const sources: string[] = [];
  if (!absent(body.sources)) {
    const v = body.sources;
    if (!Array.isArray(v)) throw bad('sources', 'an array of IPv4 or IPv6 addresses', v);
    if (v.length > MAX_SOURCES) {
      throw new HttpError(400, 'BAD_ALERT', `sources lists ${v.length} addresses; at most ${MAX_SOURCES} are kept: list the first ones and give the full count in total_sources`, {
        param: 'sources',
      });
    }
    v.forEach((s: unknown, i) => {
      const a = address(s);
      if (a === null) throw bad(`sources[${i}]`, 'an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1', s);
      sources.push(a.text);
    });
  }
  let totalSources = sources.length;
  if (!absent(body.total_sources)) {
    const v = body.total_sources;
    if (!isNumber(v) || !Number.isInteger(v) || v < sources.length) {
      throw bad('total_sources', `an integer ≥ the number of addresses in sources (${sources.length})`, v);
    }
    totalSources = v;
  }

  let threshold: number | null = null;
  if (!absent(body.threshold_value)) {
    if (!isNumber(body.threshold_value)) throw bad('threshold_value', 'a number (or absent)', body.threshold_value);
    threshold = body.threshold_value;
  }

  const current = valuesOf(body, 'current_values');
  const peak = valuesOf(body, 'peak_values');
  const average = valuesOf(body, 'average_values');

  const message = body.message;
  if (absent(message)) throw new HttpError(400, 'BAD_ALERT', 'the alert needs message: the human-readable line the detector printed', { param: 'message' });
  if (typeof message !== 'string' || message.length === 0 || message.length > MAX_MESSAGE_LENGTH) {
    throw bad('message', `a string of 1 to ${MAX_MESSAGE_LENGTH} characters`, message);
  }

  return {
    version: ALERT_VERSION,
    id,
    earliest_utc: earliest,
    latest_utc: latest,
    severity,
    alert_type: alertType,
    detector,
    target_ip: targetIp,
    target_mask: targetMask,
    proto,
    server_port: serverPort,
    sources,
    total_sources: totalSources,
    threshold_value: threshold,
    current_values: current,
    peak_values: peak,
    average_values: average,
    message,
  };
}
