// The baselines of one slot: every entity's observations there, packed in one byte stream sorted by
// id. Most entities had a few whole values among zeros: they keep those values (Welford replays them
// when read), 4 to 8 bytes; the others keep Welford's moments, about 20.

import { EntryColumns } from './entrycolumns.js';
import { resizableBuffer } from './resizablebuffer.js';
import type { Moments } from './welford.js';

/** The most one entity takes in a table: its id (a step of at most 5 bytes), n and kind (3), moments (16). */
export const SLOT_ENTRY_BYTES = 24;
/**
 * n is kept up to this. A slot gets one observation a day (a week with -bg WEEK or -bdow), so this
 * is 179 years away; should it come, n stays there and each observation weighs 1/65535.
 */
export const MAX_OBSERVATIONS = 65_535;
/** The largest entity id; one more marks "no entity" in merges. */
const MAX_ID = 0x7ffffffe;
const NO_ID = MAX_ID + 1;
/**
 * An entity kept as its values is replayed through Welford each time it is read, its zeros included:
 * past this many observations (2.8 years of days) it keeps its moments instead.
 */
const MAX_REPLAYED = 1023;
/** Values are kept while they take no more than the moments would (two float64). */
const MOMENTS_BYTES = 16;
/** Values kept at most (each takes a byte or more, as does each gap between them). */
const MAX_VALUES = MOMENTS_BYTES;
/** Every this many entries, a mark (the entry's id and where it starts): a lookup reads from the mark before it. */
const MARK_EVERY = 32;
/** Address space a table reserves by default (committed only as it fills). */
const DEFAULT_MAX_BYTES = 2 ** 26;
/** Ids and input positions are packed into one double to sort them together: position < 2^21. */
const POSITION_SPAN = 2 ** 21;

/**
 * The kinds of entries, in the low 2 bits of the varint after the id's (n is the rest): moments
 * (mean and M2, two float64); one whole value x, at the first observation, zeros since (varint x);
 * k whole values (varint k, the first value, then k − 1 times the gap since the one before and the
 * value), the first at the first observation, zeros between and after.
 */
const MOMENTS = 0;
const SPIKE = 1;
const VALUES = 2;

const BYTES = 0;
const [MARK_ID, MARK_AT] = [0, 1] as const;

/** The entry being read or written (one thread): id, kind, n, then its moments or its values and their positions. */
const entry = { id: 0, kind: MOMENTS, n: 0, mean: 0, m2: 0, k: 0 };
const values = new Float64Array(MAX_VALUES);
const positions = new Int32Array(MAX_VALUES);
/** Where reading is in the stream. */
let at = 0;

/** The moments being computed, shared (one thread). */
const state = new Float64Array(3);
/** Float64s are copied through this, the stream being bytes at any offset. */
const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);

/** Welford's step on [n, mean, M2] (welford.ts's addObservation, the same operations), n saturating. */
function step(m: Float64Array, x: number): void {
  const n1 = m[0]! < MAX_OBSERVATIONS ? m[0]! + 1 : m[0]!;
  const mean = m[1]!;
  const delta = x - mean;
  const mean1 = mean + delta / n1;
  m[0] = n1;
  m[1] = mean1;
  m[2] = m[2]! + delta * (x - mean1);
}

/** Whether `x` can be kept as a value: a whole number from 0 to 2^53. */
function isWhole(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

function varintBytes(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function readVarint(b: Uint8Array): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const byte = b[at++]!;
    v += (byte & 127) * scale;
    if (byte < 128) return v;
    scale *= 128;
  }
}

/** Writes `v` at `w`; where the next byte goes. */
function writeVarint(b: Uint8Array, w: number, v: number): number {
  while (v >= 128) {
    b[w++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  b[w++] = v;
  return w;
}

function readFloat(b: Uint8Array): number {
  for (let i = 0; i < 8; i++) floatBytes[i] = b[at + i]!;
  at += 8;
  return float[0]!;
}

function writeFloat(b: Uint8Array, w: number, v: number): number {
  float[0] = v;
  for (let i = 0; i < 8; i++) b[w + i] = floatBytes[i]!;
  return w + 8;
}

/** Reads an entry's n and kind (after its id) into `entry`. */
function readHead(b: Uint8Array): void {
  const head = readVarint(b);
  entry.kind = head % 4;
  entry.n = Math.floor(head / 4);
}

/** Reads the body of the entry whose head was just read into `entry`. */
function readBody(b: Uint8Array): void {
  if (entry.kind === MOMENTS) {
    entry.mean = readFloat(b);
    entry.m2 = readFloat(b);
    return;
  }
  entry.k = entry.kind === SPIKE ? 1 : readVarint(b);
  values[0] = readVarint(b);
  positions[0] = 0;
  for (let j = 1; j < entry.k; j++) {
    positions[j] = positions[j - 1]! + readVarint(b);
    values[j] = readVarint(b);
  }
}

/** Moves past the body of the entry whose head was just read. */
function skipBody(b: Uint8Array): void {
  if (entry.kind === MOMENTS) {
    at += MOMENTS_BYTES;
    return;
  }
  const varints = entry.kind === SPIKE ? 1 : 2 * readVarint(b) - 1;
  for (let v = 0; v < varints; v++) while (b[at++]! >= 128);
}

/** The bytes of `entry`'s values (k, values, gaps) as written. */
function valuesBytes(): number {
  let bytes = entry.k === 1 ? 0 : varintBytes(entry.k);
  for (let j = 0; j < entry.k; j++) bytes += varintBytes(values[j]!) + (j > 0 ? varintBytes(positions[j]! - positions[j - 1]!) : 0);
  return bytes;
}

/** `entry` (values) replayed through Welford into its moments. */
function toMoments(): void {
  state[0] = 0;
  state[1] = 0;
  state[2] = 0;
  for (let i = 0, j = 0; i < entry.n; i++) step(state, j < entry.k && positions[j] === i ? values[j++]! : 0);
  entry.kind = MOMENTS;
  entry.n = state[0]!;
  entry.mean = state[1]!;
  entry.m2 = state[2]!;
}

/** One more observation `x` for `entry`: a value or a zero appended while values fit, else a step of its moments. */
function observe(x: number): void {
  if (entry.kind !== MOMENTS && entry.n < MAX_REPLAYED) {
    if (x === 0) {
      entry.n++;
      return;
    }
    if (isWhole(x) && entry.k < MAX_VALUES) {
      values[entry.k] = x;
      positions[entry.k] = entry.n;
      entry.k++;
      entry.n++;
      if (valuesBytes() <= MOMENTS_BYTES) {
        entry.kind = VALUES;
        return;
      }
      entry.k--;
      entry.n--;
    }
  }
  if (entry.kind !== MOMENTS) toMoments();
  state[0] = entry.n;
  state[1] = entry.mean;
  state[2] = entry.m2;
  step(state, x);
  entry.n = state[0]!;
  entry.mean = state[1]!;
  entry.m2 = state[2]!;
}

/** `entry` as the first observation `x` of an entity: a value when it is whole, else moments. */
function start(x: number): void {
  if (isWhole(x)) {
    entry.kind = SPIKE;
    entry.n = 1;
    entry.k = 1;
    values[0] = x;
    positions[0] = 0;
    return;
  }
  entry.kind = MOMENTS;
  entry.n = 0;
  entry.mean = 0;
  entry.m2 = 0;
  observe(x);
}

/** Writes `entry`'s head and body at `w` (its id's step written before); where the next byte goes. */
function writeEntry(b: Uint8Array, w: number): number {
  const kind = entry.kind === MOMENTS ? MOMENTS : entry.k === 1 ? SPIKE : VALUES;
  w = writeVarint(b, w, entry.n * 4 + kind);
  if (kind === MOMENTS) return writeFloat(b, writeFloat(b, w, entry.mean), entry.m2);
  if (kind === VALUES) w = writeVarint(b, w, entry.k);
  w = writeVarint(b, w, values[0]!);
  for (let j = 1; j < entry.k; j++) w = writeVarint(b, writeVarint(b, w, positions[j]! - positions[j - 1]!), values[j]!);
  return w;
}

/** A table's stream being rewritten into shared scratch (one thread): grows to the largest table written. */
class StreamWriter {
  readonly bytes = new EntryColumns(['u8'], 2 ** 31);
  readonly marks = new EntryColumns(['u32', 'u32'], 2 ** 31);
  out = this.bytes.u8(BYTES);
  w = 0;
  count = 0;
  private prev = -1;

  /** Room for `entries` entries of at most SLOT_ENTRY_BYTES. */
  begin(entries: number): void {
    this.bytes.reserve(entries * SLOT_ENTRY_BYTES, 0);
    this.marks.reserve(Math.ceil(entries / MARK_EVERY) + 1, 0);
    this.out = this.bytes.u8(BYTES);
    this.w = 0;
    this.count = 0;
    this.prev = -1;
  }

  /** Starts entry `id` (ids ascending): its id's step, and a mark when it is due. */
  id(id: number): void {
    if (this.count % MARK_EVERY === 0) {
      const m = this.count / MARK_EVERY;
      this.marks.u32(MARK_ID)[m] = id;
      this.marks.u32(MARK_AT)[m] = this.w;
    }
    this.w = writeVarint(this.out, this.w, id - this.prev);
    this.prev = id;
    this.count++;
  }
}

/** Sort and merge scratch shared by every table (one thread). */
const writer = new StreamWriter();
/** Input ids packed with their positions, sorted: grows in place to the largest slot learnt. */
const orderBuffer = resizableBuffer(0, POSITION_SPAN * 8);
const order = new Float64Array(orderBuffer);
const single = { id: new Int32Array(1), x: new Float64Array(1) };

export class SlotTable {
  /** The entries, sorted by id (see MOMENTS, SPIKE, VALUES). */
  private readonly stream: EntryColumns;
  private count = 0;
  /** Every MARK_EVERY-th entry's id and offset. */
  private readonly marks: EntryColumns;

  /** `maxBytes`: the most the table may take (address space reserved once large; default 64 MiB). */
  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.stream = new EntryColumns(['u8'], maxBytes);
    this.marks = new EntryColumns(['u32', 'u32'], maxBytes);
  }

  /** Entities with a baseline in this slot. */
  get size(): number {
    return this.count;
  }

  /** Memory the table holds, in bytes. */
  get byteLength(): number {
    return this.stream.byteLength + this.marks.byteLength;
  }

  /** The moments of entity `id`, undefined when it has no baseline here. */
  moments(id: number): Moments | undefined {
    if (!this.find(id)) return undefined;
    readBody(this.stream.u8(BYTES));
    if (entry.kind !== MOMENTS) toMoments();
    return { n: entry.n, mean: entry.mean, m2: entry.m2 };
  }

  has(id: number): boolean {
    return this.find(id);
  }

  /** Adds observation `x` to entity `id`'s moments (Welford), creating them when absent. */
  observe(id: number, x: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id <= MAX_ID)) throw new RangeError(`SlotTable: entity ids are whole numbers from 0 to ${MAX_ID}, got ${id}`);
    single.id[0] = id;
    single.x[0] = x;
    this.observeAll(single.id, single.x, 1, false);
  }

  /**
   * One window of this slot: entity `ids[k]` observed `xs[k]` for every k < `length` (ids need not be
   * sorted; an id given twice keeps its last value), and when `silentObserveZero` every other entity
   * with a baseline here observes 0. One merge over the stream, into scratch copied back.
   */
  observeAll(ids: Int32Array, xs: Float64Array, length: number, silentObserveZero: boolean): void {
    const sorted = sortById(ids, length);
    const b = this.stream.u8(BYTES);
    writer.begin(this.count + length);
    const out = writer.out;
    at = 0;
    let left = this.count;
    let prevOld = -1;
    let oldId = NO_ID;
    const nextOld = (): void => {
      if (left === 0) {
        oldId = NO_ID;
        return;
      }
      left--;
      oldId = prevOld + readVarint(b);
      prevOld = oldId;
      // its head is read when its turn comes: a new entry written before it takes \`entry\` meanwhile
    };
    nextOld();
    let j = 0;
    for (;;) {
      // the next input id, skipping to the last of repeated ones
      while (j + 1 < length && Math.floor(sorted[j]! / POSITION_SPAN) === Math.floor(sorted[j + 1]! / POSITION_SPAN)) j++;
      const inId = j < length ? Math.floor(sorted[j]! / POSITION_SPAN) : NO_ID;
      const id = Math.min(inId, oldId);
      if (id === NO_ID) break;
      const given = id === inId;
      const x = given ? xs[sorted[j]! - id * POSITION_SPAN]! : 0;
      if (given) j++;
      writer.id(id);
      if (id !== oldId) {
        start(x);
        writer.w = writeEntry(out, writer.w);
        continue;
      }
      readHead(b);
      if (!given && (!silentObserveZero || (entry.kind !== MOMENTS && entry.n < MAX_REPLAYED))) {
        // unchanged but for n: the body is copied as it is
        const n = silentObserveZero ? entry.n + 1 : entry.n;
        writer.w = writeVarint(out, writer.w, n * 4 + entry.kind);
        const from = at;
        skipBody(b);
        for (let i = from; i < at; i++) out[writer.w++] = b[i]!;
      } else {
        readBody(b);
        observe(x);
        writer.w = writeEntry(out, writer.w);
      }
      nextOld();
    }
    this.keep();
  }

  /** Removes entity `id`; false when it had no baseline here. */
  delete(id: number): boolean {
    if (!this.find(id)) return false;
    this.rewrite((e) => e !== id);
    return true;
  }

  /** Removes every entity whose id is marked (`marked[id]` not 0); how many were here. */
  deleteMarked(marked: Uint8Array): number {
    const before = this.count;
    this.rewrite((id) => !marked[id]);
    return before - this.count;
  }

  /** Calls `fn` with every entity id that has a baseline here, each once (the table must not change meanwhile). */
  forEachId(fn: (id: number) => void): void {
    const b = this.stream.u8(BYTES);
    at = 0;
    let id = -1;
    for (let e = 0; e < this.count; e++) {
      id += readVarint(b);
      readHead(b);
      skipBody(b);
      const here = at;
      fn(id);
      at = here;
    }
  }

  /** Whether entity `id` is here; if so, its head is in `entry` and `at` is at its body. */
  private find(id: number): boolean {
    const marks = Math.ceil(this.count / MARK_EVERY);
    const ids = this.marks.u32(MARK_ID);
    // the last mark at or before id
    let lo = 0;
    let hi = marks - 1;
    let m = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! <= id) {
        m = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (m < 0) return false;
    const b = this.stream.u8(BYTES);
    at = this.marks.u32(MARK_AT)[m]!;
    readVarint(b);
    let current = ids[m]!;
    for (let e = m * MARK_EVERY; ; ) {
      readHead(b);
      if (current === id) {
        entry.id = id;
        return true;
      }
      if (current > id || ++e >= this.count) return false;
      skipBody(b);
      current += readVarint(b);
    }
  }

  /** Keeps the entries whose id `keep` accepts (copied as they are). */
  private rewrite(keep: (id: number) => boolean): void {
    const b = this.stream.u8(BYTES);
    writer.begin(this.count);
    at = 0;
    let id = -1;
    for (let e = 0; e < this.count; e++) {
      id += readVarint(b);
      const from = at;
      readHead(b);
      skipBody(b);
      if (!keep(id)) continue;
      writer.id(id);
      for (let i = from; i < at; i++) writer.out[writer.w++] = b[i]!;
    }
    this.keep();
  }

  /** Takes what the writer wrote as this table's stream and marks, giving back the memory it no longer needs. */
  private keep(): void {
    const bytes = writer.w;
    const marks = Math.ceil(writer.count / MARK_EVERY);
    this.stream.reserve(bytes, 0);
    this.stream.u8(BYTES).set(writer.out.subarray(0, bytes));
    this.stream.shrinkToFit(bytes);
    this.marks.reserve(marks, 0);
    this.marks.u32(MARK_ID).set(writer.marks.u32(MARK_ID).subarray(0, marks));
    this.marks.u32(MARK_AT).set(writer.marks.u32(MARK_AT).subarray(0, marks));
    this.marks.shrinkToFit(marks);
    this.count = writer.count;
  }
}

/** `ids[0, length)` packed with their positions (id * POSITION_SPAN + k) and sorted: by id, then position. */
function sortById(ids: Int32Array, length: number): Float64Array {
  if (length > POSITION_SPAN) throw new RangeError(`SlotTable: at most ${POSITION_SPAN} observations at once, got ${length}`);
  if (order.length < length) orderBuffer.resize(Math.max(length, order.length * 2) * 8);
  for (let k = 0; k < length; k++) {
    const id = ids[k]!;
    if (id < 0 || id > MAX_ID) throw new RangeError(`SlotTable: entity ids are whole numbers from 0 to ${MAX_ID}, got ${id}`);
    order[k] = id * POSITION_SPAN + k;
  }
  return order.subarray(0, length).sort();
}
