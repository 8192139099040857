// Sends syslog messages to -lh: one UDP datagram each (RFC 5426), or a TCP stream with RFC 6587
// octet counting that reconnects with backoff when the log host goes away, queueing meanwhile.

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { RuntimeFailure } from '@opentraq/cli';
import type { Notices } from '../engine/notices.js';
import { octetCountedFrame } from './syslogmessage.js';
import { plural } from './plural.js';

export type SyslogTransport = 'udp' | 'tcp';

export interface SyslogTarget {
  /** Hostname or address (without brackets). */
  readonly host: string;
  readonly port: number;
  readonly transport: SyslogTransport;
}

/** Messages kept while a TCP log host is unreachable; older ones are dropped beyond this. */
const MAX_QUEUED = 10_000;
/** Waits between connection attempts, seconds: doubling, then every 15 s. */
const BACKOFF_S = [1, 2, 4, 8, 15] as const;

export class SyslogSender {
  private udp: dgram.Socket | null = null;
  private tcp: net.Socket | null = null;
  private connected = false;
  private readonly queue: Buffer[] = [];
  private dropped = 0;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private outage = false;
  private udpErrors = 0;
  private udpPending = 0;
  private udpIdle: (() => void) | null = null;

  private constructor(
    readonly target: SyslogTarget,
    /** The resolved address. */
    readonly address: string,
    private readonly family: 4 | 6,
    private readonly notices: Notices,
  ) {}

  /** Resolves the log host (RuntimeFailure when it cannot be) and opens the socket or connection. */
  static async open(target: SyslogTarget, notices: Notices): Promise<SyslogSender> {
    let resolved: { address: string; family: number };
    try {
      resolved = await lookup(target.host);
    } catch (e) {
      throw new RuntimeFailure('NOT_AVAILABLE', `cannot resolve the log host ${target.host} (-lh): ${(e as Error).message}`);
    }
    const s = new SyslogSender(target, resolved.address, resolved.family === 6 ? 6 : 4, notices);
    if (target.transport === 'udp') {
      s.udp = dgram.createSocket(s.family === 6 ? 'udp6' : 'udp4');
      s.udp.on('error', (e) => s.udpFailed(e));
      s.udp.unref();
    } else {
      s.connect();
    }
    return s;
  }

  private get where(): string {
    const host = this.address.includes(':') ? `[${this.address}]` : this.address;
    return `${this.target.transport.toUpperCase()} ${host}:${this.target.port}`;
  }

  private udpFailed(e: Error): void {
    // said once, then every 100th time: a log host that is down must not flood stderr
    if (this.udpErrors++ % 100 === 0) this.notices.say(`syslog to ${this.where} failed: ${e.message} (${plural(this.udpErrors, 'failure', 'failures')} so far)`);
  }

  /** Sends `message` (an RFC 5424 message); never throws, problems are said on stderr. */
  send(message: string): void {
    if (this.closing) return;
    if (this.udp !== null) {
      this.udpPending++;
      this.udp.send(Buffer.from(message, 'utf8'), this.target.port, this.address, (e) => {
        if (e) this.udpFailed(e);
        if (--this.udpPending === 0) this.udpIdle?.();
      });
      return;
    }
    this.queue.push(octetCountedFrame(message));
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
    this.flush();
  }

  private flush(): void {
    if (!this.connected || this.tcp === null) return;
    for (const frame of this.queue.splice(0)) this.tcp.write(frame);
  }

  private connect(): void {
    const sock = net.connect({ host: this.address, port: this.target.port, family: this.family });
    this.tcp = sock;
    sock.setKeepAlive(true, 60_000);
    sock.on('connect', () => {
      this.connected = true;
      this.attempt = 0;
      if (this.outage) {
        this.outage = false;
        const lost = this.dropped === 0 ? '' : `; ${this.dropped} messages were dropped while it was unreachable`;
        this.notices.say(`syslog to ${this.where} connected again${lost}`);
        this.dropped = 0;
      }
      this.flush();
    });
    // the log host is not expected to send anything; read and discard so the socket never stalls
    sock.on('data', () => undefined);
    sock.on('error', (e) => this.lost(sock, e.message));
    sock.on('close', () => this.lost(sock, 'the log host closed the connection'));
  }

  private lost(sock: net.Socket, why: string): void {
    if (this.tcp !== sock) return;
    this.tcp = null;
    this.connected = false;
    sock.destroy();
    if (this.closing) return;
    const wait = BACKOFF_S[Math.min(this.attempt++, BACKOFF_S.length - 1)]!;
    if (!this.outage) {
      this.outage = true;
      this.notices.say(`syslog to ${this.where} failed: ${why}; reconnecting (messages wait meanwhile, at most ${MAX_QUEUED})`);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, wait * 1000);
    this.timer.unref();
  }

  /** Sends what is queued (waiting at most `graceMs`) and closes; says how many messages were left unsent. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.udp !== null) {
      const u = this.udp;
      if (this.udpPending > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, graceMs);
          this.udpIdle = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      this.udp = null;
      await new Promise<void>((resolve) => u.close(() => resolve()));
      return;
    }
    const sock = this.tcp;
    if (sock !== null && !this.connected && this.queue.length > 0) {
      // a connection still under way (a stop right after the start): it gets the grace period to take the queue
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        const done = (): void => {
          clearTimeout(t);
          resolve();
        };
        sock.once('connect', done);
        sock.once('close', done);
      });
    }
    const unsent = this.queue.length;
    if (unsent > 0) this.notices.say(`${unsent} syslog messages could not be sent to ${this.where} before stopping`);
    if (sock === null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        sock.destroy();
        resolve();
      }, graceMs);
      sock.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      sock.end();
    });
  }
}
