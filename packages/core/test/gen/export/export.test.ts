// Export encoders: generated sessions → flow records → NetFlow v9 / IPFIX (UDP and TCP) / sFlow v5
// datagrams → our FlowDecoder, field by field; datagram headers, options and errors; tshark's opinion.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { FLOW_COLUMN_DEFS, FlowBatch, FlowDecoder, IpfixStreamFramer, type FlowColumnArray } from '../../../src/decode/index.js';
import { allocColumns, type Columns } from '../../../src/fields/columns.js';
import { formatIpAt, isV4Words, parseIp } from '../../../src/fields/ipcodec.js';
import {
  ExportEncoderError,
  flowRecordBytes,
  IpfixEncoder,
  NetflowV9Encoder,
  sessionsToFlows,
  SflowV5Encoder,
} from '../../../src/gen/export/index.js';
import { SessionGenerator } from '../../../src/gen/index.js';
import { PcapWriter } from '../../../src/pcap/index.js';
import { rng } from '../../seededrng.js';
import { ethernet, ETHERTYPE_IPV4, ipv4, PROTO_UDP, udp } from '../../../../../test/lib/frames.js';

const START_US = Date.UTC(2026, 0, 5, 8) * 1000;
/** Export time: an hour after the generated span (sessions last at most 8 h, so some end after it). */
const EXPORT_MS = START_US / 1000 + 2 * 3_600_000;
const EXPORTER = '127.0.0.1';

function sessions(n: number, seed: number, ipv6Share = 0.3): { cols: Columns; rows: number } {
  const g = new SessionGenerator({ seed, sessions: n, startUs: START_US, spanUs: 3_600_000_000, ipv6Share, hosts: 2000 });
  const cols = allocColumns(n);
  return { cols, rows: g.fill(cols) };
}

function col(b: FlowBatch, name: string): FlowColumnArray {
  return (b as unknown as Record<string, FlowColumnArray>)[name]!;
}

/** Rows of `b` for which `keep` holds, copied into a new batch. */
function subset(b: FlowBatch, keep: (r: number) => boolean): FlowBatch {
  const out = new FlowBatch(b.length);
  for (let r = 0; r < b.length; r++) {
    if (!keep(r)) continue;
    const o = out.length++;
    for (const d of FLOW_COLUMN_DEFS) {
      const w = d.type === 'ip' ? 4 : 1;
      for (let k = 0; k < w; k++) col(out, d.name)[o * w + k] = col(b, d.name)[r * w + k]!;
    }
  }
  return out;
}

const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number): number => b[p]! * 16777216 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);

/** Set ids of a v9 datagram or IPFIX message, walking set lengths from `first`. */
function setIds(b: Uint8Array, first: number): number[] {
  const ids: number[] = [];
  for (let p = first; p + 4 <= b.length; p += u16(b, p + 2)) {
    ids.push(u16(b, p));
    if (u16(b, p + 2) < 4) break;
  }
  return ids;
}

/**
 * Compare decoded rows with the flows they came from: every column equal, except the datagram-level
 * ones (`datagram`, checked against fixed values) and times, which v9/IPFIX keep to the millisecond.
 */
function compareRows(t: Test, got: FlowBatch, want: FlowBatch, datagram: Record<string, number | number[]>, what: string): void {
  t.equal(got.length, want.length, `${what}: one decoded row per flow`);
  const mismatches: string[] = [];
  for (let r = 0; r < Math.min(got.length, want.length) && mismatches.length < 5; r++) {
    for (const d of FLOW_COLUMN_DEFS) {
      const w = d.type === 'ip' ? 4 : 1;
      const g = Array.from(col(got, d.name).subarray(r * w, r * w + w));
      let e: number[] = Array.from(col(want, d.name).subarray(r * w, r * w + w));
      const fixed = datagram[d.name];
      if (fixed !== undefined) e = Array.isArray(fixed) ? fixed : [fixed];
      else if (d.name === 'start' || d.name === 'end') e = [Math.floor(e[0]! / 1000) * 1000];
      if (g.join() !== e.join()) mismatches.push(`row ${r} ${d.name}: got ${g.join()} want ${e.join()}`);
    }
  }
  t.same(mismatches, [], `${what}: every field of every row as exported`);
}

t.test('sessionsToFlows', async (t) => {
  const { cols, rows } = sessions(3000, 7);
  const flows = sessionsToFlows(cols, rows);
  let answered = 0;
  let pk = 0;
  let by = 0;
  for (let i = 0; i < rows; i++) {
    if (cols.srvpkts[i]! > 0) answered++;
    pk += cols.clnpkts[i]! + cols.srvpkts[i]!;
    by += cols.clnbyts[i]! + cols.srvbyts[i]!;
  }
  t.ok(answered > 0 && answered < rows, 'the sample has answered and unanswered sessions');
  t.equal(flows.length, rows + answered, 'one flow per session, two when the server sent packets');
  let fpk = 0;
  let fby = 0;
  for (let r = 0; r < flows.length; r++) {
    fpk += flows.packets[r]!;
    fby += flows.bytes[r]!;
  }
  t.equal(fpk, pk, 'packets add up to the sessions\'');
  t.equal(fby, by, 'bytes add up to the sessions\'');

  // Walk sessions and flows together, checking each flow against its session's columns.
  const bad: string[] = [];
  const check = (cond: boolean, msg: string): void => {
    if (!cond && bad.length < 5) bad.push(msg);
  };
  let icmpReplies = 0;
  let r = 0;
  for (let i = 0; i < rows; i++) {
    const ip = (c: Uint32Array | FlowColumnArray, k: number): string => formatIpAt(c as Uint32Array, k);
    const proto = cols.proto[i]!;
    const icmp = proto === 1 || proto === 58;
    // Client → server.
    check(ip(flows.srcAddr, r) === ip(cols.clnip, i) && ip(flows.dstAddr, r) === ip(cols.srvip, i), `session ${i}: client flow addresses`);
    check(flows.packets[r] === cols.clnpkts[i] && flows.bytes[r] === cols.clnbyts[i], `session ${i}: client counters`);
    check(flows.dstPort[r] === cols.srvport[i] && flows.srcPort[r] === (icmp ? 0 : cols.clnport[i]), `session ${i}: client flow ports`);
    check(flows.inIf[r] === cols.inif[i] && flows.outIf[r] === cols.outif[i], `session ${i}: client flow interfaces`);
    check(flows.srcVlan[r] === cols.invlan[i] && flows.dstVlan[r] === cols.outvlan[i], `session ${i}: client flow VLANs`);
    check(flows.srcAs[r] === cols.clnas[i] && flows.dstAs[r] === cols.srvas[i], `session ${i}: client flow ASes`);
    check(flows.srcMac[r] === cols.clnmac[i] && flows.dstMac[r] === cols.srvmac[i], `session ${i}: client flow MACs`);
    check(ip(flows.xlateSrcAddr, r) === ip(cols.clnxip, i) && flows.xlateSrcPort[r] === cols.clnxport[i], `session ${i}: client NAT`);
    check(ip(flows.exporter, r) === ip(cols.expip, i) && flows.srcId[r] === cols.srcid[i] && flows.expv[r] === cols.expv[i], `session ${i}: exporter`);
    for (const k of [r, r + 1]) {
      if (k === r + 1 && !(cols.srvpkts[i]! > 0)) break;
      check(flows.start[k] === cols.start[i] && flows.end[k] === cols.end[i], `session ${i}: times`);
      check(flows.proto[k] === proto && flows.tcpFlags[k] === cols.flags[i] && flows.tos[k] === cols.tos[i], `session ${i}: proto, flags, ToS`);
      check(flows.mplsLabel[k] === cols.mpls[i] && flows.fwEvent[k] === cols.asaevt[i], `session ${i}: MPLS, firewall event`);
      check(flows.samplingRate[k] === 1 && flows.samplingOrigin[k] === 0 && flows.nsel[k] === 0 && flows.biflow[k] === 0, `session ${i}: plain unsampled flow`);
    }
    r++;
    if (cols.srvpkts[i]! > 0) {
      // Server → client: everything swapped.
      check(ip(flows.srcAddr, r) === ip(cols.srvip, i) && ip(flows.dstAddr, r) === ip(cols.clnip, i), `session ${i}: server flow addresses`);
      check(flows.packets[r] === cols.srvpkts[i] && flows.bytes[r] === cols.srvbyts[i], `session ${i}: server counters`);
      check(flows.inIf[r] === cols.outif[i] && flows.outIf[r] === cols.inif[i], `session ${i}: server flow interfaces`);
      check(flows.srcVlan[r] === cols.outvlan[i] && flows.dstVlan[r] === cols.invlan[i], `session ${i}: server flow VLANs`);
      check(flows.srcAs[r] === cols.srvas[i] && flows.dstAs[r] === cols.clnas[i], `session ${i}: server flow ASes`);
      check(flows.srcMac[r] === cols.srvmac[i] && flows.dstMac[r] === cols.clnmac[i], `session ${i}: server flow MACs`);
      check(ip(flows.xlateSrcAddr, r) === ip(cols.srvxip, i) && flows.xlateDstPort[r] === cols.clnxport[i], `session ${i}: server NAT`);
      if (icmp) {
        const type = cols.srvport[i]! >> 8;
        const reply = proto === 1 ? ({ 8: 0, 13: 14 } as Record<number, number>)[type] : ({ 128: 129 } as Record<number, number>)[type];
        if (reply !== undefined) icmpReplies++;
        check(flows.srcPort[r] === 0 && flows.dstPort[r] >> 8 === (reply ?? type), `session ${i}: ICMP reply type`);
      } else {
        check(flows.srcPort[r] === cols.srvport[i] && flows.dstPort[r] === cols.clnport[i], `session ${i}: server flow ports`);
      }
      r++;
    }
  }
  t.same(bad, [], 'each flow carries its session\'s fields, reversed for the server\'s');
  t.ok(icmpReplies > 0, 'the sample has answered ICMP echoes (their reply flows have the reply type)');

  const more = sessionsToFlows(cols, 10, flows);
  t.equal(more, flows, 'appends to the batch it is given');
  t.equal(more.length, rows + answered + 10 + [...cols.srvpkts.subarray(0, 10)].filter((p) => p > 0).length, 'after the rows it held');
  t.equal(sessionsToFlows(cols, 0).length, 0, 'no sessions, no flows');
  t.throws(() => sessionsToFlows(cols, -1), { code: 'ERR_EXPORT_RANGE' }, 'negative row count');
  t.throws(() => sessionsToFlows(cols, Number.NaN), { code: 'ERR_EXPORT_RANGE', message: /whole number/ }, 'row count not a number');
  t.throws(() => sessionsToFlows(cols, 3, {} as FlowBatch), { code: 'ERR_EXPORT_RANGE', message: /FlowBatch/ }, 'appending to something else than a FlowBatch');
  t.throws(() => sessionsToFlows(cols, rows + 1), { code: 'ERR_EXPORT_RANGE', message: /at least/ }, 'more rows than the columns hold');
  const partial = { ...cols } as Partial<Columns>;
  delete partial.srvip;
  t.throws(() => sessionsToFlows(partial as Columns, 5), { code: 'ERR_EXPORT_RANGE', message: /srvip/ }, 'a missing column is named');
});

t.test('NetFlow v9 round trip (IPv4 and IPv6)', async (t) => {
  const { cols, rows } = sessions(2500, 11);
  const flows = sessionsToFlows(cols, rows);
  let v6 = 0;
  for (let r = 0; r < flows.length; r++) if (!isV4Words(flows.srcAddr[r * 4]!, flows.srcAddr[r * 4 + 1]!, flows.srcAddr[r * 4 + 2]!)) v6++;
  t.ok(v6 > 100 && v6 < flows.length - 100, `both families present (${v6} IPv6 flows of ${flows.length})`);
  const boot = EXPORT_MS - 3 * 86_400_000 - 123;
  const enc = new NetflowV9Encoder({ sourceId: 77, templateId: 300, templateEvery: 5, bootTimeMs: boot });
  const half = Math.floor(flows.length / 2);
  const first = enc.encode(flows, 0, half, EXPORT_MS);
  const dgs = [...first, ...enc.encode(flows, half, flows.length, EXPORT_MS + 1500)];
  t.equal(enc.datagrams, dgs.length, 'datagram count');
  t.equal(enc.sequence, dgs.length, 'sequence: one per datagram, carried over between calls');

  const headers: string[] = [];
  let records = 0;
  dgs.forEach((d, i) => {
    const secs = Math.floor((i < first.length ? EXPORT_MS : EXPORT_MS + 1500) / 1000);
    const ids = setIds(d, 20);
    const withTemplates = i % 5 === 0;
    const dataRecords = u16(d, 2) - (withTemplates ? 2 : 0);
    records += dataRecords;
    if (d.length > 1400) headers.push(`datagram ${i}: ${d.length} bytes`);
    if (u16(d, 0) !== 9 || u32(d, 12) !== i || u32(d, 16) !== 77) headers.push(`datagram ${i}: version/sequence/source id`);
    if (u32(d, 8) !== secs) headers.push(`datagram ${i}: unix_secs ${u32(d, 8)}, want ${secs}`);
    if (u32(d, 4) !== secs * 1000 - boot) headers.push(`datagram ${i}: sysUptime ${u32(d, 4)} is not unix_secs - boot`);
    if ((ids[0] === 0) !== withTemplates) headers.push(`datagram ${i}: template flowset ${ids[0] === 0 ? 'present' : 'missing'}`);
    if (ids.some((id) => id !== 0 && id !== 300 && id !== 301)) headers.push(`datagram ${i}: flowset ids ${ids.join()}`);
    if (d.length % 4 !== 0) headers.push(`datagram ${i}: ${d.length} bytes, flowsets not padded`);
  });
  t.same(headers, [], 'headers: ≤ 1400 bytes, sequence, source id, sysUptime, templates in datagrams 0, 5, 10…');
  t.equal(records, flows.length, 'header counts add up to the flows');
  t.ok(dgs.length > 100, `${dgs.length} datagrams`);

  const dec = new FlowDecoder();
  const out = new FlowBatch();
  dgs.forEach((d) => dec.decode(d, EXPORTER, { nowMs: EXPORT_MS + 2000 }, out));
  const c = dec.counters();
  t.equal(c.flows, flows.length, 'decoder counts every flow');
  t.equal(c.templates_added, 2, 'two templates');
  t.same(Object.entries(c).filter(([k, v]) => (k.startsWith('bad') || k === 'truncated' || k === 'decoder_error') && v !== 0), [], 'no drops');
  compareRows(t, out, flows, { exporter: [0, 0, 0xffff, 0x7f000001], srcId: 77, expv: 9 }, 'v9');

  t.equal(flowRecordBytes(false, 'sysUptime'), 87, 'IPv4 record: 87 bytes');
  t.equal(flowRecordBytes(true, 'sysUptime'), 135, 'IPv6 record: 135 bytes');
  t.same(enc.encode(flows, 3, 3, EXPORT_MS), [], 'no rows, no datagrams');
});

t.test('IPFIX over UDP and over TCP', async (t) => {
  const { cols, rows } = sessions(2000, 12);
  const flows = sessionsToFlows(cols, rows);
  const enc = new IpfixEncoder({ observationDomain: 4242, templateEvery: 0, maxDatagramBytes: 1200, sequence: 4294967000 });
  const msgs = enc.encode(flows, 0, flows.length, EXPORT_MS);
  const problems: string[] = [];
  let seq = 4294967000;
  msgs.forEach((m, i) => {
    const ids = setIds(m, 16);
    if (u16(m, 0) !== 10 || u16(m, 2) !== m.length || m.length > 1200) problems.push(`message ${i}: version/length`);
    if (u32(m, 4) !== Math.floor(EXPORT_MS / 1000) || u32(m, 12) !== 4242) problems.push(`message ${i}: export time / domain`);
    if (u32(m, 8) !== seq) problems.push(`message ${i}: sequence ${u32(m, 8)}, want ${seq}`);
    if ((ids[0] === 2) !== (i === 0)) problems.push(`message ${i}: template set only in the first (templateEvery 0)`);
    let n = 0;
    for (let p = 16; p < m.length; p += u16(m, p + 2)) {
      const id = u16(m, p);
      if (id >= 256) n += Math.floor((u16(m, p + 2) - 4) / flowRecordBytes(id === 257, 'milliseconds'));
    }
    seq = (seq + n) % 4294967296;
  });
  t.same(problems, [], 'headers: length, export time, domain, sequence = data records before (wrapping at 2^32)');
  t.equal(enc.sequence, seq, 'next sequence number');

  const dec = new FlowDecoder();
  const out = new FlowBatch();
  msgs.forEach((m) => dec.decode(m, EXPORTER, { nowMs: EXPORT_MS }, out));
  compareRows(t, out, flows, { exporter: [0, 0, 0xffff, 0x7f000001], srcId: 4242, expv: 10 }, 'IPFIX/UDP');

  // TCP: the stream cut at random points, as reads of a socket would be.
  const tcpEnc = new IpfixEncoder({ observationDomain: 9 });
  const stream = tcpEnc.encodeStream(flows, 0, flows.length, EXPORT_MS);
  const random = rng(99);
  const framer = new IpfixStreamFramer();
  const tcpDec = new FlowDecoder();
  const tcpOut = new FlowBatch();
  let lengths = 0;
  for (let p = 0; p < stream.length; ) {
    const n = 1 + Math.floor(random() * 3000);
    framer.push(stream.subarray(p, Math.min(stream.length, p + n)), (msg) => {
      lengths += msg.length;
      tcpDec.decode(msg, EXPORTER, { nowMs: EXPORT_MS, transport: 'tcp', session: '40000' }, tcpOut);
    });
    p += n;
  }
  t.equal(framer.error, null, 'the framer accepts the stream');
  t.equal(lengths, stream.length, 'messages cover the stream exactly');
  t.equal(framer.messages, tcpEnc.messages, 'one message per encoded message');
  compareRows(t, tcpOut, flows, { exporter: [0, 0, 0xffff, 0x7f000001], srcId: 9, expv: 10 }, 'IPFIX/TCP');
});

t.test('sFlow v5 round trip', async (t) => {
  const { cols, rows } = sessions(1500, 13);
  const all = sessionsToFlows(cols, rows);
  const NOW = EXPORT_MS + 5000;
  const portProtos = new Set([6, 17, 132]);

  // One sample per packet: each sample is one packet of the flow; counters add up exactly.
  const small = subset(all, (r) => all.packets[r]! <= 12);
  t.ok(small.length > 500, `${small.length} small flows`);
  const enc1 = new SflowV5Encoder({ agentAddress: '2001:db8::7', subAgentId: 3, samplingRate: 1 });
  const e1 = enc1.encode(small, 0, small.length, EXPORT_MS);
  const dec = new FlowDecoder();
  const out = new FlowBatch();
  e1.datagrams.forEach((d) => dec.decodeSflow(d, EXPORTER, { nowMs: NOW }, out));
  let packets = 0;
  for (let r = 0; r < small.length; r++) packets += small.packets[r]!;
  t.equal(e1.samples, packets, 'one sample per packet');
  t.equal(out.length, packets, 'one decoded row per sample');
  const agent = parseIp('2001:db8::7')!;
  const bad: string[] = [];
  let row = 0;
  for (let r = 0; r < small.length; r++) {
    const k = small.packets[r]!;
    let bytes = 0;
    for (let j = 0; j < k; j++, row++) {
      bytes += out.bytes[row]!;
      const same = (name: string): boolean => {
        const w = name.endsWith('Addr') ? 4 : 1;
        return Array.from(col(out, name).subarray(row * w, row * w + w)).join() === Array.from(col(small, name).subarray(r * w, r * w + w)).join();
      };
      const proto = small.proto[r]!;
      const fields = ['srcAddr', 'dstAddr', 'proto', 'tos', 'inIf', 'outIf', 'srcVlan', 'dstVlan', 'srcAs', 'dstAs', 'srcMac', 'dstMac', 'mplsLabel'];
      if (proto === 6) fields.push('tcpFlags');
      if (portProtos.has(proto)) fields.push('srcPort', 'dstPort');
      if (proto === 1 || proto === 58) fields.push('dstPort');
      for (const f of fields) if (!same(f) && bad.length < 5) bad.push(`flow ${r} sample ${j}: ${f}`);
      if (!portProtos.has(proto) && proto !== 1 && proto !== 58 && (out.srcPort[row] !== 0 || out.dstPort[row] !== 0)) bad.push(`flow ${r}: ports of protocol ${proto}`);
      if (out.packets[row] !== 1 || out.samplingRate[row] !== 1 || out.samplingOrigin[row] !== 1) bad.push(`flow ${r}: rate`);
      if (out.start[row] !== NOW * 1000 || out.end[row] !== NOW * 1000) bad.push(`flow ${r}: sFlow rows are stamped with the receive time`);
      if (Array.from(out.exporter.subarray(row * 4, row * 4 + 4)).join() !== agent.join() || out.srcId[row] !== 3 || out.expv[row] !== 21) bad.push(`flow ${r}: agent`);
    }
    if (bytes !== small.bytes[r] || bytes !== e1.rowBytes[r]) bad.push(`flow ${r}: ${bytes} bytes from its samples, flow has ${small.bytes[r]}, encoder said ${e1.rowBytes[r]}`);
  }
  t.same(bad.slice(0, 5), [], 'every sample shows its flow; its samples add up to the flow\'s bytes');
  t.same(Object.entries(dec.counters()).filter(([k, v]) => k.startsWith('bad') && v !== 0), [], 'no drops');
  t.ok(e1.datagrams.every((d) => d.length <= 1400), 'datagrams within 1400 bytes');
  t.same(e1.datagrams.map((d) => u32(d, 4 + 4 + 16 + 4)), e1.datagrams.map((_, i) => i), 'datagram sequence numbers');

  // An interface index too large for a compact sample goes in an expanded one.
  const wide = subset(small, (r) => r < 3);
  wide.inIf[1] = 0x50000000;
  wide.outIf[2] = 0xfffffff0;
  const we = new SflowV5Encoder().encode(wide, 0, wide.length, EXPORT_MS);
  const wout = new FlowBatch();
  const wdec = new FlowDecoder();
  for (const d of we.datagrams) wdec.decodeSflow(d, EXPORTER, { nowMs: NOW }, wout);
  const firstOf = (r: number): number => [...we.rowSamples.subarray(0, r)].reduce((a, k) => a + k, 0);
  t.same([wout.inIf[firstOf(1)], wout.outIf[firstOf(2)]], [0x50000000, 0xfffffff0], 'expanded flow samples carry 32-bit interface indexes');
  t.same(we.datagrams[0]!.subarray(28, 32), Uint8Array.of(0, 0, 0, we.rowSamples[0]! > 0 ? 1 : 3), 'the first sample is a compact one (format 1) when its interfaces fit');

  // Sampling 1 in 100: round(P / 100) samples per flow; the encoder's totals are what a collector counts.
  const enc100 = new SflowV5Encoder({ samplingRate: 100, maxDatagramBytes: 1500, headerBytes: 96 });
  const e100 = enc100.encode(all, 0, all.length, EXPORT_MS);
  const out100 = new FlowBatch();
  const dec100 = new FlowDecoder();
  e100.datagrams.forEach((d) => dec100.decodeSflow(d, '192.0.2.1', { nowMs: NOW }, out100));
  let want = 0;
  for (let r = 0; r < all.length; r++) {
    const k = Math.round(all.packets[r]! / 100);
    want += k;
    if (e100.rowSamples[r] !== k && bad.length < 5) bad.push(`flow ${r}: ${e100.rowSamples[r]} samples, want ${k}`);
  }
  t.same(bad, [], 'round(packets / rate) samples per flow');
  t.equal(e100.samples, want, 'total samples');
  t.equal(out100.length, want, 'one row per sample');
  let p100 = 0;
  let b100 = 0;
  let rb = 0;
  for (let r = 0; r < out100.length; r++) {
    p100 += out100.packets[r]!;
    b100 += out100.bytes[r]!;
  }
  for (const v of e100.rowBytes) rb += v;
  t.equal(p100, e100.packets, 'decoded packets = encoder\'s expected packets');
  t.equal(p100, want * 100, 'samples × rate');
  t.equal(b100, e100.bytes, 'decoded bytes = encoder\'s expected bytes');
  t.equal(rb, e100.bytes, 'per-flow bytes add up to the total');
  t.ok(e100.datagrams.every((d) => d.length <= 1500), 'datagrams within 1500 bytes');
  t.ok(e100.datagrams.length < e1.datagrams.length * 10, 'sampling keeps the stream small');
});

t.test('options and bad input', async (t) => {
  const { cols, rows } = sessions(50, 14, 0);
  const flows = sessionsToFlows(cols, rows);
  t.throws(() => new NetflowV9Encoder({ templateId: 255 }), { code: 'ERR_EXPORT_OPTION', message: /templateId.*256 to 65534.*255/ }, 'template id below 256');
  t.throws(() => new NetflowV9Encoder({ maxDatagramBytes: 300 }), { code: 'ERR_EXPORT_OPTION', message: /at least \d+/ }, 'datagrams too small for the templates');
  t.throws(() => new IpfixEncoder({ maxDatagramBytes: 70000 }), { code: 'ERR_EXPORT_OPTION' }, 'IPFIX messages above 65535 bytes');
  t.throws(() => new NetflowV9Encoder({ sourceId: -1 }), { code: 'ERR_EXPORT_OPTION', message: /sourceId/ }, 'negative source id');
  t.throws(() => new IpfixEncoder({ observationDomain: 1.5 }), { code: 'ERR_EXPORT_OPTION', message: /observationDomain/ }, 'fractional domain');
  t.throws(() => new SflowV5Encoder({ agentAddress: 'router-1' }), { code: 'ERR_EXPORT_OPTION', message: /agentAddress/ }, 'agent address not an address');
  t.throws(() => new SflowV5Encoder({ samplingRate: 0 }), { code: 'ERR_EXPORT_OPTION', message: /samplingRate/ }, 'sampling rate 0');
  t.throws(() => new SflowV5Encoder({ headerBytes: 40 }), { code: 'ERR_EXPORT_OPTION', message: /headerBytes/ }, 'header too short for the packet headers');

  const enc = new NetflowV9Encoder();
  t.throws(() => enc.encode(flows, 5, 2, EXPORT_MS), { code: 'ERR_EXPORT_RANGE' }, 'from after to');
  t.throws(() => enc.encode(flows, 0, flows.length + 1, EXPORT_MS), { code: 'ERR_EXPORT_RANGE', message: /inside the batch/ }, 'beyond the batch');
  t.throws(() => enc.encode(flows, 0, 1, -5), { code: 'ERR_EXPORT_RANGE', message: /export time/ }, 'negative export time');
  t.throws(() => enc.encode({} as FlowBatch, 0, 0, EXPORT_MS), { code: 'ERR_EXPORT_RANGE', message: /FlowBatch/ }, 'not a batch');

  const mixed = subset(flows, () => true);
  mixed.setIp('dstAddr', 3, 0x20010db8, 0, 0, 1);
  const err = t.throws(() => enc.encode(mixed, 0, mixed.length, EXPORT_MS), { code: 'ERR_EXPORT_FLOW', row: 3, message: /row 3.*one IPv4 and one IPv6/ }, 'mixed families');
  t.ok(err instanceof ExportEncoderError, 'an ExportEncoderError');
  t.equal(enc.sequence, 0, 'nothing encoded when a row is bad');
  t.throws(() => new SflowV5Encoder().encode(mixed, 0, mixed.length, EXPORT_MS), { code: 'ERR_EXPORT_FLOW', row: 3 }, 'sFlow: mixed families');

  const old = subset(flows, () => true);
  old.start[2] = (EXPORT_MS - 30 * 86_400_000) * 1000;
  t.throws(() => enc.encode(old, 0, old.length, EXPORT_MS), { code: 'ERR_EXPORT_FLOW', row: 2, message: /30\.0 days.*24\.8/ }, 'v9: start too far from the export time');
  t.equal(new IpfixEncoder().encode(old, 0, old.length, EXPORT_MS).length > 0, true, 'IPFIX carries absolute times: no limit');

  const frac = subset(flows, () => true);
  frac.bytes[4] = 10.5;
  t.throws(() => enc.encode(frac, 0, frac.length, EXPORT_MS), { code: 'ERR_EXPORT_FLOW', row: 4, message: /bytes 10\.5/ }, 'fractional bytes');
  const nat6 = subset(flows, () => true);
  nat6.setIp('xlateSrcAddr', 1, 0x20010db8, 0, 0, 9);
  t.throws(() => new IpfixEncoder().encode(nat6, 0, nat6.length, EXPORT_MS), { code: 'ERR_EXPORT_FLOW', row: 1, message: /IPv6 NAT/ }, 'IPv6 NAT address on an IPv4 flow');

  const v9 = new NetflowV9Encoder();
  v9.encode(flows, 0, 1, EXPORT_MS);
  t.equal(v9.bootTimeMs, Math.floor(EXPORT_MS / 1000) * 1000 - 20 * 86_400_000, 'default boot time: 20 days before the first export');
});

/** Wrap export datagrams in Ethernet/IPv4/UDP frames to `port` (tshark's default ports pick the dissector). */
function frames(w: PcapWriter, port: number, datagrams: readonly Uint8Array[]): void {
  for (const d of datagrams) {
    const payload = udp({ src: '192.0.2.10', dst: '192.0.2.20', sport: 50000, dport: port, payload: d });
    w.add(EXPORT_MS * 1000, ethernet({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', etherType: ETHERTYPE_IPV4, payload: ipv4({ src: '192.0.2.10', dst: '192.0.2.20', proto: PROTO_UDP, payload }) }));
  }
}

const tsharkMissing = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0 ? false : 'tshark is not installed (apt-get install -y tshark)';

t.test('tshark decodes the datagrams without complaint', { skip: tsharkMissing }, async (t) => {
  const { cols, rows } = sessions(60, 15, 0.4);
  const flows = sessionsToFlows(cols, rows);
  const w = new PcapWriter();
  frames(w, 2055, new NetflowV9Encoder().encode(flows, 0, flows.length, EXPORT_MS));
  frames(w, 4739, new IpfixEncoder().encode(flows, 0, flows.length, EXPORT_MS));
  const sf = new SflowV5Encoder({ samplingRate: 20 }).encode(flows, 0, flows.length, EXPORT_MS);
  frames(w, 6343, sf.datagrams);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'export.pcap');
  writeFileSync(file, w.bytes());

  const verbose = spawnSync('tshark', ['-r', file, '-n', '-V'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  t.equal(verbose.status, 0, 'tshark reads the capture');
  // Sequence-group notes are tshark's TCP analysis of the sampled packets (a RST among a flow's flags), not the format.
  const complaints = verbose.stdout.split('\n').filter((l) => /Malformed|Expert Info \((Warning|Error)\/(?!Sequence)/.test(l));
  t.same(complaints.slice(0, 5), [], 'no malformed packets, no expert warnings or errors');

  let pk = 0;
  let by = 0;
  for (let r = 0; r < flows.length; r++) {
    pk += flows.packets[r]!;
    by += flows.bytes[r]!;
  }
  for (const [port, name] of [[2055, 'v9'], [4739, 'IPFIX']] as const) {
    const f = spawnSync('tshark', ['-r', file, '-n', '-Y', `udp.dstport==${port}`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'cflow.packets', '-e', 'cflow.octets'], { encoding: 'utf8' });
    const nums = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
    let p = 0;
    let b = 0;
    let n = 0;
    for (const line of f.stdout.trim().split('\n')) {
      const [ps, bs] = line.split('\t');
      for (const v of nums(ps ?? '')) {
        p += v;
        n++;
      }
      for (const v of nums(bs ?? '')) b += v;
    }
    t.equal(n, flows.length, `${name}: tshark sees every record`);
    t.equal(p, pk, `${name}: tshark's packets add up`);
    t.equal(b, by, `${name}: tshark's bytes add up`);
  }
  const s = spawnSync('tshark', ['-r', file, '-n', '-Y', 'udp.dstport==6343', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'sflow.flow_sample.sampling_rate', '-e', 'ip.len', '-e', 'ipv6.plen'], { encoding: 'utf8' });
  let samples = 0;
  let ipBytes = 0;
  const sum = (xs: string[]): number => xs.filter((x) => x !== '').reduce((a, x) => a + Number(x), 0);
  for (const line of s.stdout.trim().split('\n')) {
    const [rates, lens, plens] = line.split('\t');
    samples += (rates ?? '').split(',').filter((x) => x === '20').length;
    // The first ip.len is the frame's own IPv4 header; the others are the sampled packets'.
    const v6 = (plens ?? '').split(',').filter((x) => x !== '');
    ipBytes += sum((lens ?? '').split(',').slice(1)) + sum(v6) + 40 * v6.length;
  }
  t.equal(samples, sf.samples, 'sFlow: tshark sees every sample with its rate');
  t.equal(ipBytes * 20, sf.bytes, 'sFlow: sampled IP lengths × rate = the encoder\'s expected bytes');
});
