// IPFIX over TCP: the stream framer cuts the ipfixcol2 capture's reassembled byte stream into the
// same messages whatever the read sizes, so decoding gives exactly the records of whole-message decoding.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { FlowBatch, FlowDecoder, FLOW_COLUMN_DEFS, IpfixStreamError, IpfixStreamFramer } from '../../src/decode/index.js';
import { parsePacket, readPcap, TcpReassembler } from '../../src/pcap/index.js';
import { CORPUS, corpusIndex, decodeWholeMessages } from './corpusreplay.js';
import { rng } from '../seededrng.js';

const CAPTURE = 'ipfix/ipfixcol2-example_flows-over-tcp.pcap';

/** The client→collector byte stream of the capture, in TCP segment order. */
function segments(): Uint8Array[] {
  const file = readPcap(new Uint8Array(readFileSync(CORPUS + CAPTURE)));
  const tcp = new TcpReassembler();
  const out: Uint8Array[] = [];
  for (const p of file.packets) {
    const ip = parsePacket(p.data, file.linkType);
    if (ip === null || ip.dstPort !== 4739) continue;
    const bytes = tcp.push(ip);
    if (bytes.length > 0) out.push(bytes);
  }
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

function decodeChunks(chunks: Iterable<Uint8Array>): { out: FlowBatch; messages: number; framer: IpfixStreamFramer } {
  const dec = new FlowDecoder();
  const out = new FlowBatch(4096);
  const framer = new IpfixStreamFramer();
  for (const c of chunks) {
    framer.push(c, (msg) => dec.decode(msg, '192.0.2.10', { nowMs: 0, transport: 'tcp', session: 'chunked' }, out));
  }
  return { out, messages: framer.messages, framer };
}

function sameRows(tt: Pick<typeof t, 'equal'>, a: FlowBatch, b: FlowBatch, what: string): void {
  tt.equal(a.length, b.length, `${what}: row count`);
  let diff = 0;
  for (const d of FLOW_COLUMN_DEFS) {
    const n = d.type === 'ip' ? a.length * 4 : a.length;
    const x = a[d.name];
    const y = b[d.name];
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) diff++;
  }
  tt.equal(diff, 0, `${what}: identical columns`);
}

const stream = join(segments());
const entry = corpusIndex().find((e) => e.path === CAPTURE)!;

t.test('whole-message decoding of the stream gives tshark\'s record count', async (t) => {
  const dec = new FlowDecoder();
  const whole = new FlowBatch(4096);
  const messages = decodeWholeMessages(stream, dec, '192.0.2.10', whole);
  t.equal(messages, 68, '68 IPFIX messages (MANIFEST)');
  t.equal(whole.length, entry.decoded.records, `${entry.decoded.records} records, as tshark counts them`);
});

t.test('any chunking of the stream decodes to identical records', async (t) => {
  const whole = new FlowBatch(4096);
  decodeWholeMessages(stream, new FlowDecoder(), '192.0.2.10', whole);

  const segs = decodeChunks(segments());
  t.ok(segments().some((s) => s.length > 1000), 'the capture has full-size segments');
  sameRows(t, segs.out, whole, 'TCP segments as captured');
  t.equal(segs.messages, 68);

  for (const seed of [1, 2, 3, 4, 5]) {
    const r = rng(seed);
    const chunks: Uint8Array[] = [];
    for (let p = 0; p < stream.length; ) {
      const n = 1 + Math.floor(r() * (r() < 0.2 ? 8 : 3000));
      chunks.push(stream.subarray(p, p + n));
      p += n;
    }
    const res = decodeChunks(chunks);
    sameRows(t, res.out, whole, `random chunks, seed ${seed} (${chunks.length} reads)`);
    t.equal(res.framer.buffered, 0, 'nothing left over');
  }

  function* bytes(): Generator<Uint8Array> {
    for (let p = 0; p < stream.length; p++) yield stream.subarray(p, p + 1);
  }
  sameRows(t, decodeChunks(bytes()).out, whole, 'one byte per read');
  sameRows(t, decodeChunks([stream]).out, whole, 'the whole stream in one read');
});

t.test('a bad header breaks the stream for good', async (t) => {
  const msgLen = (stream[2]! << 8) | stream[3]!;
  const broken = stream.slice(0, msgLen + 64);
  broken[msgLen + 1] = 9;
  const framer = new IpfixStreamFramer();
  const seen: number[] = [];
  t.equal(framer.push(broken.subarray(0, msgLen + 10), (m) => seen.push(m.length)), false);
  t.same(seen, [msgLen], 'the message before the bad header is delivered');
  t.type(framer.error, IpfixStreamError);
  t.equal(framer.error!.code, 'BAD_VERSION');
  t.equal(framer.error!.offset, msgLen, 'the error names the stream offset of the bad header');
  t.match(framer.error!.message, /version 9 where an IPFIX message header/);
  t.equal(framer.push(stream, () => seen.push(0)), false, 'later reads are refused');
  t.equal(seen.length, 1);

  const short = new IpfixStreamFramer();
  t.equal(short.push(new Uint8Array([0, 10, 0, 12]), () => t.fail('no message')), false);
  t.equal(short.error!.code, 'BAD_LENGTH');
  const split = new IpfixStreamFramer();
  t.equal(split.push(new Uint8Array([0, 10]), () => t.fail('no message')), true, 'half a header waits');
  t.equal(split.push(new Uint8Array([0, 3]), () => t.fail('no message')), false, 'then fails on the length');
  t.equal(split.error!.code, 'BAD_LENGTH');
});

t.test('a stream ending in the middle of a message: finish() hands the part over, the decoder counts truncated_stream', async (t) => {
  // The first message with data after the first: msgLen bytes of whole messages before it, next bytes long.
  let msgLen = (stream[2]! << 8) | stream[3]!;
  let next = (stream[msgLen + 2]! << 8) | stream[msgLen + 3]!;
  while (next <= 16) {
    msgLen += next;
    next = (stream[msgLen + 2]! << 8) | stream[msgLen + 3]!;
  }
  for (const cut of [1, 3, 15, 16, next - 1]) {
    const dec = new FlowDecoder();
    const out = new FlowBatch(64);
    const framer = new IpfixStreamFramer();
    const ctx = { nowMs: 0, transport: 'tcp' as const, session: 'cut' };
    framer.push(stream.subarray(0, msgLen + cut), (m) => dec.decode(m, '192.0.2.10', ctx, out));
    const rows = out.length;
    const rest = framer.finish();
    t.same([rest?.length, framer.buffered], [cut, 0], `${cut} of the ${next} bytes of a message are left`);
    t.same(rest, stream.subarray(msgLen, msgLen + cut), 'as received');
    const r = dec.decode(rest!, '192.0.2.10', ctx, out);
    t.same([r.dropped, r.flows, out.length], ['truncated_stream', 0, rows], 'counted, nothing decoded from it');
    t.same([dec.counters('192.0.2.10#cut').truncated_stream, dec.counters().truncated_stream], [1, 1]);
  }
  const whole = new IpfixStreamFramer();
  t.equal(whole.push(stream.subarray(0, msgLen), () => {}), true);
  t.equal(whole.finish(), null, 'a stream ending between messages leaves nothing');
  const broken = new IpfixStreamFramer();
  broken.push(new Uint8Array([0, 9, 0, 20, 1, 2]), () => {});
  t.equal(broken.finish(), null, 'nor does a broken one (counted as a stream error already)');
  // The same bytes over UDP are an ordinary truncated datagram.
  const udp = new FlowDecoder().decode(stream.subarray(0, 20), '192.0.2.10', { nowMs: 0 }, new FlowBatch(4));
  t.equal(udp.dropped, 'truncated');
});
