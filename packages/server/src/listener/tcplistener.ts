// IPFIX over TCP (RFC 7011 §10.4): one listening socket per configured port; each connection is a
// stream of IPFIX messages cut by IpfixStreamFramer, its templates kept for as long as it stays open.

import net from 'node:net';
import { IpfixStreamFramer, type IpfixStreamError } from '@opentraq/core';

export interface TcpListenerOptions {
  port: number;
  address: string;
  /** Connections kept open at most; more are refused at accept. */
  maxConnections: number;
  /**
   * A message cut from the stream; also, just before onClosed, the part of a message the connection
   * ended in the middle of (shorter than its header's length: the decoder counts it truncated_stream).
   */
  onMessage(msg: Uint8Array, from: string, connection: string): void;
  onClosed(from: string, connection: string): void;
  /** A connection closed because its stream is not IPFIX (bad version or length). */
  onStreamError(from: string, error: IpfixStreamError): void;
}

export class TcpListener {
  readonly port: number;
  readonly address: string;
  connections = 0;
  accepted = 0;
  streamErrors = 0;
  /** Connections that closed in the middle of a message. */
  truncatedStreams = 0;
  bytes = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly opts: TcpListenerOptions) {
    this.port = opts.port;
    this.address = opts.address;
  }

  get boundPort(): number {
    const a = this.server?.address();
    return a !== null && typeof a === 'object' ? a.port : 0;
  }

  start(): Promise<void> {
    const server = net.createServer((sock) => this.accept(sock));
    server.maxConnections = this.opts.maxConnections;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.opts.port, host: this.opts.address === '' ? '::' : this.opts.address, ipv6Only: false, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', () => {});
        resolve();
      });
    });
  }

  private accept(sock: net.Socket): void {
    const from = sock.remoteAddress ?? 'unknown';
    // the remote port tells the connections of one exporter apart: templates are per connection
    const connection = `tcp:${sock.remotePort ?? 0}`;
    const framer = new IpfixStreamFramer();
    this.connections++;
    this.accepted++;
    this.sockets.add(sock);
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 60_000);
    sock.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (!framer.push(chunk, (msg) => this.opts.onMessage(msg, from, connection))) {
        this.streamErrors++;
        this.opts.onStreamError(from, framer.error!);
        sock.destroy();
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.connections--;
      this.sockets.delete(sock);
      // What arrived of an unfinished message goes to the decoder, which counts it for this
      // connection before onClosed lets the connection's state (and counters) go.
      const rest = framer.finish();
      try {
        if (rest !== null) {
          this.truncatedStreams++;
          this.opts.onMessage(rest, from, connection);
        }
      } finally {
        this.opts.onClosed(from, connection);
      }
    });
  }

  stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s === undefined) return Promise.resolve();
    for (const sock of this.sockets) sock.destroy();
    return new Promise((resolve) => s.close(() => resolve()));
  }
}
