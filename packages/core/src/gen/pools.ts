// Who talks to whom: named groups of hosts (workstations, resolvers, web servers, scanners…),
// each with Zipf-like popularity, from which every service draws its clients and servers.

import { AliasTable } from './aliastable.js';
import { detPow } from './detmath.js';
import type { Population } from './population.js';
import { Rng } from './rng.js';

export interface PoolDef {
  /** Internal (local network) or external hosts. */
  readonly side: 'int' | 'ext';
  /** Pool size: max(min, round(share × side population)), capped by the population. */
  readonly share: number;
  readonly min: number;
  /** Zipf exponent over the pool's members in order: 0 is uniform, 1 is classic Zipf. */
  readonly zipf: number;
  /** Members in population rank order (the side's busiest hosts first) instead of a pool-specific slice. */
  readonly byRank?: boolean;
  /** Prefer internal hosts from these /24s (inclusive range of X in 10.0.X.0). */
  readonly subnets?: readonly [number, number];
}

export const POOL_DEFS = {
  /** Every internal host as a client: workstations and servers, busiest first. */
  'int-clients': { side: 'int', share: 1, min: 1, zipf: 1, byRank: true },
  /** Every external host as a client of inbound services. */
  'ext-clients': { side: 'ext', share: 1, min: 1, zipf: 1 },
  'int-any': { side: 'int', share: 1, min: 1, zipf: 0 },
  'int-web': { side: 'int', share: 0.02, min: 3, zipf: 1.2 },
  'int-dmz': { side: 'int', share: 0, min: 12, zipf: 1, subnets: [176, 191] },
  'int-mail': { side: 'int', share: 0, min: 3, zipf: 1, subnets: [176, 191] },
  'int-dns': { side: 'int', share: 0, min: 3, zipf: 0.8 },
  'int-dc': { side: 'int', share: 0, min: 4, zipf: 0.7 },
  'int-file': { side: 'int', share: 0, min: 12, zipf: 1, subnets: [232, 255] },
  'int-db': { side: 'int', share: 0, min: 16, zipf: 1, subnets: [232, 255] },
  'int-rdp': { side: 'int', share: 0.03, min: 5, zipf: 1 },
  'int-ssh': { side: 'int', share: 0.08, min: 8, zipf: 1 },
  'int-ntp': { side: 'int', share: 0, min: 2, zipf: 0.5 },
  'int-nms': { side: 'int', share: 0, min: 2, zipf: 0.5 },
  'int-log': { side: 'int', share: 0, min: 2, zipf: 0.5 },
  'int-printers': { side: 'int', share: 0, min: 12, zipf: 0.8 },
  'int-agents': { side: 'int', share: 0.25, min: 10, zipf: 0.2 },
  'int-vpn': { side: 'int', share: 0, min: 2, zipf: 0.5 },
  /** External servers: the busiest external hosts, most of them in content and cloud networks. */
  'ext-web': { side: 'ext', share: 0.6, min: 1, zipf: 1.1, byRank: true },
  'ext-mail': { side: 'ext', share: 0.03, min: 5, zipf: 1 },
  'ext-dns': { side: 'ext', share: 0.05, min: 10, zipf: 1 },
  'ext-resolvers': { side: 'ext', share: 0, min: 4, zipf: 1, byRank: true },
  'ext-ntp': { side: 'ext', share: 0, min: 20, zipf: 0.8 },
  'ext-ssh': { side: 'ext', share: 0.02, min: 5, zipf: 1 },
  'ext-apps': { side: 'ext', share: 0.1, min: 10, zipf: 1 },
  'ext-vpn': { side: 'ext', share: 0, min: 4, zipf: 0.5 },
  'ext-scanners': { side: 'ext', share: 0, min: 8, zipf: 0.8 },
} as const satisfies Record<string, PoolDef>;

export type GenPoolName = keyof typeof POOL_DEFS;

export const POOL_NAMES = Object.keys(POOL_DEFS) as GenPoolName[];

/** A built pool: member host ids and their probabilities. */
export interface HostPool {
  readonly name: GenPoolName;
  readonly internal: boolean;
  readonly hosts: Uint32Array;
  /** Probability of each member; sums to 1. */
  readonly probs: Float64Array;
  /** Draws a member host id. */
  readonly table: AliasTable;
}

/** Build every pool over a population; deterministic in the seed. */
export function buildPools(pop: Population, seed: number): Map<GenPoolName, HostPool> {
  const rng = new Rng(seed, 'pools');
  const intPerm = permutation(pop.nInt, rng);
  const extPerm = permutation(pop.nExt, rng);
  const pools = new Map<GenPoolName, HostPool>();
  for (const name of POOL_NAMES) {
    const def: PoolDef = POOL_DEFS[name];
    const internal = def.side === 'int';
    const n = internal ? pop.nInt : pop.nExt;
    const base = internal ? 0 : pop.nInt;
    const size = Math.min(n, Math.max(def.min, Math.round(def.share * n)));
    const hosts = new Uint32Array(size);
    if (def.byRank) {
      for (let i = 0; i < size; i++) hosts[i] = base + i;
    } else {
      const perm = internal ? intPerm : extPerm;
      const offset = rng.nextInt(n);
      const wanted = def.subnets;
      let k = 0;
      // Members from the wanted subnets first, then (when too few hosts live there) from anywhere.
      if (wanted) {
        for (let i = 0; i < n && k < size; i++) {
          const h = base + perm[(offset + i) % n]!;
          const x = pop.subnet[h]!;
          if (x >= wanted[0] && x <= wanted[1]) hosts[k++] = h;
        }
      }
      const taken = new Set(hosts.subarray(0, k));
      for (let i = 0; i < n && k < size; i++) {
        const h = base + perm[(offset + i) % n]!;
        if (!taken.has(h)) hosts[k++] = h;
      }
    }
    const weights = new Float64Array(size);
    let total = 0;
    for (let i = 0; i < size; i++) {
      weights[i] = def.zipf === 0 ? 1 : 1 / detPow(i + 1, def.zipf);
      total += weights[i]!;
    }
    const probs = new Float64Array(size);
    for (let i = 0; i < size; i++) probs[i] = weights[i]! / total;
    pools.set(name, { name, internal, hosts, probs, table: new AliasTable(weights, hosts) });
  }
  return pools;
}

function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
