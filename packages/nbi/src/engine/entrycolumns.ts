// Parallel typed arrays (one per field of an entry) in one buffer that grows and shrinks in place:
// the storage of the slot tables, without an object per entry or a discarded buffer per growth.

import { resizableBuffer, type ResizableBuffer } from './resizablebuffer.js';

export type ColumnKind = 'f64' | 'u32' | 'u16' | 'u8';
export type Column = Float64Array | Uint32Array | Uint16Array | Uint8Array;

const WIDTH: Readonly<Record<ColumnKind, number>> = { f64: 8, u32: 4, u16: 2, u8: 1 };
/** The system commits a resizable buffer's memory in pages. */
export const PAGE_BYTES = 4096;
/** The largest reservation a resizable buffer may make. */
const MAX_BUFFER_BYTES = 2 ** 31;
/**
 * Below this, columns live in a plain buffer of their exact size: a page each would be most of what
 * a small table holds (a slot table with a few entities; 1008 slots with -bdow), and a small cap
 * (-bm 1) could not even hold one entity per slot.
 */
const SMALL_BYTES = 2 * PAGE_BYTES;

export class EntryColumns {
  /** Bytes of one entry: the widths of its columns. */
  readonly entryBytes: number;
  /** The columns, in the order of `kinds`; replaced (not resized) when the capacity changes. */
  columns: Column[] = [];
  private capacityNow = 0;
  /**
   * Once past SMALL_BYTES, resizable: growing neither copies to a new buffer nor leaves the old one to
   * the garbage collector (thousands of them while training, each held until a full collection).
   */
  private buffer: ArrayBuffer | ResizableBuffer = new ArrayBuffer(0);
  private readonly maxBytes: number;

  /** `kinds` widest first, so that every column starts aligned; `maxBytes` the most the columns may grow to. */
  constructor(
    private readonly kinds: readonly ColumnKind[],
    maxBytes: number,
  ) {
    for (let k = 1; k < kinds.length; k++) if (WIDTH[kinds[k]!] > WIDTH[kinds[k - 1]!]) throw new RangeError('EntryColumns: columns go widest first');
    this.entryBytes = kinds.reduce((sum, kind) => sum + WIDTH[kind], 0);
    this.maxBytes = Math.min(MAX_BUFFER_BYTES, Math.max(SMALL_BYTES, Math.ceil(maxBytes / PAGE_BYTES) * PAGE_BYTES));
    this.place(0);
  }

  /** Column `k` as the typed array its kind makes it (the caller knows the kinds it asked for). */
  f64(k: number): Float64Array {
    return this.columns[k] as Float64Array;
  }

  u32(k: number): Uint32Array {
    return this.columns[k] as Uint32Array;
  }

  u16(k: number): Uint16Array {
    return this.columns[k] as Uint16Array;
  }

  u8(k: number): Uint8Array {
    return this.columns[k] as Uint8Array;
  }

  /** Entries that fit. */
  get capacity(): number {
    return this.capacityNow;
  }

  /** Memory held, bytes (of a resizable buffer, its committed pages). */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /** Room for at least `entries` entries, keeping the first `keep`. */
  reserve(entries: number, keep: number): void {
    if (entries > this.capacityNow) this.resize(this.bytesFor(entries), keep);
  }

  /** Gives back the memory the first `keep` entries do not need (a page or more; while small, a quarter or more). */
  shrinkToFit(keep: number): void {
    const bytes = this.bytesFor(keep);
    if (bytes < this.buffer.byteLength && (bytes >= SMALL_BYTES || bytes * 4 < this.buffer.byteLength * 3)) this.resize(bytes, keep);
  }

  /**
   * The bytes for `entries`: while small, exact and an eighth more (each growth is a new buffer);
   * once large, whole pages (growing in place costs a move of the columns, no new buffer: the last
   * page is all the room kept).
   */
  private bytesFor(entries: number): number {
    if (entries === 0) return 0;
    const exact = ((entries + 3) & ~3) * this.entryBytes;
    if (exact >= SMALL_BYTES) return Math.ceil(exact / PAGE_BYTES) * PAGE_BYTES;
    return Math.min(SMALL_BYTES, ((entries + (entries >> 3) + 3) & ~3) * this.entryBytes);
  }

  /** Views of the buffer for `capacity` entries, each column after the other. */
  private place(capacity: number): void {
    this.capacityNow = capacity;
    let offset = 0;
    this.columns = this.kinds.map((kind) => {
      const at = offset;
      offset += capacity * WIDTH[kind];
      if (kind === 'f64') return new Float64Array(this.buffer, at, capacity);
      if (kind === 'u32') return new Uint32Array(this.buffer, at, capacity);
      if (kind === 'u16') return new Uint16Array(this.buffer, at, capacity);
      return new Uint8Array(this.buffer, at, capacity);
    });
  }

  /** `bytes` bytes, keeping the first `keep` entries: in place when the buffer is and stays resizable, else in a new one. */
  private resize(bytes: number, keep: number): void {
    if (bytes > this.maxBytes) throw new RangeError(`EntryColumns: ${keep} entries need ${bytes} bytes, more than the ${this.maxBytes} these columns may hold`);
    const to = Math.floor(bytes / this.entryBytes) & ~3;
    const from = this.capacityNow;
    const old = this.buffer;
    if (bytes >= SMALL_BYTES && isResizable(old)) {
      const moves = this.kinds.map((kind, k) => {
        const before = this.kinds.slice(0, k).reduce((sum, c) => sum + WIDTH[c], 0);
        return { from: from * before, to: to * before, length: keep * WIDTH[kind] };
      });
      if (to > from) {
        old.resize(bytes);
        // the last column first, so that nothing is overwritten before it has moved
        const b = new Uint8Array(old);
        for (const m of moves.reverse()) b.copyWithin(m.to, m.from, m.from + m.length);
      } else {
        const b = new Uint8Array(old);
        for (const m of moves) b.copyWithin(m.to, m.from, m.from + m.length);
        old.resize(bytes);
      }
      this.place(to);
      return;
    }
    const before = this.columns;
    this.buffer = bytes >= SMALL_BYTES ? resizableBuffer(bytes, this.maxBytes) : new ArrayBuffer(bytes);
    this.place(to);
    for (let k = 0; k < before.length; k++) copyColumn(this.columns[k]!, before[k]!, keep);
  }
}

function copyColumn(to: Column, from: Column, length: number): void {
  if (to instanceof Float64Array) to.set((from as Float64Array).subarray(0, length));
  else if (to instanceof Uint32Array) to.set((from as Uint32Array).subarray(0, length));
  else if (to instanceof Uint16Array) to.set((from as Uint16Array).subarray(0, length));
  else to.set((from as Uint8Array).subarray(0, length));
}

function isResizable(buffer: ArrayBuffer | ResizableBuffer): buffer is ResizableBuffer {
  return (buffer as { resizable?: boolean }).resizable === true;
}
