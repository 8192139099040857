// The stored form of an alert: built from a validated post and the server's fields, frozen so no
// caller can change what the store holds, and read back (checked again) from a line of the log.

import { HttpError } from '../api/http/httperror.js';
import { ALERT_FIELDS, type Alert, type StoredAlert } from './alert.js';
import { validateAlert, type PostedAlert } from './validatealert.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

export function makeStoredAlert(posted: PostedAlert, id: string, postedBy: string, receivedUtc: number, updatedUtc: number): StoredAlert {
  return deepFreeze({ ...posted, id, posted_by: postedBy, received_utc: receivedUtc, updated_utc: updatedUtc });
}

/** The alert's own content, for telling a real update from a repeated post. */
export function alertContent(a: Alert | PostedAlert): string {
  return JSON.stringify(ALERT_FIELDS.map((k) => a[k]));
}

/** A line of the log as a stored alert; throws an Error saying what is wrong with it. */
export function parseStoredAlert(value: unknown): StoredAlert {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('it is not a JSON object');
  const { posted_by: postedBy, received_utc: received, updated_utc: updated, ...rest } = value as Record<string, unknown>;
  if (typeof postedBy !== 'string' || postedBy === '') throw new Error('posted_by is missing or not a user name');
  for (const [k, v] of [['received_utc', received], ['updated_utc', updated]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${k} is missing or not epoch seconds`);
  }
  let posted: PostedAlert;
  try {
    posted = validateAlert(rest, null);
  } catch (e) {
    throw new Error(e instanceof HttpError ? e.message : String(e));
  }
  if (posted.id === null) throw new Error('it has no id');
  return makeStoredAlert(posted, posted.id, postedBy, received as number, updated as number);
}
