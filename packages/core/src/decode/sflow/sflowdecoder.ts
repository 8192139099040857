// sFlow v2, v4 and v5 datagrams: reads the datagram header (agent, sub-agent, uptime, sample count) and
// hands the samples to the v5 or v2/v4 reader; interface counters go to the datagram source's agent table.

import { formatIp, parseIp } from '../../fields/ipcodec.js';
import { u32 } from '../bytes.js';
import type { DecoderBudget } from '../decoderbudget.js';
import type { DecoderConfig } from '../decoderconfig.js';
import type { ExporterState } from '../exporterstate.js';
import type { FlowBatch } from '../flowbatch.js';
import type { DecodeResult } from '../flowdecoder.js';
import type { AgentCounters } from './agenttable.js';
import type { InterfaceCounters } from './interfacecounters.js';
import { SFLOW_EXPV, SflowDatagram, type CountFn } from './sflowdatagram.js';
import { decodeV2V4Samples } from './v2v4.js';
import { decodeV5Samples } from './v5.js';

const EMPTY: ReadonlyMap<number, InterfaceCounters> = new Map();

export class SflowDecoder {
  private readonly dg: SflowDatagram;

  constructor(config: DecoderConfig, budget: DecoderBudget, count: CountFn) {
    this.dg = new SflowDatagram(count, budget, config, config.samplingOverrides);
  }

  /** Decode one datagram from `st`; `version` in the result is the 32-bit sFlow version word. */
  decode(b: Uint8Array, st: ExporterState, nowMs: number, out: FlowBatch): DecodeResult {
    const dg = this.dg;
    dg.begin(st, out, nowMs);
    if (b.length < 4) return this.fail('truncated', 0);
    const version = u32(b, 0);
    const expv = SFLOW_EXPV[version];
    if (expv === undefined) return this.fail('bad_version', version);
    dg.version = version;
    dg.expv = expv;
    if (b.length < 8) return this.fail('truncated', version);
    const type = u32(b, 4);
    if (type > 2) return this.fail('bad_agent', version);
    const addrLen = type === 1 ? 4 : type === 2 ? 16 : 0;
    // Agent address, [sub-agent id (v5)], sequence number, uptime, sample count.
    const header = 8 + addrLen + (version === 5 ? 16 : 12);
    if (b.length < header) return this.fail('truncated', version);
    let p = 8 + addrLen;
    const subAgent = version === 5 ? u32(b, p) : 0;
    if (version === 5) p += 4;
    if (type === 1) dg.setAgent(0, 0, 0xffff, u32(b, 8), subAgent, u32(b, p + 4));
    else if (type === 2) dg.setAgent(u32(b, 8), u32(b, 12), u32(b, 16), u32(b, 20), subAgent, u32(b, p + 4));
    else dg.setAgent(0, 0, 0, 0, subAgent, u32(b, p + 4));
    const count = u32(b, p + 8);
    if (version === 5) decodeV5Samples(b, header, b.length, count, dg);
    else decodeV2V4Samples(b, header, b.length, count, dg);
    return { version, flows: dg.flows, optionsRecords: 0, held: 0, dropped: dg.firstDrop };
  }

  /**
   * Latest generic counters per ifIndex of an agent (its address as text, either form of IPv4), as
   * kept by the datagram source that updated it last (a relay and the agent itself may both send them).
   */
  interfaceCounters(agent: string, sources: Iterable<ExporterState>): ReadonlyMap<number, InterfaceCounters> {
    const key = normalise(agent);
    let best: AgentCounters | undefined;
    for (const st of sources) {
      const a = st.sflow?.get(key);
      if (a !== undefined && (best === undefined || a.updated > best.updated)) best = a;
    }
    return best?.interfaces ?? EMPTY;
  }

  /** Agents with interface counters over all sources, least recently updated first. */
  agentKeys(sources: Iterable<ExporterState>): string[] {
    const latest = new Map<string, number>();
    for (const st of sources) {
      if (st.sflow === null) continue;
      for (const [agent, a] of st.sflow.entriesByAge()) if (a.updated > (latest.get(agent) ?? -1)) latest.set(agent, a.updated);
    }
    return [...latest].sort((x, y) => x[1] - y[1]).map(([agent]) => agent);
  }

  private fail(reason: 'truncated' | 'bad_version' | 'bad_agent', version: number): DecodeResult {
    this.dg.drop(reason);
    return { version, flows: 0, optionsRecords: 0, held: 0, dropped: reason };
  }
}

/** Agents are keyed by their address as formatIp writes it (a datagram-source fallback may be any text). */
function normalise(agent: string): string {
  const w = parseIp(agent);
  return w === null ? agent : formatIp(w[0], w[1], w[2], w[3]);
}
