// The client subnet–service pairs of ftbfg's fingerprint, each with when it was last seen: ids of both
// sides and the time in typed arrays, found through open addressing — 16 bytes a pair, and its hash slot.

import { EntryColumns, PAGE_BYTES } from '../engine/entrycolumns.js';
import { resizableBuffer } from '../engine/resizablebuffer.js';

const EMPTY = -1;
const MIN_BITS = 4;
/** Address space the pairs may take (reserved, committed a page at a time as they come). */
const MAX_BYTES = 2 ** 31;
const KINDS = ['f64', 'u32', 'u32'] as const;
const [SEEN, SERVICE, SUBNET] = [0, 1, 2] as const;

/** Where the pair (service, subnet) starts looking in a table of 2^bits slots: a mix of both ids, its top bits. */
function home(service: number, subnet: number, bits: number): number {
  let h = (Math.imul(service, 0x9e3779b1) + subnet) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> (32 - bits);
}

/** The smallest table for `count` pairs at most three quarters full. */
function bitsFor(count: number): number {
  let bits = MIN_BITS;
  while (count * 4 > (1 << bits) * 3) bits++;
  return bits;
}

export class PairTable {
  /** Per pair (numbered 0 … size - 1, no holes): last seen (ms), service id, subnet id. */
  private readonly entries = new EntryColumns(KINDS, MAX_BYTES);
  private seen = this.entries.f64(SEEN);
  private services = this.entries.u32(SERVICE);
  private subnets = this.entries.u32(SUBNET);
  private count = 0;
  /**
   * Open addressing (linear probing) from a pair to its number, in a buffer resized in place: a rehash
   * places the pairs again from their columns, so the old slots need not outlive the new ones.
   */
  private bits = MIN_BITS;
  private readonly slotBuffer = resizableBuffer(4 << MIN_BITS, MAX_BYTES);
  private readonly slots = new Int32Array(this.slotBuffer).fill(EMPTY);

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  /** Memory the table holds, bytes. */
  get byteLength(): number {
    return this.entries.byteLength + Math.ceil(this.slotBuffer.byteLength / PAGE_BYTES) * PAGE_BYTES;
  }

  /** The number of the pair (service, subnet), or -1. */
  find(service: number, subnet: number): number {
    const mask = this.slots.length - 1;
    for (let i = home(service, subnet, this.bits); ; i = (i + 1) & mask) {
      const e = this.slots[i]!;
      if (e === EMPTY) return -1;
      if (this.services[e] === service && this.subnets[e] === subnet) return e;
    }
  }

  /** Records the pair (service, subnet) as seen at `atMs` (a later time than the one it has, if any); whether it is new. */
  see(service: number, subnet: number, atMs: number): boolean {
    const known = this.find(service, subnet);
    if (known >= 0) {
      if (atMs > this.seen[known]!) this.seen[known] = atMs;
      return false;
    }
    const e = this.count;
    if (e >= this.entries.capacity) this.grow(e + 1);
    this.seen[e] = atMs;
    this.services[e] = service;
    this.subnets[e] = subnet;
    this.count++;
    if (this.count * 4 > this.slots.length * 3) this.rehash(this.bits + 1);
    else this.place(e);
    return true;
  }

  serviceOf(pair: number): number {
    return this.services[pair]!;
  }

  subnetOf(pair: number): number {
    return this.subnets[pair]!;
  }

  /** The pairs' numbers, least recently seen first (among pairs seen at the same time, the lower number first). */
  oldestFirst(): Uint32Array {
    const order = new Uint32Array(this.count);
    for (let e = 0; e < this.count; e++) order[e] = e;
    const seen = this.seen;
    return order.sort((a, b) => seen[a]! - seen[b]! || a - b);
  }

  /**
   * Forgets the pairs marked in `forget` (by number) and renumbers the others densely in their order;
   * their service and subnet ids become `services[id]` and `subnets[id]` (the sides' own renumbering).
   * The memory the forgotten took is given back.
   */
  retain(forget: Uint8Array, services: Int32Array, subnets: Int32Array): void {
    let w = 0;
    for (let e = 0; e < this.count; e++) {
      if (forget[e]) continue;
      const service = services[this.services[e]!]!;
      const subnet = subnets[this.subnets[e]!]!;
      if (service < 0 || subnet < 0) throw new RangeError(`PairTable: pair ${e} is kept but one of its sides is not`);
      this.seen[w] = this.seen[e]!;
      this.services[w] = service;
      this.subnets[w] = subnet;
      w++;
    }
    this.count = w;
    this.entries.shrinkToFit(w);
    this.views();
    this.rehash(bitsFor(w));
  }

  private grow(entries: number): void {
    this.entries.reserve(Math.max(entries, Math.ceil(this.entries.capacity * 1.25)), this.count);
    this.views();
  }

  private views(): void {
    this.seen = this.entries.f64(SEEN);
    this.services = this.entries.u32(SERVICE);
    this.subnets = this.entries.u32(SUBNET);
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let i = home(this.services[e]!, this.subnets[e]!, this.bits);
    while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
    this.slots[i] = e;
  }

  private rehash(bits: number): void {
    this.bits = bits;
    this.slotBuffer.resize(4 << bits);
    this.slots.fill(EMPTY);
    for (let e = 0; e < this.count; e++) this.place(e);
  }
}
