// The capture reader: classic pcap in both byte orders and time resolutions, frames down to UDP/TCP
// payloads (VLAN tags, IPv6 extension headers, fragments, cooked and raw link types), TCP reassembly.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { LINKTYPE, parsePacket, PcapError, readPcap, TcpReassembler, type IpPacket } from '../../src/pcap/index.js';
import { CORPUS, corpusIndex } from '../decode/corpusreplay.js';

class W {
  private readonly a: number[] = [];
  constructor(private readonly little = false) {}
  u8(v: number): this {
    this.a.push(v & 255);
    return this;
  }
  u16(v: number): this {
    return this.little ? this.u8(v).u8(v >> 8) : this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    const hi = Math.floor(v / 65536);
    const lo = v % 65536;
    return this.little ? this.u16(lo).u16(hi) : this.u16(hi).u16(lo);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.a.push(b[i]! & 255);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.a);
  }
}

function pcapFile(opts: { little: boolean; nano: boolean; linkType?: number }, ...frames: { sec: number; frac: number; data: Uint8Array }[]): Uint8Array {
  const w = new W(opts.little);
  w.u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(opts.linkType ?? 1);
  for (const f of frames) w.u32(f.sec).u32(f.frac).u32(f.data.length).u32(f.data.length).raw(f.data);
  return w.done();
}

const MAC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

function udp(sport: number, dport: number, payload: number[]): number[] {
  return [...new W().u16(sport).u16(dport).u16(8 + payload.length).u16(0).done(), ...payload];
}

function ipv4(proto: number, body: number[], flagsFrag = 0): number[] {
  const total = 20 + body.length;
  return [...new W().u8(0x45).u8(0).u16(total).u16(1).u16(flagsFrag).u8(64).u8(proto).u16(0).raw([192, 0, 2, 1]).raw([198, 51, 100, 2]).done(), ...body];
}

t.test('corpus captures: frame counts, both magic numbers, capture time = export time', async (t) => {
  let files = 0;
  for (const e of corpusIndex()) {
    const file = readPcap(new Uint8Array(readFileSync(CORPUS + e.path)));
    t.equal(file.packets.length, e.frames, `${e.path}: ${e.frames} frames`);
    t.equal(file.linkType, LINKTYPE.ethernet);
    files++;
    if (e.wrap_mode !== 'udp') continue;
    // Wrapped payloads carry their export time as the frame time (MANIFEST).
    for (const p of file.packets) {
      const ip = parsePacket(p.data, file.linkType)!;
      const v = (ip.payload[0]! << 8) | ip.payload[1]!;
      if (v !== 5 && v !== 9 && v !== 10) continue;
      const at = v === 10 ? 4 : 8;
      const secs = ip.payload[at]! * 16777216 + ((ip.payload[at + 1]! << 16) | (ip.payload[at + 2]! << 8) | ip.payload[at + 3]!);
      if (Math.floor(p.timeUs / 1e6) !== secs) t.equal(Math.floor(p.timeUs / 1e6), secs, `${e.path}: frame time`);
    }
  }
  t.ok(files > 130);
  t.ok(readPcap(new Uint8Array(readFileSync(CORPUS + 'netflow9/scapy-netflowv9.pcap'))).nanosecond, 'scapy writes nanosecond pcaps');
});

t.test('synthetic files: big-endian and little-endian, micro- and nanoseconds', async (t) => {
  const frame = Uint8Array.from([...MAC, 0x08, 0x00, ...ipv4(17, udp(50000, 2055, [0, 5]))]);
  for (const little of [false, true]) {
    for (const nano of [false, true]) {
      const f = readPcap(pcapFile({ little, nano }, { sec: 1_600_000_000, frac: nano ? 123_456_789 : 123_456, data: frame }));
      t.equal(f.nanosecond, nano);
      t.equal(f.packets[0]!.timeUs, 1_600_000_000_123_456, `${little ? 'LE' : 'BE'} ${nano ? 'ns' : 'µs'}`);
      t.same([...f.packets[0]!.data], [...frame]);
    }
  }
  t.same(readPcap(pcapFile({ little: true, nano: false })).packets, [], 'a header-only file has no packets');
});

t.test('corrupt or foreign files raise PcapError with a code and an offset', async (t) => {
  const good = pcapFile({ little: true, nano: false }, { sec: 1, frac: 0, data: new Uint8Array(60) });
  const cases: [Uint8Array, string, RegExp][] = [
    [new Uint8Array(0), 'NOT_PCAP', /shorter than the 24-byte pcap header/],
    [good.subarray(0, 10), 'TRUNCATED', /shorter than the 24-byte/],
    [Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...new Uint8Array(40)]), 'PCAPNG', /pcapng.*editcap -F pcap/],
    [Uint8Array.from([0x50, 0x4b, 3, 4, ...new Uint8Array(40)]), 'NOT_PCAP', /magic number 0x504b0304/],
    [good.subarray(0, 30), 'TRUNCATED', /pcap byte 24: record header cut short/],
    [good.subarray(0, 70), 'TRUNCATED', /record data cut short \(30 of 60 bytes\)/],
  ];
  for (const [buf, code, msg] of cases) t.throws(() => readPcap(buf), { code, message: msg }, code);
  const huge = good.slice();
  new DataView(huge.buffer).setUint32(32, 1 << 20, true);
  t.throws(() => readPcap(huge), { code: 'BAD_RECORD', offset: 24 });
  t.type(catchIt(() => readPcap(new Uint8Array(3))), PcapError);
});

function catchIt(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

t.test('frames: Ethernet, 802.1Q and QinQ, padding, fragments, IPv6 extension headers, other link types', async (t) => {
  const payload = [1, 2, 3, 4, 5];
  const plain = parsePacket(Uint8Array.from([...MAC, 0x08, 0x00, ...ipv4(17, udp(1234, 2055, payload)), 0, 0, 0, 0]), LINKTYPE.ethernet)!;
  t.same([plain.src, plain.dst, plain.srcPort, plain.dstPort, plain.proto, plain.ipVersion], ['192.0.2.1', '198.51.100.2', 1234, 2055, 17, 4]);
  t.same([...plain.payload], payload, 'UDP length excludes Ethernet padding');

  const qinq = parsePacket(Uint8Array.from([...MAC, 0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00, ...ipv4(17, udp(1, 2, payload))]), LINKTYPE.ethernet)!;
  t.same([...qinq.payload], payload, 'two VLAN tags skipped');

  const frag = parsePacket(Uint8Array.from([...MAC, 0x08, 0x00, ...ipv4(17, udp(1, 2, payload), 0x2000)]), LINKTYPE.ethernet)!;
  t.equal(frag.fragment, true, 'more-fragments set: not parsed as UDP');
  t.equal(frag.srcPort, 0);

  const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const hop = [17, 0, 0, 0, 0, 0, 0, 0];
  const body = [...hop, ...udp(9, 4739, payload)];
  const ip6 = [0x60, 0, 0, 0, ...new W().u16(body.length).done(), 0, 64, ...v6, ...v6.slice(0, 15), 2, ...body];
  const p6 = parsePacket(Uint8Array.from([...MAC, 0x86, 0xdd, ...ip6]), LINKTYPE.ethernet)!;
  t.same([p6.src, p6.dst, p6.dstPort, p6.ipVersion], ['2001:db8::1', '2001:db8::2', 4739, 6], 'hop-by-hop header skipped');
  t.same([...p6.payload], payload);

  const sll = parsePacket(Uint8Array.from([0, 0, 0, 1, 0, 6, ...MAC.slice(0, 8), 0x08, 0x00, ...ipv4(17, udp(1, 2, payload))]), LINKTYPE.linuxSll)!;
  t.same([...sll.payload], payload, 'Linux cooked capture');
  const raw = parsePacket(Uint8Array.from(ipv4(17, udp(1, 2, payload))), LINKTYPE.raw)!;
  t.same([...raw.payload], payload, 'raw IP');
  t.equal(parsePacket(Uint8Array.from([...MAC, 0x08, 0x06, ...new Array(28).fill(0)]), LINKTYPE.ethernet), null, 'ARP is not IP');
  t.equal(parsePacket(Uint8Array.from([...MAC, 0x08, 0x00, 0x45, 0]), LINKTYPE.ethernet), null, 'cut-short IP header');
  t.equal(parsePacket(new Uint8Array(40), 147), null, 'unknown link type');

  const file = readPcap(new Uint8Array(readFileSync(CORPUS + 'ipfix/pta-104-IPFIXv10-IPv6-CISCO-sampling_option.pcap')));
  const first = parsePacket(file.packets[0]!.data, file.linkType)!;
  t.same([first.ipVersion, first.proto, first.dstPort], [6, 17, 9992], 'IPv6 transport from a real capture');
});

t.test('TCP reassembly', async (t) => {
  const file = readPcap(new Uint8Array(readFileSync(CORPUS + 'ipfix/ipfixcol2-example_flows-over-tcp.pcap')));
  const tcp = new TcpReassembler();
  const parts: Uint8Array[] = [];
  let key = '';
  for (const p of file.packets) {
    const ip = parsePacket(p.data, file.linkType)!;
    if (ip.dstPort !== 4739) continue;
    key = TcpReassembler.key(ip);
    parts.push(tcp.push(ip));
  }
  const stream = Buffer.concat(parts);
  const raw = readFileSync(CORPUS + 'ipfix/raw/ipfixcol2-example_flows.ipfix');
  t.ok(stream.equals(raw), `the capture's stream is the published IPFIX file, byte for byte (${raw.length} bytes)`);
  t.ok(tcp.finished(key), 'FIN seen');

  const seg = (seq: number, data: number[], flags = 0x18): IpPacket => ({
    ipVersion: 4,
    src: '192.0.2.1',
    dst: '192.0.2.2',
    proto: 6,
    fragment: false,
    srcPort: 1000,
    dstPort: 4739,
    payload: Uint8Array.from(data),
    tcp: { seq, ack: 0, flags },
  });
  const r = new TcpReassembler();
  const got: number[] = [];
  const take = (p: IpPacket): void => {
    got.push(...r.push(p));
  };
  take(seg(4294967290, [], 0x02));
  take(seg(4294967291, [1, 2, 3]));
  take(seg(3, [9, 10]));
  take(seg(4294967294, [4, 5, 6, 7]));
  t.same(got, [1, 2, 3, 4, 5, 6, 7], 'early segment held; sequence numbers wrap');
  take(seg(4294967292, [2, 3, 4, 5, 6, 7, 8]));
  t.same(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'retransmitted overlap trimmed, then the held segment follows');
  take(seg(4294967292, [2, 3]));
  t.equal(got.length, 10, 'pure duplicates give nothing');
});
