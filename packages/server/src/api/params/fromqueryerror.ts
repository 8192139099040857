// Turns the query engine's refusal of a ranking (planRank's QueryError) into an API error that
// names the parameter, keeping the engine's message with the tools' options spelt as parameters.

import { QueryError, type QueryErrorCode } from '@opentraq/core';
import { ApiError } from './apierror.js';

const PARAM_OF: Partial<Record<QueryErrorCode, string>> = {
  UNKNOWN_ENTITY: 'group_by',
  UNKNOWN_COUNT: 'count_by',
  BAD_UNIQUE: 'unique',
  BAD_DIRECTION: 'direction',
  BAD_TIME_FRAME: 'time_range',
  BAD_ROWS: 'rows',
  BAD_SLICES: 'slices',
};

/** `-cnt UNIQUE IPPAIR` → `count_by=UNIQUE with unique=IPPAIR`, `-grp IPPAIR` → `group_by=IPPAIR`, `-snd` → `direction=snd`. */
function asParameters(message: string): string {
  return message
    .replace(/-cnt UNIQUE ([A-Z]+)\b/g, 'count_by=UNIQUE with unique=$1')
    .replace(/-cnt ([A-Z]+)\b/g, 'count_by=$1')
    .replace(/-grp ([A-Z]+)\b/g, 'group_by=$1')
    .replace(/-(snd|rcv)\b/g, 'direction=$1');
}

/** The API error for a usage QueryError; anything else is returned as it is. */
export function fromQueryError(e: unknown): unknown {
  if (!(e instanceof QueryError)) return e;
  const param = PARAM_OF[e.code];
  if (param === undefined) return e;
  const message = asParameters(e.message);
  return new ApiError('BAD_PARAM', message.startsWith(param) ? message : `${param}: ${message}`, { param });
}
