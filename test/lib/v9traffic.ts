// Generated NetFlow v9 traffic with known answers for the server's end-to-end tests: distinct
// sessions near the current time, encoded in small groups so a test knows which datagram holds which.
import { NetflowV9Encoder, SessionGenerator, allocColumns, formatIpAt, sessionsToFlows, wordsPerRow, COLUMN_DEFS, type Columns } from '../../packages/core/src/index.js';

export interface PlannedSession {
  /** `clnip clnport srvip srvport proto`: the key the stored session is found by. */
  readonly key: string;
  readonly bytes: number;
  readonly packets: number;
}

export interface V9Traffic {
  /** Datagrams in sending order. */
  readonly datagrams: Uint8Array[];
  /** For each datagram: once it and those before it are sent, sessions[0 .. completeAfter[i]) are sent whole. */
  readonly completeAfter: number[];
  readonly sessions: PlannedSession[];
}

export function sessionKey(clnip: string, clnport: number, srvip: string, srvport: number, proto: number): string {
  return `${clnip} ${clnport} ${srvip} ${srvport} ${proto}`;
}

/**
 * `count` sessions (fewer when the generator repeats a key), starting within the last two minutes
 * and ending before now, encoded `perGroup` sessions at a time (both flows of a session in one group).
 */
export function v9Traffic(count: number, seed: number, perGroup = 8, nowMs = Date.now()): V9Traffic {
  const gen = allocColumns(count);
  const rows = new SessionGenerator({ seed, sessions: count, ipv6Share: 0.1 }).fill(gen);
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
  const cols = allocColumns(keep.length);
  keep.forEach((src, dst) => {
    for (const d of COLUMN_DEFS) {
      const w = wordsPerRow(d.type);
      for (let k = 0; k < w; k++) cols[d.name][dst * w + k] = gen[d.name][src * w + k]!;
    }
    const start = (nowMs - 120_000 + ((dst * 7919) % 60_000)) * 1000;
    (cols.start as Float64Array)[dst] = start;
    (cols.end as Float64Array)[dst] = start + Math.min((gen.end as Float64Array)[src]! - (gen.start as Float64Array)[src]!, 50_000_000);
  });
  const enc = new NetflowV9Encoder({ sourceId: seed & 0xffff, templateEvery: 10 });
  const datagrams: Uint8Array[] = [];
  const completeAfter: number[] = [];
  for (let g = 0; g < keep.length; g += perGroup) {
    const n = Math.min(perGroup, keep.length - g);
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
