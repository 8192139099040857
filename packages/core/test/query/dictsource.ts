// A SessionSource that hands every column it is asked for through readEncoded as a
// dictionary (in every other segment, so plain and coded segments mix in one ranking; half
// of those dictionaries sorted as the store keeps them, half in order of first sight).

import { COLUMNS, type ColumnArray, type ColumnName } from '../../src/fields/columns.js';
import type { DictColumn, CodedColumn, SegmentInfo, SegmentReader, SessionSource } from '../../src/query/index.js';

/** Sorts a dictionary (ascending, addresses word by word, as the store keeps them) and renumbers its codes. */
function sortDict(d: DictColumn, wordsPerRow: number): DictColumn {
  const entry = (k: number): number[] => Array.from(d.dict.subarray(k * wordsPerRow, (k + 1) * wordsPerRow));
  const order = Array.from({ length: d.size }, (_, k) => k).sort((a, b) => {
    const [x, y] = [entry(a), entry(b)];
    for (let w = 0; w < wordsPerRow; w++) if (x[w] !== y[w]) return x[w]! - y[w]!;
    return 0;
  });
  const rank = new Uint16Array(d.size);
  order.forEach((k, r) => (rank[k] = r));
  const Ctor = d.dict.constructor as new (a: number[]) => ColumnArray;
  return { kind: 'dict', codes: d.codes.map((c) => rank[c]!), dict: new Ctor(order.flatMap(entry)), size: d.size };
}

/**
 * Codes and dictionary of a column, the dictionary in order of first sight (nothing may rely on
 * order for exactness), or `sorted` as the store keeps it (what the engine's merges expect).
 */
export function toDict(values: ColumnArray, rows: number, wordsPerRow: number, sorted = false): DictColumn {
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
  const d: DictColumn = { kind: 'dict', codes, dict: new Ctor(entries), size: seen.size };
  return sorted ? sortDict(d, wordsPerRow) : d;
}

export class DictSource implements SessionSource {
  readonly base: SessionSource;
  /** Columns handed out as dictionaries, counted so a test can see the coded path ran. */
  coded = 0;
  /** Of those, the ones with sorted dictionaries (every other coded segment). */
  sorted = 0;

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
            const sorted = info.id % 4 === 2;
            out[n] = toDict(cols[n]!, info.rows, COLUMNS.get(n)!.type === 'ip' ? 4 : 1, sorted);
            this.coded++;
            if (sorted) this.sorted++;
          } else out[n] = { kind: 'plain', values: cols[n]! };
        }
        return out;
      },
      close: () => r.close(),
    };
  }
}
