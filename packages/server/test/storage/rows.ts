// Generated session rows for the storage tests, each with a unique, recognisable start time, and
// slices of them (copies, as the pipeline hands its sessions over).
import { COLUMN_DEFS, SessionGenerator, allocColumns, wordsPerRow, type Columns } from '@opentraq/core';
import type { SessionRows } from '../../src/storage/index.js';

/** `n` generated sessions whose starts are 1.7e15 + seed × 1e9 + row (generated starts can repeat). */
export function sessions(n: number, seed: number): SessionRows {
  const cols = allocColumns(n);
  const rows = new SessionGenerator({ seed, sessions: n }).fill(cols);
  const start = cols.start as Float64Array;
  for (let i = 0; i < rows; i++) start[i] = 1_700_000_000_000_000 + seed * 1e9 + i;
  (cols.end as Float64Array).set(start.subarray(0, rows));
  return { cols, rows };
}

/** Rows from..to of `s`, copied. */
export function slice(s: { cols: Columns }, from: number, to: number): SessionRows {
  const out = allocColumns(to - from);
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    out[d.name].set(s.cols[d.name].subarray(from * w, to * w));
  }
  return { cols: out, rows: to - from };
}
