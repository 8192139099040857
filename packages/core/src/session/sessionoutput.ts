// The tracker's outgoing batch: finished session records accumulate here and are handed to the
// sink in batches, only between flows, so a throwing sink never leaves a flow half applied.

import { allocColumns, COLUMN_DEFS, wordsPerRow } from '../fields/columns.js';
import type { SessionSink } from './sessionoptions.js';
import { SessionRowWriter } from './sessionrowwriter.js';
import type { SessionTable } from './sessiontable.js';

export class SessionOutput {
  private writer: SessionRowWriter;
  /** Rows written and not yet handed to the sink. */
  pending = 0;
  private capacity: number;

  constructor(
    private readonly batchRows: number,
    private readonly sink: SessionSink,
  ) {
    this.capacity = batchRows;
    this.writer = new SessionRowWriter(allocColumns(batchRows));
  }

  /** A batch is due: the sink should get the pending rows. */
  get full(): boolean {
    return this.pending >= this.batchRows;
  }

  /** Append slot `s` of `t` as a row (see SessionRowWriter.write); the columns grow when one flow emits more rows than a batch holds. */
  write(t: SessionTable, s: number, start: number, end: number, pA: number, bA: number, pB: number, bB: number, flows: number): void {
    if (this.pending === this.capacity) this.grow();
    this.writer.write(this.pending++, t, s, start, end, pA, bA, pB, bB, flows);
  }

  /**
   * Hand the pending rows to the sink. If the sink throws, the rows stay pending and are offered
   * again at the next flush.
   */
  flush(): void {
    if (this.pending === 0) return;
    this.sink(this.writer.cols, this.pending);
    this.pending = 0;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const old = this.writer.cols;
    const cols = allocColumns(cap);
    for (const d of COLUMN_DEFS) cols[d.name].set(old[d.name].subarray(0, this.pending * wordsPerRow(d.type)));
    this.capacity = cap;
    this.writer = new SessionRowWriter(cols);
  }
}
