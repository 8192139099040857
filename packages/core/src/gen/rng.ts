// The generator's random source: xoshiro128** on 32-bit integer arithmetic, seeded per named stream,
// so every machine draws the same sequence for the same seed (Math.random is never used).

import { detLog } from './detmath.js';

const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;
const NORMAL_BLOCK = 256;

/** splitmix32-style finaliser: spreads a 32-bit input over all output bits. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a stream name. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class Rng {
  /** xoshiro128** state; an Int32Array keeps the words unboxed (most 32-bit values are not small integers to V8). */
  private readonly s = new Int32Array(4);
  /** Normal variates made a block at a time, so that normal() is small enough to inline. */
  private readonly normals = new Float64Array(NORMAL_BLOCK);
  private normalAt = NORMAL_BLOCK;

  /**
   * @param seed non-negative safe integer
   * @param stream name of an independent stream (e.g. 'hosts', 'rows'): the same seed gives
   *   unrelated sequences per stream, so one part of the model can change without shifting the others.
   */
  constructor(seed: number, stream: string) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    const h = hashName(stream);
    const s = this.s;
    s[0] = mix32(lo ^ mix32(h));
    s[1] = mix32(hi ^ mix32(s[0] ^ 0x6a09e667));
    s[2] = mix32(h ^ mix32(s[1] ^ 0xbb67ae85));
    s[3] = mix32(lo ^ hi ^ mix32(s[2] ^ 0x3c6ef372));
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return r;
  }

  /** Uniform in the open interval (0, 1): never 0, so its logarithm is finite. */
  nextFloat(): number {
    return (this.nextU32() + 0.5) * INV_TWO_32;
  }

  /** Uniform integer in [0, n), n <= 2^32. */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** Standard normal variate. */
  normal(): number {
    if (this.normalAt === NORMAL_BLOCK) this.refillNormals();
    return this.normals[this.normalAt++]!;
  }

  /** Marsaglia's polar method, two variates a round: no trigonometry, so no platform-dependent math. */
  private refillNormals(): void {
    for (let i = 0; i < NORMAL_BLOCK; i += 2) {
      let u: number;
      let v: number;
      let q: number;
      do {
        u = 2 * this.nextFloat() - 1;
        v = 2 * this.nextFloat() - 1;
        q = u * u + v * v;
      } while (q >= 1);
      const f = Math.sqrt((-2 * detLog(q)) / q);
      this.normals[i] = u * f;
      this.normals[i + 1] = v * f;
    }
    this.normalAt = 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
