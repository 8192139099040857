// GET /api/v1/sessions parameters → the raw-session stream to run (ftsq's -tn/-te/-tl -q -e -ei
// -r) and how to write it: JSON, NDJSON or CSV (times in tz=), with all output fields or the ones asked for.

import type { FieldName, SessionQuery } from '@opentraq/core';
import type { ZoneOffsets } from '../render/index.js';
import { parseFieldsParam } from './fieldsparam.js';
import { parseFilterParams } from './filterparams.js';
import { parseFormatParams } from './formatparams.js';
import { parseProgressId } from './progressid.js';
import { readParams } from './readparams.js';
import { parseTimeParams } from './timeparams.js';
import { parseTimeZoneParam } from './timezoneparam.js';
import { parseWholeNumber } from './wholenumber.js';

export interface SessionsRequest {
  /** Without `columns`: the caller adds columnsForFields(fields). */
  readonly query: SessionQuery;
  readonly format: 'json' | 'ndjson' | 'csv';
  /** CSV only: a header row first and the `#` total line last (ftsq -C). */
  readonly header: boolean;
  /** Output fields, in the order of the answer's columns. */
  readonly fields: readonly FieldName[];
  /** The zone of CSV times (tz=, else the server's TZ). */
  readonly zone: ZoneOffsets;
  /** progress=ID: the id under which GET /api/v1/sessions/progress tells how far the scan is. */
  readonly progressId?: string;
}

/** `nowUs`: the current time in µs, the end of a relative frame. Throws ApiError. */
export function parseSessionsParams(p: URLSearchParams, nowUs: number): SessionsRequest {
  const params = readParams(p, 'sessions');
  const zone = parseTimeZoneParam(params);
  const { fromUs, toUs } = parseTimeParams(params, nowUs, zone.offset);
  const filter = parseFilterParams(params);
  const rowsText = params.get('rows');
  let limit: number | undefined;
  if (rowsText !== undefined) limit = parseWholeNumber(rowsText, 'rows', 1, Number.MAX_SAFE_INTEGER, '1000', '; leave rows out for every session');
  const fields = parseFieldsParam(params.get('fields'));
  const { format, header } = parseFormatParams(params, ['json', 'ndjson', 'csv'] as const);
  const progress = params.get('progress');
  const query: SessionQuery = { fromUs, toUs, ...(filter !== undefined && { filter }), ...(limit !== undefined && { limit }) };
  return { query, format, header, fields, zone, ...(progress !== undefined && { progressId: parseProgressId(progress, 'progress') }) };
}
