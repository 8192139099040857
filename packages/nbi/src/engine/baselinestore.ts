// Every entity's baseline in every slot (Welford moments), bounded by -bm: learning a slot, the
// expected value of a window that spans slots, and eviction of the least recently seen entities.

import { EntryColumns } from './entrycolumns.js';
import { KeyIndex } from './keyindex.js';
import { resizableBuffer, type ResizableBuffer } from './resizablebuffer.js';
import type { SlotShare } from './slotclock.js';
import { SlotTable } from './slottable.js';
import { standardDeviation, type Moments } from './welford.js';

/** What a window is expected to hold for one entity, from the baselines of the learnt slots it spans. */
export interface Expectation {
  /**
   * The learnt slots' means weighted by the window's share of each, scaled up to the whole window when
   * a slot it spans was never learnt (0 in a learnt slot where the entity has no baseline: it was silent).
   */
  readonly mean: number;
  /** The slots' standard deviations weighted likewise; null when a slot involved has fewer than 2 observations. */
  readonly stddev: number | null;
  /** Observations behind it: the fewest among the learnt slots where the entity has a baseline; 0 when it has none. */
  readonly n: number;
  /** False when none of the window's slots has been learnt yet: there is nothing to judge by. Absent: true. */
  readonly learnt?: boolean;
}

export const UNKNOWN: Expectation = { mean: 0, stddev: null, n: 0 };
/** The expectation in a window none of whose slots has been learnt (by training or by a live window). */
export const NOT_LEARNT: Expectation = { mean: 0, stddev: null, n: 0, learnt: false };

/** The most observations one window (or training slice) may bring: SlotTable.observeAll's limit. */
const MAX_TAKEN = 2 ** 21;
/** What one window can add to a slot table beyond the cap (a million rows at most: 20 MB). */
const WINDOW_HEADROOM_BYTES = 2 ** 25;

export interface EvictionNotice {
  /** The cap (-bm), bytes. */
  readonly capBytes: number;
  /** Entities tracked when the cap was reached, and how many of them were forgotten. */
  readonly entities: number;
  readonly evicted: number;
}

export interface BaselineStoreOptions {
  /** Slots of the baseline (SlotClock.slots). */
  readonly slots: number;
  /** The memory cap, bytes. */
  readonly capBytes: number;
  /** Called the first time the cap forces entities out (nbi.md: a warning is logged once). */
  readonly onFirstEviction?: (notice: EvictionNotice) => void;
}

export class BaselineStore {
  private readonly tables: SlotTable[];
  /** Per slot: how many times it has been learnt (whole slot-long windows, with or without entities). */
  private readonly learnings: Uint32Array;
  private readonly keys = new KeyIndex();
  /** Per entity id: the end of the last window it had a value in (ms). */
  private readonly lastSeenColumn = new EntryColumns(['f64'], 2 ** 31);
  private lastSeen = this.lastSeenColumn.f64(0);
  /** learn()'s observations, as ids and values for SlotTable.observeAll (grown in place to the largest window). */
  private readonly takenIds = new Int32Array(resizableBuffer(0, MAX_TAKEN * 4));
  private readonly takenValues = new Float64Array(resizableBuffer(0, MAX_TAKEN * 8));
  private evictedCount = 0;
  private warned = false;

  constructor(private readonly options: BaselineStoreOptions) {
    if (!(Number.isInteger(options.slots) && options.slots > 0)) throw new RangeError(`BaselineStore: slots must be a whole number > 0, got ${options.slots}`);
    if (!(options.capBytes > 0)) throw new RangeError(`BaselineStore: capBytes must be > 0, got ${options.capBytes}`);
    // a table is under the cap before a window is learnt, and one window adds at most a million entries
    const tableMax = options.capBytes + WINDOW_HEADROOM_BYTES;
    this.tables = Array.from({ length: options.slots }, () => new SlotTable(tableMax));
    this.learnings = new Uint32Array(options.slots);
  }

  /** Entities with a baseline in at least one slot. */
  get entities(): number {
    return this.keys.size;
  }

  /** Entities forgotten to stay under the cap, since the start. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Memory the baselines hold, bytes (what -bm caps): the slot tables and their counts, the keys and ids, the last-seen times. */
  memoryBytes(): number {
    let bytes = this.keys.byteLength + this.lastSeenColumn.byteLength + this.takenIds.byteLength + this.takenValues.byteLength + this.learnings.byteLength;
    for (const t of this.tables) bytes += t.byteLength;
    return bytes;
  }

  /**
   * How many times `slot` has been learnt. A slot learnt where an entity has no baseline saw it silent;
   * one never learnt (before the history, or an outage) says nothing of anyone.
   */
  learnt(slot: number): number {
    this.table(slot);
    return this.learnings[slot]!;
  }

  /** Entity `key`'s moments in `slot`; undefined when it has no baseline there. */
  moments(key: string, slot: number): Moments | undefined {
    const id = this.keys.idOf(key);
    return id < 0 ? undefined : this.table(slot).moments(id);
  }

  /**
   * One observation of `slot` (a whole slot-long window, [atMs - slot length, atMs)): every entity in
   * `values` with a value above 0 adds it to its baseline there, and when `complete` (every entity of
   * the window is in `values`) every other entity with a baseline in the slot adds a 0 — it was silent.
   */
  learn(slot: number, values: ReadonlyMap<string, number>, atMs: number, complete: boolean): void {
    const table = this.table(slot);
    this.reserve(values.size);
    let length = 0;
    for (const [key, v] of values) length = this.take(key, v, atMs, length);
    this.learnTaken(slot, table, length, complete);
  }

  /**
   * learn() from parallel arrays: entity `keys[k]` had `values[k]` (k < keys.length). For training,
   * which reads many slots from one answer and need not build a map for each.
   */
  learnRows(slot: number, keys: readonly string[], values: ArrayLike<number>, atMs: number, complete: boolean): void {
    const table = this.table(slot);
    this.reserve(keys.length);
    let length = 0;
    for (let k = 0; k < keys.length; k++) length = this.take(keys[k]!, values[k]!, atMs, length);
    this.learnTaken(slot, table, length, complete);
  }

  private reserve(length: number): void {
    if (this.takenIds.length >= length) return;
    if (length > MAX_TAKEN) throw new RangeError(`BaselineStore: at most ${MAX_TAKEN} observations at once, got ${length}`);
    const size = Math.min(MAX_TAKEN, Math.max(length, this.takenIds.length * 2));
    (this.takenIds.buffer as ResizableBuffer).resize(size * 4);
    (this.takenValues.buffer as ResizableBuffer).resize(size * 8);
  }

  /** Puts an observation aside for learnTaken (when it counts: above 0); the new length. */
  private take(key: string, v: number, atMs: number, length: number): number {
    if (!(v > 0) || !Number.isFinite(v)) return length;
    const id = this.idFor(key);
    if (atMs > this.lastSeen[id]!) this.lastSeen[id] = atMs;
    this.takenIds[length] = id;
    this.takenValues[length] = v;
    return length + 1;
  }

  private learnTaken(slot: number, table: SlotTable, length: number, complete: boolean): void {
    table.observeAll(this.takenIds, this.takenValues, length, complete);
    if (this.learnings[slot]! < 0xffffffff) this.learnings[slot]!++;
    this.enforceCap();
  }

  /**
   * The expectation for entity `key` over a window that divides over slots as `shares`. Slots never
   * learnt are left out and the others' weights scaled up to 1: the learnt part of the window stands
   * for the whole (taken as 0, they would make every entity's usual value look high).
   */
  expectation(key: string, shares: readonly SlotShare[]): Expectation {
    let learntWeight = 0;
    let leftOut = false;
    for (const { slot, weight } of shares) {
      if (this.learnt(slot) > 0) learntWeight += weight;
      else leftOut = true;
    }
    if (!(learntWeight > 0)) return NOT_LEARNT;
    // with every slot learnt the weights are the window's own (not rescaled by a sum of 1 ± ε)
    const total = leftOut ? learntWeight : 1;
    const id = this.keys.idOf(key);
    if (id < 0) return UNKNOWN;
    let mean = 0;
    let stddev = 0;
    let n = Infinity;
    let noDeviation = false;
    for (const { slot, weight } of shares) {
      if (this.learnings[slot] === 0) continue;
      const m = this.table(slot).moments(id);
      // learnt without this entity: it was silent there (or not yet about), a 0 of no deviation
      if (m === undefined) continue;
      mean += weight * m.mean;
      const s = standardDeviation(m);
      if (s === undefined) noDeviation = true;
      else stddev += weight * s;
      if (m.n < n) n = m.n;
    }
    if (n === Infinity) return UNKNOWN;
    return { mean: mean / total, stddev: noDeviation ? null : stddev / total, n };
  }

  /** The keys of every entity with a baseline in at least one of `slots`. */
  keysIn(slots: readonly number[]): Set<string> {
    const out = new Set<string>();
    for (const slot of slots) this.table(slot).forEachId((id) => out.add(this.keys.keyOf(id)!));
    return out;
  }

  private table(slot: number): SlotTable {
    const t = this.tables[slot];
    if (t === undefined) throw new RangeError(`BaselineStore: slot ${slot} is not one of 0..${this.tables.length - 1}`);
    return t;
  }

  private idFor(key: string): number {
    const size = this.keys.size;
    const id = this.keys.add(key);
    if (this.keys.size === size) return id;
    if (id >= this.lastSeenColumn.capacity) {
      this.lastSeenColumn.reserve(Math.max(id + 1, Math.ceil(this.lastSeenColumn.capacity * 1.25)), this.lastSeenColumn.capacity);
      this.lastSeen = this.lastSeenColumn.f64(0);
    }
    this.lastSeen[id] = 0;
    return id;
  }

  /** Forgets the least recently seen entities until the baselines are back under 90 % of the cap. */
  private enforceCap(): void {
    const cap = this.options.capBytes;
    if (this.memoryBytes() <= cap) return;
    const before = this.keys.size;
    const order: number[] = [];
    this.keys.forEachId((id) => order.push(id));
    order.sort((a, b) => this.lastSeen[a]! - this.lastSeen[b]!);
    const batch = Math.max(1, Math.ceil(order.length / 20));
    const marked = new Uint8Array(this.lastSeenColumn.capacity);
    let next = 0;
    while (next < order.length && this.memoryBytes() > cap * 0.9) {
      // a batch at a time, so that each table is compacted once per batch rather than once per entity
      for (let k = next; k < Math.min(order.length, next + batch); k++) {
        marked[order[k]!] = 1;
        this.keys.delete(order[k]!);
      }
      for (const t of this.tables) t.deleteMarked(marked);
      marked.fill(0);
      next += batch;
    }
    const evicted = before - this.keys.size;
    this.evictedCount += evicted;
    if (!this.warned) {
      this.warned = true;
      this.options.onFirstEviction?.({ capBytes: cap, entities: before, evicted });
    }
  }
}
