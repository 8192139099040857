// The generic interface counters of an sFlow counter sample (v5 counter record 0:1, the v2/v4
// `if_counters` block): what the decoder keeps per agent and ifIndex instead of writing flows.

import { u32 } from '../bytes.js';

/** Latest generic counters of one interface of an sFlow agent, with when and how they came. */
export interface InterfaceCounters {
  readonly ifIndex: number;
  /** IANA ifType (6 ethernetCsmacd, 161 ieee8023adLag, ...). */
  readonly ifType: number;
  /** Bits per second. */
  readonly ifSpeed: number;
  /** 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out. */
  readonly ifDirection: number;
  /** Bit 0: admin up; bit 1: operationally up. */
  readonly ifStatus: number;
  /** 64-bit octet counters (a 100 Gbit/s link passes 2^53 octets in about 8 days). */
  readonly inOctets: bigint;
  readonly inUcastPkts: number;
  readonly inMulticastPkts: number;
  readonly inBroadcastPkts: number;
  readonly inDiscards: number;
  readonly inErrors: number;
  readonly inUnknownProtos: number;
  readonly outOctets: bigint;
  readonly outUcastPkts: number;
  readonly outMulticastPkts: number;
  readonly outBroadcastPkts: number;
  readonly outDiscards: number;
  readonly outErrors: number;
  /** 1 promiscuous, 2 not (SNMP TruthValue). */
  readonly promiscuousMode: number;
  /** sFlow version of the datagram (2, 4 or 5), its sub-agent id (0 before v5). */
  readonly sflowVersion: number;
  readonly subAgentId: number;
  /** Sequence number of the counter sample (per data source). */
  readonly sequence: number;
  /** Agent uptime in the datagram header, ms. */
  readonly uptimeMs: number;
  /** When the datagram was received (the decode context's clock), ms since the epoch. */
  readonly receivedMs: number;
}

/** Bytes of the generic counters block. */
export const GENERIC_COUNTERS_LENGTH = 88;

/** Where a counter block came from: the datagram and counter-sample values kept with the counters. */
export interface CounterOrigin {
  readonly sflowVersion: number;
  readonly subAgentId: number;
  readonly sequence: number;
  readonly uptimeMs: number;
  readonly receivedMs: number;
}

const u64 = (b: Uint8Array, p: number): bigint => (BigInt(u32(b, p)) << 32n) | BigInt(u32(b, p + 4));

/** Read a generic counters block at `p` (the caller checked that 88 bytes are there). */
export function readGenericCounters(b: Uint8Array, p: number, origin: CounterOrigin): InterfaceCounters {
  return {
    ifIndex: u32(b, p),
    ifType: u32(b, p + 4),
    ifSpeed: u32(b, p + 8) * 4294967296 + u32(b, p + 12),
    ifDirection: u32(b, p + 16),
    ifStatus: u32(b, p + 20),
    inOctets: u64(b, p + 24),
    inUcastPkts: u32(b, p + 32),
    inMulticastPkts: u32(b, p + 36),
    inBroadcastPkts: u32(b, p + 40),
    inDiscards: u32(b, p + 44),
    inErrors: u32(b, p + 48),
    inUnknownProtos: u32(b, p + 52),
    outOctets: u64(b, p + 56),
    outUcastPkts: u32(b, p + 64),
    outMulticastPkts: u32(b, p + 68),
    outBroadcastPkts: u32(b, p + 72),
    outDiscards: u32(b, p + 76),
    outErrors: u32(b, p + 80),
    promiscuousMode: u32(b, p + 84),
    sflowVersion: origin.sflowVersion,
    subAgentId: origin.subAgentId,
    sequence: origin.sequence,
    uptimeMs: origin.uptimeMs,
    receivedMs: origin.receivedMs,
  };
}
