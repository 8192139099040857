// Reads a query string against the parameters an endpoint takes: every unknown, misplaced or
// repeated name is refused with a message naming it, so a script learns about its typo at once.

import { ApiError } from './apierror.js';
import { quote } from './quote.js';
import { didYouMean } from './didyoumean.js';

export type Endpoint = 'stat' | 'sessions' | 'sessions/progress';

/** Every parameter of the query API and the endpoints that take it. */
const PARAMS: Readonly<Record<string, readonly Endpoint[]>> = {
  group_by: ['stat'],
  count_by: ['stat'],
  unique: ['stat'],
  direction: ['stat'],
  slices: ['stat'],
  fields: ['sessions'],
  time_range: ['stat', 'sessions'],
  after_time: ['stat', 'sessions'],
  before_time: ['stat', 'sessions'],
  query: ['stat', 'sessions'],
  rows: ['stat', 'sessions'],
  exporter: ['stat', 'sessions'],
  ifindex: ['stat', 'sessions'],
  format: ['stat', 'sessions'],
  header: ['stat', 'sessions'],
  tz: ['stat', 'sessions'],
  progress: ['stat', 'sessions'],
  id: ['sessions/progress'],
  // read by the HTTP layer, and a cache buster some HTTP clients add
  auth_token: ['stat', 'sessions', 'sessions/progress'],
  _: ['stat', 'sessions', 'sessions/progress'],
};

/** Why a parameter that the endpoints `where` take is refused by `endpoint`. */
function elsewhere(where: readonly Endpoint[], endpoint: Endpoint): string {
  if (endpoint === 'sessions/progress') return 'it belongs to the query itself (GET /api/v1/sessions); the progress of a running query is read by its id alone';
  if (where.includes('sessions/progress')) return 'it names the running query whose progress GET /api/v1/sessions/progress reads; a query of its own is named by progress=';
  if (endpoint === 'stat') return 'it selects the columns of raw sessions (/api/v1/sessions); a ranking has fixed columns';
  return 'it belongs to rankings (/api/v1/stat); raw sessions are returned whole, not ranked';
}

function known(endpoint: Endpoint): string[] {
  return Object.keys(PARAMS).filter((k) => k !== '_' && PARAMS[k]!.includes(endpoint));
}

function unknownParam(name: string, endpoint: Endpoint): ApiError {
  const names = known(endpoint);
  return new ApiError(
    'UNKNOWN_PARAM',
    `unknown parameter ${quote(name)}${didYouMean(name, names)}: /api/v1/${endpoint} takes ${names.join(' ')}`,
    { param: name },
  );
}

/**
 * The parameters of a request to `endpoint`, each given at most once. A parameter may be
 * given with an empty value (`query=`); its parser decides whether that means anything.
 */
export function readParams(p: URLSearchParams, endpoint: Endpoint): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of p) {
    const where = Object.hasOwn(PARAMS, name) ? PARAMS[name]! : undefined;
    if (where === undefined) throw unknownParam(name, endpoint);
    if (!where.includes(endpoint)) {
      throw new ApiError('UNKNOWN_PARAM', `${name} does not apply to /api/v1/${endpoint}: ${elsewhere(where, endpoint)}`, { param: name });
    }
    if (out.has(name)) {
      // a token is never echoed back: error bodies end up in logs
      const both = name === 'auth_token' ? '' : ` (${quote(out.get(name)!)} and ${quote(value)})`;
      throw new ApiError('REPEATED_PARAM', `${name} is given more than once${both}: give it once`, { param: name });
    }
    out.set(name, value);
  }
  return out;
}
