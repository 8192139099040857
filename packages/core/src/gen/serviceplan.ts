// A service from the traffic mix compiled for the per-row loop: its pools resolved to samplers,
// its port rule and session shape turned into plain numbers.

import { AliasTable } from './aliastable.js';
import { detPow } from './detmath.js';
import type { HostPool, GenPoolName } from './pools.js';
import type { Rng } from './rng.js';
import type { GenService, GenPoolMix, GenServiceKind } from './services.js';

export const KIND_TCP = 0;
export const KIND_UDP = 1;
export const KIND_ONEWAY = 2;
export const KIND_ICMP = 3;
export const KIND_TUNNEL = 4;
export const KIND_SCAN = 5;

const KIND_CODES: Record<GenServiceKind, number> = { tcp: KIND_TCP, udp: KIND_UDP, oneway: KIND_ONEWAY, icmp: KIND_ICMP, tunnel: KIND_TUNNEL, scan: KIND_SCAN };

/** Pools with cumulative shares: draw a pool, then a host from it. */
export class PoolChoice {
  readonly pools: readonly HostPool[];
  /** Probability of each pool, summing to 1. */
  readonly shares: Float64Array;
  private readonly cum: Float64Array;

  constructor(pools: readonly HostPool[], weights: readonly number[]) {
    this.pools = pools;
    const total = weights.reduce((a, b) => a + b, 0);
    this.shares = new Float64Array(weights.map((w) => w / total));
    this.cum = new Float64Array(pools.length);
    let acc = 0;
    for (let i = 0; i < pools.length; i++) {
      acc += this.shares[i]!;
      this.cum[i] = acc;
    }
    this.cum[pools.length - 1] = 1;
  }

  /** A host id. */
  sample(rng: Rng): number {
    if (this.pools.length === 1) return this.pools[0]!.table.sample(rng);
    const u = rng.nextFloat();
    let i = 0;
    while (u > this.cum[i]!) i++;
    return this.pools[i]!.table.sample(rng);
  }
}

export class ServicePlan {
  readonly name: string;
  readonly kind: number;
  readonly proto: number;
  /** Protocol over IPv6 (ICMP becomes ICMPv6). */
  readonly proto6: number;
  /** 0: fixed port, 1: from a list, 2: from a range. */
  readonly portMode: number;
  readonly port: number;
  readonly port6: number;
  readonly portTable: AliasTable | null;
  readonly portLo: number;
  readonly portCount: number;
  readonly clients: PoolChoice;
  readonly servers: PoolChoice;
  /** Servers for an external client: the internal pools only. */
  readonly serversInternal: PoolChoice | null;
  readonly fixedClnPort: number;
  readonly fixedClnShare: number;
  readonly clnLo: number;
  readonly clnCount: number;
  readonly reqMed: number;
  readonly reqSigma: number;
  readonly respMed: number;
  readonly respSigma: number;
  readonly seg: number;
  readonly upload: number;
  readonly heavy: number;
  readonly durMed: number;
  readonly durSigma: number;
  readonly tos: number;
  readonly tosShare: number;

  constructor(sv: GenService, pools: ReadonlyMap<GenPoolName, HostPool>) {
    this.name = sv.name;
    this.kind = KIND_CODES[sv.kind];
    this.proto = sv.proto;
    this.proto6 = sv.proto === 1 ? 58 : sv.proto;
    const p = sv.port;
    if (typeof p === 'number') {
      this.portMode = 0;
      this.port = p;
      this.portTable = null;
      this.portLo = p;
      this.portCount = 1;
    } else if ('list' in p) {
      this.portMode = 1;
      this.port = p.list[0]!;
      this.portTable = new AliasTable(
        p.list.map((_, i) => 1 / detPow(i + 1, 0.8)),
        p.list,
      );
      this.portLo = 0;
      this.portCount = 0;
    } else {
      this.portMode = 2;
      this.port = p.lo;
      this.portTable = null;
      this.portLo = p.lo;
      this.portCount = p.hi - p.lo + 1;
    }
    this.port6 = sv.icmp6 ?? this.port;
    this.clients = choice(sv.name, sv.clients, pools, false);
    this.servers = choice(sv.name, sv.servers, pools, false);
    const externalClients = sv.clients.some(([n]) => !pools.get(n)!.internal);
    this.serversInternal = externalClients ? choice(sv.name, sv.servers, pools, true) : null;
    this.fixedClnPort = sv.clnport?.[0] ?? 0;
    this.fixedClnShare = sv.clnport?.[1] ?? 0;
    this.clnLo = sv.clnRange?.lo ?? 0;
    this.clnCount = sv.clnRange ? sv.clnRange.hi - sv.clnRange.lo + 1 : 0;
    [this.reqMed, this.reqSigma] = sv.req;
    [this.respMed, this.respSigma] = sv.resp;
    this.seg = sv.seg;
    this.upload = sv.upload ?? 0;
    this.heavy = sv.heavy ?? 0;
    [this.durMed, this.durSigma] = sv.dur;
    this.tos = (sv.dscp?.[0] ?? 0) << 2;
    this.tosShare = sv.dscp?.[1] ?? 0;
  }

  serverPort(rng: Rng, v6: boolean): number {
    if (this.portMode === 0) return v6 ? this.port6 : this.port;
    if (this.portMode === 1) return this.portTable!.sample(rng);
    return this.portLo + rng.nextInt(this.portCount);
  }
}

function choice(service: string, mix: GenPoolMix, pools: ReadonlyMap<GenPoolName, HostPool>, internalOnly: boolean): PoolChoice {
  const picked = mix.filter(([n]) => !internalOnly || pools.get(n)!.internal);
  if (picked.length === 0) throw new RangeError(`service ${service} has external clients but no internal server pool`);
  return new PoolChoice(
    picked.map(([n]) => pools.get(n)!),
    picked.map(([, w]) => w),
  );
}
