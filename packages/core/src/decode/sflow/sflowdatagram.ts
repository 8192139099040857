// The sFlow datagram being decoded: its header values, where its rows and counters go, and what
// happened (rows written, first drop). One instance per decoder, refilled for every datagram.

import { formatIp } from '../../fields/ipcodec.js';
import { C, type CounterName } from '../counters.js';
import type { DecoderBudget } from '../decoderbudget.js';
import type { ExporterState } from '../exporterstate.js';
import type { FlowBatch } from '../flowbatch.js';
import { SflowAgentTable, type SflowCounterLimits } from './agenttable.js';
import type { InterfaceCounters } from './interfacecounters.js';
import { RowColumns } from './rowcolumns.js';
import { SampledFlow, type RowContext } from './sampledflow.js';

/** `expv` column values of the sFlow versions. */
export const SFLOW_EXPV: Readonly<Record<number, number>> = { 2: 18, 4: 20, 5: 21 };

export type CountFn = (st: ExporterState, counter: number, n: number) => void;

export class SflowDatagram implements RowContext {
  version = 0;
  expv = 0;
  /** Exporter words for the rows: the agent address, or the datagram source when the agent gave none. */
  e0 = 0;
  e1 = 0;
  e2 = 0;
  e3 = 0;
  srcId = 0;
  uptimeMs = 0;
  nowMs = 0;
  nowUs = 0;
  overrideRate = 0;
  flows = 0;
  firstDrop: CounterName | null = null;
  readonly flow = new SampledFlow();
  private readonly cols = new RowColumns();
  private st: ExporterState | null = null;
  private out: FlowBatch | null = null;
  private agentKey = '';
  /** Counter records stored so far, over all sources: the order of agent updates. */
  private updates = 0;

  constructor(
    private readonly count: CountFn,
    private readonly budget: DecoderBudget,
    private readonly limits: SflowCounterLimits,
    private readonly overrides: ReadonlyMap<string, number>,
  ) {}

  /** Start a datagram from `st` (its header not read yet). */
  begin(st: ExporterState, out: FlowBatch, nowMs: number): void {
    this.st = st;
    this.out = out;
    // The caller may have grown the batch since the last datagram.
    this.cols.invalidate();
    this.nowMs = nowMs;
    this.nowUs = nowMs * 1000;
    this.version = this.expv = this.srcId = this.uptimeMs = this.flows = 0;
    this.firstDrop = null;
    this.agentKey = '';
    this.e0 = st.addr[0];
    this.e1 = st.addr[1];
    this.e2 = st.addr[2];
    this.e3 = st.addr[3];
    this.overrideRate = this.overrides.size > 0 ? (this.overrides.get(st.address) ?? 0) : 0;
  }

  /** The header's agent address (words), sub-agent id and uptime. */
  setAgent(w0: number, w1: number, w2: number, w3: number, subAgent: number, uptimeMs: number): void {
    this.srcId = subAgent;
    this.uptimeMs = uptimeMs;
    if ((w0 | w1 | w2 | w3) === 0 || (w0 === 0 && w1 === 0 && w2 === 0xffff && w3 === 0)) return;
    this.e0 = w0;
    this.e1 = w1;
    this.e2 = w2;
    this.e3 = w3;
    if (this.overrides.size > 0 && this.overrideRate === 0) this.overrideRate = this.overrides.get(this.agent()) ?? 0;
  }

  /**
   * The agent as text, as formatIp writes it: the agent address, else the datagram source (as given
   * when it is not an IP address).
   */
  agent(): string {
    if (this.agentKey === '') {
      const known = this.e0 !== 0 || this.e1 !== 0 || this.e2 !== 0 || this.e3 !== 0;
      this.agentKey = known ? formatIp(this.e0, this.e1, this.e2, this.e3) : this.st!.address;
    }
    return this.agentKey;
  }

  drop(reason: CounterName): void {
    this.count(this.st!, C[reason], 1);
    this.firstDrop ??= reason;
  }

  event(name: CounterName, n = 1): void {
    this.count(this.st!, C[name], n);
  }

  /** Write the gathered flow sample as a row (or count why not). */
  writeFlow(): void {
    const why = this.flow.write(this.out!, this.cols, this);
    if (why === null) {
      this.flows++;
      this.count(this.st!, C.flows, 1);
    } else if (why === 'samples_not_ip') {
      this.event(why);
    } else {
      this.drop(why);
    }
  }

  /** Keep the counters with the datagram source's other agents (see SflowAgentTable). */
  storeCounters(c: InterfaceCounters): void {
    const st = this.st!;
    st.sflow ??= new SflowAgentTable(this.budget, this.limits);
    const r = st.sflow.put(this.agent(), c, ++this.updates, st, this.nowMs);
    if (r.evicted > 0) this.count(st, C.counters_evicted, r.evicted);
    if (r.stored) this.event('interface_counters');
    else if (r.refused) this.drop('counter_budget');
  }
}
