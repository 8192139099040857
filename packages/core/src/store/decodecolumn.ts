// Decodes a column blob written by encodeColumn into a fresh typed array, with tight loops over typed
// views of the blob. Every length is checked against the row count, so a bad blob throws, never misreads.

import { inflateRawSync } from 'node:zlib';
import { allocColumn, wordsPerRow, type ColumnArray, type ColumnType } from '../fields/columns.js';
import type { CodedColumn } from '../query/source.js';
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
      const p = view(uintCtor(width), blob, 24, n);
      const base = dv.getFloat64(8, true);
      const step = dv.getFloat64(16, true);
      if (base === 0 && step === 1) out.set(p);
      else if (step === 1) for (let i = 0; i < n; i++) out[i] = base + p[i]!;
      else for (let i = 0; i < n; i++) out[i] = base + step * p[i]!;
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

/**
 * Like decodeColumn, but a 'dict' blob comes back as its codes and dictionary (views of the
 * blob, not copies), every code checked to be below the dictionary size.
 */
export function decodeColumnEncoded(type: ColumnType, stored: StoredColumn, rows: number, start?: Float64Array): CodedColumn {
  const blob = storedBlob(stored);
  const { name, dv } = header(blob, type);
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
  let max = 0;
  for (let i = 0; i < rows; i++) if (codes[i]! > max) max = codes[i]!;
  if (rows > 0 && max >= d) corrupt(`dictionary index ${max} beyond ${d} entries`);
  const dict = type === 'ip' ? view(Uint32Array, blob, 8, 4 * d) : view(CTOR[type], blob, 8, d);
  return { kind: 'dict', codes, dict, size: d };
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
