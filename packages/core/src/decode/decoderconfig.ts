// Limits and timeouts of the flow decoder, with defaults; every bound on its memory, per exporter and in total, is here.
// `resolveDecoderConfig` validates a partial configuration and fills in the rest.

import { canonicalExporter } from './exporterkey.js';

export interface DecoderConfig {
  /** A v9 / IPFIX-over-UDP template not refreshed for this long is forgotten (IPFIX over TCP: never). */
  templateTimeoutMs: number;
  /** Templates (data + options) kept per exporter, over all its source ids / observation domains. */
  maxTemplatesPerExporter: number;
  /** Fields in one template; longer templates are refused as bad_template. */
  maxFieldsPerTemplate: number;
  /**
   * Exporters whose state is kept. When the table is full, a new exporter takes the place of the least
   * recently seen one that has not yet proven itself (flows from two datagrams), else of a proven one
   * silent for exporterIdleMs; when there is none, the new exporter's datagram is dropped (exporter_refused).
   */
  maxExporters: number;
  /** A proven exporter silent this long may be forgotten to make room for a new one. */
  exporterIdleMs: number;
  /** Data sets without template held per exporter until their template arrives (0 disables holding). */
  pendingMaxSets: number;
  /** Bytes of held data sets per exporter. */
  pendingMaxBytes: number;
  /** A held data set is dropped (unknown_template_expired) after this long. */
  pendingMaxAgeMs: number;
  /** Sampler / selector ids (and, separately, template-scoped rates) remembered per source id or observation domain. */
  maxSamplersPerDomain: number;
  /**
   * Interfaces remembered per exporter: names (IE 82/83) and, separately, interface-scoped sampling
   * rates (over all its source ids / observation domains).
   */
  maxInterfacesPerExporter: number;
  /** Bytes of interface names and descriptions per exporter (text plus 160 per interface); beyond, new ones are refused. */
  maxInterfaceBytesPerExporter: number;
  /** Bytes of interface names and descriptions over all exporters; beyond, new ones are refused. */
  maxInterfaceBytesTotal: number;
  /** Source ids / observation domains with options state or templates per exporter (each charged 1536 bytes to the template budget). */
  maxDomainsPerExporter: number;
  /** Bytes of sampling rates from options data over all exporters (96 per rate); beyond, new rates are refused. */
  maxSamplingBytesTotal: number;
  /**
   * sFlow agents whose interface counters are kept per datagram source (an sFlow relay may speak for
   * many); beyond, the source's least recently updated agent is forgotten.
   */
  maxSflowAgentsPerExporter: number;
  /**
   * Bytes of sFlow interface counters per datagram source (384 per interface, 320 per agent); beyond,
   * the source's least recently updated counters are forgotten.
   */
  maxSflowCounterBytesPerExporter: number;
  /** Bytes of sFlow interface counters over all datagram sources; beyond, counters of new agents and interfaces are refused. */
  maxSflowCounterBytesTotal: number;
  /** Estimated bytes of templates over all exporters (8 per field + 384 per template); beyond, new templates are refused. */
  maxTemplateBytesTotal: number;
  /** Bytes of held data sets over all exporters (each counted as its length + 256); beyond, sets are not held. */
  maxHeldBytesTotal: number;
  /** Compiled flow plans alive (one per distinct data template layout in use); beyond, templates of a new layout are refused. */
  maxFlowPlans: number;
  /**
   * Per-exporter sampling rate that replaces whatever the exporter says (origin `config`), keyed by
   * exporter address: any form of an address is accepted and stored canonical (see canonicalExporter).
   */
  samplingOverrides: ReadonlyMap<string, number>;
  /**
   * An exporter whose export-header clock is further than this (ms) from the receive time is skewed:
   * reported once (drainEvents) and its flow times shifted by the measured skew. 0 turns skew
   * measurement, reporting and correction off; otherwise at least 2000 (headers carry whole seconds).
   */
  clockSkewThresholdMs: number;
  /**
   * `netflow.ignoreoldnetflows`: flow records ending more than this long (µs) before the receive time
   * are dropped (too_old) instead of stored, and skewed clocks are reported but not corrected.
   * 0 (default) keeps every record; otherwise at least 60 s (60 000 000).
   */
  ignoreOldFlowsUs: number;
}

/** Smallest clockSkewThresholdMs other than 0: v9 and IPFIX headers give whole seconds, and the network adds its delay. */
export const MIN_CLOCK_SKEW_THRESHOLD_MS = 2000;
/** Smallest ignoreOldFlowsUs other than 0: records normally reach the collector up to a minute after they end. */
export const MIN_IGNORE_OLD_FLOWS_US = 60_000_000;

export const DEFAULT_DECODER_CONFIG: Readonly<DecoderConfig> = Object.freeze({
  templateTimeoutMs: 30 * 60_000,
  maxTemplatesPerExporter: 1024,
  maxFieldsPerTemplate: 512,
  maxExporters: 10_000,
  exporterIdleMs: 30 * 60_000,
  pendingMaxSets: 64,
  pendingMaxBytes: 256 * 1024,
  pendingMaxAgeMs: 30_000,
  maxSamplersPerDomain: 256,
  maxInterfacesPerExporter: 8192,
  maxInterfaceBytesPerExporter: 4 * 1024 * 1024,
  maxInterfaceBytesTotal: 64 * 1024 * 1024,
  maxDomainsPerExporter: 256,
  maxSamplingBytesTotal: 16 * 1024 * 1024,
  maxSflowAgentsPerExporter: 256,
  maxSflowCounterBytesPerExporter: 8 * 1024 * 1024,
  maxSflowCounterBytesTotal: 64 * 1024 * 1024,
  maxTemplateBytesTotal: 64 * 1024 * 1024,
  maxHeldBytesTotal: 64 * 1024 * 1024,
  maxFlowPlans: 2048,
  samplingOverrides: new Map<string, number>(),
  clockSkewThresholdMs: 10_000,
  ignoreOldFlowsUs: 0,
});

export class DecoderConfigError extends Error {
  override readonly name = 'DecoderConfigError';
  readonly code = 'BAD_CONFIG';
  readonly key: keyof DecoderConfig;

  constructor(key: keyof DecoderConfig, detail: string) {
    super(`decoder configuration ${key}: ${detail}`);
    this.key = key;
  }
}

const INTEGER_KEYS = [
  'templateTimeoutMs',
  'maxTemplatesPerExporter',
  'maxFieldsPerTemplate',
  'maxExporters',
  'exporterIdleMs',
  'pendingMaxSets',
  'pendingMaxBytes',
  'pendingMaxAgeMs',
  'maxSamplersPerDomain',
  'maxInterfacesPerExporter',
  'maxInterfaceBytesPerExporter',
  'maxInterfaceBytesTotal',
  'maxDomainsPerExporter',
  'maxSamplingBytesTotal',
  'maxSflowAgentsPerExporter',
  'maxSflowCounterBytesPerExporter',
  'maxSflowCounterBytesTotal',
  'maxTemplateBytesTotal',
  'maxHeldBytesTotal',
  'maxFlowPlans',
] as const;

/**
 * Defaults for what is missing, sampling override keys made canonical; throws DecoderConfigError for a
 * negative, fractional or absurd value, or two forms of one address with different rates.
 */
export function resolveDecoderConfig(partial: Partial<DecoderConfig> = {}): DecoderConfig {
  const cfg: DecoderConfig = { ...DEFAULT_DECODER_CONFIG, ...partial };
  for (const k of INTEGER_KEYS) {
    const v = cfg[k];
    if (!Number.isSafeInteger(v) || v < 0) throw new DecoderConfigError(k, `must be a whole number >= 0, got ${String(v)}`);
  }
  for (const k of ['maxExporters', 'maxFieldsPerTemplate', 'maxDomainsPerExporter', 'maxTemplateBytesTotal', 'maxFlowPlans'] as const) {
    if (cfg[k] < 1) throw new DecoderConfigError(k, 'must be at least 1');
  }
  const overrides = new Map<string, number>();
  for (const [exporter, rate] of cfg.samplingOverrides) {
    if (!Number.isSafeInteger(rate) || rate < 1) {
      throw new DecoderConfigError('samplingOverrides', `rate for ${exporter} must be a whole number >= 1, got ${String(rate)}`);
    }
    const key = canonicalExporter(exporter);
    const before = overrides.get(key);
    if (before !== undefined && before !== rate) {
      throw new DecoderConfigError('samplingOverrides', `${exporter} is ${key}, given two rates (${before} and ${rate})`);
    }
    overrides.set(key, rate);
  }
  cfg.samplingOverrides = overrides;
  checkClockOptions(cfg);
  return cfg;
}

/** The exporter-clock options of `cfg` checked (resolveDecoderConfig, FlowDecoder.setClockOptions). */
export function checkClockOptions(cfg: Pick<DecoderConfig, 'clockSkewThresholdMs' | 'ignoreOldFlowsUs'>): void {
  const t = cfg.clockSkewThresholdMs;
  if (!Number.isSafeInteger(t) || (t !== 0 && t < MIN_CLOCK_SKEW_THRESHOLD_MS)) {
    throw new DecoderConfigError(
      'clockSkewThresholdMs',
      `must be 0 (no skew correction) or a whole number of milliseconds >= ${MIN_CLOCK_SKEW_THRESHOLD_MS} (export headers give whole seconds), got ${String(t)}`,
    );
  }
  const o = cfg.ignoreOldFlowsUs;
  if (!Number.isSafeInteger(o) || (o !== 0 && o < MIN_IGNORE_OLD_FLOWS_US)) {
    throw new DecoderConfigError(
      'ignoreOldFlowsUs',
      `must be 0 (keep old records) or a whole number of microseconds >= ${MIN_IGNORE_OLD_FLOWS_US} (one minute; one day is 86400000000), got ${String(o)}`,
    );
  }
}
