// Everything ftstat will ask, read and checked before any connection: the ranking (-grp, -cnt,
// -snd/-rcv, -r, -w) by the query engine's own planner, the frame, the filters and the output.

import { COUNTS, ENTITIES, ENTITY_BY_NAME, MAX_SLICES, planRank, QueryError, UNIQUE_TARGETS, type CountName, type EntityDef, type EntityName } from '@opentraq/core';
import { MAX_LAYERS } from '../chart/stackedchart.js';
import { UsageError } from '../common/clierror.js';
import { readConnection, type ConnectionPlan } from '../common/connection.js';
import { didYouMean } from '../common/didyoumean.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { readSelection } from '../common/readselection.js';
import { readTimeFrame, type RequestedFrame } from '../common/readtimeframe.js';
import { readWholeNumber } from '../common/readwholenumber.js';
import type { Environment } from '../common/serveraddress.js';
import { timeZoneParams } from '../common/timezoneparams.js';
import { DEFAULT_CHART_SLICES, readChartRequest, type ChartRequest } from './chartrequest.js';

export type StatOutput = 'table' | 'csv' | 'csv-header' | 'json';

export interface StatRequest {
  readonly connection: ConnectionPlan;
  readonly entity: EntityDef;
  readonly count: CountName;
  readonly unique: EntityName | undefined;
  readonly direction: 'snd' | 'rcv' | undefined;
  readonly frame: RequestedFrame;
  readonly rows: number;
  readonly slices: number | undefined;
  readonly output: StatOutput;
  readonly progress: boolean;
  readonly chart: ChartRequest | undefined;
  /** The query string of GET /api/v1/stat (with a chart and a table or JSON, with the chart's slices). */
  readonly params: Readonly<Record<string, string>>;
  /** With a chart and CSV output: the JSON ranking the chart is drawn from, asked for before the CSV. */
  readonly chartParams: Readonly<Record<string, string>> | undefined;
}

/** Rows of a ranking when -r is absent (cli.md). */
export const DEFAULT_ROWS = 128;
/** Rows a ranking may ask for: more than any table shows, and bounded so a typo cannot ask for 10^15. */
const MAX_ROWS = 100_000_000;

function readEntity(parsed: ParsedOptions): EntityDef {
  const names = ENTITIES.map((e) => e.name);
  const text = parsed.value('grp');
  if (text === undefined) throw new UsageError('MISSING_OPTION', `-grp ENTITY is needed: what to rank, one of ${names.join(' ')} (e.g. -grp IP -cnt BYTES)`);
  const def = ENTITY_BY_NAME.get(text.trim().toUpperCase());
  if (def === undefined) throw new UsageError('BAD_VALUE', `${parsed.spelling('grp')} '${text}' is not an entity${didYouMean(text.trim().toUpperCase(), names)}: use one of ${names.join(' ')}`);
  return def;
}

function readCount(parsed: ParsedOptions): { count: CountName; unique: EntityName | undefined } {
  const text = parsed.value('cnt');
  const counts = `${COUNTS.filter((c) => c !== 'UNIQUE').join(' ')} or UNIQUE X`;
  if (text === undefined) throw new UsageError('MISSING_OPTION', `-cnt COUNT is needed: what to rank by, one of ${counts} (e.g. -grp IP -cnt BYTES)`);
  const words = text.trim().split(/\s+/);
  const count = words[0]!.toUpperCase() as CountName;
  if (!COUNTS.includes(count)) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling('cnt')} '${text}' is not a count${didYouMean(words[0]!.toUpperCase(), [...COUNTS])}: use one of ${counts}`);
  }
  if (words.length > 2 || (words.length === 2 && count !== 'UNIQUE')) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling('cnt')} '${text}': only UNIQUE takes a second word (-cnt UNIQUE IP); -cnt ${count} stands alone`);
  }
  let unique: EntityName | undefined;
  if (words.length === 2) {
    const target = words[1]!.toUpperCase();
    if (ENTITY_BY_NAME.get(target) === undefined) {
      throw new UsageError('BAD_VALUE', `-cnt UNIQUE '${words[1]}' is not an entity${didYouMean(target, [...UNIQUE_TARGETS])}: use one of ${UNIQUE_TARGETS.join(' ')}`);
    }
    unique = target as EntityName;
  }
  return { count, unique };
}

function readOutput(parsed: ParsedOptions): StatOutput {
  if (parsed.flag('c')) return 'csv';
  if (parsed.flag('C')) return 'csv-header';
  if (parsed.flag('j')) return 'json';
  return 'table';
}

export function readStatRequest(parsed: ParsedOptions, env: Environment, tool: string): StatRequest {
  const frame = readTimeFrame(parsed);
  const selection = readSelection(parsed, tool);
  const entity = readEntity(parsed);
  const { count, unique } = readCount(parsed);
  const direction = parsed.flag('snd') ? 'snd' : parsed.flag('rcv') ? 'rcv' : undefined;
  const rows = readWholeNumber(parsed, 'r', 1, MAX_ROWS, 'a number of rows') ?? DEFAULT_ROWS;
  const slices = readWholeNumber(parsed, 'w', 1, MAX_SLICES, 'a number of time slices');
  const frameUs = frame.frame.toUs - frame.frame.fromUs;
  if (slices !== undefined && slices > frameUs) {
    // a slice is at least a microsecond, the resolution of session times
    throw new UsageError('BAD_VALUE', `${parsed.spelling('w')} ${slices}: the frame is only ${frameUs} µs long, so it has at most ${frameUs} slices`);
  }
  // the engine's own rules (UNIQUE targets, -snd/-rcv only on sided entities), with its messages
  try {
    planRank({
      entity: entity.name,
      count,
      ...(unique !== undefined && { unique }),
      ...(direction !== undefined && { direction }),
      ...(selection.filter !== undefined && { filter: selection.filter }),
      fromUs: frame.frame.fromUs,
      toUs: frame.frame.toUs,
      rows,
      ...(slices !== undefined && { slices }),
    });
  } catch (e) {
    if (e instanceof QueryError) throw new UsageError('BAD_VALUE', e.message);
    throw e;
  }
  const output = readOutput(parsed);
  const chart = readChartRequest(parsed);
  // last: what to ask is checked before who asks, so a bad filter is reported even without a login
  const connection = readConnection(parsed, env);
  const csv = output === 'csv' || output === 'csv-header';
  // a chart needs slices: -w's, or cli.md's default (a slice is at least a microsecond)
  const chartSlices = chart === undefined ? undefined : (slices ?? Math.min(DEFAULT_CHART_SLICES, frameUs));
  const query: Record<string, string> = {
    group_by: entity.name,
    count_by: count,
    ...(unique !== undefined && { unique }),
    ...(direction !== undefined && { direction }),
    ...frame.params,
    // -tn's days, weeks and months counted on the tool's calendar
    ...timeZoneParams(),
    ...selection.params,
  };
  const asked = slices ?? (csv ? undefined : chartSlices);
  const params: Record<string, string> = {
    ...query,
    rows: String(rows),
    ...(asked !== undefined && { slices: String(asked) }),
    format: csv ? 'csv' : 'json',
    ...(output === 'csv-header' && { header: '1' }),
  };
  // the server sums what is not among the rows into the series' "other": ten rows are all a chart shows
  const chartParams = chartSlices !== undefined && csv ? { ...query, rows: String(Math.min(rows, MAX_LAYERS)), slices: String(chartSlices), format: 'json' } : undefined;
  return { connection, entity, count, unique, direction, frame, rows, slices, output, progress: parsed.flag('v'), chart, params, chartParams };
}
