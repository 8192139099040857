// FlowDecoder: the entry point of flow-export decoding. One `decode` call per NetFlow/IPFIX datagram (or
// IPFIX message from a TCP stream), one `decodeSflow` per sFlow datagram; keeps per-exporter state, counts every drop.

import { u16, u32 } from './bytes.js';
import { ClockPolicy } from './clockpolicy.js';
import { C, countersToObject, newCounterArray, type CounterName, type DecodeCounters } from './counters.js';
import { DecoderBudget, SAMPLING_ENTRY_BYTES } from './decoderbudget.js';
import { checkClockOptions, resolveDecoderConfig, type DecoderConfig } from './decoderconfig.js';
import type { DecoderEvent } from './decoderevents.js';
import type { ExporterClockInfo } from './exporterclock.js';
import { canonicalKey, ExporterKeyCache } from './exporterkey.js';
import { ExporterTable, type ExporterState, type InterfaceInfo } from './exporterstate.js';
import type { FlowBatch } from './flowbatch.js';
import { decodeIpfixMessage, IPFIX_HEADER } from './ipfix/message.js';
import { fixedExportUs } from './netflow/fixedformat.js';
import { decodeNetflowV1 } from './netflow/v1.js';
import { decodeNetflowV5 } from './netflow/v5.js';
import { decodeNetflowV7 } from './netflow/v7.js';
import { decodeNetflowV9 } from './netflow/v9.js';
import type { InterfaceCounters } from './sflow/interfacecounters.js';
import { SflowDecoder } from './sflow/sflowdecoder.js';
import { TemplateEngine } from './templateengine.js';

export interface DecodeContext {
  /**
   * Receive time in ms since the epoch: the decoder's clock for timeouts, and what exporter clocks
   * are measured against (not when before 2000: a replay counter). Default Date.now().
   */
  nowMs?: number;
  /** `tcp` for IPFIX messages from a TCP stream: templates then never time out. Default `udp`. */
  transport?: 'udp' | 'tcp';
  /**
   * Distinguishes several transport sessions from one address (e.g. the TCP connection's remote
   * port): state is kept per `exporter#session`. Default: one state per exporter address.
   */
  session?: string;
}

export interface DecodeResult {
  /** Version field of the datagram (0 when too short to have one); for decodeSflow the 32-bit sFlow version (2, 4, 5). */
  readonly version: number;
  /** Rows appended to the FlowBatch, including held data sets this datagram's templates released. */
  readonly flows: number;
  /** Options data records read. */
  readonly optionsRecords: number;
  /** Data sets held because their template is not known yet. */
  readonly held: number;
  /** The first drop reason met, or null when everything in the datagram was used. */
  readonly dropped: CounterName | null;
}

/** Memory an exporter's state holds, to check against the configured bounds. */
export interface ExporterMemory {
  readonly templates: number;
  readonly templateFields: number;
  readonly domains: number;
  readonly heldSets: number;
  readonly heldBytes: number;
  readonly interfaces: number;
  /** Bytes charged for interface names and descriptions (limit maxInterfaceBytesPerExporter). */
  readonly interfaceBytes: number;
  /** Sampling rates by sampler id and by template, over all domains. */
  readonly samplers: number;
  /** Interface-scoped sampling rates over all domains (limit maxInterfacesPerExporter). */
  readonly interfaceRates: number;
  /** Bytes charged for its sampling rates (samplers, templates and interfaces; SAMPLING_ENTRY_BYTES each). */
  readonly samplingBytes: number;
  /** sFlow agents whose interface counters this datagram source keeps (limit maxSflowAgentsPerExporter). */
  readonly sflowAgents: number;
  /** sFlow interfaces with counters over those agents. */
  readonly sflowInterfaces: number;
  /** Bytes charged for them (limit maxSflowCounterBytesPerExporter). */
  readonly sflowCounterBytes: number;
  /** Proven (flows from two datagrams): kept when the exporter table is full (see DecoderConfig.maxExporters). */
  readonly proven: boolean;
}

/** Memory of the decoder's state over all exporters, charged against the process-wide budgets. */
export interface DecoderMemory {
  readonly exporters: number;
  /** Estimated template bytes (limit maxTemplateBytesTotal). */
  readonly templateBytes: number;
  /** Held data set bytes with their per-set overhead (limit maxHeldBytesTotal). */
  readonly heldBytes: number;
  /** Interface name and description bytes with their per-interface overhead (limit maxInterfaceBytesTotal). */
  readonly interfaceBytes: number;
  /** Sampling-rate bytes (limit maxSamplingBytesTotal). */
  readonly samplingBytes: number;
  /** sFlow interface-counter bytes (limit maxSflowCounterBytesTotal). */
  readonly sflowCounterBytes: number;
  /** Compiled flow plans used by templates (with idleFlowPlans, limit maxFlowPlans). */
  readonly flowPlans: number;
  /** Compiled flow plans no template uses, kept for a layout that comes back (at most 256). */
  readonly idleFlowPlans: number;
}

/** Sampling and boot-time state of one source id / observation domain, for inspection. */
export interface DomainInfo {
  readonly version: 9 | 10;
  readonly id: number;
  readonly templateIds: readonly number[];
  readonly defaultRate: number;
  readonly samplerRates: ReadonlyMap<number, number>;
  readonly templateRates: ReadonlyMap<number, number>;
  /** ifIndex → rate, from options data scoped by an interface. */
  readonly interfaceRates: ReadonlyMap<number, number>;
  /**
   * Sampling algorithm given with the rate in options data (IE 35 samplingAlgorithm / IE 49
   * samplerMode: 1 deterministic, 2 random; 0 or absent: not given), keyed like the rates.
   */
  readonly defaultAlgorithm: number;
  readonly samplerAlgorithms: ReadonlyMap<number, number>;
  readonly templateAlgorithms: ReadonlyMap<number, number>;
  readonly interfaceAlgorithms: ReadonlyMap<number, number>;
  /**
   * biflowDirection given for the whole domain in options data, as an `initiator` column value (1 the
   * source initiated, 2 the destination, 3 not known); 0 when not given.
   */
  readonly initiator: number;
  /** systemInitTimeMilliseconds from options data (NaN when unknown). */
  readonly sysInitMs: number;
}

/** The exporter-clock options, which can change while the decoder runs (FlowDecoder.setClockOptions). */
export type ClockOptions = Pick<DecoderConfig, 'clockSkewThresholdMs' | 'ignoreOldFlowsUs'>;

export class FlowDecoder {
  readonly config: DecoderConfig;
  private readonly exporters: ExporterTable;
  private readonly budget: DecoderBudget;
  private readonly keys = new ExporterKeyCache();
  private readonly totals = newCounterArray();
  private readonly engine: TemplateEngine;
  private readonly sflow: SflowDecoder;
  private readonly clock: ClockPolicy;

  /** Throws DecoderConfigError for an invalid configuration. */
  constructor(config: Partial<DecoderConfig> = {}) {
    this.config = resolveDecoderConfig(config);
    this.budget = new DecoderBudget(this.config);
    this.exporters = new ExporterTable(this.config.maxExporters, this.config.exporterIdleMs, this.budget);
    this.clock = new ClockPolicy(
      this.config,
      (st, c, n) => this.add(st, c, n),
      () => this.totals[C.clock_events_lost]!++,
    );
    this.engine = new TemplateEngine(this.config, this.budget, this.clock, (st, c, n) => this.add(st, c, n));
    this.sflow = new SflowDecoder(this.config, this.budget, (st, c, n) => this.add(st, c, n));
  }

  /**
   * Decode one datagram from `exporter` (its IP address as text, any form: state is keyed by the
   * canonical one) into `out`. Never throws: what cannot be used is counted per exporter and per
   * reason, and reported in the result.
   */
  decode(buf: Uint8Array, exporter: string, ctx: DecodeContext, out: FlowBatch): DecodeResult {
    const nowMs = ctx.nowMs ?? Date.now();
    const version = buf.length >= 2 ? u16(buf, 0) : 0;
    const st = this.stateOf(exporter, ctx, nowMs);
    if (st === undefined) return this.refuse(version);
    st.tcp = ctx.transport === 'tcp';
    this.add(st, C.datagrams, 1);
    // IpfixStreamFramer cuts whole messages; a shorter one is what was left when the connection closed.
    if (st.tcp && (buf.length < IPFIX_HEADER || u16(buf, 2) > buf.length)) return this.fail(st, version, 'truncated_stream');
    if (buf.length < 2) return this.fail(st, 0, 'truncated');
    const rowsBefore = out.length;
    let r: DecodeResult;
    try {
      switch (version) {
        case 1:
        case 5:
        case 7:
          r = this.fixed(version, buf, st, nowMs, out);
          break;
        case 9:
        case 10:
          r = this.templated(version, buf, st, nowMs, out);
          break;
        default:
          return this.fail(st, version, 'bad_version');
      }
    } catch {
      // A decoder bug must not take the collector down: drop what this datagram wrote, count it.
      out.truncate(rowsBefore);
      return this.fail(st, version, 'decoder_error');
    }
    if (r.flows > 0) this.exporters.gaveFlows(st);
    return r;
  }

  /**
   * Decode one sFlow v2/v4/v5 datagram (what arrives on an sFlow port) from `exporter` (the datagram's
   * source address as text) into `out`: one row per flow sample, counter samples kept per agent
   * (`interfaceCounters`). Anything else — a NetFlow packet sent to the sFlow port — is bad_version.
   * Never throws; counters are kept per `exporter` (the rows carry the agent address).
   */
  decodeSflow(buf: Uint8Array, exporter: string, ctx: DecodeContext, out: FlowBatch): DecodeResult {
    const nowMs = ctx.nowMs ?? Date.now();
    const st = this.stateOf(exporter, ctx, nowMs);
    if (st === undefined) return this.refuse(buf.length >= 4 ? u32(buf, 0) : 0);
    this.add(st, C.datagrams, 1);
    const rowsBefore = out.length;
    try {
      const r = this.sflow.decode(buf, st, nowMs, out);
      if (r.flows > 0) this.exporters.gaveFlows(st);
      return r;
    } catch {
      // As in decode: a bug must not take the collector down.
      out.truncate(rowsBefore);
      return this.fail(st, buf.length >= 4 ? u32(buf, 0) : 0, 'decoder_error');
    }
  }

  /**
   * How far the clock of an exporter key is from the receive time, as measured from its export
   * headers; undefined for a key without one (unknown, sFlow only, or measurement off).
   */
  skewOf(key: string): ExporterClockInfo | undefined {
    const c = this.find(key)?.clock;
    if (c === undefined || c === null) return undefined;
    const corrected = c.skewed && this.config.clockSkewThresholdMs > 0 && this.config.ignoreOldFlowsUs === 0;
    return { skewMs: Math.round(c.estimateMs), skewed: c.skewed, corrected };
  }

  /**
   * Exporter clock notices since the last call, oldest first (for the log): a skew found, changed,
   * or gone. At most 1024 wait; beyond, the oldest are dropped (counter clock_events_lost).
   */
  drainEvents(): DecoderEvent[] {
    return this.clock.events.drain();
  }

  /**
   * Change the exporter-clock options while running (configuration reload, a retention window that
   * moves); checked like the constructor's (throws DecoderConfigError). Turning the skew threshold to 0
   * forgets every measurement; records already decoded are not revisited.
   */
  setClockOptions(options: Partial<ClockOptions>): void {
    const next: ClockOptions = {
      clockSkewThresholdMs: options.clockSkewThresholdMs ?? this.config.clockSkewThresholdMs,
      ignoreOldFlowsUs: options.ignoreOldFlowsUs ?? this.config.ignoreOldFlowsUs,
    };
    checkClockOptions(next);
    if (next.clockSkewThresholdMs === 0) for (const st of this.exporters.all()) st.clock = null;
    this.config.clockSkewThresholdMs = next.clockSkewThresholdMs;
    this.config.ignoreOldFlowsUs = next.ignoreOldFlowsUs;
  }

  /**
   * Latest generic interface counters of an sFlow agent (its address as text), by ifIndex; when several
   * datagram sources speak for the agent, those of the source that updated it last.
   */
  interfaceCounters(agent: string): ReadonlyMap<number, InterfaceCounters> {
    return this.sflow.interfaceCounters(agent, this.exporters.all());
  }

  /** sFlow agents with interface counters, least recently updated first. */
  sflowAgents(): string[] {
    return this.sflow.agentKeys(this.exporters.all());
  }

  /**
   * Expire unrefreshed templates and held data sets of every exporter (call periodically), and the sFlow
   * interface counters of sources silent for exporterIdleMs, so that the counter budget a flood of
   * spoofed sources took comes back once it stops.
   */
  expire(nowMs: number): void {
    for (const st of this.exporters.all()) {
      this.engine.sweep(st, nowMs);
      if (st.sflow !== null && nowMs - st.lastSeenMs > this.config.exporterIdleMs) {
        st.sflow.clear();
        st.sflow = null;
      }
    }
  }

  /** Forget an exporter or session (e.g. when its TCP connection closes); its held data sets count as held_sets_lost. */
  forget(key: string): boolean {
    const k = canonicalKey(key);
    const st = this.exporters.find(k);
    if (st !== undefined && st.held.length > 0) this.add(st, C.held_sets_lost, st.held.length);
    return this.exporters.delete(k);
  }

  /**
   * Exporter / session keys currently known, least recently seen first: the canonical address
   * (dotted quad for IPv4 even when the socket said ::ffff:a.b.c.d, RFC 5952 for IPv6), `#session` appended.
   * The methods below taking a key accept any form of the address.
   */
  exporterKeys(): string[] {
    return this.exporters.ordered().map((s) => s.key);
  }

  /** Counters of one exporter key, or the totals over all exporters ever seen. */
  counters(key?: string): DecodeCounters {
    if (key === undefined) return countersToObject(this.totals);
    const st = this.find(key);
    return countersToObject(st === undefined ? newCounterArray() : st.counters);
  }

  /** Interface names learnt from options data (IE 82/83), by ifIndex. */
  interfaces(key: string): ReadonlyMap<number, InterfaceInfo> {
    return this.find(key)?.interfaces ?? new Map();
  }

  /** What one exporter's state holds (undefined when unknown); without a key, the totals against the process-wide budgets. */
  memory(key: string): ExporterMemory | undefined;
  memory(): DecoderMemory;
  memory(key?: string): ExporterMemory | DecoderMemory | undefined {
    if (key === undefined) {
      const b = this.budget;
      return {
        exporters: this.exporters.size,
        templateBytes: b.templateBytes,
        heldBytes: b.heldBytes,
        interfaceBytes: b.interfaceBytes,
        samplingBytes: b.samplingBytes,
        sflowCounterBytes: b.counterBytes,
        flowPlans: b.plans.size,
        idleFlowPlans: b.plans.idleSize,
      };
    }
    const st = this.find(key);
    if (st === undefined) return undefined;
    let samplers = 0;
    for (const d of st.domains.values()) samplers += d.samplers.size + d.templateRates.size;
    return {
      templates: st.templateCount,
      templateFields: st.templateFields(),
      domains: st.domains.size,
      heldSets: st.held.length,
      heldBytes: st.heldBytes,
      interfaces: st.interfaces.size,
      interfaceBytes: st.interfaceBytes,
      samplers,
      interfaceRates: st.interfaceRateCount,
      samplingBytes: st.samplingEntries * SAMPLING_ENTRY_BYTES,
      sflowAgents: st.sflow?.agentCount ?? 0,
      sflowInterfaces: st.sflow?.interfaceCount ?? 0,
      sflowCounterBytes: st.sflow?.bytes ?? 0,
      proven: st.proven,
    };
  }

  /** Templates, sampling rates and options state per source id / observation domain of an exporter key. */
  domains(key: string): DomainInfo[] {
    const st = this.find(key);
    if (st === undefined) return [];
    return [...st.domains].map(([k, d]) => ({
      version: k >= 4294967296 ? 10 : 9,
      id: k >= 4294967296 ? k - 4294967296 : k,
      templateIds: [...d.templates.keys()],
      defaultRate: d.defaultRate,
      samplerRates: new Map(d.samplers),
      templateRates: new Map(d.templateRates),
      interfaceRates: new Map(d.interfaceRates),
      defaultAlgorithm: d.defaultAlgorithm,
      samplerAlgorithms: new Map(d.samplerAlgorithms),
      templateAlgorithms: new Map(d.templateAlgorithms),
      interfaceAlgorithms: new Map(d.interfaceAlgorithms),
      initiator: d.initiator,
      sysInitMs: d.sysInitMs,
    }));
  }

  private fixed(version: 1 | 5 | 7, buf: Uint8Array, st: ExporterState, nowMs: number, out: FlowBatch): DecodeResult {
    const r0 = out.length;
    const override = this.config.samplingOverrides.size > 0 ? (this.config.samplingOverrides.get(st.address) ?? 0) : 0;
    const r =
      version === 5
        ? decodeNetflowV5(buf, st.addr, out, override)
        : version === 1
          ? decodeNetflowV1(buf, st.addr, out, override)
          : decodeNetflowV7(buf, st.addr, out, override);
    if (typeof r === 'string') return this.fail(st, version, r);
    this.clock.observe(st, nowMs, fixedExportUs(buf));
    const old = this.clock.settle(st, out, r0, nowMs);
    const kept = r - old;
    this.add(st, C.flows, kept);
    if (old > 0) this.add(st, C.too_old, old);
    return { version, flows: kept, optionsRecords: 0, held: 0, dropped: old > 0 ? 'too_old' : null };
  }

  private templated(version: 9 | 10, buf: Uint8Array, st: ExporterState, nowMs: number, out: FlowBatch): DecodeResult {
    const eng = this.engine;
    eng.startDatagram(st, out, nowMs);
    if (version === 9) {
      decodeNetflowV9(buf, eng);
    } else {
      // One message per UDP datagram normally; further complete messages are decoded too.
      let p = 0;
      while (p < buf.length) {
        const n = decodeIpfixMessage(buf, p, eng);
        if (n === 0) break;
        p += n;
        if (buf.length - p < IPFIX_HEADER || u16(buf, p) !== 10) {
          if (p < buf.length) eng.drop('bad_length');
          break;
        }
      }
    }
    return { version, flows: eng.flows, optionsRecords: eng.optionsRecords, held: eng.held, dropped: eng.firstDrop };
  }

  private find(key: string): ExporterState | undefined {
    return this.exporters.find(key) ?? this.exporters.find(canonicalKey(key));
  }

  /**
   * The state of an exporter (or `exporter#session`), created when missing and there is room (see
   * ExporterTable); counts evictions and the held data sets they lose. Undefined when the table refuses a new exporter.
   */
  private stateOf(exporter: string, ctx: DecodeContext, nowMs: number): ExporterState | undefined {
    const address = this.keys.canonical(exporter);
    const key = ctx.session === undefined ? address : `${address}#${ctx.session}`;
    const table = this.exporters;
    const evictedBefore = table.evicted;
    const lostBefore = table.heldLost;
    const st = table.get(key, address, nowMs);
    if (table.evicted !== evictedBefore) {
      this.totals[C.exporter_evicted]! += table.evicted - evictedBefore;
      this.totals[C.held_sets_lost]! += table.heldLost - lostBefore;
    }
    return st;
  }

  /** A datagram from a new exporter that the full table refused: counted in the totals only (it has no state). */
  private refuse(version: number): DecodeResult {
    this.totals[C.datagrams]!++;
    this.totals[C.exporter_refused]!++;
    return { version, flows: 0, optionsRecords: 0, held: 0, dropped: 'exporter_refused' };
  }

  private fail(st: ExporterState, version: number, reason: CounterName): DecodeResult {
    this.add(st, C[reason], 1);
    return { version, flows: 0, optionsRecords: 0, held: 0, dropped: reason };
  }

  private add(st: ExporterState, counter: number, n: number): void {
    st.counters[counter]! += n;
    this.totals[counter]! += n;
  }
}

