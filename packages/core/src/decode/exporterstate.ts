// What the decoder remembers per exporter: templates per source id / observation domain (the template
// cache), options-derived state (sampling, interface names, boot time), held data sets and counters.

import { parseIp } from '../fields/ipcodec.js';
import { newCounterArray } from './counters.js';
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

export type PutTemplateResult = 'added' | 'refreshed' | 'changed' | 'template_limit' | 'domain_limit';

/** One exporter (or one IPFIX transport session): its template cache and options state. */
export class ExporterState {
  readonly key: string;
  /** The exporter address as given to the decoder (sampling overrides are keyed by it). */
  readonly address: string;
  /** State of an IPFIX-over-TCP session: its templates never time out. */
  tcp = false;
  /** Exporter address words (all zero when the address is not an IP literal). */
  readonly addr: readonly [number, number, number, number];
  readonly counters = newCounterArray();
  readonly domains = new Map<number, DomainState>();
  readonly interfaces = new Map<number, InterfaceInfo>();
  held: HeldSet[] = [];
  heldBytes = 0;
  templateCount = 0;

  constructor(key: string, address: string) {
    this.key = key;
    this.address = address;
    this.addr = parseIp(address) ?? [0, 0, 0, 0];
  }

  domain(key: number): DomainState | undefined {
    return this.domains.get(key);
  }

  /** The domain's state, created when missing; undefined when the exporter has maxDomains already. */
  ensureDomain(key: number, maxDomains: number): DomainState | undefined {
    let d = this.domains.get(key);
    if (d === undefined) {
      if (this.domains.size >= maxDomains) return undefined;
      d = new DomainState();
      this.domains.set(key, d);
    }
    return d;
  }

  getTemplate(dkey: number, id: number): Template | undefined {
    return this.domains.get(dkey)?.templates.get(id);
  }

  putTemplate(dkey: number, t: Template, maxTemplates: number, maxDomains: number): PutTemplateResult {
    const existing = this.getTemplate(dkey, t.id);
    if (existing !== undefined) {
      if (existing.sig === t.sig) {
        existing.lastSeenMs = t.lastSeenMs;
        return 'refreshed';
      }
      this.domains.get(dkey)!.templates.set(t.id, t);
      return 'changed';
    }
    if (this.templateCount >= maxTemplates) return 'template_limit';
    const d = this.ensureDomain(dkey, maxDomains);
    if (d === undefined) return 'domain_limit';
    d.templates.set(t.id, t);
    this.templateCount++;
    return 'added';
  }

  removeTemplate(dkey: number, id: number): boolean {
    const d = this.domains.get(dkey);
    if (d === undefined || !d.templates.delete(id)) return false;
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
    for (const d of this.domains.values()) for (const t of d.templates.values()) n += t.fields.length;
    return n;
  }
}

/** Exporters by key, least recently seen first; bounded, evicting the least recently seen. */
export class ExporterTable {
  private readonly map = new Map<string, ExporterState>();
  private lastKey = '';
  private last: ExporterState | undefined;
  /** Exporters forgotten to make room. */
  evicted = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The state for `key`, created (evicting the least recently seen when full) when missing. */
  get(key: string, address: string): ExporterState {
    if (this.last !== undefined && key === this.lastKey) return this.last;
    let st = this.map.get(key);
    if (st === undefined) {
      while (this.map.size >= this.max) {
        const oldest = this.map.keys().next().value!;
        this.map.delete(oldest);
        this.evicted++;
      }
      st = new ExporterState(key, address);
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
    return this.map.delete(key);
  }

  values(): IterableIterator<ExporterState> {
    return this.map.values();
  }
}
