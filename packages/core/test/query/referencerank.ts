// The brute-force ranking the engine is held to: one JS object per session, string
// keys in Maps, BigInt sums, every rule of docs/queries.md written out the plain way.

import { COLUMN_NAMES, type ColumnArray, type ColumnName, type Columns } from '../../src/fields/columns.js';
import { ENTITY_BY_NAME, type EntityDef } from '../../src/fields/entities.js';
import { evaluateReference, restrictToSide, mentionsField, rowAt, type FilterNode, type SessionRow } from '../../src/filter/index.js';
import type { RankQuery, RankResult } from '../../src/query/index.js';

const U = 1048576;

/** The documented pro-rating: units of 2^-20 of volume v of [s, e] before instant x. */
function before(v: number, s: number, e: number, x: number): bigint {
  if (e <= s) return BigInt(x > s ? Math.round(v * U) : 0);
  const c = Math.min(Math.max(x, s), e);
  return BigInt(Math.round(v * ((c - s) / (e - s)) * U));
}

function between(v: number, s: number, e: number, a: number, b: number): bigint {
  return before(v, s, e, b) - before(v, s, e, a);
}

/** A session ending before it starts (a faulty exporter clock) is an instant at its start. */
function overlapsRef(s: number, e: number, a: number, b: number): boolean {
  if (e <= s) return a <= s && s < b;
  return s < b && e > a;
}

/** A column value as a sortable number (BigInt for addresses). */
type Part = number | bigint;

function partsOf(row: SessionRow, cols: readonly ColumnName[]): Part[] {
  return cols.map((c) => row[c]!);
}

function cmpParts(a: readonly Part[], b: readonly Part[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

const keyString = (p: readonly Part[]): string => p.map(String).join('|');

export interface RefRow {
  key: Part[];
  value: number;
  percent: number;
  bytesSent: number;
  bytesRecv: number;
  packetsSent: number;
  packetsRecv: number;
  sessionsInitiated: number;
  sessionsAccepted: number;
  series: number[] | null;
}

export interface RefResult {
  rows: RefRow[];
  total: number;
  sessions: number;
  bytes: number;
  packets: number;
  entities: number;
  other: number[] | null;
}

interface Acc {
  key: Part[];
  value: bigint;
  uniq: Set<string>;
  bs: bigint;
  br: bigint;
  ps: bigint;
  pr: bigint;
  si: number;
  sa: number;
  slices: bigint[];
  sliceSets: Set<string>[];
}

export function allRows(batches: readonly { columns: Columns; rows: number }[]): SessionRow[] {
  const out: SessionRow[] = [];
  for (const b of batches) {
    const cols: Partial<Record<ColumnName, ColumnArray>> = {};
    for (const n of COLUMN_NAMES) cols[n] = b.columns[n];
    for (let i = 0; i < b.rows; i++) out.push(rowAt(cols, i));
  }
  return out;
}

export function referenceRank(rows: readonly SessionRow[], q: RankQuery): RefResult {
  const ent: EntityDef = ENTITY_BY_NAME.get(q.entity)!;
  const target = q.unique === undefined ? null : ENTITY_BY_NAME.get(q.unique)!;
  const dir = q.direction ?? 'none';
  const filter: FilterNode = q.filter ?? { type: 'all' };
  const n = q.slices ?? 0;
  const from = q.fromUs;
  const to = q.toUs;
  const bounds = Array.from({ length: n + 1 }, (_, k) => (k === n ? to : from + ((to - from) * k) / n));
  const either = ent.shape === 'sided' && ent.eitherField !== undefined && mentionsField(filter, ent.eitherField);
  const sideFilter = either
    ? { client: restrictToSide(filter, ent.eitherField!, 'client'), server: restrictToSide(filter, ent.eitherField!, 'server') }
    : null;
  const volCols: [ColumnName, ColumnName] = q.count === 'PACKETS' ? ['clnpkts', 'srvpkts'] : ['clnbyts', 'srvbyts'];
  const isVolume = q.count === 'BYTES' || q.count === 'BITS' || q.count === 'PACKETS';

  const accs = new Map<string, Acc>();
  const get = (key: Part[]): Acc => {
    const k = keyString(key);
    let a = accs.get(k);
    if (a === undefined) {
      a = { key, value: 0n, uniq: new Set(), bs: 0n, br: 0n, ps: 0n, pr: 0n, si: 0, sa: 0, slices: new Array(n).fill(0n), sliceSets: Array.from({ length: n }, () => new Set()) };
      accs.set(k, a);
    }
    return a;
  };
  const targets = new Set<string>();
  let sessions = 0;
  let bytes = 0n;
  let packets = 0n;

  for (const row of rows) {
    const s = row.start!;
    const e = row.end!;
    if (!overlapsRef(s, e, from, to) || !evaluateReference(filter, row)) continue;
    sessions++;
    const q2 = (c: ColumnName): bigint => between(row[c] as number, s, e, from, to);
    const bc = q2('clnbyts');
    const bsv = q2('srvbyts');
    const pc = q2('clnpkts');
    const psv = q2('srvpkts');
    bytes += bc + bsv;
    packets += pc + psv;
    const inSlice = (k: number): boolean => overlapsRef(s, e, bounds[k]!, bounds[k + 1]!);
    /** Volume of the given columns that falls in each slice. */
    const volSlices = (cols: ColumnName[]): bigint[] =>
      Array.from({ length: n }, (_, k) => cols.reduce((sum, c) => sum + between(row[c] as number, s, e, bounds[k]!, bounds[k + 1]!), 0n));
    const addValue = (a: Acc, cols: ColumnName[]): void => {
      if (isVolume) {
        a.value += cols.reduce((sum, c) => sum + q2(c), 0n);
        const sl = volSlices(cols);
        for (let k = 0; k < n; k++) a.slices[k]! += sl[k]!;
      } else {
        a.value += 1n;
        for (let k = 0; k < n; k++) if (inSlice(k)) a.slices[k]! += 1n;
      }
    };
    const addUnique = (a: Acc, x: Part[]): void => {
      const k = keyString(x);
      a.uniq.add(k);
      for (let j = 0; j < n; j++) if (inSlice(j)) a.sliceSets[j]!.add(k);
    };
    const tClient = target === null ? null : partsOf(row, target.shape === 'session' ? target.key! : target.client!);
    const tServer = target === null ? null : partsOf(row, target.shape === 'session' ? target.key! : target.server!);
    if (target !== null) {
      targets.add(keyString(tClient!));
      targets.add(keyString(tServer!));
    }

    if (ent.shape === 'sided') {
      const okC = sideFilter === null || evaluateReference(sideFilter.client, row);
      const okS = sideFilter === null || evaluateReference(sideFilter.server, row);
      const kc = partsOf(row, ent.client!);
      const ks = partsOf(row, ent.server!);
      const same = okC && okS && keyString(kc) === keyString(ks);
      if (okC) {
        const a = get(kc);
        a.bs += bc;
        a.br += bsv;
        a.ps += pc;
        a.pr += psv;
        a.si++;
      }
      if (okS) {
        const a = get(ks);
        a.bs += bsv;
        a.br += bc;
        a.ps += psv;
        a.pr += pc;
        a.sa++;
      }
      if (q.count === 'UNIQUE') {
        const xForClient = target!.shape === 'sided' ? tServer! : tClient!;
        const xForServer = tClient!;
        if (okC && dir !== 'rcv') addUnique(get(kc), xForClient);
        if (okS && dir !== 'snd') addUnique(get(ks), xForServer);
      } else if (dir === 'none') {
        // an entity on both sides: the session's volumes count on both (the value is what it sent
        // plus what it received, as nfdump -s ip/bytes counts), the session itself once
        if (okC) addValue(get(kc), [...volCols]);
        if (okS && (isVolume || !same)) addValue(get(ks), [...volCols]);
      } else if (isVolume) {
        const [mineC, mineS] = dir === 'snd' ? [volCols[0], volCols[1]] : [volCols[1], volCols[0]];
        if (okC) addValue(get(kc), [mineC]);
        if (okS) addValue(get(ks), [mineS]);
      } else {
        if (dir === 'snd' && okC) addValue(get(kc), []);
        if (dir === 'rcv' && okS) addValue(get(ks), []);
      }
    } else {
      let key: Part[];
      let clientIsA = true;
      if (ent.shape === 'session') key = partsOf(row, ent.key!);
      else if (ent.unordered) {
        const kc = partsOf(row, ent.client!);
        const ks = partsOf(row, ent.server!);
        clientIsA = cmpParts(kc, ks) <= 0;
        key = clientIsA ? [...kc, ...ks] : [...ks, ...kc];
      } else {
        const cols = [...ent.client!, ...ent.server!.filter((c) => !ent.client!.includes(c))];
        key = partsOf(row, cols);
      }
      const a = get(key);
      a.bs += clientIsA ? bc : bsv;
      a.br += clientIsA ? bsv : bc;
      a.ps += clientIsA ? pc : psv;
      a.pr += clientIsA ? psv : pc;
      if (ent.shape === 'session') {
        a.si++;
        a.sa++;
      } else if (clientIsA) a.si++;
      else a.sa++;
      if (q.count === 'UNIQUE') {
        addUnique(a, tClient!);
        addUnique(a, tServer!);
      } else addValue(a, [...volCols]);
    }
  }

  const scale = q.count === 'BITS' ? 8 : 1;
  const num = (u: bigint): number => (Number(u) / U) * scale;
  const valueOf = (a: Acc): number => (q.count === 'UNIQUE' ? a.uniq.size : isVolume ? num(a.value) : Number(a.value));
  const total = q.count === 'UNIQUE' ? targets.size : q.count === 'SESSIONS' ? sessions : num(q.count === 'PACKETS' ? packets : bytes);
  const all = [...accs.values()].sort((x, y) => valueOf(y) - valueOf(x) || cmpParts(x.key, y.key));
  const top = all.slice(0, q.rows ?? all.length);
  const seriesOf = (a: Acc): number[] =>
    q.count === 'UNIQUE' ? a.sliceSets.map((s) => s.size) : isVolume ? a.slices.map(num) : a.slices.map(Number);
  let other: number[] | null = null;
  if (n > 0) {
    const rest = all.slice(top.length);
    other = Array.from({ length: n }, (_, k) => {
      if (q.count === 'UNIQUE') return rest.reduce((sum, a) => sum + a.sliceSets[k]!.size, 0);
      const u = rest.reduce((sum, a) => sum + a.slices[k]!, 0n);
      return isVolume ? num(u) : Number(u);
    });
  }
  return {
    rows: top.map((a) => ({
      key: a.key,
      value: valueOf(a),
      percent: total > 0 ? (valueOf(a) / total) * 100 : 0,
      bytesSent: Number(a.bs) / U,
      bytesRecv: Number(a.br) / U,
      packetsSent: Number(a.ps) / U,
      packetsRecv: Number(a.pr) / U,
      sessionsInitiated: a.si,
      sessionsAccepted: a.sa,
      series: n > 0 ? seriesOf(a) : null,
    })),
    total,
    sessions,
    bytes: Number(bytes) / U,
    packets: Number(packets) / U,
    entities: accs.size,
    other,
  };
}

/** An engine result in the reference's shape, so that the two compare with one strictSame. */
export function normalise(r: RankResult): RefResult {
  return {
    rows: r.rows.map((row) => ({
      key: row.key.map((v) => (typeof v === 'number' ? v : v.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n))),
      value: row.value,
      percent: row.percent,
      bytesSent: row.bytesSent,
      bytesRecv: row.bytesRecv,
      packetsSent: row.packetsSent,
      packetsRecv: row.packetsRecv,
      sessionsInitiated: row.sessionsInitiated,
      sessionsAccepted: row.sessionsAccepted,
      series: row.series === null ? null : [...row.series],
    })),
    total: r.total,
    sessions: r.summary.sessions,
    bytes: r.summary.bytes,
    packets: r.summary.packets,
    entities: r.summary.entities,
    other: r.slices === null ? null : [...r.slices.other],
  };
}
