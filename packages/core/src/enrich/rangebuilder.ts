// Turns inclusive address ranges, in any order and possibly overlapping, into the step functions of
// a RangeTable; then blanks reserved networks. Keys are 1 word (IPv4) or 4 words (IPv6) per address.

/** A step function under construction: `words` words per start, one value per start, the first start 0. */
export interface StepFunction {
  readonly words: 1 | 4;
  readonly starts: Uint32Array;
  readonly values: Uint32Array;
}

/** A growable Uint32Array. */
class U32Vec {
  data = new Uint32Array(1024);
  length = 0;

  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint32Array(size);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  push(v: number): void {
    this.reserve(1);
    this.data[this.length++] = v;
  }

  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

function compareKeys(a: Uint32Array, ao: number, b: Uint32Array, bo: number, words: number): number {
  for (let k = 0; k < words; k++) if (a[ao + k] !== b[bo + k]) return a[ao + k]! < b[bo + k]! ? -1 : 1;
  return 0;
}

/** dst = src + 1; returns false (dst unchanged) when src is the last address of the space. */
function incrementKey(src: Uint32Array, so: number, dst: Uint32Array, words: number): boolean {
  let k = words - 1;
  while (k >= 0 && src[so + k] === 0xffffffff) k--;
  if (k < 0) return false;
  for (let j = 0; j < k; j++) dst[j] = src[so + j]!;
  dst[k] = src[so + k]! + 1;
  for (let j = k + 1; j < words; j++) dst[j] = 0;
  return true;
}

/** Appends steps, replacing a step at the same start and skipping one that repeats the previous value. */
class StepWriter {
  private readonly starts = new U32Vec();
  private readonly values = new U32Vec();

  constructor(private readonly words: 1 | 4) {}

  emit(key: Uint32Array, ko: number, value: number): void {
    const w = this.words;
    const n = this.values.length;
    const s = this.starts.data;
    const v = this.values.data;
    if (n > 0 && compareKeys(s, (n - 1) * w, key, ko, w) === 0) {
      // A later range starting at the same address wins; drop the step if it now repeats its predecessor.
      if (n > 1 && v[n - 2] === value) {
        this.values.length--;
        this.starts.length -= w;
      } else {
        v[n - 1] = value;
      }
      return;
    }
    if (n > 0 && v[n - 1] === value) return;
    for (let k = 0; k < w; k++) this.starts.push(key[ko + k]!);
    this.values.push(value);
  }

  finish(): StepFunction {
    return { words: this.words, starts: this.starts.toArray(), values: this.values.toArray() };
  }
}

/**
 * Collects inclusive ranges [start, end] with a value. Where ranges overlap, the one with the later
 * start wins (on equal starts, the one added last): a more specific range inside a wider one takes
 * precedence, and the wider one resumes after it. Addresses in no range get 0.
 */
export class RangeBuilder {
  readonly words: 1 | 4;
  private readonly bounds = new U32Vec();
  private readonly vals = new U32Vec();

  constructor(words: 1 | 4) {
    this.words = words;
  }

  /** Add a range; start and end hold `words` words each (IPv6: big-endian words). Throws RangeError if end < start. */
  add(start: ArrayLike<number>, end: ArrayLike<number>, value: number): void {
    const w = this.words;
    this.bounds.reserve(2 * w);
    const b = this.bounds.data;
    const at = this.bounds.length;
    for (let k = 0; k < w; k++) {
      b[at + k] = start[k]!;
      b[at + w + k] = end[k]!;
    }
    if (compareKeys(b, at, b, at + w, w) > 0) throw new RangeError('the range ends before it starts');
    this.bounds.length += 2 * w;
    this.vals.push(value);
  }

  build(): StepFunction {
    const w = this.words;
    const n = this.vals.length;
    const b = this.bounds.data;
    const vals = this.vals.data;
    const order = this.sortedOrder();
    const out = new StepWriter(w);
    const zero = new Uint32Array(w);
    const next = new Uint32Array(w);
    out.emit(zero, 0, 0);
    // Indices of the ranges covering the sweep position, later starts on top.
    const stack: number[] = [];
    const endAt = (r: number): number => r * 2 * w + w;
    /** Pop the top range and every range under it that ends no later; emit what resumes after it. Returns false at the end of the space. */
    const closeTop = (): boolean => {
      const top = stack.pop()!;
      while (stack.length > 0 && compareKeys(b, endAt(stack[stack.length - 1]!), b, endAt(top), w) <= 0) stack.pop();
      if (!incrementKey(b, endAt(top), next, w)) return false;
      out.emit(next, 0, stack.length === 0 ? 0 : vals[stack[stack.length - 1]!]!);
      return true;
    };
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      const startAt = r * 2 * w;
      while (stack.length > 0 && compareKeys(b, endAt(stack[stack.length - 1]!), b, startAt, w) < 0) closeTop();
      out.emit(b, startAt, vals[r]!);
      stack.push(r);
    }
    while (stack.length > 0) {
      if (!closeTop()) break;
    }
    return out.finish();
  }

  /** Range indices by start, ties in insertion order; files are nearly always sorted already. */
  private sortedOrder(): Uint32Array {
    const w = this.words;
    const n = this.vals.length;
    const b = this.bounds.data;
    const order = new Uint32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (i > 0 && sorted && compareKeys(b, (i - 1) * 2 * w, b, i * 2 * w, w) > 0) sorted = false;
    }
    if (sorted) return order;
    const idx = Array.from(order);
    idx.sort((x, y) => compareKeys(b, x * 2 * w, b, y * 2 * w, w) || x - y);
    return Uint32Array.from(idx);
  }
}

/** Where `mask` is non-zero the result is 0, elsewhere it is `base`. Both step functions have the same word count. */
export function blankMasked(base: StepFunction, mask: StepFunction): StepFunction {
  const w = base.words;
  const out = new StepWriter(w);
  const bn = base.values.length;
  const mn = mask.values.length;
  let bi = 0;
  let mi = 0;
  let baseValue = 0;
  let masked = false;
  // Both start at 0: walk the union of their starts in order.
  while (bi < bn || mi < mn) {
    let c: number;
    if (bi >= bn) c = 1;
    else if (mi >= mn) c = -1;
    else c = compareKeys(base.starts, bi * w, mask.starts, mi * w, w);
    let key: Uint32Array;
    let ko: number;
    if (c <= 0) {
      key = base.starts;
      ko = bi * w;
      baseValue = base.values[bi++]!;
      if (c === 0) masked = mask.values[mi++] !== 0;
    } else {
      key = mask.starts;
      ko = mi * w;
      masked = mask.values[mi++] !== 0;
    }
    out.emit(key, ko, masked ? 0 : baseValue);
  }
  return out.finish();
}
