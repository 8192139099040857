// Generated NetFlow v9 traffic with known answers for the server's end-to-end tests: distinct
// sessions near the current time, encoded in small groups so a test knows which datagram holds which.
import { NetflowV9Encoder, SessionGenerator, allocColumns, formatIpAt, sessionsToFlows, wordsPerRow, COLUMN_DEFS, type Columns } from '../../packages/core/src/index.js';
import { sendDatagrams } from './replay.js';

export interface PlannedSession {
  /** sessionKey(): the key the stored session is found by, whichever side is the client. */
  readonly key: string;
  readonly bytes: number;
  readonly packets: number;
}

/** Generated sessions with distinct keys, as columns and as what the server must store of them. */
export interface SessionPlan {
  /** One row per session, in the order of `sessions`. */
  readonly columns: Columns;
  readonly sessions: PlannedSession[];
}

export interface V9Traffic {
  /** Datagrams in sending order. */
  readonly datagrams: Uint8Array[];
  /** For each datagram: once it and those before it are sent, sessions[0 .. completeAfter[i]) are sent whole. */
  readonly completeAfter: number[];
  readonly sessions: PlannedSession[];
}

/**
 * A session's identity whichever side the server takes for the client: a generated client port can be
 * a service port in /etc/services (57000/tcp is dircproxy), and then the server rightly swaps them.
 */
export function sessionKey(clnip: string, clnport: number, srvip: string, srvport: number, proto: number): string {
  const a = `${clnip} ${clnport}`;
  const b = `${srvip} ${srvport}`;
  return a < b ? `${a} ${b} ${proto}` : `${b} ${a} ${proto}`;
}

/**
 * `count` generated sessions (fewer when the generator repeats a key), starting within the two minutes
 * before `nowMs` and ending before it.
 */
export function plannedSessions(count: number, seed: number, opts: { ipv6Share?: number; nowMs?: number } = {}): SessionPlan {
  const nowMs = opts.nowMs ?? Date.now();
  const gen = allocColumns(count);
  const rows = new SessionGenerator({ seed, sessions: count, ipv6Share: opts.ipv6Share ?? 0.1 }).fill(gen);
  const keep: number[] = [];
  const seen = new Set<string>();
  const sessions: PlannedSession[] = [];
  for (let i = 0; i < rows; i++) {
    const key = sessionKey(formatIpAt(gen.clnip as Uint32Array, i), gen.clnport[i]!, formatIpAt(gen.srvip as Uint32Array, i), gen.srvport[i]!, gen.proto[i]!);
    if (seen.has(key)) continue;
    seen.add(key);
    keep.push(i);
    sessions.push({ key, bytes: gen.clnbyts[i]! + gen.srvbyts[i]!, packets: gen.clnpkts[i]! + gen.srvpkts[i]! });
  }
  const columns = allocColumns(keep.length);
  keep.forEach((src, dst) => {
    for (const d of COLUMN_DEFS) {
      const w = wordsPerRow(d.type);
      for (let k = 0; k < w; k++) columns[d.name][dst * w + k] = gen[d.name][src * w + k]!;
    }
    const start = (nowMs - 120_000 + ((dst * 7919) % 60_000)) * 1000;
    (columns.start as Float64Array)[dst] = start;
    (columns.end as Float64Array)[dst] = start + Math.min((gen.end as Float64Array)[src]! - (gen.start as Float64Array)[src]!, 50_000_000);
  });
  return { columns, sessions };
}

/** plannedSessions() encoded as NetFlow v9, `perGroup` sessions at a time (both flows of a session in one group). */
export function v9Traffic(count: number, seed: number, perGroup = 8, nowMs = Date.now()): V9Traffic {
  const { columns: cols, sessions } = plannedSessions(count, seed, { nowMs });
  const enc = new NetflowV9Encoder({ sourceId: seed & 0xffff, templateEvery: 10 });
  const datagrams: Uint8Array[] = [];
  const completeAfter: number[] = [];
  for (let g = 0; g < sessions.length; g += perGroup) {
    const n = Math.min(perGroup, sessions.length - g);
    const part = {} as Columns;
    for (const d of COLUMN_DEFS) {
      const w = wordsPerRow(d.type);
      (part as Record<string, unknown>)[d.name] = cols[d.name].subarray(g * w, (g + n) * w);
    }
    const flows = sessionsToFlows(part, n);
    for (const dg of enc.encode(flows, 0, flows.length, nowMs)) {
      datagrams.push(dg);
      completeAfter.push(g);
    }
    completeAfter[completeAfter.length - 1] = g + n;
  }
  return { datagrams, completeAfter, sessions };
}

/**
 * Send `traffic`'s datagrams to `port` twenty at a time at `ratePerSecond`, before each twenty asking
 * `stop` whether to end there; resolves with when each datagram sent went out (ms since the epoch).
 */
export async function sendTimed(port: number, traffic: V9Traffic, opts: { ratePerSecond: number; stop?: () => boolean }): Promise<number[]> {
  const sentAt: number[] = [];
  const all = traffic.datagrams;
  for (let i = 0; i < all.length; i += 20) {
    if (opts.stop?.() === true) break;
    await sendDatagrams(port, all.slice(i, i + 20), { ratePerSecond: opts.ratePerSecond });
    const now = Date.now();
    for (let k = i; k < Math.min(i + 20, all.length); k++) sentAt[k] = now;
  }
  return sentAt;
}

/** How many of `traffic.sessions` (a prefix) had every datagram sent before `beforeMs`, given sendTimed's times. */
export function sentWholeBefore(traffic: V9Traffic, sentAt: readonly number[], beforeMs: number): number {
  let last = -1;
  for (let i = 0; i < sentAt.length; i++) if (sentAt[i]! < beforeMs) last = i;
  return last < 0 ? 0 : traffic.completeAfter[last]!;
}
