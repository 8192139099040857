// Everything about the generated network that does not depend on time: hosts, pools and the compiled
// traffic mix. Built from the seed, the host count and the local AS/country only, so the same network
// (and the same busiest hosts) comes out whatever the number of sessions or the span.

import { AliasTable } from './aliastable.js';
import { buildPools, type HostPool, type GenPoolName } from './pools.js';
import { Population } from './population.js';
import { ServicePlan, type PoolChoice } from './serviceplan.js';
import { GEN_SERVICES } from './services.js';

/** A host as the generator sees it: the busiest first. */
export interface BusyHost {
  /** IPv4 address (every host also has an IPv6 address, used by its IPv6 sessions). */
  readonly address: string;
  readonly address6: string;
  /** Whether the host is on the local network (10.0.0.0/16). */
  readonly internal: boolean;
  /** Expected share of all sessions the host takes part in, 0..1. */
  readonly share: number;
}

export class NetworkModel {
  readonly population: Population;
  readonly pools: ReadonlyMap<GenPoolName, HostPool>;
  readonly plans: readonly ServicePlan[];
  /** Probability of each plan, summing to 1. */
  readonly planShares: Float64Array;
  readonly planTable: AliasTable;

  constructor(seed: number, hosts: number, localAs: number, localCountry: string) {
    this.population = new Population(seed, hosts, localAs, localCountry);
    this.pools = buildPools(this.population, seed);
    this.plans = GEN_SERVICES.map((s) => new ServicePlan(s, this.pools));
    const weights = GEN_SERVICES.map((s) => s.weight);
    const total = weights.reduce((a, b) => a + b, 0);
    this.planShares = new Float64Array(weights.map((w) => w / total));
    this.planTable = new AliasTable(weights);
  }

  /**
   * Expected share of sessions each host takes part in (as client or server), from the model's
   * probabilities rather than from generated rows. Ignores the rare redraw when a host would talk to itself.
   */
  hostShares(): Float64Array {
    // Probability mass each pool receives, then spread over the pool's members once.
    const mass = new Map<HostPool, number>();
    const add = (choice: PoolChoice, m: number): void =>
      choice.pools.forEach((pool, j) => mass.set(pool, (mass.get(pool) ?? 0) + m * choice.shares[j]!));
    this.plans.forEach((plan, i) => {
      const ps = this.planShares[i]!;
      let extClients = 0;
      plan.clients.pools.forEach((pool, j) => {
        if (!pool.internal) extClients += ps * plan.clients.shares[j]!;
      });
      add(plan.clients, ps);
      add(plan.servers, ps - extClients);
      if (plan.serversInternal) add(plan.serversInternal, extClients);
    });
    const share = new Float64Array(this.population.size);
    for (const [pool, m] of mass) for (let k = 0; k < pool.hosts.length; k++) share[pool.hosts[k]!]! += m * pool.probs[k]!;
    return share;
  }

  /** The `n` hosts with the largest expected share, busiest first (ties: lower host id). */
  busiestHosts(n: number): BusyHost[] {
    const share = this.hostShares();
    const pop = this.population;
    const k = Math.min(n, pop.size);
    // Keep the best k in order while scanning: k is small, the population may be millions.
    const top: number[] = [];
    for (let h = 0; h < pop.size; h++) {
      if (top.length === k && share[h]! <= share[top[k - 1]!]!) continue;
      let at = top.length < k ? top.length : k - 1;
      while (at > 0 && share[top[at - 1]!]! < share[h]!) at--;
      if (top.length === k) top.pop();
      top.splice(at, 0, h);
    }
    return top.map((h) => ({ address: pop.address(h, false), address6: pop.address(h, true), internal: h < pop.nInt, share: share[h]! }));
  }
}
