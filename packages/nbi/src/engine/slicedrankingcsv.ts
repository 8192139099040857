// A training answer of GET /api/v1/stat read as CSV while it arrives (format=csv, header=1): only
// each row's key and slice values are kept, never the whole answer text or an object per row.

import type { Readable } from 'node:stream';
import { RuntimeFailure } from '@opentraq/cli';
import { isComplete, type SlicedRanking } from './ranking.js';
import { resizableBuffer, type ResizableBuffer } from './resizablebuffer.js';

/** The `#` lines after the rows (renderStatCsv): the selection's sessions and distinct entities. */
const TOTAL_SESSIONS = /^# Total sessions: (\d+)/;
const DISTINCT_ENTITIES = /^# Distinct entities: (\d+)/;
const EPOCH_SECONDS = /^-?\d+(\.\d+)?$/;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const HASH = 0x23;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Digits a whole number may have to be read digit by digit and still be exact (below 2^53). */
const EXACT_DIGITS = 15;

/** Where the reader is within a cell (RFC 4180, as the server writes it). */
const enum At {
  /** Nothing of the cell read yet. */
  Start,
  Unquoted,
  Quoted,
  /** A quote inside a quoted cell: the cell's end, or the first of two (an escaped quote). */
  QuoteInQuoted,
  /** A CR ended the row: an LF right after it belongs to it. */
  AfterCr,
}

/** What the cells of a row are for, known once its first cell is read. */
const enum Row {
  Header,
  Data,
  /** A `#` summary line. */
  Summary,
}

function badAnswer(problem: string): RuntimeFailure {
  return new RuntimeFailure('BAD_ANSWER', `the server's ranking cannot be read: ${problem}`);
}

/** A cell of an entity column as entityKey writes it: an empty cell is JSON's null, `-`. */
function cellKey(cell: string): string {
  return cell === '' ? '-' : cell;
}

/**
 * The rows of a sliced ranking, cell by cell from the bytes as they arrive: the header's names, each
 * row's entity key, its value and slice values as numbers. A cell is decoded to text only when it is
 * an entity's (or the header's, or a summary line's); the other cells are skipped as they pass.
 */
class SlicedRankingParser {
  readonly keys: string[] = [];
  /**
   * rows × slices, row by row, in a buffer that grows in place up to what the rows asked for take (no
   * buffer left to the collector at each growth, and its pages given back with it).
   */
  readonly values: Float64Array;
  private readonly valueBuffer: ResizableBuffer;
  header: string[] | null = null;
  sessions: number | null = null;
  entities: number | null = null;
  lastIsZero = false;
  private valueAt = -1;
  private firstSlice = -1;
  /** The cell being read (its bytes: a cell may span chunks), and where the reader is in it. */
  private cell = Buffer.allocUnsafeSlow(256);
  private cellLength = 0;
  private at = At.Start;
  private line = 1;
  /** The row being read: its kind, the cell it is at, its entity's cells, whether its numbers are all 0, its first bad number. */
  private row = Row.Header;
  private column = 0;
  private entity: string[] = [];
  private zero = true;
  private badNumber: string | null = null;

  constructor(
    private readonly slices: number,
    private readonly rowsAsked: number,
  ) {
    this.valueBuffer = resizableBuffer(Math.min(rowsAsked, 512) * slices * 8, Math.max(1, rowsAsked) * slices * 8);
    this.values = new Float64Array(this.valueBuffer);
  }

  /** Reads `bytes`, the next part of the answer. */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.at === At.AfterCr) {
        this.at = At.Start;
        if (b === LF) continue;
      }
      if (this.at === At.Quoted) {
        if (b === QUOTE) this.at = At.QuoteInQuoted;
        else this.append(b);
      } else if (this.at === At.QuoteInQuoted) {
        if (b === QUOTE) {
          this.append(b);
          this.at = At.Quoted;
        } else if (b === COMMA || b === LF || b === CR) {
          this.delimiter(b);
        } else {
          throw badAnswer(`Invalid Closing Quote: got ${JSON.stringify(String.fromCharCode(b))} at line ${this.line} after the quote that closed cell ${this.column + 1}, instead of a comma or the line's end`);
        }
      } else if (b === COMMA || b === LF || b === CR) {
        this.delimiter(b);
      } else if (b === QUOTE) {
        if (this.at !== At.Start) throw badAnswer(`Invalid Opening Quote: a quote in the middle of cell ${this.column + 1} of line ${this.line}, which did not start with one`);
        this.at = At.Quoted;
      } else {
        this.append(b);
        this.at = At.Unquoted;
      }
    }
  }

  /** A comma ends the cell; a line end (LF, CR or CR LF) the cell and the row. */
  private delimiter(b: number): void {
    this.endCell();
    if (b === COMMA) return;
    this.endRow();
    if (b === CR) this.at = At.AfterCr;
  }

  /** The answer has ended: the last row may lack its line end. */
  end(): void {
    if (this.at === At.Quoted) throw badAnswer(`Quote Not Closed: the answer ends inside a quoted cell of line ${this.line}`);
    if (this.at === At.Unquoted || this.at === At.QuoteInQuoted || this.column > 0) {
      this.endCell();
      this.endRow();
    }
  }

  private append(b: number): void {
    if (this.cellLength === this.cell.length) {
      const grown = Buffer.allocUnsafeSlow(this.cell.length * 2);
      this.cell.copy(grown);
      this.cell = grown;
    }
    this.cell[this.cellLength++] = b;
  }

  private text(): string {
    const cell = this.cell;
    const length = this.cellLength;
    for (let i = 0; i < length; i++) if (cell[i]! >= 0x80) return cell.toString('utf8', 0, length);
    return cell.toString('latin1', 0, length);
  }

  /** The cell as a number (0 when empty): what Number() gives for its text, read digit by digit when it is a plain whole number. */
  private number(what: string): number {
    const cell = this.cell;
    const length = this.cellLength;
    if (length === 0) return 0;
    const negative = cell[0] === MINUS;
    let v = 0;
    let i = negative ? 1 : 0;
    if (length - i > 0 && length - i <= EXACT_DIGITS) {
      for (; i < length; i++) {
        const d = cell[i]!;
        if (d < ZERO || d > NINE) break;
        v = v * 10 + (d - ZERO);
      }
      if (i === length) return negative ? -v : v;
    }
    const text = this.text();
    const parsed = Number(text);
    if (!Number.isFinite(parsed)) {
      this.badNumber ??= `${what} is ${JSON.stringify(text)}, not a number`;
      return 0;
    }
    return parsed;
  }

  private endCell(): void {
    const column = this.column++;
    this.at = At.Start;
    if (this.row === Row.Header) {
      if (this.header === null) this.entity.push(this.text());
    } else if (column === 0) {
      if (this.cellLength > 0 && this.cell[0] === HASH) {
        this.row = Row.Summary;
        const line = this.text();
        const s = TOTAL_SESSIONS.exec(line);
        if (s !== null) this.sessions = Number(s[1]);
        const e = DISTINCT_ENTITIES.exec(line);
        if (e !== null) this.entities = Number(e[1]);
      }
    } else if (this.row === Row.Data) {
      if (column < this.valueAt) this.entity.push(cellKey(this.text()));
      else if (column === this.valueAt) {
        if (this.number('a value') !== 0) this.zero = false;
      } else if (column >= this.firstSlice && column < this.header!.length) {
        const v = this.number('a slice value');
        this.values[this.keys.length * this.slices + column - this.firstSlice] = v;
        if (v !== 0) this.zero = false;
      }
    }
    this.cellLength = 0;
  }

  private endRow(): void {
    if (this.row === Row.Header) this.takeHeader();
    else if (this.row === Row.Data) this.takeRow();
    this.line++;
    this.column = 0;
    this.entity.length = 0;
    this.zero = true;
    this.badNumber = null;
    // every row after the header is data until its first cell says it is a summary line
    this.row = Row.Data;
    const room = (this.keys.length + 1) * this.slices;
    if (this.values.length < room && this.keys.length < this.rowsAsked) {
      this.valueBuffer.resize(Math.min(this.valueBuffer.maxByteLength, Math.max(room, this.values.length * 2) * 8));
    }
  }

  private takeHeader(): void {
    const names = this.entity.slice();
    this.header = names;
    this.valueAt = names.indexOf('value');
    this.firstSlice = names.length - this.slices;
    if (names[0] !== 'rank' || this.valueAt < 2) throw badAnswer(`its header row is ${JSON.stringify(names.slice(0, 4).join(','))}, not rank, the entity, value…`);
    // slice columns are named by their start (epoch seconds), after the value and the counts
    if (this.firstSlice <= this.valueAt || !names.slice(this.firstSlice).every((name) => EPOCH_SECONDS.test(name))) {
      throw badAnswer(`its columns (${names.length}) do not end with the ${this.slices} slices asked for`);
    }
  }

  private takeRow(): void {
    const header = this.header!;
    if (this.column !== header.length) throw badAnswer(`row ${this.keys.length + 1} has ${this.column} cells where the header has ${header.length}`);
    if (this.keys.length === this.rowsAsked) throw badAnswer(`it holds more rows than the ${this.rowsAsked} asked for`);
    if (this.badNumber !== null) throw badAnswer(this.badNumber);
    this.keys.push(this.entity.length === 1 ? this.entity[0]! : this.entity.join(' '));
    this.lastIsZero = this.zero;
  }
}

/**
 * Reads `body`, the CSV of a ranking with `slices` slices asked with `rowsAsked` rows (a header row
 * first, the `#` summary lines last), into a SlicedRanking: the same keys, values, completeness and
 * counts as readSlicedRankingCsv gives for the JSON answer of the same query. Its memory is the rows'
 * keys and rows × slices numbers, whatever the answer's size. BAD_ANSWER when the text is not such
 * a ranking; a failure of `body` itself is passed on as it is.
 */
export async function readSlicedRankingCsv(body: Readable, slices: number, rowsAsked: number): Promise<SlicedRanking> {
  const parser = new SlicedRankingParser(slices, rowsAsked);
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  parser.end();
  const { keys, values, entities, sessions } = parser;
  if (parser.header === null) throw badAnswer('the answer is empty');
  if (entities === null || sessions === null) throw badAnswer('its summary lines (# Total sessions, # Distinct entities) are missing: was the answer cut short?');
  const rows = keys.length;
  return {
    keys,
    slices,
    sliceValues(k: number, into: Float64Array): void {
      if (!(k >= 0 && k < slices)) throw new RangeError(`readSlicedRankingCsv: slice ${k} is not one of 0..${slices - 1}`);
      for (let r = 0; r < rows; r++) into[r] = values[r * slices + k]!;
    },
    complete: isComplete(rows, rowsAsked, entities, rows > 0 && parser.lastIsZero),
    entities,
    sessions,
  };
}
