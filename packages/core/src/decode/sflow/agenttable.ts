// The interface counters kept from sFlow counter samples: per agent, per ifIndex, the latest generic
// counters. Bounded both ways; the least recently updated agent or interface is forgotten first.

import type { InterfaceCounters } from './interfacecounters.js';

export class SflowAgentTable {
  private readonly agents = new Map<string, Map<number, InterfaceCounters>>();

  constructor(
    private readonly maxAgents: number,
    private readonly maxInterfaces: number,
  ) {}

  /** Store the latest counters of an interface; returns how many stored entries were evicted for room (or 1 when it could not be stored at all). */
  put(agent: string, c: InterfaceCounters): number {
    if (this.maxInterfaces === 0) return 1;
    let evicted = 0;
    let ifs = this.agents.get(agent);
    if (ifs === undefined) {
      while (this.agents.size >= this.maxAgents) {
        const oldest = this.agents.keys().next().value!;
        evicted += this.agents.get(oldest)!.size;
        this.agents.delete(oldest);
      }
      ifs = new Map();
    } else {
      this.agents.delete(agent);
    }
    this.agents.set(agent, ifs);
    if (!ifs.delete(c.ifIndex)) {
      while (ifs.size >= this.maxInterfaces) {
        ifs.delete(ifs.keys().next().value!);
        evicted++;
      }
    }
    ifs.set(c.ifIndex, c);
    return evicted;
  }

  get(agent: string): ReadonlyMap<number, InterfaceCounters> | undefined {
    return this.agents.get(agent);
  }

  /** Agents with counters, least recently updated first. */
  keys(): string[] {
    return [...this.agents.keys()];
  }

}
