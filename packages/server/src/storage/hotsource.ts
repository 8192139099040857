// What one query reads in ftserver: the store's segment files as listed now, the finished sessions
// still in memory, and the tracker's snapshot of active sessions, each session exactly once.

import { MemorySource, SegmentFileReader, StoreError, memorySegmentReader, sortedMemorySegment, type SegmentFileInfo, type SegmentInfo, type SegmentReader, type SessionSource } from '@opentraq/core';
import type { SessionRows } from './checkpoint.js';

/** Memory segment ids start here, so they never equal a file segment's (at most 2^32 - 1) and sort after them. */
const MEMORY_ID_BASE = 2 ** 33;

const byStart = (a: SegmentInfo, b: SegmentInfo): number => a.startMin - b.startMin || a.id - b.id;

/**
 * A source over `files`, the memory segments `memory` and `active`. The lists are taken now: later
 * storage cycles do not change what a query over it sees. An unsorted memory segment is read through
 * `sorted` (by default sortedMemorySegment: a sorted copy), called only when a time frame asked of
 * segments() reaches it, once per segment and source.
 */
export function hotSource(
  files: readonly SegmentFileInfo[],
  memory: readonly SegmentInfo[],
  active: SessionRows | null,
  sorted: (info: SegmentInfo) => SegmentInfo = sortedMemorySegment,
): SessionSource {
  const fileList = [...files].sort(byStart);
  const mem = [...memory];
  if (active !== null && active.rows > 0) mem.push(new MemorySource().append(active.cols, active.rows));
  const renumbered = mem.map((info, i) => ({ ...info, id: MEMORY_ID_BASE + i }));
  const readable = new Map<number, SegmentInfo>();
  const toRead = (info: SegmentInfo): SegmentInfo => {
    if (info.ref.kind !== 'memory' || info.ref.unsorted === undefined) return info;
    let r = readable.get(info.id);
    if (r === undefined) {
      r = { ...sorted(mem[info.id - MEMORY_ID_BASE]!), id: info.id };
      readable.set(info.id, r);
    }
    return r;
  };
  return {
    segments(fromUs: number, toUs: number): SegmentInfo[] {
      if (Number.isNaN(fromUs) || Number.isNaN(toUs)) throw new StoreError('USAGE', `time frame ${fromUs}..${toUs} is not a pair of numbers`);
      const overlaps = (s: SegmentInfo): boolean => s.startMin < toUs && s.endMax >= fromUs;
      return [...fileList.filter(overlaps), ...renumbered.filter(overlaps).map(toRead)].sort(byStart);
    },
    open(info: SegmentInfo): SegmentReader {
      return info.ref.kind === 'memory' ? memorySegmentReader(info) : SegmentFileReader.open(info.ref.path);
    },
  };
}
