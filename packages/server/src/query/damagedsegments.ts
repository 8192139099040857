// The segment files ftserver's queries have found damaged: each one logged (CRITICAL) and counted
// once, then listed to every later query as damaged, so that it is skipped unread and the answer says so.

import path from 'node:path';
import type { SegmentInfo, SessionSource, SkippedSegment } from '@opentraq/core';
import type { Logger } from '../log/index.js';

/**
 * Damaged files remembered at most: beyond, the oldest is forgotten (a later query reads it, finds
 * it damaged again, and it is logged and counted again), so a failing disk cannot grow this forever.
 */
export const MAX_REMEMBERED = 4096;

/** A skipped segment as the API's JSON answers list it (`summary.skipped`). */
export interface SkippedSegmentJson {
  readonly segment: number;
  /** The file's name in the store directory; null for a segment that is not a file. */
  readonly file: string | null;
  readonly reason: string;
}

export function skippedSegmentJson(s: SkippedSegment): SkippedSegmentJson {
  return { segment: s.id, file: s.path === null ? null : path.basename(s.path), reason: s.reason };
}

/**
 * The store itself lives on the storage thread and never reads columns; queries run here. So the
 * files a query finds damaged are remembered here, by path (a path names one file for the life of
 * the process: segment ids are never reused), for the queries of this process.
 */
export class DamagedSegments {
  /** Why each file is damaged, by path, oldest first. */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly logger: Pick<Logger, 'log'>,
    /** Called once for each damaged file found (the metric). */
    private readonly onFound: () => void,
  ) {}

  /** Damaged files remembered now. */
  get size(): number {
    return this.known.size;
  }

  /** `source` as one query reads it: the files known to be damaged listed as such, and told of the ones it finds. */
  guard(source: SessionSource): SessionSource {
    return {
      segments: (fromUs, toUs) => source.segments(fromUs, toUs).map((info) => this.mark(info)),
      open: (info) => source.open(info),
      segmentDamaged: (s) => {
        this.found(s);
        source.segmentDamaged?.(s);
      },
    };
  }

  private mark(info: SegmentInfo): SegmentInfo {
    if (info.ref.kind !== 'file' || info.damaged !== undefined) return info;
    const why = this.known.get(info.ref.path);
    return why === undefined ? info : { ...info, damaged: why };
  }

  private found(s: SkippedSegment): void {
    if (s.path === null || this.known.has(s.path)) return;
    this.known.set(s.path, s.reason);
    if (this.known.size > MAX_REMEMBERED) this.known.delete(this.known.keys().next().value!);
    this.logger.log('CRITICAL', 'a segment file is damaged: queries skip its sessions and say so in their answers', { file: s.path, segment: s.id, reason: s.reason });
    this.onFound();
  }
}
