// Raw sessions as the API streams them: JSON {columns, data, summary}, NDJSON (one object a
// line) or CSV (ftsq -c / -C), written batch by batch into byte chunks the caller sends as they come.

import { COLUMNS, wordsPerRow, type ColumnArray, type ColumnName, type FieldName, type SessionBatch, type SkippedSegment } from '@opentraq/core';
import { skippedSegmentJson } from '../../query/index.js';
import { outputField, SUMMARY_COLUMNS } from './columnsforfields.js';
import type { EncoderPool } from './encoderpool.js';
import type { EncoderSpec } from './encoderspec.js';
import { RowEncoder } from './rowencoder.js';
import { ZoneOffsets } from './zoneoffsets.js';

export type SessionFormat = 'json' | 'ndjson' | 'csv';

export interface SessionWriter {
  /** The text before the first session: JSON's opening, CSV's header row when asked for, NDJSON nothing. */
  begin(): string;
  /** The sessions of one batch (every row of it), as ASCII bytes; empty for an empty batch. */
  batch(b: SessionBatch): Uint8Array;
  /**
   * The same bytes, formatted by a thread of `pool` (the batch's columns are copied to it). Hand the
   * batches over in order — the summary counts them then — and write the results in that order.
   */
  batchOn(pool: EncoderPool, b: SessionBatch): Promise<Uint8Array>;
  /**
   * The text after the last session: JSON closes `data` and adds the summary of the rows written
   * (with `skipped`, the segments the stream left out as damaged, when there are any); CSV with a
   * header adds the `#` total line; NDJSON and CSV without a header add nothing.
   */
  end(skipped?: readonly SkippedSegment[]): string;
}

/** A stored column the writer reads, with the words a row takes in it. */
interface Source {
  readonly column: ColumnName;
  readonly words: number;
}

const EMPTY = new Uint8Array(0);

function sourceOf(column: ColumnName): Source {
  return { column, words: wordsPerRow(COLUMNS.get(column)!.type) };
}

function columnOf(b: SessionBatch, s: Source): ColumnArray {
  const a = b.columns[s.column];
  if (a === undefined || a.length < b.rows * s.words) {
    throw new RangeError(`the session batch has no column ${s.column} of ${b.rows} rows: ask streamSessions for columnsForFields(fields)`);
  }
  return a;
}

/**
 * A writer of `fields` in `format` (every row of a batch, in order). JSON and NDJSON sessions
 * are objects keyed by field name in the order of `fields`, one a line; JSON's `data` holds them.
 * NDJSON has no summary line, so that every line is a session and a `jq` filter needs no special
 * case. `header` applies to CSV only. The summary counts the sessions written and adds their
 * client + server packets and bytes (whole sessions: raw records are never pro-rated). CSV times
 * are written in `zone` (default: the server's TZ).
 */
export function createSessionWriter(format: SessionFormat, fields: readonly FieldName[], header: boolean, zone: ZoneOffsets = ZoneOffsets.local()): SessionWriter {
  if (fields.length === 0) throw new RangeError('a session answer needs at least one field');
  const defs = fields.map(outputField);
  const sources = defs.map((d) => sourceOf(d.source.column));
  const counts = SUMMARY_COLUMNS.map(sourceOf);
  const csv = format === 'csv';
  // JSON rows are separated by ",\n"; the comma before the very first row is cut off below
  const spec: EncoderSpec = {
    formats: defs.map((d) => d.output!.format),
    prefixes: fields.map((f, k) => (csv ? (k === 0 ? '' : ',') : `${k === 0 ? '{' : ','}${JSON.stringify(f)}:`)),
    rowStart: format === 'json' ? ',\n' : '',
    rowEnd: csv ? '\n' : format === 'json' ? '}' : '}\n',
    syntax: csv ? 'csv' : 'json',
    zone: zone.zone,
  };
  let encoder: RowEncoder | undefined;
  let written = 0;
  let packets = 0;
  let bytes = 0;

  /** The batch's columns for the encoder; adds its sessions to the summary. Whether it is the first non-empty batch. */
  const take = (b: SessionBatch): { cols: ColumnArray[]; first: boolean } => {
    const rows = b.rows;
    const cols = sources.map((s) => columnOf(b, s));
    const [cp, sp, cb, sb] = counts.map((s) => columnOf(b, s));
    for (let i = 0; i < rows; i++) {
      packets += cp![i]! + sp![i]!;
      bytes += cb![i]! + sb![i]!;
    }
    const first = written === 0;
    written += rows;
    return { cols, first };
  };
  const trim = (text: Uint8Array, first: boolean): Uint8Array => (format === 'json' && first ? text.subarray(1) : text);

  return {
    begin() {
      if (format === 'json') return `{"columns":${JSON.stringify(fields)},"data":[`;
      if (csv && header) return `${fields.join(',')}\n`;
      return '';
    },

    batch(b) {
      if (b.rows === 0) return EMPTY;
      const { cols, first } = take(b);
      // made at the first batch: an answer whose batches all go to encoder threads never compiles one here
      encoder ??= new RowEncoder(spec.formats, spec.prefixes, spec.rowStart, spec.rowEnd, spec.syntax, zone);
      return trim(encoder.encode(cols, b.rows), first);
    },

    batchOn(pool, b) {
      if (b.rows === 0) return Promise.resolve(EMPTY);
      const { cols, first } = take(b);
      return pool.encode(spec, cols, b.rows).then((text) => trim(text, first));
    },

    end(skipped = []) {
      if (format === 'json') {
        const summary = { sessions: written, packets: Math.round(packets), bytes: Math.round(bytes), ...(skipped.length > 0 && { skipped: skipped.map(skippedSegmentJson) }) };
        return `${written > 0 ? '\n' : ''}],"summary":${JSON.stringify(summary)}}\n`;
      }
      if (csv && header) return `# Total sessions: ${written}, Total packets: ${Math.round(packets)}, Total bytes: ${Math.round(bytes)}\n`;
      return '';
    },
  };
}
