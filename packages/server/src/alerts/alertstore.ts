// The alerts the detectors post (POST /api/v1/alerts) and ftnbi lists: kept in memory, logged to
// <dir>/alerts.ndjson before a post is answered, bounded in count and size, compacted as it grows.

import { randomBytes } from 'node:crypto';
import { HttpError } from '../api/http/httperror.js';
import type { UserInfo } from '../auth/index.js';
import type { StoredAlert } from './alert.js';
import { canAccessAlert } from './alertaccess.js';
import { AlertLog } from './alertlog.js';
import { AlertStoreError } from './alertstoreerror.js';
import { alertContent, makeStoredAlert, parseStoredAlert } from './storedalert.js';
import { validateAlert } from './validatealert.js';

export interface AlertStoreOptions {
  /** Most alerts kept (default 100000); beyond it the oldest by latest_utc are dropped. */
  readonly maxAlerts?: number;
  /** Most bytes of alerts kept, as JSON (default 128 MiB): 1000 sources per alert make big alerts. */
  readonly maxBytes?: number;
  /** Told what went wrong without stopping the store: damaged log lines, a failed compaction. */
  readonly onWarning?: (message: string) => void;
}

export const DEFAULT_MAX_ALERTS = 100_000;
export const DEFAULT_MAX_BYTES = 128 * 1024 * 1024;
const MIN_MAX_BYTES = 1024 * 1024;
/** Below this many lines (or maxAlerts, if smaller) the log is never compacted: it costs nothing. */
const COMPACT_FLOOR_LINES = 256;
const COMPACT_FLOOR_BYTES = 1024 * 1024;

interface Entry {
  readonly alert: StoredAlert;
  /** Its line in the log, newline included. */
  readonly bytes: number;
}

/** µs since the epoch of UTC epoch seconds. */
const us = (seconds: number): number => Math.round(seconds * 1e6);

/** Oldest first: by latest_utc, then last change, then id. */
function olderFirst(a: StoredAlert, b: StoredAlert): number {
  return a.latest_utc - b.latest_utc || a.updated_utc - b.updated_utc || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Whether `a` is listed for the frame [fromUs, toUs): when its active time [earliest_utc, latest_utc]
 * overlaps the frame (as time.md defines it for sessions: it starts before the end and ends after
 * the start; a single instant counts when it lies in the frame), or when the server received it or
 * last changed it during the frame. Detectors report a window after it has closed (up to ten minutes
 * later), so a cron job asking every minute for the last minute (cli.md) would otherwise never see it.
 */
function listedIn(a: StoredAlert, fromUs: number, toUs: number): boolean {
  const start = us(a.earliest_utc);
  const end = us(a.latest_utc);
  if (start < toUs && (end > fromUs || (start === end && start >= fromUs))) return true;
  const inFrame = (seconds: number): boolean => us(seconds) >= fromUs && us(seconds) < toUs;
  return inFrame(a.received_utc) || inFrame(a.updated_utc);
}

function positiveInteger(v: number | undefined, name: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`AlertStore: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

export class AlertStore {
  private readonly alerts = new Map<string, Entry>();
  private liveBytes = 0;
  private closed = false;
  private readonly maxAlerts: number;
  private readonly maxBytes: number;
  private readonly warn: (message: string) => void;

  private constructor(
    private readonly log: AlertLog,
    maxAlerts: number,
    maxBytes: number,
    warn: (message: string) => void,
  ) {
    this.maxAlerts = maxAlerts;
    this.maxBytes = maxBytes;
    this.warn = warn;
  }

  /**
   * Opens the store in `dir` (created if needed), reading back every alert of its log: the last
   * line of an id wins; damaged lines are skipped and reported through onWarning.
   */
  static open(dir: string, opts: AlertStoreOptions = {}): AlertStore {
    const maxAlerts = positiveInteger(opts.maxAlerts, 'maxAlerts', DEFAULT_MAX_ALERTS, 1);
    const maxBytes = positiveInteger(opts.maxBytes, 'maxBytes', DEFAULT_MAX_BYTES, MIN_MAX_BYTES);
    const warn = opts.onWarning ?? ((m: string) => process.emitWarning(m, 'AlertStoreWarning'));
    const { log, entries } = AlertLog.open(dir, warn);
    const store = new AlertStore(log, maxAlerts, maxBytes, warn);
    for (const e of entries) {
      let alert: StoredAlert;
      try {
        alert = parseStoredAlert(e.value);
      } catch (err) {
        warn(`${log.file} line ${e.line} is not an alert (${(err as Error).message}); that line is skipped`);
        continue;
      }
      store.put({ alert, bytes: e.bytes });
    }
    store.maintain();
    return store;
  }

  /** Live alerts. */
  get count(): number {
    return this.alerts.size;
  }

  /** Whether an alert with this id is kept (whoever may see it). */
  has(id: string): boolean {
    return this.alerts.has(id);
  }

  /**
   * Records a posted alert: a new one (with the server's id when it has none), or an update of the
   * alert with its id — allowed to its owner and administrators (403 otherwise), and only if it keeps
   * its detector and alert_type (409). A post identical to the stored alert changes nothing. Invalid
   * alerts are a 400 BAD_ALERT. When this returns, the alert is on disk.
   */
  record(input: unknown, by: UserInfo, nowMs: number): StoredAlert {
    this.assertOpen();
    const posted = validateAlert(input, nowMs);
    const nowUtc = Math.round(nowMs) / 1000;
    const old = posted.id === null ? undefined : this.alerts.get(posted.id)?.alert;
    let alert: StoredAlert;
    if (old !== undefined) {
      if (!canAccessAlert(old, by)) {
        throw new HttpError(403, 'NOT_ALERT_OWNER', `alert ${JSON.stringify(old.id)} exists and ${by.name} may not update it: only the user who posted it or an administrator may`, {
          param: 'id',
        });
      }
      if (old.detector !== posted.detector || old.alert_type !== posted.alert_type) {
        throw new HttpError(
          409,
          'ALERT_ID_CONFLICT',
          `alert ${JSON.stringify(old.id)} is a ${old.alert_type} alert of ${old.detector}; an update must keep both (got ${posted.alert_type} of ${posted.detector}): give a different alert another id`,
          { param: 'id' },
        );
      }
      if (alertContent(old) === alertContent(posted)) return old;
      alert = makeStoredAlert(posted, old.id, old.posted_by, old.received_utc, nowUtc);
    } else {
      alert = makeStoredAlert(posted, posted.id ?? this.newId(posted.detector), by.name, nowUtc, nowUtc);
    }
    const line = JSON.stringify(alert);
    this.log.append(line);
    this.put({ alert, bytes: Buffer.byteLength(line) + 1 });
    this.maintain();
    return alert;
  }

  /** The alerts `user` may see that are listed in [fromUs, toUs) (see listedIn), by earliest_utc then id. */
  list(fromUs: number, toUs: number, user: UserInfo): StoredAlert[] {
    this.assertOpen();
    const out: StoredAlert[] = [];
    for (const { alert } of this.alerts.values()) if (canAccessAlert(alert, user) && listedIn(alert, fromUs, toUs)) out.push(alert);
    return out.sort((a, b) => a.earliest_utc - b.earliest_utc || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new AlertStoreError('CLOSED', 'the alert store is closed');
  }

  private put(e: Entry): void {
    const old = this.alerts.get(e.alert.id);
    if (old !== undefined) this.liveBytes -= old.bytes;
    this.alerts.set(e.alert.id, e);
    this.liveBytes += e.bytes;
  }

  private newId(detector: string): string {
    for (;;) {
      const id = `${detector}-${randomBytes(8).toString('hex')}`;
      if (!this.alerts.has(id)) return id;
    }
  }

  /**
   * Keeps the limits and the log's size. Over a limit, the oldest alerts go down to 90 % of it at
   * once and the log is rewritten without them: one rewrite per tenth of the store, not per alert,
   * and a dropped alert cannot come back from the log at the next start.
   */
  private maintain(): void {
    let dropped = 0;
    if (this.alerts.size > this.maxAlerts || this.liveBytes > this.maxBytes) {
      const countTarget = this.maxAlerts - Math.floor(this.maxAlerts / 10);
      const bytesTarget = this.maxBytes - Math.floor(this.maxBytes / 10);
      const oldest = [...this.alerts.values()].sort((a, b) => olderFirst(a.alert, b.alert));
      for (const e of oldest) {
        if (this.alerts.size <= countTarget && this.liveBytes <= bytesTarget) break;
        this.alerts.delete(e.alert.id);
        this.liveBytes -= e.bytes;
        dropped++;
      }
      this.warn(`the alert store is full (maxAlerts ${this.maxAlerts}, maxBytes ${this.maxBytes}): the ${dropped} oldest alerts were dropped`);
    }
    const lineFloor = Math.min(COMPACT_FLOOR_LINES, this.maxAlerts);
    const wasteful = this.log.lines > 2 * Math.max(this.alerts.size, lineFloor) || this.log.bytes > 2 * Math.max(this.liveBytes, COMPACT_FLOOR_BYTES);
    if (dropped === 0 && !wasteful) return;
    try {
      this.log.rewrite([...this.alerts.values()].map((e) => JSON.stringify(e.alert)));
    } catch (e) {
      this.warn(`the alert log could not be compacted (${(e as Error).message}); it keeps growing until a later attempt succeeds`);
    }
  }
}
