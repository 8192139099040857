// What was already emitted of NSEL connections whose session left the tracker (idle timeout,
// eviction, drain) before their teardown, so that a later teardown or update adds only the rest.

import { F_ACT, F_BA, F_BB, F_END, F_PA, F_PB, S64, SessionTable } from './sessiontable.js';

/** Entries are forgotten this long (tracker clock) after they were written: 24 h. */
export const NSEL_LEDGER_HORIZON_US = 24 * 3600 * 1e6;
/** Entries kept at least, whatever conntracksize; otherwise conntracksize / 8. */
export const NSEL_LEDGER_MIN_ENTRIES = 65_536;

/** The ledger's size for a tracker of `conntracksize` sessions. */
export function nselLedgerCapacity(conntracksize: number): number {
  return Math.max(NSEL_LEDGER_MIN_ENTRIES, Math.ceil(conntracksize / 8));
}

/**
 * Per session key (the tracker's key: exporter, source id, protocol, ordered endpoints): the
 * counters already emitted for the connection (pA, bA, pB, bB by key endpoint, so client flips do
 * not matter) and the end of the last piece emitted. Bounded: when full, the entry written least
 * recently is forgotten. Stored in a SessionTable (same key, hash index and LRU list; the counter,
 * end and activity fields hold counted, end and the time written), storage grown as entries arrive.
 */
export class NselLedger {
  private readonly table: SessionTable;

  constructor(capacity: number) {
    this.table = new SessionTable(capacity);
  }

  /** Entries held now. */
  get size(): number {
    return this.table.size;
  }

  get capacity(): number {
    return this.table.capacity;
  }

  /**
   * Add counters emitted up to `endUs` for the key at `key[at]` (hash `h`), written at `nowUs`. An
   * entry already there (a session that did not resume it) is added to, its end the later one.
   */
  put(key: Uint32Array, at: number, h: number, pA: number, bA: number, pB: number, bB: number, endUs: number, nowUs: number): void {
    const t = this.table;
    let e = t.find(key, at, h);
    if (e < 0) {
      if (t.size === t.capacity) t.remove(t.head);
      t.reserve(1);
      e = t.add(key, at, h);
      t.f64.fill(0, e * S64 + F_PA, e * S64 + F_END + 1);
      t.f64[e * S64 + F_END] = -Infinity;
    } else {
      t.touch(e);
    }
    const f64 = t.f64;
    const o = e * S64;
    f64[o + F_PA]! += pA;
    f64[o + F_BA]! += bA;
    f64[o + F_PB]! += pB;
    f64[o + F_BB]! += bB;
    if (endUs > f64[o + F_END]!) f64[o + F_END] = endUs;
    f64[o + F_ACT] = nowUs;
  }

  /** The entry for the key at `key[at]` (hash `h`), or -1. */
  find(key: Uint32Array, at: number, h: number): number {
    return this.table.size === 0 ? -1 : this.table.find(key, at, h);
  }

  /** End (µs) of the last piece emitted for entry `e`. */
  end(e: number): number {
    return this.table.f64[e * S64 + F_END]!;
  }

  /** A new array of entry `e`'s counters emitted: pA, bA, pB, bB. */
  counted(e: number): Float64Array {
    const o = e * S64 + F_PA;
    return this.table.f64.slice(o, o + 4);
  }

  remove(e: number): void {
    this.table.remove(e);
  }

  /** Forget the entries written before `limitUs` (the oldest first; stops at the first younger one). */
  expire(limitUs: number): void {
    const t = this.table;
    while (t.head >= 0 && t.f64[t.head * S64 + F_ACT]! < limitUs) t.remove(t.head);
  }

  /** Bytes of typed-array storage held. */
  memoryBytes(): number {
    return this.table.memoryBytes();
  }
}
