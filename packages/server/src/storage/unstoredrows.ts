// Which finished sessions the store's files do not hold yet: after a crash, and after a store write
// that failed, the rows of the committed checkpoint are matched against the segments written since.

import {
  COLUMN_DEFS,
  MemorySource,
  StoreError,
  allocColumns,
  wordsPerRow,
  type ColumnArray,
  type ColumnName,
  type ColumnStore,
  type Columns,
  type SegmentInfo,
  type StoreLogger,
} from '@opentraq/core';

/** A session row's identity: when it started, between whom, reported by whom, how much. */
const FINGERPRINT: readonly ColumnName[] = ['start', 'end', 'clnip', 'srvip', 'clnport', 'srvport', 'proto', 'expip', 'srcid', 'clnbyts', 'srvbyts', 'clnpkts', 'srvpkts', 'flows'];

function fingerprint(cols: Partial<Record<ColumnName, ColumnArray>>, i: number): string {
  let key = '';
  for (const name of FINGERPRINT) {
    const a = cols[name]!;
    if (name === 'clnip' || name === 'srvip' || name === 'expip') key += `${a[4 * i]},${a[4 * i + 1]},${a[4 * i + 2]},${a[4 * i + 3]}|`;
    else key += `${a[i]}|`;
  }
  return key;
}

/** Fingerprints of every row of the segments with ids >= fromId, counted (a multiset). */
function heldFrom(cs: ColumnStore, fromId: number, logger: StoreLogger | undefined): Map<string, number> {
  const held = new Map<string, number>();
  for (const info of cs.list()) {
    if (info.id < fromId || info.damaged !== undefined) continue;
    let cols;
    try {
      const reader = cs.open(info);
      try {
        cols = reader.read(FINGERPRINT);
      } finally {
        reader.close();
      }
    } catch (e) {
      // A damaged segment is skipped by every query: the rows it alone held are stored again, not lost.
      if (!(e instanceof StoreError) || e.code !== 'CORRUPT') throw e;
      cs.segmentDamaged({ id: info.id, path: info.ref.path, reason: e.message });
      logger?.warn({ path: info.ref.path, error: e.message }, 'a segment written since the last checkpoint is damaged: the sessions it holds are stored again from the checkpoint');
      continue;
    }
    for (let i = 0; i < info.rows; i++) {
      const k = fingerprint(cols, i);
      held.set(k, (held.get(k) ?? 0) + 1);
    }
  }
  return held;
}

/** Rows `keep` of `cols`, as a new memory segment (SharedArrayBuffers, like every other). */
function subset(cols: Columns, keep: readonly number[]): SegmentInfo {
  const out = allocColumns(keep.length);
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    const src = cols[d.name] as ColumnArray;
    const dst = out[d.name] as ColumnArray;
    keep.forEach((row, j) => dst.set(src.subarray(row * w, row * w + w), j * w));
  }
  return new MemorySource().append(out, keep.length);
}

/**
 * The rows of the memory segments `parts` (in order) that the store's segments with ids >= fromId do
 * not hold, matched by fingerprint and counted as a multiset: a part wholly held is left out, a part
 * partly held is copied without those rows, the others are returned as they are. Segments with ids
 * >= fromId are the ones written since the checkpoint that recorded fromId, so a row they hold is
 * stored and must not be stored again. Throws StoreError when such a segment cannot be read for
 * another reason than damage (an I/O error).
 */
export function unstoredRows(parts: readonly SegmentInfo[], cs: ColumnStore, fromId: number, logger?: StoreLogger): SegmentInfo[] {
  if (cs.nextSegmentId <= fromId) return [...parts];
  const held = heldFrom(cs, fromId, logger);
  if (held.size === 0) return [...parts];
  const out: SegmentInfo[] = [];
  for (const part of parts) {
    if (part.ref.kind !== 'memory') throw new StoreError('USAGE', `unstoredRows() takes memory segments, not ${part.ref.kind} ones`);
    const cols = part.ref.columns as Columns;
    const keep: number[] = [];
    for (let i = 0; i < part.rows; i++) {
      const k = fingerprint(cols, i);
      const n = held.get(k) ?? 0;
      if (n > 0) held.set(k, n - 1);
      else keep.push(i);
    }
    if (keep.length === part.rows) out.push(part);
    else if (keep.length > 0) out.push(subset(cols, keep));
  }
  return out;
}
