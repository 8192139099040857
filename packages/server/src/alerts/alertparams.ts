// The query string of GET /api/v1/alerts: the time frame as the other endpoints take it
// (time_range, or after_time + before_time), rows and format; anything else is refused by name.

import { DEFAULT_REL_TIME, TimeError, parseRelTime, relFrame } from '@opentraq/core';
import { HttpError } from '../api/http/httperror.js';

export interface AlertListParams {
  /** The frame [fromUs, toUs), µs since the epoch. */
  readonly fromUs: number;
  readonly toUs: number;
  /** At most this many alerts (the first in the listing order); undefined: all. */
  readonly rows: number | undefined;
}

const LIST_PARAMS = ['time_range', 'after_time', 'before_time', 'rows', 'format'] as const;
/** Read by the HTTP layer, and a cache buster some HTTP clients add. */
const ALWAYS_ALLOWED = ['auth_token', '_'];
/** Latest epoch second accepted: its µs still count exactly in a double (year 2255). */
const MAX_EPOCH_SECONDS = 9_000_000_000;
const MAX_ROWS = 1_000_000;
const EPOCH_EXAMPLE = 'e.g. after_time=1700000000&before_time=1700003600.5';

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

function badParam(code: string, param: string, message: string): HttpError {
  return new HttpError(400, code, message, { param });
}

/**
 * Each parameter of `p` at most once, and only those in `allowed` (with auth_token and _):
 * a typo is an error naming it, never silently ignored.
 */
export function readAlertParams(p: URLSearchParams, allowed: readonly string[], endpoint: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of p) {
    if (!allowed.includes(name) && !ALWAYS_ALLOWED.includes(name)) {
      const takes = allowed.length === 0 ? 'takes no parameters but auth_token' : `takes ${allowed.join(' ')}`;
      throw badParam('UNKNOWN_PARAM', name, `unknown parameter ${quote(name)}: ${endpoint} ${takes}`);
    }
    if (out.has(name)) {
      const both = name === 'auth_token' ? '' : ` (${quote(out.get(name)!)} and ${quote(value)})`;
      throw badParam('REPEATED_PARAM', name, `${name} is given more than once${both}: give it once`);
    }
    out.set(name, value);
  }
  return out;
}

/** UTC epoch seconds with up to six decimals, as exact µs. */
function epochUs(text: string, param: string): number {
  const m = /^(\d{1,10})(?:\.(\d{1,6}))?$/.exec(text);
  if (m === null) throw badParam('BAD_TIME', param, `${param} ${quote(text)} is not a time: give UTC epoch seconds, at most six decimals (${EPOCH_EXAMPLE})`);
  const seconds = Number(m[1]);
  if (seconds > MAX_EPOCH_SECONDS) throw badParam('BAD_TIME', param, `${param} ${text} is too far in the future: at most ${MAX_EPOCH_SECONDS}`);
  return seconds * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** The parameters of GET /api/v1/alerts; a relative frame ends at `nowUs`. */
export function parseAlertListParams(p: URLSearchParams, nowUs: number): AlertListParams {
  const params = readAlertParams(p, LIST_PARAMS, 'GET /api/v1/alerts');

  const format = params.get('format');
  if (format !== undefined && format.toLowerCase() !== 'json') {
    throw badParam('BAD_PARAM', 'format', `unknown format ${quote(format)}: alerts are answered as JSON only (format=json, the default)`);
  }

  let rows: number | undefined;
  const r = params.get('rows');
  if (r !== undefined) {
    if (!/^\d+$/.test(r) || Number(r) < 1) throw badParam('BAD_PARAM', 'rows', `rows must be a whole number from 1, such as 100 (got ${quote(r)})`);
    rows = Number(r);
    if (rows > MAX_ROWS) throw badParam('BAD_PARAM', 'rows', `rows ${quote(r)} is too large: at most ${MAX_ROWS}`);
  }

  const range = params.get('time_range');
  const after = params.get('after_time');
  const before = params.get('before_time');
  if (range !== undefined && (after !== undefined || before !== undefined)) {
    const abs = [after !== undefined && 'after_time', before !== undefined && 'before_time'].filter(Boolean).join(' and ');
    throw badParam(
      'CONFLICTING_PARAMS',
      'time_range',
      `time_range cannot be combined with ${abs}: give either a relative frame (time_range=3m) or an absolute one (after_time=START&before_time=END)`,
    );
  }
  if ((after === undefined) !== (before === undefined)) {
    const [given, missing] = after === undefined ? ['before_time', 'after_time'] : ['after_time', 'before_time'];
    throw badParam('MISSING_PARAM', missing, `${given} needs ${missing} as well: an absolute frame has a start and an end (${EPOCH_EXAMPLE})`);
  }
  if (after !== undefined && before !== undefined) {
    const fromUs = epochUs(after, 'after_time');
    const toUs = epochUs(before, 'before_time');
    if (!(fromUs < toUs)) throw badParam('BAD_TIME', 'after_time', `after_time (${after}) must be before before_time (${before}): the frame is [after_time, before_time)`);
    return { fromUs, toUs, rows };
  }
  try {
    const f = relFrame(parseRelTime(range ?? DEFAULT_REL_TIME), nowUs);
    return { fromUs: f.fromUs, toUs: f.toUs, rows };
  } catch (e) {
    if (e instanceof TimeError) throw badParam('BAD_TIME', 'time_range', `time_range ${e.message}`);
    throw e;
  }
}
