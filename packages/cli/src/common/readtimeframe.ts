// The time frame of -tn / -te -tl, checked locally with core's parsers (time.md's messages) and
// turned into the API's parameters: a relative frame travels as text so the server's clock ends it.

import { DEFAULT_REL_TIME, parseRelTime, resolveTimeFrame, TimeError, type TimeFrame } from '@opentraq/core';
import { UsageError } from './clierror.js';
import type { ParsedOptions } from './parsedoptions.js';

export interface RequestedFrame {
  /** time_range=, or after_time= and before_time= (UTC epoch seconds with µs). */
  readonly params: Readonly<Record<string, string>>;
  /** The frame as this machine's clock sees it (the server resolves a relative one by its own clock). */
  readonly frame: TimeFrame;
  /** `-tn 1h30m` or the absolute frame, for messages. */
  readonly text: string;
}

/** µs since the epoch as UTC epoch seconds with the µs fraction: exact, no float formatting. */
export function epochParam(us: number): string {
  const sec = Math.floor(us / 1_000_000);
  const frac = us - sec * 1_000_000;
  return frac === 0 ? String(sec) : `${sec}.${String(frac).padStart(6, '0')}`;
}

/** `nowUs` is for tests; the frame of a relative time ends at the current time. */
export function readTimeFrame(parsed: ParsedOptions, nowUs: number = Date.now() * 1000): RequestedFrame {
  const tn = parsed.value('tn');
  const te = parsed.value('te');
  const tl = parsed.value('tl');
  let frame: TimeFrame;
  try {
    frame = resolveTimeFrame({ ...(tn !== undefined && { tn }), ...(te !== undefined && { te }), ...(tl !== undefined && { tl }) }, nowUs);
  } catch (e) {
    if (e instanceof TimeError) throw new UsageError('BAD_TIME', e.message);
    throw e;
  }
  if (te !== undefined) {
    if (frame.fromUs < 0) throw new UsageError('BAD_TIME', `-te '${te}' is before 1970: the store holds no earlier sessions and the API takes no earlier times`);
    return { params: { after_time: epochParam(frame.fromUs), before_time: epochParam(frame.toUs) }, frame, text: `-te '${te}' -tl '${tl}'` };
  }
  // the canonical spelling (1w2d for -1w2d), which the server's parser reads the same way
  const rel = parseRelTime(tn ?? DEFAULT_REL_TIME, '-tn');
  return { params: { time_range: rel.text }, frame, text: `-tn ${rel.text}` };
}
