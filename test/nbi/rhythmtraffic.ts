// Normal traffic with a daily rhythm and known answers for the detectors' scenario tests, plus the
// anomalies injected into it: generated minute by minute, encoded as NetFlow v9 for the ingest path.
//
// 24 clients 10.1.0.1–24 each talk to one of 6 servers 10.9.0.1–6 (client h to 10.9.0.(1 + h mod 6)).
// Client h's sessions in a minute depend on its 10-minute slot of the (local) day σ and the local day D:
//   count  2 + (h + σ + D) mod 2          (steady clients, h mod 4 = 3: always 2)
//   bytes  1000 × (10 + (13h + 5σ) mod 20) × (1 ± 5 %), + on even h + D, − on odd (steady: ± 2 %)
// so every slot has its own level, and a slot's value alternates between two levels from day to day:
// today's value always equals one seen in the history, and nothing normal is anomalous.

import { NetflowV9Encoder, allocColumns, parseIp, sessionsToFlows, type Columns } from '../../packages/core/src/index.js';

/** The scenario's time zone: +05:30 all year, so that 10-minute slots are local, not UTC, boundaries. */
export const SCENARIO_TZ = 'Asia/Kolkata';
const OFFSET_MIN = 330;
const MINUTE_MS = 60_000;

export const CLIENTS = 24;
export const clientIp = (h: number): string => `10.1.0.${h}`;
export const serverOf = (h: number): number => 1 + (h % 6);
export const serverIp = (s: number): string => `10.9.0.${s}`;
const steady = (h: number): boolean => h % 4 === 3;

/** The client that starts sending 50 × its bytes, the one that goes silent (a steady one), the flood's target. */
export const LOUD_CLIENT = 7;
export const SILENT_CLIENT = 11;
export const FLOOD_TARGET = 3;
/** Flood source i (1–30) is 10.66.0.i and sends 150 + 10 i SYNs to the target within one minute. */
export const FLOOD_SOURCES = 30;
export const floodSourceIp = (i: number): string => `10.66.0.${i}`;
export const floodSyns = (i: number): number => 150 + 10 * i;

/** The scenario's anomalies: from `fromMs` on (ms since the epoch); null: normal traffic. */
export interface Anomalies {
  readonly fromMs: number | null;
}

export interface Session {
  readonly startMs: number;
  readonly endMs: number;
  readonly cln: string;
  readonly srv: string;
  readonly clnport: number;
  readonly srvport: number;
  readonly flags: number;
  readonly clnpkts: number;
  readonly srvpkts: number;
  readonly clnbyts: number;
  readonly srvbyts: number;
}

function localSlotAndDay(minute: number): { slot: number; day: number } {
  const local = minute + OFFSET_MIN;
  return { slot: Math.floor((((local % 1440) + 1440) % 1440) / 10), day: Math.floor(local / 1440) };
}

export function sessionsPerMinute(h: number, slot: number, day: number): number {
  return 2 + (steady(h) ? 0 : (h + slot + day) % 2);
}

export function bytesPerSession(h: number, slot: number, day: number): number {
  const swing = steady(h) ? 0.02 : 0.05;
  return Math.round(1000 * (10 + ((13 * h + 5 * slot) % 20)) * (1 + swing * ((h + day) % 2 === 0 ? 1 : -1)));
}

/** The normal and anomalous sessions that start in minute `minute` (epoch minutes), oldest first. */
export function sessionsOfMinute(minute: number, anomalies: Anomalies): Session[] {
  const out: Session[] = [];
  const { slot, day } = localSlotAndDay(minute);
  const base = minute * MINUTE_MS;
  const after = (ms: number): boolean => anomalies.fromMs !== null && ms >= anomalies.fromMs;
  for (let h = 1; h <= CLIENTS; h++) {
    const count = sessionsPerMinute(h, slot, day);
    for (let i = 0; i < count; i++) {
      const startMs = base + 5_000 + 10_000 * i;
      if (h === SILENT_CLIENT && after(startMs)) continue;
      const bytes = bytesPerSession(h, slot, day) * (h === LOUD_CLIENT && after(startMs) ? 50 : 1);
      out.push({
        startMs,
        endMs: startMs + 3_000,
        cln: clientIp(h),
        srv: serverIp(serverOf(h)),
        clnport: 1024 + ((minute * 8 + i) % 60_000),
        srvport: 443,
        flags: 0x1b,
        clnpkts: 10,
        srvpkts: 8,
        clnbyts: bytes,
        srvbyts: 500,
      });
    }
  }
  if (anomalies.fromMs !== null && base <= anomalies.fromMs && anomalies.fromMs < base + MINUTE_MS) {
    // the flood: within the 60 s from fromMs, each source's SYNs evenly spread, no answers
    for (let s = 1; s <= FLOOD_SOURCES; s++) {
      const n = floodSyns(s);
      for (let i = 0; i < n; i++) {
        const startMs = anomalies.fromMs + Math.floor((i * 59_000) / n);
        out.push({
          startMs,
          endMs: startMs,
          cln: floodSourceIp(s),
          srv: serverIp(FLOOD_TARGET),
          clnport: 10_000 + i,
          srvport: 80,
          flags: 0x02,
          clnpkts: 1,
          srvpkts: 0,
          clnbyts: 60,
          srvbyts: 0,
        });
      }
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

function setIp(col: Uint32Array, row: number, ip: string): void {
  const w = parseIp(ip)!;
  for (let k = 0; k < 4; k++) col[row * 4 + k] = w[k]!;
}

/** Sessions as columns for sessionsToFlows. */
function toColumns(sessions: readonly Session[]): Columns {
  const cols = allocColumns(sessions.length);
  sessions.forEach((s, r) => {
    (cols.start as Float64Array)[r] = s.startMs * 1000;
    (cols.end as Float64Array)[r] = s.endMs * 1000;
    setIp(cols.clnip as Uint32Array, r, s.cln);
    setIp(cols.srvip as Uint32Array, r, s.srv);
    setIp(cols.expip as Uint32Array, r, '127.0.0.1');
    cols.clnport[r] = s.clnport;
    cols.srvport[r] = s.srvport;
    cols.proto[r] = 6;
    cols.flags[r] = s.flags;
    cols.clnpkts[r] = s.clnpkts;
    cols.srvpkts[r] = s.srvpkts;
    cols.clnbyts[r] = s.clnbyts;
    cols.srvbyts[r] = s.srvbyts;
    cols.expv[r] = 9;
  });
  return cols;
}

/** One exporter's NetFlow v9 stream: datagrams for sessions, stamped with the time they are sent. */
export class ScenarioExporter {
  private readonly encoder = new NetflowV9Encoder({ sourceId: 7, templateEvery: 20 });

  encode(sessions: readonly Session[], exportMs: number = Date.now()): Uint8Array[] {
    if (sessions.length === 0) return [];
    const flows = sessionsToFlows(toColumns(sessions), sessions.length);
    return this.encoder.encode(flows, 0, flows.length, exportMs);
  }
}

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS);
