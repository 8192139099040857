// The baselines of one slot: Welford moments per entity id in typed arrays sorted by id, no object
// per entity. Most entities of a slot had a value once and were silent since: kept in 8 bytes, not 20.

import { EntryColumns } from './entrycolumns.js';
import type { Moments } from './welford.js';

/** An entity with moments of its own: mean (8) + M2 (8) + id (2, its low 16 bits) + n (2). */
export const SLOT_ENTRY_BYTES = 20;
/** An entity whose observations are one whole value x < 2^32 then n - 1 zeros: x (4) + id (2) + n (2). */
export const SPIKE_ENTRY_BYTES = 8;
/**
 * n is kept in 16 bits. A slot gets one observation a day (a week with -bg WEEK or -bdow), so this
 * is 179 years away; should it come, n stays there and each observation weighs 1/65535.
 */
export const MAX_OBSERVATIONS = 65_535;
/** The largest entity id; one more marks "no entity" in merges. */
const MAX_ID = 0x7ffffffe;
const NO_ID = MAX_ID + 1;
/** Ids are kept as their low 16 bits, grouped by their high bits (see IdGroups). */
const LOW_BITS = 16;
const LOW_SPAN = 1 << LOW_BITS;
/** Address space a table reserves by default (committed only as it fills). */
const DEFAULT_MAX_BYTES = 2 ** 26;
/** Ids and input positions are packed into one double to sort them together: position < 2^21. */
const POSITION_SPAN = 2 ** 21;

/** The columns of the two kinds of entries. */
const FULL_KINDS = ['f64', 'f64', 'u16', 'u16'] as const;
const [FULL_MEAN, FULL_M2, FULL_LOW, FULL_N] = [0, 1, 2, 3] as const;
const SPIKE_KINDS = ['u32', 'u16', 'u16'] as const;
const [SPIKE_X, SPIKE_LOW, SPIKE_N] = [0, 1, 2] as const;

/**
 * Where each high part of the ids begins, for entries sorted by id: the entries whose id is h * 2^16 +
 * low lie in [starts[h], starts[h + 1]); the last element is the entry count. [0] when empty.
 */
type IdGroups = Int32Array;

const EMPTY_GROUPS: IdGroups = new Int32Array(1);

/** Welford's step on [n, mean, M2] (welford.ts's addObservation, the same operations), n saturating. */
function step(m: Float64Array, x: number): void {
  const n1 = m[0]! < MAX_OBSERVATIONS ? m[0]! + 1 : m[0]!;
  const mean = m[1]!;
  const delta = x - mean;
  const mean1 = mean + delta / n1;
  m[0] = n1;
  m[1] = mean1;
  m[2] = m[2]! + delta * (x - mean1);
}

/** The moments being computed, shared (one thread). */
const state = new Float64Array(3);

/** Into `state`, [n, mean, M2] of x followed by n - 1 zeros: the very steps Welford took, so the same bits. */
function replaySpike(x: number, n: number): Float64Array {
  state[0] = 0;
  state[1] = 0;
  state[2] = 0;
  step(state, x);
  for (let k = 1; k < n; k++) step(state, 0);
  return state;
}

/** Builds IdGroups while entries are written in id order. */
class GroupWriter {
  starts = new Int32Array(8);
  private high = 0;

  reset(): void {
    this.high = 0;
    this.starts[0] = 0;
  }

  /** Entry `index` has id high part `high` (never less than the previous one's). */
  add(high: number, index: number): void {
    while (this.high < high) {
      this.high++;
      if (this.high >= this.starts.length) this.grow();
      this.starts[this.high] = index;
    }
  }

  /** The groups of `count` entries written. */
  finish(count: number): IdGroups {
    const length = count === 0 ? 1 : this.high + 2;
    if (length > this.starts.length) this.grow();
    this.starts[length - 1] = count;
    return this.starts.slice(0, length);
  }

  private grow(): void {
    const grown = new Int32Array(this.starts.length * 2);
    grown.set(this.starts);
    this.starts = grown;
  }
}

/** Where `id` is among the entries (`lows` within `groups`), or -1. */
function search(lows: Uint16Array, groups: IdGroups, id: number): number {
  const high = Math.floor(id / LOW_SPAN);
  if (high + 1 >= groups.length) return -1;
  const low = id % LOW_SPAN;
  let lo = groups[high]!;
  let hi = groups[high + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = lows[mid]!;
    if (v < low) lo = mid + 1;
    else if (v > low) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Calls `fn` with the id of each of the entries, in order. */
function forEachIdIn(lows: Uint16Array, groups: IdGroups, fn: (id: number, index: number) => void): void {
  for (let h = 0; h + 1 < groups.length; h++) for (let i = groups[h]!; i < groups[h + 1]!; i++) fn(h * LOW_SPAN + lows[i]!, i);
}

/** Sort and merge scratch shared by every table (one thread): grows to the largest slot learnt. */
let order = new Float64Array(0);
const single = { id: new Int32Array(1), x: new Float64Array(1) };
const merged = {
  full: new EntryColumns(FULL_KINDS, 2 ** 31),
  spikes: new EntryColumns(SPIKE_KINDS, 2 ** 31),
  fullGroups: new GroupWriter(),
  spikeGroups: new GroupWriter(),
};

export class SlotTable {
  /** Entities with two values or more (or a value after their zeros): mean, M2, id, n; sorted by id. */
  private readonly full: EntryColumns;
  private fullGroups: IdGroups = EMPTY_GROUPS;
  /**
   * Entities with one value x and zeros since: x, id, n; sorted by id. No id is in both. The counts
   * the detectors learn are whole numbers; a value that is not one (or not below 2^32) starts full.
   */
  private readonly spikes: EntryColumns;
  private spikeGroups: IdGroups = EMPTY_GROUPS;

  /** `maxBytes`: the most each of the table's two kinds of entries may take (address space reserved once large; default 64 MiB). */
  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.full = new EntryColumns(FULL_KINDS, maxBytes);
    this.spikes = new EntryColumns(SPIKE_KINDS, maxBytes);
  }

  private get fullCount(): number {
    return this.fullGroups[this.fullGroups.length - 1]!;
  }

  private get spikeCount(): number {
    return this.spikeGroups[this.spikeGroups.length - 1]!;
  }

  /** Entities with a baseline in this slot. */
  get size(): number {
    return this.fullCount + this.spikeCount;
  }

  /** Memory the table holds, in bytes. */
  get byteLength(): number {
    return this.full.byteLength + this.spikes.byteLength + this.fullGroups.byteLength + this.spikeGroups.byteLength;
  }

  /** The moments of entity `id`, undefined when it has no baseline here. */
  moments(id: number): Moments | undefined {
    const full = this.full;
    const i = search(full.u16(FULL_LOW), this.fullGroups, id);
    if (i >= 0) return { n: full.u16(FULL_N)[i]!, mean: full.f64(FULL_MEAN)[i]!, m2: full.f64(FULL_M2)[i]! };
    const spikes = this.spikes;
    const s = search(spikes.u16(SPIKE_LOW), this.spikeGroups, id);
    if (s < 0) return undefined;
    const m = replaySpike(spikes.u32(SPIKE_X)[s]!, spikes.u16(SPIKE_N)[s]!);
    return { n: m[0]!, mean: m[1]!, m2: m[2]! };
  }

  has(id: number): boolean {
    return search(this.full.u16(FULL_LOW), this.fullGroups, id) >= 0 || search(this.spikes.u16(SPIKE_LOW), this.spikeGroups, id) >= 0;
  }

  /** Adds observation `x` to entity `id`'s moments (Welford), creating them when absent. */
  observe(id: number, x: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id <= MAX_ID)) throw new RangeError(`SlotTable: entity ids are whole numbers from 0 to ${MAX_ID}, got ${id}`);
    single.id[0] = id;
    single.x[0] = x;
    this.observeAll(single.id, single.x, 1, false);
  }

  /**
   * One window of this slot: entity `ids[k]` observed `xs[k]` for every k < `length` (ids need not be
   * sorted; an id given twice keeps its last value), and when `silentObserveZero` every other entity
   * with a baseline here observes 0. One merge over the table, into scratch columns copied back.
   */
  observeAll(ids: Int32Array, xs: Float64Array, length: number, silentObserveZero: boolean): void {
    const sorted = sortById(ids, length);
    const { full, spikes, fullGroups, spikeGroups } = this;
    const fullCount = this.fullCount;
    const spikeCount = this.spikeCount;
    merged.full.reserve(fullCount + length, 0);
    merged.spikes.reserve(spikeCount + length, 0);
    const means = full.f64(FULL_MEAN);
    const m2s = full.f64(FULL_M2);
    const fullLows = full.u16(FULL_LOW);
    const ns = full.u16(FULL_N);
    const spikeXs = spikes.u32(SPIKE_X);
    const spikeLows = spikes.u16(SPIKE_LOW);
    const spikeNs = spikes.u16(SPIKE_N);
    const outMeans = merged.full.f64(FULL_MEAN);
    const outM2s = merged.full.f64(FULL_M2);
    const outFullLows = merged.full.u16(FULL_LOW);
    const outNs = merged.full.u16(FULL_N);
    const outXs = merged.spikes.u32(SPIKE_X);
    const outSpikeLows = merged.spikes.u16(SPIKE_LOW);
    const outSpikeNs = merged.spikes.u16(SPIKE_N);
    const outFullGroups = merged.fullGroups;
    const outSpikeGroups = merged.spikeGroups;
    outFullGroups.reset();
    outSpikeGroups.reset();
    let f = 0;
    let fh = 0;
    let s = 0;
    let sh = 0;
    let j = 0;
    let outFull = 0;
    let outSpikes = 0;
    for (;;) {
      // the next input id, skipping to the last of repeated ones
      while (j + 1 < length && Math.floor(sorted[j]! / POSITION_SPAN) === Math.floor(sorted[j + 1]! / POSITION_SPAN)) j++;
      const inId = j < length ? Math.floor(sorted[j]! / POSITION_SPAN) : NO_ID;
      while (fh + 1 < fullGroups.length && f >= fullGroups[fh + 1]!) fh++;
      const fullId = f < fullCount ? fh * LOW_SPAN + fullLows[f]! : NO_ID;
      while (sh + 1 < spikeGroups.length && s >= spikeGroups[sh + 1]!) sh++;
      const spikeId = s < spikeCount ? sh * LOW_SPAN + spikeLows[s]! : NO_ID;
      const id = Math.min(inId, fullId, spikeId);
      if (id === NO_ID) break;
      const given = id === inId;
      const x = given ? xs[sorted[j]! - id * POSITION_SPAN]! : 0;
      if (given) j++;
      let toFull = false;
      if (id === fullId) {
        state[0] = ns[f]!;
        state[1] = means[f]!;
        state[2] = m2s[f]!;
        if (given || silentObserveZero) step(state, x);
        toFull = true;
        f++;
      } else if (id === spikeId) {
        const n = spikeNs[s]!;
        if (given || (silentObserveZero && n === MAX_OBSERVATIONS)) {
          // a second value (or n at its limit): the entity gets moments of its own
          replaySpike(spikeXs[s]!, n);
          step(state, x);
          toFull = true;
        } else {
          outSpikeGroups.add(Math.floor(id / LOW_SPAN), outSpikes);
          outXs[outSpikes] = spikeXs[s]!;
          outSpikeLows[outSpikes] = id % LOW_SPAN;
          outSpikeNs[outSpikes] = silentObserveZero ? n + 1 : n;
          outSpikes++;
        }
        s++;
      } else if (x === x >>> 0) {
        outSpikeGroups.add(Math.floor(id / LOW_SPAN), outSpikes);
        outXs[outSpikes] = x;
        outSpikeLows[outSpikes] = id % LOW_SPAN;
        outSpikeNs[outSpikes] = 1;
        outSpikes++;
      } else {
        state[0] = 0;
        state[1] = 0;
        state[2] = 0;
        step(state, x);
        toFull = true;
      }
      if (toFull) {
        outFullGroups.add(Math.floor(id / LOW_SPAN), outFull);
        outMeans[outFull] = state[1]!;
        outM2s[outFull] = state[2]!;
        outFullLows[outFull] = id % LOW_SPAN;
        outNs[outFull] = state[0]!;
        outFull++;
      }
    }
    full.reserve(outFull, 0);
    spikes.reserve(outSpikes, 0);
    full.f64(FULL_MEAN).set(outMeans.subarray(0, outFull));
    full.f64(FULL_M2).set(outM2s.subarray(0, outFull));
    full.u16(FULL_LOW).set(outFullLows.subarray(0, outFull));
    full.u16(FULL_N).set(outNs.subarray(0, outFull));
    spikes.u32(SPIKE_X).set(outXs.subarray(0, outSpikes));
    spikes.u16(SPIKE_LOW).set(outSpikeLows.subarray(0, outSpikes));
    spikes.u16(SPIKE_N).set(outSpikeNs.subarray(0, outSpikes));
    this.fullGroups = outFullGroups.finish(outFull);
    this.spikeGroups = outSpikeGroups.finish(outSpikes);
    spikes.shrinkToFit(outSpikes);
  }

  /** Removes entity `id`; false when it had no baseline here. */
  delete(id: number): boolean {
    const i = search(this.full.u16(FULL_LOW), this.fullGroups, id);
    if (i >= 0) {
      this.fullGroups = removeAt(this.full, this.fullGroups, i);
      return true;
    }
    const s = search(this.spikes.u16(SPIKE_LOW), this.spikeGroups, id);
    if (s < 0) return false;
    this.spikeGroups = removeAt(this.spikes, this.spikeGroups, s);
    return true;
  }

  /** Removes every entity whose id is marked (`marked[id]` not 0); how many were here. */
  deleteMarked(marked: Uint8Array): number {
    const before = this.size;
    this.fullGroups = compact(this.full, this.fullGroups, FULL_LOW, marked);
    this.spikeGroups = compact(this.spikes, this.spikeGroups, SPIKE_LOW, marked);
    return before - this.size;
  }

  /** Calls `fn` with every entity id that has a baseline here, each once (the table must not change meanwhile). */
  forEachId(fn: (id: number) => void): void {
    forEachIdIn(this.full.u16(FULL_LOW), this.fullGroups, (id) => fn(id));
    forEachIdIn(this.spikes.u16(SPIKE_LOW), this.spikeGroups, (id) => fn(id));
  }
}

/** `ids[0, length)` packed with their positions (id * POSITION_SPAN + k) and sorted: by id, then position. */
function sortById(ids: Int32Array, length: number): Float64Array {
  if (length > POSITION_SPAN) throw new RangeError(`SlotTable: at most ${POSITION_SPAN} observations at once, got ${length}`);
  if (order.length < length) order = new Float64Array(Math.max(length, order.length * 2));
  for (let k = 0; k < length; k++) {
    const id = ids[k]!;
    if (id < 0 || id > MAX_ID) throw new RangeError(`SlotTable: entity ids are whole numbers from 0 to ${MAX_ID}, got ${id}`);
    order[k] = id * POSITION_SPAN + k;
  }
  return order.subarray(0, length).sort();
}

/** Removes entry `i` of `columns`; the groups after. */
function removeAt(columns: EntryColumns, groups: IdGroups, i: number): IdGroups {
  const count = groups[groups.length - 1]!;
  for (const c of columns.columns) c.copyWithin(i, i + 1, count);
  const after = groups.slice();
  for (let h = 1; h < after.length; h++) if (after[h]! > i) after[h]!--;
  columns.shrinkToFit(count - 1);
  return trimGroups(after);
}

/** Drops the entries whose id is marked; the groups after. */
function compact(columns: EntryColumns, groups: IdGroups, lowColumn: number, marked: Uint8Array): IdGroups {
  const lows = columns.u16(lowColumn);
  const after = new Int32Array(groups.length);
  let w = 0;
  for (let h = 0; h + 1 < groups.length; h++) {
    after[h] = w;
    for (let i = groups[h]!; i < groups[h + 1]!; i++) {
      if (marked[h * LOW_SPAN + lows[i]!]) continue;
      if (w !== i) for (const c of columns.columns) c[w] = c[i]!;
      w++;
    }
  }
  after[after.length - 1] = w;
  columns.shrinkToFit(w);
  return trimGroups(after);
}

/** Groups without the empty ones at the end (an empty table has [0]). */
function trimGroups(groups: IdGroups): IdGroups {
  const count = groups[groups.length - 1]!;
  let length = groups.length;
  while (length > 1 && groups[length - 2] === count) length--;
  if (length === groups.length) return groups;
  const trimmed = groups.slice(0, length);
  trimmed[length - 1] = count;
  return trimmed;
}
