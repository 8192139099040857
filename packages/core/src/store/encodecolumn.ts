// Encodes one column of a segment: tries every encoding that applies, keeps the smallest (weighted by
// decode cost), then deflates the blob only when that halves it. Layouts: docs/storage-format.md.
// Given the plan that search made for the same column of the previous segment, it tries that first.

import { deflateRawSync } from 'node:zlib';
import type { ColumnArray, ColumnType } from '../fields/columns.js';
import type { ColumnStats } from '../query/source.js';
import { ENCODINGS, encodingId, type EncodingName } from './encodings.js';
import { assertLittleEndian, TYPE_CODES, TYPE_WIDTH, align8, type CompressionName } from './format.js';
import { ALL_PARTS, profileIp, profileNumeric, type IpSet, type NumericArray, type NumericProfile, type ProfileParts } from './profile.js';
import { StoreError } from './storeerror.js';

/** 'auto' deflates a blob when that at least halves it; 'deflate' always; 'none' never. */
export type CompressionMode = 'auto' | 'none' | 'deflate';

/** The shape of an encoding a search chose: the encoding, and for a transform the plans of its parts. */
export interface PlanNode {
  readonly encoding: EncodingName;
  /** The residuals' plan (delta, start-offset, ipv4), or the four words' (ip-words); none for the others. */
  readonly inner: readonly PlanNode[];
  /** A frame of reference in steps above 1 was found: the step is searched again (else taken as 1). */
  readonly stepped: boolean;
}

/**
 * What encoding a column of one segment got, kept by a store for the same column of its next segment.
 * Profiling every column for every encoding (distinct values, steps, varint sizes, each transform's
 * residuals, a deflate trial) is most of a segment's encoding time, and a column's data changes
 * little from one segment to the next: with a plan, only what the planned encoding needs is computed
 * (the cheap raw, const and frame-of-reference candidates are still there to win). The column is
 * searched in full again at once when the planned encoding no longer wins or applies, or when its
 * result grows past REPLAN_GROWTH of the searched size; and after REPLAN_AFTER uses, and for segments
 * of another size (below a quarter or above four times the searched rows).
 */
export interface ColumnPlan {
  readonly node: PlanNode;
  /** Deflated in the search ('auto' compression deflates again, without a trial, and no other). */
  readonly deflate: boolean;
  /** Stored bytes per row in the search. */
  readonly bytesPerRow: number;
  /** Rows of the searched segment. */
  readonly rows: number;
  /** Segments encoded by this plan since the search. */
  readonly uses: number;
}

/** Segments encoded by a plan before the next full search. */
export const REPLAN_AFTER = 16;
/** A planned result bigger than this factor of the searched size per row (plus a quarter byte) asks for a search. */
const REPLAN_GROWTH = 1.25;
/** Columns shorter than this are always searched (cheap), and make no plan (a few rows say little). */
const MIN_PLAN_ROWS = 4096;

export interface EncodeOptions {
  /** Use this encoding (its nested parts are still chosen); throws USAGE when it does not apply. */
  encoding?: EncodingName;
  compression?: CompressionMode;
  /** The segment's start column (sorted, same rows): makes 'start-offset' possible. */
  start?: Float64Array;
  /** The plan the previous segment's column returned (EncodedColumn.plan); ignored with `encoding`. */
  plan?: ColumnPlan;
}

export interface EncodedColumn {
  /** The bytes stored in the file (deflated when compression is 'deflate'). */
  readonly bytes: Uint8Array;
  readonly encoding: EncodingName;
  readonly compression: CompressionName;
  /** Length of the encoded blob before compression. */
  readonly blobLength: number;
  /** min/max of a numeric column with finite values. */
  readonly stats: ColumnStats | undefined;
  /** The plan to give the next segment's same column; undefined: search it in full then. */
  readonly plan?: ColumnPlan;
}

/** Deflate is kept only when the result is at most this fraction of the blob. */
const MAX_DEFLATE_RATIO = 0.5;
/** Blobs shorter than this are not worth a deflate attempt in 'auto' mode. */
const MIN_DEFLATE_INPUT = 256;
/** Bytes deflated as a trial before deflating a big blob whole. */
const DEFLATE_SAMPLE = 32768;

/**
 * Bytes are multiplied by these when comparing candidates: varint decodes byte by byte, transforms add
 * a pass. So a varint must save more than 23 % over a fixed-width layout to be chosen.
 */
const DECODE_WEIGHT: Readonly<Record<EncodingName, number>> = {
  raw: 1,
  const: 1,
  for: 1,
  dict: 1,
  varint: 1.6,
  delta: 1.05,
  'start-offset': 1.05,
  ipv4: 1,
  'ip-words': 1.05,
  pfor: 1.05,
  'ip-dict': 1,
};

const REQUIREMENT: Readonly<Record<EncodingName, string>> = {
  raw: 'applies to every column',
  const: 'needs every row to hold the same value',
  for: 'needs integers spanning fewer than 2^32 steps',
  dict: 'needs at most 65536 distinct finite values',
  varint: 'needs integers whose range is a safe integer',
  delta: 'needs a numeric column of at least 2 safe integers with safe differences',
  'start-offset': 'needs an f64 column of safe integers and the segment start column',
  ipv4: 'needs an ip column holding only IPv4-mapped addresses',
  'ip-words': 'needs an ip column',
  pfor: 'needs integers of which some, not all, need a wider frame of reference than the rest',
  'ip-dict': 'needs an ip column of at most 65536 distinct addresses',
};

interface Candidate {
  readonly name: EncodingName;
  readonly size: number;
  readonly score: number;
  readonly node: PlanNode;
  encode(): Uint8Array;
}

const NO_INNER: readonly PlanNode[] = [];

function candidate(name: EncodingName, size: number, encode: () => Uint8Array, stepped = false): Candidate {
  return { name, size, score: size * DECODE_WEIGHT[name], node: { encoding: name, inner: NO_INNER, stepped }, encode };
}

/** The profile parts a plan's numeric column needs (every part without a plan). */
function partsFor(node: PlanNode | undefined): ProfileParts {
  if (node === undefined) return ALL_PARTS;
  return { distinct: node.encoding === 'dict', step: node.stepped, sizes: node.encoding === 'varint' || node.encoding === 'pfor' };
}

function best(cands: readonly Candidate[]): Candidate {
  let b = cands[0]!;
  for (const c of cands) if (c.score < b.score) b = c;
  return b;
}

function blobHeader(size: number, name: EncodingName, type: ColumnType): { buf: Uint8Array; dv: DataView } {
  const buf = new Uint8Array(size);
  buf[0] = encodingId(name);
  buf[1] = TYPE_CODES[type];
  return { buf, dv: new DataView(buf.buffer) };
}

function typedView(type: Exclude<ColumnType, 'ip'>, buf: Uint8Array, offset: number, n: number): NumericArray {
  switch (type) {
    case 'f64':
      return new Float64Array(buf.buffer, offset, n);
    case 'u32':
      return new Uint32Array(buf.buffer, offset, n);
    case 'u16':
      return new Uint16Array(buf.buffer, offset, n);
    case 'u8':
      return new Uint8Array(buf.buffer, offset, n);
  }
}

function widthFor(range: number): 1 | 2 | 4 | 0 {
  if (range < 0x100) return 1;
  if (range < 0x10000) return 2;
  if (range <= 0xffffffff) return 4;
  return 0;
}

function uintView(width: 1 | 2 | 4, buf: Uint8Array, offset: number, n: number): Uint8Array | Uint16Array | Uint32Array {
  if (width === 1) return new Uint8Array(buf.buffer, offset, n);
  if (width === 2) return new Uint16Array(buf.buffer, offset, n);
  return new Uint32Array(buf.buffer, offset, n);
}

type NumType = Exclude<ColumnType, 'ip'>;

/** Candidates that store the values themselves (no transform). */
function plainCandidates(values: NumericArray, n: number, type: NumType, p: NumericProfile): Candidate[] {
  const tw = TYPE_WIDTH[type];
  const out: Candidate[] = [];
  if (n > 0 && p.finite && p.min === p.max) {
    out.push(
      candidate('const', 16, () => {
        const { buf, dv } = blobHeader(16, 'const', type);
        dv.setFloat64(8, p.min, true);
        return buf;
      }),
    );
  }
  out.push(
    candidate('raw', 8 + n * tw, () => {
      const { buf } = blobHeader(8 + n * tw, 'raw', type);
      typedView(type, buf, 8, n).set(values.subarray(0, n));
      return buf;
    }),
  );
  const step = p.step === 0 ? 1 : p.step;
  const width = p.integral ? widthFor((p.max - p.min) / step) : 0;
  if (width !== 0) {
    const size = 24 + n * width;
    const encodeFor = (): Uint8Array => {
      const { buf, dv } = blobHeader(size, 'for', type);
      buf[2] = width;
      dv.setFloat64(8, p.min, true);
      dv.setFloat64(16, step, true);
      const dst = uintView(width, buf, 24, n);
      const base = p.min;
      for (let i = 0; i < n; i++) dst[i] = (values[i]! - base) / step;
      return buf;
    };
    out.push(candidate('for', size, encodeFor, step > 1));
  }
  const set = p.distinct;
  if (set !== undefined && n > 0) {
    const d = set.size;
    const iw = d <= 0x100 ? 1 : 2;
    const idxAt = 8 + align8(d * tw);
    const size = idxAt + n * iw;
    out.push(
      candidate('dict', size, () => {
        const { buf, dv } = blobHeader(size, 'dict', type);
        buf[2] = iw;
        dv.setUint32(4, d, true);
        const keys = set.sorted();
        typedView(type, buf, 8, d).set(keys);
        const idx = uintView(iw, buf, idxAt, n);
        set.rankRows(values, n, idx as Uint8Array | Uint16Array);
        return buf;
      }),
    );
  }
  if (p.integral && Number.isFinite(p.varintBytes)) {
    const maxX = (p.max - p.min) / step;
    PFOR_WIDTHS.forEach((w, k) => {
      const e = p.pforExceptions[k]!;
      // no exception: 'for' at this width is smaller; high parts are u32, so x < 2^(8w + 32)
      if (e > 0 && e < n && maxX < 2 ** (8 * w + 32)) out.push(pforCandidate(values, n, type, p.min, step, w, e));
    });
    const size = 24 + p.varintBytes;
    const encodeVarint = (): Uint8Array => {
      const { buf, dv } = blobHeader(size, 'varint', type);
      dv.setUint32(4, p.varintBytes, true);
      dv.setFloat64(8, p.min, true);
      dv.setFloat64(16, step, true);
      const base = p.min;
      let pos = 24;
      for (let i = 0; i < n; i++) {
        let x = (values[i]! - base) / step;
        while (x >= 0x80) {
          buf[pos++] = (x & 0x7f) | 0x80;
          x = Math.floor(x / 0x80);
        }
        buf[pos++] = x;
      }
      return buf;
    };
    out.push(candidate('varint', size, encodeVarint, step > 1));
  }
  return out;
}

/** Widths of the frame of reference of 'pfor' (the exception counts of NumericProfile are in this order). */
const PFOR_WIDTHS = [1, 2, 4] as const;

/**
 * 'pfor': x = (value − base) / step as w-byte low parts p, and for the e rows where x does
 * not fit (ascending), their row numbers and high parts h (u32): x = p + h × 2^(8w).
 */
function pforCandidate(values: NumericArray, n: number, type: NumType, base: number, step: number, w: 1 | 2 | 4, e: number): Candidate {
  const posAt = align8(24 + n * w);
  const size = posAt + 8 * e;
  const encode = (): Uint8Array => {
    const { buf, dv } = blobHeader(size, 'pfor', type);
    buf[2] = w;
    dv.setUint32(4, e, true);
    dv.setFloat64(8, base, true);
    dv.setFloat64(16, step, true);
    const low = uintView(w, buf, 24, n);
    const pos = new Uint32Array(buf.buffer, posAt, e);
    const high = new Uint32Array(buf.buffer, posAt + 4 * e, e);
    const scale = w === 1 ? 0x100 : w === 2 ? 0x10000 : 0x100000000;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const x = (values[i]! - base) / step;
      if (x < scale) {
        low[i] = x;
      } else {
        const h = Math.floor(x / scale);
        low[i] = x - h * scale;
        pos[j] = i;
        high[j++] = h;
      }
    }
    if (j !== e) throw new Error(`encoder bug: pfor found ${j} exceptions, the profile ${e}`);
    return buf;
  };
  return candidate('pfor', size, encode, step > 1);
}

/** A transform's candidate: header bytes + the best plain encoding of the residuals. */
function nested(name: EncodingName, headerBytes: number, inner: Candidate, writeHeader: (dv: DataView) => void, type: ColumnType): Candidate {
  const size = headerBytes + inner.size;
  return {
    name,
    size,
    score: (headerBytes + inner.score) * DECODE_WEIGHT[name],
    node: { encoding: name, inner: [inner.node], stepped: false },
    encode: () => {
      const { buf, dv } = blobHeader(size, name, type);
      writeHeader(dv);
      buf.set(inner.encode(), headerBytes);
      return buf;
    },
  };
}

function deltaCandidate(values: NumericArray, n: number, type: NumType, inner: PlanNode | undefined): Candidate | undefined {
  if (n < 2) return undefined;
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const d = values[i]! - values[i - 1]!;
    if (!Number.isSafeInteger(d) || !Number.isSafeInteger(values[i]!)) return undefined;
    r[i] = d;
  }
  if (!Number.isSafeInteger(values[0]!)) return undefined;
  const residuals = best(plainCandidates(r, n, 'f64', profileNumeric(r, n, partsFor(inner))));
  const first = values[0]!;
  return nested('delta', 16, residuals, (dv) => dv.setFloat64(8, first, true), type);
}

function startOffsetCandidate(values: NumericArray, n: number, start: Float64Array | undefined, inner: PlanNode | undefined): Candidate | undefined {
  if (start === undefined || start.length < n || n === 0) return undefined;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = values[i]! - start[i]!;
    if (!Number.isSafeInteger(d) || !Number.isSafeInteger(values[i]!) || !Number.isSafeInteger(start[i]!)) return undefined;
    r[i] = d;
  }
  const residuals = best(plainCandidates(r, n, 'f64', profileNumeric(r, n, partsFor(inner))));
  return nested('start-offset', 8, residuals, () => undefined, 'f64');
}

function numericCandidates(
  values: NumericArray,
  n: number,
  type: NumType,
  force: EncodingName | undefined,
  start: Float64Array | undefined,
  plan: PlanNode | undefined,
): { cands: Candidate[]; profile: NumericProfile } {
  const p = profileNumeric(values, n, partsFor(plan));
  const cands = plainCandidates(values, n, type, p);
  if (plan !== undefined) {
    // the planned transform only, with its residuals' plan
    const c =
      plan.encoding === 'delta' ? deltaCandidate(values, n, type, plan.inner[0]) : plan.encoding === 'start-offset' && type === 'f64' ? startOffsetCandidate(values, n, start, plan.inner[0]) : undefined;
    if (c !== undefined) cands.push(c);
    return { cands, profile: p };
  }
  // Transforms cost a pass each; try them only where they can pay off (or when asked to).
  const nearlySorted = p.ascending >= 0.9 * (n - 1) && p.min !== p.max;
  const wide = type === 'f64' || type === 'u32';
  if (force === 'delta' || (force === undefined && wide && p.integral && nearlySorted && n >= 2)) {
    const c = deltaCandidate(values, n, type, undefined);
    if (c !== undefined) cands.push(c);
  }
  const startMin = start !== undefined && n > 0 ? start[0]! : Infinity;
  if (type === 'f64' && (force === 'start-offset' || (force === undefined && p.integral && p.min >= startMin && p.min !== p.max))) {
    const c = startOffsetCandidate(values, n, start, undefined);
    if (c !== undefined) cands.push(c);
  }
  return { cands, profile: p };
}

/**
 * 'ip-dict': the sorted dictionary in three runs, the addresses below the IPv4-mapped ones (16
 * bytes each), the IPv4-mapped ones (their low word, 4 bytes), the addresses above (16 bytes).
 */
function ipDictCandidate(words: Uint32Array, n: number, set: IpSet): Candidate {
  const d = set.size;
  const iw = d <= 0x100 ? 1 : 2;
  const below = set.belowV4;
  const v4 = set.v4;
  const idxAt = align8(16 + 16 * d - 12 * v4);
  const size = idxAt + n * iw;
  return candidate('ip-dict', size, () => {
    const { buf, dv } = blobHeader(size, 'ip-dict', 'ip');
    buf[2] = iw;
    dv.setUint32(4, d, true);
    dv.setUint32(8, below, true);
    dv.setUint32(12, v4, true);
    const sorted = set.sorted();
    const out = new Uint32Array(buf.buffer, 16, (idxAt - 16) >>> 2);
    out.set(sorted.subarray(0, 4 * below));
    let o = 4 * below;
    for (let k = below; k < below + v4; k++) out[o++] = sorted[4 * k + 3]!;
    out.set(sorted.subarray(4 * (below + v4)), o);
    const idx = uintView(iw, buf, idxAt, n);
    set.rankRows(words, n, idx as Uint8Array | Uint16Array);
    return buf;
  });
}

function ipCandidates(words: Uint32Array, n: number, force: EncodingName | undefined, plan: PlanNode | undefined): Candidate[] {
  const p = profileIp(words, n, plan === undefined || plan.encoding === 'dict' || plan.encoding === 'ip-dict');
  const cands: Candidate[] = [];
  if (n > 0 && p.constant) {
    cands.push(
      candidate('const', 24, () => {
        const { buf } = blobHeader(24, 'const', 'ip');
        new Uint32Array(buf.buffer, 8, 4).set(words.subarray(0, 4));
        return buf;
      }),
    );
  }
  cands.push(
    candidate('raw', 8 + 16 * n, () => {
      const { buf } = blobHeader(8 + 16 * n, 'raw', 'ip');
      new Uint32Array(buf.buffer, 8, 4 * n).set(words.subarray(0, 4 * n));
      return buf;
    }),
  );
  const set = p.distinct;
  if (set !== undefined && n > 0) {
    const d = set.size;
    const iw = d <= 0x100 ? 1 : 2;
    const idxAt = 8 + 16 * d;
    const size = idxAt + n * iw;
    cands.push(
      candidate('dict', size, () => {
        const { buf, dv } = blobHeader(size, 'dict', 'ip');
        buf[2] = iw;
        dv.setUint32(4, d, true);
        new Uint32Array(buf.buffer, 8, 4 * d).set(set.sorted());
        const idx = uintView(iw, buf, idxAt, n);
        set.rankRows(words, n, idx as Uint8Array | Uint16Array);
        return buf;
      }),
    );
  }
  if (set !== undefined && n > 0) cands.push(ipDictCandidate(words, n, set));
  const word = (k: number): Uint32Array => {
    const w = new Uint32Array(n);
    for (let i = 0; i < n; i++) w[i] = words[4 * i + k]!;
    return w;
  };
  if (p.allV4 && (plan === undefined || plan.encoding === 'ipv4')) {
    const w3 = word(3);
    const inner = best(plainCandidates(w3, n, 'u32', profileNumeric(w3, n, partsFor(plan?.inner[0]))));
    cands.push(nested('ipv4', 8, inner, () => undefined, 'ip'));
    // four word columns can only lose to the low word alone
    if (force !== 'ip-words') return cands;
  }
  if (plan !== undefined && plan.encoding !== 'ip-words') return cands;
  const parts = [0, 1, 2, 3].map((k) => {
    const w = word(k);
    return best(plainCandidates(w, n, 'u32', profileNumeric(w, n, partsFor(plan?.inner[k]))));
  });
  const offsets: number[] = [];
  let size = 24;
  for (const part of parts) {
    offsets.push(size);
    size = align8(size + part.size);
  }
  const innerScore = parts.reduce((s, c) => s + c.score, 0);
  cands.push({
    name: 'ip-words',
    size,
    score: (size - parts.reduce((s, c) => s + c.size, 0) + innerScore) * DECODE_WEIGHT['ip-words'],
    node: { encoding: 'ip-words', inner: parts.map((c) => c.node), stepped: false },
    encode: () => {
      const { buf, dv } = blobHeader(size, 'ip-words', 'ip');
      parts.forEach((part, k) => {
        dv.setUint32(8 + 4 * k, part.size, true);
        buf.set(part.encode(), offsets[k]!);
      });
      return buf;
    },
  });
  return cands;
}

/** On a big blob, deflate a slice from the middle first: most columns that will not shrink show it there. */
function sampleDeflates(blob: Uint8Array): boolean {
  if (blob.length <= 4 * DEFLATE_SAMPLE) return true;
  const mid = blob.length >>> 1;
  const sample = blob.subarray(mid - DEFLATE_SAMPLE / 2, mid + DEFLATE_SAMPLE / 2);
  return deflateRawSync(sample, { level: 1 }).length <= (MAX_DEFLATE_RATIO + 0.1) * DEFLATE_SAMPLE;
}

/**
 * 'raw' without compression, asked for by name (the server's checkpoint, written every few seconds):
 * the values copied as they are, with no profiling pass beyond min/max for the stats.
 */
function encodeRaw(type: ColumnType, values: ColumnArray, rows: number): EncodedColumn {
  const tw = TYPE_WIDTH[type];
  const { buf } = blobHeader(8 + rows * tw, 'raw', type);
  buf.set(new Uint8Array(values.buffer, values.byteOffset, rows * tw), 8);
  let stats: ColumnStats | undefined;
  if (type !== 'ip' && rows > 0) {
    let min = Infinity;
    let max = -Infinity;
    let finite = true;
    for (let i = 0; i < rows; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v - v !== 0) finite = false;
    }
    if (finite) stats = { min, max };
  }
  return { bytes: buf, encoding: 'raw', compression: 'none', blobLength: buf.length, stats };
}

/** The plan to use for this column, if any: one made by a search on a segment of a similar size. */
function usablePlan(options: EncodeOptions, rows: number): ColumnPlan | undefined {
  const plan = options.plan;
  if (plan === undefined || options.encoding !== undefined || rows < MIN_PLAN_ROWS) return undefined;
  // a store's partial segments hold from a few rows to nearly a full one: a quarter to four times the
  // searched size still keeps the same encodings (and the size check below catches the exceptions)
  return rows * 4 >= plan.rows && rows <= plan.rows * 4 ? plan : undefined;
}

/** Encode the first `rows` rows of a column (ip: 4 words a row). */
export function encodeColumn(type: ColumnType, values: ColumnArray, rows: number, options: EncodeOptions = {}): EncodedColumn {
  assertLittleEndian();
  const force = options.encoding;
  if (force !== undefined && !ENCODINGS.includes(force)) {
    throw new StoreError('USAGE', `unknown encoding '${String(force)}' (known: ${ENCODINGS.join(', ')})`);
  }
  if (force === 'raw' && options.compression === 'none') return encodeRaw(type, values, rows);
  const plan = usablePlan(options, rows);
  let cands: Candidate[];
  let stats: ColumnStats | undefined;
  if (type === 'ip') {
    cands = ipCandidates(values as Uint32Array, rows, force, plan?.node);
  } else {
    const r = numericCandidates(values, rows, type, force, options.start, plan?.node);
    cands = r.cands;
    if (r.profile.finite && rows > 0) stats = { min: r.profile.min, max: r.profile.max };
  }
  let chosen: Candidate;
  if (force === undefined) {
    chosen = best(cands);
  } else {
    // the best of its variants (pfor has one per width)
    const forced = cands.filter((x) => x.name === force);
    if (forced.length === 0) throw new StoreError('USAGE', `encoding '${force}' does not apply to this ${type} column: it ${REQUIREMENT[force]}`);
    chosen = best(forced);
  }
  const blob = chosen.encode();
  if (blob.length !== chosen.size) throw new Error(`encoder bug: ${chosen.name} wrote ${blob.length} bytes, planned ${chosen.size}`);
  const mode = options.compression ?? 'auto';
  // with a plan, 'auto' deflates exactly when the search did (no trial); the halving rule still holds
  const tryDeflate = mode === 'deflate' || (mode === 'auto' && blob.length >= MIN_DEFLATE_INPUT && (plan === undefined ? sampleDeflates(blob) : plan.deflate));
  let out: EncodedColumn = { bytes: blob, encoding: chosen.name, compression: 'none', blobLength: blob.length, stats };
  if (tryDeflate) {
    const z = deflateRawSync(blob, { level: 1 });
    if (mode === 'deflate' || z.length <= MAX_DEFLATE_RATIO * blob.length) {
      out = { bytes: new Uint8Array(z.buffer, z.byteOffset, z.length), encoding: chosen.name, compression: 'deflate', blobLength: blob.length, stats };
    }
  }
  if (force !== undefined || rows < MIN_PLAN_ROWS) return out;
  const perRow = out.bytes.length / rows;
  if (plan === undefined) {
    return { ...out, plan: { node: chosen.node, deflate: out.compression === 'deflate', bytesPerRow: perRow, rows, uses: 0 } };
  }
  // the plan no longer fits this column: search it in full now, so that a plan never costs more than
  // REPLAN_GROWTH of the best size (the search returns the new plan)
  if (chosen.name !== plan.node.encoding || perRow > plan.bytesPerRow * REPLAN_GROWTH + 0.25) return encodeColumn(type, values, rows, { ...options, plan: undefined });
  return plan.uses + 1 < REPLAN_AFTER ? { ...out, plan: { ...plan, uses: plan.uses + 1 } } : out;
}
