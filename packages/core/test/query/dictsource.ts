// A SessionSource that hands every column it is asked for through readEncoded as a
// dictionary (in every other segment, so plain and coded segments mix in one ranking).

import { COLUMNS, type ColumnArray, type ColumnName } from '../../src/fields/columns.js';
import type { DictColumn, CodedColumn, SegmentInfo, SegmentReader, SessionSource } from '../../src/query/index.js';

/** Codes and dictionary of a column, the dictionary in order of first sight (not sorted: nothing may rely on order). */
export function toDict(values: ColumnArray, rows: number, wordsPerRow: number): DictColumn {
  const seen = new Map<string, number>();
  const codes = new Uint16Array(rows);
  const entries: number[] = [];
  for (let i = 0; i < rows; i++) {
    const v = Array.from(values.subarray(i * wordsPerRow, (i + 1) * wordsPerRow));
    const k = v.join(',');
    let c = seen.get(k);
    if (c === undefined) {
      c = seen.size;
      seen.set(k, c);
      entries.push(...v);
    }
    codes[i] = c;
  }
  const Ctor = values.constructor as new (a: number[]) => ColumnArray;
  return { kind: 'dict', codes, dict: new Ctor(entries), size: seen.size };
}

export class DictSource implements SessionSource {
  readonly base: SessionSource;
  /** Columns handed out as dictionaries, counted so a test can see the coded path ran. */
  coded = 0;

  constructor(base: SessionSource) {
    this.base = base;
  }

  segments(fromUs: number, toUs: number): SegmentInfo[] {
    return this.base.segments(fromUs, toUs);
  }

  open(info: SegmentInfo): SegmentReader {
    const r = this.base.open(info);
    const code = info.id % 2 === 0;
    return {
      info,
      read: (names) => r.read(names),
      readEncoded: (names: readonly ColumnName[]) => {
        const cols = r.read(names);
        const out: Partial<Record<ColumnName, CodedColumn>> = {};
        for (const n of names) {
          if (code) {
            out[n] = toDict(cols[n]!, info.rows, COLUMNS.get(n)!.type === 'ip' ? 4 : 1);
            this.coded++;
          } else out[n] = { kind: 'plain', values: cols[n]! };
        }
        return out;
      },
      close: () => r.close(),
    };
  }
}
