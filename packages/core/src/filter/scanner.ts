// The lexer of the filter language. It has two modes because values (`fe80::1/64`,
// `aa-bb-cc-dd-ee-ff`, `80, 443`, `1000 - 2000`) are not made of the same characters as the rest.

import { FilterError } from './filtererror.js';

export type TokenKind = 'word' | 'lparen' | 'rparen' | 'not' | 'and' | 'or' | 'xor' | 'cmp' | 'junk' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
  readonly len: number;
}

/** One comma-separated item of a value, white space removed, with where each character came from. */
export interface ValueItem {
  readonly text: string;
  /** at[k] is the offset in the filter text of text[k]. */
  readonly at: readonly number[];
  /** Where the item starts (or would start, when empty). */
  readonly pos: number;
  /** Offset of the comma before the item, or -1 for the first item. */
  readonly commaPos: number;
}

const OPERATOR_CHARS = '()!&|^=<>';
const COMPARATOR_CHARS = '=<>!';
const DOUBLED: Readonly<Record<string, { kind: TokenKind; name: string }>> = {
  '&': { kind: 'and', name: 'and' },
  '|': { kind: 'or', name: 'or' },
  '^': { kind: 'xor', name: 'exclusive or' },
};

function isSpace(c: string): boolean {
  return /\s/.test(c);
}

/** Characters a field name or a value item is made of. */
function isWordChar(c: string): boolean {
  return c !== ',' && !OPERATOR_CHARS.includes(c) && !isSpace(c);
}

export class Scanner {
  private pos = 0;

  constructor(readonly text: string) {}

  private skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text[this.pos]!)) this.pos++;
  }

  private token(kind: TokenKind, pos: number, len: number): Token {
    this.pos = pos + len;
    return { kind, text: this.text.slice(pos, pos + len), pos, len };
  }

  /** The next token of the structure (fields, comparators, operators, parentheses). */
  next(): Token {
    this.skipSpace();
    const t = this.text;
    const p = this.pos;
    if (p >= t.length) return { kind: 'end', text: '', pos: t.length, len: 0 };
    const c = t[p]!;
    if (c === '(') return this.token('lparen', p, 1);
    if (c === ')') return this.token('rparen', p, 1);
    const doubled = DOUBLED[c];
    if (doubled !== undefined) {
      if (t[p + 1] === c) return this.token(doubled.kind, p, 2);
      throw new FilterError('SINGLE_OPERATOR', `single '${c}' is not an operator`, p, 1, `use ${c}${c} for ${doubled.name}`);
    }
    if (c === '!' && t[p + 1] !== '=') return this.token('not', p, 1);
    if (COMPARATOR_CHARS.includes(c)) {
      let e = p;
      while (e < t.length && COMPARATOR_CHARS.includes(t[e]!)) e++;
      return this.token('cmp', p, e - p);
    }
    if (!isWordChar(c)) return this.token('junk', p, 1);
    let e = p;
    while (e < t.length && isWordChar(t[e]!)) e++;
    return this.token('word', p, e - p);
  }

  /** The next token, without consuming it. */
  peek(): Token {
    const save = this.pos;
    try {
      return this.next();
    } finally {
      this.pos = save;
    }
  }

  /**
   * Reads the value after a comparator: items separated by commas, white space
   * allowed around commas and around the dash of a range. Always returns at least
   * one item; empty items are left for the parser to report.
   */
  readValue(): ValueItem[] {
    const t = this.text;
    const items: ValueItem[] = [];
    this.skipSpace();
    let commaPos = -1;
    let start = this.pos;
    let text = '';
    let at: number[] = [];
    for (;;) {
      while (this.pos < t.length && isWordChar(t[this.pos]!)) {
        text += t[this.pos];
        at.push(this.pos);
        this.pos++;
      }
      const save = this.pos;
      this.skipSpace();
      const c = this.pos < t.length ? t[this.pos]! : '';
      if (c === ',') {
        items.push({ text, at, pos: start, commaPos });
        commaPos = this.pos;
        this.pos++;
        this.skipSpace();
        start = this.pos;
        text = '';
        at = [];
        continue;
      }
      // A dash after white space (or white space after a dash) continues a range.
      if (text !== '' && c !== '' && isWordChar(c) && (c === '-' || text.endsWith('-'))) continue;
      this.pos = save;
      break;
    }
    items.push({ text, at, pos: start, commaPos });
    return items;
  }
}
