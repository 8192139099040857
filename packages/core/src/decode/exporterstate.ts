// What the decoder remembers per exporter: templates per source id / observation domain (the template
// cache), options-derived state (sampling, interface names, boot time), held data sets and counters;
// and the exporter table that admits new exporters without letting a flood of them push out real ones.

import { parseIp } from '../fields/ipcodec.js';
import { newCounterArray } from './counters.js';
import { DOMAIN_OVERHEAD_BYTES, HELD_SET_OVERHEAD_BYTES, interfaceCost, SAMPLING_ENTRY_BYTES, type DecoderBudget } from './decoderbudget.js';
import type { ExporterClock } from './exporterclock.js';
import type { SflowAgentTable } from './sflow/agenttable.js';
import type { Template } from './template.js';

/** Interface name and description from options data (IE 82 interfaceName, IE 83 interfaceDescription). */
export interface InterfaceInfo {
  readonly name: string;
  readonly description: string;
}

/** Key of a source id / observation domain within an exporter: v9 and IPFIX ids are kept apart. */
export function domainKey(version: 9 | 10, id: number): number {
  return version === 10 ? id + 4294967296 : id;
}

/** Templates and options state of one NetFlow v9 source id or IPFIX observation domain. */
export class DomainState {
  readonly templates = new Map<number, Template>();
  /** Sampler / selector id → rate (options data). */
  readonly samplers = new Map<number, number>();
  /** Template id → rate (options data scoped by templateId, IE 145). */
  readonly templateRates = new Map<number, number>();
  /** ifIndex → rate (options data scoped by an interface: v9 interface scope, IE 10 or 14). */
  readonly interfaceRates = new Map<number, number>();
  /** Rate from options data without sampler or template scope; 0 when none was seen. */
  defaultRate = 0;
  /**
   * Sampling algorithm (IE 35 samplingAlgorithm / IE 49 samplerMode: 1 deterministic, 2 random) given
   * with a rate, keyed like the rate: by sampler id, by template id, and for the domain (0: not given).
   */
  readonly samplerAlgorithms = new Map<number, number>();
  readonly templateAlgorithms = new Map<number, number>();
  readonly interfaceAlgorithms = new Map<number, number>();
  defaultAlgorithm = 0;
  /**
   * biflowDirection (IE 239) given for the whole domain in options data, as an `initiator` column value
   * (see initiatorOf); 0 when not given. Applies to the domain's biflow records that carry none.
   */
  initiator = 0;
  /** systemInitTimeMilliseconds (IE 160) from options data; NaN when unknown. */
  sysInitMs = Number.NaN;
  /** IPFIX without IE 160: boot time estimated from sysUpTime-relative records (ms); NaN before the first. */
  bootEstimateMs = Number.NaN;
}

/** A data set kept until its template arrives, with the header values needed to decode it later. */
export interface HeldSet {
  readonly version: 9 | 10;
  readonly srcId: number;
  readonly templateId: number;
  readonly data: Uint8Array;
  readonly exportUs: number;
  readonly uptime: number;
  readonly heldAtMs: number;
}

/** Why a new template has no room in the exporter's state. */
export type TemplateRoom = 'ok' | 'template_limit' | 'domain_limit';

/** Why an interface name was not stored. */
export type InterfaceRoom = 'ok' | 'options_limit' | 'interface_budget';

/** Limits putInterface checks (DecoderConfig). */
export interface InterfaceLimits {
  readonly maxInterfacesPerExporter: number;
  readonly maxInterfaceBytesPerExporter: number;
}

/** One exporter (or one IPFIX transport session): its template cache and options state. */
export class ExporterState {
  readonly key: string;
  /** The exporter address as the decoder keys it (canonical text, see canonicalExporter). */
  readonly address: string;
  /** State of an IPFIX-over-TCP session: its templates never time out. */
  tcp = false;
  /** Exporter address words (all zero when the address is not an IP literal). */
  readonly addr: readonly [number, number, number, number];
  /** When the state was created (decoder clock): standing for the shared memory budget. */
  readonly firstSeenMs: number;
  /** Last datagram (decoder clock): a proven exporter silent for exporterIdleMs may make room for a new one. */
  lastSeenMs: number;
  /** Datagrams that gave flow records; from 2 on the exporter is proven (ExporterTable). */
  flowDatagrams = 0;
  /** In the exporter table's proven list. */
  proven = false;
  /** Order of the last datagram among all exporters (ExporterTable), for listing least recently seen first. */
  seen = 0;
  readonly counters = newCounterArray();
  readonly domains = new Map<number, DomainState>();
  readonly interfaces = new Map<number, InterfaceInfo>();
  /** Skew of the exporter's clock, measured from its export headers; null before the first (or for sFlow). */
  clock: ExporterClock | null = null;
  private heldSets: HeldSet[] = [];
  private heldTotal = 0;
  private ifBytes = 0;
  templateCount = 0;
  /** Interface-scoped sampling rates over all domains (bounded by maxInterfacesPerExporter). */
  interfaceRateCount = 0;
  /** Sampling rates from options data over all domains (by sampler, template and interface), each charged SAMPLING_ENTRY_BYTES. */
  samplingEntries = 0;
  /** sFlow interface counters of the agents this datagram source speaks for; null before the first. */
  sflow: SflowAgentTable | null = null;

  constructor(
    key: string,
    address: string,
    private readonly budget: DecoderBudget,
    nowMs: number,
  ) {
    this.key = key;
    this.address = address;
    this.addr = parseIp(address) ?? [0, 0, 0, 0];
    this.firstSeenMs = nowMs;
    this.lastSeenMs = nowMs;
  }

  domain(key: number): DomainState | undefined {
    return this.domains.get(key);
  }

  getTemplate(dkey: number, id: number): Template | undefined {
    return this.domains.get(dkey)?.templates.get(id);
  }

  /** Whether a template not known yet in domain `dkey` fits the per-exporter limits. */
  room(dkey: number, maxTemplates: number, maxDomains: number): TemplateRoom {
    if (this.templateCount >= maxTemplates) return 'template_limit';
    if (!this.domains.has(dkey) && this.domains.size >= maxDomains) return 'domain_limit';
    return 'ok';
  }

  /**
   * Store `t` (its plan already acquired), replacing a template of the same id; the caller checked
   * room() for a new one, and the budget for it and for a new domain (DOMAIN_OVERHEAD_BYTES). Charges
   * the budget and lets the replaced template's plan go.
   */
  putTemplate(dkey: number, t: Template): 'added' | 'changed' {
    let d = this.domains.get(dkey);
    if (d === undefined) {
      d = new DomainState();
      this.domains.set(dkey, d);
      this.budget.templateBytes += DOMAIN_OVERHEAD_BYTES;
    }
    const old = d.templates.get(t.id);
    d.templates.set(t.id, t);
    this.budget.templateBytes += t.cost;
    if (old !== undefined) {
      this.unlink(old);
      return 'changed';
    }
    this.templateCount++;
    return 'added';
  }

  removeTemplate(dkey: number, id: number): boolean {
    const d = this.domains.get(dkey);
    const t = d?.templates.get(id);
    if (t === undefined) return false;
    d!.templates.delete(id);
    this.unlink(t);
    this.templateCount--;
    return true;
  }

  /** Remove every data template (or every options template) of a domain; returns how many. */
  removeAllTemplates(dkey: number, options: boolean): number {
    const d = this.domains.get(dkey);
    if (d === undefined) return 0;
    let n = 0;
    for (const [id, t] of d.templates) {
      if (t.isOptions === options) {
        d.templates.delete(id);
        this.unlink(t);
        n++;
      }
    }
    this.templateCount -= n;
    return n;
  }

  /** Remove templates not refreshed since `beforeMs`; returns how many. */
  expireTemplates(beforeMs: number): number {
    let n = 0;
    for (const d of this.domains.values()) {
      for (const [id, t] of d.templates) {
        if (t.lastSeenMs < beforeMs) {
          d.templates.delete(id);
          this.unlink(t);
          n++;
        }
      }
    }
    this.templateCount -= n;
    return n;
  }

  /** Sum of template fields: the bulk of template memory. */
  templateFields(): number {
    let n = 0;
    for (const d of this.domains.values()) for (const t of d.templates.values()) n += t.layout.length / 2;
    return n;
  }

  /** Held data sets, oldest first. */
  get held(): readonly HeldSet[] {
    return this.heldSets;
  }

  /** Bytes of held data sets. */
  get heldBytes(): number {
    return this.heldTotal;
  }

  pushHeld(h: HeldSet): void {
    this.heldSets.push(h);
    this.heldTotal += h.data.length;
    this.budget.heldBytes += h.data.length + HELD_SET_OVERHEAD_BYTES;
  }

  /** Forget the oldest held set. */
  shiftHeld(): void {
    const h = this.heldSets.shift();
    if (h !== undefined) this.uncharge(h.data.length, 1);
  }

  /** Keep only `keep` (a subset of the held sets, in order). */
  keepHeld(keep: HeldSet[]): void {
    let bytes = 0;
    for (const h of keep) bytes += h.data.length;
    this.uncharge(this.heldTotal - bytes, this.heldSets.length - keep.length);
    this.heldSets = keep;
  }

  /** Bytes charged for interface names and descriptions (interfaceCost). */
  get interfaceBytes(): number {
    return this.ifBytes;
  }

  /**
   * Remember (or replace) the name and description of an interface, charging their bytes to the
   * exporter and to the decoder's budget; a value that does not fit is refused and the old one kept.
   */
  putInterface(ifIndex: number, info: InterfaceInfo, limits: InterfaceLimits, established: boolean): InterfaceRoom {
    const old = this.interfaces.get(ifIndex);
    if (old === undefined && this.interfaces.size >= limits.maxInterfacesPerExporter) return 'options_limit';
    const cost = interfaceCost(info.name, info.description);
    const delta = cost - (old === undefined ? 0 : interfaceCost(old.name, old.description));
    if (delta > 0 && (this.ifBytes + delta > limits.maxInterfaceBytesPerExporter || !this.budget.interfaceFits(delta, established))) {
      return 'interface_budget';
    }
    this.interfaces.set(ifIndex, info);
    this.ifBytes += delta;
    this.budget.interfaceBytes += delta;
    return 'ok';
  }

  /**
   * Charge one more sampling rate from options data to the decoder's budget; false (nothing charged)
   * when it does not fit. Rates are only given back with the whole state (release).
   */
  chargeSampling(established: boolean): boolean {
    if (!this.budget.samplingFits(SAMPLING_ENTRY_BYTES, established)) return false;
    this.samplingEntries++;
    this.budget.samplingBytes += SAMPLING_ENTRY_BYTES;
    return true;
  }

  /** Give everything back to the budget: the state is being forgotten. */
  release(): void {
    for (const d of this.domains.values()) {
      for (const t of d.templates.values()) this.unlink(t);
      d.templates.clear();
    }
    this.budget.templateBytes -= this.domains.size * DOMAIN_OVERHEAD_BYTES;
    this.domains.clear();
    this.budget.samplingBytes -= this.samplingEntries * SAMPLING_ENTRY_BYTES;
    this.samplingEntries = 0;
    this.interfaceRateCount = 0;
    this.sflow?.clear();
    this.sflow = null;
    this.templateCount = 0;
    this.keepHeld([]);
    this.interfaces.clear();
    this.budget.interfaceBytes -= this.ifBytes;
    this.ifBytes = 0;
  }

  private unlink(t: Template): void {
    this.budget.templateBytes -= t.cost;
    if (t.plan !== null) this.budget.plans.release(t.plan);
  }

  private uncharge(bytes: number, sets: number): void {
    this.heldTotal -= bytes;
    this.budget.heldBytes -= bytes + sets * HELD_SET_OVERHEAD_BYTES;
  }
}

/** A datagram that gave flows from an exporter with this many before it makes the exporter proven. */
const PROVEN_AFTER_DATAGRAMS = 2;

/**
 * Exporters by key, bounded. Two lists, each least recently seen first: exporters on probation (no
 * flows yet, or flows from one datagram only: what a spoofed source sends) and proven ones. A new
 * exporter in a full table takes the place of the least recently seen on probation, else of a proven
 * one silent for `idleMs`; when there is neither it is refused, so that a flood of new source
 * addresses never pushes out the exporters that are really sending.
 */
export class ExporterTable {
  private readonly probation = new Map<string, ExporterState>();
  private readonly proven = new Map<string, ExporterState>();
  private lastKey = '';
  private last: ExporterState | undefined;
  private seq = 0;
  /** Exporters forgotten to make room. */
  evicted = 0;
  /** Held data sets those exporters had. */
  heldLost = 0;

  constructor(
    private readonly max: number,
    private readonly idleMs: number,
    private readonly budget: DecoderBudget,
  ) {}

  get size(): number {
    return this.probation.size + this.proven.size;
  }

  /** The state for `key`, created when missing if there is room (see the class); undefined when refused. */
  get(key: string, address: string, nowMs: number): ExporterState | undefined {
    let st = this.last !== undefined && key === this.lastKey ? this.last : undefined;
    if (st === undefined) {
      st = this.probation.get(key) ?? this.proven.get(key);
      if (st === undefined) {
        if (this.size >= this.max && !this.makeRoom(nowMs)) return undefined;
        st = new ExporterState(key, address, this.budget, nowMs);
        this.probation.set(key, st);
      } else {
        // Least recently seen first: move it to the end of its list.
        const list = st.proven ? this.proven : this.probation;
        list.delete(key);
        list.set(key, st);
      }
      this.lastKey = key;
      this.last = st;
    }
    // (the last exporter seen is already at the end of its list)
    st.lastSeenMs = nowMs;
    st.seen = ++this.seq;
    return st;
  }

  /** A datagram from `st` gave flow records: the second such datagram makes it proven. */
  gaveFlows(st: ExporterState): void {
    if (st.proven || ++st.flowDatagrams < PROVEN_AFTER_DATAGRAMS) return;
    if (!this.probation.delete(st.key)) return;
    st.proven = true;
    this.proven.set(st.key, st);
  }

  find(key: string): ExporterState | undefined {
    return this.probation.get(key) ?? this.proven.get(key);
  }

  delete(key: string): boolean {
    if (key === this.lastKey) {
      this.lastKey = '';
      this.last = undefined;
    }
    const st = this.find(key);
    if (st === undefined) return false;
    st.release();
    return (st.proven ? this.proven : this.probation).delete(key);
  }

  /** Every exporter, in no particular order. */
  *all(): IterableIterator<ExporterState> {
    yield* this.probation.values();
    yield* this.proven.values();
  }

  /** Every exporter, least recently seen first. */
  ordered(): ExporterState[] {
    return [...this.all()].sort((a, b) => a.seen - b.seen);
  }

  /** Forget one exporter for a new one: the oldest on probation, else the oldest proven one if idle. */
  private makeRoom(nowMs: number): boolean {
    let victim: ExporterState | undefined = this.probation.values().next().value;
    if (victim === undefined) {
      const oldest: ExporterState | undefined = this.proven.values().next().value;
      if (oldest === undefined || nowMs - oldest.lastSeenMs < this.idleMs) return false;
      victim = oldest;
    }
    this.heldLost += victim.held.length;
    this.delete(victim.key);
    this.evicted++;
    return true;
  }
}
