// Canonical text of a filter: it parses back to the same AST (spans aside), so it is
// the cache key of compiled filters and the form in which filters are logged and stored.

import { unpackCountry } from '../fields/columns.js';
import { findField, type FilterSpec } from '../fields/fields.js';
import { formatIp, formatMac, isV4Words } from '../fields/ipcodec.js';
import { chainOperands, isBinary, type BinaryType, type CmpNode, type FilterNode, type FilterValue } from './ast.js';

const OPERATOR_TEXT: Readonly<Record<BinaryType, string>> = { or: '||', xor: '^^', and: '&&' };
const PRECEDENCE: Readonly<Record<BinaryType, number>> = { or: 1, xor: 2, and: 3 };

function mnemonicOf(spec: FilterSpec, v: number): string | undefined {
  for (const [name, value] of Object.entries(spec.mnemonics ?? {})) if (value === v) return name;
  return undefined;
}

function writeValue(spec: FilterSpec, v: FilterValue): string {
  switch (v.kind) {
    case 'ip': {
      const { words: w, bits } = v.cidr;
      const text = formatIp(w[0], w[1], w[2], w[3]);
      if (bits === 128) return text;
      // formatIp writes IPv4-mapped words as a dotted quad, whose prefix counts from bit 96.
      return isV4Words(w[0], w[1], w[2]) && bits >= 96 ? `${text}/${bits - 96}` : `${text}/${bits}`;
    }
    case 'int':
      if (v.lo !== v.hi) return `${v.lo}-${v.hi}`;
      return mnemonicOf(spec, v.lo) ?? String(v.lo);
    case 'decimal':
      return String(v.value);
    case 'cc':
      return unpackCountry(v.value);
    case 'mac':
      return formatMac(v.value);
    case 'flag': {
      const names = Object.entries(spec.mnemonics ?? {})
        .filter(([, bit]) => (v.mask & bit) !== 0)
        .map(([name]) => name);
      if (names.length === 0) throw new Error(`flag value ${v.mask} names no TCP flag`);
      return names.join(',');
    }
  }
}

function writeCmp(n: CmpNode): string {
  const spec = findField(n.field)?.filter;
  if (spec === undefined) throw new Error(`${n.field} is not a filter field`);
  return `${n.field}${n.op}${n.values.map((v) => writeValue(spec, v)).join(',')}`;
}

function write(n: FilterNode): string {
  switch (n.type) {
    case 'all':
      throw new Error("an 'all' node stands only for a whole filter, never inside one");
    case 'cmp':
      return writeCmp(n);
    case 'not':
      return isBinary(n.operand) ? `!(${write(n.operand)})` : `!${write(n.operand)}`;
    default:
      // Operators are left-associative: a right operand of the same operator needs parentheses.
      return chainOperands(n)
        .map((o, k) => {
          const wrap = isBinary(o) && (PRECEDENCE[o.type] < PRECEDENCE[n.type] || (k > 0 && o.type === n.type));
          return wrap ? `(${write(o)})` : write(o);
        })
        .join(` ${OPERATOR_TEXT[n.type]} `);
  }
}

/** The canonical text of a filter; `''` for the empty filter. */
export function filterToString(ast: FilterNode): string {
  return ast.type === 'all' ? '' : write(ast);
}
