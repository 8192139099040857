// One UDP socket for one configured port and address: binds, asks for a large receive buffer, and
// hands every datagram to the pipeline with its source address. IPv4 and IPv6 on one dual-stack socket.

import dgram from 'node:dgram';
import net from 'node:net';

export type UdpKind = 'netflow' | 'sflow';

export interface UdpListenerOptions {
  kind: UdpKind;
  port: number;
  /** An address to bind; empty: every address, IPv4 and IPv6. */
  address: string;
  /** Receive buffer to ask for, bytes. */
  receiveBuffer: number;
  onDatagram(kind: UdpKind, buf: Buffer, from: string): void;
}

export class UdpListener {
  readonly kind: UdpKind;
  readonly address: string;
  /** The configured port (the bound one is `boundPort`, which differs only for port 0). */
  readonly port: number;
  datagrams = 0;
  bytes = 0;
  /** Bytes of receive buffer the kernel granted (Linux reports twice the size set). */
  receiveBuffer = 0;
  private socket: dgram.Socket | undefined;

  constructor(private readonly opts: UdpListenerOptions) {
    this.kind = opts.kind;
    this.port = opts.port;
    this.address = opts.address;
  }

  get boundPort(): number {
    return this.socket?.address().port ?? 0;
  }

  /** Resolves once bound; rejects with the system's error (e.g. EADDRINUSE, EACCES). */
  start(): Promise<void> {
    const family = this.opts.address === '' || net.isIPv6(this.opts.address) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type: family, ipv6Only: false, recvBufferSize: this.opts.receiveBuffer });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const fail = (e: Error): void => reject(e);
      socket.once('error', fail);
      socket.on('message', (buf, rinfo) => {
        this.datagrams++;
        this.bytes += buf.length;
        this.opts.onDatagram(this.kind, buf, rinfo.address);
      });
      socket.bind({ port: this.opts.port, address: this.opts.address === '' ? '::' : this.opts.address, exclusive: true }, () => {
        socket.off('error', fail);
        // after start, a socket error (rare for UDP) must not kill the process: the pipeline keeps the others
        socket.on('error', () => {});
        try {
          this.receiveBuffer = socket.getRecvBufferSize();
        } catch {
          this.receiveBuffer = 0;
        }
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s === undefined) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }
}
