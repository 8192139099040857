// Shared by the filter tests: session batches written as readable rows, and
// comparisons of ASTs without their spans.

import { allocColumns, COLUMNS, packCountry, type ColumnName, type Columns } from '../../src/fields/columns.js';
import { parseIp, parseMac, setIpAt } from '../../src/fields/ipcodec.js';
import type { FilterNode } from '../../src/filter/ast.js';
import { compileToJs, evaluateReference, parseFilter, rowAt } from '../../src/filter/index.js';

/** A session as a test writes it: addresses, country codes and MACs as text, the rest as numbers. */
export type RowSpec = { readonly [K in ColumnName]?: number | string };

export function batch(rows: readonly RowSpec[]): Columns {
  const cols = allocColumns(rows.length);
  rows.forEach((r, i) => {
    for (const [name, v] of Object.entries(r) as [ColumnName, number | string][]) {
      const type = COLUMNS.get(name)!.type;
      if (type === 'ip') {
        const w = parseIp(String(v));
        if (w === null) throw new Error(`bad test address ${v}`);
        setIpAt(cols[name] as Uint32Array, i, w);
      } else if (name === 'clncc' || name === 'srvcc') {
        cols[name][i] = packCountry(String(v));
      } else if (name === 'clnmac' || name === 'srvmac') {
        cols[name][i] = typeof v === 'string' ? parseMac(v) : v;
      } else {
        cols[name][i] = Number(v);
      }
    }
  });
  return cols;
}

/** Indices of the rows the compiled filter selects. */
export function compiledMatches(filter: string | FilterNode, cols: Columns, rows: number): number[] {
  const ast = typeof filter === 'string' ? parseFilter(filter) : filter;
  const sel = new Uint32Array(rows);
  const n = compileToJs(ast).select(cols, 0, rows, sel);
  return Array.from(sel.subarray(0, n));
}

/** Indices of the rows the reference evaluator accepts. */
export function referenceMatches(filter: string | FilterNode, cols: Columns, rows: number): number[] {
  const ast = typeof filter === 'string' ? parseFilter(filter) : filter;
  const out: number[] = [];
  for (let i = 0; i < rows; i++) if (evaluateReference(ast, rowAt(cols, i))) out.push(i);
  return out;
}

/** The AST as plain data without spans, for deep comparison. */
export function strip(node: FilterNode): unknown {
  return JSON.parse(JSON.stringify(node, (k, v: unknown) => (k === 'span' ? undefined : v)));
}
