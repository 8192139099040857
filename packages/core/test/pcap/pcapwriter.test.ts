// The pcap writer: files it writes read back with readPcap (times, bytes, wire lengths, link type),
// the layout is the classic little-endian one byte for byte, long frames are cut at the snapshot length.
import t from 'tap';
import { LINKTYPE, parsePacket, PcapError, PcapWriter, readPcap } from '../../src/pcap/index.js';

function frame(n: number, seed: number): Uint8Array {
  const f = new Uint8Array(n);
  for (let i = 0; i < n; i++) f[i] = (i * 31 + seed) & 255;
  return f;
}

t.test('round trip through readPcap', async (t) => {
  const w = new PcapWriter();
  const sent: { timeUs: number; data: Uint8Array }[] = [];
  // enough frames to grow the buffer several times; times with and without a fraction of a second
  for (let i = 0; i < 200; i++) {
    const timeUs = 1_700_000_000_000_000 + i * 1_234_567 + (i % 3 === 0 ? 0 : 999_999);
    const data = frame(40 + ((i * 97) % 1400), i);
    w.add(timeUs, data);
    sent.push({ timeUs, data });
  }
  t.equal(w.count, 200);
  const file = readPcap(w.bytes());
  t.equal(file.linkType, LINKTYPE.ethernet);
  t.equal(file.nanosecond, false);
  t.equal(file.snapLen, 65535);
  t.equal(file.packets.length, 200);
  t.same(
    file.packets.map((p) => [p.timeUs, p.origLen, Array.from(p.data)]),
    sent.map((s) => [s.timeUs, s.data.length, Array.from(s.data)]),
    'times, wire lengths and bytes as written',
  );
});

t.test('classic little-endian layout', async (t) => {
  const w = new PcapWriter({ linkType: LINKTYPE.raw, snapLen: 1500 });
  w.add(1_000_002_500_001, Uint8Array.from([0x45, 0, 0, 20]));
  const b = w.bytes();
  const hex = Buffer.from(b).toString('hex');
  t.equal(hex.slice(0, 48), 'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'dc050000' + '65000000', 'global header: magic, 2.4, zone 0, accuracy 0, snaplen 1500, link type 101');
  // 1_000_002_500_001 µs = 1_000_002 s + 500_001 µs
  t.equal(hex.slice(48), '42420f00' + '21a10700' + '04000000' + '04000000' + '45000014', 'record: seconds, microseconds, captured and wire length, bytes');
  t.not(w.bytes(), b, 'bytes() is a copy');
  w.add(1_000_003_000_000, Uint8Array.from([1]));
  t.equal(b.length, 24 + 16 + 4, 'an earlier copy does not change');
});

t.test('frames longer than the snapshot length are cut, their wire length kept', async (t) => {
  const w = new PcapWriter({ snapLen: 64 });
  const long = frame(300, 7);
  w.add(5_000_000, long);
  w.add(6_000_000, frame(10, 1), 1514);
  const file = readPcap(w.bytes());
  t.equal(file.packets[0]!.data.length, 64);
  t.same(Array.from(file.packets[0]!.data), Array.from(long.subarray(0, 64)));
  t.equal(file.packets[0]!.origLen, 300);
  t.equal(file.packets[1]!.origLen, 1514, 'a wire length given for a cut frame');
});

t.test('frames parse back down to their transport layer', async (t) => {
  // Ethernet + IPv4 + UDP 5000 → 2055 with 4 bytes of payload
  const f = Uint8Array.from([
    ...[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00],
    ...[0x45, 0, 0, 32, 0, 1, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2],
    ...[0x13, 0x88, 0x08, 0x07, 0, 12, 0, 0],
    ...[1, 2, 3, 4],
  ]);
  const w = new PcapWriter();
  w.add(0, f);
  const file = readPcap(w.bytes());
  const ip = parsePacket(file.packets[0]!.data, file.linkType);
  t.match(ip, { src: '192.0.2.1', dst: '198.51.100.2', proto: 17, srcPort: 5000, dstPort: 2055 });
  t.same(Array.from(ip!.payload), [1, 2, 3, 4]);
});

t.test('what cannot be written', async (t) => {
  const w = new PcapWriter();
  for (const bad of [-1, 1.5, NaN, 2 ** 32 * 1e6, Number.MAX_SAFE_INTEGER + 2]) {
    t.throws(() => w.add(bad, frame(10, 0)), { name: 'PcapError', code: 'BAD_PACKET', message: /time must be a whole number/ }, String(bad));
  }
  t.throws(() => w.add(0, frame(10, 0), 9), { code: 'BAD_PACKET', message: /wire length 9 is below the 10 bytes/ });
  t.equal(w.count, 0, 'nothing written by refused calls');
  t.equal(w.bytes().length, 24);
  t.throws(() => new PcapWriter({ snapLen: 0 }), PcapError);
  t.throws(() => new PcapWriter({ snapLen: 300_000 }), { code: 'BAD_PACKET', message: /snapshot length/ });
  t.throws(() => new PcapWriter({ linkType: -1 }), { code: 'BAD_PACKET', message: /link type/ });
});
