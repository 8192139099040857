// ftbl's unit of alerting: the sessions of one window between one client and one server with a
// listed address among them, added up — one alert per pair and window, which is what a SIEM wants.

import type { ListMatch } from './blacklist.js';
import type { SessionRow } from './sessionrows.js';

export interface Service {
  readonly port: number;
  readonly proto: number;
  sessions: number;
}

export interface Pair {
  /** The initiator. */
  readonly client: string;
  readonly server: string;
  /** The listed value holding each side; null for a side that is not listed. */
  readonly clientMatch: ListMatch | null;
  readonly serverMatch: ListMatch | null;
  sessions: number;
  clientPackets: number;
  serverPackets: number;
  clientBytes: number;
  serverBytes: number;
  readonly services: Map<string, Service>;
}

export class PairTally {
  private readonly pairs = new Map<string, Pair>();

  /** Counts `row`, one of whose sides is listed. */
  add(row: SessionRow, clientMatch: ListMatch | null, serverMatch: ListMatch | null): void {
    const key = `${row.clnip}>${row.srvip}`;
    let p = this.pairs.get(key);
    if (p === undefined) {
      p = { client: row.clnip, server: row.srvip, clientMatch, serverMatch, sessions: 0, clientPackets: 0, serverPackets: 0, clientBytes: 0, serverBytes: 0, services: new Map() };
      this.pairs.set(key, p);
    }
    p.sessions++;
    p.clientPackets += row.clnpkts;
    p.serverPackets += row.srvpkts;
    p.clientBytes += row.clnbyts;
    p.serverBytes += row.srvbyts;
    const sk = `${row.srvport}/${row.proto}`;
    const s = p.services.get(sk);
    if (s === undefined) p.services.set(sk, { port: row.srvport, proto: row.proto, sessions: 1 });
    else s.sessions++;
  }

  get size(): number {
    return this.pairs.size;
  }

  /** Most sessions first, then by client and server. */
  sorted(): Pair[] {
    return [...this.pairs.values()].sort((a, b) => b.sessions - a.sessions || (a.client < b.client ? -1 : a.client > b.client ? 1 : a.server < b.server ? -1 : a.server > b.server ? 1 : 0));
  }
}
