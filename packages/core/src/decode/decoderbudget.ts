// Process-wide memory accounting of one FlowDecoder: template, held-set, interface-name, sampling-rate and
// sFlow-counter bytes and compiled plans over all exporters, so that many (spoofed) exporters together cannot exhaust the heap.

import { C } from './counters.js';
import type { DecoderConfig } from './decoderconfig.js';
import { FlowPlanCache } from './flowplancache.js';

/**
 * Share of each budget an exporter that is not established may fill: the rest is kept for exporters
 * that have been sending flows for a while, so a flood from new addresses cannot lock them out.
 */
export const NEW_EXPORTER_SHARE = 0.75;
/** An exporter is established once it has been known this long (decoder clock) and has produced flows. */
export const ESTABLISHED_AFTER_MS = 10 * 60_000;
/** Estimated heap cost of a held data set besides its bytes (object, typed-array header, list slot). */
export const HELD_SET_OVERHEAD_BYTES = 256;
/**
 * Estimated heap cost of a remembered interface besides its text: the map entry, the name/description
 * object and two string headers (test/decode/budget.test.ts checks the heap stays within the charge).
 */
export const INTERFACE_OVERHEAD_BYTES = 160;

/**
 * Estimated heap cost of a source id / observation domain's state (its object and seven maps), charged
 * to the template budget with the template that opens it: a flood of templates each in a new domain
 * would otherwise hold four times what its templates are charged.
 */
export const DOMAIN_OVERHEAD_BYTES = 1536;
/**
 * Estimated heap cost of one sampling rate from options data (per sampler, template or interface),
 * its algorithm entry included: map entries, with room for the maps' growth.
 */
export const SAMPLING_ENTRY_BYTES = 96;
/** Estimated heap cost of the latest interface counters of one sFlow interface: the record, its two 64-bit octet counts, the map entry. */
export const SFLOW_COUNTER_ENTRY_BYTES = 384;
/** Estimated heap cost of an sFlow agent besides its interfaces: its key, entry and interface map. */
export const SFLOW_AGENT_OVERHEAD_BYTES = 320;

/** Bytes charged for an interface's name and description: V8 keeps Latin-1 text in one byte a character, the rest in two. */
export function interfaceCost(name: string, description: string): number {
  return INTERFACE_OVERHEAD_BYTES + textBytes(name) + textBytes(description);
}

function textBytes(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return 2 * s.length;
  return s.length;
}

/** What the budget needs to know of an exporter to rank it. */
export interface BudgetStanding {
  readonly firstSeenMs: number;
  readonly counters: Float64Array;
}

export class DecoderBudget {
  /** Bytes charged for the templates of all exporters (templateCost). */
  templateBytes = 0;
  /** Bytes charged for the held data sets of all exporters (length + HELD_SET_OVERHEAD_BYTES each). */
  heldBytes = 0;
  /** Bytes charged for the interface names and descriptions of all exporters (interfaceCost). */
  interfaceBytes = 0;
  /** Bytes charged for the sampling rates from options data of all exporters (SAMPLING_ENTRY_BYTES each). */
  samplingBytes = 0;
  /** Bytes charged for the sFlow interface counters of all datagram sources (agents and interfaces). */
  counterBytes = 0;
  readonly plans = new FlowPlanCache();

  constructor(private readonly cfg: DecoderConfig) {}

  established(st: BudgetStanding, nowMs: number): boolean {
    return st.counters[C.flows]! > 0 && nowMs - st.firstSeenMs >= ESTABLISHED_AFTER_MS;
  }

  /** True when `bytes` more template memory (negative: less) stays within the exporter's share. */
  templateFits(bytes: number, established: boolean): boolean {
    return bytes <= 0 || this.templateBytes + bytes <= share(this.cfg.maxTemplateBytesTotal, established);
  }

  heldFits(bytes: number, established: boolean): boolean {
    return this.heldBytes + bytes <= share(this.cfg.maxHeldBytesTotal, established);
  }

  interfaceFits(bytes: number, established: boolean): boolean {
    return bytes <= 0 || this.interfaceBytes + bytes <= share(this.cfg.maxInterfaceBytesTotal, established);
  }

  samplingFits(bytes: number, established: boolean): boolean {
    return bytes <= 0 || this.samplingBytes + bytes <= share(this.cfg.maxSamplingBytesTotal, established);
  }

  counterFits(bytes: number, established: boolean): boolean {
    return bytes <= 0 || this.counterBytes + bytes <= share(this.cfg.maxSflowCounterBytesTotal, established);
  }

  /** Live compiled plans the exporter may bring the total to. */
  planLimit(established: boolean): number {
    return share(this.cfg.maxFlowPlans, established);
  }
}

function share(limit: number, established: boolean): number {
  return established ? limit : Math.floor(limit * NEW_EXPORTER_SHARE);
}
