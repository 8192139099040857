// NetFlow v1: 16-byte header (no sequence, no engine, no sampling), 48-byte records without AS numbers.
// Layout per Cisco's NetFlow export datagram format; the corpus sample is netflow1/pcpp-netflow1.pcap.

import type { CounterName } from '../counters.js';
import type { FlowBatch } from '../flowbatch.js';
import { decodeFixedFormat, type FixedLayout } from './fixedformat.js';

export const NETFLOW_V1: FixedLayout = {
  version: 1,
  headerSize: 16,
  recordSize: 48,
  protoAt: 38,
  tosAt: 39,
  tcpFlagsAt: 40,
  asAt: -1,
  engineAt: -1,
  samplingAt: -1,
};

/** Decode a NetFlow v1 packet into `out`: rows appended, or the drop reason. */
export function decodeNetflowV1(b: Uint8Array, exporter: readonly number[], out: FlowBatch, overrideRate = 0): number | CounterName {
  return decodeFixedFormat(NETFLOW_V1, b, exporter, out, overrideRate);
}
