// The alert endpoints of the query API: POST /api/v1/alerts (detectors record or update an
// alert) and GET /api/v1/alerts (ftnbi -alert lists those of a time frame).

import type { ApiRequest, ApiRoute } from '../api/http/httpapi.js';
import { HttpError } from '../api/http/httperror.js';
import { readJsonBody, sendJson } from '../api/http/io.js';
import type { StoredAlert } from './alert.js';
import { parseAlertListParams, readAlertParams } from './alertparams.js';
import type { AlertStore } from './alertstore.js';
import { AlertStoreError } from './alertstoreerror.js';

/** A failure of the store itself is the server's (500), with a message an operator can act on. */
function storeFailure(e: unknown): unknown {
  if (e instanceof AlertStoreError) return new HttpError(500, `ALERT_STORE_${e.code}`, `the alert store failed: ${e.message}`);
  return e;
}

async function post(store: AlertStore, r: ApiRequest): Promise<void> {
  readAlertParams(r.url.searchParams, [], 'POST /api/v1/alerts');
  const body = await readJsonBody(r.req);
  // an id that is already kept makes this post an update (record() checks who may make it)
  const existed = typeof body.id === 'string' && store.has(body.id);
  let id: string;
  try {
    id = store.record(body, r.user, Date.now()).id;
  } catch (e) {
    throw storeFailure(e);
  }
  sendJson(r.res, existed ? 200 : 201, { id, created: !existed });
}

async function list(store: AlertStore, r: ApiRequest): Promise<void> {
  const p = parseAlertListParams(r.url.searchParams, Date.now() * 1000);
  let alerts: StoredAlert[];
  try {
    alerts = store.list(p.fromUs, p.toUs, r.user);
  } catch (e) {
    throw storeFailure(e);
  }
  const total = alerts.length;
  if (p.rows !== undefined && alerts.length > p.rows) alerts = alerts.slice(0, p.rows);
  sendJson(r.res, 200, { alerts, total });
}

export function alertRoutes(store: AlertStore): ApiRoute[] {
  return [
    { method: 'POST', path: 'alerts', handle: (r) => post(store, r) },
    { method: 'GET', path: 'alerts', handle: (r) => list(store, r) },
  ];
}
