// Decodes a column blob written by encodeColumn into a fresh typed array, with tight loops over typed
// views of the blob. Every length is checked against the row count, so a bad blob throws, never misreads.

import { inflateRawSync } from 'node:zlib';
import { allocColumn, wordsPerRow, type ColumnArray, type ColumnType } from '../fields/columns.js';
import { V4_MAPPED_W2 } from '../fields/ipcodec.js';
import type { CodedColumn, FrameColumn } from '../query/source.js';
import { encodingName } from './encodings.js';
import { assertLittleEndian, TYPE_CODES, TYPE_WIDTH, TYPES_BY_CODE, align8, type CompressionName } from './format.js';
import type { NumericArray } from './profile.js';
import { StoreError } from './storeerror.js';

/** Transforms nest one level in what the writer produces; a little slack, but no unbounded recursion. */
const MAX_DEPTH = 3;

function corrupt(detail: string): never {
  throw new StoreError('CORRUPT', detail);
}

type NumType = Exclude<ColumnType, 'ip'>;

type ViewCtor = Float64ArrayConstructor | Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;

/** A typed view of n elements at blob[offset]; a copy when the address is not aligned for the element size. */
function view<C extends ViewCtor>(Ctor: C, blob: Uint8Array, offset: number, n: number): InstanceType<C> {
  const abs = blob.byteOffset + offset;
  if (abs % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(blob.buffer as ArrayBuffer, abs, n) as InstanceType<C>;
  const copy = blob.slice(offset, offset + n * Ctor.BYTES_PER_ELEMENT);
  return new Ctor(copy.buffer, 0, n) as InstanceType<C>;
}

const CTOR: Readonly<Record<NumType, ViewCtor>> = { f64: Float64Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array };
const ARRAY_OF: Readonly<Record<ColumnType, ViewCtor>> = { ...CTOR, ip: Uint32Array };

function uintCtor(width: number): ViewCtor {
  if (width === 1) return Uint8Array;
  if (width === 2) return Uint16Array;
  if (width === 4) return Uint32Array;
  return corrupt(`bad integer width ${width}`);
}

function expectLength(blob: Uint8Array, want: number, what: string): void {
  if (blob.length !== want) corrupt(`${what} blob is ${blob.length} bytes, expected ${want}`);
}

function header(blob: Uint8Array, type: ColumnType): { name: string; dv: DataView } {
  if (blob.length < 8) corrupt(`blob of ${blob.length} bytes is shorter than its 8-byte header`);
  const name = encodingName(blob[0]!);
  if (name === undefined) corrupt(`unknown encoding id ${blob[0]}`);
  if (blob[1] !== TYPE_CODES[type]) corrupt(`blob holds type ${TYPES_BY_CODE[blob[1]!] ?? blob[1]}, expected ${type}`);
  return { name, dv: new DataView(blob.buffer, blob.byteOffset, blob.length) };
}

/** out[i] = base + step × p[i] for the first n rows. */
function frameOfReference(out: NumericArray, p: NumericArray, base: number, step: number, n: number): void {
  if (base === 0 && step === 1) out.set(p.subarray(0, n));
  else if (p instanceof Uint8Array) widen8(out, p, base, step, n);
  else if (p instanceof Uint16Array) widen16(out, p, base, step, n);
  else for (let i = 0; i < n; i++) out[i] = base + step * p[i]!;
}

// One function per width, so that each loop reads one array type; four rows an iteration.

function widen8(out: NumericArray, p: Uint8Array, base: number, step: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = p[i]!;
    const b = p[i + 1]!;
    const c = p[i + 2]!;
    const d = p[i + 3]!;
    out[i] = base + step * a;
    out[i + 1] = base + step * b;
    out[i + 2] = base + step * c;
    out[i + 3] = base + step * d;
  }
  for (; i < n; i++) out[i] = base + step * p[i]!;
}

function widen16(out: NumericArray, p: Uint16Array, base: number, step: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = p[i]!;
    const b = p[i + 1]!;
    const c = p[i + 2]!;
    const d = p[i + 3]!;
    out[i] = base + step * a;
    out[i + 1] = base + step * b;
    out[i + 2] = base + step * c;
    out[i + 3] = base + step * d;
  }
  for (; i < n; i++) out[i] = base + step * p[i]!;
}

function decodeNumeric(blob: Uint8Array, type: NumType, n: number, out: NumericArray, start: Float64Array | undefined, depth: number): void {
  if (depth > MAX_DEPTH) corrupt('encodings nested too deep');
  const { name, dv } = header(blob, type);
  const tw = TYPE_WIDTH[type];
  switch (name) {
    case 'raw': {
      expectLength(blob, 8 + n * tw, 'raw');
      out.set(view(CTOR[type], blob, 8, n));
      return;
    }
    case 'const': {
      expectLength(blob, 16, 'const');
      out.fill(dv.getFloat64(8, true));
      return;
    }
    case 'for': {
      const width = blob[2]!;
      expectLength(blob, 24 + n * width, 'for');
      frameOfReference(out, view(uintCtor(width), blob, 24, n), dv.getFloat64(8, true), dv.getFloat64(16, true), n);
      return;
    }
    case 'pfor': {
      const width = blob[2]!;
      const e = dv.getUint32(4, true);
      const posAt = align8(24 + n * width);
      expectLength(blob, posAt + 8 * e, 'pfor');
      const p = view(uintCtor(width), blob, 24, n);
      const base = dv.getFloat64(8, true);
      const step = dv.getFloat64(16, true);
      frameOfReference(out, p, base, step, n);
      const pos = view(Uint32Array, blob, posAt, e);
      const high = view(Uint32Array, blob, posAt + 4 * e, e);
      // a literal, not 2 ** (8 * width): V8 may compute a power in the loop below
      const scale = width === 1 ? 0x100 : width === 2 ? 0x10000 : 0x100000000;
      let prev = -1;
      for (let j = 0; j < e; j++) {
        const r = pos[j]!;
        if (r <= prev || r >= n) corrupt(`pfor exception ${j} is at row ${r}, after row ${prev} and below ${n} expected`);
        prev = r;
        out[r] = base + step * (p[r]! + high[j]! * scale);
      }
      return;
    }
    case 'dict': {
      const iw = blob[2]!;
      const d = dv.getUint32(4, true);
      const idxAt = 8 + align8(d * tw);
      expectLength(blob, idxAt + n * iw, 'dict');
      const idx = view(uintCtor(iw), blob, idxAt, n);
      const dict = view(CTOR[type], blob, 8, d);
      for (let i = 0; i < n; i++) {
        const k = idx[i]!;
        if (k >= d) corrupt(`dictionary index ${k} at row ${i} beyond ${d} entries`);
        out[i] = dict[k]!;
      }
      return;
    }
    case 'varint': {
      const len = dv.getUint32(4, true);
      expectLength(blob, 24 + len, 'varint');
      const base = dv.getFloat64(8, true);
      const step = dv.getFloat64(16, true);
      const end = blob.length;
      let pos = 24;
      for (let i = 0; i < n; i++) {
        // one and two bytes (values < 16384) are most of them: integer ops only
        let b = blob[pos++]!;
        let x: number;
        if (b < 0x80) {
          x = b;
        } else {
          x = b & 0x7f;
          b = blob[pos++]!;
          if (b < 0x80) {
            x |= b << 7;
          } else {
            x |= (b & 0x7f) << 7;
            let mul = 0x4000;
            do {
              if (pos >= end) corrupt(`varint runs past the blob end at row ${i}`);
              b = blob[pos++]!;
              x += (b & 0x7f) * mul;
              mul *= 0x80;
            } while (b >= 0x80);
          }
        }
        out[i] = base + step * x;
      }
      if (pos !== end) corrupt(`varint payload ends at ${pos}, blob at ${end}`);
      return;
    }
    case 'delta': {
      if (blob.length < 16) corrupt('delta blob shorter than its header');
      const r = new Float64Array(n);
      decodeNumeric(blob.subarray(16), 'f64', n, r, start, depth + 1);
      let acc = dv.getFloat64(8, true);
      for (let i = 0; i < n; i++) {
        acc += r[i]!;
        out[i] = acc;
      }
      return;
    }
    case 'start-offset': {
      if (start === undefined || start.length < n) corrupt('start-offset column needs the start column');
      const r = new Float64Array(n);
      decodeNumeric(blob.subarray(8), 'f64', n, r, start, depth + 1);
      for (let i = 0; i < n; i++) out[i] = start[i]! + r[i]!;
      return;
    }
    default:
      corrupt(`encoding ${name} does not apply to a ${type} column`);
  }
}

function decodeIp(blob: Uint8Array, n: number, out: Uint32Array, depth: number): void {
  const { name, dv } = header(blob, 'ip');
  switch (name) {
    case 'raw': {
      expectLength(blob, 8 + 16 * n, 'raw');
      out.set(view(Uint32Array, blob, 8, 4 * n));
      return;
    }
    case 'const': {
      expectLength(blob, 24, 'const');
      const w = view(Uint32Array, blob, 8, 4);
      for (let i = 0; i < 4 * n; i += 4) out.set(w, i);
      return;
    }
    case 'dict': {
      const iw = blob[2]!;
      const d = dv.getUint32(4, true);
      const idxAt = 8 + 16 * d;
      expectLength(blob, idxAt + n * iw, 'dict');
      const idx = view(uintCtor(iw), blob, idxAt, n);
      const dict = view(Uint32Array, blob, 8, 4 * d);
      for (let i = 0; i < n; i++) {
        const k = idx[i]!;
        if (k >= d) corrupt(`dictionary index ${k} at row ${i} beyond ${d} entries`);
        const o = 4 * i;
        const s = 4 * k;
        out[o] = dict[s]!;
        out[o + 1] = dict[s + 1]!;
        out[o + 2] = dict[s + 2]!;
        out[o + 3] = dict[s + 3]!;
      }
      return;
    }
    case 'ip-dict': {
      const { dict, d, idx } = ipDict(blob, dv, n);
      for (let i = 0; i < n; i++) {
        const k = idx[i]!;
        if (k >= d) corrupt(`dictionary index ${k} at row ${i} beyond ${d} entries`);
        const o = 4 * i;
        const s = 4 * k;
        out[o] = dict[s]!;
        out[o + 1] = dict[s + 1]!;
        out[o + 2] = dict[s + 2]!;
        out[o + 3] = dict[s + 3]!;
      }
      return;
    }
    case 'ipv4': {
      const w = new Uint32Array(n);
      decodeNumeric(blob.subarray(8), 'u32', n, w, undefined, depth + 1);
      for (let i = 0; i < n; i++) {
        const o = 4 * i;
        out[o] = 0;
        out[o + 1] = 0;
        out[o + 2] = 0xffff;
        out[o + 3] = w[i]!;
      }
      return;
    }
    case 'ip-words': {
      if (blob.length < 24) corrupt('ip-words blob shorter than its header');
      const w = new Uint32Array(n);
      let at = 24;
      for (let k = 0; k < 4; k++) {
        const len = dv.getUint32(8 + 4 * k, true);
        if (at + len > blob.length) corrupt(`ip-words part ${k} runs past the blob end`);
        decodeNumeric(blob.subarray(at, at + len), 'u32', n, w, undefined, depth + 1);
        for (let i = 0; i < n; i++) out[4 * i + k] = w[i]!;
        at = align8(at + len);
      }
      if (at !== align8(blob.length)) corrupt(`ip-words parts end at ${at}, blob at ${blob.length}`);
      return;
    }
    default:
      corrupt(`encoding ${name} does not apply to an ip column`);
  }
}

/** Writes the `count` low words at stored[from..] as IPv4-mapped addresses, four words each, at dict[o..] (a loop alone in its function: see orBelow16). */
function expandV4(dict: Uint32Array, o: number, stored: Uint32Array, from: number, count: number): void {
  for (let k = 0; k < count; k++) {
    dict[o] = 0;
    dict[o + 1] = 0;
    dict[o + 2] = V4_MAPPED_W2;
    dict[o + 3] = stored[from + k]!;
    o += 4;
  }
}

/**
 * The dictionary of an 'ip-dict' blob expanded to four words an entry (its IPv4-mapped run
 * is stored as low words), and a view of its indices; lengths checked, indices not.
 */
function ipDict(
  blob: Uint8Array,
  dv: DataView,
  n: number,
  spare?: Uint8Array,
): { dict: Uint32Array; d: number; idx: Uint8Array | Uint16Array | Uint32Array; below: number; v4: number } {
  if (blob.length < 16) corrupt('ip-dict blob shorter than its header');
  const iw = blob[2]!;
  const d = dv.getUint32(4, true);
  const below = dv.getUint32(8, true);
  const v4 = dv.getUint32(12, true);
  if (below + v4 > d) corrupt(`ip-dict runs of ${below} and ${v4} addresses exceed its ${d} entries`);
  const idxAt = align8(16 + 16 * d - 12 * v4);
  expectLength(blob, idxAt + n * iw, 'ip-dict');
  const stored = view(Uint32Array, blob, 16, 4 * d - 3 * v4);
  const dict = spare !== undefined && spare.length >= 16 * d && spare.byteOffset % 4 === 0 ? new Uint32Array(spare.buffer, spare.byteOffset, 4 * d) : new Uint32Array(4 * d);
  dict.set(stored.subarray(0, 4 * below));
  expandV4(dict, 4 * below, stored, 4 * below, v4);
  dict.set(stored.subarray(4 * below + v4), 4 * (below + v4));
  return { dict, d, idx: view(uintCtor(iw), blob, idxAt, n) as Uint8Array | Uint16Array | Uint32Array, below, v4 };
}

export interface StoredColumn {
  /** The bytes as stored (deflated when compression is 'deflate'). */
  readonly bytes: Uint8Array;
  readonly compression: CompressionName;
  /** Length of the blob before compression (bounds inflation). */
  readonly blobLength: number;
}

/** A view of the first `rows` rows of `into` when it is an array of the column's type with room for them, else a new array. */
function outputFor(type: ColumnType, rows: number, into: ColumnArray | undefined): ColumnArray {
  const n = rows * wordsPerRow(type);
  if (into === undefined || into.length < n || !(into instanceof ARRAY_OF[type])) return allocColumn(type, rows);
  return into.length === n ? into : into.subarray(0, n);
}

/**
 * Decode `rows` rows of a column into a new array of its type (ip: 4 words a row), or into the
 * first rows of `into` when it is of that type and long enough (every value is written). `start`
 * is the segment's decoded start column, needed only by the 'start-offset' encoding. Throws CORRUPT.
 */
export function decodeColumn(type: ColumnType, stored: StoredColumn, rows: number, start?: Float64Array, into?: ColumnArray): ColumnArray {
  const blob = storedBlob(stored);
  const out = outputFor(type, rows, into);
  if (type === 'ip') decodeIp(blob, rows, out as Uint32Array, 0);
  else decodeNumeric(blob, type, rows, out, start, 0);
  return out;
}

const NO_ROWS = new Uint32Array(0);

/**
 * The parts and high parts of a 'for' or 'pfor' blob (views of the blob), the rows of the
 * high parts checked to be ascending and below n.
 */
function frameOf(blob: Uint8Array, dv: DataView, name: 'for' | 'pfor', n: number): FrameColumn {
  const width = blob[2]!;
  const Ctor = uintCtor(width);
  const base = dv.getFloat64(8, true);
  const step = dv.getFloat64(16, true);
  const highScale = width === 1 ? 0x100 : width === 2 ? 0x10000 : 0x100000000;
  if (name === 'for') {
    expectLength(blob, 24 + n * width, 'for');
    return { kind: 'frame', parts: view(Ctor, blob, 24, n) as FrameColumn['parts'], base, step, highRows: NO_ROWS, high: NO_ROWS, highSum: 0, highScale };
  }
  const e = dv.getUint32(4, true);
  const posAt = align8(24 + n * width);
  expectLength(blob, posAt + 8 * e, 'pfor');
  const highRows = view(Uint32Array, blob, posAt, e);
  const high = view(Uint32Array, blob, posAt + 4 * e, e);
  if (outOfOrder(highRows, e, n) !== 0) {
    let prev = -1;
    for (let j = 0; j < e; j++) {
      const r = highRows[j]!;
      if (r <= prev || r >= n) corrupt(`pfor exception ${j} is at row ${r}, after row ${prev} and below ${n} expected`);
      prev = r;
    }
  }
  return { kind: 'frame', parts: view(Ctor, blob, 24, n) as FrameColumn['parts'], base, step, highRows, high, highSum: sumOf(high, e), highScale };
}

/** 0 when the first e rows ascend strictly and are below n, else 1 (a loop alone in its function: see orBelow16). */
function outOfOrder(rows: Uint32Array, e: number, n: number): number {
  let prev = -1;
  let bad = 0;
  for (let j = 0; j < e; j++) {
    const r = rows[j]!;
    bad |= r > prev && r < n ? 0 : 1;
    prev = r;
  }
  return bad;
}

/** The sum of the first e values (exact: fewer than 2^21 values below 2^32). */
function sumOf(values: Uint32Array, e: number): number {
  let sum = 0;
  for (let j = 0; j < e; j++) sum += values[j]!;
  return sum;
}

/**
 * Like decodeColumn, but a 'dict' blob comes back as its codes and dictionary (views of the
 * blob, not copies), every code checked to be below the dictionary size. An 'ip-dict' blob's
 * dictionary is expanded to four words an entry, into `spare` when it is long enough. With
 * `frame`, a 'for' or 'pfor' blob comes back as its frame of reference (views of the blob).
 * `trusted`: these very bytes have had their codes checked before (lengths are checked anyway).
 */
export function decodeColumnEncoded(
  type: ColumnType,
  stored: StoredColumn,
  rows: number,
  start?: Float64Array,
  spare?: Uint8Array,
  frame = false,
  trusted = false,
): CodedColumn {
  const blob = storedBlob(stored);
  const { name, dv } = header(blob, type);
  if (frame && type !== 'ip' && (name === 'for' || name === 'pfor')) return frameOf(blob, dv, name, rows);
  if (name === 'ip-dict' && type === 'ip') {
    const { dict, d, idx, below, v4 } = ipDict(blob, dv, rows, spare);
    if (!trusted) checkCodes(idx, rows, d);
    return { kind: 'dict', codes: idx, dict, size: d, v4: [below, below + v4] };
  }
  if (name !== 'dict') {
    const out = allocColumn(type, rows);
    if (type === 'ip') decodeIp(blob, rows, out as Uint32Array, 0);
    else decodeNumeric(blob, type, rows, out, start, 0);
    return { kind: 'plain', values: out };
  }
  const tw = type === 'ip' ? 16 : TYPE_WIDTH[type];
  const iw = blob[2]!;
  const d = dv.getUint32(4, true);
  const idxAt = 8 + align8(d * tw);
  expectLength(blob, idxAt + rows * iw, 'dict');
  const codes = view(uintCtor(iw), blob, idxAt, rows) as Uint8Array | Uint16Array | Uint32Array;
  if (!trusted) checkCodes(codes, rows, d);
  const dict = type === 'ip' ? view(Uint32Array, blob, 8, 4 * d) : view(CTOR[type], blob, 8, d);
  return { kind: 'dict', codes, dict, size: d };
}

/** Every code of a dictionary column must be below its size d. */
function checkCodes(codes: Uint8Array | Uint16Array | Uint32Array, rows: number, d: number): void {
  // each loop is a function of its own with nothing after it: see orBelow16
  const last = d - 1;
  const bad = codes instanceof Uint16Array ? orBelow16(codes, rows, last) : codes instanceof Uint8Array ? orBelow8(codes, rows, last) : orBelow32(codes, rows, last);
  if (bad < 0) for (let k = 0; k < rows; k++) if (codes[k]! > last) corrupt(`dictionary index ${codes[k]} beyond ${d} entries`);
}

/**
 * The OR of last − code over the rows: negative when a code is beyond `last`, told without a
 * branch a row (codes are below 2^16), two codes at a time when they are 4-byte aligned. A
 * loop that V8 compiles while it runs must have nothing after it that it has not seen run:
 * each later call would leave the compiled loop there and go back to unoptimised code.
 */
function orBelow16(codes: Uint16Array, rows: number, last: number): number {
  let bad = 0;
  // the odd rows first, so that the loop of four pairs comes last
  const aligned = (codes.byteOffset & 3) === 0;
  const m = aligned ? rows >>> 1 : 0;
  const bulk = m - (m & 3);
  for (let i = 2 * m; i < rows; i++) bad |= last - codes[i]!;
  const pairs = aligned ? new Uint32Array(codes.buffer, codes.byteOffset, m) : NO_ROWS;
  for (let j = bulk; j < m; j++) bad |= (last - (pairs[j]! & 0xffff)) | (last - (pairs[j]! >>> 16));
  for (let j = 0; j < bulk; j += 4) {
    const a = pairs[j]!;
    const b = pairs[j + 1]!;
    const c = pairs[j + 2]!;
    const e = pairs[j + 3]!;
    bad |= (last - (a & 0xffff)) | (last - (a >>> 16)) | (last - (b & 0xffff)) | (last - (b >>> 16));
    bad |= (last - (c & 0xffff)) | (last - (c >>> 16)) | (last - (e & 0xffff)) | (last - (e >>> 16));
  }
  return bad;
}

/** orBelow16 for 1-byte codes: a copy, so that each loop reads one array type. */
function orBelow8(codes: Uint8Array, rows: number, last: number): number {
  let bad = 0;
  for (let i = 0; i < rows; i++) bad |= last - codes[i]!;
  return bad;
}

/** orBelow16 for 4-byte codes (negative when a code is beyond `last`). */
function orBelow32(codes: Uint32Array, rows: number, last: number): number {
  let bad = 0;
  for (let i = 0; i < rows; i++) bad |= codes[i]! > last ? -1 : 0;
  return bad;
}

/** The encoded blob of a stored column, inflated when deflated, its length checked. */
function storedBlob(stored: StoredColumn): Uint8Array {
  assertLittleEndian();
  let blob = stored.bytes;
  if (stored.compression === 'deflate') {
    try {
      // one output chunk of the known size: no growing and concatenating of 16 KiB chunks
      const z = inflateRawSync(blob, { chunkSize: Math.max(64, stored.blobLength), maxOutputLength: Math.max(1, stored.blobLength) });
      blob = new Uint8Array(z.buffer, z.byteOffset, z.length);
    } catch (e) {
      throw new StoreError('CORRUPT', `deflated blob does not inflate: ${(e as Error).message}`, { cause: e });
    }
  }
  if (blob.length !== stored.blobLength) corrupt(`blob is ${blob.length} bytes, directory says ${stored.blobLength}`);
  return blob;
}
