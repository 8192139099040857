// Shared by the admin tests: generated sessions whose srcid is a unique row id, and readers that give
// every row of a directory's segment files (all columns) by that id.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { COLUMN_DEFS, COLUMN_NAMES, SegmentFileReader, SessionGenerator, allocColumns, wordsPerRow, type ColumnArray, type ColumnName, type Columns } from '@opentraq/core';

const POOL_ROWS = 4096;
let pool: Columns | undefined;

/** A fresh temporary directory, removed when the test ends. */
export function tmpDir(t: { teardown(fn: () => void): void }, prefix = 'admin-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Rows with ids first..first+n-1: generated sessions (recycled from a pool) with srcid = id. */
export function batch(first: number, n: number): Columns {
  pool ??= (() => {
    const c = allocColumns(POOL_ROWS);
    new SessionGenerator({ seed: 11, sessions: POOL_ROWS, hosts: 500 }).fill(c);
    return c;
  })();
  const out = allocColumns(n);
  for (let i = 0; i < n; i++) {
    const from = (first + i) % POOL_ROWS;
    for (const d of COLUMN_DEFS) {
      const w = wordsPerRow(d.type);
      out[d.name].set(pool[d.name].subarray(from * w, (from + 1) * w), i * w);
    }
    out.srcid[i] = first + i;
  }
  return out;
}

/** Every column of row i, as one string. */
export function rowText(cols: Partial<Record<ColumnName, ColumnArray>>, i: number): string {
  return COLUMN_DEFS.map((d) => {
    const w = wordsPerRow(d.type);
    return Array.from(cols[d.name]!.subarray(i * w, (i + 1) * w)).join('.');
  }).join('|');
}

/** id -> row text of the rows first..first+n-1 of batch(first, n). */
export function expectedRows(first: number, n: number, into = new Map<number, string>()): Map<number, string> {
  const b = batch(first, n);
  for (let i = 0; i < n; i++) into.set(first + i, rowText(b, i));
  return into;
}

/** The segment files directly in `dir`. */
export function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => /^seg-\d{10}\.otq$/.test(n)).sort();
}

/** id -> every row text with that id, over all segment files of `dir` read one by one. */
export function rowsInFiles(dir: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const name of segmentFiles(dir)) {
    const r = SegmentFileReader.open(path.join(dir, name));
    const cols = r.read(COLUMN_NAMES);
    for (let i = 0; i < r.info.rows; i++) {
      const id = cols.srcid![i]!;
      const list = out.get(id) ?? [];
      list.push(rowText(cols, i));
      out.set(id, list);
    }
    r.close();
  }
  return out;
}

/** Ids seen more than once in `rows`. */
export function duplicates(rows: Map<number, string[]>): number[] {
  return [...rows].filter(([, v]) => v.length > 1).map(([k]) => k);
}

/** Every file under `dir` (relative path -> sha256), for "nothing changed" checks. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, rel);
    const st = fs.statSync(file);
    out[rel] = st.isDirectory() ? 'dir' : createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * A lock record of a live process other than this one (a child that sleeps until the test ends), as a
 * running server would have written it.
 */
export function liveLock(t: Test): { pid: number; startedAt: string; hostname: string } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  t.teardown(() => void child.kill('SIGKILL'));
  return { pid: child.pid!, startedAt: new Date().toISOString(), hostname: os.hostname() };
}
