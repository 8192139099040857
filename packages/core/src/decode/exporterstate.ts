// What the decoder remembers per exporter: templates per source id / observation domain (the template
// cache), options-derived state (sampling, interface names, boot time), held data sets and counters.

import { parseIp } from '../fields/ipcodec.js';
import { newCounterArray } from './counters.js';
import { HELD_SET_OVERHEAD_BYTES, type DecoderBudget } from './decoderbudget.js';
import type { ExporterClock } from './exporterclock.js';
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
  /** Rate from options data without sampler or template scope; 0 when none was seen. */
  defaultRate = 0;
  /**
   * Sampling algorithm (IE 35 samplingAlgorithm / IE 49 samplerMode: 1 deterministic, 2 random) given
   * with a rate, keyed like the rate: by sampler id, by template id, and for the domain (0: not given).
   */
  readonly samplerAlgorithms = new Map<number, number>();
  readonly templateAlgorithms = new Map<number, number>();
  defaultAlgorithm = 0;
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
  readonly counters = newCounterArray();
  readonly domains = new Map<number, DomainState>();
  readonly interfaces = new Map<number, InterfaceInfo>();
  /** Skew of the exporter's clock, measured from its export headers; null before the first (or for sFlow). */
  clock: ExporterClock | null = null;
  private heldSets: HeldSet[] = [];
  private heldTotal = 0;
  templateCount = 0;

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
   * room() for a new one. Charges the budget and lets the replaced template's plan go.
   */
  putTemplate(dkey: number, t: Template): 'added' | 'changed' {
    let d = this.domains.get(dkey);
    if (d === undefined) {
      d = new DomainState();
      this.domains.set(dkey, d);
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

  /** Give everything back to the budget: the state is being forgotten. */
  release(): void {
    for (const d of this.domains.values()) {
      for (const t of d.templates.values()) this.unlink(t);
      d.templates.clear();
    }
    this.templateCount = 0;
    this.keepHeld([]);
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

/** Exporters by key, least recently seen first; bounded, evicting the least recently seen. */
export class ExporterTable {
  private readonly map = new Map<string, ExporterState>();
  private lastKey = '';
  private last: ExporterState | undefined;
  /** Exporters forgotten to make room. */
  evicted = 0;

  constructor(
    private readonly max: number,
    private readonly budget: DecoderBudget,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The state for `key`, created (evicting the least recently seen when full) when missing. */
  get(key: string, address: string, nowMs: number): ExporterState {
    if (this.last !== undefined && key === this.lastKey) return this.last;
    let st = this.map.get(key);
    if (st === undefined) {
      while (this.map.size >= this.max) {
        const [oldest, state] = this.map.entries().next().value!;
        this.map.delete(oldest);
        state.release();
        this.evicted++;
      }
      st = new ExporterState(key, address, this.budget, nowMs);
    } else {
      this.map.delete(key);
    }
    this.map.set(key, st);
    this.lastKey = key;
    this.last = st;
    return st;
  }

  find(key: string): ExporterState | undefined {
    return this.map.get(key);
  }

  delete(key: string): boolean {
    if (key === this.lastKey) {
      this.lastKey = '';
      this.last = undefined;
    }
    const st = this.map.get(key);
    if (st === undefined) return false;
    st.release();
    return this.map.delete(key);
  }

  values(): IterableIterator<ExporterState> {
    return this.map.values();
  }
}
