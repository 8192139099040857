// sFlow v2 and v4 samples (RFC 3176): no sample or record lengths, so each structure's size comes
// from its type; an unknown type leaves no way to find the next one and ends the datagram.

import { u32 } from '../bytes.js';
import { extendedRouterEnd, opaqueEnd, readExtendedGateway, readExtendedSwitch, readSampledHeader, readSampledIpv4, readSampledIpv6 } from './flowrecords.js';
import { GENERIC_COUNTERS_LENGTH, readGenericCounters } from './interfacecounters.js';
import type { SflowDatagram } from './sflowdatagram.js';

/** Bytes after the generic block for each counters_version (1 generic ... 7 VLAN, which has no generic block). */
const COUNTER_BLOCK_TAIL: Readonly<Record<number, number>> = { 1: 0, 2: 52, 3: 72, 4: 0, 5: 80, 6: 0 };
const VLAN_COUNTERS_LENGTH = 28;

/** Decode `count` samples from `b[p, end)`. */
export function decodeV2V4Samples(b: Uint8Array, p: number, end: number, count: number, dg: SflowDatagram): void {
  // The smallest sample (a VLAN counter sample) is 48 bytes with its type word.
  if (count > (end - p) / 48) {
    dg.drop('bad_count');
    return;
  }
  let q = p;
  for (let i = 0; i < count; i++) {
    if (end - q < 4) {
      dg.drop('truncated');
      return;
    }
    const type = u32(b, q);
    q += 4;
    if (type === 1) q = flowSample(b, q, end, dg);
    else if (type === 2) q = counterSample(b, q, end, dg);
    else {
      dg.drop('bad_sample');
      return;
    }
    if (q < 0) return;
  }
}

/** Returns the end of the sample, or -1 when the rest of the datagram cannot be read (drop counted). */
function flowSample(b: Uint8Array, p: number, end: number, dg: SflowDatagram): number {
  if (end - p < 32) return cut(dg);
  const rate = u32(b, p + 8);
  const input = u32(b, p + 20);
  const output = u32(b, p + 24);
  const packetType = u32(b, p + 28);
  const f = dg.flow;
  // Output: the top bit marks "multiple interfaces" (the count below it).
  f.reset(rate, input, output >= 0x80000000 ? 0 : output);
  let q = p + 32;
  switch (packetType) {
    case 1:
      q = readSampledHeader(b, q, end, f, false);
      break;
    case 2:
      q = readSampledIpv4(b, q, end, f);
      break;
    case 3:
      q = readSampledIpv6(b, q, end, f);
      break;
    default:
      dg.drop('bad_sample');
      return -1;
  }
  if (q < 0 || end - q < 4) return cut(dg);
  const extended = u32(b, q);
  q += 4;
  if (extended > (end - q) / 4) {
    dg.drop('bad_count');
    return -1;
  }
  for (let x = 0; x < extended; x++) {
    if (end - q < 4) return cut(dg);
    const type = u32(b, q);
    q += 4;
    switch (type) {
      case 1:
        q = readExtendedSwitch(b, q, end, f);
        break;
      case 2:
        q = extendedRouterEnd(b, q, end);
        dg.event('records_skipped');
        break;
      case 3:
        q = readExtendedGateway(b, q, end, f, dg.version);
        break;
      case 4:
        // User: source and destination user strings.
        q = opaqueEnd(b, q, end);
        if (q >= 0) q = opaqueEnd(b, q, end);
        dg.event('records_skipped');
        break;
      case 5:
        // URL: direction, then the URL string.
        q = end - q < 4 ? -1 : opaqueEnd(b, q + 4, end);
        dg.event('records_skipped');
        break;
      default:
        dg.drop('bad_sample');
        return -1;
    }
    if (q < 0) return cut(dg);
  }
  dg.event('flow_samples');
  dg.writeFlow();
  return q;
}

function counterSample(b: Uint8Array, p: number, end: number, dg: SflowDatagram): number {
  if (end - p < 16) return cut(dg);
  const sequence = u32(b, p);
  const version = u32(b, p + 12);
  const q = p + 16;
  if (version === 7) {
    if (end - q < VLAN_COUNTERS_LENGTH) return cut(dg);
    dg.event('counter_samples');
    dg.event('records_skipped');
    return q + VLAN_COUNTERS_LENGTH;
  }
  const tail = COUNTER_BLOCK_TAIL[version];
  if (tail === undefined) {
    dg.drop('bad_sample');
    return -1;
  }
  if (end - q < GENERIC_COUNTERS_LENGTH + tail) return cut(dg);
  dg.event('counter_samples');
  dg.storeCounters(
    readGenericCounters(b, q, { sflowVersion: dg.version, subAgentId: 0, sequence, uptimeMs: dg.uptimeMs, receivedMs: dg.nowMs }),
  );
  if (tail > 0) dg.event('records_skipped');
  return q + GENERIC_COUNTERS_LENGTH + tail;
}

/** The datagram ends inside a sample. */
function cut(dg: SflowDatagram): number {
  dg.drop('truncated');
  return -1;
}
