// The collector's ingest path without its sockets: export datagrams in, decoded into a reused FlowBatch,
// merged into sessions by the connection tracker, enriched with country and AS, handed to a sink.

import type { DecodeCounters } from '../decode/counters.js';
import { FLOW_COLUMN_DEFS, FlowBatch, type FlowColumnArray, type FlowColumnName } from '../decode/flowbatch.js';
import type { DecoderEvent } from '../decode/decoderevents.js';
import { FlowDecoder, type DecodeContext, type DecodeResult } from '../decode/flowdecoder.js';
import { openEnrichment, type Enrichment } from '../enrich/enrichment.js';
import type { ServiceNames } from '../enrich/servicenames.js';
import type { Columns } from '../fields/columns.js';
import { SessionTracker } from '../session/sessiontracker.js';
import type { SessionSink } from '../session/sessionoptions.js';
import type { PipelineCounters } from './pipelinecounters.js';
import { PipelineError } from './pipelineerror.js';
import { resolvePipelineOptions, type IngestPipelineOptions } from './pipelineoptions.js';

/** Which listener a datagram came from: NetFlow v1/v5/v7/v9 and IPFIX ports, or sFlow ports. */
export type DatagramKind = 'netflow' | 'sflow';

/**
 * One instance per collector (or per independent set of listeners). Calls must not overlap: it is
 * driven from one event loop. Typical wiring:
 *
 *   udp.on('message', (buf, rinfo) => pipeline.datagram('netflow', buf, rinfo.address, Date.now()));
 *   setInterval(() => { pipeline.tick(Date.now()); for (const e of pipeline.drainEvents()) log.warn(e.message); }, 1000);
 *   setInterval(() => pipeline.flush(), storageIntervalMs);
 *   process.on('SIGTERM', () => pipeline.drain());
 */
export class IngestPipeline {
  /** The decoder, for inspection (interfaceCounters, interfaces, domains, memory, skewOf) and setClockOptions. */
  readonly decoder: FlowDecoder;
  /** Where service ports come from (the tracker asks it when a session starts). */
  readonly services: ServiceNames;
  /** The country and AS data applied to every session, null when enrichment is off. */
  readonly enrichment: Enrichment | null;
  private readonly tracker: SessionTracker;
  private readonly batch: FlowBatch;
  private readonly ingestFlows: number;
  private readonly maxBacklogFlows: number;
  /** Reused for every decode call (no allocation per datagram). */
  private readonly ctx: DecodeContext = { nowMs: 0, transport: 'udp', session: undefined };
  /** Latest receive time given, ms: the wall clock the tracker is told. */
  private nowMs = 0;
  /** Flows the tracker has merged, as created + updated counts them (to resume after a failing sink). */
  private merged = 0;
  private nNetflow = 0;
  private nSflow = 0;
  private nTcp = 0;
  private nFlows = 0;
  private nSessions = 0;
  private nRefused = 0;
  /** True while onSessions runs: the pipeline's batch is in use, calls into the pipeline are refused. */
  private inSink = false;

  /**
   * Throws PipelineError (BAD_OPTION) for the pipeline's own options, SessionError for tracker options,
   * DecoderConfigError for decoder limits, EnrichError when the bundled data cannot be loaded.
   */
  constructor(options: IngestPipelineOptions) {
    const o = resolvePipelineOptions(options);
    this.services = o.services;
    this.ingestFlows = o.ingestFlows;
    this.maxBacklogFlows = o.maxBacklogFlows;
    this.decoder = new FlowDecoder(options.decoder ?? {});
    this.batch = new FlowBatch(Math.min(o.ingestFlows * 2, 1 << 16));
    const services = o.services;
    this.tracker = new SessionTracker({
      onSessions: this.sink(options.onSessions),
      conntracksize: options.conntracksize,
      timeout: options.timeout,
      toolong: options.toolong,
      batchRows: options.batchRows,
      maxClockLeadUs: options.maxClockLeadUs,
      isServicePort: (port, proto) => services.isServicePort(port, proto),
    });
    // Last: the bundled data takes a second to load, and a bad option above should not wait for it.
    this.enrichment = o.enrichment === undefined ? openEnrichment() : o.enrichment;
  }

  /** Sessions tracked now. */
  get size(): number {
    return this.tracker.size;
  }

  /** Flow records decoded so far (cheap: for callers that only need to know whether anything arrived). */
  get flowsDecoded(): number {
    return this.nFlows;
  }

  /** `sessiontables.timeout` and `toolong` changed by a reload (SessionTracker.setTimeouts). */
  setSessionTimeouts(timeout: number, toolong: number): void {
    this.enter('setSessionTimeouts');
    this.tracker.setTimeouts(timeout, toolong);
  }

  /**
   * Decode one datagram received from `exporter` (the source address as text) at `nowMs` (ms since
   * the epoch) on a NetFlow/IPFIX port or an sFlow port. Malformed input is counted and dropped, never
   * thrown; the result says what the datagram gave. Flows are merged into sessions once `ingestFlows`
   * have gathered, and at the next tick. An exception from onSessions comes out of this call (the
   * datagram's flows are kept and merged later); while it keeps failing with a full backlog, the
   * datagram is refused (counted) and the exception thrown again.
   */
  datagram(kind: DatagramKind, buf: Uint8Array, exporter: string, nowMs: number): DecodeResult {
    this.clock('datagram', nowMs);
    if (!(buf instanceof Uint8Array)) throw new PipelineError('BAD_INPUT', `datagram(): the datagram must be a Uint8Array (or Buffer), got ${typeof buf}`);
    if (kind === 'netflow') this.nNetflow++;
    else if (kind === 'sflow') this.nSflow++;
    else throw new PipelineError('BAD_INPUT', `datagram(): kind must be 'netflow' or 'sflow', got ${String(kind)}`);
    this.makeRoom();
    const ctx = this.ctx;
    ctx.nowMs = nowMs;
    ctx.transport = 'udp';
    ctx.session = undefined;
    const r = kind === 'netflow' ? this.decoder.decode(buf, exporter, ctx, this.batch) : this.decoder.decodeSflow(buf, exporter, ctx, this.batch);
    this.decoded(r.flows);
    return r;
  }

  /**
   * Decode one IPFIX message cut from a TCP stream (IpfixStreamFramer) of connection `session` (e.g.
   * the remote port) from `exporter`: templates are kept per connection and never time out.
   */
  tcpMessage(msg: Uint8Array, exporter: string, session: string, nowMs: number): DecodeResult {
    this.clock('tcpMessage', nowMs);
    if (!(msg instanceof Uint8Array)) throw new PipelineError('BAD_INPUT', `tcpMessage(): the message must be a Uint8Array (or Buffer), got ${typeof msg}`);
    this.nTcp++;
    this.makeRoom();
    const ctx = this.ctx;
    ctx.nowMs = nowMs;
    ctx.transport = 'tcp';
    ctx.session = session;
    const r = this.decoder.decode(msg, exporter, ctx, this.batch);
    this.decoded(r.flows);
    return r;
  }

  /** Forget the templates of a closed IPFIX-over-TCP connection. */
  tcpClosed(exporter: string, session: string): void {
    this.enter('tcpClosed');
    this.decoder.forget(`${exporter}#${session}`);
  }

  /**
   * The periodic step (call it every second): merge gathered flows, emit sessions idle longer than
   * `timeout`, expire unrefreshed templates and held data.
   */
  tick(nowMs: number): void {
    this.clock('tick', nowMs);
    this.ingest();
    this.tracker.expire(this.nowMs * 1000);
    this.decoder.expire(this.nowMs);
  }

  /** Merge gathered flows and hand every finished session not yet delivered to onSessions. */
  flush(): void {
    this.enter('flush');
    this.ingest();
    this.tracker.flush();
  }

  /** Merge gathered flows, then emit every tracked session (shutdown): the tracker is empty afterwards. */
  drain(): void {
    this.enter('drain');
    this.ingest();
    this.tracker.drain();
  }

  /**
   * The sessions still tracked, with their counters so far and enriched, in new columns (for queries
   * of active sessions). Gathered flows are merged and finished sessions delivered first, so each
   * session is either delivered or in the snapshot.
   */
  snapshot(): { cols: Columns; rows: number } {
    this.enter('snapshot');
    this.ingest();
    const snap = this.tracker.snapshot();
    this.enrichment?.enrichSessions(snap.cols, snap.rows);
    return snap;
  }

  /**
   * The decoder's notices since the last call, oldest first: exporter clocks found skewed, whose skew
   * changed, or back to normal (each with a log line). Call it from the periodic tick and log them.
   */
  drainEvents(): DecoderEvent[] {
    return this.decoder.drainEvents();
  }

  counters(): PipelineCounters {
    const exporters = new Map<string, DecodeCounters>();
    for (const key of this.decoder.exporterKeys()) exporters.set(key, this.decoder.counters(key));
    return {
      datagrams: { netflow: this.nNetflow, sflow: this.nSflow, tcp: this.nTcp },
      flows: this.nFlows,
      sessions: this.nSessions,
      pendingFlows: this.batch.length,
      refused: this.nRefused,
      decoder: this.decoder.counters(),
      exporters,
      tracker: this.tracker.stats(),
    };
  }

  private sink(user: SessionSink): SessionSink {
    return (cols, rows) => {
      // Rows offered again after a failing call are enriched again: the same values.
      this.enrichment?.enrichSessions(cols, rows);
      this.inSink = true;
      try {
        user(cols, rows);
      } finally {
        this.inSink = false;
      }
      this.nSessions += rows;
    };
  }

  private enter(what: string): void {
    if (this.inSink) throw new PipelineError('REENTRANT', `${what}() called from inside onSessions: the callback must not call back into the pipeline`);
  }

  private clock(what: string, nowMs: number): void {
    this.enter(what);
    if (typeof nowMs !== 'number' || !(nowMs >= 0) || nowMs === Infinity) {
      throw new PipelineError('BAD_TIME', `${what}(): nowMs must be a finite number of milliseconds since the epoch >= 0, got ${String(nowMs)}`);
    }
    if (nowMs > this.nowMs) this.nowMs = nowMs;
  }

  private decoded(flows: number): void {
    this.nFlows += flows;
    if (this.batch.length >= this.ingestFlows) this.ingest();
  }

  /** With a full backlog (onSessions failing), try to merge first; if that fails too, refuse the datagram. */
  private makeRoom(): void {
    if (this.batch.length < this.maxBacklogFlows) return;
    try {
      this.ingest();
    } catch (e) {
      this.nRefused++;
      throw e;
    }
  }

  /**
   * Merge the gathered flows into the tracker. If onSessions throws meanwhile, the flows the tracker
   * had not merged yet stay in the batch (moved to its front) for the next attempt, and the exception
   * goes on to the caller.
   */
  private ingest(): void {
    const b = this.batch;
    const n = b.length;
    if (n === 0) return;
    try {
      this.tracker.ingest(b, this.nowMs * 1000);
    } catch (e) {
      const st = this.tracker.stats();
      const done = st.created + st.updated - this.merged;
      this.merged += done;
      keepTail(b, done);
      throw e;
    }
    this.merged += n;
    b.reset();
  }
}

/** Drop the first `m` rows of a batch, moving the rest to the front. */
function keepTail(b: FlowBatch, m: number): void {
  if (m <= 0) return;
  const n = b.length;
  const cols = b as unknown as Record<FlowColumnName, FlowColumnArray>;
  for (const d of FLOW_COLUMN_DEFS) {
    const w = d.type === 'ip' ? 4 : 1;
    cols[d.name].copyWithin(0, m * w, n * w);
  }
  b.truncate(n - m);
}
