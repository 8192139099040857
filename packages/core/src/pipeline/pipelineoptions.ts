// Options of the ingest pipeline (decoder limits, `<sessiontables>` settings, enrichment and services
// data, batching), with defaults; `resolvePipelineOptions` checks the pipeline's own and fills in the rest.

import type { DecoderConfig } from '../decode/decoderconfig.js';
import type { Enrichment } from '../enrich/enrichment.js';
import { ServiceNames } from '../enrich/servicenames.js';
import type { SessionSink } from '../session/sessionoptions.js';
import { PipelineError } from './pipelineerror.js';

export interface IngestPipelineOptions {
  /**
   * Receives finished, enriched session records: the first `rows` rows of `cols`. The columns are
   * reused after the call returns: copy what you keep (ColumnStore.append and MemorySource.append copy).
   */
  onSessions: SessionSink;
  /** `sessiontables.conntracksize`: sessions tracked at most (SessionTracker's default when absent). */
  conntracksize?: number;
  /** `sessiontables.timeout`, seconds. */
  timeout?: number;
  /** `sessiontables.toolong`, seconds. */
  toolong?: number;
  /** Session rows per onSessions call. */
  batchRows?: number;
  /** How far (µs) flow times may run ahead of the receive clock and still move the tracker's clock. */
  maxClockLeadUs?: number;
  /**
   * Country and AS data for the sessions (`openEnrichment(...)`). Absent: the bundled data is loaded
   * (about 1.3 s, no cache files); null: sessions are delivered without country codes and AS numbers
   * other than the exporter's.
   */
  enrichment?: Enrichment | null;
  /** Which ports are service ports (the side that is the server); default `ServiceNames.open('')`. */
  services?: ServiceNames;
  /**
   * Decoder limits, sampling overrides and exporter-clock handling (clockSkewThresholdMs;
   * ignoreOldFlowsUs for `netflow.ignoreoldnetflows`); FlowDecoder's defaults for what is absent.
   */
  decoder?: Partial<DecoderConfig>;
  /** Decoded flow records gathered before they are merged into the tracker (also at every tick). */
  ingestFlows?: number;
  /**
   * Decoded flow records kept while onSessions fails (they are merged again once it works); beyond
   * this, datagrams are refused until it works again.
   */
  maxBacklogFlows?: number;
}

export interface ResolvedPipelineOptions {
  readonly enrichment: Enrichment | null | undefined;
  readonly services: ServiceNames;
  readonly ingestFlows: number;
  readonly maxBacklogFlows: number;
}

export const DEFAULT_PIPELINE_OPTIONS = Object.freeze({
  ingestFlows: 4096,
  maxBacklogFlows: 1 << 20,
});

function whole(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new PipelineError('BAD_OPTION', `ingest pipeline option ${name} must be a whole number from ${min} to ${max}, got ${String(v)}`, name);
  }
  return v;
}

/** The pipeline's own options, checked (the tracker and the decoder check theirs). */
export function resolvePipelineOptions(opts: IngestPipelineOptions): ResolvedPipelineOptions {
  if (typeof opts !== 'object' || opts === null) {
    throw new PipelineError('BAD_OPTION', 'ingest pipeline options must be an object with at least onSessions', 'onSessions');
  }
  if (typeof opts.onSessions !== 'function') {
    throw new PipelineError('BAD_OPTION', 'ingest pipeline option onSessions must be a function (cols, rows) => void that receives finished sessions', 'onSessions');
  }
  const e = opts.enrichment;
  if (e !== undefined && e !== null && (typeof e !== 'object' || typeof e.enrichSessions !== 'function')) {
    throw new PipelineError('BAD_OPTION', 'ingest pipeline option enrichment must be an Enrichment (openEnrichment()), or null for none', 'enrichment');
  }
  if (opts.services !== undefined && !(opts.services instanceof ServiceNames)) {
    throw new PipelineError('BAD_OPTION', 'ingest pipeline option services must be a ServiceNames (ServiceNames.open(file))', 'services');
  }
  const d = DEFAULT_PIPELINE_OPTIONS;
  const ingestFlows = whole('ingestFlows', opts.ingestFlows ?? d.ingestFlows, 1, 1 << 20);
  const maxBacklogFlows = whole('maxBacklogFlows', opts.maxBacklogFlows ?? Math.max(d.maxBacklogFlows, ingestFlows), ingestFlows, 1 << 26);
  return {
    enrichment: e,
    services: opts.services ?? ServiceNames.open(''),
    ingestFlows,
    maxBacklogFlows,
  };
}
