// Fuzzing the sFlow decoder with real datagrams: 20,000 deterministic mutations of the corpus sFlow
// datagrams and of hand-built v2/v4 ones (bit flips, truncation, length and count words set to edge
// values, splices). Nothing may throw, no row may hold NaN, and the counter tables stay inside their bounds.
import t from 'tap';
import { FlowBatch, FlowDecoder, DROP_REASONS, type DecoderConfig } from '../../src/decode/index.js';
import { SFLOW_AGENT_OVERHEAD_BYTES, SFLOW_COUNTER_ENTRY_BYTES } from '../../src/decode/decoderbudget.js';
import { HeaderLayer, PacketHeaders, type HeaderLayerCode } from '../../src/pcap/index.js';
import { concat } from './build.js';
import { corpusIndex, udpPayloads } from './corpusreplay.js';
import {
  counterSampleV2V4,
  datagram,
  ethernet,
  extGateway,
  extSwitch,
  flowSampleV2V4,
  genericCounters,
  ipv4,
  ipv6,
  ipv6Data,
  sampledHeader,
  tcp,
  udp,
} from './sflowbuild.js';
import { rng } from '../seededrng.js';

const ITERATIONS = 20_000;

const u32 = (b: Uint8Array, p: number): number => (p + 4 <= b.length ? b[p]! * 16777216 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) : 0);

/** Offsets of the words that steer parsing: version, agent type, sample count, sample and record formats, lengths and counts. */
function steeringWords(b: Uint8Array): number[] {
  const at = [0, 4];
  const version = u32(b, 0);
  let p = 8 + (u32(b, 4) === 2 ? 16 : 4) + (version === 5 ? 4 : 0);
  at.push(p + 8);
  p += 12;
  if (version !== 5) {
    for (let q = p; q + 4 <= b.length; q += 4) at.push(q);
    return at;
  }
  while (p + 8 <= b.length) {
    at.push(p, p + 4);
    const tag = u32(b, p);
    const len = u32(b, p + 4);
    const s = p + 8;
    const fixed = tag === 1 ? 32 : tag === 3 ? 44 : tag === 2 ? 12 : tag === 4 ? 16 : 0;
    if (fixed > 0) {
      at.push(s + fixed - 4);
      let q = s + fixed;
      while (q + 8 <= Math.min(b.length, s + len)) {
        at.push(q, q + 4);
        if ((tag === 1 || tag === 3) && u32(b, q) === 1) at.push(q + 8, q + 20);
        const rl = u32(b, q + 4);
        if (rl > b.length) break;
        q += 8 + rl;
      }
    }
    if (len > b.length) break;
    p = s + len;
  }
  return at;
}

const EDGE = [0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 88, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Hand-built v2 and v4 datagrams: the corpus has none. */
function builtV2V4(): Uint8Array[] {
  const hdr = concat(ethernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x0800, [[0x8100, 7]]), ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp(1, 2, 0x12)));
  const hdr6 = concat(ethernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x86dd), ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 17 }, udp(5, 6, 10)));
  const out: Uint8Array[] = [];
  for (const version of [2, 4]) {
    out.push(
      datagram(
        { version, agent: '192.0.2.77' },
        flowSampleV2V4({ rate: 100, input: 1, output: 2, packetType: 1, packet: sampledHeader(1, 64, null, hdr), extended: [[1, extSwitch(7, 8)], [3, extGateway(version, { as: 1, srcAs: 2, peerAs: 3, path: [[3, 4]] })]] }),
        flowSampleV2V4({ rate: 100, input: 1, output: 2, packetType: 1, packet: sampledHeader(1, 80, null, hdr6) }),
        flowSampleV2V4({ rate: 10, input: 3, output: 4, packetType: 3, packet: ipv6Data({ length: 90, proto: 6, src: '2001:db8::3', dst: '2001:db8::4', sport: 7, dport: 8 }) }),
        counterSampleV2V4({ ifIndex: 1, version: 2 }, genericCounters({ ifIndex: 1 }), new Uint8Array(52)),
      ),
    );
  }
  return out;
}

const captures: Uint8Array[][] = [];
for (const e of corpusIndex()) {
  if (e.format === 'sflow') captures.push(udpPayloads(e.path).map((p) => p.payload));
}
captures.push(builtV2V4());
const datagrams = captures.flat();

const cfg: Partial<DecoderConfig> = { maxExporters: 6, maxInterfacesPerExporter: 10, maxSflowAgentsPerExporter: 4, maxSflowCounterBytesPerExporter: 8 * 1024 };

t.test(`${ITERATIONS} mutated sFlow datagrams`, async (t) => {
  t.ok(datagrams.length >= 70, `${datagrams.length} datagrams from ${captures.length} sources`);
  const r = rng(20240607);
  const pick = (n: number): number => Math.floor(r() * n);
  const dec = new FlowDecoder(cfg);
  const out = new FlowBatch(4096);
  let thrown = 0;
  let bad = 0;
  let over = 0;
  let leaks = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const src = datagrams[pick(datagrams.length)]!;
    const b = src.slice();
    let buf: Uint8Array = b;
    switch (r() < 0.4 ? 2 : pick(4)) {
      case 0: {
        const flips = 1 + pick(8);
        for (let k = 0; k < flips; k++) b[pick(b.length)]! ^= 1 << pick(8);
        break;
      }
      case 1:
        buf = b.subarray(0, pick(b.length + 1));
        break;
      case 2: {
        const words = steeringWords(b);
        const at = words[pick(words.length)]!;
        const v = r() < 0.7 ? EDGE[pick(EDGE.length)]! : Math.floor(r() * 4294967296);
        if (at + 4 <= b.length) {
          b[at] = v >>> 24;
          b[at + 1] = (v >>> 16) & 255;
          b[at + 2] = (v >>> 8) & 255;
          b[at + 3] = v & 255;
        }
        break;
      }
      default: {
        const other = datagrams[pick(datagrams.length)]!;
        const cut = pick(b.length);
        buf = concat(b.subarray(0, cut), other.subarray(pick(other.length)));
      }
    }
    // Mutated agent addresses make many agents per source. Five steady datagram sources, and one in
    // ten datagrams from 20 others, which push each other (and their counters) out of a table of 6.
    const from = i % 10 === 9 ? `10.0.1.${pick(20)}` : `10.0.0.${i % 5}`;
    try {
      dec.decodeSflow(buf, from, { nowMs: 1_700_000_000_000 + i }, out);
    } catch {
      thrown++;
    }
    if (out.length > 3000 || i === ITERATIONS - 1) {
      for (let k = 0; k < out.length; k++) {
        const bytes = out.bytes[k]!;
        const packets = out.packets[k]!;
        if (!Number.isFinite(bytes) || !Number.isFinite(packets) || bytes < 0 || packets < 1 || Number.isNaN(out.start[k]!)) bad++;
      }
      out.reset();
    }
    if (i % 50 === 0) {
      const agents = dec.sflowAgents();
      if (agents.length > cfg.maxExporters! * cfg.maxSflowAgentsPerExporter!) over++;
      for (const a of agents) if (dec.interfaceCounters(a).size > cfg.maxInterfacesPerExporter!) over++;
      if (dec.exporterKeys().length > cfg.maxExporters!) over++;
      let bytes = 0;
      for (const key of dec.exporterKeys()) {
        const m = dec.memory(key)!;
        if (m.sflowAgents > cfg.maxSflowAgentsPerExporter! || m.sflowCounterBytes > cfg.maxSflowCounterBytesPerExporter!) over++;
        if (m.sflowCounterBytes !== m.sflowAgents * SFLOW_AGENT_OVERHEAD_BYTES + m.sflowInterfaces * SFLOW_COUNTER_ENTRY_BYTES) leaks++;
        bytes += m.sflowCounterBytes;
      }
      if (bytes !== dec.memory().sflowCounterBytes) leaks++;
    }
  }
  const totals = dec.counters();
  t.equal(thrown, 0, 'decodeSflow never throws');
  t.equal(totals.decoder_error, 0, 'no internal errors caught either');
  t.equal(bad, 0, 'every row has finite, non-negative counters and a time');
  t.equal(over, 0, 'agents and interfaces per source and per agent within bounds at every check');
  t.equal(leaks, 0, 'the charge of every source matches what it holds, and the decoder-wide charge is their sum');
  t.equal(totals.datagrams, ITERATIONS);
  const sflowReasons = ['truncated', 'bad_version', 'bad_agent', 'bad_sample', 'bad_sample_record', 'bad_count', 'bad_packet_header', 'counters_evicted'];
  const seen = DROP_REASONS.filter((d) => totals[d] > 0);
  t.same(sflowReasons.filter((d) => !seen.includes(d as (typeof seen)[number])), [], `mutations reached every sFlow drop reason: ${seen.join(' ')}`);
  // Most corpus datagrams carry counter samples only (tcpdump-sflow_multiple_counter_30_pdus).
  t.ok(totals.flows > ITERATIONS / 4, `and still decoded ${totals.flows} flows and ${totals.interface_counters} interface counter records`);
  t.comment(`counters: ${Object.entries(totals).filter(([, v]) => v > 0).map(([k, v]) => `${k}=${v}`).join(' ')}`);
});

t.test('PacketHeaders on random and mutated bytes, every start layer', async (t) => {
  const r = rng(99);
  const h = new PacketHeaders();
  const seeds = [
    concat(ethernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x8100, []), Uint8Array.from([0, 5, 0x08, 0x00]), ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp(1, 2, 2))),
    ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 0 }, concat(Uint8Array.from([43, 0, 0, 0, 0, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 1, 0, 0, 0, 1]), udp(1, 2))),
  ];
  const layers: HeaderLayerCode[] = [HeaderLayer.ethernet, HeaderLayer.ipv4, HeaderLayer.ipv6, HeaderLayer.mpls];
  let thrown = 0;
  let inconsistent = 0;
  for (let i = 0; i < 20_000; i++) {
    let b: Uint8Array;
    if (i % 2 === 0) {
      b = new Uint8Array(Math.floor(r() * 120));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
    } else {
      b = seeds[i % seeds.length]!.slice(0, Math.floor(r() * 100));
      for (let k = 0; k < 3 && b.length > 0; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    }
    try {
      h.parse(b, 0, b.length, layers[i % 4]!);
    } catch {
      thrown++;
      continue;
    }
    if (h.ipOffset > b.length || h.l4Offset > b.length || h.payloadEnd > b.length || (h.l4Offset >= 0 && h.l4Offset < h.ipOffset)) inconsistent++;
  }
  t.equal(thrown, 0, 'never throws');
  t.equal(inconsistent, 0, 'offsets stay inside the bytes and in order');
});
