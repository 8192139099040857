// Rows of session columns as text, compiled once per answer into one JavaScript function for its
// fields (fieldformat.ts decides each value's text): no per-field dispatch, no allocation per row.

import type { ColumnArray, DisplayFormat } from '@opentraq/core';
import { LITTLE_ENDIAN, wordOf } from './ascii.js';
import { FIELD_WRITERS, fieldCode, type OutputSyntax } from './fieldformat.js';
import { IpFormatter } from './ipformatter.js';
import { LocalTimeFormatter } from './localtimeformatter.js';
import type { ZoneOffsets } from './zoneoffsets.js';

/** Bytes past a row's maximum that writers may touch without keeping them (octets are written three at a time). */
const SLACK = 8;

/** What the compiled function is given besides the rows: the writers and this answer's caches. */
interface Runtime {
  readonly w: typeof FIELD_WRITERS;
  readonly ip: IpFormatter;
  readonly times: readonly (LocalTimeFormatter | null)[];
  readonly missing: string;
}

type Compiled = (cols: readonly ColumnArray[], rows: number, b: Uint8Array, dv: DataView, p: number, x: Runtime) => number;

/**
 * Compiled functions by their source, the most recently used last. Each answer gets its own encoder, but
 * answers with the same fields share the function, so that V8 optimises it once rather than per answer;
 * bounded, since a client chooses the fields.
 */
const compiled = new Map<string, Compiled>();
const MAX_COMPILED = 64;

function compile(source: string): Compiled {
  let fn = compiled.get(source);
  if (fn !== undefined) {
    compiled.delete(source);
  } else {
    fn = new Function('cols', 'rows', 'b', 'dv', 'p', 'x', source) as Compiled;
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(source, fn);
  return fn;
}

/** Statements writing the constant bytes of `text` at b[p] (four at a time) and advancing p. */
function constantBytes(text: string): string {
  if (text.length === 0) return '';
  const stores: string[] = [];
  const at = (j: number): string => (j === 0 ? 'p' : `p + ${j}`);
  let j = 0;
  for (; j + 4 <= text.length; j += 4) stores.push(`dv.setUint32(${at(j)}, ${wordOf(text, j)}, ${LITTLE_ENDIAN});`);
  for (; j < text.length; j++) stores.push(`b[${at(j)}] = ${text.charCodeAt(j)};`);
  return `${stores.join(' ')} p += ${text.length};`;
}

/**
 * One per answer: writes per row `rowStart`, then for each field its prefix and value, then `rowEnd`.
 * Each field reads its column at its own site in the compiled code, so that every column access sees
 * one array type (a shared loop over mixed typed arrays is several times slower). The caches (local
 * time text per second, IPv6 text) live as long as the encoder, across batches.
 */
export class RowEncoder {
  private readonly run: Compiled;
  private readonly runtime: Runtime;
  /** Most bytes one row takes. */
  private readonly maxRow: number;
  private scratch: Buffer = Buffer.alloc(0);
  private view = new DataView(this.scratch.buffer, this.scratch.byteOffset, 0);

  /**
   * `prefixes[k]` comes before field k (a comma, or `,"NAME":`); times in CSV are written in `zone`.
   * The texts are ASCII from the field table, never from a request.
   */
  constructor(formats: readonly DisplayFormat[], prefixes: readonly string[], rowStart: string, rowEnd: string, syntax: OutputSyntax, zone: ZoneOffsets) {
    const codes = formats.map((f, k) => fieldCode(k, f, syntax));
    const body = [
      'const U = x.w.U, N = x.w.N, E = x.w.E, M = x.w.M, F = x.w.F, C = x.w.C, IP = x.ip, MISS = x.missing;',
      ...formats.map((_, k) => `const c${k} = cols[${k}], t${k} = x.times[${k}];`),
      'for (let i = 0; i < rows; i++) {',
      constantBytes(rowStart),
      ...codes.map((c, k) => `${constantBytes(prefixes[k]!)} ${c.source}`),
      constantBytes(rowEnd),
      '}',
      'return p;',
    ];
    this.run = compile(body.join('\n'));
    this.runtime = {
      w: FIELD_WRITERS,
      ip: new IpFormatter(),
      times: formats.map((f) => (f === 'time' && syntax === 'csv' ? new LocalTimeFormatter(zone) : null)),
      missing: syntax === 'json' ? 'null' : '',
    };
    this.maxRow = rowStart.length + rowEnd.length + codes.reduce((n, c, k) => n + prefixes[k]!.length + c.maxBytes, 0);
  }

  /** Rows [0, rows) of `cols` (cols[k]: the column of field k; ip columns 4 words a row), as a Buffer of their own. */
  encode(cols: readonly ColumnArray[], rows: number): Buffer {
    const need = rows * this.maxRow + SLACK;
    if (this.scratch.length < need) {
      this.scratch = Buffer.allocUnsafeSlow(Math.max(need, this.scratch.length * 2));
      this.view = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
    }
    const end = this.run(cols, rows, this.scratch, this.view, 0, this.runtime);
    // a copy with a buffer of its own: the answer may still be queued for the socket when the next batch
    // is encoded, and an encoder thread hands its buffer over to the main thread
    const out = Buffer.allocUnsafeSlow(end);
    this.scratch.copy(out, 0, 0, end);
    return out;
  }
}
