// The tracker's session slots: fixed-size records in one ArrayBuffer (read through typed-array
// views), an open-addressing hash index on the session key, an intrusive least-recently-updated
// list and a free list, all over slot numbers: no object per session.

import { KEY_WORDS } from './flowkey.js';

/**
 * Bytes per slot. A slot's fields sit together (not one array per field) because updates hit
 * random slots: one slot is then 3-4 cache lines instead of one line per field (~30).
 */
export const SLOT_BYTES = 224;
/** Slot stride in each view's units. */
export const S64 = SLOT_BYTES / 8;
export const S32 = SLOT_BYTES / 4;
export const S16 = SLOT_BYTES / 2;

// Field offsets within a slot, in units of the view that reads them. Byte layout:
//   0-59 key (KEY_WORDS u32) | 60 hash | 64 pA 72 bA 80 pB 88 bB 96 start 104 end 112 act (f64)
//   120 prev 124 next (i32) | 128 flows 132 inIf 136 outIf 140 asA 144 asB 148 mpls 152 rate (u32)
//   156 vlanIn 158 vlanOut 160 evt 162 extEvt 164 xpA 166 xpB (u16) | 168 state 169 flags 170 tos 171 expv
//   172 origin (u8) | 176 macA 184 macB (f64) | 192 xA 208 xB (4 u32 each)
/** u32: the session key (KEY_WORDS words from 0) and its hash. */
export const F_HASH = 15;
/** f64: packets and bytes sent by endpoint A / B in the current record. */
export const F_PA = 8;
export const F_BA = 9;
export const F_PB = 10;
export const F_BB = 11;
/** f64: first and last packet of the record. */
export const F_START = 12;
export const F_END = 13;
/** f64: last activity for expiry: the latest flow end, capped at the tracker clock when it was merged. */
export const F_ACT = 14;
/** i32: neighbours in the least-recently-updated order (-1: none); `next` also chains free slots. */
export const F_PREV = 30;
export const F_NEXT = 31;
/** u32 */
export const F_FLOWS = 32;
/** u32: interfaces as the flow they came from saw them (sender per ST_ATTR_B); VLANs likewise. */
export const F_INIF = 33;
export const F_OUTIF = 34;
export const F_ASA = 35;
export const F_ASB = 36;
export const F_MPLS = 37;
export const F_RATE = 38;
/** u16 */
export const F_VLANIN = 78;
export const F_VLANOUT = 79;
export const F_EVT = 80;
export const F_EXTEVT = 81;
/** u16: translated (NAT) port of endpoint A / B. */
export const F_XPA = 82;
export const F_XPB = 83;
/** u8 */
export const F_STATE = 168;
export const F_FLAGS = 169;
export const F_TOS = 170;
export const F_EXPV = 171;
/** u8: the SamplingOrigin of the rate in F_RATE. */
export const F_ORIGIN = 172;
/** f64 */
export const F_MACA = 22;
export const F_MACB = 23;
/** u32: translated (NAT) address of endpoint A / B, 4 words each. */
export const F_XA = 48;
export const F_XB = 52;

/** Slot state bits (F_STATE). */
export const ST_CLIENT_B = 1; // endpoint B is the client (else A)
export const ST_LEVEL_SHIFT = 1; // bits 1-2: strength of the evidence for the client (Evidence)
export const ST_LEVEL_MASK = 3 << ST_LEVEL_SHIFT;
export const ST_ATTR_B = 8; // ToS / interfaces / VLANs were taken from a flow sent by B
export const ST_NSEL_CLOSED = 16; // an NSEL flow-teardown has been merged
export const ST_NSEL = 32; // NSEL records have been merged (a split base may be kept for it)

/** How strongly the client was established, weakest first; stronger evidence overrides weaker. */
export const Evidence = { firstSeen: 0, servicePort: 1, initiator: 2, handshake: 3 } as const;

const MIN_INDEX = 16;

/**
 * Session slots, at most `capacity`, allocated as needed (doubling) so memory follows the number of
 * active sessions. Index: linear probing with backward-shift deletion, kept at most half full; each
 * entry is two words, slot + 1 (0 = empty) and the key's hash, so that probing past other keys (and
 * finding their home buckets when deleting) reads only the index, never their slots: at a million
 * sessions every slot read is a cache miss. Order: `head` is the least recently updated slot, `tail`
 * the most recent. The views are replaced when the table grows (only in reserve()).
 */
export class SessionTable {
  readonly capacity: number;
  /** Slots that have storage. */
  allocated = 0;
  /** Slots in use. */
  size = 0;
  head = -1;
  tail = -1;
  private hwm = 0;
  private freeHead = -1;
  private freeCount = 0;
  /** Entry p: index[2p] = slot + 1 (0: empty), index[2p + 1] = the key's hash. */
  private index = new Int32Array(2 * MIN_INDEX);
  private mask = MIN_INDEX - 1;
  f64 = new Float64Array(0);
  u32 = new Uint32Array(0);
  i32 = new Int32Array(0);
  u16 = new Uint16Array(0);
  u8 = new Uint8Array(0);

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Make sure `n` more slots can be taken without allocating (up to capacity); views may be replaced. */
  reserve(n: number): void {
    const want = Math.min(this.capacity, this.hwm + Math.max(0, n - this.freeCount));
    if (want <= this.allocated) return;
    this.grow(Math.min(this.capacity, Math.max(want, this.allocated * 2, 64)));
  }

  /** The slot holding the key at `key[at]` (hash `h`), or -1. */
  find(key: Uint32Array, at: number, h: number): number {
    const idx = this.index;
    const mask = this.mask;
    const u32 = this.u32;
    const hi = h | 0;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = idx[2 * p]!;
      if (e === 0) return -1;
      if (idx[2 * p + 1] !== hi) continue;
      const o = (e - 1) * S32;
      let j = 0;
      while (j < KEY_WORDS && u32[o + j] === key[at + j]) j++;
      if (j === KEY_WORDS) return e - 1;
    }
  }

  /**
   * Take a free slot for the key at `key[at]` (not present), index it and make it the most recent.
   * The caller has made room (size < capacity) and reserved storage. Other fields hold stale values.
   */
  add(key: Uint32Array, at: number, h: number): number {
    let s = this.freeHead;
    if (s >= 0) {
      this.freeHead = this.i32[s * S32 + F_NEXT]!;
      this.freeCount--;
    } else {
      s = this.hwm++;
    }
    const o = s * S32;
    const u32 = this.u32;
    for (let j = 0; j < KEY_WORDS; j++) u32[o + j] = key[at + j]!;
    u32[o + F_HASH] = h;
    const idx = this.index;
    const mask = this.mask;
    let p = h & mask;
    while (idx[2 * p] !== 0) p = (p + 1) & mask;
    idx[2 * p] = s + 1;
    idx[2 * p + 1] = h;
    this.size++;
    this.linkTail(s);
    return s;
  }

  /** Drop slot `s` from the index and the order and put it on the free list. */
  remove(s: number): void {
    const idx = this.index;
    const mask = this.mask;
    let i = this.u32[s * S32 + F_HASH]! & mask;
    while (idx[2 * i] !== s + 1) i = (i + 1) & mask;
    // backward-shift deletion: move later entries of the probe run into the hole unless their home
    // lies cyclically in (hole, entry]
    for (let j = i; ; ) {
      j = (j + 1) & mask;
      const e = idx[2 * j]!;
      if (e === 0) break;
      const h = idx[2 * j + 1]!;
      const home = h & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      idx[2 * i] = e;
      idx[2 * i + 1] = h;
      i = j;
    }
    idx[2 * i] = 0;
    idx[2 * i + 1] = 0;
    this.unlink(s);
    this.i32[s * S32 + F_NEXT] = this.freeHead;
    this.freeHead = s;
    this.freeCount++;
    this.size--;
  }

  /** Make `s` the most recently updated slot. */
  touch(s: number): void {
    if (this.tail === s) return;
    this.unlink(s);
    this.linkTail(s);
  }

  /** The slot after `s` in least-recently-updated order (-1 at the end). */
  after(s: number): number {
    return this.i32[s * S32 + F_NEXT]!;
  }

  /** Bytes of typed-array storage held (slots and index). */
  memoryBytes(): number {
    return this.u8.byteLength + this.index.byteLength;
  }

  private linkTail(s: number): void {
    const i32 = this.i32;
    const t = this.tail;
    i32[s * S32 + F_PREV] = t;
    i32[s * S32 + F_NEXT] = -1;
    if (t >= 0) i32[t * S32 + F_NEXT] = s;
    else this.head = s;
    this.tail = s;
  }

  private unlink(s: number): void {
    const i32 = this.i32;
    const p = i32[s * S32 + F_PREV]!;
    const n = i32[s * S32 + F_NEXT]!;
    if (p >= 0) i32[p * S32 + F_NEXT] = n;
    else this.head = n;
    if (n >= 0) i32[n * S32 + F_PREV] = p;
    else this.tail = p;
  }

  private grow(cap: number): void {
    const buf = new ArrayBuffer(cap * SLOT_BYTES);
    const u8 = new Uint8Array(buf);
    u8.set(this.u8);
    this.u8 = u8;
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u16 = new Uint16Array(buf);
    this.allocated = cap;
    let size = MIN_INDEX;
    while (size < cap * 2) size *= 2;
    if (size !== this.mask + 1) this.rehash(size);
  }

  private rehash(size: number): void {
    const idx = new Int32Array(2 * size);
    const mask = size - 1;
    for (let s = this.head; s >= 0; s = this.i32[s * S32 + F_NEXT]!) {
      const h = this.u32[s * S32 + F_HASH]!;
      let p = h & mask;
      while (idx[2 * p] !== 0) p = (p + 1) & mask;
      idx[2 * p] = s + 1;
      idx[2 * p + 1] = h;
    }
    this.index = idx;
    this.mask = mask;
  }
}
