// The scenario's history sent the way an exporter that kept it would: IPFIX over one TCP connection.
// IPFIX flow times are absolute; NetFlow v9's are relative to the exporter's uptime and reach back 24.8 days at most.
import net from 'node:net';
import { IpfixEncoder, sessionsToFlows } from '../../packages/core/src/index.js';
import { sessionColumns, type Session } from './rhythmtraffic.js';

export class HistoryStream {
  private readonly encoder = new IpfixEncoder({ observationDomain: 7 });
  private failure: Error | null = null;
  private readonly closed: Promise<void>;

  private constructor(private readonly sock: net.Socket) {
    sock.on('error', (e) => (this.failure = e));
    // the collector closes its side once it has read the whole stream
    this.closed = new Promise((resolve) => sock.once('close', () => resolve()));
    sock.resume();
  }

  /** Connects to the collector's IPFIX/TCP port on 127.0.0.1. */
  static open(port: number): Promise<HistoryStream> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1' });
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new HistoryStream(sock));
      });
    });
  }

  /** Sends `sessions` (in time order), exported now as the history's exporter would; waits while the collector is behind. */
  async write(sessions: readonly Session[]): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (sessions.length === 0) return;
    const flows = sessionsToFlows(sessionColumns(sessions), sessions.length);
    if (!this.sock.write(this.encoder.encodeStream(flows, 0, flows.length, Date.now()))) {
      await new Promise<void>((resolve) => this.sock.once('drain', resolve));
    }
  }

  /** Ends the stream and resolves once the collector has read all of it and closed the connection. */
  async end(): Promise<void> {
    this.sock.end();
    await this.closed;
    if (this.failure !== null) throw this.failure;
  }
}
