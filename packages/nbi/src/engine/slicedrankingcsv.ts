// A training answer of GET /api/v1/stat read as CSV while it arrives (format=csv, header=1): only
// each row's key and slice values are kept, never the whole answer text or an object per row.

import type { Readable } from 'node:stream';
import { RuntimeFailure } from '@opentraq/cli';
import { CsvError, parse } from 'csv-parse';
import { isComplete, type SlicedRanking } from './ranking.js';

/** The `#` lines after the rows (renderStatCsv): the selection's sessions and distinct entities. */
const TOTAL_SESSIONS = /^# Total sessions: (\d+)/;
const DISTINCT_ENTITIES = /^# Distinct entities: (\d+)/;
const EPOCH_SECONDS = /^-?\d+(\.\d+)?$/;

function badAnswer(problem: string): RuntimeFailure {
  return new RuntimeFailure('BAD_ANSWER', `the server's ranking cannot be read: ${problem}`);
}

/** A cell of an entity column as entityKey writes it: an empty cell is JSON's null, `-`. */
function cellKey(cell: string): string {
  return cell === '' ? '-' : cell;
}

function numberOf(cell: string | undefined, what: string): number {
  if (cell === undefined || cell === '') return 0;
  const v = Number(cell);
  if (!Number.isFinite(v)) throw badAnswer(`${what} is ${JSON.stringify(cell)}, not a number`);
  return v;
}

/**
 * Reads `body`, the CSV of a ranking with `slices` slices asked with `rowsAsked` rows (a header row
 * first, the `#` summary lines last), into a SlicedRanking: the same keys, values, completeness and
 * counts as readSlicedRanking gives for the JSON answer of the same query. Its memory is the rows'
 * keys and rows × slices numbers, whatever the answer's size. BAD_ANSWER when the text is not such
 * a ranking; a failure of `body` itself is passed on as it is.
 */
export async function readSlicedRankingCsv(body: Readable, slices: number, rowsAsked: number): Promise<SlicedRanking> {
  const records = body.pipe(parse({ relax_column_count: true }));
  body.once('error', (e) => records.destroy(e));
  const keys: string[] = [];
  let values = new Float64Array(Math.max(1, Math.min(rowsAsked, 1024)) * slices);
  let header: string[] | null = null;
  let valueAt = -1;
  let firstSlice = -1;
  let sessions: number | null = null;
  let entities: number | null = null;
  let lastIsZero = false;
  try {
    for await (const rec of records as AsyncIterable<string[]>) {
      if (header === null) {
        header = rec;
        valueAt = rec.indexOf('value');
        firstSlice = rec.length - slices;
        if (rec[0] !== 'rank' || valueAt < 2) throw badAnswer(`its header row is ${JSON.stringify(rec.slice(0, 4).join(','))}, not rank, the entity, value…`);
        // slice columns are named by their start (epoch seconds), after the value and the counts
        if (firstSlice <= valueAt || !rec.slice(firstSlice).every((name) => EPOCH_SECONDS.test(name))) {
          throw badAnswer(`its columns (${rec.length}) do not end with the ${slices} slices asked for`);
        }
        continue;
      }
      const first = rec[0] ?? '';
      if (first.startsWith('#')) {
        const s = TOTAL_SESSIONS.exec(first);
        if (s !== null) sessions = Number(s[1]);
        const e = DISTINCT_ENTITIES.exec(first);
        if (e !== null) entities = Number(e[1]);
        continue;
      }
      if (rec.length !== header.length) throw badAnswer(`row ${keys.length + 1} has ${rec.length} cells where the header has ${header.length}`);
      keys.push(valueAt === 2 ? cellKey(rec[1]!) : rec.slice(1, valueAt).map(cellKey).join(' '));
      const r = keys.length - 1;
      if (values.length < keys.length * slices) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      lastIsZero = numberOf(rec[valueAt], 'a value') === 0;
      for (let k = 0; k < slices; k++) {
        const v = numberOf(rec[firstSlice + k], 'a slice value');
        values[r * slices + k] = v;
        if (v !== 0) lastIsZero = false;
      }
    }
  } catch (e) {
    // the parser's own complaints (an unclosed quote, …) are the answer's fault; the body's are not
    if (e instanceof CsvError) throw badAnswer(e.message);
    throw e;
  }
  if (header === null) throw badAnswer('the answer is empty');
  if (entities === null || sessions === null) throw badAnswer('its summary lines (# Total sessions, # Distinct entities) are missing: was the answer cut short?');
  const rows = keys.length;
  const stored = values;
  return {
    keys,
    slices,
    sliceValues(k: number, into: Float64Array): void {
      if (!(k >= 0 && k < slices)) throw new RangeError(`readSlicedRankingCsv: slice ${k} is not one of 0..${slices - 1}`);
      for (let r = 0; r < rows; r++) into[r] = stored[r * slices + k]!;
    },
    complete: isComplete(rows, rowsAsked, entities, rows > 0 && lastIsZero),
    entities,
    sessions,
  };
}
