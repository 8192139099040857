// Syslog receivers for the end-to-end tests: a UDP socket (one message a datagram) and a TCP server
// (RFC 6587 octet counting), each message held to the strict RFC 5424 parser as it arrives.
import dgram from 'node:dgram';
import net from 'node:net';
import { parseRfc5424, splitOctetCounted, type ParsedSyslog } from '../../packages/nbi/test/rfc5424.js';

export class SyslogReceiver {
  readonly messages: ParsedSyslog[] = [];
  /** Messages that broke the grammar, with why. */
  readonly invalid: string[] = [];
  port = 0;
  private closeFn: () => Promise<void> = async () => undefined;

  protected take(raw: Buffer): void {
    try {
      this.messages.push(parseRfc5424(raw));
    } catch (e) {
      this.invalid.push(`${(e as Error).message}: ${raw.toString('utf8').slice(0, 200)}`);
    }
  }

  static async udp(): Promise<SyslogReceiver> {
    const r = new SyslogReceiver();
    const sock = dgram.createSocket('udp4');
    sock.on('message', (m) => r.take(m));
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    r.port = sock.address().port;
    r.closeFn = () => new Promise((resolve) => sock.close(() => resolve()));
    return r;
  }

  static async tcp(): Promise<SyslogReceiver> {
    const r = new SyslogReceiver();
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      let buf: Buffer = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        try {
          const { messages, rest } = splitOctetCounted(buf);
          buf = rest;
          for (const m of messages) r.take(m);
        } catch (e) {
          r.invalid.push((e as Error).message);
          s.destroy();
        }
      });
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    r.port = (server.address() as net.AddressInfo).port;
    r.closeFn = async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    };
    return r;
  }

  close(): Promise<void> {
    return this.closeFn();
  }
}
