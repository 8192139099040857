// The interface between where sessions live (the on-disk store, the server's
// in-memory hot store) and the query engine, which reads only through it.

import type { ColumnArray, ColumnName, Columns } from '../fields/columns.js';
import type { SkippedSegment } from './skippedsegment.js';

/** Smallest and largest value of a numeric column in a segment (ip columns: not given). */
export interface ColumnStats {
  readonly min: number;
  readonly max: number;
}

/** How to reopen a segment, possibly in another worker thread (structured-clonable). */
export type SegmentRef =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'memory';
      readonly rows: number;
      readonly columns: Partial<Columns>;
      /**
       * Set when the rows are in the order they came, not sorted by start (MemorySource.appendUnsorted):
       * a number naming the batch, unique in the thread that made it, for caching its sorted copy. Such
       * a segment is stored or checkpointed as it is, but a query reads the copy sortedMemorySegment()
       * makes (memorySegmentReader refuses it).
       */
      readonly unsorted?: number;
    };

export interface SegmentInfo {
  /** Stable identity, ordered like the segments were written. */
  readonly id: number;
  readonly rows: number;
  /** Smallest session start, µs since the epoch. */
  readonly startMin: number;
  /** Largest session start, µs. Rows within a segment are sorted by start. */
  readonly startMax: number;
  /** Largest session end, µs. */
  readonly endMax: number;
  readonly stats: Partial<Record<ColumnName, ColumnStats>>;
  readonly ref: SegmentRef;
  /**
   * Set by a source that knows the segment's data is damaged (an earlier query found a column
   * failing its checksum): why. Queries then skip it without opening it, and say so.
   */
  readonly damaged?: string;
}

/**
 * A column as the store holds it: row i's value is dict[codes[i]] (ip dictionaries: 4 words
 * an entry, at 4 * code). Every code is below `size`, checked by the reader.
 */
export interface DictColumn {
  readonly kind: 'dict';
  readonly codes: Uint8Array | Uint16Array | Uint32Array;
  /** The entries, in ascending order as the store keeps them (addresses word by word); nothing may fail when they are not. */
  readonly dict: ColumnArray;
  /** Entries in `dict`. */
  readonly size: number;
  /** Addresses: entries [v4[0], v4[1]) are IPv4-mapped, when the reader knows it (a hint for merging dictionaries). */
  readonly v4?: readonly [number, number];
}

/**
 * A whole-number column as the store holds it with a frame of reference: row i's value is
 * base + step × (parts[i] + the high part of row i × highScale), the high part being high[j]
 * for the row highRows[j] (ascending) and 0 for every other row. A ranking that only sums
 * values by key sums parts in steps and converts each sum once.
 */
export interface FrameColumn {
  readonly kind: 'frame';
  readonly parts: Uint8Array | Uint16Array | Uint32Array;
  readonly base: number;
  readonly step: number;
  readonly highRows: Uint32Array;
  readonly high: Uint32Array;
  /** The sum of `high` (0 when there are none). */
  readonly highSum: number;
  /** 2^(8 × bytes of a part). */
  readonly highScale: number;
}

/**
 * A column as readEncoded gives it: dictionary codes when the store has them, the frame of
 * reference when asked for and the store has it, else the values.
 */
export type CodedColumn = DictColumn | FrameColumn | { readonly kind: 'plain'; readonly values: ColumnArray };

/** An open segment: decodes the columns asked for, verifying checksums. */
export interface SegmentReader {
  readonly info: SegmentInfo;
  /**
   * Returns exactly the named columns; throws a StoreError (code CORRUPT) on a bad checksum.
   * `scratch` (optional): arrays kept by the caller from one read to the next, by column, so
   * that decoding allocates nothing once they are big enough. A reader that decodes writes a
   * column into the first rows of its scratch array when that is of the column's type and
   * long enough (the column then comes back as a view of it), else allocates and leaves the
   * new array there. The columns returned are valid only until the next read with the same
   * scratch. Readers that hand out arrays they hold ignore it.
   */
  read(names: readonly ColumnName[], scratch?: Partial<Record<ColumnName, ColumnArray>>): Partial<Record<ColumnName, ColumnArray>>;
  /**
   * Optional: the named columns without expanding dictionaries, so that grouping can work on
   * codes (one id lookup per distinct value instead of one hash per row). Same checks as read.
   * `scratch` as for read (a reader may also keep the bytes of a dictionary column there,
   * which its codes then view); what comes back is valid until the next call with it.
   * Columns in `frames` the store keeps as a frame of reference come back as one (their
   * row numbers checked, their base and step not: whole numbers are the caller's to check).
   */
  readEncoded?(
    names: readonly ColumnName[],
    scratch?: Partial<Record<ColumnName, ColumnArray>>,
    frames?: ReadonlySet<ColumnName>,
  ): Partial<Record<ColumnName, CodedColumn>>;
  close(): void;
}

/** Anything the engine can query. */
export interface SessionSource {
  /** Segments that may hold sessions overlapping [fromUs, toUs), ordered by startMin then id. */
  segments(fromUs: number, toUs: number): SegmentInfo[];
  open(info: SegmentInfo): SegmentReader;
  /**
   * Optional: told, on the query's calling thread, of a segment a query found damaged while
   * reading it (and skipped). A source that keeps segments lists it as `damaged` from then on,
   * so that later queries skip it without reading it. Must not throw.
   */
  segmentDamaged?(segment: SkippedSegment): void;
}
