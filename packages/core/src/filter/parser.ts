// The recursive-descent parser of filter.md's grammar: the only parser of filter text.
// Everything that can be checked without data is checked here, with the position of the fault.

import { findField, PROTO_MNEMONICS, TCP_FLAG_MNEMONICS, type Comparator, type FieldDef } from '../fields/fields.js';
import { parseIp } from '../fields/ipcodec.js';
import type { BinaryType, FilterNode, FilterValue, Span } from './ast.js';
import { FilterError } from './filtererror.js';
import { Scanner, type Token, type TokenKind } from './scanner.js';
import { alternatives, suggestFields } from './suggest.js';
import { parseValue } from './values.js';

/** Parentheses and `!` nest at most this deep (keeps every recursive visitor far from the stack limit). */
export const MAX_FILTER_DEPTH = 100;

/** Binary operators, loosest first: `||` < `^^` < `&&`. */
const LEVELS: readonly { readonly kind: TokenKind; readonly type: BinaryType }[] = [
  { kind: 'or', type: 'or' },
  { kind: 'xor', type: 'xor' },
  { kind: 'and', type: 'and' },
];

const COMPARATORS: Readonly<Record<string, Comparator>> = {
  '=': '=',
  '==': '=',
  '!=': '!=',
  '>=': '>=',
  '<=': '<=',
  '>': '>',
  '<': '<',
};

/** Comparators people type by habit, and what they mean here. */
const MISTYPED: Readonly<Record<string, string>> = {
  '=>': '>=',
  '=<': '<=',
  '<>': '!=',
  '><': '!=',
  '=!': '!=',
  '!==': '!=',
  '===': '=',
  '!': '!=',
};

/** Words used for operators in other languages. */
const WORD_OPERATORS: Readonly<Record<string, string>> = { AND: '&&', OR: '||', XOR: '^^', NOT: '!' };

/** Tokens after which no condition follows. */
const NO_OPERAND: ReadonlySet<TokenKind> = new Set(['end', 'rparen', 'and', 'or', 'xor']);

function spanEnd(s: Span): number {
  return s.pos + s.len;
}

/** A value to show in a hint, e.g. `SRVIP=10.0.0.0/8`. */
function example(def: FieldDef): string {
  const spec = def.filter!;
  switch (spec.value) {
    case 'ip':
      return '10.0.0.0/8';
    case 'int':
      return spec.mnemonics === undefined ? '100' : Object.keys(spec.mnemonics)[0]!;
    case 'decimal':
      return '1.5';
    case 'cc':
      return 'US';
    case 'mac':
      return 'aa:bb:cc:dd:ee:ff';
    case 'flag':
      return Object.keys(spec.mnemonics ?? {})[0] ?? '';
  }
}

/**
 * Parses a filter string. Blank text gives `{ type: 'all' }`. Throws a
 * {@link FilterError} with a stable code and the position of the problem.
 */
export function parseFilter(text: string): FilterNode {
  if (text.trim() === '') return { type: 'all' };
  return new Parser(text).parse();
}

class Parser {
  private readonly sc: Scanner;

  constructor(text: string) {
    this.sc = new Scanner(text);
  }

  parse(): FilterNode {
    const node = this.parseBinary(0, 0);
    const t = this.sc.next();
    if (t.kind === 'end') return node;
    if (t.kind === 'rparen') throw new FilterError('UNBALANCED_PAREN', `')' without a matching '('`, t.pos, 1);
    throw this.unexpected(t, 'after a complete condition');
  }

  private parseBinary(level: number, depth: number): FilterNode {
    const parseOperand = (): FilterNode => (level + 1 < LEVELS.length ? this.parseBinary(level + 1, depth) : this.parseUnary(depth));
    const { kind, type } = LEVELS[level]!;
    let left = parseOperand();
    while (this.sc.peek().kind === kind) {
      const op = this.sc.next();
      if (NO_OPERAND.has(this.sc.peek().kind)) {
        throw new FilterError('DANGLING_OPERATOR', `'${op.text}' needs a condition on its right`, op.pos, op.len);
      }
      const right = parseOperand();
      const pos = nodeSpan(left).pos;
      left = { type, left, right, span: { pos, len: spanEnd(nodeSpan(right)) - pos } };
    }
    return left;
  }

  private parseUnary(depth: number): FilterNode {
    const t = this.sc.next();
    switch (t.kind) {
      case 'not': {
        this.checkDepth(t, depth);
        if (NO_OPERAND.has(this.sc.peek().kind)) {
          throw new FilterError('DANGLING_OPERATOR', `'!' needs a condition after it`, t.pos, 1);
        }
        const operand = this.parseUnary(depth + 1);
        return { type: 'not', operand, span: { pos: t.pos, len: spanEnd(nodeSpan(operand)) - t.pos } };
      }
      case 'lparen': {
        this.checkDepth(t, depth);
        const first = this.sc.peek();
        if (first.kind === 'rparen') {
          throw new FilterError('EMPTY_PARENS', 'empty parentheses', t.pos, first.pos + 1 - t.pos, 'put a condition inside, or remove them');
        }
        if (first.kind === 'end') throw this.unclosed(t);
        const inner = this.parseBinary(0, depth + 1);
        const close = this.sc.next();
        if (close.kind === 'end') throw this.unclosed(t);
        if (close.kind !== 'rparen') throw this.unexpected(close, 'inside parentheses');
        return { ...inner, span: { pos: t.pos, len: close.pos + 1 - t.pos } } as FilterNode;
      }
      case 'word':
        return this.statement(t);
      case 'and':
      case 'or':
      case 'xor':
        throw new FilterError('DANGLING_OPERATOR', `'${t.text}' needs a condition on its left`, t.pos, t.len);
      case 'rparen':
        throw new FilterError('UNBALANCED_PAREN', `')' without a matching '('`, t.pos, 1);
      case 'cmp':
        throw new FilterError('MISSING_FIELD', `'${t.text}' needs a field name on its left`, t.pos, t.len, 'e.g. SRVPORT=22');
      case 'junk':
        throw new FilterError('MISSING_FIELD', `expected a condition, found '${t.text}'`, t.pos, t.len, 'e.g. SRVPORT=22');
      case 'end':
        throw new FilterError('MISSING_FIELD', 'expected a condition', t.pos, 1, 'e.g. SRVPORT=22');
    }
  }

  private checkDepth(t: Token, depth: number): void {
    if (depth >= MAX_FILTER_DEPTH) {
      throw new FilterError('TOO_DEEP', `parentheses and '!' nest deeper than ${MAX_FILTER_DEPTH} levels`, t.pos, 1);
    }
  }

  private unclosed(open: Token): FilterError {
    return new FilterError('UNBALANCED_PAREN', `'(' is never closed`, open.pos, 1, `add ')'`);
  }

  private unexpected(t: Token, where: string): FilterError {
    let hint: string | undefined;
    const word = WORD_OPERATORS[t.text.toUpperCase()];
    if (t.kind === 'word' && word !== undefined) hint = `use ${word} for ${t.text.toLowerCase()}`;
    else if ((t.kind === 'word' && findField(t.text) !== undefined) || t.kind === 'lparen' || t.kind === 'not') hint = 'missing && or || before it?';
    return new FilterError('TRAILING_GARBAGE', `unexpected '${t.text}' ${where}`, t.pos, t.len, hint);
  }

  private statement(name: Token): FilterNode {
    const def = findField(name.text);
    if (def === undefined) throw unknownField(name);
    const spec = def.filter;
    if (spec === undefined) {
      const isTime = def.source.kind === 'column' && (def.source.column === 'start' || def.source.column === 'end');
      const hint = isTime ? 'select times with -tn, -te or -tl' : 'it is an output column only';
      throw new FilterError('NOT_FILTERABLE', `${def.name} cannot be used in a filter`, name.pos, name.len, hint);
    }
    const c = this.sc.next();
    if (c.kind !== 'cmp') {
      if (c.kind === 'not') throw new FilterError('BAD_COMPARATOR', `unknown comparator '!'`, c.pos, 1, 'did you mean !=?');
      const hint = c.kind === 'word' ? `did you mean ${def.name}=${c.text}?` : `e.g. ${def.name}=${example(def)}`;
      throw new FilterError('MISSING_COMPARATOR', `${def.name} needs a comparator and a value`, c.pos, Math.max(1, c.len), hint);
    }
    const op = COMPARATORS[c.text];
    if (op === undefined) {
      const guess = MISTYPED[c.text];
      const hint = guess !== undefined ? `did you mean ${guess}?` : 'comparators: = != >= <= > <';
      throw new FilterError('BAD_COMPARATOR', `unknown comparator '${c.text}'`, c.pos, c.len, hint);
    }
    if (!spec.comparators.includes(op)) {
      const takes = spec.value === 'flag' ? '= for flag set, != for flag not set' : alternatives(spec.comparators);
      throw new FilterError('BAD_COMPARATOR', `${def.name} does not take '${c.text}'`, c.pos, c.len, `${def.name} takes ${takes}`);
    }
    const items = this.sc.readValue();
    for (const it of items) {
      if (it.text !== '') continue;
      if (it.commaPos < 0) {
        throw new FilterError('MISSING_VALUE', `missing value after '${name.text}${c.text}'`, it.pos, 1, `e.g. ${def.name}${op}${example(def)}`);
      }
      throw new FilterError('MISSING_VALUE', `missing value after ','`, it.commaPos, 1);
    }
    if (items.length > 1 && op !== '=' && op !== '!=') {
      throw new FilterError('BAD_COMPARATOR', `a list of values needs = or !=, not '${c.text}'`, c.pos, c.len);
    }
    const values: FilterValue[] = items.map((it) => parseValue(def, it, op, c));
    const last = items[items.length - 1]!;
    const end = last.at[last.at.length - 1]! + 1;
    return { type: 'cmp', field: def.name, op, values, span: { pos: name.pos, len: end - name.pos } };
  }
}

function nodeSpan(n: FilterNode): Span {
  // The parser sets a span on every node it makes, and never makes `all` inside a filter.
  return n.type === 'all' ? { pos: 0, len: 0 } : n.span!;
}

function unknownField(t: Token): FilterError {
  const word = t.text;
  const upper = word.toUpperCase();
  const fields = suggestFields(word);
  let hint: string | undefined;
  if (upper === 'NOT') hint = 'use ! for not';
  else if (fields.length > 0) hint = `did you mean ${alternatives(fields)}?`;
  else if (parseIp(word.replace(/\/\d+$/, '')) !== null) hint = `did you mean ADDR=${word}?`;
  else if (PROTO_MNEMONICS[upper] !== undefined) hint = `did you mean PROTO=${upper}?`;
  else if (TCP_FLAG_MNEMONICS[upper] !== undefined) hint = `did you mean FLAGS=${upper}?`;
  else if (/^\d+$/.test(word)) hint = `did you mean PORT=${word}?`;
  return new FilterError('UNKNOWN_FIELD', `unknown field '${word}'`, t.pos, t.len, hint);
}
