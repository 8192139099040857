// What the ingest pipeline reports about its work (for the server's /metrics and logs): datagrams by
// listener kind, flows and sessions through it, the decoder's counters per exporter, and the tracker's.

import type { DecodeCounters } from '../decode/counters.js';
import type { SessionTrackerStats } from '../session/sessionstats.js';

export interface PipelineCounters {
  /** Datagrams (IPFIX-over-TCP: messages) handed to the pipeline, by where they came from. */
  readonly datagrams: { readonly netflow: number; readonly sflow: number; readonly tcp: number };
  /** Flow records decoded. */
  readonly flows: number;
  /** Session records delivered to onSessions. */
  readonly sessions: number;
  /** Decoded flow records not merged into the tracker yet (gathered for the next ingest, or kept while onSessions fails). */
  readonly pendingFlows: number;
  /** Datagrams not decoded because onSessions kept failing and the backlog was full. */
  readonly refused: number;
  /** The decoder's counters over all exporters (drop reasons and events: COUNTER_DEFS). */
  readonly decoder: DecodeCounters;
  /** The decoder's counters per exporter key (the address given, or `address#session` for TCP). */
  readonly exporters: ReadonlyMap<string, DecodeCounters>;
  /** The connection tracker's statistics. */
  readonly tracker: SessionTrackerStats;
}
