// The time frame of an API query: time_range (a RELTIME such as 1h30m, like -tn) or
// after_time + before_time (UTC epoch seconds, like -te/-tl); 15m when none is given.

import { DEFAULT_REL_TIME, LOCAL_ZONE, TimeError, parseRelTime, relFrame, type TimeFrame, type ZoneOffset } from '@opentraq/core';
import { ApiError } from './apierror.js';
import { quote } from './quote.js';

/** Latest epoch second accepted: its µs still count exactly in a double (year 2255). */
export const MAX_EPOCH_SECONDS = 9_000_000_000;

const EPOCH_EXAMPLE = 'e.g. after_time=1700000000&before_time=1700003600.5';

/** UTC epoch seconds with up to six decimals, as exact µs. */
function parseEpoch(text: string, param: string): number {
  const m = /^(\d{1,10})(?:\.(\d{1,6}))?$/.exec(text);
  if (m === null) {
    throw new ApiError(
      'BAD_TIME',
      `${param} ${quote(text)} is not a time: give UTC epoch seconds, at most six decimals (${EPOCH_EXAMPLE})`,
      { param },
    );
  }
  const seconds = Number(m[1]);
  if (seconds > MAX_EPOCH_SECONDS) throw new ApiError('BAD_TIME', `${param} ${text} is too far in the future: at most ${MAX_EPOCH_SECONDS}`, { param });
  return seconds * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/**
 * The frame [fromUs, toUs) of a request. A relative frame ends at `nowUs` and counts calendar
 * units back in `zone` (the request's tz=, else the server's TZ), exactly as -tn does.
 */
export function parseTimeParams(params: ReadonlyMap<string, string>, nowUs: number, zone: ZoneOffset = LOCAL_ZONE): TimeFrame {
  const range = params.get('time_range');
  const after = params.get('after_time');
  const before = params.get('before_time');
  if (range !== undefined && (after !== undefined || before !== undefined)) {
    const abs = [after !== undefined && 'after_time', before !== undefined && 'before_time'].filter(Boolean).join(' and ');
    throw new ApiError(
      'CONFLICTING_PARAMS',
      `time_range cannot be combined with ${abs}: give either a relative frame (time_range=1h) or an absolute one (after_time=START&before_time=END)`,
      { param: 'time_range' },
    );
  }
  if (after !== undefined && before === undefined) {
    throw new ApiError('MISSING_PARAM', `after_time needs before_time as well: an absolute frame has a start and an end (${EPOCH_EXAMPLE})`, {
      param: 'before_time',
    });
  }
  if (before !== undefined && after === undefined) {
    throw new ApiError('MISSING_PARAM', `before_time needs after_time as well: an absolute frame has a start and an end (${EPOCH_EXAMPLE})`, {
      param: 'after_time',
    });
  }
  if (after !== undefined && before !== undefined) {
    const fromUs = parseEpoch(after, 'after_time');
    const toUs = parseEpoch(before, 'before_time');
    if (!(fromUs < toUs)) {
      throw new ApiError('BAD_TIME', `after_time (${after}) must be before before_time (${before}): the frame is [after_time, before_time)`, {
        param: 'after_time',
      });
    }
    return { fromUs, toUs };
  }
  const text = range ?? DEFAULT_REL_TIME;
  try {
    return relFrame(parseRelTime(text), nowUs, zone);
  } catch (e) {
    if (e instanceof TimeError) throw new ApiError('BAD_TIME', `time_range ${e.message}`, { param: 'time_range' });
    throw e;
  }
}
