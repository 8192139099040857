// Generated session rows for the storage tests, each with a unique, recognisable start time, and
// slices of them (copies, as the pipeline hands its sessions over).
import { COLUMN_DEFS, SessionGenerator, allocColumns, streamSessions, wordsPerRow, type ColumnArray, type ColumnName, type Columns, type SessionSource } from '@opentraq/core';
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

/** Rows from..to of `s`, copied in reverse order (starts falling: batches a sort has work on). */
export function reversed(s: { cols: Columns }, from: number, to: number): SessionRows {
  const out = slice(s, from, to);
  const n = to - from;
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    const a = out.cols[d.name];
    const copy = a.slice(0, n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) a[i * w + j] = copy[(n - 1 - i) * w + j]!;
  }
  return out;
}

/** One string per row holding every column's value: equal rows, equal keys. */
export function keysOf(cols: Partial<Record<ColumnName, ColumnArray>>, rows: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < rows; i++) {
    let k = '';
    for (const d of COLUMN_DEFS) {
      const w = wordsPerRow(d.type);
      const a = cols[d.name]!;
      for (let j = 0; j < w; j++) k += `${a[i * w + j]},`;
    }
    keys.push(k);
  }
  return keys;
}

/** The keys (keysOf) of every session `source` returns, in the order it returns them. */
export function keysIn(source: SessionSource): string[] {
  const out: string[] = [];
  for (const b of streamSessions(source, { fromUs: 0, toUs: 4e15 })) out.push(...keysOf(b.columns, b.rows));
  return out;
}

/** The starts of keys made by keysOf (the first column is start). */
export function startOf(key: string): number {
  return Number(key.slice(0, key.indexOf(',')));
}
