// GET /api/v1/stat parameters → the ranking to run (ftstat's -grp -cnt -snd/-rcv -tn/-te/-tl
// -q -e -ei -r -w), checked by the query engine's own planner so the rules live in one place.

import { COUNTS, ENTITIES, MAX_SLICES, planRank, type CountName, type Direction, type EntityName, type RankQuery } from '@opentraq/core';
import { ApiError } from './apierror.js';
import { parseFilterParams } from './filterparams.js';
import { parseFlagParam, parseFormatParams } from './formatparams.js';
import { fromQueryError } from './fromqueryerror.js';
import { readParams } from './readparams.js';
import { parseTimeParams } from './timeparams.js';
import { parseTimeZoneParam } from './timezoneparam.js';
import { parseWholeNumber } from './wholenumber.js';

export interface StatRequest {
  readonly query: RankQuery;
  readonly format: 'json' | 'csv';
  /** CSV only: a header row first and `#` summary lines last (ftstat -C). */
  readonly header: boolean;
  /** progress=1: stream NDJSON progress lines, then the answer wrapped in a last line. */
  readonly progress: boolean;
}

/** Rows of a ranking when rows= is absent (ftstat -r). */
export const DEFAULT_STAT_ROWS = 128;

function required(params: ReadonlyMap<string, string>, name: string, choices: readonly string[], example: string): string {
  const v = params.get(name);
  if (v === undefined) throw new ApiError('MISSING_PARAM', `${name} is required: one of ${choices.join(' ')} (e.g. ${name}=${example})`, { param: name });
  return v;
}

/** `nowUs`: the current time in µs, the end of a relative frame. Throws ApiError. */
export function parseStatParams(p: URLSearchParams, nowUs: number): StatRequest {
  const params = readParams(p, 'stat');
  const entity = required(params, 'group_by', ENTITIES.map((e) => e.name), 'IP').toUpperCase() as EntityName;
  const count = required(params, 'count_by', COUNTS, 'BYTES').toUpperCase() as CountName;
  const unique = params.get('unique')?.toUpperCase() as EntityName | undefined;
  const direction = params.get('direction')?.toLowerCase() as Direction | undefined;
  const { fromUs, toUs } = parseTimeParams(params, nowUs, parseTimeZoneParam(params).offset);
  const filter = parseFilterParams(params);
  const rowsText = params.get('rows');
  const slicesText = params.get('slices');
  // a slice is at least a microsecond, the resolution of session times (each slice column is named by its start)
  const maxSlices = Math.min(MAX_SLICES, toUs - fromUs);
  const query: RankQuery = {
    entity,
    count,
    ...(unique !== undefined && { unique }),
    ...(direction !== undefined && { direction }),
    ...(filter !== undefined && { filter }),
    fromUs,
    toUs,
    rows: rowsText === undefined ? DEFAULT_STAT_ROWS : parseWholeNumber(rowsText, 'rows', 1, Number.MAX_SAFE_INTEGER, '25'),
    ...(slicesText !== undefined && { slices: parseWholeNumber(slicesText, 'slices', 1, maxSlices, '60', maxSlices < MAX_SLICES ? ` (the frame is ${maxSlices} µs long)` : '') }),
  };
  try {
    planRank(query);
  } catch (e) {
    throw fromQueryError(e);
  }
  const { format, header } = parseFormatParams(params, ['json', 'csv'] as const);
  return { query, format, header, progress: parseFlagParam(params, 'progress') };
}
