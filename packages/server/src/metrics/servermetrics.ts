// GET /metrics: the server's counters in Prometheus text format (prom-client), read from the
// pipeline, listeners, store and API at scrape time, so the hot paths keep plain number fields.

import { COUNTER_DEFS, EMIT_REASONS, type PipelineCounters } from '@opentraq/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read at each scrape; the server supplies it. */
export interface MetricsSources {
  pipeline(): PipelineCounters;
  listeners(): readonly { kind: string; transport: 'udp' | 'tcp'; port: number; datagrams: number; bytes: number; receiveBuffer: number }[];
  store(): {
    segments: number;
    rows: number;
    bytes: number;
    pendingRows: number;
    corruptSegments: number;
    cycles: number;
    lastCycleSeconds: number;
    /** Durability cycles that could not write (checkpoint or segment files). */
    writeFailures?: number;
    /** The last durability cycle could not write. */
    failing?: boolean;
    /** Finished sessions dropped because the store could not write and the memory for them was full. */
    droppedSessions?: number;
  };
  auth(): { lockedAddresses: number; failures: number };
  queries(): { running: number; queued: number; rejected: number; snapshots: number };
  /** IPFIX/TCP connections closed because their stream was not IPFIX, per exporter address. */
  rejectedStreams?(): ReadonlyMap<string, number>;
}

/** The drop reason of an IPFIX/TCP connection closed for a byte stream that is not IPFIX. */
export const NOT_IPFIX_STREAM = 'not_ipfix_stream';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly queryDuration: Histogram<'endpoint' | 'status'>;
  /** Segment files a query found damaged, once each (the API's queries count them as they find them). */
  readonly queryCorruptSegments: Counter;

  constructor(src: MetricsSources) {
    const r = this.registry;
    // prom-client's own names already start with process_ or nodejs_: opentraq_process_cpu_seconds_total,
    // opentraq_nodejs_eventloop_lag_seconds
    collectDefaultMetrics({ register: r, prefix: 'opentraq_' });
    const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter<string>) => void): void => {
      new Counter({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          this.reset();
          fill(this);
        },
      });
    };
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>) => void): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          this.reset();
          fill(this);
        },
      });
    };
    counter('opentraq_datagrams_received_total', 'Datagrams (UDP) received by each listener', ['kind', 'transport', 'port'], (c) => {
      for (const l of src.listeners()) if (l.transport === 'udp') c.inc({ kind: l.kind, transport: l.transport, port: l.port }, l.datagrams);
    });
    counter('opentraq_bytes_received_total', 'Bytes received by each listener', ['kind', 'transport', 'port'], (c) => {
      for (const l of src.listeners()) c.inc({ kind: l.kind, transport: l.transport, port: l.port }, l.bytes);
    });
    gauge('opentraq_receive_buffer_bytes', 'Receive buffer the kernel granted each UDP listener', ['kind', 'port'], (g) => {
      for (const l of src.listeners()) if (l.transport === 'udp') g.set({ kind: l.kind, port: l.port }, l.receiveBuffer);
    });
    const byExporter = (name: string, kind: 'drop' | 'event'): void => {
      counter(
        name,
        kind === 'drop' ? 'Export input dropped by the decoder, by exporter and reason' : 'Decoder activity, by exporter and event',
        ['exporter', kind === 'drop' ? 'reason' : 'event'],
        (c) => {
          for (const [exp, counts] of src.pipeline().exporters) {
            for (const d of COUNTER_DEFS) {
              if (d.kind !== kind || d.name === 'datagrams' || d.name === 'flows') continue;
              const v = counts[d.name];
              if (v > 0) c.inc({ exporter: exp, [kind === 'drop' ? 'reason' : 'event']: d.name }, v);
            }
          }
          if (kind === 'drop') for (const [exp, n] of src.rejectedStreams?.() ?? []) c.inc({ exporter: exp, reason: NOT_IPFIX_STREAM }, n);
        },
      );
    };
    counter('opentraq_exporter_datagrams_total', 'Export datagrams (IPFIX-over-TCP: messages) decoded, by exporter', ['exporter'], (c) => {
      for (const [exp, counts] of src.pipeline().exporters) c.inc({ exporter: exp }, counts.datagrams);
    });
    counter('opentraq_flows_decoded_total', 'Flow records decoded, by exporter', ['exporter'], (c) => {
      for (const [exp, counts] of src.pipeline().exporters) c.inc({ exporter: exp }, counts.flows);
    });
    byExporter('opentraq_dropped_total', 'drop');
    byExporter('opentraq_decoder_events_total', 'event');
    counter('opentraq_datagrams_refused_total', 'Datagrams refused because the store kept failing and the backlog was full', [], (c) => c.inc(src.pipeline().refused));
    counter('opentraq_sessions_emitted_total', 'Session records that left the connection tracker, by reason', ['reason'], (c) => {
      const t = src.pipeline().tracker;
      for (const reason of EMIT_REASONS) c.inc({ reason }, t.emitted[reason]);
    });
    counter('opentraq_sessions_stored_total', 'Session records delivered to the store', [], (c) => c.inc(src.pipeline().sessions));
    gauge('opentraq_sessions_active', 'Sessions in the connection tracker (visible to queries)', [], (g) => g.set(src.pipeline().tracker.active));
    gauge('opentraq_sessions_pending', 'Finished sessions held in memory and not yet in a store segment: waiting for the next storage cycle, or kept while the store cannot write', [], (g) => g.set(src.store().pendingRows));
    counter('opentraq_sessions_dropped_total', 'Finished sessions dropped because the store could not write and sessiontables.memcachesize of them were already held in memory', [], (c) => c.inc(src.store().droppedSessions ?? 0));
    gauge('opentraq_store_segments', 'Segment files in the store', [], (g) => g.set(src.store().segments));
    gauge('opentraq_store_sessions', 'Sessions in the store segment files', [], (g) => g.set(src.store().rows));
    gauge('opentraq_store_bytes', 'Bytes of the store segment files', [], (g) => g.set(src.store().bytes));
    counter('opentraq_store_corrupt_segments_total', 'Segment files found corrupt, skipped and quarantined', [], (c) => c.inc(src.store().corruptSegments));
    counter('opentraq_storage_cycles_total', 'Durability cycles (checkpoint + store flush) completed', [], (c) => c.inc(src.store().cycles));
    gauge('opentraq_storage_cycle_seconds', 'Duration of the last durability cycle', [], (g) => g.set(src.store().lastCycleSeconds));
    counter('opentraq_storage_write_failures_total', 'Durability cycles that could not write the checkpoint or the segment files (disk full, I/O error, read-only file system); their sessions stay in memory', [], (c) => c.inc(src.store().writeFailures ?? 0));
    gauge('opentraq_storage_failing', '1 while the store cannot write (the last durability cycle failed, or the storage thread is gone), else 0', [], (g) => g.set(src.store().failing === true ? 1 : 0));
    gauge('opentraq_auth_locked_addresses', 'Source addresses locked out by login throttling', [], (g) => g.set(src.auth().lockedAddresses));
    gauge('opentraq_queries_running', 'Queries running now', [], (g) => g.set(src.queries().running));
    gauge('opentraq_queries_queued', 'Queries waiting for a query slot', [], (g) => g.set(src.queries().queued));
    counter('opentraq_queries_rejected_total', 'Queries refused because the queue was full', [], (c) => c.inc(src.queries().rejected));
    counter('opentraq_query_snapshots_total', 'Snapshots of the active sessions taken for queries (queries close together share one)', [], (c) => c.inc(src.queries().snapshots));
    this.queryCorruptSegments = new Counter({
      name: 'opentraq_query_corrupt_segments_total',
      help: 'Segment files a query found corrupt (a column failing its checksum), counted once each: every query skips them from then on',
      registers: [r],
    });
    this.queryDuration = new Histogram({
      name: 'opentraq_query_duration_seconds',
      help: 'API query latency, by endpoint and HTTP status',
      labelNames: ['endpoint', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [r],
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
