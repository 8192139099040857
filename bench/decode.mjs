// Decoder throughput on one core: flows per second decoded into a FlowBatch, alone and followed by
// session assembly (SessionTracker), and bytes allocated per flow, for NetFlow v5, v9, IPFIX and
// sFlow v5 — real corpus datagrams (templates first) and generated full-size ones.
//
//   npm run build && node --expose-gc bench/decode.mjs [seconds-per-case]
//
// OPENTRAQ_CORPUS points at the flow corpus (default ../../shared/corpus next to the repository).
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { FlowBatch, FlowDecoder, SessionTracker } from '../packages/core/dist/index.js';
import { CORPUS, corpusDatagrams, xorshift } from './benchlib.mjs';

const SECONDS = Number(process.argv[2] ?? 2);
const TARGET = 1_000_000;
const TARGET_SESSIONS = 500_000;


/** The IPFIX messages of the ipfixcol2 file (the byte stream of a TCP session). */
function ipfixFileMessages() {
  const stream = new Uint8Array(readFileSync(CORPUS + 'ipfix/raw/ipfixcol2-example_flows.ipfix'));
  const out = [];
  for (let p = 0; p + 16 <= stream.length; ) {
    const len = (stream[p + 2] << 8) | stream[p + 3];
    if (len < 16) break;
    out.push({ src: '192.0.2.10', payload: stream.subarray(p, p + len) });
    p += len;
  }
  return out;
}

class W {
  constructor() {
    this.a = [];
  }
  u8(v) {
    this.a.push(v & 255);
    return this;
  }
  u16(v) {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v) {
    return this.u16(Math.floor(v / 65536)).u16(v % 65536);
  }
  u64(v) {
    return this.u32(Math.floor(v / 4294967296)).u32(v % 4294967296);
  }
  bytes() {
    return Uint8Array.from(this.a);
  }
}


/**
 * Full-size NetFlow v9 datagrams: 28 records of 16 fields (51 bytes each, 1,452-byte datagrams, the
 * most an Ethernet MTU carries), after one template packet. Addresses, ports and counters vary per record.
 */
function generatedV9(count) {
  const fields = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [5, 1], [6, 1], [2, 4], [1, 4], [22, 4], [21, 4], [10, 4], [14, 4], [16, 4], [17, 4], [15, 4]];
  const tpl = new W().u16(9).u16(1).u32(3_600_000).u32(1_700_000_000).u32(0).u32(1).u16(0).u16(4 + 4 + fields.length * 4).u16(300).u16(fields.length);
  for (const [id, len] of fields) tpl.u16(id).u16(len);
  const out = [{ src: '192.0.2.50', payload: tpl.bytes() }];
  const rnd = xorshift(9);
  for (let d = 0; d < count; d++) {
    const w = new W().u16(9).u16(28).u32(3_600_000 + d).u32(1_700_000_000 + d).u32(d + 1).u32(1).u16(300).u16(4 + 28 * 51);
    for (let r = 0; r < 28; r++) {
      const up = 3_600_000 + d - (rnd() % 60_000);
      w.u32(0x0a000000 + (rnd() & 0xffff)).u32(rnd()).u16(rnd() & 0xffff).u16([80, 443, 53, 22][r & 3]).u8(r % 3 === 0 ? 17 : 6).u8(0).u8(0x1b);
      w.u32(1 + (rnd() & 255)).u32(40 + (rnd() & 0xfffff)).u32(up - (rnd() & 4095)).u32(up).u32(rnd() & 31).u32(rnd() & 31).u32(64512).u32(rnd() & 0xffff).u32(0x0a000001);
    }
    out.push({ src: '192.0.2.50', payload: w.bytes() });
  }
  return out;
}

/** Full-size IPFIX messages: 24 records of 16 fields (57 bytes each, ms timestamps; 1,388 bytes), template message first. */
function generatedIpfix(count) {
  const fields = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [5, 1], [6, 1], [2, 4], [1, 4], [152, 8], [153, 8], [10, 4], [14, 4], [16, 4], [17, 4], [58, 2]];
  const setLen = 4 + 4 + fields.length * 4;
  const tpl = new W().u16(10).u16(16 + setLen).u32(1_700_000_000).u32(0).u32(7).u16(2).u16(setLen).u16(300).u16(fields.length);
  for (const [id, len] of fields) tpl.u16(id).u16(len);
  const out = [{ src: '192.0.2.60', payload: tpl.bytes() }];
  const rnd = xorshift(10);
  const recLen = 57;
  for (let d = 0; d < count; d++) {
    const w = new W().u16(10).u16(16 + 4 + 24 * recLen).u32(1_700_000_000 + d).u32(d * 24).u32(7).u16(300).u16(4 + 24 * recLen);
    for (let r = 0; r < 24; r++) {
      const end = (1_700_000_000 + d) * 1000 - (rnd() & 65535);
      w.u32(0x0a000000 + (rnd() & 0xffff)).u32(rnd()).u16(rnd() & 0xffff).u16([80, 443, 53, 22][r & 3]).u8(6).u8(0).u8(0x18);
      w.u32(1 + (rnd() & 255)).u32(40 + (rnd() & 0xfffff)).u64(end - (rnd() & 0xffff)).u64(end).u32(rnd() & 31).u32(rnd() & 31).u32(64512).u32(rnd() & 0xffff).u16(rnd() & 4095);
    }
    out.push({ src: '192.0.2.60', payload: w.bytes() });
  }
  return out;
}

/**
 * sFlow v5 datagrams as a switch sends them (about 1,400 bytes): 8 compact flow samples, each a
 * 96-byte raw Ethernet header (IPv4 or IPv6, TCP or UDP, every other one 802.1Q-tagged) plus, on every
 * other sample, an extended switch record. Addresses, ports and sizes vary per sample.
 */
function generatedSflow(count) {
  const rnd = xorshift(11);
  const out = [];
  for (let d = 0; d < count; d++) {
    const w = new W().u32(5).u32(1).u32(0xc0000246).u32(0).u32(d + 1).u32(3_600_000 + d).u32(8);
    for (let s = 0; s < 8; s++) {
      const v6 = s % 4 === 3;
      const tagged = s % 2 === 1;
      const proto = s % 3 === 0 ? 17 : 6;
      const h = new W();
      h.u16(0x0200).u32(rnd()).u16(0x0200).u32(rnd());
      if (tagged) h.u16(0x8100).u16(100 + (s & 7));
      const l4 = proto === 6 ? 20 : 8;
      const ipLen = 40 + (rnd() % 1400);
      if (v6) {
        h.u16(0x86dd).u32(0x60000000).u16(ipLen - 40).u8(proto).u8(64);
        for (let k = 0; k < 8; k++) h.u32(k === 0 ? 0x20010db8 : rnd());
      } else {
        h.u16(0x0800).u8(0x45).u8(0).u16(ipLen).u16(rnd() & 0xffff).u16(0x4000).u8(64).u8(proto).u16(0).u32(0x0a000000 + (rnd() & 0xffff)).u32(rnd());
      }
      h.u16(rnd() & 0xffff).u16([80, 443, 53, 22][s & 3]);
      if (proto === 6) h.u32(rnd()).u32(rnd()).u8(0x50).u8(0x18).u16(8192).u32(0);
      else h.u16(ipLen - (v6 ? 40 : 20)).u16(0);
      const bytes = h.bytes();
      const header = new Uint8Array(96);
      header.set(bytes.subarray(0, 96));
      const frame = ipLen + 14 + (tagged ? 4 : 0) + 4;
      const switchRec = s % 2 === 0;
      const recLen = 8 + 16 + 96 + (switchRec ? 24 : 0);
      w.u32(1).u32(32 + recLen).u32(d * 8 + s).u32(3).u32(1024).u32(d * 8192).u32(0).u32(3).u32(7).u32(switchRec ? 2 : 1);
      w.u32(1).u32(16 + 96).u32(1).u32(frame).u32(4).u32(96);
      for (const x of header) w.u8(x);
      if (switchRec) w.u32(1001).u32(16).u32(100).u32(0).u32(200).u32(0);
    }
    out.push({ src: '192.0.2.70', payload: w.bytes() });
  }
  return out;
}

// GC entries are delivered on the event loop, after a synchronous run: `settle` lets them arrive.
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

/**
 * Decode `datagrams` round and round for `SECONDS`. The first datagram of the list is decoded once
 * more before timing, so templates are known; the batch is reset every 64 Ki rows (as a pipeline would).
 */
async function run(name, datagrams, sflow, withSessions) {
  const dec = new FlowDecoder();
  // timeout 0: the replayed datagrams repeat flows of fixed (old) times, which a timeout would end
  // and restart at every pass; the table is big enough to hold every distinct session.
  const tracker = withSessions ? new SessionTracker({ conntracksize: 1_000_000, timeout: 0, onSessions: () => {} }) : null;
  // The server calls decodeSflow for sFlow ports, decode for the others.
  const decode = (sflow ? dec.decodeSflow : dec.decode).bind(dec);
  const out = new FlowBatch(65536 + 4096);
  const ctx = { nowMs: 0 };
  for (const d of datagrams) decode(d.payload, d.src, ctx, out);
  out.reset();
  const full = () => {
    if (out.length <= 65536) return;
    if (tracker !== null) tracker.ingest(out, 0);
    out.reset();
  };
  // Warm-up: let the JIT settle on the hot loops.
  const warm = Date.now() + 300;
  while (Date.now() < warm) {
    for (const d of datagrams) {
      decode(d.payload, d.src, ctx, out);
      full();
    }
  }
  out.reset();
  // Allocation: heap growth over a short run with no GC in between (young generation permitting).
  globalThis.gc?.();
  await settle();
  const gcBefore = gcs;
  const heap0 = process.memoryUsage().heapUsed;
  let allocFlows = 0;
  for (let k = 0; k < 20 && allocFlows < 200_000; k++) {
    for (const d of datagrams) allocFlows += decode(d.payload, d.src, ctx, out).flows;
    full();
  }
  const heapDelta = process.memoryUsage().heapUsed - heap0;
  await settle();
  const allocClean = gcs === gcBefore;
  out.reset();

  let flows = 0;
  let datagramsDone = 0;
  await settle();
  const gcStart = gcs;
  const t0 = process.hrtime.bigint();
  const stop = t0 + BigInt(Math.round(SECONDS * 1e9));
  let now = t0;
  while (now < stop) {
    for (const d of datagrams) {
      flows += decode(d.payload, d.src, ctx, out).flows;
      full();
    }
    datagramsDone += datagrams.length;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t0) / 1e9;
  await settle();
  const counters = dec.counters();
  const dropped = Object.entries(counters).filter(([k, v]) => v > 0 && ['truncated', 'bad_length', 'bad_template', 'bad_record', 'decoder_error', 'bad_version', 'bad_sample', 'bad_sample_record', 'bad_count', 'bad_packet_header'].includes(k));
  return {
    case: withSessions ? `${name}: decode + sessions` : `${name}: decode`,
    datagrams: datagramsDone,
    flows,
    seconds: secs.toFixed(2),
    'flows/s': Math.round(flows / secs).toLocaleString('en-US'),
    'alloc B/flow': allocClean ? (Math.max(0, heapDelta) / allocFlows).toFixed(1) : `≥${(Math.max(0, heapDelta) / allocFlows).toFixed(1)} (GC ran)`,
    'GCs/s': ((gcs - gcStart) / secs).toFixed(1),
    problems: dropped.length === 0 ? '' : dropped.map(([k, v]) => `${k}=${v}`).join(' '),
  };
}

const sflowCorpus = ['sflow/akv-data-1140.pcap', 'sflow/tg-sflow_issue_15918.pcap', 'sflow/lssf-sflow_with_lag_counters.pcap', 'sflow/tcpdump-sflow_expanded.pcap', 'sflow/akv-data-qinq.pcap'];
const cases = [
  ['NetFlow v5, corpus', corpusDatagrams(['netflow5/gl-netgraph-netflow5.pcap', 'netflow5/gl-netflow-v5-2.pcap', 'netflow5/akv-nfv5.pcap', 'netflow5/ls-mikrotik.pcap'])],
  ['NetFlow v9, corpus (nProbe, IOS XR)', corpusDatagrams(['netflow9/gl-nprobe-netflow9-3.pcap', 'netflow9/pta-101-NFv9-CISCO-cust_primitives.pcap'])],
  ['IPFIX, corpus (ipfixcol2 file)', ipfixFileMessages()],
  ['NetFlow v9, generated 28 x 16 fields', generatedV9(500)],
  ['IPFIX, generated 24 x 16 fields', generatedIpfix(500)],
  ['sFlow v5, corpus (switches, routers)', corpusDatagrams(sflowCorpus), true],
  ['sFlow v5, generated 8 raw-header samples', generatedSflow(500), true],
];

if (globalThis.gc === undefined) console.error('run with node --expose-gc for allocation figures without GC noise');
const rows = [];
for (const [name, datagrams, sflow] of cases) {
  for (const withSessions of [false, true]) {
    const r = await run(name, datagrams, sflow === true, withSessions);
    rows.push(r);
    console.error(`${r.case}: ${r['flows/s']} flows/s`);
  }
}
console.table(rows);
for (const r of rows) {
  const rate = Number(r['flows/s'].replace(/,/g, ''));
  const target = r.case.endsWith('decode + sessions') ? TARGET_SESSIONS : TARGET;
  console.log(`${r.case}: ${rate >= target ? 'meets' : 'BELOW'} the target of ${target.toLocaleString('en-US')} flows/s per core`);
}
