// A test collector: a UDP socket on 127.0.0.1 (ephemeral port) whose datagrams go through an
// IngestPipeline, keeping every delivered session as a plain object and waiting until the socket is idle.
import dgram from 'node:dgram';
import { COLUMN_DEFS, type Columns } from '../../packages/core/src/fields/columns.js';
import { formatIpAt } from '../../packages/core/src/fields/ipcodec.js';
import { IngestPipeline, type DatagramKind, type IngestPipelineOptions } from '../../packages/core/src/pipeline/index.js';

/** A session record with its columns by name; addresses as text. */
export type SessionRow = Record<string, number | string>;

/** Copy rows out of session columns (the pipeline reuses them after the call). */
export function sessionRows(cols: Columns, rows: number): SessionRow[] {
  const out: SessionRow[] = [];
  for (let i = 0; i < rows; i++) {
    const r: SessionRow = {};
    for (const d of COLUMN_DEFS) {
      const a = cols[d.name];
      r[d.name] = d.type === 'ip' ? formatIpAt(a as Uint32Array, i) : a[i]!;
    }
    out.push(r);
  }
  return out;
}

export class UdpCollector {
  readonly pipeline: IngestPipeline;
  readonly sessions: SessionRow[] = [];
  /** Datagram payloads in arrival order (to inspect what the exporter sent). */
  readonly datagrams: Buffer[] = [];
  private readonly socket: dgram.Socket;
  private lastArrival = 0;
  private closed = false;

  private constructor(kind: DatagramKind, socket: dgram.Socket, options: Partial<IngestPipelineOptions>) {
    this.socket = socket;
    this.pipeline = new IngestPipeline({
      enrichment: null,
      ...options,
      onSessions: (cols, rows) => this.sessions.push(...sessionRows(cols, rows)),
    });
    socket.on('message', (buf, rinfo) => {
      this.lastArrival = Date.now();
      this.datagrams.push(buf);
      this.pipeline.datagram(kind, buf, rinfo.address, Date.now());
    });
  }

  /** Open a collector for `kind` datagrams on 127.0.0.1, on a port the system picks. */
  static async open(kind: DatagramKind, options: Partial<IngestPipelineOptions> = {}): Promise<UdpCollector> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpCollector(kind, socket, options);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /**
   * Resolve once no datagram has arrived for `idleMs` (and at least one has, unless `allowNone`),
   * or reject after `maxMs` in all.
   */
  async waitIdle(idleMs = 300, maxMs = 10_000, allowNone = false): Promise<void> {
    const started = Date.now();
    for (;;) {
      const now = Date.now();
      const quietSince = this.lastArrival === 0 ? started : this.lastArrival;
      if ((this.lastArrival > 0 || allowNone) && now - quietSince >= idleMs) return;
      if (now - started > maxMs) {
        throw new Error(`collector on port ${this.port}: ${this.datagrams.length} datagrams, not idle for ${idleMs} ms within ${maxMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Stop listening and drain the pipeline: every session is in `sessions` afterwards. */
  async close(): Promise<SessionRow[]> {
    if (!this.closed) {
      this.closed = true;
      await new Promise<void>((resolve) => this.socket.close(() => resolve()));
      this.pipeline.drain();
    }
    return this.sessions;
  }
}
