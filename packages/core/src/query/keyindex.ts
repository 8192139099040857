// Dense ids for composite keys (entities, distinct values, entity/value pairs).
// Keys whose addresses are all IPv4 live in a narrower table: one word per address.

import { COLUMNS, type ColumnArray, type ColumnName } from '../fields/columns.js';
import { V4_MAPPED_W2 } from '../fields/ipcodec.js';
import { KeyTable } from './keytable.js';

/** How one column is laid out in a key: an address is 4 words (1 when compact), a MAC 2, anything else 1. */
export type PartKind = 'ip' | 'mac' | 'word';

export interface KeyLayout {
  /** Column of each part; `null` is a plain word that is not read from a column (an id). */
  readonly columns: readonly (ColumnName | null)[];
  readonly kinds: readonly PartKind[];
  readonly fullWidth: number;
  readonly compactWidth: number;
  /** Has at least one address, so IPv4-only keys have a compact form. */
  readonly compactable: boolean;
}

export function partKind(column: ColumnName): PartKind {
  const t = COLUMNS.get(column)!.type;
  if (t === 'ip') return 'ip';
  if (t === 'f64') {
    if (column === 'clnmac' || column === 'srvmac') return 'mac';
    throw new Error(`column ${column} cannot be part of a key`);
  }
  return 'word';
}

export function makeLayout(columns: readonly (ColumnName | null)[]): KeyLayout {
  const kinds = columns.map((c) => (c === null ? 'word' : partKind(c)));
  const width = (k: PartKind, compact: boolean): number => (k === 'ip' ? (compact ? 1 : 4) : k === 'mac' ? 2 : 1);
  return {
    columns,
    kinds,
    fullWidth: kinds.reduce((n, k) => n + width(k, false), 0),
    compactWidth: kinds.reduce((n, k) => n + width(k, true), 0),
    compactable: kinds.includes('ip'),
  };
}

/**
 * Two KeyTables sharing one id space: ids are dense (0, 1, 2, ... in order of
 * first sight) and index the callers' accumulator arrays. An IPv4 address always
 * goes to the compact table, so a key has exactly one id whichever path found it.
 */
export class KeyIndex {
  readonly layout: KeyLayout;
  readonly compact: KeyTable | null;
  readonly full: KeyTable;
  count = 0;
  private readonly scratch: Uint32Array;

  constructor(layout: KeyLayout) {
    this.layout = layout;
    this.compact = layout.compactable ? new KeyTable(layout.compactWidth) : null;
    this.full = new KeyTable(layout.fullWidth);
    this.scratch = new Uint32Array(layout.fullWidth);
  }

  compact1(k: number): number {
    const g = this.compact!.get1(k, this.count);
    if (g === this.count) this.count++;
    return g;
  }

  compactN(kb: Uint32Array): number {
    const g = this.compact!.getN(kb, this.count);
    if (g === this.count) this.count++;
    return g;
  }

  compact2(a: number, b: number): number {
    const g = this.compact!.get2(a, b, this.count);
    if (g === this.count) this.count++;
    return g;
  }

  full2(a: number, b: number): number {
    const g = this.full.get2(a, b, this.count);
    if (g === this.count) this.count++;
    return g;
  }

  full1(k: number): number {
    const g = this.full.get1(k, this.count);
    if (g === this.count) this.count++;
    return g;
  }

  fullN(kb: Uint32Array): number {
    const g = this.full.getN(kb, this.count);
    if (g === this.count) this.count++;
    return g;
  }

  /** Makes room for `n` keys in each table (a hint: merging a partial of n entities). */
  reserve(n: number): void {
    this.full.reserve(n);
    this.compact?.reserve(n);
  }

  /** All keys in full form, id by id. */
  exportKeys(): Uint32Array {
    const w = this.layout.fullWidth;
    const kinds = this.layout.kinds;
    const out = new Uint32Array(this.count * w);
    {
      const { slots, stride } = this.full;
      for (let i = 0; i < slots.length; i += stride) {
        const g = slots[i + w]!;
        if (g === 0) continue;
        const o = (g - 1) * w;
        for (let j = 0; j < w; j++) out[o + j] = slots[i + j]!;
      }
    }
    const c = this.compact;
    if (c !== null) {
      const { slots, stride } = c;
      const cw = c.width;
      for (let s = 0; s < slots.length; s += stride) {
        const g = slots[s + cw]!;
        if (g === 0) continue;
        let i = s;
        let o = (g - 1) * w;
        for (const k of kinds) {
          if (k === 'ip') {
            out[o + 2] = V4_MAPPED_W2;
            out[o + 3] = slots[i++]!;
            o += 4;
          } else if (k === 'mac') {
            out[o++] = slots[i++]!;
            out[o++] = slots[i++]!;
          } else out[o++] = slots[i++]!;
        }
      }
    }
    return out;
  }

  /**
   * Id of a one-column key given as value i of a column array of that column's type (an
   * address: the 4 words at 4i); inserts it when absent. The same id a kernel finds for the
   * value (an IPv4 address goes to the compact table, a MAC is split into two words).
   */
  idOfValue(values: ColumnArray, i: number): number {
    if (this.layout.kinds.length !== 1) throw new Error('idOfValue needs a key of one column');
    switch (this.layout.kinds[0]) {
      case 'ip': {
        const o = 4 * i;
        const w0 = values[o]!;
        const w1 = values[o + 1]!;
        const w2 = values[o + 2]!;
        const w3 = values[o + 3]!;
        if (w0 === 0 && w1 === 0 && w2 === V4_MAPPED_W2) return this.compact1(w3);
        const kb = this.scratch;
        kb[0] = w0;
        kb[1] = w1;
        kb[2] = w2;
        kb[3] = w3;
        return this.fullN(kb);
      }
      case 'mac': {
        const m = values[i]!;
        return this.full2((m / 4294967296) >>> 0, m >>> 0);
      }
      default:
        return this.full1(values[i]!);
    }
  }

  /** Id of a key given in full form at key[off..]; inserts it when absent. */
  getFull(key: Uint32Array, off: number): number {
    const layout = this.layout;
    let compact = layout.compactable;
    let o = off;
    for (const k of layout.kinds) {
      if (k === 'ip') {
        if (key[o] !== 0 || key[o + 1] !== 0 || key[o + 2] !== V4_MAPPED_W2) compact = false;
        o += 4;
      } else o += k === 'mac' ? 2 : 1;
    }
    const kb = this.scratch;
    if (!compact) {
      for (let j = 0; j < layout.fullWidth; j++) kb[j] = key[off + j]!;
      return layout.fullWidth === 1 ? this.full1(kb[0]!) : layout.fullWidth === 2 ? this.full2(kb[0]!, kb[1]!) : this.fullN(kb);
    }
    let i = 0;
    o = off;
    for (const k of layout.kinds) {
      if (k === 'ip') {
        kb[i++] = key[o + 3]!;
        o += 4;
      } else if (k === 'mac') {
        kb[i++] = key[o++]!;
        kb[i++] = key[o++]!;
      } else kb[i++] = key[o++]!;
    }
    return layout.compactWidth === 1 ? this.compact1(kb[0]!) : layout.compactWidth === 2 ? this.compact2(kb[0]!, kb[1]!) : this.compactN(kb);
  }
}
