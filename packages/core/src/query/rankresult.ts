// The answer to a ranking, and how it is read off the accumulators: exact values,
// the top rows chosen with a bounded heap, percents, slices and the "other" series.

import type { CountName, EntityName } from '../fields/entities.js';
import { decodeKey, type KeyValue } from './entitykey.js';
import { UNIT } from './prorate.js';
import type { Direction } from './rankquery.js';
import { ACC, ACC_WIDTH, FR_WIDTH, type RankState } from './rankstate.js';
import { sortSkipped, type SkippedSegment } from './skippedsegment.js';

export interface RankRow {
  /** 1-based position. */
  readonly rank: number;
  /** One value per entity column (`columns` of the result). */
  readonly key: readonly KeyValue[];
  /** The same, formatted: addresses, MACs, country codes, protocol names, TCP flags. */
  readonly text: readonly string[];
  /** The ranked count; volumes pro-rated to the frame, not rounded. */
  readonly value: number;
  /** value / total * 100 (0 when the total is 0). */
  readonly percent: number;
  /** Pair entities: A->B in the *Sent columns and sessions A initiated; B->A in *Recv and sessions B initiated. */
  readonly bytesSent: number;
  readonly bytesRecv: number;
  readonly packetsSent: number;
  readonly packetsRecv: number;
  readonly sessionsInitiated: number;
  readonly sessionsAccepted: number;
  /** The ranked count in each slice (only when slices were asked for). */
  readonly series: readonly number[] | null;
}

export interface RankSummary {
  /** Sessions of the selection (overlapping the frame, passing the filter). */
  readonly sessions: number;
  /** Their packets and bytes, pro-rated to the frame. */
  readonly packets: number;
  readonly bytes: number;
  /** Distinct entities ranked (rows is at most this). */
  readonly entities: number;
  /**
   * Segments of the frame left out because their data is damaged (by id; empty when none): the
   * figures above are exact over the other segments, and lack every session of these.
   */
  readonly skipped: readonly SkippedSegment[];
}

export interface RankResult {
  readonly entity: EntityName;
  readonly count: CountName;
  readonly unique: EntityName | null;
  readonly direction: Direction;
  readonly fromUs: number;
  readonly toUs: number;
  /** The entity's CSV/JSON column names (entities.ts), one per key value. */
  readonly columns: readonly string[];
  readonly rows: readonly RankRow[];
  /** The base of `percent`: the same count over the whole selection (docs/queries.md). */
  readonly total: number;
  readonly summary: RankSummary;
  /** With slices: the n + 1 slice boundaries (µs) and, per slice, the sum over the entities not in `rows`. */
  readonly slices: { readonly bounds: readonly number[]; readonly other: readonly number[] } | null;
}

/** The ranked value of every entity, exactly as the accumulators define it. */
function entityValues(st: RankState, acc: Float64Array): Float64Array {
  const { plan, fr, uq } = st;
  const n = st.entityCount();
  const out = new Float64Array(n);
  const shape = plan.entity.shape;
  const d = plan.direction;
  const scale = plan.count === 'BITS' ? 8 : 1;
  for (let id = 0; id < n; id++) {
    const o = id * ACC_WIDTH;
    const f = id * FR_WIDTH;
    let v: number;
    switch (plan.measure) {
      case 'bytes':
      case 'packets': {
        const k = plan.measure === 'bytes' ? ACC.bytesSent : ACC.packetsSent;
        if (d === 'snd') v = acc[o + k]! + fr[f + k]! / UNIT;
        else if (d === 'rcv') v = acc[o + k + 1]! + fr[f + k + 1]! / UNIT;
        // what it sent and what it received, a session with itself in both (as nfdump -s ip/bytes counts it)
        else v = acc[o + k]! + acc[o + k + 1]! + (fr[f + k]! + fr[f + k + 1]!) / UNIT;
        v *= scale;
        break;
      }
      case 'sessions':
        if (d === 'snd') v = acc[o + ACC.initiated]!;
        else if (d === 'rcv') v = acc[o + ACC.accepted]!;
        // a session with itself, both initiated and accepted, is one session of the entity
        else if (shape === 'sided') v = acc[o + ACC.initiated]! + acc[o + ACC.accepted]! - acc[o + ACC.self]!;
        else if (shape === 'pair') v = acc[o + ACC.initiated]! + acc[o + ACC.accepted]!;
        else v = acc[o + ACC.initiated]!;
        break;
      case 'unique':
        v = uq[id]!;
        break;
    }
    out[id] = v;
  }
  return out;
}

function compareKeys(keys: Uint32Array, w: number, a: number, b: number): number {
  for (let i = 0; i < w; i++) {
    const x = keys[a * w + i]!;
    const y = keys[b * w + i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Ids of the best `limit` entities in rank order: value descending, then key ascending. */
export function topEntities(values: Float64Array, keys: Uint32Array, w: number, limit: number): number[] {
  const n = values.length;
  const cmp = (a: number, b: number): number => (values[a] !== values[b] ? (values[a]! > values[b]! ? -1 : 1) : compareKeys(keys, w, a, b));
  if (limit >= n) {
    const all = Array.from({ length: n }, (_, i) => i);
    return all.sort(cmp);
  }
  // A heap of the best `limit` so far with the worst of them at the root.
  const heap: number[] = [];
  const worse = (a: number, b: number): boolean => cmp(a, b) > 0;
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let id = 0; id < n; id++) {
    if (heap.length < limit) {
      heap.push(id);
      up(heap.length - 1);
    } else if (cmp(id, heap[0]!) < 0) {
      heap[0] = id;
      down(0);
    }
  }
  return heap.sort(cmp);
}

/** Ids of the state's best entities in rank order (at most plan.rows). */
export function bestEntities(st: RankState): number[] {
  st.settle();
  return topEntities(entityValues(st, st.acc), st.entityKeys(), st.plan.entityLayout.fullWidth, st.plan.rows);
}

export function finishRank(st: RankState): RankResult {
  st.settle();
  const { plan } = st;
  const layout = plan.entityLayout;
  const w = layout.fullWidth;
  const keys = st.entityKeys();
  const acc = st.acc;
  const values = entityValues(st, acc);
  const scale = plan.count === 'BITS' ? 8 : 1;
  let total: number;
  if (plan.measure === 'bytes') total = (st.bytesW + st.bytesF / UNIT) * scale;
  else if (plan.measure === 'packets') total = st.packetsW + st.packetsF / UNIT;
  else if (plan.measure === 'sessions') total = st.sessions;
  else total = st.targets!.count;

  const top = topEntities(values, keys, w, plan.rows);
  const n = plan.slices;
  const volume = plan.measure === 'bytes' || plan.measure === 'packets';
  const sliceValue = (id: number, k: number): number =>
    volume ? (st.serW[id * n + k]! + st.serF[id * n + k]! / UNIT) * scale : st.serW[id * n + k]!;

  const rows: RankRow[] = top.map((id, i) => {
    const o = id * ACC_WIDTH;
    const f = id * FR_WIDTH;
    const { values: key, text } = decodeKey(layout, keys, id * w);
    return {
      rank: i + 1,
      key,
      text,
      value: values[id]!,
      percent: total > 0 ? (values[id]! / total) * 100 : 0,
      bytesSent: acc[o + ACC.bytesSent]! + st.fr[f + ACC.bytesSent]! / UNIT,
      bytesRecv: acc[o + ACC.bytesRecv]! + st.fr[f + ACC.bytesRecv]! / UNIT,
      packetsSent: acc[o + ACC.packetsSent]! + st.fr[f + ACC.packetsSent]! / UNIT,
      packetsRecv: acc[o + ACC.packetsRecv]! + st.fr[f + ACC.packetsRecv]! / UNIT,
      sessionsInitiated: acc[o + ACC.initiated]!,
      sessionsAccepted: acc[o + ACC.accepted]!,
      series: n > 0 ? Array.from({ length: n }, (_, k) => sliceValue(id, k)) : null,
    };
  });

  let slices: RankResult['slices'] = null;
  if (n > 0) {
    // Whole and unit parts are summed apart so that "other" is as exact as every row.
    const inTop = new Uint8Array(st.entityCount());
    for (const id of top) inTop[id] = 1;
    const otherW = new Float64Array(n);
    const otherF = new Float64Array(n);
    if (st.omittedW.length > 0) otherW.set(st.omittedW);
    if (st.omittedF.length > 0) otherF.set(st.omittedF);
    for (let id = 0; id < st.entityCount(); id++) {
      if (inTop[id]) continue;
      for (let k = 0; k < n; k++) {
        otherW[k] += st.serW[id * n + k]!;
        if (volume) otherF[k] += st.serF[id * n + k]!;
      }
    }
    slices = {
      bounds: Array.from(st.grid!.bounds),
      other: Array.from(otherW, (x, k) => (volume ? (x + otherF[k]! / UNIT) * scale : x)),
    };
  }

  return {
    entity: plan.entity.name,
    count: plan.count,
    unique: plan.target?.name ?? null,
    direction: plan.direction,
    fromUs: plan.fromUs,
    toUs: plan.toUs,
    columns: plan.entity.csv,
    rows,
    total,
    summary: {
      sessions: st.sessions,
      packets: st.packetsW + st.packetsF / UNIT,
      bytes: st.bytesW + st.bytesF / UNIT,
      entities: st.entityCount() + st.omitted,
      skipped: sortSkipped(st.skipped),
    },
    slices,
  };
}
