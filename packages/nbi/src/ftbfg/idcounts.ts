// A count for each id of a KeyIndex (ftbfg: a service's client subnets, a subnet's services), in one
// typed column that grows with the ids and follows their renumbering when the index is compacted.

import { EntryColumns } from '../engine/entrycolumns.js';

/** A count per id of a KeyIndex (u32), in a column that grows with the ids. */
export class IdCounts {
  private readonly column = new EntryColumns(['u32'], 2 ** 31);
  private counts = this.column.u32(0);

  get byteLength(): number {
    return this.column.byteLength;
  }

  get(id: number): number {
    return this.counts[id]!;
  }

  /** Makes room for `id`, whose count starts at 0. */
  start(id: number): void {
    if (id >= this.column.capacity) {
      this.column.reserve(Math.max(id + 1, Math.ceil(this.column.capacity * 1.25)), this.column.capacity);
      this.counts = this.column.u32(0);
    }
    this.counts[id] = 0;
  }

  add(id: number, by: number): void {
    this.counts[id] = this.counts[id]! + by;
  }

  /** Follows a KeyIndex.compact(): every kept id's count moves to its new id; `size` ids are left. */
  renumber(renumbered: Int32Array, size: number): void {
    // new ids are never above old ones: moving up the ids overwrites only counts already moved
    for (let id = 0; id < renumbered.length; id++) {
      const to = renumbered[id]!;
      if (to >= 0) this.counts[to] = this.counts[id]!;
    }
    this.column.shrinkToFit(size);
    this.counts = this.column.u32(0);
  }
}
