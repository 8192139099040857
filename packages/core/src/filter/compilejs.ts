// Compiles a filter AST into a specialised JavaScript function over column arrays
// (Arquero-style: a table of visitors emits source text; no tree is walked per row).

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import { findField, type Comparator, type FieldDef } from '../fields/fields.js';
import type { Cidr } from '../fields/ipcodec.js';
import { chainOperands, type CmpNode, type FilterNode, type FilterValue } from './ast.js';
import { inRanges, IpBlockSet, U32Set } from './lookups.js';
import { filterToString } from './tostring.js';

export interface CompiledFilter {
  /** stored columns the filter reads */
  readonly columns: readonly ColumnName[];
  /** Writes the indices of matching rows among [start, end) into sel (ascending) and returns how many. sel.length >= end - start. */
  select(cols: Partial<Record<ColumnName, ColumnArray>>, start: number, end: number, sel: Uint32Array): number;
}

/** Value lists longer than this become a hash-set lookup (ranges: a binary search) instead of a chain of tests. */
const CHAIN_LIMIT = 8;
/** Compiled filters kept, least recently used dropped first (a server sees many distinct filters). */
const CACHE_SIZE = 256;

function filterField(name: string): FieldDef {
  const def = findField(name);
  if (def?.filter === undefined) throw new Error(`${name} is not a filter field`);
  return def;
}

/** State of one compilation: the constants and columns the generated code refers to. */
class JsCodegen {
  /** k0 is the range-list helper; further constants are value tables. */
  readonly consts: unknown[] = [inRanges];
  readonly columns = new Set<ColumnName>();
  usesIp = false;
  /** Tables already made for a value list, so both sides of an either field share one. */
  private readonly tables = new Map<readonly FilterValue[], string[]>();

  constant(value: unknown): string {
    this.consts.push(value);
    return `k${this.consts.length - 1}`;
  }

  tablesFor(values: readonly FilterValue[], make: () => unknown[]): string[] {
    let names = this.tables.get(values);
    if (names === undefined) {
      names = make().map((t) => this.constant(t));
      this.tables.set(values, names);
    }
    return names;
  }

  col(name: ColumnName): string {
    this.columns.add(name);
    return `c_${name}`;
  }

  readonly visit = (node: FilterNode): string => {
    const visitor = VISITORS[node.type] as (n: FilterNode, cg: JsCodegen) => string;
    return visitor(node, this);
  };
}

/** Inclusive intervals of a numeric value list, sorted and merged (adjacent integers join). */
function intervals(values: readonly FilterValue[]): [number, number][] {
  const raw: [number, number][] = values.map((v) => {
    switch (v.kind) {
      case 'int':
        return [v.lo, v.hi];
      case 'decimal':
      case 'cc':
      case 'mac':
        return [v.value, v.value];
      default:
        throw new Error(`a ${v.kind} value in a numeric list`);
    }
  });
  raw.sort((a, b) => a[0] - b[0]);
  const joinAdjacent = values[0]!.kind === 'int';
  const out: [number, number][] = [];
  for (const r of raw) {
    const last = out[out.length - 1];
    if (last !== undefined && (r[0] <= last[1] || (joinAdjacent && r[0] === last[1] + 1))) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function scalarOf(v: FilterValue): number {
  switch (v.kind) {
    case 'int':
      if (v.lo !== v.hi) throw new Error('a range needs = or !=');
      return v.lo;
    case 'decimal':
    case 'cc':
    case 'mac':
      return v.value;
    default:
      throw new Error(`a ${v.kind} value cannot be ordered`);
  }
}

/** Test of a numeric term against values; `op` is never '!=' (see compileCmp). */
function matchScalar(term: string, op: Comparator, values: readonly FilterValue[], cg: JsCodegen): string {
  if (values[0]!.kind === 'flag') {
    let mask = 0;
    for (const v of values) if (v.kind === 'flag') mask |= v.mask;
    return `((${term} & ${mask}) !== 0)`;
  }
  if (op !== '=') {
    if (values.length !== 1) throw new Error('a list of values needs = or !=');
    return `(${term} ${op} ${scalarOf(values[0]!)})`;
  }
  const iv = intervals(values);
  if (iv.length <= CHAIN_LIMIT) {
    return `(${iv.map(([lo, hi]) => (lo === hi ? `${term} === ${lo}` : `(${term} >= ${lo} && ${term} <= ${hi})`)).join(' || ')})`;
  }
  if (iv.every(([lo, hi]) => lo === hi)) {
    const keys = iv.map(([lo]) => lo);
    const small = keys.every((k) => k === k >>> 0);
    const [set] = cg.tablesFor(values, () => [small ? new U32Set(keys) : new Set(keys)]);
    return `${set}.has(${term})`;
  }
  const [ranges] = cg.tablesFor(values, () => [Float64Array.from(iv.flat())]);
  return `k0(${ranges}, ${term})`;
}

/** One block test on the words of row i (o = 4 * i); least significant word first, it differs most. */
function cidrTest(col: string, c: Cidr): string {
  const parts: string[] = [];
  for (let k = 3; k >= 0; k--) {
    const m = c.masks[k];
    if (m === 0) continue;
    const at = k === 0 ? 'o' : `o + ${k}`;
    parts.push(m === 0xffffffff ? `${col}[${at}] === ${c.words[k]}` : `(${col}[${at}] & ${m | 0}) === ${c.words[k] | 0}`);
  }
  return parts.length === 0 ? 'true' : `(${parts.join(' && ')})`;
}

/** One hash set of blocks per prefix length in the list. */
function ipBlockSets(values: readonly FilterValue[]): IpBlockSet[] {
  const byBits = new Map<number, Cidr[]>();
  for (const v of values) {
    if (v.kind !== 'ip') throw new Error(`a ${v.kind} value for an address field`);
    const group = byBits.get(v.cidr.bits) ?? [];
    group.push(v.cidr);
    byBits.set(v.cidr.bits, group);
  }
  return [...byBits.values()].map((group) => new IpBlockSet(group[0]!.masks, group.map((c) => c.words)));
}

function matchIp(col: string, values: readonly FilterValue[], cg: JsCodegen): string {
  cg.usesIp = true;
  if (values.length <= CHAIN_LIMIT) {
    const tests = values.map((v) => {
      if (v.kind !== 'ip') throw new Error(`a ${v.kind} value for an address field`);
      return cidrTest(col, v.cidr);
    });
    return `(${tests.join(' || ')})`;
  }
  const sets = cg.tablesFor(values, () => ipBlockSets(values));
  return `(${sets.map((t) => `${t}.hasAt(${col}, o)`).join(' || ')})`;
}

/** The test "field op values" for a field that is not '!=' (either fields: client or server side). */
function matchField(def: FieldDef, op: Comparator, values: readonly FilterValue[], cg: JsCodegen): string {
  const src = def.source;
  switch (src.kind) {
    case 'either':
      return `(${matchField(filterField(src.client), op, values, cg)} || ${matchField(filterField(src.server), op, values, cg)})`;
    case 'column':
      if (def.filter!.value === 'ip') return matchIp(cg.col(src.column), values, cg);
      return matchScalar(`${cg.col(src.column)}[i]`, op, values, cg);
    case 'sum':
      return matchScalar(`(${cg.col(src.columns[0])}[i] + ${cg.col(src.columns[1])}[i])`, op, values, cg);
    case 'duration':
      return matchScalar(`((${cg.col('end')}[i] - ${cg.col('start')}[i]) / 1e6)`, op, values, cg);
  }
}

/**
 * `!=` is the negation of `=` for every field: "none of the values", for FLAGS
 * "none of the flags set", and for either fields "neither side matches".
 */
function compileCmp(n: CmpNode, cg: JsCodegen): string {
  const def = filterField(n.field);
  if (n.values.length === 0) throw new Error(`${n.field}${n.op} has no value`);
  const test = matchField(def, n.op === '!=' ? '=' : n.op, n.values, cg);
  return n.op === '!=' ? `!${test}` : test;
}

const VISITORS: { readonly [T in FilterNode['type']]: (node: Extract<FilterNode, { type: T }>, cg: JsCodegen) => string } = {
  all: () => 'true',
  and: (n, cg) => `(${chainOperands(n).map(cg.visit).join(' && ')})`,
  or: (n, cg) => `(${chainOperands(n).map(cg.visit).join(' || ')})`,
  // Every operand is a boolean, so a chain of !== is the parity (exclusive or) of the chain.
  xor: (n, cg) => `(${chainOperands(n).map(cg.visit).join(' !== ')})`,
  not: (n, cg) => `!${cg.visit(n.operand)}`,
  cmp: compileCmp,
};

type SelectFn = CompiledFilter['select'];

function generate(ast: FilterNode): CompiledFilter {
  const cg = new JsCodegen();
  const test = cg.visit(ast);
  const columns = [...cg.columns].sort();
  // Only numbers from the AST and column names from the column table reach the source text.
  const src: string[] = ['"use strict";'];
  cg.consts.forEach((_, j) => src.push(`const k${j} = K[${j}];`));
  src.push('return function select(cols, start, end, sel) {');
  for (const c of columns) {
    src.push(`  const c_${c} = cols.${c};`);
    src.push(`  if (c_${c} === undefined) throw new Error(${JSON.stringify(`the filter reads column ${c}, which was not given`)});`);
  }
  src.push('  let n = 0;', '  for (let i = start; i < end; i++) {');
  if (cg.usesIp) src.push('    const o = 4 * i;');
  src.push(`    if (${test}) sel[n++] = i;`, '  }', '  return n;', '};');
  const factory = new Function('K', src.join('\n')) as (k: readonly unknown[]) => SelectFn;
  return Object.freeze({ columns: Object.freeze(columns), select: factory(cg.consts) });
}

const cache = new Map<string, CompiledFilter>();

/**
 * Compiles a filter for the columnar engine. Filters with the same canonical text
 * ({@link filterToString}) share one compiled function.
 */
export function compileToJs(ast: FilterNode): CompiledFilter {
  const key = filterToString(ast);
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const compiled = generate(ast);
  cache.set(key, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}
