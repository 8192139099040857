// The time zone of an API query (tz=, an IANA name such as Europe/Amsterdam): the zone CSV times
// are written in and relative frames count calendar units in; the server's own TZ when absent.

import { UnknownTimeZoneError, ZoneOffsets } from '../render/index.js';
import { ApiError } from './apierror.js';

export function parseTimeZoneParam(params: ReadonlyMap<string, string>): ZoneOffsets {
  const text = params.get('tz');
  if (text === undefined) return ZoneOffsets.local();
  try {
    return ZoneOffsets.named(text);
  } catch (e) {
    if (e instanceof UnknownTimeZoneError) throw new ApiError('BAD_PARAM', `tz: ${e.message}`, { param: 'tz' });
    throw e;
  }
}
