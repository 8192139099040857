// An ASCII table for people that can be printed while rows still arrive: the column widths are fixed
// from the first block of rows, and a later, wider cell is printed whole (never cut) at the cost of alignment.

import type { Style } from './style.js';

export interface TableColumn {
  readonly header: string;
  readonly align: 'left' | 'right';
}

/** Characters on screen: code points (wide East Asian characters are rare in flow data). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, w: number, align: 'left' | 'right'): string {
  const gap = Math.max(0, w - width(s));
  return align === 'right' ? ' '.repeat(gap) + s : s + ' '.repeat(gap);
}

export class TextTable {
  private widths: number[] = [];
  private started = false;

  constructor(
    private readonly columns: readonly TableColumn[],
    private readonly style: Style,
  ) {}

  private rule(): string {
    return this.style.dim(`+${this.widths.map((w) => '-'.repeat(w + 2)).join('+')}+`) + '\n';
  }

  private line(cells: readonly string[], header: boolean): string {
    const bar = this.style.dim('|');
    const parts = this.columns.map((c, i) => {
      const text = pad(cells[i] ?? '', this.widths[i]!, header ? 'left' : c.align);
      return ` ${header ? this.style.bold(text) : text} `;
    });
    return `${bar}${parts.join(bar)}${bar}\n`;
  }

  /** The top of the table and the first block of rows; the widths are those of this block. */
  start(rows: readonly (readonly string[])[]): string {
    this.widths = this.columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))));
    this.started = true;
    return this.rule() + this.line(this.columns.map((c) => c.header), true) + this.rule() + this.more(rows);
  }

  /** More rows, at the widths of the first block. */
  more(rows: readonly (readonly string[])[]): string {
    let out = '';
    for (const r of rows) out += this.line(r, false);
    return out;
  }

  /** The bottom rule ('' when the table was never started). */
  end(): string {
    return this.started ? this.rule() : '';
  }
}
