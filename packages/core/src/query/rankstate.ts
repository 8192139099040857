// The accumulators of one ranking in one thread, and the partial aggregate a worker
// sends back: typed arrays indexed by dense entity ids, merged by key on the main thread.

import { KeyIndex, makeLayout } from './keyindex.js';
import { AddressSums } from './addresssums.js';
import { sortKeys } from './sortkeys.js';
import { EXACT_VOLUME, SliceGrid, UNIT, unitsBefore, unitsLeftWithin, wholeWithin } from './prorate.js';
import type { RankPlan } from './rankquery.js';
import type { SkippedSegment } from './skippedsegment.js';

/** Sums per entity in `acc` (whole numbers), touched by every row. */
export const ACC = {
  bytesSent: 0,
  bytesRecv: 1,
  packetsSent: 2,
  packetsRecv: 3,
  initiated: 4,
  accepted: 5,
  /**
   * Sessions of a sided entity with itself (on both ranked sides), in both initiated and
   * accepted: kept only where the ranked value needs them, SESSIONS without direction.
   */
  self: 6,
} as const;
/** 7 sums padded to 8: an entity's sums then never straddle two cache lines (with a line-aligned array). */
export const ACC_WIDTH = 8;
/** `fr` (by entity id) holds the 2^-20 units of ACC 0..3, touched only by pro-rated rows. */
export const FR_WIDTH = 4;

/**
 * What a worker sends back; every array's buffer is transferred. A `disjoint` partial holds
 * whole entities no other partial of the query has (the worker ranked one entity share): its
 * uq and series are final, and it carries no pairs.
 */
export interface RankPartial {
  readonly disjoint: boolean;
  /**
   * The entities are in key order (a partial by segments without UNIQUE pairs): partials
   * like it are merged in one pass by key when the result is needed, without a key lookup.
   */
  readonly sorted: boolean;
  /** Entities in this partial. */
  readonly entities: number;
  /** Disjoint partials: entities of the share left out (they cannot reach the top rows) and their slice sums (whole, units). */
  readonly omitted: number;
  readonly omittedW: Float64Array | null;
  readonly omittedF: Float64Array | null;
  /** Full keys, entity by entity. */
  readonly keys: Uint32Array;
  /** ACC_WIDTH sums per entity. */
  readonly acc: Float64Array;
  readonly fr: Float64Array;
  /** Slices of the ranked value (absent for UNIQUE unless disjoint: rebuilt from pairBits). */
  readonly serW: Float64Array | null;
  readonly serF: Float64Array | null;
  /** UNIQUE, disjoint partials only: distinct targets per entity. */
  readonly uq: Float64Array | null;
  /** UNIQUE, not disjoint: (entity, target) pairs as the entity's index in this partial and the target's full key. */
  readonly pairEntities: Uint32Array | null;
  readonly pairTargets: Uint32Array | null;
  /** UNIQUE with slices: the slices each pair was seen in, bitWords words per pair. */
  readonly pairBits: Uint32Array | null;
  /** UNIQUE: distinct targets of the whole selection, full keys. */
  readonly targets: Uint32Array | null;
  /** sessions, bytes whole, bytes units, packets whole, packets units */
  readonly totals: Float64Array;
  /** Segments the worker skipped as damaged (none of their rows is in this partial). */
  readonly skipped: readonly SkippedSegment[];
}

export class RankState {
  readonly plan: RankPlan;
  /** The plan's frame, where kernels read it (a field of this class: its map outlives a query, the plan's may not). */
  readonly fromUs: number;
  readonly toUs: number;
  /** Entities by id (replaced by an empty index when settle() takes them in key order: see settleInOrder). */
  ix: KeyIndex;
  /**
   * Entities of one address column (IP): sums kept in address order by the code sums of
   * segments inside the frame, added to acc by settle() (null: other keys).
   */
  readonly addr: AddressSums | null;
  /** UNIQUE: (entity id, target) pairs. */
  readonly pairs: KeyIndex | null;
  /** UNIQUE: the distinct targets of the selection (the percent base). */
  readonly targets: KeyIndex | null;
  readonly grid: SliceGrid | null;
  readonly bitWords: number;
  /** Entities the arrays have room for. */
  cap = 0;
  /** fr may hold something (see useFractions). */
  private fractions = false;
  /** Sorted partials merged in, waiting for mergeSorted. */
  private sorted: RankPartial[] = [];
  acc: Float64Array = new Float64Array(0);
  fr: Float64Array = new Float64Array(0);
  /** UNIQUE: distinct targets per entity (not additive across partials: rebuilt from the pairs). */
  uq: Float64Array = new Float64Array(0);
  serW: Float64Array = new Float64Array(0);
  serF: Float64Array = new Float64Array(0);
  bits: Uint32Array = new Uint32Array(0);
  /** Keys of the entities taken from disjoint partials, in id order (the state then has no ix ids). */
  private readonly adopted: Uint32Array[] = [];
  private adoptedCount = 0;
  /** Entities of disjoint partials that were left out, and what they add to each slice (whole, units). */
  omitted = 0;
  omittedW: Float64Array = new Float64Array(0);
  omittedF: Float64Array = new Float64Array(0);
  sessions = 0;
  bytesW = 0;
  bytesF = 0;
  packetsW = 0;
  packetsF = 0;
  /** Segments skipped as damaged: nothing of them was added (see RankScanner.scanOrSkip). */
  readonly skipped: SkippedSegment[] = [];

  constructor(plan: RankPlan) {
    this.plan = plan;
    this.fromUs = plan.fromUs;
    this.toUs = plan.toUs;
    this.ix = new KeyIndex(plan.entityLayout);
    this.addr = plan.entityLayout.kinds.length === 1 && plan.entityLayout.kinds[0] === 'ip' ? new AddressSums() : null;
    if (plan.targetLayout !== null) {
      this.pairs = new KeyIndex(makeLayout([null, ...plan.targetClient]));
      this.targets = new KeyIndex(plan.targetLayout);
    } else {
      this.pairs = null;
      this.targets = null;
    }
    this.grid = plan.slices > 0 ? new SliceGrid(plan.fromUs, plan.toUs, plan.slices) : null;
    this.bitWords = plan.measure === 'unique' && plan.slices > 0 ? Math.ceil(plan.slices / 32) : 0;
    this.grow(256);
  }

  /** Makes the entities complete (what addr holds, the sorted partials merged): before anything reads them or acc. */
  settle(): void {
    if (this.settleInOrder()) return;
    this.settleAddresses();
    this.mergeSorted();
  }

  /**
   * When addr holds the entities and nothing will need their ids (no UNIQUE pairs, no slices,
   * nothing adopted yet): takes them as they are, in address order, with the few entities by
   * id (sessions of an address with itself when SESSIONS are ranked, rows of segments cut by
   * the frame) merged in by key, and adopts the result as mergeSorted does. Spares an id and a
   * hash lookup for every address, and the sort of a worker's partial. False when it does not
   * apply.
   */
  private settleInOrder(): boolean {
    const addr = this.addr;
    if (addr === null || addr.count === 0 || this.pairs !== null || this.plan.slices > 0 || this.adoptedCount > 0 || this.sorted.length > 0) return false;
    const a = addr.sorted(ACC_WIDTH);
    const n = a.count;
    let all: RankPartial = {
      ...emptyPartial(),
      sorted: true,
      entities: n,
      keys: a.keys,
      acc: a.acc,
      // zeros: a merge adds none of them, and the pages of a large array are not touched until read
      fr: new Float64Array(n * FR_WIDTH),
    };
    if (this.ix.count > 0) all = mergeSortedPair(all, this.byKey(), this.plan.entityLayout.fullWidth, 0);
    this.useFractions();
    this.acc = all.acc;
    this.fr = all.fr;
    this.uq = new Float64Array(all.entities);
    this.cap = all.entities;
    this.adopted.push(all.keys);
    this.adoptedCount = all.entities;
    this.ix = new KeyIndex(this.plan.entityLayout);
    return true;
  }

  /** Adds what addr holds to the entities (ids and acc). */
  private settleAddresses(): void {
    this.addr?.settle(
      this.ix,
      () => {
        this.ensure();
        return this.acc;
      },
      ACC_WIDTH,
    );
  }

  /**
   * A pro-rated row may be added from now on (fr is written): the scanner says so before a
   * segment not entirely inside the frame, a merge before adding a partial's fr.
   */
  useFractions(): void {
    this.fractions = true;
  }

  /** Makes the per-entity arrays hold every id handed out so far. */
  ensure(): void {
    if (this.ix.count > this.cap) {
      let cap = this.cap;
      while (cap < this.ix.count) cap *= 2;
      this.grow(cap);
    }
  }

  private grow(cap: number): void {
    const n = this.plan.slices;
    // An array nothing has written is replaced, not copied: its pages are never touched, and
    // take no memory (rankings over millions of pairs write neither fr nor uq).
    const widen = (a: Float64Array, width: number, used: boolean): Float64Array => {
      const b = new Float64Array(cap * width);
      if (used) b.set(a);
      return b;
    };
    this.acc = widen(this.acc, ACC_WIDTH, true);
    this.fr = widen(this.fr, FR_WIDTH, this.fractions);
    this.uq = widen(this.uq, 1, this.pairs !== null);
    if (n > 0) {
      this.serW = widen(this.serW, n, true);
      if (this.plan.measure === 'bytes' || this.plan.measure === 'packets') this.serF = widen(this.serF, n, true);
    }
    this.cap = cap;
  }

  private ensureBits(): void {
    const need = this.pairs!.count * this.bitWords;
    if (need > this.bits.length) {
      const b = new Uint32Array(Math.max(need, this.bits.length * 2, 1024));
      b.set(this.bits);
      this.bits = b;
    }
  }

  /** Spreads volumes a and b of session [s, e] over the slices of entity `id` (units quantised per slice boundary). */
  spreadVolume(id: number, a: number, b: number, s: number, e: number): void {
    const g = this.grid!;
    g.range(s, e);
    const bounds = g.bounds;
    const base = id * g.n;
    const serW = this.serW;
    const serF = this.serF;
    if (g.k0 === g.k1 && s >= bounds[g.k0]! && e <= bounds[g.k0 + 1]!) {
      // Wholly inside one slice (most sessions): the units are exactly a and b.
      serW[base + g.k0] += a + b;
      return;
    }
    if (a >= EXACT_VOLUME || b >= EXACT_VOLUME) {
      // unit counts beyond 2^53: each slice's share taken apart exactly (prorate.ts)
      for (let k = g.k0; k <= g.k1; k++) {
        const x0 = bounds[k]!;
        const x1 = bounds[k + 1]!;
        serW[base + k] += wholeWithin(a, s, e, x0, x1) + wholeWithin(b, s, e, x0, x1);
        serF[base + k] += unitsLeftWithin(a, s, e, x0, x1) + unitsLeftWithin(b, s, e, x0, x1);
      }
      return;
    }
    let pa = unitsBefore(a, s, e, bounds[g.k0]!);
    let pb = unitsBefore(b, s, e, bounds[g.k0]!);
    for (let k = g.k0; k <= g.k1; k++) {
      const x = bounds[k + 1]!;
      const na = unitsBefore(a, s, e, x);
      const nb = unitsBefore(b, s, e, x);
      const u = na - pa + (nb - pb);
      const w = Math.floor(u / UNIT);
      serW[base + k] += w;
      serF[base + k] += u - w * UNIT;
      pa = na;
      pb = nb;
    }
  }

  /** Counts one session in every slice of entity `id` it overlaps. */
  spreadCount(id: number, s: number, e: number): void {
    const g = this.grid!;
    g.range(s, e);
    const base = id * g.n;
    for (let k = g.k0; k <= g.k1; k++) this.serW[base + k] += 1;
  }

  /** Marks pair `pair` (of entity `id`) as seen in the slices session [s, e] overlaps; counts first sightings. */
  markPairSlices(pair: number, id: number, s: number, e: number): void {
    this.ensureBits();
    const g = this.grid!;
    g.range(s, e);
    const o = pair * this.bitWords;
    const base = id * g.n;
    for (let k = g.k0; k <= g.k1; k++) {
      const m = 1 << (k & 31);
      const w = o + (k >>> 5);
      if ((this.bits[w]! & m) === 0) {
        this.bits[w] = this.bits[w]! | m;
        this.serW[base + k] += 1;
      }
    }
  }

  /** Entities ranked: ids 0 .. entityCount() - 1 index the arrays. */
  entityCount(): number {
    return this.ix.count + this.adoptedCount;
  }

  /** Full keys of all entities, id by id. */
  entityKeys(): Uint32Array {
    if (this.adoptedCount === 0) return this.ix.exportKeys();
    const w = this.plan.entityLayout.fullWidth;
    const out = new Uint32Array(this.adoptedCount * w);
    let o = 0;
    for (const k of this.adopted) {
      out.set(k, o);
      o += k.length;
    }
    return out;
  }

  /**
   * This state as a disjoint partial (the scan kept one entity share, so no other partial
   * has these entities and uq and series are final), cut down to the entities `keep` (ids;
   * null: all of them). What the others add to the slices is sent as `omittedW/F`.
   */
  exportDisjoint(keep: readonly number[] | null): RankPartial {
    this.settle();
    const all = this.ix.count;
    const ids = keep ?? Array.from({ length: all }, (_, i) => i);
    const n = ids.length;
    const ns = this.plan.slices;
    const volume = this.plan.measure === 'bytes' || this.plan.measure === 'packets';
    const w = this.plan.entityLayout.fullWidth;
    const allKeys = this.ix.exportKeys();
    const pick = (src: Float64Array, width: number): Float64Array => {
      const out = new Float64Array(n * width);
      ids.forEach((id, i) => out.set(src.subarray(id * width, id * width + width), i * width));
      return out;
    };
    const keys = new Uint32Array(n * w);
    ids.forEach((id, i) => keys.set(allKeys.subarray(id * w, id * w + w), i * w));
    let omittedW: Float64Array | null = null;
    let omittedF: Float64Array | null = null;
    if (ns > 0) {
      // summed apart, whole and units, like finishRank's "other"
      const kept = new Uint8Array(all);
      for (const id of ids) kept[id] = 1;
      omittedW = new Float64Array(ns);
      omittedF = new Float64Array(ns);
      for (let id = 0; id < all; id++) {
        if (kept[id]) continue;
        for (let k = 0; k < ns; k++) {
          omittedW[k] += this.serW[id * ns + k]!;
          if (volume) omittedF[k] += this.serF[id * ns + k]!;
        }
      }
    }
    return {
      disjoint: true,
      sorted: false,
      entities: n,
      omitted: all - n,
      omittedW,
      omittedF,
      keys,
      acc: pick(this.acc, ACC_WIDTH),
      fr: pick(this.fr, FR_WIDTH),
      serW: ns > 0 ? pick(this.serW, ns) : null,
      serF: ns > 0 && volume ? pick(this.serF, ns) : null,
      uq: this.pairs !== null ? pick(this.uq, 1) : null,
      pairEntities: null,
      pairTargets: null,
      pairBits: null,
      targets: this.targets === null ? null : this.targets.exportKeys(),
      totals: Float64Array.of(this.sessions, this.bytesW, this.bytesF, this.packetsW, this.packetsF),
      skipped: this.skipped,
    };
  }

  /** This state as a transferable partial aggregate, to be merged by key. */
  exportPartial(): RankPartial {
    this.settle();
    const totals = Float64Array.of(this.sessions, this.bytesW, this.bytesF, this.packetsW, this.packetsF);
    if (this.adoptedCount > 0) {
      // settled in key order (settleInOrder): the arrays as they are
      const n = this.adoptedCount;
      return {
        ...emptyPartial(),
        sorted: true,
        entities: n,
        keys: this.entityKeys(),
        acc: this.acc.subarray(0, n * ACC_WIDTH),
        fr: this.fr.subarray(0, n * FR_WIDTH),
        targets: this.targets === null ? null : this.targets.exportKeys(),
        totals,
        skipped: this.skipped,
      };
    }
    if (this.pairs === null) return { ...this.byKey(), targets: this.targets === null ? null : this.targets.exportKeys(), totals, skipped: this.skipped };
    const n = this.ix.count;
    const series = this.plan.slices > 0 && this.plan.measure !== 'unique';
    const volume = this.plan.measure === 'bytes' || this.plan.measure === 'packets';
    const all = this.pairs.exportKeys();
    const pw = this.pairs.layout.fullWidth;
    const count = this.pairs.count;
    const pairEntities = new Uint32Array(count);
    const pairTargets = new Uint32Array(count * (pw - 1));
    const tw = pw - 1;
    for (let i = 0; i < count; i++) {
      pairEntities[i] = all[i * pw]!;
      for (let j = 0; j < tw; j++) pairTargets[i * tw + j] = all[i * pw + 1 + j]!;
    }
    const ns = this.plan.slices;
    return {
      disjoint: false,
      sorted: false,
      entities: n,
      omitted: 0,
      omittedW: null,
      omittedF: null,
      keys: this.ix.exportKeys(),
      acc: this.acc.slice(0, n * ACC_WIDTH),
      fr: this.fr.slice(0, n * FR_WIDTH),
      serW: series ? this.serW.slice(0, n * ns) : null,
      serF: series && volume ? this.serF.slice(0, n * ns) : null,
      uq: null,
      pairEntities,
      pairTargets,
      pairBits: this.bitWords > 0 ? this.bits.slice(0, this.pairs.count * this.bitWords) : null,
      targets: this.targets === null ? null : this.targets.exportKeys(),
      totals,
      skipped: this.skipped,
    };
  }

  /**
   * The entities by id (ix) as a sorted partial: in key order (the ascending runs the ids
   * already form are merged, else a radix sort), without totals or targets.
   */
  private byKey(): RankPartial {
    const n = this.ix.count;
    const series = this.plan.slices > 0 && this.plan.measure !== 'unique';
    const volume = this.plan.measure === 'bytes' || this.plan.measure === 'packets';
    const keys = this.ix.exportKeys();
    const w = this.plan.entityLayout.fullWidth;
    const ns = this.plan.slices;
    const order = sortKeys(keys, w, n);
    const rows = <T extends Float64Array | Uint32Array>(src: T, width: number): T => {
      const out = new (src.constructor as new (length: number) => T)(n * width);
      for (let i = 0; i < n; i++) {
        const from = order[i]! * width;
        for (let j = 0; j < width; j++) out[i * width + j] = src[from + j]!;
      }
      return out;
    };
    return {
      ...emptyPartial(),
      sorted: true,
      entities: n,
      keys: rows(keys, w),
      acc: rows(this.acc, ACC_WIDTH),
      fr: rows(this.fr, FR_WIDTH),
      serW: series ? rows(this.serW, ns) : null,
      serF: series && volume ? rows(this.serF, ns) : null,
    };
  }

  /**
   * Appends the entities of a disjoint partial after those already here, without looking any
   * key up. Only for a state that ranks nothing itself and takes only disjoint partials.
   */
  private adopt(p: RankPartial): void {
    if (this.ix.count > 0) throw new Error('a disjoint partial cannot join a state that has ranked entities by key');
    const base = this.adoptedCount;
    const total = base + p.entities;
    if (total > this.cap) {
      let cap = this.cap;
      while (cap < total) cap *= 2;
      this.grow(cap);
    }
    const n = this.plan.slices;
    this.acc.set(p.acc, base * ACC_WIDTH);
    this.useFractions();
    this.fr.set(p.fr, base * FR_WIDTH);
    if (p.uq !== null) this.uq.set(p.uq, base);
    if (p.serW !== null) this.serW.set(p.serW, base * n);
    if (p.serF !== null) this.serF.set(p.serF, base * n);
    this.adopted.push(p.keys);
    this.adoptedCount = total;
    this.omitted += p.omitted;
    if (p.omittedW !== null) {
      if (this.omittedW.length === 0) this.omittedW = new Float64Array(n);
      for (let k = 0; k < n; k++) this.omittedW[k] += p.omittedW[k]!;
    }
    if (p.omittedF !== null) {
      if (this.omittedF.length === 0) this.omittedF = new Float64Array(n);
      for (let k = 0; k < n; k++) this.omittedF[k] += p.omittedF[k]!;
    }
  }

  /** Adds a partial aggregate (from a worker) into this state. Exact: the result does not depend on the order of merges. */
  merge(p: RankPartial): void {
    this.settleAddresses();
    if (p.disjoint) {
      this.adopt(p);
      this.mergeShared(p);
      return;
    }
    if (p.sorted) {
      if (this.ix.count > 0 || this.adoptedCount > 0) throw new Error('a sorted partial joins only a state of sorted partials');
      this.sorted.push(p);
      this.mergeShared(p);
      return;
    }
    if (this.adoptedCount > 0 || this.sorted.length > 0) throw new Error('a partial by segments cannot join a state built from disjoint or sorted partials');
    const w = this.plan.entityLayout.fullWidth;
    this.useFractions();
    const map = new Int32Array(p.entities);
    const ix = this.ix;
    ix.reserve(Math.max(ix.count, p.entities));
    for (let i = 0; i < p.entities; i++) map[i] = ix.getFull(p.keys, i * w);
    this.ensure();
    const n = this.plan.slices;
    const { acc, fr, serW, serF } = this;
    const pAcc = p.acc;
    const pFr = p.fr;
    const pSerW = p.serW;
    const pSerF = p.serF;
    for (let i = 0; i < p.entities; i++) {
      const g = map[i]!;
      for (let j = 0; j < ACC_WIDTH; j++) acc[g * ACC_WIDTH + j] += pAcc[i * ACC_WIDTH + j]!;
      for (let j = 0; j < FR_WIDTH; j++) fr[g * FR_WIDTH + j] += pFr[i * FR_WIDTH + j]!;
      if (pSerW !== null) for (let k = 0; k < n; k++) serW[g * n + k] += pSerW[i * n + k]!;
      if (pSerF !== null) for (let k = 0; k < n; k++) serF[g * n + k] += pSerF[i * n + k]!;
    }
    if (this.pairs !== null && p.pairEntities !== null && p.pairTargets !== null) {
      const tw = this.pairs.layout.fullWidth - 1;
      const key = new Uint32Array(tw + 1);
      const bw = this.bitWords;
      const pairTargets = p.pairTargets;
      this.pairs.reserve(Math.max(this.pairs.count, p.pairEntities.length));
      for (let j = 0; j < p.pairEntities.length; j++) {
        const id = map[p.pairEntities[j]!]!;
        key[0] = id;
        for (let q = 0; q < tw; q++) key[q + 1] = pairTargets[j * tw + q]!;
        const before = this.pairs.count;
        const pair = this.pairs.getFull(key, 0);
        if (this.pairs.count !== before) this.uq[id] += 1;
        if (bw > 0 && p.pairBits !== null) {
          this.ensureBits();
          for (let q = 0; q < bw; q++) {
            const fresh = p.pairBits[j * bw + q]! & ~this.bits[pair * bw + q]!;
            if (fresh === 0) continue;
            this.bits[pair * bw + q] = this.bits[pair * bw + q]! | fresh;
            for (let bit = 0; bit < 32; bit++) if (fresh & (1 << bit)) this.serW[id * n + q * 32 + bit] += 1;
          }
        }
      }
    }
    this.mergeShared(p);
  }

  /**
   * Merges the sorted partials waiting in `sorted` by key, in one pass each, and takes the
   * result as its entities (as from a disjoint partial: no key index needed afterwards).
   */
  private mergeSorted(): void {
    if (this.sorted.length === 0) return;
    let all = this.sorted[0]!;
    for (let i = 1; i < this.sorted.length; i++) all = mergeSortedPair(all, this.sorted[i]!, this.plan.entityLayout.fullWidth, this.plan.slices);
    this.sorted = [];
    if (this.adoptedCount > 0) {
      this.adopt(all);
      return;
    }
    // the merged arrays become this state's, without another copy (no entity is added afterwards)
    this.useFractions();
    this.acc = all.acc;
    this.fr = all.fr;
    this.uq = new Float64Array(all.entities);
    if (all.serW !== null) this.serW = all.serW;
    if (all.serF !== null) this.serF = all.serF;
    this.cap = all.entities;
    this.adopted.push(all.keys);
    this.adoptedCount = all.entities;
  }

  /** What every partial adds whatever its kind: distinct targets of the selection, totals, skipped segments. */
  private mergeShared(p: RankPartial): void {
    this.skipped.push(...p.skipped);
    if (this.targets !== null && p.targets !== null) {
      const tw = this.targets.layout.fullWidth;
      for (let j = 0; j < p.targets.length / tw; j++) this.targets.getFull(p.targets, j * tw);
    }
    this.sessions += p.totals[0]!;
    this.bytesW += p.totals[1]!;
    this.bytesF += p.totals[2]!;
    this.packetsW += p.totals[3]!;
    this.packetsF += p.totals[4]!;
  }
}

/** A partial with nothing in it, to spread and fill in (fresh arrays: a partial's are transferred). */
function emptyPartial(): RankPartial {
  return {
    disjoint: false,
    sorted: false,
    entities: 0,
    omitted: 0,
    omittedW: null,
    omittedF: null,
    keys: new Uint32Array(0),
    acc: new Float64Array(0),
    fr: new Float64Array(0),
    serW: null,
    serF: null,
    uq: null,
    pairEntities: null,
    pairTargets: null,
    pairBits: null,
    targets: null,
    totals: new Float64Array(5),
    skipped: [],
  };
}

/**
 * Adds row i of the per-entity arrays `src` (`width` values a row) to row o of `dst`; written
 * out for the width of fr, as it runs for every entity of every partial.
 */
function addRow(src: Float64Array, i: number, dst: Float64Array, o: number, width: number): void {
  const q = i * width;
  const d = o * width;
  if (width === FR_WIDTH) {
    dst[d] += src[q]!;
    dst[d + 1] += src[q + 1]!;
    dst[d + 2] += src[q + 2]!;
    dst[d + 3] += src[q + 3]!;
  } else for (let j = 0; j < width; j++) dst[d + j] += src[q + j]!;
}

/** One sorted partial holding the entities of two, the sums of an entity in both added. */
function mergeSortedPair(a: RankPartial, b: RankPartial, w: number, slices: number): RankPartial {
  const cap = a.entities + b.entities;
  const keys = new Uint32Array(cap * w);
  const acc = new Float64Array(cap * ACC_WIDTH);
  const fr = new Float64Array(cap * FR_WIDTH);
  const serW = a.serW === null ? null : new Float64Array(cap * slices);
  const serF = a.serF === null ? null : new Float64Array(cap * slices);
  const [ka, kb] = [a.keys, b.keys];
  const [na, nb] = [a.entities, b.entities];
  const take = (p: RankPartial, i: number, o: number): void => {
    addRow(p.acc, i, acc, o, ACC_WIDTH);
    addRow(p.fr, i, fr, o, FR_WIDTH);
    if (serW !== null) addRow(p.serW!, i, serW, o, slices);
    if (serF !== null) addRow(p.serF!, i, serF, o, slices);
  };
  let m = 0;
  let i = 0;
  let j = 0;
  while (i < na || j < nb) {
    let c: number;
    if (i >= na) c = 1;
    else if (j >= nb) c = -1;
    else {
      c = 0;
      for (let k = 0; k < w && c === 0; k++) c = ka[i * w + k]! - kb[j * w + k]!;
    }
    if (c <= 0) {
      for (let k = 0; k < w; k++) keys[m * w + k] = ka[i * w + k]!;
      take(a, i++, m);
    }
    if (c >= 0) {
      if (c > 0) for (let k = 0; k < w; k++) keys[m * w + k] = kb[j * w + k]!;
      take(b, j++, m);
    }
    m++;
  }
  return {
    disjoint: false,
    sorted: true,
    entities: m,
    omitted: 0,
    omittedW: null,
    omittedF: null,
    keys: keys.subarray(0, m * w),
    acc: acc.subarray(0, m * ACC_WIDTH),
    fr: fr.subarray(0, m * FR_WIDTH),
    serW: serW === null ? null : serW.subarray(0, m * slices),
    serF: serF === null ? null : serF.subarray(0, m * slices),
    uq: null,
    pairEntities: null,
    pairTargets: null,
    pairBits: null,
    targets: null,
    totals: new Float64Array(5),
    skipped: [],
  };
}
