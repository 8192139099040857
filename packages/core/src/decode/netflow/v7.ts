// NetFlow v7 (Catalyst 5000 NetFlow Feature Card): v5-like 24-byte header without engine or
// sampling fields, 52-byte records (v5's fields plus the bypassed router's address, ignored here).

import type { CounterName } from '../counters.js';
import type { FlowBatch } from '../flowbatch.js';
import { decodeFixedFormat, type FixedLayout } from './fixedformat.js';

export const NETFLOW_V7: FixedLayout = {
  version: 7,
  headerSize: 24,
  recordSize: 52,
  tcpFlagsAt: 37,
  protoAt: 38,
  tosAt: 39,
  asAt: 40,
  engineAt: -1,
  samplingAt: -1,
};

/** Decode a NetFlow v7 packet into `out`: rows appended, or the drop reason. */
export function decodeNetflowV7(b: Uint8Array, exporter: readonly number[], out: FlowBatch, overrideRate = 0): number | CounterName {
  return decodeFixedFormat(NETFLOW_V7, b, exporter, out, overrideRate);
}
