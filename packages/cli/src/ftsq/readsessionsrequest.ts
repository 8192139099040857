// Everything ftsq will ask, read and checked before any connection: the frame, the filters, how
// many sessions (-r; unlimited for CSV/JSON, 128 for the table) and in which form.

import { OUTPUT_FIELDS } from '@opentraq/core';
import { readConnection, type ConnectionPlan } from '../common/connection.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { readSelection } from '../common/readselection.js';
import { readTimeFrame, type RequestedFrame } from '../common/readtimeframe.js';
import { readWholeNumber } from '../common/readwholenumber.js';
import type { Environment } from '../common/serveraddress.js';
import { timeZoneParams } from '../common/timezoneparams.js';

export type SessionsOutput = 'table' | 'csv' | 'csv-header' | 'json';

export interface SessionsRequest {
  readonly connection: ConnectionPlan;
  readonly frame: RequestedFrame;
  readonly output: SessionsOutput;
  /** Sessions to print; undefined: every one. */
  readonly limit: number | undefined;
  readonly progress: boolean;
  /** The query string of GET /api/v1/sessions. */
  readonly params: Readonly<Record<string, string>>;
}

/** Sessions the table shows when -r is absent (cli.md). */
export const DEFAULT_TABLE_ROWS = 128;
const MAX_ROWS = Number.MAX_SAFE_INTEGER - 1;

/** The readable subset of the session columns the table shows, from the field table. */
export const TABLE_FIELDS: readonly string[] = OUTPUT_FIELDS.filter((f) => f.output!.table).map((f) => f.name);

export function readSessionsRequest(parsed: ParsedOptions, env: Environment, tool: string): SessionsRequest {
  const frame = readTimeFrame(parsed);
  const selection = readSelection(parsed, tool);
  const rows = readWholeNumber(parsed, 'r', 1, MAX_ROWS, 'a number of sessions');
  const output: SessionsOutput = parsed.flag('c') ? 'csv' : parsed.flag('C') ? 'csv-header' : parsed.flag('j') ? 'json' : 'table';
  const limit = output === 'table' ? (rows ?? DEFAULT_TABLE_ROWS) : rows;
  // last: what to ask is checked before who asks, so a bad filter is reported even without a login
  const connection = readConnection(parsed, env);
  const params: Record<string, string> = {
    ...frame.params,
    // CSV times in the tool's zone, like the table's
    ...timeZoneParams(),
    ...selection.params,
    // the table asks for one session more than it shows, to say whether there are more
    ...(limit !== undefined && { rows: String(output === 'table' ? limit + 1 : limit) }),
    format: output === 'json' ? 'ndjson' : output === 'table' ? 'ndjson' : 'csv',
    ...(output === 'csv-header' && { header: '1' }),
    ...(output === 'table' && { fields: TABLE_FIELDS.join(',') }),
  };
  return { connection, frame, output, limit, progress: parsed.flag('v'), params };
}
