// Options of the session tracker (the `<sessiontables>` settings plus the sink and the services
// table), with defaults; `resolveSessionOptions` validates them and fills in the rest.

import type { Columns } from '../fields/columns.js';
import { SessionError } from './sessionerror.js';
import { defaultIsServicePort, type IsServicePort } from './serviceports.js';

/** Receives finished session records: the first `rows` rows of `cols`, valid only during the call. */
export type SessionSink = (cols: Columns, rows: number) => void;

export interface SessionTrackerOptions {
  /** Where finished sessions go. The columns are reused after the call returns: copy what you keep. */
  onSessions: SessionSink;
  /** Sessions the tracker holds at most (`sessiontables.conntracksize`); beyond, the least recently updated is emitted. */
  conntracksize?: number;
  /** Seconds without activity after which a session is emitted (`sessiontables.timeout`); 0: only when the table is full. */
  timeout?: number;
  /** Seconds a session record may span (`sessiontables.toolong`); longer sessions become consecutive records; 0: no limit. */
  toolong?: number;
  /** Rows per batch handed to onSessions (the last batch of a flush may be shorter). */
  batchRows?: number;
  /** The services table: is this port a server's port? (default: 1-1023 and common registered ports) */
  isServicePort?: IsServicePort;
  /**
   * How far (µs) flow end times may run ahead of the wall clock given to ingest() and still advance the
   * tracker's clock; later times (a broken exporter clock) stop at this lead. Ignored while the wall
   * clock is 0 (offline replays, where flow times alone drive the clock).
   */
  maxClockLeadUs?: number;
}

export interface ResolvedSessionOptions {
  readonly onSessions: SessionSink;
  readonly conntracksize: number;
  readonly timeout: number;
  readonly toolong: number;
  readonly batchRows: number;
  readonly isServicePort: IsServicePort;
  readonly maxClockLeadUs: number;
}

/** FlowTraq's defaults (flowtraq.conf) except batchRows and maxClockLeadUs, which are ours. */
export const DEFAULT_SESSION_OPTIONS = Object.freeze({
  conntracksize: 447_248,
  timeout: 7200,
  toolong: 28_800,
  batchRows: 8192,
  // an exporter's clock is corrected when it is off by more than 10 s: an honest flow never ends
  // a minute after it was received, and a larger lead would time sessions out early by as much
  maxClockLeadUs: 60_000_000,
});

/** Largest conntracksize accepted: 2^26 slots (about 15 GB of tracker state). */
export const MAX_CONNTRACKSIZE = 2 ** 26;

function whole(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new SessionError('BAD_OPTION', `session tracker option ${name} must be a whole number from ${min} to ${max}, got ${String(v)}`, name);
  }
  return v;
}

function seconds(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 10 * 365 * 86400) {
    throw new SessionError('BAD_OPTION', `session tracker option ${name} must be a number of seconds from 0 to 315360000 (0 disables), got ${String(v)}`, name);
  }
  return v;
}

export function resolveSessionOptions(opts: SessionTrackerOptions): ResolvedSessionOptions {
  if (typeof opts !== 'object' || opts === null) throw new SessionError('BAD_OPTION', 'session tracker options must be an object with at least onSessions', 'onSessions');
  if (typeof opts.onSessions !== 'function') {
    throw new SessionError('BAD_OPTION', 'session tracker option onSessions must be a function (cols, rows) => void that receives finished sessions', 'onSessions');
  }
  const isServicePort = opts.isServicePort ?? defaultIsServicePort;
  if (typeof isServicePort !== 'function') {
    throw new SessionError('BAD_OPTION', 'session tracker option isServicePort must be a function (port, proto) => boolean', 'isServicePort');
  }
  const d = DEFAULT_SESSION_OPTIONS;
  const toolong = seconds('toolong', opts.toolong ?? d.toolong);
  if (toolong > 0 && toolong < 1) {
    throw new SessionError('BAD_OPTION', `session tracker option toolong must be 0 (no limit) or at least 1 second, got ${toolong}`, 'toolong');
  }
  return {
    onSessions: opts.onSessions,
    conntracksize: whole('conntracksize', opts.conntracksize ?? d.conntracksize, 1, MAX_CONNTRACKSIZE),
    timeout: seconds('timeout', opts.timeout ?? d.timeout),
    toolong,
    batchRows: whole('batchRows', opts.batchRows ?? d.batchRows, 1, 1 << 20),
    isServicePort,
    maxClockLeadUs: whole('maxClockLeadUs', opts.maxClockLeadUs ?? d.maxClockLeadUs, 0, Number.MAX_SAFE_INTEGER),
  };
}
