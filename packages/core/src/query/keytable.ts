// Open-addressing hash table from fixed-width keys of 32-bit words to dense ids,
// held in one typed array so that grouping millions of sessions allocates no objects.

/** murmur3's 32-bit finaliser: spreads sequential addresses and ports over the table. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of `width` words at kb[off..]. */
export function hashWords(kb: Uint32Array, off: number, width: number): number {
  let h = 0x2545f491;
  for (let i = 0; i < width; i++) {
    h = Math.imul(h ^ kb[off + i]!, 0x9e3779b1);
    h = (h << 13) | (h >>> 19);
  }
  return mix32(h ^ width);
}

/** hashWords of the two words a, b, without a scratch array. */
export function hash2(a: number, b: number): number {
  let h = Math.imul(0x2545f491 ^ a, 0x9e3779b1);
  h = (h << 13) | (h >>> 19);
  h = Math.imul(h ^ b, 0x9e3779b1);
  h = (h << 13) | (h >>> 19);
  return mix32(h ^ 2);
}

/** hashWords of the four words a..d (an IPv6 address), without a scratch array. */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(0x2545f491 ^ a, 0x9e3779b1);
  h = (h << 13) | (h >>> 19);
  h = Math.imul(h ^ b, 0x9e3779b1);
  h = (h << 13) | (h >>> 19);
  h = Math.imul(h ^ c, 0x9e3779b1);
  h = (h << 13) | (h >>> 19);
  h = Math.imul(h ^ d, 0x9e3779b1);
  h = (h << 13) | (h >>> 19);
  return mix32(h ^ 4);
}

/**
 * Each slot holds the key words inline followed by id + 1 (0: empty), so a lookup
 * that hits touches one cache line. Linear probing, load factor at most 1/2, doubled
 * by rehashing. Ids are given by the caller, so two tables can share one id space.
 * (Keeping the sums in the slots too was tried: empty slots then cost a whole line
 * each, and high-cardinality rankings got slower.)
 */
export class KeyTable {
  readonly width: number;
  /** Words per slot. */
  readonly stride: number;
  slots: Uint32Array;
  /** Number of slots - 1 (a power of two - 1). */
  mask: number;
  size = 0;

  constructor(width: number, capacity = 64) {
    let n = 32;
    while (n < capacity * 2) n *= 2;
    this.width = width;
    this.stride = width + 1;
    this.slots = new Uint32Array(n * this.stride);
    this.mask = n - 1;
  }

  /** Id of the 1-word key `k`; inserts it with id `next` when absent. */
  get1(k: number, next: number): number {
    const slots = this.slots;
    const wrap = slots.length - 1;
    let i = (mix32(k) & this.mask) << 1;
    for (;;) {
      const g = slots[i + 1]!;
      if (g === 0) break;
      if (slots[i] === k) return g - 1;
      i = (i + 2) & wrap;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.get1(k, next);
    }
    slots[i] = k;
    slots[i + 1] = next + 1;
    this.size++;
    return next;
  }

  /** Id of the 2-word key (a, b) (width 2: entity/value pairs, port/protocol, MACs); inserts it with id `next` when absent. */
  get2(a: number, b: number, next: number): number {
    const slots = this.slots;
    const end = slots.length;
    let i = (hash2(a, b) & this.mask) * 3;
    for (;;) {
      const g = slots[i + 2]!;
      if (g === 0) break;
      if (slots[i] === a && slots[i + 1] === b) return g - 1;
      i += 3;
      if (i === end) i = 0;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.get2(a, b, next);
    }
    slots[i] = a;
    slots[i + 1] = b;
    slots[i + 2] = next + 1;
    this.size++;
    return next;
  }

  /** Id of the 4-word key (a, b, c, d) (width 4: an IPv6 address); inserts it with id `next` when absent. */
  get4(a: number, b: number, c: number, d: number, next: number): number {
    const slots = this.slots;
    const end = slots.length;
    let i = (hash4(a, b, c, d) & this.mask) * 5;
    for (;;) {
      const g = slots[i + 4]!;
      if (g === 0) break;
      if (slots[i + 3] === d && slots[i] === a && slots[i + 1] === b && slots[i + 2] === c) return g - 1;
      i += 5;
      if (i === end) i = 0;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.get4(a, b, c, d, next);
    }
    slots[i] = a;
    slots[i + 1] = b;
    slots[i + 2] = c;
    slots[i + 3] = d;
    slots[i + 4] = next + 1;
    this.size++;
    return next;
  }

  /** Id of the key in kb[0..width) (width > 2); inserts it with id `next` when absent. */
  getN(kb: Uint32Array, next: number): number {
    const w = this.width;
    if (w === 4) return this.get4(kb[0]!, kb[1]!, kb[2]!, kb[3]!, next);
    const stride = this.stride;
    const slots = this.slots;
    const end = slots.length;
    let i = (hashWords(kb, 0, w) & this.mask) * stride;
    for (;;) {
      const g = slots[i + w]!;
      if (g === 0) break;
      let j = 0;
      while (j < w && slots[i + j] === kb[j]) j++;
      if (j === w) return g - 1;
      i += stride;
      if (i === end) i = 0;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.getN(kb, next);
    }
    for (let j = 0; j < w; j++) slots[i + j] = kb[j]!;
    slots[i + w] = next + 1;
    this.size++;
    return next;
  }

  /** Calls fn(offset of the slot in `slots`, id) for every key. */
  forEach(fn: (off: number, id: number) => void): void {
    const { slots, stride, width } = this;
    for (let i = 0; i < slots.length; i += stride) {
      const g = slots[i + width]!;
      if (g !== 0) fn(i, g - 1);
    }
  }

  /** Makes room for `n` keys in all without rehashing on the way (merging partials of known size). */
  reserve(n: number): void {
    while (n * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const { stride, width } = this;
    const n = (this.mask + 1) * 2;
    const slots = new Uint32Array(n * stride);
    const mask = n - 1;
    const end = slots.length;
    for (let o = 0; o < old.length; o += stride) {
      if (old[o + width] === 0) continue;
      const h = width === 1 ? mix32(old[o]!) : width === 2 ? hash2(old[o]!, old[o + 1]!) : hashWords(old, o, width);
      let i = (h & mask) * stride;
      while (slots[i + width] !== 0) {
        i += stride;
        if (i === end) i = 0;
      }
      for (let j = 0; j < stride; j++) slots[i + j] = old[o + j]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
