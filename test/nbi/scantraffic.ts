// What the ftscan and ftbfg scenario injects into rhythmtraffic.ts's normal traffic, with its known
// answers: a horizontal and a vertical scan (one-way, and answered only by resets, so that ftbfg must
// stay quiet), a new service and a new client of a known service; sent as NetFlow v9 by an exporter of its own.
import { NetflowV9Encoder, allocColumns, parseIp, sessionsToFlows, type Columns } from '../../packages/core/src/index.js';
import { serverIp } from './rhythmtraffic.js';

/** The horizontal scanner: a SYN to port 445 of each of 10.50.0.1–150, none answered. */
export const H_SCANNER = '10.66.1.1';
export const H_HOSTS = 150;
/** The vertical scanner: ports 1–200 of one normal server, each SYN answered by a RST. */
export const V_SCANNER = '10.66.1.2';
export const V_TARGET = serverIp(5);
export const V_PORTS = 200;
/** A known client starting to use a service its server never offered: 10.1.0.5 to 10.9.0.6 on 22/TCP. */
export const NEW_SERVICE = { client: '10.1.0.5', server: serverIp(6), port: 22, sessions: 3 } as const;
/** A client of a subnet never seen, using a known service: 10.200.0.9 to 10.9.0.2 on 443/TCP (served to 10.1.0.0/17). */
export const NEW_CLIENT = { client: '10.200.0.9', server: serverIp(2), port: 443, sessions: 3 } as const;
/** Everything injected starts within this many ms of the injection instant. */
export const INJECTION_SPAN_MS = 40_000;

export interface InjectedSession {
  readonly startMs: number;
  readonly endMs: number;
  readonly cln: string;
  readonly srv: string;
  readonly clnport: number;
  readonly srvport: number;
  readonly proto: number;
  readonly flags: number;
  readonly clnpkts: number;
  readonly srvpkts: number;
  readonly clnbyts: number;
  readonly srvbyts: number;
}

/** The injected sessions from `atMs` on, oldest first. */
export function injectedSessions(atMs: number): InjectedSession[] {
  const out: InjectedSession[] = [];
  for (let i = 1; i <= H_HOSTS; i++) {
    const startMs = atMs + Math.floor((i * 30_000) / H_HOSTS);
    out.push({ startMs, endMs: startMs, cln: H_SCANNER, srv: `10.50.0.${i}`, clnport: 50_000 + i, srvport: 445, proto: 6, flags: 0x02, clnpkts: 1, srvpkts: 0, clnbyts: 60, srvbyts: 0 });
  }
  for (let p = 1; p <= V_PORTS; p++) {
    const startMs = atMs + 1000 + Math.floor((p * 30_000) / V_PORTS);
    // SYN out, RST-ACK back: both directions carried a packet, and still no session was made
    out.push({ startMs, endMs: startMs + 1, cln: V_SCANNER, srv: V_TARGET, clnport: 40_000 + p, srvport: p, proto: 6, flags: 0x16, clnpkts: 1, srvpkts: 1, clnbyts: 60, srvbyts: 54 });
  }
  for (const [k, c] of [NEW_SERVICE, NEW_CLIENT].entries()) {
    for (let i = 0; i < c.sessions; i++) {
      const startMs = atMs + 5000 + 10_000 * i + 1000 * k;
      out.push({ startMs, endMs: startMs + 2000, cln: c.client, srv: c.server, clnport: 30_000 + 10 * k + i, srvport: c.port, proto: 6, flags: 0x1b, clnpkts: 12, srvpkts: 10, clnbyts: 2400, srvbyts: 9000 });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

function setIp(col: Uint32Array, row: number, ip: string): void {
  const w = parseIp(ip)!;
  for (let k = 0; k < 4; k++) col[row * 4 + k] = w[k]!;
}

function toColumns(sessions: readonly InjectedSession[]): Columns {
  const cols = allocColumns(sessions.length);
  sessions.forEach((s, r) => {
    (cols.start as Float64Array)[r] = s.startMs * 1000;
    (cols.end as Float64Array)[r] = s.endMs * 1000;
    setIp(cols.clnip as Uint32Array, r, s.cln);
    setIp(cols.srvip as Uint32Array, r, s.srv);
    setIp(cols.expip as Uint32Array, r, '127.0.0.1');
    cols.clnport[r] = s.clnport;
    cols.srvport[r] = s.srvport;
    cols.proto[r] = s.proto;
    cols.flags[r] = s.flags;
    cols.clnpkts[r] = s.clnpkts;
    cols.srvpkts[r] = s.srvpkts;
    cols.clnbyts[r] = s.clnbyts;
    cols.srvbyts[r] = s.srvbyts;
    cols.expv[r] = 9;
  });
  return cols;
}

/** An exporter of its own (source id 9), beside the feeder's: NetFlow v9 datagrams for injected sessions. */
export class InjectionExporter {
  private readonly encoder = new NetflowV9Encoder({ sourceId: 9, templateEvery: 20 });

  encode(sessions: readonly InjectedSession[], exportMs: number = Date.now()): Uint8Array[] {
    if (sessions.length === 0) return [];
    const flows = sessionsToFlows(toColumns(sessions), sessions.length);
    return this.encoder.encode(flows, 0, flows.length, exportMs);
  }
}
