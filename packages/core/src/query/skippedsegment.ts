// Segments a query leaves out because their data is damaged: which failures count as damage
// (a StoreError CORRUPT: a checksum or a bound that does not hold), and how the query reports them.

import { StoreError } from '../store/storeerror.js';
import type { SegmentInfo } from './source.js';

/** A segment a query skipped: none of its rows is counted or returned. */
export interface SkippedSegment {
  /** The segment's id (SegmentInfo.id). */
  readonly id: number;
  /** Its file; null for a segment that is not a file. */
  readonly path: string | null;
  /** What is wrong with it, for people: the column and the check that failed (without the path). */
  readonly reason: string;
}

/** The message of a StoreError without the `path: ` its constructor puts first. */
function reasonOf(e: StoreError): string {
  const prefix = e.path === undefined ? '' : `${e.path}: `;
  return prefix !== '' && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * What `err`, thrown while opening or reading segment `info`, means for the query: the segment
 * skipped when the error says its data is damaged (StoreError CORRUPT), else null: any other
 * failure (a vanished file, an I/O error, a bug) is not the data's fault and fails the query.
 */
export function skippedSegment(info: SegmentInfo, err: unknown): SkippedSegment | null {
  if (!(err instanceof StoreError) || err.code !== 'CORRUPT') return null;
  return { id: info.id, path: info.ref.kind === 'file' ? info.ref.path : null, reason: reasonOf(err) };
}

/** A segment its source lists as found damaged before (SegmentInfo.damaged): skipped without being opened. */
export function knownDamaged(info: SegmentInfo): SkippedSegment | null {
  if (info.damaged === undefined) return null;
  return { id: info.id, path: info.ref.kind === 'file' ? info.ref.path : null, reason: info.damaged };
}

/** The skipped segments of a query, once each (workers that split by entity all skip the same ones), by id. */
export function sortSkipped(list: Iterable<SkippedSegment>): SkippedSegment[] {
  const byId = new Map<number, SkippedSegment>();
  for (const s of list) if (!byId.has(s.id)) byId.set(s.id, s);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
