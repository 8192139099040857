// The decoder's per-exporter counters as /metrics reports them: one series per exporter address (an
// IPFIX/TCP connection's state is keyed address#connection) that never goes down when a connection closes.

import { COUNTER_NAMES, canonicalExporter, type DecodeCounters } from '@opentraq/core';

/** Addresses whose closed connections are remembered by default; past it the longest-quiet one is forgotten. */
const DEFAULT_MAX_ADDRESSES = 10_000;

function zero(): Record<string, number> {
  return Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0]));
}

function addInto(into: Record<string, number>, from: DecodeCounters): void {
  for (const n of COUNTER_NAMES) into[n] = (into[n] ?? 0) + from[n];
}

/** The exporter address of a decoder key: `address` or `address#session`, canonical. */
function addressOf(key: string): string {
  const hash = key.indexOf('#');
  return canonicalExporter(hash < 0 ? key : key.slice(0, hash));
}

export class ExporterTotals {
  /** Counts of forgotten decoder states, by address; Map order is the order of last change, oldest first. */
  private readonly retired = new Map<string, Record<string, number>>();
  private readonly rejected = new Map<string, number>();

  constructor(private readonly maxAddresses = DEFAULT_MAX_ADDRESSES) {}

  /** A decoder state about to be forgotten (a closed IPFIX/TCP connection): its counts stay in the totals. */
  retire(key: string, counts: DecodeCounters): void {
    // a connection the decoder never saw a message of (its stream was rejected at once) adds nothing
    if (COUNTER_NAMES.every((n) => counts[n] === 0)) return;
    const address = addressOf(key);
    const sum = this.retired.get(address) ?? zero();
    this.retired.delete(address);
    addInto(sum, counts);
    this.retired.set(address, sum);
    this.bound(this.retired);
  }

  /** An IPFIX/TCP connection from `exporter` closed because its byte stream was not IPFIX. */
  streamRejected(exporter: string): void {
    const address = addressOf(exporter);
    const n = (this.rejected.get(address) ?? 0) + 1;
    this.rejected.delete(address);
    this.rejected.set(address, n);
    this.bound(this.rejected);
  }

  /** Counters per exporter address: the live decoder states (`live`, by key) and the retired ones, summed. */
  byAddress(live: ReadonlyMap<string, DecodeCounters>): Map<string, DecodeCounters> {
    const out = new Map<string, Record<string, number>>();
    for (const [address, counts] of this.retired) out.set(address, { ...counts });
    for (const [key, counts] of live) {
      const address = addressOf(key);
      let sum = out.get(address);
      if (sum === undefined) {
        sum = zero();
        out.set(address, sum);
      }
      addInto(sum, counts);
    }
    return out as Map<string, DecodeCounters>;
  }

  /** IPFIX/TCP connections closed because their stream was not IPFIX, per exporter address. */
  rejectedStreams(): ReadonlyMap<string, number> {
    return this.rejected;
  }

  private bound(map: Map<string, unknown>): void {
    while (map.size > this.maxAddresses) map.delete(map.keys().next().value!);
  }
}
