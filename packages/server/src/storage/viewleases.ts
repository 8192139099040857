// The main thread's count of running queries by the list of segment files they read (the storage
// thread's view, numbered by epoch), so that the storage thread deletes no file a query may still open.

import type { SegmentInfo, SessionSource } from '@opentraq/core';

/** What one query reads, with a hold on the files it lists: none of them is deleted before release(). */
export interface LeasedSource extends SessionSource {
  /** The epoch of the storage thread's list of files this source reads. */
  readonly epoch: number;
  /** The query is over (answered, failed, or its client gone): its files may go. Later calls do nothing. */
  release(): void;
  /**
   * Another lease on the same view, for a query that starts now and shares it; undefined when its
   * files may be deleted before that query reads them (a newer view came and no lease held this one).
   */
  share(): LeasedSource | undefined;
}

/**
 * A file dropped at epoch E (SessionStore.epoch) is in no view of epoch E or later; the storage
 * thread deletes it once the oldest epoch sent with a request (oldest()) is at least E. A view with
 * no lease left and a newer one known is never leased again, so its files can go at the next request.
 */
export class ViewLeases {
  /** Leases held, by epoch. */
  private readonly counts = new Map<number, number>();

  /** `current`: the epoch of the latest view the storage thread sent. */
  constructor(private readonly current: () => number) {}

  /** Leases held now. */
  get size(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** The oldest epoch a running query reads; the current one when none reads an older one. */
  oldest(): number {
    let m = this.current();
    for (const e of this.counts.keys()) if (e < m) m = e;
    return m;
  }

  /** `source`, which lists the files of `epoch`, leased for one query. */
  lease(source: SessionSource, epoch: number): LeasedSource {
    this.counts.set(epoch, (this.counts.get(epoch) ?? 0) + 1);
    let released = false;
    const damaged = source.segmentDamaged?.bind(source);
    return {
      epoch,
      segments: (fromUs: number, toUs: number): SegmentInfo[] => source.segments(fromUs, toUs),
      open: (info: SegmentInfo) => source.open(info),
      ...(damaged === undefined ? {} : { segmentDamaged: damaged }),
      release: () => {
        if (released) return;
        released = true;
        const n = this.counts.get(epoch)! - 1;
        if (n === 0) this.counts.delete(epoch);
        else this.counts.set(epoch, n);
      },
      share: () => (epoch === this.current() || this.counts.has(epoch) ? this.lease(source, epoch) : undefined),
    };
  }
}
