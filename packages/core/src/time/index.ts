// Public door of the time-frame languages: -tn relative times, -te/-tl absolute times,
// the frame they resolve to, and how instants print. All instants are µs since the Unix epoch.
export { TimeError, type TimeErrorCode, type TimeErrorContext, type TimeOption } from './timeerror.js';
export type { TimeFrame } from './timeframe.js';
export { parseRelTime, MAX_REL_YEARS, type RelTime } from './reltime.js';
export { relFrame } from './relframe.js';
export { LOCAL_ZONE, type ZoneOffset } from './localzone.js';
export { parseAbsTime, ABS_TIME_FORMAT, MIN_YEAR, MAX_YEAR } from './abstime.js';
export { absFrame } from './absframe.js';
export { resolveTimeFrame, DEFAULT_REL_TIME, type TimeFrameOptions } from './resolvetimeframe.js';
export { formatLocalTime, formatUtcEpoch } from './formattime.js';
