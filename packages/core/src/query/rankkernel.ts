// Generates the inner loop of a ranking as JavaScript specialised for one query shape:
// key columns read straight into hash lookups, no per-row interpretation of the query.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { partKind } from './keyindex.js';
import { UNIT, unitsWithin } from './prorate.js';
import type { RankPlan } from './rankquery.js';
import type { RankState } from './rankstate.js';
import type { DictColumn } from './source.js';

/**
 * Accumulates rows into `st`: rows lo..hi-1 when `sel` is null, else the `n` rows in sel.
 * `marks[r - lo]` (either-field rankings only) has bit 1 when the client side may be
 * ranked, bit 2 for the server side. `partial`: the segment is not entirely inside the
 * frame, so rows are checked for overlap and pro-rated.
 */
export type RankKernel = (
  st: RankState,
  cols: Partial<Record<ColumnName, ColumnArray>>,
  lo: number,
  hi: number,
  sel: Uint32Array | null,
  n: number,
  marks: Uint8Array | null,
  partial: boolean,
  dicts: Partial<Record<ColumnName, DictColumn>>,
  memos: readonly Int32Array[],
) => void;

/**
 * A kernel for one query shape and one set of dictionary-coded key columns. Key columns
 * that are coded are read as dict[codes[r]]; a key of one coded column is looked up once
 * per distinct code: `memos[i]` (one per entry of `memoColumns`, as long as that column's
 * dictionary, all -1 at the start of a segment) remembers the id found for each code.
 */
export interface CompiledKernel {
  readonly run: RankKernel;
  readonly memoColumns: readonly ColumnName[];
}

/** The columns a kernel reads besides start/end: volumes and every key column. */
export function kernelColumns(plan: RankPlan): ColumnName[] {
  const set = new Set<ColumnName>(['clnbyts', 'srvbyts', 'clnpkts', 'srvpkts']);
  for (const c of [...plan.clientColumns, ...plan.serverColumns, ...plan.targetClient, ...plan.targetServer]) set.add(c);
  return [...set];
}

function words(column: ColumnName, compact: boolean): string[] {
  switch (partKind(column)) {
    case 'ip':
      return compact ? [`${column}_3`] : [0, 1, 2, 3].map((i) => `${column}_${i}`);
    case 'mac':
      return [`${column}_h`, `${column}_l`];
    case 'word':
      return [`${column}_w`];
  }
}

/** Loads the words of `column` for the row; `code`: the expression of the row's dictionary code when the column is coded. */
function load(column: ColumnName, code: string | null): string {
  const c = code === null ? `c_${column}` : `d_${column}`;
  const at = code === null ? 'r' : code;
  switch (partKind(column)) {
    case 'ip': {
      const q = code === null ? 'r4' : `q_${column}`;
      return (
        (code === null ? '' : `const q_${column} = ${code} * 4; `) +
        `const ${column}_0 = ${c}[${q}], ${column}_1 = ${c}[${q} + 1], ${column}_2 = ${c}[${q} + 2], ${column}_3 = ${c}[${q} + 3];\n` +
        `const v4_${column} = ${column}_0 === 0 && ${column}_1 === 0 && ${column}_2 === 65535;`
      );
    }
    case 'mac':
      return `const ${column}_m = ${c}[${at}]; const ${column}_h = (${column}_m / 4294967296) >>> 0, ${column}_l = ${column}_m >>> 0;`;
    case 'word':
      return `const ${column}_w = ${c}[${at}];`;
  }
}

/** What generating one kernel variant collects: coded columns, memo slots, columns loaded per row. */
interface Gen {
  readonly coded: ReadonlySet<ColumnName>;
  readonly memoColumns: ColumnName[];
  readonly loaded: Set<ColumnName>;
}

/** `out = <id of the key prefix ++ columns>` through the compact table when every address is IPv4. */
function get(g: Gen, index: string, scratch: string, prefix: readonly string[], columns: readonly ColumnName[], out: string): string {
  const branch = (compact: boolean): string => {
    const ws = [...prefix, ...columns.flatMap((c) => words(c, compact))];
    const table = compact ? 'compact' : 'full';
    if (ws.length === 1) return `${out} = ${index}.${table}1(${ws[0]});`;
    if (ws.length === 2) return `${out} = ${index}.${table}2(${ws[0]}, ${ws[1]});`;
    return `${ws.map((w, i) => `${scratch}[${i}] = ${w};`).join(' ')} ${out} = ${index}.${table}N(${scratch});`;
  };
  const ips = columns.filter((c) => partKind(c) === 'ip');
  const lookup = ips.length === 0 ? branch(false) : `if (${ips.map((c) => `v4_${c}`).join(' && ')}) { ${branch(true)} } else { ${branch(false)} }`;
  const only = columns[0]!;
  if (prefix.length === 0 && columns.length === 1 && g.coded.has(only)) {
    // one coded column: hash the dictionary entry once per segment, not every row
    const m = `m${g.memoColumns.length}`;
    g.memoColumns.push(only);
    return `{ const k = x_${only}[r]; ${out} = ${m}[k]; if (${out} < 0) { ${load(only, 'k')} ${lookup} ${m}[k] = ${out}; } }`;
  }
  for (const c of columns) g.loaded.add(c);
  return lookup;
}

/** Expression: the words a are lexicographically <= the words b (unsigned). */
function lexLE(a: readonly string[], b: readonly string[]): string {
  let expr = 'true';
  for (let i = a.length - 1; i >= 0; i--) expr = `(${a[i]} < ${b[i]} || (${a[i]} === ${b[i]} && ${expr}))`;
  return expr;
}

const ENSURE = 'if (ix.count > cap) { st.ensure(); cap = st.cap; acc = st.acc; fr = st.fr; sv = st.sv; uq = st.uq; }';

/** Adds the row to entity `id`; `fwd`: the client->server direction counts as "sent". */
function accumulate(id: string, fwd: boolean, sessionSlots: readonly number[]): string {
  const [b0, b1, p0, p1] = fwd ? ['bc', 'bs', 'pc', 'ps'] : ['bs', 'bc', 'ps', 'pc'];
  return (
    `{ const o = ${id} * 8; acc[o] += ${b0}; acc[o + 1] += ${b1}; acc[o + 2] += ${p0}; acc[o + 3] += ${p1}; ` +
    sessionSlots.map((k) => `acc[o + ${k}] += 1; `).join('') +
    `if (!full) { const f = ${id} * 4; fr[f] += ${b0}F; fr[f + 1] += ${b1}F; fr[f + 2] += ${p0}F; fr[f + 3] += ${p1}F; } }`
  );
}

function body(plan: RankPlan, g: Gen): string {
  const e = plan.entity;
  const lines: string[] = [];
  lines.push('let s = 0, e = 0, full = true;');
  lines.push('if (partial) {');
  lines.push('  s = c_start[r]; e = c_end[r];');
  lines.push('  if (e > s ? (s >= to || e <= from) : (s < from || s >= to)) continue;');
  lines.push('  full = s >= from && e <= to;');
  lines.push(plan.slices > 0 ? '} else { s = c_start[r]; e = c_end[r]; }' : '}');
  lines.push('const rbc = c_clnbyts[r], rbs = c_srvbyts[r], rpc = c_clnpkts[r], rps = c_srvpkts[r];');
  lines.push('let bc = rbc, bs = rbs, pc = rpc, ps = rps, bcF = 0, bsF = 0, pcF = 0, psF = 0;');
  lines.push('if (!full) {');
  for (const [v, raw] of [
    ['bc', 'rbc'],
    ['bs', 'rbs'],
    ['pc', 'rpc'],
    ['ps', 'rps'],
  ] as const) {
    lines.push(`  { const q = units(${raw}, s, e, from, to); ${v} = Math.floor(q / UNIT); ${v}F = q - ${v} * UNIT; }`);
  }
  lines.push('}');
  lines.push('sessions++; bytesW += bc + bs; bytesF += bcF + bsF; packetsW += pc + ps; packetsF += pcF + psF;');

  const loadsAt = lines.length;

  const [va, vb] = plan.measure === 'packets' ? ['rpc', 'rps'] : ['rbc', 'rbs'];
  const unique = plan.measure === 'unique';
  const tSided = plan.target?.shape === 'sided';
  const pairOf = (id: string, x: readonly ColumnName[]): string =>
    `{ const before = pairs.count; let pg = 0; ${get(g, 'pairs', 'kp', [id], x, 'pg')} ` +
    `if (pairs.count !== before) uq[${id}] += 1; ` +
    (plan.slices > 0 ? `st.markPairSlices(pg, ${id}, s, e); ` : '') +
    '}';

  if (unique) {
    lines.push('let tg = 0;');
    if (tSided) {
      lines.push(get(g, 'targets', 'kt', [], plan.targetClient, 'tg'));
      lines.push(get(g, 'targets', 'kt', [], plan.targetServer, 'tg'));
    } else lines.push(get(g, 'targets', 'kt', [], plan.targetClient, 'tg'));
  }

  if (e.shape === 'sided') {
    const d = plan.direction;
    lines.push('let idc = -1, ids = -1;');
    if (plan.eitherField !== null) {
      lines.push('const el = marks[r - lo];');
      lines.push(`if (el & 1) { ${get(g, 'ix', 'kb', [], plan.clientColumns, 'idc')} }`);
      lines.push(`if (el & 2) { ${get(g, 'ix', 'kb', [], plan.serverColumns, 'ids')} }`);
    } else {
      lines.push(get(g, 'ix', 'kb', [], plan.clientColumns, 'idc'));
      lines.push(get(g, 'ix', 'kb', [], plan.serverColumns, 'ids'));
    }
    lines.push(ENSURE);
    lines.push(`if (idc >= 0) ${accumulate('idc', true, [4])}`);
    lines.push(`if (ids >= 0) ${accumulate('ids', false, [5])}`);
    lines.push(
      'if (idc === ids && idc >= 0) { const f = idc * 5; sv[f] += bc + bs; sv[f + 1] += bcF + bsF; sv[f + 2] += pc + ps; sv[f + 3] += pcF + psF; sv[f + 4] += 1; }',
    );
    if (plan.slices > 0 && !unique) {
      if (plan.measure === 'sessions') {
        if (d !== 'rcv') lines.push('if (idc >= 0) st.spreadCount(idc, s, e);');
        if (d === 'none') lines.push('if (ids >= 0 && ids !== idc) st.spreadCount(ids, s, e);');
        if (d === 'rcv') lines.push('if (ids >= 0) st.spreadCount(ids, s, e);');
      } else if (d === 'none') {
        lines.push(`if (idc >= 0) st.spreadVolume(idc, ${va}, ${vb}, s, e);`);
        lines.push(`if (ids >= 0 && ids !== idc) st.spreadVolume(ids, ${va}, ${vb}, s, e);`);
      } else {
        const [mine, theirs] = d === 'snd' ? [va, vb] : [vb, va];
        lines.push(`if (idc >= 0) st.spreadVolume(idc, ${mine}, 0, s, e);`);
        lines.push(`if (ids >= 0) st.spreadVolume(ids, ${theirs}, 0, s, e);`);
      }
    }
    if (unique) {
      const fromServer = tSided ? plan.targetServer : plan.targetClient;
      const fromClient = plan.targetClient;
      if (d !== 'rcv') lines.push(`if (idc >= 0) ${pairOf('idc', fromServer)}`);
      if (d !== 'snd') lines.push(`if (ids >= 0) ${pairOf('ids', fromClient)}`);
    }
  } else {
    lines.push('let id = 0;');
    if (e.shape === 'pair' && e.unordered) {
      for (const c of [...plan.clientColumns, ...plan.serverColumns]) g.loaded.add(c);
      const cw = plan.clientColumns.flatMap((c) => words(c, false));
      const sw = plan.serverColumns.flatMap((c) => words(c, false));
      lines.push(`const ab = ${lexLE(cw, sw)};`);
      lines.push(
        `if (ab) { ${get(g, 'ix', 'kb', [], [...plan.clientColumns, ...plan.serverColumns], 'id')} } ` +
          `else { ${get(g, 'ix', 'kb', [], [...plan.serverColumns, ...plan.clientColumns], 'id')} }`,
      );
    } else {
      const keyColumns = plan.entityLayout.columns as readonly ColumnName[];
      lines.push(get(g, 'ix', 'kb', [], keyColumns, 'id'));
      lines.push('const ab = true;');
    }
    lines.push(ENSURE);
    if (e.shape === 'pair') lines.push(`if (ab) ${accumulate('id', true, [4])} else ${accumulate('id', false, [5])}`);
    else lines.push(accumulate('id', true, [4, 5]));
    if (plan.slices > 0 && !unique) {
      lines.push(plan.measure === 'sessions' ? 'st.spreadCount(id, s, e);' : `st.spreadVolume(id, ${va}, ${vb}, s, e);`);
    }
    if (unique) {
      lines.push(pairOf('id', plan.targetClient));
      if (tSided) lines.push(pairOf('id', plan.targetServer));
    }
  }
  // the words of key columns some lookup reads directly (not through a memo), once per row
  const loads: string[] = [];
  const plainIp = [...g.loaded].some((c) => !g.coded.has(c) && partKind(c) === 'ip');
  if (plainIp) loads.push('const r4 = r * 4;');
  for (const c of g.loaded) loads.push(load(c, g.coded.has(c) ? `x_${c}[r]` : null));
  lines.splice(loadsAt, 0, ...loads);
  return lines.join('\n');
}

/** The columns a kernel may read through their dictionary codes: the key columns. */
export function codableColumns(plan: RankPlan): ColumnName[] {
  return [...new Set<ColumnName>([...plan.clientColumns, ...plan.serverColumns, ...plan.targetClient, ...plan.targetServer])];
}

/** Source of the kernel for `plan` with the key columns in `coded` read through dictionary codes. */
export function generateKernelSource(plan: RankPlan, coded: ReadonlySet<ColumnName> = new Set()): { source: string; memoColumns: ColumnName[] } {
  const codable = new Set(codableColumns(plan));
  for (const c of coded) if (!codable.has(c)) throw new Error(`column ${c} is not a key column of this ranking`);
  const g: Gen = { coded, memoColumns: [], loaded: new Set() };
  const cols = kernelColumns(plan).filter((c) => !coded.has(c));
  const b = body(plan, g);
  const source = `"use strict";
const kb = new Uint32Array(32), kp = new Uint32Array(32), kt = new Uint32Array(32);
return function rankKernel(st, cols, lo, hi, sel, n, marks, partial, dicts, memos) {
const from = st.plan.fromUs, to = st.plan.toUs;
const c_start = cols.start, c_end = cols.end;
${cols.map((c) => `const c_${c} = cols.${c};`).join('\n')}
${[...coded].map((c) => `const x_${c} = dicts.${c}.codes, d_${c} = dicts.${c}.dict;`).join('\n')}
${g.memoColumns.map((_, i) => `const m${i} = memos[${i}];`).join('\n')}
const ix = st.ix, pairs = st.pairs, targets = st.targets;
let cap = st.cap, acc = st.acc, fr = st.fr, sv = st.sv, uq = st.uq;
let sessions = 0, bytesW = 0, bytesF = 0, packetsW = 0, packetsF = 0;
if (sel === null) {
for (let r = lo; r < hi; r++) {
${b}
}
} else {
for (let j = 0; j < n; j++) {
const r = sel[j];
${b}
}
}
st.sessions += sessions; st.bytesW += bytesW; st.bytesF += bytesF; st.packetsW += packetsW; st.packetsF += packetsF;
};`;
  return { source, memoColumns: g.memoColumns };
}

/** Kernels kept, least recently used dropped first; the key is the source, which depends only on the query's shape. */
const CACHE_SIZE = 64;
const cache = new Map<string, CompiledKernel>();

/**
 * The kernel for a plan and a set of coded key columns. Queries of the same shape (entity,
 * count, direction, slices or not, either-field marks or not, coded columns) share one
 * function, so V8's type feedback and optimised code carry over from one query to the next
 * instead of starting cold.
 */
export function compileKernel(plan: RankPlan, coded: ReadonlySet<ColumnName> = new Set()): CompiledKernel {
  const { source, memoColumns } = generateKernelSource(plan, coded);
  let k = cache.get(source);
  if (k !== undefined) {
    cache.delete(source);
  } else {
    const factory = new Function('units', 'UNIT', source) as (u: typeof unitsWithin, unit: number) => RankKernel;
    k = { run: factory(unitsWithin, UNIT), memoColumns };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(source, k);
  return k;
}
