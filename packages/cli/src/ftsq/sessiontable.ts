// ftsq's table: the readable subset of the session columns, times in local time, printed block by
// block as sessions arrive; the widths come from the first block, so memory holds one block at most.

import { findField, formatLocalTime, PROTO_MNEMONICS, type DisplayFormat } from '@opentraq/core';
import { counted } from '../common/counted.js';
import { formatBytes, formatCount } from '../common/humanscale.js';
import type { Style } from '../common/style.js';
import { TextTable } from '../common/texttable.js';

const PROTO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name]));
/** Rows gathered before the table starts: enough to size the columns, few enough to start at once. */
const FIRST_BLOCK_ROWS = 100;
/** ... or this long after the first row, when sessions trickle in. */
const FIRST_BLOCK_MS = 250;

export type SessionObject = Readonly<Record<string, unknown>>;

function cellText(v: unknown, format: DisplayFormat): string {
  if (v === null || v === undefined) return '';
  switch (format) {
    case 'time':
      return typeof v === 'number' && Number.isFinite(v) ? formatLocalTime(Math.round(v * 1_000_000)) : String(v);
    case 'proto':
      return typeof v === 'number' ? (PROTO_NAMES.get(v) ?? String(v)) : String(v);
    default:
      return String(v);
  }
}

export class SessionTable {
  private readonly formats: DisplayFormat[];
  private readonly table: TextTable;
  private pending: string[][] = [];
  private firstAt = 0;
  private started = false;
  /** Sessions printed, and their packets and bytes (client + server). */
  shown = 0;
  packets = 0;
  bytes = 0;
  /** Whether the server had more sessions than the limit. */
  more = false;

  constructor(
    private readonly fields: readonly string[],
    private readonly limit: number,
    style: Style,
  ) {
    this.formats = fields.map((f) => {
      const def = findField(f);
      if (def?.output === undefined) throw new RangeError(`${f} is not a session column`);
      return def.output.format;
    });
    this.table = new TextTable(
      fields.map((f, i) => ({ header: f, align: this.formats[i] === 'int' || this.formats[i] === 'decimal' ? 'right' : 'left' })),
      style,
    );
  }

  /** Sessions taken for the table (printed or about to be): at most the limit. */
  get taken(): number {
    return this.shown + this.pending.length;
  }

  /** Takes a batch of sessions; returns the text to print now ('' while the first block gathers). */
  add(sessions: readonly SessionObject[], nowMs: number): string {
    for (const s of sessions) {
      if (this.taken >= this.limit) {
        this.more = true;
        break;
      }
      this.pending.push(this.fields.map((f, i) => cellText(s[f], this.formats[i]!)));
      const n = (k: string): number => (typeof s[k] === 'number' ? (s[k] as number) : 0);
      this.packets += n('CLNPKTS') + n('SRVPKTS');
      this.bytes += n('CLNBYTS') + n('SRVBYTS');
      if (this.firstAt === 0) this.firstAt = nowMs;
    }
    if (!this.started && this.pending.length < FIRST_BLOCK_ROWS && !(this.firstAt > 0 && nowMs - this.firstAt >= FIRST_BLOCK_MS)) return '';
    return this.flush();
  }

  private flush(): string {
    if (this.pending.length === 0) return '';
    const rows = this.pending;
    this.pending = [];
    this.shown += rows.length;
    if (this.started) return this.table.more(rows);
    this.started = true;
    return this.table.start(rows);
  }

  /** The rest of the rows, the bottom of the table and the totals line. */
  finish(): string {
    let out = this.flush();
    if (!this.started) out += this.table.start([]);
    out += this.table.end();
    const totals = `${counted(this.shown, 'session')}, ${counted(this.packets, 'packet', formatCount(this.packets))}, ${formatBytes(this.bytes)}`;
    return `${out}${totals}${this.more ? ` (the first ${this.shown} shown)` : ''}\n`;
  }
}
