// A deliberately plain evaluator of the filter AST over one session held as an object:
// the oracle the tests hold compiled filters to. Slow by design; never on a query path.

import { COLUMNS, type COLUMN_DEFS, type ColumnArray, type ColumnName } from '../fields/columns.js';
import { findField, type Comparator, type FieldDef } from '../fields/fields.js';
import type { Cidr } from '../fields/ipcodec.js';
import { chainOperands, type FilterNode, type FilterValue } from './ast.js';

type IpColumnName = Extract<(typeof COLUMN_DEFS)[number], { type: 'ip' }>['name'];

/** One session: ip columns as 128-bit integers (IPv4 mapped into ::ffff:0:0/96), the others as numbers. */
export type SessionRow = { readonly [K in ColumnName]?: K extends IpColumnName ? bigint : number };

/** Row `i` of a batch, with every column the batch has. */
export function rowAt(cols: Partial<Record<ColumnName, ColumnArray>>, i: number): SessionRow {
  const row: Record<string, number | bigint> = {};
  for (const [name, arr] of Object.entries(cols) as [ColumnName, ColumnArray | undefined][]) {
    if (arr === undefined) continue;
    if (COLUMNS.get(name)?.type === 'ip') {
      let v = 0n;
      for (let k = 0; k < 4; k++) v = (v << 32n) | BigInt(arr[4 * i + k]!);
      row[name] = v;
    } else {
      row[name] = arr[i]!;
    }
  }
  return row as SessionRow;
}

function column(row: SessionRow, name: ColumnName): number | bigint {
  const v = row[name];
  if (v === undefined) throw new Error(`the row has no column ${name}`);
  return v;
}

function num(row: SessionRow, name: ColumnName): number {
  return Number(column(row, name));
}

function inBlock(c: Cidr, addr: bigint): boolean {
  let net = 0n;
  for (const w of c.words) net = (net << 32n) | BigInt(w);
  const shift = BigInt(128 - c.bits);
  return addr >> shift === net >> shift;
}

function equals(v: FilterValue, x: number | bigint): boolean {
  switch (v.kind) {
    case 'ip':
      return inBlock(v.cidr, x as bigint);
    case 'int':
      return v.lo <= x && x <= v.hi;
    case 'flag':
      return (Number(x) & v.mask) !== 0;
    default:
      return x === v.value;
  }
}

function compare(op: Comparator, x: number, v: FilterValue): boolean {
  const y = v.kind === 'int' ? v.lo : v.kind === 'decimal' ? v.value : NaN;
  switch (op) {
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    default:
      throw new Error(`compare() got '${op}'`);
  }
}

/** "field op values" for op other than '!='. */
function holds(def: FieldDef, op: Comparator, values: readonly FilterValue[], row: SessionRow): boolean {
  const src = def.source;
  let x: number | bigint;
  switch (src.kind) {
    case 'either':
      return holds(findField(src.client)!, op, values, row) || holds(findField(src.server)!, op, values, row);
    case 'column':
      x = column(row, src.column);
      break;
    case 'sum':
      x = num(row, src.columns[0]) + num(row, src.columns[1]);
      break;
    case 'duration':
      x = (num(row, 'end') - num(row, 'start')) / 1e6;
      break;
  }
  if (op === '=') return values.some((v) => equals(v, x));
  return values.some((v) => compare(op, Number(x), v));
}

/** Whether the session satisfies the filter, by walking the tree. */
export function evaluateReference(ast: FilterNode, row: SessionRow): boolean {
  switch (ast.type) {
    case 'all':
      return true;
    case 'and':
      return chainOperands(ast).every((o) => evaluateReference(o, row));
    case 'or':
      return chainOperands(ast).some((o) => evaluateReference(o, row));
    case 'xor':
      return chainOperands(ast).reduce((acc, o) => acc !== evaluateReference(o, row), false);
    case 'not':
      return !evaluateReference(ast.operand, row);
    case 'cmp': {
      const def = findField(ast.field)!;
      return ast.op === '!=' ? !holds(def, '=', ast.values, row) : holds(def, ast.op, ast.values, row);
    }
  }
}
