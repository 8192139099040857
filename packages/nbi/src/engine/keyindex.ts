// Entity keys and the small whole-number ids the slot tables use, kept in typed arrays (about 30 bytes
// an IPv4 address) rather than a Map of strings (about 90 bytes of collected heap each).

import { EntryColumns, PAGE_BYTES } from './entrycolumns.js';
import { resizableBuffer, type ResizableBuffer } from './resizablebuffer.js';

const EMPTY = -1;
/** The offset of an id that is free. */
const FREE = 0xffffffff;
const MIN_BITS = 4;
const MAX_KEY_BYTES = 0xffff;
/** Address space the keys may take (reserved, committed a page at a time as they come). */
const MAX_POOL_BYTES = 2 ** 31;
/** Address space the hash table may take (2^29 slots). */
const MAX_SLOT_BYTES = 2 ** 31;
const OFFSET = 0;
const LENGTH = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** FNV-1a over `bytes[from, from + length)`. */
function hashOf(bytes: Uint8Array, from: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < from + length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

export class KeyIndex {
  /**
   * The keys' UTF-8 bytes, one after the other, in a buffer that grows in place (no copy left to the
   * collector); a forgotten key leaves a hole until compaction.
   */
  private readonly poolBuffer = resizableBuffer(0, MAX_POOL_BYTES);
  private readonly pool = new Uint8Array(this.poolBuffer);
  private poolUsed = 0;
  private poolHoles = 0;
  /** Per id: where its key starts in the pool (FREE when the id is free), and its length. */
  private readonly ids = new EntryColumns(['u32', 'u16'], MAX_POOL_BYTES);
  private offsets = this.ids.u32(OFFSET);
  private lengths = this.ids.u16(LENGTH);
  /** Ids handed out so far (the next new one), and those freed for reuse. */
  private nextId = 0;
  private readonly freeIds: number[] = [];
  /**
   * Open addressing (linear probing) from a key's hash to its id, in a buffer resized in place: a
   * rehash places the keys again from the pool, so the old slots need not outlive the new ones (and
   * no table left behind for the collector, nor a hole in the allocator's heap).
   */
  private bits = MIN_BITS;
  private readonly slotBuffer = resizableBuffer(4 << MIN_BITS, MAX_SLOT_BYTES);
  private readonly slots = new Int32Array(this.slotBuffer).fill(EMPTY);
  private count = 0;
  /** The key being looked up, encoded (resizable like the pool, so that the code comparing them sees one kind of array). */
  private readonly scratch = new Uint8Array(resizableBuffer(PAGE_BYTES, MAX_KEY_BYTES * 3 + PAGE_BYTES));

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** Memory the index holds, bytes. */
  get byteLength(): number {
    const slotPages = Math.ceil(this.slotBuffer.byteLength / PAGE_BYTES) * PAGE_BYTES;
    return this.poolBuffer.byteLength + this.ids.byteLength + slotPages + this.freeIds.length * 8;
  }

  /** The id of `key`, or -1. */
  idOf(key: string): number {
    const length = this.encode(key);
    const at = this.find(this.scratch, 0, length, hashOf(this.scratch, 0, length));
    return at < 0 ? -1 : this.slots[at]!;
  }

  /** The id of `key`, added when new (a freed id is reused first). */
  add(key: string): number {
    const length = this.encode(key);
    const hash = hashOf(this.scratch, 0, length);
    const at = this.find(this.scratch, 0, length, hash);
    if (at >= 0) return this.slots[at]!;
    const id = this.freeIds.pop() ?? this.nextId++;
    if (id >= this.ids.capacity) {
      this.ids.reserve(Math.max(id + 1, Math.ceil(this.ids.capacity * 1.25)), id);
      this.offsets = this.ids.u32(OFFSET);
      this.lengths = this.ids.u16(LENGTH);
    }
    if (this.poolUsed + length > this.poolBuffer.byteLength) this.poolBuffer.resize(Math.ceil((this.poolUsed + length) / PAGE_BYTES) * PAGE_BYTES);
    this.pool.set(this.scratch.subarray(0, length), this.poolUsed);
    this.offsets[id] = this.poolUsed;
    this.lengths[id] = length;
    this.poolUsed += length;
    this.count++;
    // a rehash places every key, this one included
    if (this.count * 4 > this.slots.length * 3) this.rehash(this.bits + 1);
    else this.place(id, hash);
    return id;
  }

  /** The key of `id`; undefined when the id is free. */
  keyOf(id: number): string | undefined {
    if (!(id >= 0 && id < this.nextId)) return undefined;
    const offset = this.offsets[id]!;
    if (offset === FREE) return undefined;
    return decoder.decode(this.pool.subarray(offset, offset + this.lengths[id]!));
  }

  /** Forgets the key of `id`, whose id becomes free for another key. */
  delete(id: number): void {
    if (!(id >= 0 && id < this.nextId)) return;
    const offset = this.offsets[id]!;
    if (offset === FREE) return;
    const length = this.lengths[id]!;
    let i = this.find(this.pool, offset, length, this.hashAt(id));
    const mask = this.slots.length - 1;
    // backward-shift deletion: entries after the hole move back unless they already sit between
    // their home and the hole, so every remaining entry stays reachable without tombstones
    for (let j = (i + 1) & mask; this.slots[j] !== EMPTY; j = (j + 1) & mask) {
      const k = this.home(this.hashAt(this.slots[j]!));
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      this.slots[i] = this.slots[j]!;
      i = j;
    }
    this.slots[i] = EMPTY;
    this.offsets[id] = FREE;
    this.freeIds.push(id);
    this.count--;
    this.poolHoles += length;
    if (this.poolHoles > 4096 && this.poolHoles * 2 > this.poolUsed) this.compactPool();
    if (this.bits > MIN_BITS && this.count * 8 < this.slots.length) this.rehash(this.bits - 1);
  }

  /**
   * Keeps the keys whose id `keep` accepts and forgets the others, renumbering the kept ones densely in
   * the order of their ids (0, 1, …) and giving back what the forgotten took: the pool packed, the id
   * columns and the hash table shrunk to fit. Returns every old id's new one (-1: forgotten or free),
   * for whoever holds ids to follow.
   */
  compact(keep: (id: number) => boolean): Int32Array {
    const renumbered = new Int32Array(this.nextId).fill(-1);
    let next = 0;
    for (let id = 0; id < this.nextId; id++) {
      const offset = this.offsets[id]!;
      if (offset === FREE) continue;
      if (!keep(id)) {
        this.poolHoles += this.lengths[id]!;
        continue;
      }
      renumbered[id] = next;
      // a new id is never above the old one: ids moved down overwrite only ids already done
      this.offsets[next] = offset;
      this.lengths[next] = this.lengths[id]!;
      next++;
    }
    this.nextId = next;
    this.count = next;
    this.freeIds.length = 0;
    this.compactPool();
    this.ids.shrinkToFit(next);
    this.offsets = this.ids.u32(OFFSET);
    this.lengths = this.ids.u16(LENGTH);
    let bits = MIN_BITS;
    while (next * 4 > (1 << bits) * 3) bits++;
    this.rehash(bits);
    return renumbered;
  }

  /** Calls `fn` with every id that has a key. */
  forEachId(fn: (id: number) => void): void {
    for (let id = 0; id < this.nextId; id++) if (this.offsets[id] !== FREE) fn(id);
  }

  /** Writes `key` as UTF-8 into the scratch buffer; its length. */
  private encode(key: string): number {
    if (key.length > MAX_KEY_BYTES) throw new RangeError(`KeyIndex: a key is at most ${MAX_KEY_BYTES} bytes long, this one is longer`);
    const s = this.scratch;
    if (key.length * 3 > s.length) (s.buffer as ResizableBuffer).resize(Math.ceil((key.length * 3) / PAGE_BYTES) * PAGE_BYTES);
    let i = 0;
    for (; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) break;
      s[i] = c;
    }
    const length = i === key.length ? i : encoder.encodeInto(key, s).written;
    if (length > MAX_KEY_BYTES) throw new RangeError(`KeyIndex: a key is at most ${MAX_KEY_BYTES} bytes long, this one is ${length}`);
    return length;
  }

  private home(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The slot holding the key of `bytes[from, from + length)`, or -1. */
  private find(bytes: Uint8Array, from: number, length: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let i = this.home(hash); ; i = (i + 1) & mask) {
      const id = this.slots[i]!;
      if (id === EMPTY) return -1;
      if (this.lengths[id] === length && this.sameBytes(id, bytes, from, length)) return i;
    }
  }

  private sameBytes(id: number, bytes: Uint8Array, from: number, length: number): boolean {
    const pool = this.pool;
    const at = this.offsets[id]!;
    for (let k = 0; k < length; k++) if (pool[at + k] !== bytes[from + k]) return false;
    return true;
  }

  /** The hash of `id`'s key (not kept: computed again from the pool when the table moves entries). */
  private hashAt(id: number): number {
    return hashOf(this.pool, this.offsets[id]!, this.lengths[id]!);
  }

  private place(id: number, hash: number): void {
    const mask = this.slots.length - 1;
    let i = this.home(hash);
    while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
    this.slots[i] = id;
  }

  private rehash(bits: number): void {
    this.bits = bits;
    this.slotBuffer.resize(4 << bits);
    this.slots.fill(EMPTY);
    for (let id = 0; id < this.nextId; id++) if (this.offsets[id] !== FREE) this.place(id, this.hashAt(id));
  }

  /** Packs the live keys together, dropping the holes forgotten keys left, and gives back the pages freed. */
  private compactPool(): void {
    const live = new Uint32Array(this.count);
    let n = 0;
    for (let id = 0; id < this.nextId; id++) if (this.offsets[id] !== FREE) live[n++] = id;
    // in pool order, each key moves down (or stays): none is overwritten before it has moved
    const offsets = this.offsets;
    live.sort((a, b) => offsets[a]! - offsets[b]!);
    let at = 0;
    for (const id of live) {
      const offset = this.offsets[id]!;
      const length = this.lengths[id]!;
      if (offset !== at) this.pool.copyWithin(at, offset, offset + length);
      this.offsets[id] = at;
      at += length;
    }
    this.poolUsed = at;
    this.poolHoles = 0;
    this.poolBuffer.resize(Math.ceil(at / PAGE_BYTES) * PAGE_BYTES);
  }
}
