// Splits a ranking among k threads by a hash of the entity key, so each thread owns whole entities
// and partials never need merging: rows of pairs and session entities, sides of sided entities.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { mix32 } from './keytable.js';
import { partKind } from './keyindex.js';
import type { RankPlan } from './rankquery.js';
import type { DictColumn } from './source.js';

/** Share `index` of `of`: the thread keeps the rows whose entity hashes to `index`. */
export interface ShareSpec {
  readonly index: number;
  readonly of: number;
}

/**
 * Rankings whose partials are costly to merge by key (millions of pairs or (entity, value)
 * sets): pair entities and UNIQUE rankings. A row of a pair or session entity belongs to
 * one share; a row of a sided entity has a side in one or two (see markSides).
 */
export function shareable(plan: RankPlan): boolean {
  const shape = plan.entity.shape;
  return shape === 'pair' || plan.measure === 'unique';
}

function step(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h << 13) | (h >>> 19);
}

/** Hash of one column value from its words; the same for a value whether it comes coded or plain. */
function valueHash(kind: 'ip' | 'mac' | 'word', v: ColumnArray, i: number): number {
  if (kind === 'ip') return step(step(step(step(0x2545f491, v[4 * i]!), v[4 * i + 1]!), v[4 * i + 2]!), v[4 * i + 3]!);
  if (kind === 'mac') {
    const m = v[i]!;
    return step(step(0x2545f491, (m / 4294967296) >>> 0), m >>> 0);
  }
  return step(0x2545f491, v[i]! >>> 0);
}

export class EntityShare {
  private readonly index: number;
  private readonly of: number;
  /** Key columns of the client side and, for unordered pairs, of the server side (hashed apart and added: order-free). */
  private readonly sideA: readonly ColumnName[];
  private readonly sideB: readonly ColumnName[] | null;
  private readonly ha: Uint32Array;
  private readonly hb: Uint32Array;
  /** Per segment: hash of every dictionary entry of the coded key columns. */
  private dictHashes = new Map<ColumnName, Uint32Array>();
  /** A sided entity: sideA and sideB are the client and server sides, each its own entity (markSides). */
  readonly sided: boolean;

  constructor(plan: RankPlan, spec: ShareSpec, chunkRows: number) {
    if (!shareable(plan)) throw new Error(`ranking by ${plan.entity.name} cannot be split by entity`);
    if (!(Number.isSafeInteger(spec.of) && spec.of >= 1 && Number.isSafeInteger(spec.index) && spec.index >= 0 && spec.index < spec.of)) {
      throw new Error(`bad entity share ${spec.index} of ${spec.of}`);
    }
    this.index = spec.index;
    this.of = spec.of;
    const e = plan.entity;
    this.sided = e.shape === 'sided';
    if ((e.shape === 'pair' && e.unordered) || this.sided) {
      this.sideA = plan.clientColumns;
      this.sideB = plan.serverColumns;
    } else {
      this.sideA = plan.entityLayout.columns as readonly ColumnName[];
      this.sideB = null;
    }
    this.ha = new Uint32Array(chunkRows);
    this.hb = new Uint32Array(chunkRows);
  }

  /** Hashes the dictionaries of the segment's coded key columns (once per segment, not per row). */
  prepare(dicts: Partial<Record<ColumnName, DictColumn>>): void {
    this.dictHashes = new Map();
    for (const c of [...this.sideA, ...(this.sideB ?? [])]) {
      const d = dicts[c];
      if (d === undefined || this.dictHashes.has(c)) continue;
      const kind = partKind(c);
      const h = new Uint32Array(d.size);
      for (let k = 0; k < d.size; k++) h[k] = valueHash(kind, d.dict, k);
      this.dictHashes.set(c, h);
    }
  }

  private hashSide(columns: readonly ColumnName[], cols: Partial<Record<ColumnName, ColumnArray>>, dicts: Partial<Record<ColumnName, DictColumn>>, lo: number, hi: number, out: Uint32Array): void {
    out.fill(0x2545f491, 0, hi - lo);
    for (const c of columns) {
      const dh = this.dictHashes.get(c);
      if (dh !== undefined) {
        const codes = dicts[c]!.codes;
        for (let r = lo; r < hi; r++) out[r - lo] = step(out[r - lo]!, dh[codes[r]!]!);
      } else {
        const kind = partKind(c);
        const v = cols[c]!;
        for (let r = lo; r < hi; r++) out[r - lo] = step(out[r - lo]!, valueHash(kind, v, r));
      }
    }
  }

  /** The share a key hash falls in: the top 16 bits as a small integer (% on a full uint32 would be a floating-point modulo). */
  private shareOf(h: number): number {
    return (mix32(h) >>> 16) % this.of;
  }

  /**
   * Sided entities: marks[r - lo] for the rows of [lo, hi) (or of sel[0..n)) gets bit 1 when
   * the row's client-side entity is in this share, bit 2 for its server side, and bit 4 when
   * this share counts the row in the totals (its client side's share: each row in exactly
   * one). Writes to `out` the rows with a mark and returns how many; `prepare` first.
   */
  markSides(cols: Partial<Record<ColumnName, ColumnArray>>, dicts: Partial<Record<ColumnName, DictColumn>>, lo: number, hi: number, sel: Uint32Array | null, n: number, marks: Uint8Array, out: Uint32Array): number {
    if (!this.sided) throw new Error('markSides is for sided entities');
    const ha = this.ha;
    const hb = this.hb;
    this.hashSide(this.sideA, cols, dicts, lo, hi, ha);
    this.hashSide(this.sideB!, cols, dicts, lo, hi, hb);
    const me = this.index;
    let m = 0;
    const count = sel === null ? hi - lo : n;
    for (let j = 0; j < count; j++) {
      const r = sel === null ? lo + j : sel[j]!;
      const client = this.shareOf(ha[r - lo]!) === me;
      const mark = (client ? 5 : 0) | (this.shareOf(hb[r - lo]!) === me ? 2 : 0);
      marks[r - lo] = mark;
      if (mark !== 0) out[m++] = r;
    }
    return m;
  }

  /**
   * Writes to `out` the rows of [lo, hi) (or of sel[0..n) when sel is given) whose entity is
   * in this share; returns how many. `prepare` must have been called for the segment.
   */
  select(cols: Partial<Record<ColumnName, ColumnArray>>, dicts: Partial<Record<ColumnName, DictColumn>>, lo: number, hi: number, sel: Uint32Array | null, n: number, out: Uint32Array): number {
    if (this.sided) throw new Error('rows of a sided entity are marked by side, not selected');
    const ha = this.ha;
    const hb = this.hb;
    this.hashSide(this.sideA, cols, dicts, lo, hi, ha);
    if (this.sideB !== null) {
      this.hashSide(this.sideB, cols, dicts, lo, hi, hb);
      for (let i = 0; i < hi - lo; i++) ha[i] = mix32(ha[i]!) ^ mix32(hb[i]!);
    }
    const of = this.of;
    const me = this.index;
    let m = 0;
    // the top 16 bits as a small integer: % on a full uint32 would be a floating-point modulo
    if (sel === null) {
      for (let r = lo; r < hi; r++) if ((mix32(ha[r - lo]!) >>> 16) % of === me) out[m++] = r;
    } else {
      for (let j = 0; j < n; j++) {
        const r = sel[j]!;
        if ((mix32(ha[r - lo]!) >>> 16) % of === me) out[m++] = r;
      }
    }
    return m;
  }
}
