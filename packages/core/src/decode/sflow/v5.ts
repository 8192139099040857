// sFlow v5 samples (sflow.org sflow_version_5.txt): every sample and record carries its format and
// length, so anything unknown is skipped by length and a bad record only costs its own sample.

import { u32 } from '../bytes.js';
import {
  extendedRouterEnd,
  readExtendedGateway,
  readExtendedSwitch,
  readSampledEthernet,
  readSampledHeader,
  readSampledIpv4,
  readSampledIpv6,
} from './flowrecords.js';
import { GENERIC_COUNTERS_LENGTH, readGenericCounters } from './interfacecounters.js';
import type { SflowDatagram } from './sflowdatagram.js';

/** Decode `count` samples from `b[p, end)`. */
export function decodeV5Samples(b: Uint8Array, p: number, end: number, count: number, dg: SflowDatagram): void {
  // Every sample has at least a format and a length word.
  if (count > (end - p) / 8) {
    dg.drop('bad_count');
    return;
  }
  let q = p;
  for (let i = 0; i < count; i++) {
    if (end - q < 8) {
      dg.drop('truncated');
      return;
    }
    const tag = u32(b, q);
    const len = u32(b, q + 4);
    q += 8;
    if (len > end - q) {
      dg.drop('bad_sample');
      return;
    }
    const sEnd = q + len;
    switch (tag) {
      case 1:
      case 3:
        flowSample(b, q, sEnd, tag === 3, dg);
        break;
      case 2:
      case 4:
        counterSample(b, q, sEnd, tag === 4, dg);
        break;
      default:
        dg.event('samples_skipped');
    }
    q = sEnd;
  }
}

function flowSample(b: Uint8Array, p: number, end: number, expanded: boolean, dg: SflowDatagram): void {
  const fixed = expanded ? 44 : 32;
  if (end - p < fixed) {
    dg.drop('bad_sample');
    return;
  }
  let rate: number;
  let inIf: number;
  let outIf: number;
  if (expanded) {
    rate = u32(b, p + 12);
    inIf = u32(b, p + 24) === 0 ? u32(b, p + 28) : 0;
    outIf = u32(b, p + 32) === 0 ? u32(b, p + 36) : 0;
  } else {
    rate = u32(b, p + 8);
    const input = u32(b, p + 20);
    const output = u32(b, p + 24);
    // Compact interfaces: format in the top 2 bits (0 ifIndex, 1 discarded, 2 multiple), value below.
    inIf = input < 0x40000000 ? input : 0;
    outIf = output < 0x40000000 ? output : 0;
  }
  const records = u32(b, p + fixed - 4);
  let q = p + fixed;
  if (records > (end - q) / 8) {
    dg.drop('bad_count');
    return;
  }
  dg.event('flow_samples');
  const f = dg.flow;
  f.reset(rate, inIf, outIf);
  for (let r = 0; r < records; r++) {
    if (end - q < 8) {
      dg.drop('bad_sample_record');
      break;
    }
    const tag = u32(b, q);
    const len = u32(b, q + 4);
    q += 8;
    if (len > end - q) {
      dg.drop('bad_sample_record');
      break;
    }
    const rEnd = q + len;
    let ok: number;
    switch (tag) {
      case 1:
        ok = readSampledHeader(b, q, rEnd, f, true);
        break;
      case 2:
        ok = readSampledEthernet(b, q, rEnd, f);
        break;
      case 3:
        ok = readSampledIpv4(b, q, rEnd, f);
        break;
      case 4:
        ok = readSampledIpv6(b, q, rEnd, f);
        break;
      case 1001:
        ok = readExtendedSwitch(b, q, rEnd, f);
        break;
      case 1003:
        ok = readExtendedGateway(b, q, rEnd, f, 5);
        break;
      case 1002:
        ok = extendedRouterEnd(b, q, rEnd);
        dg.event('records_skipped');
        break;
      default:
        ok = 0;
        dg.event('records_skipped');
    }
    if (ok < 0) {
      dg.drop('bad_sample_record');
      break;
    }
    q = rEnd;
  }
  dg.writeFlow();
}

function counterSample(b: Uint8Array, p: number, end: number, expanded: boolean, dg: SflowDatagram): void {
  const fixed = expanded ? 16 : 12;
  if (end - p < fixed) {
    dg.drop('bad_sample');
    return;
  }
  const sequence = u32(b, p);
  const records = u32(b, p + fixed - 4);
  let q = p + fixed;
  if (records > (end - q) / 8) {
    dg.drop('bad_count');
    return;
  }
  dg.event('counter_samples');
  for (let r = 0; r < records; r++) {
    if (end - q < 8) {
      dg.drop('bad_sample_record');
      return;
    }
    const tag = u32(b, q);
    const len = u32(b, q + 4);
    q += 8;
    if (len > end - q) {
      dg.drop('bad_sample_record');
      return;
    }
    if (tag === 1) {
      if (len < GENERIC_COUNTERS_LENGTH) {
        dg.drop('bad_sample_record');
        return;
      }
      dg.storeCounters(
        readGenericCounters(b, q, { sflowVersion: 5, subAgentId: dg.srcId, sequence, uptimeMs: dg.uptimeMs, receivedMs: dg.nowMs }),
      );
    } else {
      dg.event('records_skipped');
    }
    q += len;
  }
}
