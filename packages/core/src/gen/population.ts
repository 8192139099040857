// The hosts of the generated network: an internal population in 10.0.0.0/16 (IPv6 2001:db8::/32) and an
// external one spread over real networks, each host with a stable address pair, AS, country, MAC and OS.

import { packCountry } from '../fields/columns.js';
import { formatIp, parseIp, V4_MAPPED_W2 } from '../fields/ipcodec.js';
import { AliasTable } from './aliastable.js';
import { GEN_AS_TABLE } from './astable.js';
import { GEN_EXPORTERS } from './exporters.js';
import { Rng } from './rng.js';

/** Internal hosts live in 10.0.0.0/16: at most 256 subnets × 254 host numbers. */
export const MAX_INTERNAL_HOSTS = 256 * 254 - GEN_EXPORTERS.length;
/** Internal hosts are this share of all hosts (at least one, at most MAX_INTERNAL_HOSTS). */
export const INTERNAL_SHARE = 0.2;

/** Client operating systems by their ephemeral port ranges. */
const EPHEMERAL = [
  { lo: 49152, hi: 65535 }, // Windows, macOS, IANA
  { lo: 32768, hi: 60999 }, // Linux
];

/** Real OUIs: desktops and laptops, Apple, then virtual machines and servers. */
const OUI_DESKTOP = [0x001422, 0x001a4b, 0x001b21];
const OUI_APPLE = [0x28cfe9, 0x3c0754];
const OUI_SERVER = [0x005056, 0x00155d, 0x002590];

/** First /24 of the data-centre subnets, whose hosts are servers. */
const DC_SUBNET = 232;

interface Block {
  /** First address of the block (IPv4: 32-bit value; IPv6: four words). */
  readonly w: readonly number[];
  /** Prefix length in the family's own bits. */
  readonly bits: number;
  /** IPv4: number of addresses in the block. */
  readonly size: number;
}

function block(cidr: string): Block {
  const slash = cidr.indexOf('/');
  const w = parseIp(cidr.slice(0, slash));
  const bits = Number(cidr.slice(slash + 1));
  if (!w || !(bits >= 0 && bits <= 128)) throw new Error(`bad CIDR in the generator's AS table: ${cidr}`);
  // Integer operations only: `**` may be approximated by the engine.
  return { w: cidr.includes(':') ? w : [w[3]], bits, size: (0xffffffff >>> bits) + 1 };
}

const AS_V4 = GEN_AS_TABLE.map((a) => a.v4.map(block));
const AS_V6 = GEN_AS_TABLE.map((a) => block(a.v6));
const AS_CC = GEN_AS_TABLE.map((a) => packCountry(a.country));
/** Hosts a network can take: half its IPv4 addresses, so a free one is found in a few random tries. */
const AS_CAPACITY = AS_V4.map((blocks) => blocks.reduce((n, b) => n + b.size, 0) / 2);
const EXPORTER_V4 = new Set(GEN_EXPORTERS.map((e) => parseIp(e.address)).filter((w) => w !== null && w[2] === V4_MAPPED_W2).map((w) => w![3]));

export class Population {
  readonly nInt: number;
  readonly nExt: number;
  readonly size: number;
  /** IPv4 address per host (32-bit value; stored IPv4-mapped in columns). */
  readonly v4: Uint32Array;
  /** IPv6 address per host, four words each. */
  readonly v6: Uint32Array;
  readonly asn: Uint32Array;
  /** Packed country code. */
  readonly cc: Uint16Array;
  /** 48-bit MAC for internal hosts; 0 for external ones (seen behind a router). */
  readonly mac: Float64Array;
  /** Internal hosts: X of 10.0.X.0/24. External hosts: 0. */
  readonly subnet: Uint8Array;
  /** External hosts: index into GEN_AS_TABLE. Internal hosts: 0xffff. */
  readonly asIndex: Uint16Array;
  /** Internal hosts: index into GEN_EXPORTERS of the exporter that sees the host's subnet. */
  readonly exporter: Uint8Array;
  /** Ephemeral client port range of the host's operating system. */
  readonly ephLo: Uint16Array;
  readonly ephCount: Uint32Array;

  /**
   * Host ids 0..nInt-1 are internal, nInt.. external; within each side, lower ids are the busier hosts.
   * @param hosts total number of hosts
   */
  constructor(seed: number, hosts: number, localAs: number, localCountry: string) {
    const rng = new Rng(seed, 'hosts');
    this.nInt = Math.min(MAX_INTERNAL_HOSTS, Math.max(1, Math.round(hosts * INTERNAL_SHARE)));
    this.nExt = hosts - this.nInt;
    this.size = hosts;
    const n = hosts;
    this.v4 = new Uint32Array(n);
    this.v6 = new Uint32Array(n * 4);
    this.asn = new Uint32Array(n);
    this.cc = new Uint16Array(n);
    this.mac = new Float64Array(n);
    this.subnet = new Uint8Array(n);
    this.asIndex = new Uint16Array(n);
    this.exporter = new Uint8Array(n);
    this.ephLo = new Uint16Array(n);
    this.ephCount = new Uint32Array(n);
    this.buildInternal(rng, localAs, packCountry(localCountry));
    this.buildExternal(rng);
  }

  private buildInternal(rng: Rng, localAs: number, localCc: number): void {
    // Addresses: a random choice of distinct slots 10.0.X.Y (Y 1..254), so busy hosts are spread over subnets.
    const slots = new Uint32Array(256 * 254);
    let nSlots = 0;
    for (let x = 0; x < 256; x++)
      for (let y = 1; y <= 254; y++) {
        const a = (0x0a000000 | (x << 8) | y) >>> 0;
        if (!EXPORTER_V4.has(a)) slots[nSlots++] = a;
      }
    const exporterOf = new Uint8Array(256);
    GEN_EXPORTERS.forEach((e, i) => {
      for (let x = e.subnets[0]; x <= e.subnets[1]; x++) exporterOf[x] = i;
    });
    for (let h = 0; h < this.nInt; h++) {
      const j = h + rng.nextInt(nSlots - h);
      const a = slots[j]!;
      slots[j] = slots[h]!;
      slots[h] = a;
      const x = (a >>> 8) & 0xff;
      const y = a & 0xff;
      this.v4[h] = a;
      this.v6[h * 4] = 0x20010db8;
      this.v6[h * 4 + 1] = x;
      this.v6[h * 4 + 2] = 0;
      this.v6[h * 4 + 3] = y;
      this.asn[h] = localAs;
      this.cc[h] = localCc;
      this.subnet[h] = x;
      this.asIndex[h] = 0xffff;
      this.exporter[h] = exporterOf[x]!;
      const server = x >= DC_SUBNET;
      const r = rng.nextFloat();
      // Workstations: 65 % Windows, 20 % macOS, 15 % Linux; data-centre hosts: Linux servers and VMs.
      const os = server ? 1 : r < 0.65 ? 0 : r < 0.85 ? 2 : 1;
      const ouis = server ? OUI_SERVER : os === 2 ? OUI_APPLE : OUI_DESKTOP;
      const oui = ouis[rng.nextInt(ouis.length)]!;
      this.mac[h] = oui * 0x1000000 + (rng.nextU32() & 0xffffff);
      this.setEphemeral(h, EPHEMERAL[os === 1 ? 1 : 0]!);
    }
  }

  private buildExternal(rng: Rng): void {
    const weights = GEN_AS_TABLE.map((a) => a.weight);
    const anyAs = new AliasTable(weights);
    const serverAs = new AliasTable(GEN_AS_TABLE.map((a) => (a.kind === 'content' || a.kind === 'cloud' ? a.weight : 0)));
    // The busiest external hosts are the big content and cloud networks' servers.
    const popular = Math.max(10, Math.round(this.nExt * 0.02));
    const usedV4 = new U32Set(this.nExt);
    const perAs = new Float64Array(GEN_AS_TABLE.length);
    for (let k = 0; k < this.nExt; k++) {
      const h = this.nInt + k;
      let ai = (k < popular ? serverAs : anyAs).sample(rng);
      // A full network (only with millions of hosts) sends the host to another one.
      while (perAs[ai]! >= AS_CAPACITY[ai]!) ai = anyAs.sample(rng);
      let a: number;
      do a = this.randomV4(ai, rng);
      while (usedV4.has(a));
      usedV4.add(a);
      perAs[ai]!++;
      this.v4[h] = a;
      const b6 = AS_V6[ai]!;
      for (let i = 0; i < 4; i++) {
        const keep = Math.max(0, Math.min(32, b6.bits - 32 * i));
        const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
        this.v6[h * 4 + i] = ((b6.w[i]! & mask) | (rng.nextU32() & ~mask)) >>> 0;
      }
      this.asn[h] = GEN_AS_TABLE[ai]!.asn;
      this.cc[h] = AS_CC[ai]!;
      this.asIndex[h] = ai;
      const r = rng.nextFloat();
      this.setEphemeral(h, EPHEMERAL[r < 0.7 ? 1 : 0]!);
    }
  }

  /** A random IPv4 address in one of the network's blocks, not ending in .0 or .255. */
  private randomV4(ai: number, rng: Rng): number {
    const blocks = AS_V4[ai]!;
    for (;;) {
      const b = blocks[rng.nextInt(blocks.length)]!;
      const a = (b.w[0]! + rng.nextInt(b.size)) >>> 0;
      if ((a & 0xff) !== 0 && (a & 0xff) !== 255) return a;
    }
  }

  private setEphemeral(h: number, range: { lo: number; hi: number }): void {
    this.ephLo[h] = range.lo;
    this.ephCount[h] = range.hi - range.lo + 1;
  }

  /** The host's address as text, IPv4 or IPv6. */
  address(h: number, v6: boolean): string {
    if (!v6) return formatIp(0, 0, V4_MAPPED_W2, this.v4[h]!);
    const o = h * 4;
    return formatIp(this.v6[o]!, this.v6[o + 1]!, this.v6[o + 2]!, this.v6[o + 3]!);
  }
}

/** A set of 32-bit values with open addressing: a JS Set of millions of numbers is slow to fill. */
class U32Set {
  private readonly keys: Uint32Array;
  private readonly filled: Uint8Array;
  private readonly mask: number;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Uint32Array(cap);
    this.filled = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  private slot(v: number): number {
    let i = Math.imul(v, 0x9e3779b1) >>> 0 & this.mask;
    while (this.filled[i] && this.keys[i] !== v) i = (i + 1) & this.mask;
    return i;
  }

  has(v: number): boolean {
    return this.filled[this.slot(v)] === 1;
  }

  add(v: number): void {
    const i = this.slot(v);
    this.keys[i] = v;
    this.filled[i] = 1;
  }
}
