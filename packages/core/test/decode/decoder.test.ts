// Unit tests of the flow decoder on hand-built packets and on corpus captures: time conversion and
// uptime wrap, templates (refresh, withdrawal, timeout), held data sets, enterprise and variable-length
// fields, padding, sampling, NSEL, and every drop-reason counter.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { formatIpAt } from '../../src/fields/ipcodec.js';
import {
  DecoderConfigError,
  FlowBatch,
  FlowDecoder,
  FlowInitiator,
  REVERSE_PEN,
  SamplingOrigin,
  type DecodeContext,
  type DecoderConfig,
  type CounterName,
} from '../../src/decode/index.js';
import { Bytes, ipfix, ipfixOptionsTemplate, ipfixTemplates, ipfixWithdraw, set, v5, v7, v9, v9OptionsTemplate, v9Templates, varlen, type Field } from './build.js';
import { CORPUS, replay, udpPayloads } from './corpusreplay.js';

const EXP = '198.51.100.7';
const UDP = (nowMs = 1_000): DecodeContext => ({ nowMs });

/** A small IPv4 template: src, dst, ports, proto, packets, bytes, first/last as milliseconds. */
const BASIC: Field[] = [
  { id: 8, len: 4 },
  { id: 12, len: 4 },
  { id: 7, len: 2 },
  { id: 11, len: 2 },
  { id: 4, len: 1 },
  { id: 2, len: 4 },
  { id: 1, len: 4 },
  { id: 152, len: 8 },
  { id: 153, len: 8 },
];

function basicRecord(b: Bytes, n: number): Bytes {
  return b
    .ip4(`10.0.0.${n}`)
    .ip4('192.0.2.1')
    .u16(1000 + n)
    .u16(443)
    .u8(6)
    .u32(n)
    .u32(100 * n)
    .u64(1_700_000_000_000 + n)
    .u64(1_700_000_001_000 + n);
}

function basicData(id: number, ...ns: number[]): Uint8Array {
  const b = new Bytes();
  for (const n of ns) basicRecord(b, n);
  return set(id, b.done());
}

function decoded(dec: FlowDecoder, buf: Uint8Array, ctx: DecodeContext = UDP(), out = new FlowBatch(16)) {
  const res = dec.decode(buf, EXP, ctx, out);
  return { res, out };
}

function count(dec: FlowDecoder, name: CounterName, key = EXP): number {
  return dec.counters(key)[name];
}

t.test('NetFlow v5: fields, µs export time, uptime wrap, header sampling, config override', async (t) => {
  const pkt = v5(
    { uptime: 5_000, secs: 1_600_000_000, nsecs: 250_000_000, engine: 0x0102, sampling: 0x4000 | 10 },
    { src: '10.1.1.1', dst: '10.2.2.2', input: 3, output: 4, packets: 7, octets: 700, first: 1_000, last: 4_000, srcPort: 1234, dstPort: 80, tcpFlags: 0x1b, proto: 6, tos: 0xb8, srcAs: 64500, dstAs: 64501 },
    // First/Last taken just before the 32-bit uptime counter wrapped (2^32 - 3000 ms), 8 s ago.
    { src: '10.1.1.2', dst: '10.2.2.3', packets: 1, octets: 60, first: 4294967296 - 3_000, last: 4294967296 - 1_000, srcPort: 0, dstPort: 0x0800, proto: 1 },
  );
  const dec = new FlowDecoder();
  const { res, out } = decoded(dec, pkt);
  t.same(res, { version: 5, flows: 2, optionsRecords: 0, held: 0, dropped: null });
  const exportUs = 1_600_000_000_250_000;
  const r = out.row(0);
  t.equal(formatIpAt(out.srcAddr, 0), '10.1.1.1');
  t.equal(formatIpAt(out.dstAddr, 0), '10.2.2.2');
  t.same([r.srcPort, r.dstPort, r.proto, r.tcpFlags, r.tos, r.inIf, r.outIf, r.srcAs, r.dstAs], [1234, 80, 6, 0x1b, 0xb8, 3, 4, 64500, 64501]);
  t.same([r.packets, r.bytes, r.samplingRate, r.samplingOrigin], [70, 7000, 10, SamplingOrigin.header], 'counters scaled by the header interval');
  t.same([r.start, r.end], [exportUs - 4_000_000, exportUs - 1_000_000], 'start/end relative to the header uptime');
  t.same([r.srcId, r.expv, r.nsel, r.biflow], [0x0102, 5, 0, 0]);
  t.same([out.start[1], out.end[1]], [exportUs - 8_000_000, exportUs - 6_000_000], 'uptime wrap: flows from before the wrap end in the past');
  t.equal(out.dstPort[1], 0x0800, 'ICMP type/code stays in the destination port');

  const cfg = new FlowDecoder({ samplingOverrides: new Map([[EXP, 3]]) });
  const o = decoded(cfg, pkt).out;
  t.same([o.packets[0], o.samplingRate[0], o.samplingOrigin[0]], [21, 3, SamplingOrigin.config], 'configured rate replaces the header');
});

t.test('NetFlow v7 (no corpus sample): 52-byte records', async (t) => {
  const pkt = v7(
    { uptime: 60_000, secs: 1_000_000_000 },
    { src: '172.16.0.1', dst: '172.16.0.2', input: 1, output: 2, packets: 3, octets: 300, first: 50_000, last: 59_000, srcPort: 53, dstPort: 5353, tcpFlags: 0, proto: 17, tos: 4, srcAs: 1, dstAs: 2 },
    { src: '172.16.0.3', dst: '172.16.0.4', packets: 1, octets: 40, first: 59_500, last: 59_500, srcPort: 22, dstPort: 2222, tcpFlags: 2, proto: 6 },
  );
  const { res, out } = decoded(new FlowDecoder(), pkt);
  t.equal(res.flows, 2);
  t.equal(formatIpAt(out.srcAddr, 1), '172.16.0.3', 'second record starts 52 bytes after the first');
  t.same([out.srcPort[1], out.dstPort[1], out.proto[1], out.tcpFlags[1], out.packets[1], out.bytes[1]], [22, 2222, 6, 2, 1, 40]);
  t.same([out.start[0], out.end[0], out.expv[0], out.tos[0], out.srcAs[0], out.dstAs[0]], [999_999_990_000_000, 999_999_999_000_000, 7, 4, 1, 2]);
});

t.test('NetFlow v9: uptime-relative times including wrap, ICMP, MPLS, MAC, VLAN, direction', async (t) => {
  const fields: Field[] = [
    ...BASIC.slice(0, 7),
    { id: 22, len: 4 },
    { id: 21, len: 4 },
    { id: 32, len: 2 },
    { id: 70, len: 3 },
    { id: 71, len: 3 },
    { id: 56, len: 6 },
    { id: 80, len: 6 },
    { id: 58, len: 2 },
    { id: 59, len: 2 },
    { id: 61, len: 1 },
    { id: 10, len: 2 },
    { id: 14, len: 2 },
  ];
  const rec = (b: Bytes, proto: number, dstPort: number, first: number, last: number): Bytes =>
    b
      .ip4('10.0.0.1')
      .ip4('10.0.0.2')
      .u16(0)
      .u16(dstPort)
      .u8(proto)
      .u32(2)
      .u32(120)
      .u32(first)
      .u32(last)
      .u16(0x0303)
      .raw([0x05, 0xdc, 0x11, 0x00, 0x00, 0x21])
      .raw([0x00, 0x50, 0x56, 0xb3, 0x86, 0xe7])
      .raw([0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])
      .u16(100)
      .u16(200)
      .u8(1)
      .u16(7)
      .u16(8);
  const data = set(300, rec(rec(new Bytes(), 1, 0, 4294967000, 500), 17, 53, 1_000, 2_000).done());
  const pkt = v9({ uptime: 3_000, secs: 1_500_000_000, srcId: 42 }, v9Templates({ id: 300, fields }), data);
  const dec = new FlowDecoder();
  const { res, out } = decoded(dec, pkt);
  t.equal(res.flows, 2);
  const ex = 1_500_000_000_000_000;
  t.same([out.start[0], out.end[0]], [ex - 3_296_000, ex - 2_500_000], 'First before the uptime wrap');
  t.same([out.start[1], out.end[1]], [ex - 2_000_000, ex - 1_000_000]);
  t.equal(out.dstPort[0], 0x0303, 'ICMP type/code from IE 32 when the port is 0');
  t.equal(out.dstPort[1], 53, 'non-ICMP keeps its port');
  t.equal(out.mplsLabel[0], 0x05dc1, 'top label = IE 70 >> 4');
  t.same([out.srcMac[0], out.dstMac[0]], [0x005056b386e7, 0xfffffffffffe]);
  t.same([out.srcVlan[0], out.dstVlan[0], out.direction[0], out.inIf[0], out.outIf[0], out.srcId[0], out.expv[0]], [100, 200, 2, 7, 8, 42, 9]);
});

t.test('IPFIX: absolute times in every unit, delta microseconds, v4+v6 in one template', async (t) => {
  const fields: Field[] = [
    { id: 8, len: 4 },
    { id: 27, len: 16 },
    { id: 12, len: 4 },
    { id: 28, len: 16 },
    { id: 154, len: 8 },
    { id: 155, len: 8 },
  ];
  const ntp = (b: Bytes, unixSec: number, us: number): Bytes => b.u32(unixSec + 2208988800).u32(Math.round((us / 1e6) * 4294967296));
  const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const b = new Bytes();
  b.ip4('192.0.2.9').zeros(16).ip4('0.0.0.0').raw(v6);
  ntp(b, 1_700_000_000, 123_456);
  ntp(b, 1_700_000_001, 999_999);
  const secs: Field[] = [
    { id: 158, len: 4 },
    { id: 151, len: 4 },
    { id: 157, len: 8 },
  ];
  const b2 = new Bytes().u32(2_500_000).u32(1_600_000_005).u32(1_600_000_010 + 2208988800).u32(2 ** 31);
  const pkt = ipfix(
    { exportTime: 1_700_000_100, domain: 5 },
    ipfixTemplates({ id: 256, fields }, { id: 257, fields: secs }),
    set(256, b.done()),
    set(257, b2.done()),
  );
  const { res, out } = decoded(new FlowDecoder(), pkt);
  t.equal(res.flows, 2);
  t.equal(formatIpAt(out.srcAddr, 0), '192.0.2.9', 'IPv4 wins when the IPv6 field is zero');
  t.equal(formatIpAt(out.dstAddr, 0), '2001:db8::1', 'IPv6 wins when the IPv4 field is zero');
  t.same([out.start[0], out.end[0]], [1_700_000_000_123_456, 1_700_000_001_999_999], 'NTP microsecond timestamps');
  t.equal(out.start[1], 1_700_000_100_000_000 - 2_500_000, 'flowStartDeltaMicroseconds counts back from the export time');
  t.equal(out.end[1], 1_600_000_010_500_000, 'nanosecond NTP end wins over the seconds field');
  t.same([out.srcId[0], out.expv[0]], [5, 10]);
});

t.test('IPFIX: sysUpTime-relative times use systemInitTimeMilliseconds, else an estimated boot time', async (t) => {
  const fields: Field[] = [...BASIC.slice(0, 7), { id: 22, len: 4 }, { id: 21, len: 4 }];
  const data = (first: number, last: number): Uint8Array =>
    set(256, new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u16(1).u16(2).u8(17).u32(1).u32(10).u32(first).u32(last).done());
  const tpl = ipfixTemplates({ id: 256, fields });
  // Without IE 160: the largest uptime in the set is taken to end at export time.
  const dec = new FlowDecoder();
  const a = decoded(dec, ipfix({ exportTime: 2_000_000 }, tpl, data(90_000, 99_000))).out;
  t.same([a.start[0], a.end[0]], [2_000_000_000_000 - 9_000_000, 2_000_000_000_000], 'estimated boot: export − largest uptime');
  // A later message with an older-looking flow tightens the estimate (boot cannot be later).
  const b = decoded(dec, ipfix({ exportTime: 2_000_010 }, tpl, data(100_000, 105_000))).out;
  t.same([b.start[0], b.end[0]], [2_000_001_000_000, 2_000_006_000_000], 'earlier estimate kept');
  // With options data carrying systemInitTimeMilliseconds the times are exact.
  const dec2 = new FlowDecoder();
  const opt = ipfixOptionsTemplate(400, [{ id: 149, len: 4 }], [{ id: 160, len: 8 }]);
  const init = set(400, new Bytes().u32(0).u64(1_000_000_000_000).done());
  const c = decoded(dec2, ipfix({ exportTime: 1_000_000_100 }, opt, init, tpl, data(5_000, 6_000))).out;
  t.same([c.start[0], c.end[0]], [1_000_000_005_000_000, 1_000_000_006_000_000]);
  t.equal(dec2.domains(EXP)[0]!.sysInitMs, 1_000_000_000_000);
});

t.test('templates: refresh, change, withdrawal of one and of all, options withdrawal', async (t) => {
  const dec = new FlowDecoder();
  const tpl = ipfixTemplates({ id: 300, fields: BASIC }, { id: 301, fields: BASIC.slice(0, 5) });
  t.equal(decoded(dec, ipfix({ exportTime: 1 }, tpl, basicData(300, 1))).res.flows, 1);
  decoded(dec, ipfix({ exportTime: 2 }, tpl));
  t.equal(count(dec, 'templates_added'), 2);
  t.equal(count(dec, 'templates_refreshed'), 2, 'same layout again is a refresh');
  decoded(dec, ipfix({ exportTime: 3 }, ipfixTemplates({ id: 301, fields: BASIC })));
  t.equal(count(dec, 'templates_changed'), 1, 'new layout under the same id replaces the template');
  t.equal(decoded(dec, ipfix({ exportTime: 3 }, basicData(301, 2))).res.flows, 1, 'the new layout decodes');

  decoded(dec, ipfix({ exportTime: 4 }, ipfixWithdraw(2, 300)));
  t.equal(count(dec, 'templates_withdrawn'), 1);
  const r = decoded(dec, ipfix({ exportTime: 5 }, basicData(300, 1)));
  t.same([r.res.flows, r.res.held], [0, 1], 'withdrawn template: the data set is held');
  t.same(dec.domains(EXP)[0]!.templateIds, [301]);

  decoded(dec, ipfix({ exportTime: 6 }, ipfixOptionsTemplate(500, [{ id: 149, len: 4 }], [{ id: 34, len: 4 }]), tpl));
  t.same([...dec.domains(EXP)[0]!.templateIds].sort(), [300, 301, 500]);
  decoded(dec, ipfix({ exportTime: 7 }, ipfixWithdraw(2, 2)));
  t.same(dec.domains(EXP)[0]!.templateIds, [500], 'all-data-templates withdrawal keeps options templates');
  decoded(dec, ipfix({ exportTime: 8 }, ipfixWithdraw(3, 3)));
  t.same(dec.domains(EXP)[0]!.templateIds, [], 'all-options-templates withdrawal');
  t.equal(dec.memory(EXP)!.templates, 0, 'template count follows withdrawals');
});

t.test('template timeout: UDP templates expire, TCP session templates do not', async (t) => {
  const dec = new FlowDecoder({ templateTimeoutMs: 60_000, pendingMaxSets: 0 });
  const tpl = ipfixTemplates({ id: 300, fields: BASIC });
  decoded(dec, ipfix({ exportTime: 1 }, tpl), UDP(0));
  t.equal(decoded(dec, ipfix({ exportTime: 1 }, basicData(300, 1)), UDP(60_000)).res.flows, 1, 'within the timeout');
  decoded(dec, ipfix({ exportTime: 1 }, tpl), UDP(100_000));
  t.equal(decoded(dec, ipfix({ exportTime: 1 }, basicData(300, 1)), UDP(150_000)).res.flows, 1, 'a refresh restarts the timeout');
  const late = decoded(dec, ipfix({ exportTime: 1 }, basicData(300, 1)), UDP(160_001));
  t.same([late.res.flows, late.res.dropped], [0, 'unknown_template_dropped']);
  t.equal(count(dec, 'templates_expired'), 1);

  const tcp: DecodeContext = { nowMs: 0, transport: 'tcp', session: '1' };
  decoded(dec, ipfix({ exportTime: 1 }, tpl), tcp);
  t.equal(decoded(dec, ipfix({ exportTime: 1 }, basicData(300, 1)), { ...tcp, nowMs: 10_000_000 }).res.flows, 1, 'TCP: no timeout');
  dec.expire(20_000_000);
  t.equal(dec.memory(`${EXP}#1`)!.templates, 1, 'the periodic sweep leaves TCP sessions alone');

  decoded(dec, v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: BASIC })), UDP(0));
  dec.expire(60_001);
  t.equal(dec.memory(EXP)!.templates, 0, 'the periodic sweep expires v9 templates too');
  t.ok(dec.forget(`${EXP}#1`), 'a closed session can be forgotten');
  t.equal(dec.memory(`${EXP}#1`), undefined);
});

t.test('data before template: held, decoded when the template arrives, expired, pushed out', async (t) => {
  const dec = new FlowDecoder({ pendingMaxSets: 2, pendingMaxAgeMs: 5_000 });
  const out = new FlowBatch(8);
  const early = dec.decode(ipfix({ exportTime: 50 }, basicData(300, 1, 2)), EXP, UDP(0), out);
  t.same([early.flows, early.held], [0, 1]);
  const late = dec.decode(ipfix({ exportTime: 60 }, ipfixTemplates({ id: 300, fields: BASIC }), basicData(300, 3)), EXP, UDP(1_000), out);
  t.equal(late.flows, 3, 'held records come out when their template arrives, before the new ones');
  t.same([...out.srcAddr.subarray(0, 12)].filter((_, i) => i % 4 === 3).map((v) => v & 255), [1, 2, 3]);
  t.equal(count(dec, 'held_sets_decoded'), 1);
  t.equal(dec.memory(EXP)!.heldSets, 0);

  // Same packet, data set before its template (akv-data+templates style).
  const same = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1 }, set(301, new Bytes().ip4('10.0.0.1').done()), v9Templates({ id: 301, fields: [{ id: 8, len: 4 }] })));
  t.same([same.res.flows, same.res.held], [1, 1]);

  dec.decode(ipfix({ exportTime: 1 }, basicData(400, 1)), EXP, UDP(2_000), out);
  dec.decode(ipfix({ exportTime: 1 }, basicData(401, 1)), EXP, UDP(2_000), out);
  dec.decode(ipfix({ exportTime: 1 }, basicData(402, 1)), EXP, UDP(2_000), out);
  t.equal(count(dec, 'unknown_template_dropped'), 1, 'the oldest held set is pushed out at the set limit');
  dec.decode(ipfix({ exportTime: 1 }, basicData(403, 1)), EXP, UDP(7_001), out);
  t.equal(count(dec, 'unknown_template_expired'), 2, 'held sets older than pendingMaxAgeMs expire');
  t.ok(dec.memory(EXP)!.heldBytes <= dec.config.pendingMaxBytes);

  const bytes = new FlowDecoder({ pendingMaxBytes: 40 });
  decoded(bytes, ipfix({ exportTime: 1 }, basicData(300, 1, 2)));
  t.equal(count(bytes, 'unknown_template_dropped'), 1, 'a set larger than pendingMaxBytes is not held');
});

t.test('data before template in the corpus: ipfix/ls-netscaler-data-before-template.pcap', async (t) => {
  const dec = new FlowDecoder();
  const out = new FlowBatch(16);
  const frames = replay(['ipfix/ls-netscaler-data-before-template.pcap'], dec, out);
  t.equal(frames.length, 3);
  t.equal(frames[0]!.rowsTo - frames[0]!.rowsFrom, 0, 'frame 1: data without template, held');
  t.ok(frames[0]!.results[0]!.held > 0);
  const n2 = frames[1]!.rowsTo - frames[1]!.rowsFrom;
  const n3 = frames[2]!.rowsTo - frames[2]!.rowsFrom;
  t.ok(n2 > 0, 'frame 2 (templates) releases the held records');
  t.equal(n2, n3, 'frame 3 repeats frame 1: same number of records');
  // Held sets are decoded as their templates arrive, so the order may differ from frame 3's.
  const rows = (from: number, n: number): string[] =>
    Array.from({ length: n }, (_, k) => JSON.stringify(out.row(from + k))).sort();
  t.same(rows(frames[1]!.rowsFrom, n2), rows(frames[2]!.rowsFrom, n3), 'held records decode like the same records sent after the template');
  const single = new FlowDecoder({ pendingMaxSets: 0 });
  const s = replay(['ipfix/ls-netscaler-data-before-template.pcap'], single, new FlowBatch(16));
  t.equal(s[1]!.rowsTo - s[1]!.rowsFrom, 0, 'with holding disabled frame 1 is lost');
  t.ok(count(single, 'unknown_template_dropped', '192.0.2.10') > 0);
});

t.test('real v9 data-before-template captures: held sets give the records tshark could not decode', async (t) => {
  for (const name of ['netflow9/gl-nprobe-netflow9-4', 'netflow9/akv-data+templates']) {
    const exp = JSON.parse(readFileSync(`${CORPUS}expected/${name}.json`, 'utf8')) as {
      frames: { cflow?: { templates?: { template_id: number; fields: { length: number }[]; scope_fields?: unknown[] }[]; undecoded_sets?: { set_id: number; bytes: number }[] }[] }[];
    };
    const recLen = new Map<number, number>();
    let missed = 0;
    for (const f of exp.frames) {
      for (const c of f.cflow ?? []) {
        for (const tp of c.templates ?? []) recLen.set(tp.template_id, tp.fields.reduce((n, x) => n + x.length, 0));
      }
    }
    for (const f of exp.frames) for (const c of f.cflow ?? []) for (const u of c.undecoded_sets ?? []) missed += Math.floor(u.bytes / recLen.get(u.set_id)!);
    const held = new FlowBatch(64);
    const single = new FlowBatch(64);
    const dec = new FlowDecoder();
    replay([`${name}.pcap`], dec, held);
    replay([`${name}.pcap`], new FlowDecoder({ pendingMaxSets: 0 }), single);
    t.ok(missed > 0, `${name}: tshark left ${missed} records in sets without template`);
    t.equal(held.length - single.length, missed, `${name}: holding decodes exactly those`);
    t.ok(dec.counters().held_sets_decoded > 0, `${name}: counted as held sets decoded`);
  }
});

t.test('enterprise-specific fields are skipped by length; RFC 5103 reverse counters are used', async (t) => {
  const fields: Field[] = [
    { id: 8, len: 4 },
    { id: 100, len: 4, pen: 9 },
    { id: 12, len: 4 },
    { id: 101, len: 65535, pen: 9 },
    { id: 2, len: 4 },
    { id: 2, len: 4, pen: REVERSE_PEN },
    { id: 1, len: 8 },
    { id: 1, len: 8, pen: REVERSE_PEN },
    { id: 6, len: 1, pen: REVERSE_PEN },
    { id: 6, len: 1 },
    { id: 7, len: 2, pen: 9 },
    { id: 7, len: 2 },
  ];
  const body = new Bytes()
    .ip4('10.0.0.1')
    .u32(0xdeadbeef)
    .ip4('10.0.0.2')
    .raw(varlen(new TextEncoder().encode('enterprise string')))
    .u32(5)
    .u32(4)
    .u64(500)
    .u64(400)
    .u8(0xff)
    .u8(0x12)
    .u16(9999)
    .u16(8080)
    .done();
  const { res, out } = decoded(new FlowDecoder(), ipfix({ exportTime: 1 }, ipfixTemplates({ id: 256, fields }), set(256, body)));
  t.equal(res.flows, 1);
  t.equal(formatIpAt(out.dstAddr, 0), '10.0.0.2', 'fields after a skipped enterprise field line up');
  t.same([out.packets[0], out.bytes[0], out.revPackets[0], out.revBytes[0], out.biflow[0]], [5, 500, 4, 400, 1]);
  t.equal(out.tcpFlags[0], 0x12, 'reverse flags do not overwrite forward flags');
  t.equal(out.srcPort[0], 8080, 'an enterprise field with an IANA number is not taken for the IANA element');
});

t.test('variable-length fields: 1-byte and 3-byte length forms, overrun', async (t) => {
  const fields: Field[] = [
    { id: 82, len: 65535 },
    { id: 8, len: 4 },
    { id: 83, len: 65535 },
    { id: 7, len: 2 },
  ];
  const long = new Uint8Array(602).fill(0x41);
  const body = new Bytes()
    .raw(varlen(new Uint8Array([1, 2, 3])))
    .ip4('10.9.8.7')
    .raw(varlen(long, true))
    .u16(4242)
    .raw(varlen(new Uint8Array(0), true))
    .ip4('10.9.8.6')
    .raw(varlen(new Uint8Array(0)))
    .u16(4243)
    .done();
  const dec = new FlowDecoder();
  const { res, out } = decoded(dec, ipfix({ exportTime: 1 }, ipfixTemplates({ id: 256, fields }), set(256, body)));
  t.equal(res.flows, 2);
  t.same([formatIpAt(out.srcAddr, 0), out.srcPort[0], formatIpAt(out.srcAddr, 1), out.srcPort[1]], ['10.9.8.7', 4242, '10.9.8.6', 4243]);

  const overrun = new Bytes().raw(varlen(new Uint8Array(2))).ip4('10.0.0.1').u8(200).raw(new Uint8Array(10)).done();
  const bad = decoded(dec, ipfix({ exportTime: 1 }, set(256, overrun)));
  t.same([bad.res.flows, bad.res.dropped], [0, 'bad_record'], 'a length running past the set drops the rest of the set');
  t.equal(bad.out.length, 0, 'nothing half-written');

  const h3c = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields }), set(300, body)));
  t.equal(h3c.res.flows, 2, 'NetFlow v9 length 65535 is read as variable length too (H3C NetStream)');
});

t.test('padding: data set tail, template set tail, zero-filled v9 datagram', async (t) => {
  const dec = new FlowDecoder();
  const tpl = set(2, concat(ipfixTemplates({ id: 256, fields: BASIC }).subarray(4), new Uint8Array(4)));
  const data = set(256, concat(basicRecord(new Bytes(), 1).done(), new Uint8Array(3)));
  const r = decoded(dec, ipfix({ exportTime: 1 }, tpl, data));
  t.same([r.res.flows, r.res.dropped], [1, null], 'padding after the last record and the last template is ignored');
  const zeroTail = concat(v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: BASIC }), basicData(300, 1)), new Uint8Array(600));
  const z = decoded(dec, zeroTail);
  t.same([z.res.flows, z.res.dropped], [1, null], 'a zero-filled datagram tail ends the packet quietly');
});

function concat(...a: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

t.test('sampling from options: per sampler id, per template, per domain; in-record interval; override', async (t) => {
  const dec = new FlowDecoder();
  const opt = v9OptionsTemplate(
    256,
    [{ id: 1, len: 4 }],
    [
      { id: 48, len: 2 },
      { id: 34, len: 4 },
    ],
  );
  const rates = set(256, new Bytes().u32(0).u16(1).u32(2000).u32(0).u16(2).u32(4000).done());
  const fields: Field[] = [...BASIC.slice(0, 7), { id: 48, len: 1 }];
  const rec = (sampler: number): Uint8Array => new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u16(1).u16(2).u8(6).u32(3).u32(300).u8(sampler).done();
  const data = set(300, concat(rec(1), rec(2), rec(9)));
  const { out } = decoded(dec, v9({ uptime: 1, secs: 1 }, opt, rates, v9Templates({ id: 300, fields }), data));
  t.same([...out.samplingRate.subarray(0, 3)], [2000, 4000, 1], 'rate by sampler id; unknown id unsampled');
  t.same([...out.packets.subarray(0, 3)], [6000, 12000, 3]);
  t.same([...out.samplingOrigin.subarray(0, 3)], [2, 2, 0]);

  const dom = new FlowDecoder();
  const domOpt = v9OptionsTemplate(257, [{ id: 1, len: 0 }], [{ id: 34, len: 4 }]);
  const d = decoded(dom, v9({ uptime: 1, secs: 1 }, domOpt, set(257, new Bytes().u32(64).done()), v9Templates({ id: 300, fields: BASIC }), basicData(300, 2))).out;
  t.same([d.samplingRate[0], d.packets[0], d.bytes[0]], [64, 128, 12800], 'options without sampler scope apply to the domain (zero-length scope, Juniper SRX style)');

  const per = new FlowDecoder();
  const tplOpt = ipfixOptionsTemplate(
    500,
    [
      { id: 149, len: 4 },
      { id: 145, len: 2 },
    ],
    [
      { id: 305, len: 4 },
      { id: 306, len: 4 },
    ],
  );
  const p = decoded(
    per,
    ipfix({ exportTime: 1 }, tplOpt, set(500, new Bytes().u32(0).u16(300).u32(1).u32(9).done()), ipfixTemplates({ id: 300, fields: BASIC }, { id: 301, fields: BASIC }), basicData(300, 1), basicData(301, 1)),
  ).out;
  t.same([p.samplingRate[0], p.samplingRate[1]], [10, 1], 'templateId-scoped rate applies to that template only');

  const inrec = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: [...BASIC, { id: 34, len: 4 }] }), set(300, basicRecord(new Bytes(), 1).u32(50).done()))).out;
  t.same([inrec.samplingRate[0], inrec.samplingOrigin[0], inrec.packets[0]], [50, SamplingOrigin.record, 50]);

  const locked = new FlowDecoder({ samplingOverrides: new Map([[EXP, 7]]) });
  const l = decoded(locked, v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: [...BASIC, { id: 34, len: 4 }] }), set(300, basicRecord(new Bytes(), 1).u32(50).done()))).out;
  t.same([l.samplingRate[0], l.samplingOrigin[0], l.packets[0]], [7, SamplingOrigin.config, 7], 'the override wins over in-record sampling');
});

t.test('NSEL: legacy NF_F_* fields, initiator/responder counters, event time', async (t) => {
  const fields: Field[] = [
    { id: 8, len: 4 },
    { id: 12, len: 4 },
    { id: 7, len: 2 },
    { id: 11, len: 2 },
    { id: 4, len: 1 },
    { id: 40001, len: 4 },
    { id: 40002, len: 4 },
    { id: 40003, len: 2 },
    { id: 40004, len: 2 },
    { id: 40005, len: 1 },
    { id: 33002, len: 2 },
    { id: 231, len: 4 },
    { id: 232, len: 4 },
    { id: 298, len: 8 },
    { id: 299, len: 8 },
    { id: 323, len: 8 },
  ];
  const rec = new Bytes()
    .ip4('192.168.1.10')
    .ip4('8.8.8.8')
    .u16(51000)
    .u16(53)
    .u8(17)
    .ip4('203.0.113.5')
    .ip4('8.8.8.8')
    .u16(61000)
    .u16(53)
    .u8(1)
    .u16(0)
    .u32(0)
    .u32(0)
    .u64(0)
    .u64(0)
    .u64(1_469_109_033_015)
    .done();
  const { out } = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1_469_109_037 }, v9Templates({ id: 263, fields }), set(263, rec)));
  const r = out.row(0);
  t.same([r.nsel, r.expv, r.fwEvent, r.fwExtEvent, r.biflow], [1, 9, 1, 0, 1], 'flow-created event with zero counters is kept');
  t.same([formatIpAt(out.xlateSrcAddr, 0), formatIpAt(out.xlateDstAddr, 0), r.xlateSrcPort, r.xlateDstPort], ['203.0.113.5', '8.8.8.8', 61000, 53]);
  t.same([r.start, r.end], [1_469_109_033_015_000, 1_469_109_033_015_000], 'event time when the record has no flow times');

  const pan = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1 }, v9Templates({ id: 256, fields: [...BASIC, { id: 233, len: 1 }] }), set(256, basicRecord(new Bytes(), 1).u8(2).done()))).out;
  t.same([pan.nsel[0], pan.fwEvent[0]], [0, 2], 'a firewall event alone (Palo Alto) is not NSEL');
});

t.test('NSEL: a creation time (152) and an event time (323) without end give start = creation, end = event', async (t) => {
  const fields: Field[] = [
    { id: 8, len: 4 },
    { id: 12, len: 4 },
    { id: 7, len: 2 },
    { id: 11, len: 2 },
    { id: 4, len: 1 },
    { id: 233, len: 1 },
    { id: 33002, len: 2 },
    { id: 231, len: 4 },
    { id: 232, len: 4 },
    { id: 152, len: 8 },
    { id: 323, len: 8 },
  ];
  const created = 1_469_109_000_000;
  const rec = (event: number, eventMs: number): Bytes =>
    new Bytes().ip4('10.1.1.1').ip4('8.8.8.8').u16(40000).u16(443).u8(6).u8(event).u16(0).u32(1000).u32(5000).u64(created).u64(eventMs);
  const body = new Bytes().raw(rec(5, created + 600_000).done()).raw(rec(2, created + 18_060_000).done()).done();
  const { out } = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1_469_127_100 }, v9Templates({ id: 263, fields }), set(263, body)));
  t.equal(out.length, 2);
  t.same([out.nsel[0], out.fwEvent[0], out.start[0], out.end[0]], [1, 5, created * 1000, (created + 600_000) * 1000], 'update: from creation to the event time');
  t.same([out.fwEvent[1], out.start[1], out.end[1]], [2, created * 1000, (created + 18_060_000) * 1000], 'teardown: 5 h 1 min long');
  // an event time before the creation (a broken clock): an instant at the creation, never end < start
  const early = decoded(new FlowDecoder(), v9({ uptime: 1, secs: 1_469_127_100 }, v9Templates({ id: 263, fields }), set(263, rec(2, created - 3_600_000).done()))).out;
  t.same([early.start[0], early.end[0]], [created * 1000, created * 1000], 'event before creation: end = start');

  // The corpus ASA streams: every record has a creation and an event time, the end is never before the start.
  for (const file of ['nsel/ls-cisco-asa-1.pcap', 'nsel/ls-cisco-asa-2.pcap']) {
    const b = new FlowBatch(64);
    replay([file], new FlowDecoder({ pendingMaxSets: 0, clockSkewThresholdMs: 0 }), b);
    let backwards = 0;
    let long = 0;
    for (let i = 0; i < b.length; i++) {
      if (b.end[i]! < b.start[i]!) backwards++;
      if (b.end[i]! > b.start[i]!) long++;
    }
    t.ok(b.length > 0, `${file}: ${b.length} records`);
    t.equal(backwards, 0, `${file}: no end before its start`);
    t.ok(long > 0, `${file}: ${long} records last longer than an instant`);
  }
});

t.test('interface names from options data: netflow9/tg-netflow_v9_options.pcap', async (t) => {
  const dec = new FlowDecoder();
  replay(['netflow9/tg-netflow_v9_options.pcap'], dec, new FlowBatch(8));
  const expected = JSON.parse(readFileSync(CORPUS + 'expected/netflow9/tg-netflow_v9_options.json', 'utf8')) as {
    frames: { cflow: { records: Record<string, unknown>[] }[] }[];
  };
  const rows = expected.frames[0]!.cflow[0]!.records;
  const names = dec.interfaces('192.0.2.10');
  t.equal(names.size, rows.length, 'one entry per options record');
  for (const r of rows) {
    const got = names.get(r['inputint'] as number);
    t.same(got, { name: r['if_name'], description: r['if_descr'] }, `ifIndex ${String(r['inputint'])}`);
  }
});

t.test('every drop reason is counted, per exporter and in total', async (t) => {
  const cases: [CounterName, Uint8Array, Partial<DecoderConfig>?][] = [
    ['truncated', new Uint8Array([0])],
    ['truncated', v5({ uptime: 1, secs: 1, count: 2 }, { src: '1.1.1.1', dst: '2.2.2.2', packets: 1, octets: 1, first: 0, last: 0, srcPort: 1, dstPort: 2, proto: 6 })],
    ['truncated', v9({ uptime: 1, secs: 1 }).subarray(0, 12)],
    ['truncated', v9({ uptime: 1, secs: 1 }, set(300, new Uint8Array(8), 100))],
    ['truncated', ipfix({ exportTime: 1, lengthOverride: 200 }, basicData(300, 1))],
    ['bad_version', new Uint8Array([0, 6, 0, 0])],
    ['bad_length', ipfix({ exportTime: 1, lengthOverride: 8 })],
    ['bad_length', ipfix({ exportTime: 1 }, set(300, new Uint8Array(0), 2), new Uint8Array([1, 2, 3, 4]))],
    ['bad_set_id', ipfix({ exportTime: 1 }, set(7, new Uint8Array(4)))],
    ['bad_set_id', v9({ uptime: 1, secs: 1 }, set(2, new Uint8Array(4)))],
    ['bad_template', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 12, fields: BASIC }))],
    ['bad_template', ipfix({ exportTime: 1 }, set(2, new Bytes().u16(300).u16(3).u16(8).u16(4).done()))],
    ['bad_template', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [{ id: 8, len: 0 }] }))],
    ['bad_template', ipfix({ exportTime: 1 }, ipfixOptionsTemplate(300, [], [{ id: 34, len: 4 }]))],
    ['bad_template', v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: [] }))],
    ['bad_template', v9({ uptime: 1, secs: 1 }, set(1, new Bytes().u16(300).u16(3).u16(4).u32(0).u32(0).done()))],
    ['bad_template', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC })), { maxFieldsPerTemplate: 4 }],
    ['template_limit', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC }, { id: 301, fields: BASIC })), { maxTemplatesPerExporter: 1 }],
    ['bad_record', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [{ id: 82, len: 65535 }] }), set(300, new Uint8Array([9, 1])))],
    ['unknown_template_dropped', ipfix({ exportTime: 1 }, basicData(300, 1)), { pendingMaxSets: 0 }],
    [
      'options_limit',
      v9({ uptime: 1, secs: 1 }, v9OptionsTemplate(256, [{ id: 1, len: 0 }], [{ id: 48, len: 1 }, { id: 34, len: 4 }]), set(256, new Bytes().u8(1).u32(10).u8(2).u32(20).done())),
      { maxSamplersPerDomain: 1 },
    ],
    ['domain_limit', concat(ipfix({ exportTime: 1, domain: 1 }, ipfixTemplates({ id: 300, fields: BASIC })), ipfix({ exportTime: 1, domain: 2 }, ipfixTemplates({ id: 300, fields: BASIC }))), { maxDomainsPerExporter: 1 }],
    ['template_budget', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC })), { maxTemplateBytesTotal: 100 }],
    ['template_budget', ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC }, { id: 301, fields: [...BASIC, { id: 7, len: 2 }] })), { maxFlowPlans: 2 }],
    ['held_budget', ipfix({ exportTime: 1 }, basicData(300, 1)), { maxHeldBytesTotal: 100 }],
  ];
  for (const [reason, buf, cfg] of cases) {
    const dec = new FlowDecoder(cfg);
    let res;
    t.doesNotThrow(() => {
      res = dec.decode(buf, EXP, UDP(), new FlowBatch(4));
    });
    t.equal(count(dec, reason), 1, `${reason} counted for the exporter`);
    t.equal(dec.counters()[reason], 1, `${reason} counted in the totals`);
    t.equal(res!.dropped, reason, `${reason} reported in the result`);
  }

  const exp = new FlowDecoder({ pendingMaxSets: 1, pendingMaxAgeMs: 10 });
  exp.decode(ipfix({ exportTime: 1 }, basicData(300, 1)), EXP, UDP(0), new FlowBatch(4));
  const r = exp.decode(ipfix({ exportTime: 1 }), EXP, UDP(11), new FlowBatch(4));
  t.same([r.dropped, count(exp, 'unknown_template_expired')], ['unknown_template_expired', 1]);

  const evict = new FlowDecoder({ maxExporters: 2 });
  for (const e of ['192.0.2.1', '192.0.2.2', '192.0.2.1', '192.0.2.3']) evict.decode(ipfix({ exportTime: 1 }), e, UDP(), new FlowBatch(4));
  t.same(evict.exporterKeys(), ['192.0.2.1', '192.0.2.3'], 'the least recently seen exporter is forgotten');
  t.equal(evict.counters().exporter_evicted, 1);

  class BrokenBatch extends FlowBatch {
    override reserve(): void {
      throw new Error('simulated bug');
    }
  }
  const bug = new FlowDecoder();
  const broken = new BrokenBatch(4);
  let res2;
  t.doesNotThrow(() => {
    res2 = bug.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC }), basicData(300, 1)), EXP, UDP(), broken);
  }, 'an exception inside the decoder never escapes');
  t.equal(res2!.dropped, 'decoder_error');
  t.equal(broken.length, 0);
});

t.test('configuration is validated', async (t) => {
  t.throws(() => new FlowDecoder({ maxExporters: 0 }), DecoderConfigError);
  t.throws(() => new FlowDecoder({ pendingMaxSets: -1 }), { code: 'BAD_CONFIG', message: /pendingMaxSets: must be a whole number >= 0, got -1/ });
  t.throws(() => new FlowDecoder({ samplingOverrides: new Map([['10.0.0.1', 0.5]]) }), /rate for 10.0.0.1/);
  t.throws(() => new FlowDecoder({ maxFlowPlans: 0 }), { code: 'BAD_CONFIG', key: 'maxFlowPlans' });
  t.throws(() => new FlowDecoder({ maxTemplateBytesTotal: 1.5 }), { code: 'BAD_CONFIG', key: 'maxTemplateBytesTotal' });
  t.throws(
    () => new FlowDecoder({ samplingOverrides: new Map([['2001:db8::1', 5], ['2001:DB8:0:0::1', 6]]) }),
    { key: 'samplingOverrides', message: /2001:DB8:0:0::1 is 2001:db8::1, given two rates \(5 and 6\)/ },
  );
});

t.test('exporter keys: one state and one override per address, whatever form the socket gives', async (t) => {
  const cfg = { samplingOverrides: new Map([['::ffff:192.0.2.9', 50], ['2001:DB8:0:0:0:0:0:1', 7], ['collector-a', 3]]) };
  const dec = new FlowDecoder(cfg);
  t.same([...dec.config.samplingOverrides], [['192.0.2.9', 50], ['2001:db8::1', 7], ['collector-a', 3]], 'override keys stored canonical; other text as given');
  const pkt = v5({ uptime: 5_000, secs: 1_600_000_000 }, { src: '10.1.1.1', dst: '10.2.2.2', packets: 1, octets: 60, first: 1_000, last: 4_000, srcPort: 1, dstPort: 2, proto: 17 });
  const forms: [string, number][] = [
    ['192.0.2.9', 50],
    ['::ffff:192.0.2.9', 50],
    ['::FFFF:c000:0209', 50],
    ['2001:db8::1', 7],
    ['2001:DB8:0::1', 7],
    ['2001:db8:0:0:0:0:0:1', 7],
    ['collector-a', 3],
    ['192.0.2.10', 1],
  ];
  const out = new FlowBatch(16);
  for (const [form, rate] of forms) {
    dec.decode(pkt, form, UDP(), out);
    t.equal(out.samplingRate[out.length - 1], rate, `${form}: rate ${rate}`);
    t.equal(out.samplingOrigin[out.length - 1], rate === 1 ? SamplingOrigin.none : SamplingOrigin.config);
  }
  dec.decode(pkt, '::ffff:192.0.2.9', { ...UDP(), session: '7' }, out);
  t.same(dec.exporterKeys(), ['192.0.2.9', '2001:db8::1', 'collector-a', '192.0.2.10', '192.0.2.9#7'], 'state keyed by the canonical address');
  t.equal(formatIpAt(out.exporter, 1), '192.0.2.9', 'rows carry the exporter address either way');
  t.equal(dec.counters('::ffff:192.0.2.9').datagrams, 3, 'inspection accepts any form');
  t.equal(dec.counters('2001:DB8::0:1').flows, 3);
  t.equal(dec.counters('::ffff:192.0.2.9#7').datagrams, 1);
  t.ok(dec.forget('::ffff:192.0.2.9#7'));
  t.equal(dec.memory('192.0.2.9#7'), undefined);

  // sFlow and NetFlow v9 use the same keys: sFlow overrides by datagram source, v9 sets by exporter.
  const v9dec = new FlowDecoder(cfg);
  const r = v9dec.decode(v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: BASIC }), basicData(300, 2)), '::ffff:192.0.2.9', UDP(), out);
  t.equal(r.flows, 1);
  t.same([out.samplingRate[out.length - 1], out.packets[out.length - 1]], [50, 100], 'v9 records of a dual-stack exporter take its override');
});

t.test('sampling algorithm from options data, as tshark decodes it', async (t) => {
  type Expected = { inputs: string[]; frames: { input: string; frame: number; cflow?: { source_id?: number; records?: Record<string, unknown>[] }[] }[] };
  const files = ['netflow9/akv-multiplesamplingrates-data.json', 'netflow9/scapy-netflowv9.json', 'netflow9/ls-fortigate-fortios-521.json'];
  for (const file of files) {
    const exp = JSON.parse(readFileSync(CORPUS + 'expected/' + file, 'utf8')) as Expected;
    const dec = new FlowDecoder();
    const sources = new Map(replay(exp.inputs, dec, new FlowBatch(64)).map((f) => [`${f.input}#${f.frame}`, f.packet?.src]));
    let checked = 0;
    for (const fr of exp.frames) {
      const doms = dec.domains(sources.get(`${fr.input}#${fr.frame}`) ?? '');
      for (const c of fr.cflow ?? []) {
        for (const rec of c.records ?? []) {
          const algorithm = (rec['sampler_mode'] ?? rec['sampling_algorithm']) as number | undefined;
          if (algorithm === undefined || !Object.keys(rec).some((k) => k.startsWith('scope_'))) continue;
          const dom = doms.find((d) => d.version === 9 && d.id === c.source_id);
          const rate = rec['sampling_interval'] as number;
          const sampler = rec['sampler_id'] as number | undefined;
          if (sampler === undefined) {
            t.same([dom?.defaultRate, dom?.defaultAlgorithm], [rate, algorithm], `${file}: domain ${String(c.source_id)} rate 1:${rate}, algorithm ${algorithm}`);
          } else {
            t.same([dom?.samplerRates.get(sampler), dom?.samplerAlgorithms.get(sampler)], [rate, algorithm], `${file}: sampler ${sampler} rate 1:${rate}, mode ${algorithm}`);
          }
          checked++;
        }
      }
    }
    t.ok(checked > 0, `${file}: ${checked} options records with an algorithm`);
  }

  // An algorithm stays with its rate: a later record for the same sampler without one clears it.
  const dec = new FlowDecoder();
  const withMode = v9OptionsTemplate(256, [{ id: 1, len: 4 }], [{ id: 48, len: 1 }, { id: 34, len: 4 }, { id: 49, len: 1 }]);
  const without = v9OptionsTemplate(257, [{ id: 1, len: 4 }], [{ id: 48, len: 1 }, { id: 34, len: 4 }]);
  decoded(dec, v9({ uptime: 1, secs: 1 }, withMode, set(256, new Bytes().u32(0).u8(1).u32(100).u8(1).u32(0).u8(2).u32(200).u8(2).done())));
  t.same([...dec.domains(EXP)[0]!.samplerAlgorithms], [[1, 1], [2, 2]]);
  decoded(dec, v9({ uptime: 1, secs: 1 }, without, set(257, new Bytes().u32(0).u8(1).u32(300).done())));
  const d = dec.domains(EXP)[0]!;
  t.same([[...d.samplerRates], [...d.samplerAlgorithms]], [[[1, 300], [2, 200]], [[2, 2]]]);
});

t.test('FlowBatch: growth keeps rows, reset and truncate zero them, addRow', async (t) => {
  const b = new FlowBatch(16);
  const dec = new FlowDecoder();
  const pkts = udpPayloads('netflow5/gl-netgraph-netflow5.pcap');
  for (const p of pkts) dec.decode(p.payload, p.src, UDP(), b);
  t.equal(b.length, 120);
  t.ok(b.capacity >= 120, 'grew from 16 rows');
  const first = b.row(0);
  const copy = new FlowBatch(256);
  for (const p of pkts) dec.decode(p.payload, p.src, UDP(), copy);
  t.same(copy.row(0), first, 'same rows whatever the initial capacity');
  b.truncate(10);
  t.equal(b.length, 10);
  t.equal(b.bytes[10], 0, 'truncated rows are zero');
  b.reset();
  t.equal(b.length, 0);
  t.equal(b.srcAddr[3], 0, 'reset rows are zero');
  const r = b.addRow();
  t.equal(r, 0);
  b.setIp('srcAddr', r, 0, 0, 0xffff, 0x0a000001);
  t.equal(formatIpAt(b.srcAddr, 0), '10.0.0.1');
});

t.test('ToS from ipDiffServCodePoint (IE 195) or ipPrecedence (IE 196) when ipClassOfService (IE 5) is absent', async (t) => {
  const ADDR: Field[] = [
    { id: 8, len: 4 },
    { id: 12, len: 4 },
  ];
  const rec = (...tail: number[]): Bytes => new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').raw(tail);
  const tosOf = (buf: Uint8Array): number[] => {
    const { out } = decoded(new FlowDecoder(), buf);
    return [...out.tos.subarray(0, out.length)];
  };
  // DSCP 46 (expedited forwarding) is ToS 0xb8; DSCP 12 (AF12) is ToS 48, as Viptela exports both.
  t.same(tosOf(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...ADDR, { id: 195, len: 1 }] }), set(300, concat(rec(46).done(), rec(12).done())))), [0xb8, 48], 'IPFIX: dscp << 2');
  t.same(tosOf(v9({ uptime: 1, secs: 1 }, v9Templates({ id: 300, fields: [...ADDR, { id: 195, len: 1 }] }), set(300, rec(10).done()))), [40], 'NetFlow v9 (Cisco WLC, NBAR templates): dscp << 2');
  t.same(tosOf(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...ADDR, { id: 195, len: 2 }] }), set(300, rec(0xff, 0xc1).done()))), [4], 'a wider field: only the 6 DSCP bits count');
  t.same(tosOf(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...ADDR, { id: 195, len: 1 }, { id: 5, len: 1 }] }), set(300, rec(46, 0x21).done()))), [0x21], 'ipClassOfService wins when both are sent (it keeps the ECN bits)');
  t.same(tosOf(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...ADDR, { id: 196, len: 1 }] }), set(300, rec(5).done()))), [0xa0], 'ipPrecedence alone: precedence << 5');
  t.same(tosOf(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...ADDR, { id: 196, len: 1 }, { id: 195, len: 1 }] }), set(300, rec(1, 12).done()))), [48], 'DSCP wins over precedence');
});

t.test('biflowDirection (IE 239) fills the initiator column, from the record or from options data for the domain', async (t) => {
  const BI: Field[] = [
    { id: 8, len: 4 },
    { id: 12, len: 4 },
    { id: 2, len: 4 },
    { id: 2, len: 4, pen: REVERSE_PEN },
  ];
  const rec = (b: Bytes, dir?: number): Bytes => {
    b.ip4('10.0.0.1').ip4('10.0.0.2').u32(3).u32(4);
    return dir === undefined ? b : b.u8(dir);
  };
  const inRecord = new Bytes();
  for (const d of [0, 1, 2, 3, 9]) rec(inRecord, d);
  const { out } = decoded(new FlowDecoder(), ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...BI, { id: 239, len: 1 }] }), set(300, inRecord.done())));
  t.same([...out.initiator.subarray(0, 5)], [FlowInitiator.unknown, FlowInitiator.source, FlowInitiator.destination, FlowInitiator.unknown, FlowInitiator.unstated], 'arbitrary, initiator, reverseInitiator, perimeter, undefined value');
  t.same([...out.biflow.subarray(0, 5)], [1, 1, 1, 1, 1]);

  // RFC 5103 §6.3: biflowDirection may be given for a whole observation domain in options data.
  const dec = new FlowDecoder();
  const opt = ipfixOptionsTemplate(400, [{ id: 149, len: 4 }], [{ id: 239, len: 1 }]);
  const r = decoded(
    dec,
    ipfix(
      { exportTime: 1, domain: 7 },
      opt,
      set(400, new Bytes().u32(7).u8(2).done()),
      ipfixTemplates({ id: 300, fields: BI }, { id: 301, fields: BI.slice(0, 3) }, { id: 302, fields: [...BI, { id: 239, len: 1 }] }),
      set(300, rec(new Bytes()).done()),
      set(301, new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u32(3).done()),
      set(302, rec(new Bytes(), 1).done()),
    ),
  ).out;
  t.same([...r.initiator.subarray(0, 3)], [FlowInitiator.destination, FlowInitiator.unstated, FlowInitiator.source], "the domain's value for biflows without their own; not for uniflows; a record's own wins");
  t.equal(dec.domains(EXP)[0]!.initiator, FlowInitiator.destination);
  const other = decoded(dec, ipfix({ exportTime: 1, domain: 8 }, ipfixTemplates({ id: 300, fields: BI }), set(300, rec(new Bytes()).done()))).out;
  t.equal(other.initiator[0], FlowInitiator.unstated, 'another domain is not affected');
});

t.test('sampling rates scoped to an interface apply to the records sampled on it; precedence', async (t) => {
  // v9: options scoped by interface (scope type 2), a sampler table, and a domain-wide rate.
  const dec = new FlowDecoder();
  const byIf = v9OptionsTemplate(256, [{ id: 2, len: 4 }], [{ id: 34, len: 4 }, { id: 35, len: 1 }]);
  const bySampler = v9OptionsTemplate(257, [{ id: 1, len: 4 }], [{ id: 48, len: 1 }, { id: 34, len: 4 }]);
  const domain = v9OptionsTemplate(258, [{ id: 1, len: 4 }], [{ id: 34, len: 4 }]);
  const options = concat(
    byIf,
    set(256, new Bytes().u32(3).u32(100).u8(2).u32(4).u32(1000).u8(1).done()),
    bySampler,
    set(257, new Bytes().u32(0).u8(1).u32(2000).done()),
    domain,
    set(258, new Bytes().u32(0).u32(10).done()),
  );
  const fields: Field[] = [...BASIC.slice(0, 7), { id: 10, len: 4 }, { id: 14, len: 4 }, { id: 61, len: 1 }, { id: 48, len: 1 }];
  const rec = (inIf: number, outIf: number, direction: number, sampler: number): Uint8Array =>
    new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u16(1).u16(2).u8(6).u32(3).u32(300).u32(inIf).u32(outIf).u8(direction).u8(sampler).done();
  const data = set(300, concat(rec(3, 9, 0, 0), rec(4, 9, 0, 0), rec(5, 9, 0, 0), rec(5, 3, 1, 0), rec(3, 9, 0, 1), rec(9, 4, 0, 0)));
  const { out } = decoded(dec, v9({ uptime: 1, secs: 1 }, options, v9Templates({ id: 300, fields }), data));
  t.same(
    [...out.samplingRate.subarray(0, 6)],
    [100, 1000, 10, 100, 2000, 10],
    'ingress interface 3 and 4; an interface without a rate takes the domain rate; egress records take the output interface; a sampler id wins; an ingress record ignores its output interface',
  );
  t.same([...out.packets.subarray(0, 6)], [300, 3000, 30, 300, 6000, 30]);
  t.same([...out.samplingOrigin.subarray(0, 6)], [2, 2, 2, 2, 2, 2]);
  const dom = dec.domains(EXP)[0]!;
  t.same([[...dom.interfaceRates], [...dom.interfaceAlgorithms], dom.defaultRate], [[[3, 100], [4, 1000]], [[3, 2], [4, 1]], 10], 'kept per interface, with their algorithms; the domain rate stays its own');
  t.equal(dec.memory(EXP)!.interfaceRates, 2);

  // IPFIX: ingressInterface scope with samplerId, samplerMode and samplerRandomInterval (IE 48/49/50):
  // kept under the sampler id and the interface, so records with either find it.
  const ip = new FlowDecoder();
  const ipOpt = ipfixOptionsTemplate(400, [{ id: 10, len: 4 }], [{ id: 48, len: 2 }, { id: 49, len: 1 }, { id: 50, len: 4 }]);
  const tplOpt = ipfixOptionsTemplate(401, [{ id: 145, len: 2 }], [{ id: 34, len: 4 }]);
  const ipFields: Field[] = [...BASIC.slice(0, 7), { id: 10, len: 4 }];
  const ipRec = (inIf: number): Uint8Array => new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u16(1).u16(2).u8(6).u32(3).u32(300).u32(inIf).done();
  const withSampler: Field[] = [...BASIC.slice(0, 7), { id: 48, len: 2 }];
  const ipOut = decoded(
    ip,
    ipfix(
      { exportTime: 1 },
      ipOpt,
      set(400, new Bytes().u32(7).u16(5).u8(2).u32(64).done()),
      tplOpt,
      set(401, new Bytes().u16(300).u32(8).done()),
      ipfixTemplates({ id: 300, fields: ipFields }, { id: 301, fields: withSampler }),
      set(300, concat(ipRec(7), ipRec(8))),
      set(301, new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u16(1).u16(2).u8(6).u32(3).u32(300).u16(5).done()),
    ),
  ).out;
  t.same([...ipOut.samplingRate.subarray(0, 3)], [64, 8, 64], 'the interface rate wins over the template-scoped rate; the template rate for other interfaces; the sampler id on its own');
  const ipDom = ip.domains(EXP)[0]!;
  t.same([[...ipDom.samplerRates], [...ipDom.interfaceRates], [...ipDom.samplerAlgorithms]], [[[5, 64]], [[7, 64]], [[5, 2]]]);

  const locked = new FlowDecoder({ samplingOverrides: new Map([[EXP, 3]]) });
  const l = decoded(locked, v9({ uptime: 1, secs: 1 }, options, v9Templates({ id: 300, fields }), data)).out;
  t.same([...l.samplingRate.subarray(0, 6)], [3, 3, 3, 3, 3, 3], 'a configured override still wins');
  t.same([...l.samplingOrigin.subarray(0, 6)], [4, 4, 4, 4, 4, 4]);

  const few = new FlowDecoder({ maxInterfacesPerExporter: 1 });
  decoded(few, v9({ uptime: 1, secs: 1 }, byIf, set(256, new Bytes().u32(3).u32(100).u8(2).u32(4).u32(1000).u8(1).done())));
  t.same([[...few.domains(EXP)[0]!.interfaceRates], count(few, 'options_limit')], [[[3, 100]], 1], 'interface rates are bounded by maxInterfacesPerExporter');
});
