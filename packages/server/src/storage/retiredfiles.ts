// The segment files the store has dropped (merged into a newer segment, or past retention) and that
// a running query may still open: kept on the storage thread, deleted once no query's view lists them.

import fs from 'node:fs';
import type { StoreLogger } from '@opentraq/core';

/**
 * The store's lists of files are numbered by epoch: every change of the store (a cycle, a reconfigure)
 * starts a new one (nextEpoch), and the list queries get after it carries its number. Each file is
 * kept with the epoch at which it was dropped: it is in no list of that epoch or later, so it may go
 * once the oldest list a running query reads is that recent. Files go in the order they were
 * dropped, which the store requires (a superseded partial before the segment that supersedes it),
 * and as epochs only grow that order is also by epoch.
 */
export class RetiredFiles {
  /** Path -> the epoch it was dropped at, in the order dropped. */
  private readonly files = new Map<string, number>();
  private epochNow = 0;

  constructor(private readonly logger: StoreLogger | undefined) {}

  /** The epoch now: the number of the store's list of files as it stands. */
  get epoch(): number {
    return this.epochNow;
  }

  /** Files kept now. */
  get size(): number {
    return this.files.size;
  }

  /** The store is about to change its list of files. */
  nextEpoch(): void {
    this.epochNow++;
  }

  /**
   * `file` left the store's list now. A file handed over again (a store opened again finds it on
   * disk and drops it anew) keeps its first epoch and place: it has been in no list since.
   */
  add(file: string): void {
    if (!this.files.has(file)) this.files.set(file, this.epochNow);
  }

  /**
   * Delete the files dropped at `oldestRead` or before: no list of files a query may still read
   * holds them. A file that cannot be deleted stops the round (the order must hold) and is tried
   * again at the next one.
   */
  deleteUpTo(oldestRead: number): void {
    for (const [file, epoch] of this.files) {
      if (epoch > oldestRead) return;
      try {
        fs.unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.logger?.warn({ path: file, error: (e as Error).message }, 'cannot delete a segment file dropped from the store; tried again at the next storage cycle');
          return;
        }
      }
      this.files.delete(file);
    }
  }
}
