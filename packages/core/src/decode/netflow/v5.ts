// NetFlow v5: 24-byte header (sequence, engine type/id, sampling mode + interval), 48-byte records
// with 16-bit AS numbers. The header sampling interval scales the counters (origin header).

import type { CounterName } from '../counters.js';
import type { FlowBatch } from '../flowbatch.js';
import { decodeFixedFormat, type FixedLayout } from './fixedformat.js';

export const NETFLOW_V5: FixedLayout = {
  version: 5,
  headerSize: 24,
  recordSize: 48,
  tcpFlagsAt: 37,
  protoAt: 38,
  tosAt: 39,
  asAt: 40,
  engineAt: 20,
  samplingAt: 22,
};

/** Decode a NetFlow v5 packet into `out`: rows appended, or the drop reason. */
export function decodeNetflowV5(b: Uint8Array, exporter: readonly number[], out: FlowBatch, overrideRate = 0): number | CounterName {
  return decodeFixedFormat(NETFLOW_V5, b, exporter, out, overrideRate);
}
