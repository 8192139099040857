// The interface counters kept from the sFlow counter samples of one datagram source: per agent, per
// ifIndex, the latest generic counters. Bounded per source and charged to the decoder-wide budget.

import { SFLOW_AGENT_OVERHEAD_BYTES, SFLOW_COUNTER_ENTRY_BYTES, type BudgetStanding, type DecoderBudget } from '../decoderbudget.js';
import type { InterfaceCounters } from './interfacecounters.js';

/** The per-source bounds (DecoderConfig). */
export interface SflowCounterLimits {
  readonly maxSflowAgentsPerExporter: number;
  readonly maxInterfacesPerExporter: number;
  readonly maxSflowCounterBytesPerExporter: number;
}

/** One agent's counters, and when they were last updated (the decoder's order of updates). */
export interface AgentCounters {
  readonly interfaces: Map<number, InterfaceCounters>;
  updated: number;
}

/**
 * What storing a counter record did: `evicted` older entries of this source forgotten for room,
 * `stored` whether it was kept, `refused` not kept because of the decoder-wide budget.
 */
export interface CounterPut {
  evicted: number;
  stored: boolean;
  refused: boolean;
}

/**
 * Agents the source speaks for, least recently updated first, each with its interfaces least recently
 * updated first. Within the source's own bounds the least recently updated go first (counters_evicted),
 * so a source flooding with agent addresses only churns its own entries; beyond the decoder-wide
 * budget a new entry is refused (counter_budget) rather than pushing out another source's.
 */
export class SflowAgentTable {
  private readonly agents = new Map<string, AgentCounters>();
  private charged = 0;
  private entries = 0;
  /** Reused result of put (no allocation per counter record). */
  private readonly res: CounterPut = { evicted: 0, stored: false, refused: false };

  constructor(
    private readonly budget: DecoderBudget,
    private readonly limits: SflowCounterLimits,
  ) {}

  /** Bytes charged (interfaces and agents). */
  get bytes(): number {
    return this.charged;
  }

  get agentCount(): number {
    return this.agents.size;
  }

  /** Interfaces with counters, over all agents. */
  get interfaceCount(): number {
    return this.entries;
  }

  /**
   * Store the latest counters of an interface of `agent`, update number `seq`; `source` (the datagram
   * source's standing at `nowMs`) decides its share of the decoder-wide budget. The result is reused
   * by the next call.
   */
  put(agent: string, c: InterfaceCounters, seq: number, source: BudgetStanding, nowMs: number): CounterPut {
    const res = this.res;
    res.evicted = 0;
    res.stored = false;
    res.refused = false;
    const lim = this.limits;
    let a = this.agents.get(agent);
    if (a !== undefined) {
      a.updated = seq;
      this.agents.delete(agent);
      this.agents.set(agent, a);
      if (a.interfaces.delete(c.ifIndex)) {
        a.interfaces.set(c.ifIndex, c);
        res.stored = true;
        return res;
      }
    }
    const cost = SFLOW_COUNTER_ENTRY_BYTES + (a === undefined ? SFLOW_AGENT_OVERHEAD_BYTES : 0);
    if (lim.maxInterfacesPerExporter === 0 || lim.maxSflowAgentsPerExporter === 0 || cost > lim.maxSflowCounterBytesPerExporter) {
      res.evicted = 1;
      return res;
    }
    if (a === undefined) {
      while (this.agents.size >= lim.maxSflowAgentsPerExporter) res.evicted += this.dropAgent(this.agents.keys().next().value!);
    } else {
      while (a.interfaces.size >= lim.maxInterfacesPerExporter) res.evicted += this.dropInterface(a);
    }
    while (this.charged + cost > lim.maxSflowCounterBytesPerExporter) {
      // `a`, moved last, is the oldest only when it is the only agent left
      const [oldest, o] = this.agents.entries().next().value!;
      if (o === a && a.interfaces.size === 0) return res;
      if (o !== a && o.interfaces.size <= 1) res.evicted += this.dropAgent(oldest);
      else res.evicted += this.dropInterface(o);
    }
    if (!this.budget.counterFits(cost, this.budget.established(source, nowMs))) {
      res.refused = true;
      return res;
    }
    if (a === undefined) {
      a = { interfaces: new Map(), updated: seq };
      this.agents.set(agent, a);
    }
    a.interfaces.set(c.ifIndex, c);
    this.entries++;
    this.charge(cost);
    res.stored = true;
    return res;
  }

  get(agent: string): AgentCounters | undefined {
    return this.agents.get(agent);
  }

  /** Agents with counters, least recently updated first. */
  entriesByAge(): IterableIterator<[string, AgentCounters]> {
    return this.agents.entries();
  }

  /** Forget everything and give the charge back (the source is being forgotten). */
  clear(): void {
    this.agents.clear();
    this.entries = 0;
    this.charge(-this.charged);
  }

  /** Forget an agent with its interfaces; returns how many interfaces went. */
  private dropAgent(agent: string): number {
    const a = this.agents.get(agent)!;
    const n = a.interfaces.size;
    this.agents.delete(agent);
    this.entries -= n;
    this.charge(-(n * SFLOW_COUNTER_ENTRY_BYTES + SFLOW_AGENT_OVERHEAD_BYTES));
    return n;
  }

  /** Forget the least recently updated interface of an agent (it has one; the agent stays); returns 1. */
  private dropInterface(a: AgentCounters): number {
    a.interfaces.delete(a.interfaces.keys().next().value!);
    this.entries--;
    this.charge(-SFLOW_COUNTER_ENTRY_BYTES);
    return 1;
  }

  private charge(bytes: number): void {
    this.charged += bytes;
    this.budget.counterBytes += bytes;
  }
}
