// Generates the inner loop of a ranking as JavaScript specialised for one query shape:
// key columns read straight into hash lookups, no per-row interpretation of the query.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { partKind } from './keyindex.js';
import { EXACT_VOLUME, UNIT, unitsLeftWithin, unitsWithin, wholeWithin } from './prorate.js';
import type { RankPlan } from './rankquery.js';
import { CODE_SUM_WIDTH, type CodeSums } from './codesums.js';
import { ACC, type RankState } from './rankstate.js';
import type { DictColumn } from './source.js';
import { VOLUME_COLUMNS } from './volumeframes.js';

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
 * A kernel that sums rows by dictionary code alone (CompiledKernel.byCode), given arrays and
 * numbers only: rows lo..hi-1 or the `n` of sel (marks as for RankKernel); `volumes` the four
 * volume columns (VOLUME_COLUMNS order: values, or the parts of frames), `codes` the codes of
 * CompiledKernel.coded, `sums` and `twins` those of each CodeSumSpec, `high` the high parts
 * of frames ([highRows, high, highScale, next] of VolumeFrames; null without frames).
 * Lists the sessions of an entity with itself (SelfSpec) in `selfRows` when it is not null
 * and returns how many; adds rows and volume sums to `tot` (sessions, bc, bs, pc, ps: in
 * steps with frames) unless the totals come from code sums (CompiledKernel.totalsBy).
 */
export type ByCodeKernel = (
  lo: number,
  hi: number,
  sel: Uint32Array | null,
  n: number,
  marks: Uint8Array | null,
  volumes: readonly ColumnArray[],
  codes: readonly (Uint8Array | Uint16Array | Uint32Array)[],
  sums: readonly Float64Array[],
  twins: readonly (Int32Array | null)[],
  high: readonly [readonly Uint32Array[], readonly Uint32Array[], Float64Array, Int32Array] | null,
  selfRows: Uint32Array | null,
  tot: Float64Array,
) => number;

/**
 * Sessions of an entity with itself in a kernel that sums by code: their client-side code
 * sums (index `of`), whose twins tell them, and the client column and memo that give their
 * entity. Such a session is counted on both sides by code; the caller counts it in the
 * entity's ACC.self, which SESSIONS without direction takes off (the only count that needs it).
 */
export interface SelfSpec {
  readonly of: number;
  readonly column: ColumnName;
  readonly memo: number;
}

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
  /** The volume (index in VOLUME_COLUMNS) summed in each of the first 4 values of a code. */
  readonly volumes: readonly number[];
}

/** What generating a kernel gives. */
export interface KernelSource {
  readonly source: string;
  readonly memoColumns: readonly ColumnName[];
  readonly codeSums: readonly CodeSumSpec[];
  readonly byCode: boolean;
  readonly totalsBy: number;
  /** The coded columns, in the order a ByCodeKernel takes their codes. */
  readonly coded: readonly ColumnName[];
  readonly self: SelfSpec | null;
}

/**
 * A kernel for one query shape, one set of dictionary-coded key columns, and segments
 * either entirely inside the frame or not. Key columns that are coded are read as
 * dict[codes[r]]; a key of one coded column is looked up once per distinct code:
 * `memos[i]` (one per entry of `memoColumns`, as long as that column's dictionary, all -1
 * at the start of a segment) remembers the id found for each code. A kernel for inside
 * segments neither checks nor pro-rates rows, and adds the volumes of a side keyed by one
 * coded column to `codeSums[i]` (one per entry of `codeSums`), which the caller folds
 * into the entities at the end of the segment. One that does nothing else with a row is a
 * ByCodeKernel (`byCode`), the others RankKernels.
 */
export type CompiledKernel = Omit<KernelSource, 'source'> & {
  /** Compiled for frames whose parts have these types (null: reads decoded volumes). */
  readonly frames: string | null;
} & ({ readonly byCode: false; readonly run: RankKernel } | { readonly byCode: true; readonly run: ByCodeKernel });

/** The columns a kernel reads besides start/end: volumes and every key column. */
export function kernelColumns(plan: RankPlan): ColumnName[] {
  const set = new Set<ColumnName>(VOLUME_COLUMNS);
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
  /** Sessions of an entity with itself, listed by the kernel with `line` in the loop (null: none are). */
  self: (SelfSpec & { readonly line: string }) | null;
  /**
   * The code sums (index) every row of a call goes to, whose sums then give the totals (rows,
   * bytes, packets) at the end of the segment: no totals are kept per row (-1: they are).
   */
  totalsBy: number;
  /**
   * The body adds only what the high part of frame `extra` (index in VOLUME_COLUMNS) adds to
   * a row already counted: that volume only, as `ex`, no row counts, no self-session listing
   * (-1: a whole row).
   */
  readonly extra: number;
  /** Volumes go only to code sums (and totals): set by body(). */
  byCode: boolean;
  /**
   * Coded columns whose code the body loads once into k_<column> (a load after a store to a
   * typed array is not merged with the same load before it: each would read the array again).
   */
  readonly codes: Set<ColumnName>;
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

/** Expression: the row's dictionary code of the coded column (loaded once a row when the body preloaded it). */
function codeOf(g: Gen, column: ColumnName): string {
  return g.codes.has(column) ? `k_${column}` : `x_${column}[r]`;
}

/**
 * Expression: the row's values of the coded columns a and b are equal, told by one load:
 * code sums `ia` (of column a) map each code of a to the code of the same value in b.
 */
function sameValue(g: Gen, a: ColumnName, ia: number, b: ColumnName, ib: number): string {
  g.codeSums[ia]!.twinOf = ib;
  return `tw${ia}[${codeOf(g, a)}] === ${codeOf(g, b)}`;
}

/** Expression: the words a are lexicographically <= the words b (unsigned). */
function lexLE(a: readonly string[], b: readonly string[]): string {
  let expr = 'true';
  for (let i = a.length - 1; i >= 0; i--) expr = `(${a[i]} < ${b[i]} || (${a[i]} === ${b[i]} && ${expr}))`;
  return expr;
}

/** The kernel's names of the volumes of a row, VOLUME_COLUMNS order. */
const VOLUME_VARS = ['bc', 'bs', 'pc', 'ps'] as const;

const ENSURE = 'if (ix.count > cap) { st.ensure(); cap = st.cap; acc = st.acc; fr = st.fr; uq = st.uq; }';

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
    g.codeSums.push({ column, memo, countSlots: sessionSlots, twinOf: -1, volumes: fwd ? [0, 1, 2, 3] : [1, 0, 3, 2] });
    const adds = [b0, b1, p0, p1].map((v, k) => (g.extra < 0 || v === VOLUME_VARS[g.extra] ? ` cs${i}[o + ${k}] += ${g.extra < 0 ? v : 'ex'};` : ''));
    return `{ const o = ${codeOf(g, column)} * ${CODE_SUM_WIDTH};${adds.join('')}${g.extra < 0 ? ` cs${i}[o + 4] += 1;` : ''} }`;
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
  let totalsLine = -1;
  if (g.inside) {
    if (plan.slices > 0) lines.push('const s = c_start[r], e = c_end[r];');
    if (g.extra < 0) {
      lines.push('const rbc = c_clnbyts[r], rbs = c_srvbyts[r], rpc = c_clnpkts[r], rps = c_srvpkts[r];');
      lines.push('const bc = rbc, bs = rbs, pc = rpc, ps = rps;');
    }
    // written at the end, when it is known whether the kernel sums by code alone
    totalsLine = lines.length;
    lines.push('');
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
      // the rare volumes whose unit counts pass 2^53 are taken apart exactly (prorate.ts)
      lines.push(
        `  if (${raw} < EXACT) { const q = units(${raw}, s, e, from, to); ${v} = Math.floor(q / UNIT); ${v}F = q - ${v} * UNIT; }` +
          ` else { ${v} = wholeWithin(${raw}, s, e, from, to); ${v}F = unitsLeftWithin(${raw}, s, e, from, to); }`,
      );
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
    lines.push(`const k_${cc} = x_${cc}[r], k_${sc} = x_${sc}[r];`);
    g.codes.add(cc).add(sc!);
    const [iC, addC] = [g.codeSums.length, accumulate(g, 'idc', c.memo, true, [4])];
    const [iS, addS] = [g.codeSums.length, accumulate(g, 'ids', v.memo, false, [5])];
    g.byCode = true;
    // Listed without a branch (a branch here costs more than the whole test), in a variant of
    // the loop of its own; only SESSIONS without direction counts such a session once (volumes
    // count it on both sides, as nfdump does), the others need not tell them.
    const list = (test: string): string => `selfRows[selfCount] = r; selfCount += ${test} ? 1 : 0;`;
    const same = plan.direction === 'none' && plan.measure === 'sessions' ? sameValue(g, cc, iC, sc!, iS) : null;
    if (plan.eitherField !== null) {
      lines.push('const el = marks[r - lo];');
      lines.push(`if (el & 1) ${addC}`);
      lines.push(`if (el & 2) ${addS}`);
      if (same !== null) g.self = { line: list(`(el & 3) === 3 && ${same}`), of: iC, column: cc, memo: c.memo };
    } else {
      lines.push(addC);
      lines.push(addS);
      if (same !== null) g.self = { line: list(same), of: iC, column: cc, memo: c.memo };
      g.totalsBy = iC;
    }
    if (g.self !== null && g.extra < 0) lines.push(g.self.line);
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
    // a session with itself is one session of the entity (ACC.self, taken off at the end);
    // its volumes count on both sides
    if (plan.measure === 'sessions' && d === 'none') lines.push(`if (idc === ids && idc >= 0) acc[idc * 8 + ${ACC.self}] += 1;`);
    if (plan.slices > 0 && !unique) {
      if (plan.measure === 'sessions') {
        if (d !== 'rcv') lines.push('if (idc >= 0) st.spreadCount(idc, s, e);');
        if (d === 'none') lines.push('if (ids >= 0 && ids !== idc) st.spreadCount(ids, s, e);');
        if (d === 'rcv') lines.push('if (ids >= 0) st.spreadCount(ids, s, e);');
      } else if (d === 'none') {
        lines.push(`if (idc >= 0) st.spreadVolume(idc, ${va}, ${vb}, s, e);`);
        lines.push(`if (ids >= 0) st.spreadVolume(ids, ${va}, ${vb}, s, e);`);
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
      g.byCode = deferred;
      if (!deferred) lines.push(k.code);
      lines.push('const ab = true;');
      memo = k.memo;
    }
    if (!deferred) lines.push(ENSURE);
    if (e.shape === 'pair') lines.push(`if (ab) ${accumulate(g, 'id', -1, true, [4])} else ${accumulate(g, 'id', -1, false, [5])}`);
    else {
      if (deferred) g.totalsBy = g.codeSums.length;
      lines.push(accumulate(g, 'id', memo, true, [4, 5]));
    }
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
  if (totalsLine >= 0) {
    let totals = 'sessions++; bytesW += bc + bs; packetsW += pc + ps;';
    if (g.totalsBy >= 0) totals = '';
    else if (g.extra >= 0) totals = `tot[${g.extra + 1}] += ex;`;
    else if (g.byCode) totals = 'tot[0] += 1; tot[1] += bc; tot[2] += bs; tot[3] += pc; tot[4] += ps;';
    lines[totalsLine] = g.shared && totals !== '' ? `if (marks[r - lo] & 4) { ${totals} }` : totals;
  }
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
 * `shared`: for a thread ranking one share of a sided entity (rows marked by EntityShare);
 * `frames`: the part types of the VolumeFrames it reads the volumes from (only for a kernel
 * that sums volumes by code alone, see CompiledKernel.byCode), null to read decoded volumes.
 */
export function generateKernelSource(
  plan: RankPlan,
  coded: ReadonlySet<ColumnName> = new Set(),
  inside = false,
  shared = false,
  frames: string | null = null,
): KernelSource {
  const codable = new Set(codableColumns(plan));
  for (const c of coded) if (!codable.has(c)) throw new Error(`column ${c} is not a key column of this ranking`);
  if (shared && plan.entity.shape !== 'sided') throw new Error('only sided entities are marked by side');
  const gen = (extra: number): Gen => ({
    coded,
    inside,
    shared,
    memoColumns: [],
    codeSums: [],
    loaded: new Set(),
    extra,
    byCode: false,
    codes: new Set(),
    self: null,
    totalsBy: -1,
  });
  const g = gen(-1);
  const b = body(plan, g);
  const out = { memoColumns: g.memoColumns, codeSums: g.codeSums, byCode: g.byCode, totalsBy: g.totalsBy, coded: [...coded], self: g.self };
  if (g.byCode) return { ...out, source: byCodeSource(plan, g, b, frames, gen) };
  if (frames !== null) throw new Error('this kernel does not sum volumes by code alone: it cannot read frames');
  const cols = kernelColumns(plan).filter((c) => !coded.has(c));
  const source = `"use strict";
const kb = new Uint32Array(32), kp = new Uint32Array(32), kt = new Uint32Array(32);
return function rankKernel(st, cols, lo, hi, sel, n, marks, dicts, memos, codeSums) {
const from = st.fromUs, to = st.toUs;
const c_start = cols.start, c_end = cols.end;
${cols.map((c) => `const c_${c} = cols.${c};`).join('\n')}
${[...coded].map((c) => `const x_${c} = dicts.${c}.codes, d_${c} = dicts.${c}.dict;`).join('\n')}
${g.memoColumns.map((_, i) => `const m${i} = memos[${i}];`).join('\n')}
${g.codeSums.map((_, i) => `const cs${i} = codeSums[${i}].sums;`).join('\n')}
const ix = st.ix, pairs = st.pairs, targets = st.targets;
let cap = st.cap, acc = st.acc, fr = st.fr, uq = st.uq;
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
  return { ...out, source };
}

/**
 * Source of a kernel that sums by code alone (see ByCodeKernel): arrays and numbers in, no
 * object of the query's (whose map could die with the query and take the compiled kernel
 * with it), sessions of an entity with itself listed for the caller. Every loop is a function
 * of its own with nothing after the loop but a return: V8 compiles a long loop while it runs
 * with what it has seen so far, and code after it that had not run yet would send every later
 * call back to unoptimised code (the rows of a segment with a filter and without one, the high
 * parts of frames, the sessions of an entity with itself each run their own loop).
 */
function byCodeSource(plan: RankPlan, g: Gen, b: string, frames: string | null, gen: (extra: number) => Gen): string {
  const args = 'lo, hi, sel, n, marks, volumes, codes, sums, twins, tot';
  const prologue = `const c_clnbyts = volumes[0], c_srvbyts = volumes[1], c_clnpkts = volumes[2], c_srvpkts = volumes[3];
${[...g.coded].map((c, i) => `const x_${c} = codes[${i}];`).join('\n')}
${g.codeSums.map((c, i) => `const cs${i} = sums[${i}]${c.twinOf >= 0 ? `, tw${i} = twins[${i}]` : ''};`).join('\n')}`;
  // the high parts of frame k, added to the rows they belong to (counted already): the body
  // for that one volume, for the rows selected; returns where the next call takes up
  const high = (k: number): string => `function high${k}(${args}, hr, hv, scale, j) {
${prologue}
const hn = hr.length;
let si = 0;
while (j < hn && hr[j] < lo) j++;
for (; j < hn; j++) {
const r = hr[j];
if (r >= hi) break;
if (sel !== null) { while (si < n && sel[si] < r) si++; if (si === n) break; if (sel[si] !== r) continue; }
const ex = hv[j] * scale;
${body(plan, gen(k))}
}
return j;
}`;
  // the main loops, without and with (when the caller wants them) the sessions of an entity with itself listed
  const plain = g.self === null ? b : b.replace(g.self.line, '');
  const loops = (suffix: string, rowsBody: string, result: string): string => `function rows${suffix}(${args}, selfRows) {
${prologue}
let selfCount = 0;
for (let r = lo; r < hi; r++) {
${rowsBody}
}
return ${result};
}
function selected${suffix}(${args}, selfRows) {
${prologue}
let selfCount = 0;
for (let j = 0; j < n; j++) {
const r = sel[j];
${rowsBody}
}
return ${result};
}`;
  return `"use strict";
${frames === null ? '' : `// volumes read from frames with parts ${frames}\n`}${loops('', plain, '0')}
${g.self === null ? '' : loops('Self', b, 'selfCount')}
${frames === null ? '' : VOLUME_VARS.map((_, k) => high(k)).join('\n')}
return function rankKernel(${args.replace(', tot', '')}, high, selfRows, tot) {
const self = ${g.self === null ? '' : `selfRows !== null ? (sel === null ? rowsSelf(${args}, selfRows) : selectedSelf(${args}, selfRows)) : `}sel === null ? rows(${args}, null) : selected(${args}, null);
${frames === null ? '' : VOLUME_VARS.map((_, k) => `high[3][${k}] = high${k}(${args}, high[0][${k}], high[1][${k}], high[2][${k}], high[3][${k}]);`).join('\n')}
return self;
};`;
}

/** Kernels kept, least recently used dropped first; the key is the source, which depends only on the query's shape. */
const CACHE_SIZE = 64;
const cache = new Map<string, CompiledKernel>();

/**
 * The kernel for a plan, a set of coded key columns, segments inside the frame or not, a
 * share of a sided entity or not, and volumes from frames with parts of the types `frames`
 * or decoded (null).
 * Queries of the same shape (entity, count, direction, slices or not, either-field marks or
 * not, coded columns, part types) share one function, so V8's type feedback and optimised
 * code carry over from one query to the next instead of starting cold; a function per part
 * types keeps each one's array reads of one type.
 */
export function compileKernel(
  plan: RankPlan,
  coded: ReadonlySet<ColumnName> = new Set(),
  inside = false,
  shared = false,
  frames: string | null = null,
): CompiledKernel {
  const { source, ...spec } = generateKernelSource(plan, coded, inside, shared, frames);
  let k = cache.get(source);
  if (k !== undefined) {
    cache.delete(source);
  } else {
    const run: unknown = new Function('units', 'UNIT', 'EXACT', 'wholeWithin', 'unitsLeftWithin', source)(unitsWithin, UNIT, EXACT_VOLUME, wholeWithin, unitsLeftWithin);
    k = spec.byCode ? { ...spec, frames, byCode: true, run: run as ByCodeKernel } : { ...spec, frames, byCode: false, run: run as RankKernel };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(source, k);
  return k;
}
