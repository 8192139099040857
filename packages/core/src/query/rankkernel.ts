// Generates the inner loop of a ranking as JavaScript specialised for one query shape:
// key columns read straight into hash lookups, no per-row interpretation of the query.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { partKind } from './keyindex.js';
import { UNIT, unitsWithin } from './prorate.js';
import type { RankPlan } from './rankquery.js';
import { CODE_SUM_WIDTH, type CodeSums } from './codesums.js';
import type { RankState } from './rankstate.js';
import type { DictColumn } from './source.js';

/**
 * Accumulates rows into `st`: rows lo..hi-1 when `sel` is null, else the `n` rows in sel.
 * `marks[r - lo]` (either-field rankings only) has bit 1 when the client side may be
 * ranked, bit 2 for the server side.
 */
export type RankKernel = (
  st: RankState,
  cols: Partial<Record<ColumnName, ColumnArray>>,
  lo: number,
  hi: number,
  sel: Uint32Array | null,
  n: number,
  marks: Uint8Array | null,
  dicts: Partial<Record<ColumnName, DictColumn>>,
  memos: readonly Int32Array[],
  codeSums: readonly CodeSums[],
) => void;

/**
 * Sums of one side kept by dictionary code for the segment (see CodeSums): memo `memo`
 * gives each code's entity, and the code's row count goes to the ACC slots `countSlots`.
 */
export interface CodeSumSpec {
  readonly column: ColumnName;
  readonly memo: number;
  readonly countSlots: readonly number[];
  /** The code sums (index) of the other side, whose codes `twin` maps this column's codes to (see CodeSums.linkTwins); -1: none. */
  twinOf: number;
}

/**
 * A kernel for one query shape, one set of dictionary-coded key columns, and segments
 * either entirely inside the frame or not. Key columns that are coded are read as
 * dict[codes[r]]; a key of one coded column is looked up once per distinct code:
 * `memos[i]` (one per entry of `memoColumns`, as long as that column's dictionary, all -1
 * at the start of a segment) remembers the id found for each code. A kernel for inside
 * segments neither checks nor pro-rates rows, and adds the volumes of a side keyed by one
 * coded column to `codeSums[i]` (one per entry of `codeSums`), which the caller folds
 * into the entities at the end of the segment.
 */
export interface CompiledKernel {
  readonly run: RankKernel;
  readonly memoColumns: readonly ColumnName[];
  readonly codeSums: readonly CodeSumSpec[];
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

/** What generating one kernel variant collects: coded columns, memo slots, code sums, columns loaded per row. */
interface Gen {
  readonly coded: ReadonlySet<ColumnName>;
  /** Every row lies entirely inside the frame. */
  readonly inside: boolean;
  /**
   * A sided entity split among threads by entity (EntityShare.markSides): marks say which
   * sides are this thread's (bits 1, 2) and whether it counts the row in the totals (bit 4).
   */
  readonly shared: boolean;
  readonly memoColumns: ColumnName[];
  readonly codeSums: CodeSumSpec[];
  readonly loaded: Set<ColumnName>;
  /** Run after the loop for each row the body listed in selfRows (null: the body lists none). */
  after: string | null;
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

/**
 * Expression: the row's values of the coded columns a and b are equal, told by one load:
 * code sums `ia` (of column a) map each code of a to the code of the same value in b.
 */
function sameValue(g: Gen, a: ColumnName, ia: number, b: ColumnName, ib: number): string {
  g.codeSums[ia]!.twinOf = ib;
  return `tw${ia}[x_${a}[r]] === x_${b}[r]`;
}

/** Expression: the words a are lexicographically <= the words b (unsigned). */
function lexLE(a: readonly string[], b: readonly string[]): string {
  let expr = 'true';
  for (let i = a.length - 1; i >= 0; i--) expr = `(${a[i]} < ${b[i]} || (${a[i]} === ${b[i]} && ${expr}))`;
  return expr;
}

const ENSURE = 'if (ix.count > cap) { st.ensure(); cap = st.cap; acc = st.acc; fr = st.fr; sv = st.sv; uq = st.uq; }';

/** An entity id lookup into `out`, and the memo it goes through (-1: none, not one coded column). */
function lookup(g: Gen, columns: readonly ColumnName[], out: string): { code: string; memo: number } {
  const before = g.memoColumns.length;
  const code = get(g, 'ix', 'kb', [], columns, out);
  return { code, memo: g.memoColumns.length > before ? before : -1 };
}

/**
 * Adds the row to entity `id`; `fwd`: the client->server direction counts as "sent". In an
 * inside kernel, an entity found through memo `memo` (one coded column) is added to the
 * sums of its code instead.
 */
function accumulate(g: Gen, id: string, memo: number, fwd: boolean, sessionSlots: readonly number[]): string {
  const [b0, b1, p0, p1] = fwd ? ['bc', 'bs', 'pc', 'ps'] : ['bs', 'bc', 'ps', 'pc'];
  if (g.inside && memo >= 0) {
    const column = g.memoColumns[memo]!;
    const i = g.codeSums.length;
    g.codeSums.push({ column, memo, countSlots: sessionSlots, twinOf: -1 });
    return `{ const o = x_${column}[r] * ${CODE_SUM_WIDTH}; cs${i}[o] += ${b0}; cs${i}[o + 1] += ${b1}; cs${i}[o + 2] += ${p0}; cs${i}[o + 3] += ${p1}; cs${i}[o + 4] += 1; }`;
  }
  return (
    `{ const o = ${id} * 8; acc[o] += ${b0}; acc[o + 1] += ${b1}; acc[o + 2] += ${p0}; acc[o + 3] += ${p1}; ` +
    sessionSlots.map((k) => `acc[o + ${k}] += 1; `).join('') +
    (g.inside ? '}' : `if (!full) { const f = ${id} * 4; fr[f] += ${b0}F; fr[f + 1] += ${b1}F; fr[f + 2] += ${p0}F; fr[f + 3] += ${p1}F; } }`)
  );
}

function body(plan: RankPlan, g: Gen): string {
  const e = plan.entity;
  const lines: string[] = [];
  if (g.inside) {
    if (plan.slices > 0) lines.push('const s = c_start[r], e = c_end[r];');
    lines.push('const rbc = c_clnbyts[r], rbs = c_srvbyts[r], rpc = c_clnpkts[r], rps = c_srvpkts[r];');
    lines.push('const bc = rbc, bs = rbs, pc = rpc, ps = rps;');
    lines.push(g.shared ? 'if (marks[r - lo] & 4) { sessions++; bytesW += bc + bs; packetsW += pc + ps; }' : 'sessions++; bytesW += bc + bs; packetsW += pc + ps;');
  } else {
    lines.push('const s = c_start[r], e = c_end[r];');
    lines.push('if (e > s ? (s >= to || e <= from) : (s < from || s >= to)) continue;');
    lines.push('const full = s >= from && e <= to;');
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
    lines.push(
      (g.shared ? 'if (marks[r - lo] & 4) ' : '') + '{ sessions++; bytesW += bc + bs; bytesF += bcF + bsF; packetsW += pc + ps; packetsF += pcF + psF; }',
    );
  }

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

  // Inside a segment without slices or UNIQUE, rows need no entity id: a side keyed by one
  // coded column is summed by code, and ids are looked up at the fold, once per code.
  const deferrable = (columns: readonly ColumnName[]): boolean =>
    g.inside && !g.shared && plan.slices === 0 && !unique && columns.length === 1 && g.coded.has(columns[0]!);
  // either-field filters and entity shares say per row which sides are ranked
  const sideMarks = plan.eitherField !== null || g.shared;
  const [cc, sc] = [plan.clientColumns[0]!, plan.serverColumns[0]];
  if (e.shape === 'sided' && deferrable(plan.clientColumns) && deferrable(plan.serverColumns) && partKind(cc) === partKind(sc!)) {
    const c = lookup(g, plan.clientColumns, 'idc');
    const v = lookup(g, plan.serverColumns, 'ids');
    const [iC, addC] = [g.codeSums.length, accumulate(g, 'idc', c.memo, true, [4])];
    const [iS, addS] = [g.codeSums.length, accumulate(g, 'ids', v.memo, false, [5])];
    // A session of an entity with itself (both sides the same value) also goes to sv, by id.
    // Such rows are listed without a branch (a branch here costs more than the whole test)
    // and added after the loop.
    g.after = `{ const bc = c_clnbyts[r], bs = c_srvbyts[r], pc = c_clnpkts[r], ps = c_srvpkts[r]; let idc = -1; ${c.code} ${ENSURE} const f = idc * 5; sv[f] += bc + bs; sv[f + 2] += pc + ps; sv[f + 4] += 1; }`;
    const same = sameValue(g, cc, iC, sc!, iS);
    if (plan.eitherField !== null) {
      lines.push('const el = marks[r - lo];');
      lines.push(`if (el & 1) ${addC}`);
      lines.push(`if (el & 2) ${addS}`);
      lines.push(`selfRows[selfCount] = r; selfCount += (el & 3) === 3 && ${same} ? 1 : 0;`);
    } else {
      lines.push(addC);
      lines.push(addS);
      lines.push(`selfRows[selfCount] = r; selfCount += ${same} ? 1 : 0;`);
    }
  } else if (e.shape === 'sided') {
    const d = plan.direction;
    lines.push('let idc = -1, ids = -1;');
    const c = lookup(g, plan.clientColumns, 'idc');
    const v = lookup(g, plan.serverColumns, 'ids');
    if (sideMarks) {
      lines.push('const el = marks[r - lo];');
      lines.push(`if (el & 1) { ${c.code} }`);
      lines.push(`if (el & 2) { ${v.code} }`);
    } else {
      lines.push(c.code);
      lines.push(v.code);
    }
    const addC = `if (idc >= 0) ${accumulate(g, 'idc', c.memo, true, [4])}`;
    const addS = `if (ids >= 0) ${accumulate(g, 'ids', v.memo, false, [5])}`;
    lines.push(ENSURE);
    lines.push(addC);
    lines.push(addS);
    lines.push(
      g.inside
        ? 'if (idc === ids && idc >= 0) { const f = idc * 5; sv[f] += bc + bs; sv[f + 2] += pc + ps; sv[f + 4] += 1; }'
        : 'if (idc === ids && idc >= 0) { const f = idc * 5; sv[f] += bc + bs; sv[f + 1] += bcF + bsF; sv[f + 2] += pc + ps; sv[f + 3] += pcF + psF; sv[f + 4] += 1; }',
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
    let memo = -1;
    let deferred = false;
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
      const k = lookup(g, keyColumns, 'id');
      deferred = deferrable(keyColumns);
      if (!deferred) lines.push(k.code);
      lines.push('const ab = true;');
      memo = k.memo;
    }
    if (!deferred) lines.push(ENSURE);
    if (e.shape === 'pair') lines.push(`if (ab) ${accumulate(g, 'id', -1, true, [4])} else ${accumulate(g, 'id', -1, false, [5])}`);
    else lines.push(accumulate(g, 'id', memo, true, [4, 5]));
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

/**
 * Source of the kernel for `plan` with the key columns in `coded` read through dictionary
 * codes; `inside`: for segments whose every session lies entirely inside the frame;
 * `shared`: for a thread ranking one share of a sided entity (rows marked by EntityShare).
 */
export function generateKernelSource(
  plan: RankPlan,
  coded: ReadonlySet<ColumnName> = new Set(),
  inside = false,
  shared = false,
): { source: string; memoColumns: ColumnName[]; codeSums: CodeSumSpec[] } {
  const codable = new Set(codableColumns(plan));
  for (const c of coded) if (!codable.has(c)) throw new Error(`column ${c} is not a key column of this ranking`);
  if (shared && plan.entity.shape !== 'sided') throw new Error('only sided entities are marked by side');
  const g: Gen = { coded, inside, shared, memoColumns: [], codeSums: [], loaded: new Set(), after: null };
  const cols = kernelColumns(plan).filter((c) => !coded.has(c));
  const b = body(plan, g);
  const source = `"use strict";
const kb = new Uint32Array(32), kp = new Uint32Array(32), kt = new Uint32Array(32);
let selfRows = new Uint32Array(0);
return function rankKernel(st, cols, lo, hi, sel, n, marks, dicts, memos, codeSums) {
let selfCount = 0;
if (selfRows.length < hi - lo) selfRows = new Uint32Array(hi - lo);
const from = st.plan.fromUs, to = st.plan.toUs;
const c_start = cols.start, c_end = cols.end;
${cols.map((c) => `const c_${c} = cols.${c};`).join('\n')}
${[...coded].map((c) => `const x_${c} = dicts.${c}.codes, d_${c} = dicts.${c}.dict;`).join('\n')}
${g.memoColumns.map((_, i) => `const m${i} = memos[${i}];`).join('\n')}
${g.codeSums.map((c, i) => `const cs${i} = codeSums[${i}].sums${c.twinOf >= 0 ? `, tw${i} = codeSums[${i}].twin` : ''};`).join('\n')}
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
${g.after === null ? '' : `for (let j = 0; j < selfCount; j++) {\nconst r = selfRows[j];\n${g.after}\n}`}
st.sessions += sessions; st.bytesW += bytesW; st.bytesF += bytesF; st.packetsW += packetsW; st.packetsF += packetsF;
};`;
  return { source, memoColumns: g.memoColumns, codeSums: g.codeSums };
}

/** Kernels kept, least recently used dropped first; the key is the source, which depends only on the query's shape. */
const CACHE_SIZE = 64;
const cache = new Map<string, CompiledKernel>();

/**
 * The kernel for a plan, a set of coded key columns, segments inside the frame or not, and
 * a share of a sided entity or not.
 * Queries of the same shape (entity, count, direction, slices or not, either-field marks or
 * not, coded columns) share one function, so V8's type feedback and optimised code carry
 * over from one query to the next instead of starting cold.
 */
export function compileKernel(plan: RankPlan, coded: ReadonlySet<ColumnName> = new Set(), inside = false, shared = false): CompiledKernel {
  const { source, memoColumns, codeSums } = generateKernelSource(plan, coded, inside, shared);
  let k = cache.get(source);
  if (k !== undefined) {
    cache.delete(source);
  } else {
    const factory = new Function('units', 'UNIT', source) as (u: typeof unitsWithin, unit: number) => RankKernel;
    k = { run: factory(unitsWithin, UNIT), memoColumns, codeSums };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(source, k);
  return k;
}
