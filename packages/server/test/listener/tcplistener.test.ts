// The IPFIX-over-TCP listener on a real socket: messages cut from the stream whatever the writes,
// and a connection that closes in the middle of a message hands that part to the decoder, which
// counts it (truncated_stream) for the connection before its state is forgotten.

import net from 'node:net';
import t from 'tap';
import { FlowBatch, FlowDecoder } from '@opentraq/core';
import { TcpListener } from '../../src/listener/index.js';

/** An IPFIX message: header and one template set (template 300: source and destination IPv4). */
function message(seq: number): Uint8Array {
  const b = new Uint8Array(16 + 4 + 12);
  const v = new DataView(b.buffer);
  v.setUint16(0, 10);
  v.setUint16(2, b.length);
  v.setUint32(4, 1_700_000_000);
  v.setUint32(8, seq);
  v.setUint16(16, 2);
  v.setUint16(18, 16);
  v.setUint16(20, 300);
  v.setUint16(22, 2);
  v.setUint16(24, 8);
  v.setUint16(26, 4);
  v.setUint16(28, 12);
  v.setUint16(30, 4);
  return b;
}

interface Seen {
  what: 'message' | 'closed';
  len: number;
  from: string;
  connection: string;
}

async function session(bytes: Uint8Array[]): Promise<{ seen: Seen[]; listener: TcpListener; decoder: FlowDecoder; key: string }> {
  const seen: Seen[] = [];
  const decoder = new FlowDecoder();
  const out = new FlowBatch(16);
  let key = '';
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const listener = new TcpListener({
    port: 0,
    address: '127.0.0.1',
    maxConnections: 4,
    onMessage: (msg, from, connection) => {
      seen.push({ what: 'message', len: msg.length, from, connection });
      decoder.decode(msg, from, { nowMs: 1_700_000_000_000, transport: 'tcp', session: connection }, out);
      key = `${from}#${connection}`;
    },
    onClosed: (from, connection) => {
      seen.push({ what: 'closed', len: 0, from, connection });
      closed();
    },
    onStreamError: () => {},
  });
  await listener.start();
  const sock = net.connect(listener.boundPort, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  for (const b of bytes) sock.write(b);
  sock.end();
  // A listener that never reports the close must fail the test, not hang it.
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('onClosed was not called within 10 s')), 10_000)));
  try {
    await Promise.race([done, hang]);
  } finally {
    clearTimeout(timer);
  }
  await listener.stop();
  return { seen, listener, decoder, key };
}

t.test('a connection closing between messages: every message decoded, nothing counted as lost', async (t) => {
  const { seen, listener, decoder, key } = await session([message(1), message(2)]);
  t.same(
    seen.map((s) => [s.what, s.len]),
    [
      ['message', 32],
      ['message', 32],
      ['closed', 0],
    ],
  );
  t.equal(listener.truncatedStreams, 0);
  t.equal(decoder.counters(key).truncated_stream, 0);
  t.equal(decoder.counters(key).templates_added, 1);
});

t.test('a connection closing in the middle of a message: the part received is counted truncated_stream', async (t) => {
  const half = message(2).subarray(0, 21);
  const { seen, listener, decoder, key } = await session([message(1), half]);
  t.same(
    seen.map((s) => [s.what, s.len]),
    [
      ['message', 32],
      ['message', 21],
      ['closed', 0],
    ],
    'the partial message is handed on before onClosed',
  );
  t.equal(seen[1]!.connection, seen[2]!.connection, 'for the same connection');
  t.equal(listener.truncatedStreams, 1);
  const c = decoder.counters(key);
  t.same([c.datagrams, c.truncated_stream, c.templates_added], [2, 1, 1], 'counted per connection, the whole message before it decoded');

  // Two bytes only (not even a header): counted the same way.
  const tiny = await session([message(1).subarray(0, 2)]);
  t.equal(tiny.decoder.counters(tiny.key).truncated_stream, 1);
});
