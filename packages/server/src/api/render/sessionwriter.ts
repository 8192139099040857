// Raw sessions as the API streams them: JSON {columns, data, summary}, NDJSON (one object a
// line) or CSV (ftsq -c / -C), written batch by batch into strings the caller sends as they come.

import { COLUMNS, wordsPerRow, type ColumnArray, type ColumnName, type FieldName, type SessionBatch } from '@opentraq/core';
import { outputField, SUMMARY_COLUMNS } from './columnsforfields.js';
import { RowEncoder } from './fieldformat.js';

export type SessionFormat = 'json' | 'ndjson' | 'csv';

export interface SessionWriter {
  /** The text before the first session: JSON's opening, CSV's header row when asked for, NDJSON nothing. */
  begin(): string;
  /** The sessions of one batch (every row of it); '' for an empty batch. */
  batch(b: SessionBatch): string;
  /**
   * The text after the last session: JSON closes `data` and adds the summary of the rows written;
   * CSV with a header adds the `#` total line; NDJSON and CSV without a header add nothing.
   */
  end(): string;
}

/** A stored column the writer reads, with the words a row takes in it. */
interface Source {
  readonly column: ColumnName;
  readonly words: number;
}

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
 * client + server packets and bytes (whole sessions: raw records are never pro-rated).
 */
export function createSessionWriter(format: SessionFormat, fields: readonly FieldName[], header: boolean): SessionWriter {
  if (fields.length === 0) throw new RangeError('a session answer needs at least one field');
  const defs = fields.map(outputField);
  const sources = defs.map((d) => sourceOf(d.source.column));
  const counts = SUMMARY_COLUMNS.map(sourceOf);
  const csv = format === 'csv';
  // JSON rows are separated by ",\n"; the comma before the very first row is cut off below
  const encoder = new RowEncoder(
    defs.map((d) => d.output!.format),
    fields.map((f, k) => (csv ? (k === 0 ? '' : ',') : `${k === 0 ? '{' : ','}${JSON.stringify(f)}:`)),
    format === 'json' ? ',\n' : '',
    csv ? '\n' : format === 'json' ? '}' : '}\n',
    csv ? 'csv' : 'json',
  );
  let written = 0;
  let packets = 0;
  let bytes = 0;

  return {
    begin() {
      if (format === 'json') return `{"columns":${JSON.stringify(fields)},"data":[`;
      if (csv && header) return `${fields.join(',')}\n`;
      return '';
    },

    batch(b) {
      const rows = b.rows;
      if (rows === 0) return '';
      const cols = sources.map((s) => columnOf(b, s));
      const [cp, sp, cb, sb] = counts.map((s) => columnOf(b, s));
      const text = encoder.encode(cols, rows);
      for (let i = 0; i < rows; i++) {
        packets += cp![i]! + sp![i]!;
        bytes += cb![i]! + sb![i]!;
      }
      const first = written === 0;
      written += rows;
      return format === 'json' && first ? text.slice(1) : text;
    },

    end() {
      if (format === 'json') {
        const summary = { sessions: written, packets: Math.round(packets), bytes: Math.round(bytes) };
        return `${written > 0 ? '\n' : ''}],"summary":${JSON.stringify(summary)}}\n`;
      }
      if (csv && header) return `# Total sessions: ${written}, Total packets: ${Math.round(packets)}, Total bytes: ${Math.round(bytes)}\n`;
      return '';
    },
  };
}
