// Normal traffic with a daily and a weekly rhythm and known answers for the detectors' scenario tests,
// plus the anomalies injected into it: generated minute by minute, encoded as NetFlow v9 for the live
// ingest path (the history goes as IPFIX: historystream.ts).
//
// 24 clients 10.1.0.1–24 each talk to one of 6 servers 10.9.0.1–6 (client h to 10.9.0.(1 + h mod 6)).
// Client h's sessions in a minute depend on its 10-minute slot of the (local) day σ, the local day D
// and D's weekday:
//   count  2 + (h + σ + D) mod 2 on weekdays, 1 + (h + σ + D) mod 2 on Saturdays and Sundays
//          (steady clients, h mod 4 = 3, run all week: always 2)
//   bytes  1000 × (10 + (13h + 5σ) mod 20) × (1 ± 5 %), + on even h + D, − on odd (steady: ± 2 %)
//   backup one more session a minute of 300,000 bytes, all day, on one weekday only: client 2 on
//          Mondays, 6 on Tuesdays, 10 on Wednesdays, 14 on Thursdays, 18 on Fridays
// so every slot has its own level, and a slot's value alternates between two levels from day to day and
// (D + 7 flips the parity) from week to week: today's value always equals one seen in the history of its
// slot of the day and of the week, and nothing normal is anomalous against DAY (at the default -bk 3: a
// client's backup day is one day in seven, 2 to 3 deviations above the mean of its slot of the day),
// DAY with -bdow, or WEEK baselines.
//
// Noise (optional, off unless a test asks for it: noisy.test.ts): each client but the steady ones opens a
// Poisson number of sessions a minute, with the count above as its mean, each of the bytes above ×
// (1 + uniform(−0.3, 0.3)); the steady clients and the backups keep the exact rhythm. The numbers are
// drawn from a generator seeded by the client and the minute relative to a reference minute the test
// chooses, so that a test judges the same noise whatever day it runs.

import { NetflowV9Encoder, allocColumns, parseIp, sessionsToFlows, type Columns } from '../../packages/core/src/index.js';
import { rng } from '../../packages/nbi/test/rng.js';

/** The scenario's time zone: +05:30 all year, so that 10-minute slots are local, not UTC, boundaries. */
export const SCENARIO_TZ = 'Asia/Kolkata';
const OFFSET_MIN = 330;
const MINUTE_MS = 60_000;

export const CLIENTS = 24;
export const clientIp = (h: number): string => `10.1.0.${h}`;
export const serverOf = (h: number): number => 1 + (h % 6);
export const serverIp = (s: number): string => `10.9.0.${s}`;
const steady = (h: number): boolean => h % 4 === 3;

/** The local weekday of local day `day` (days since 1 January 1970, a Thursday): 0 Sunday … 6 Saturday. */
export const weekdayOf = (day: number): number => (((day + 4) % 7) + 7) % 7;
const weekend = (weekday: number): boolean => weekday === 0 || weekday === 6;
/** The client that runs its backup on `weekday` (1 Monday … 5 Friday), or null (weekends). */
export const backupClientOf = (weekday: number): number | null => (weekday >= 1 && weekday <= 5 ? 4 * weekday - 2 : null);
/** What a backup sends a minute: one session of this many bytes. */
export const BACKUP_BYTES = 300_000;

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
  /** When the silent client falls silent, if not at `fromMs` (a silence shows later than a burst does). */
  readonly silentFromMs?: number;
}

/** Noise on the normal traffic: drawn per client and per minute relative to `referenceMinute` (epoch minutes). */
export interface Noise {
  readonly referenceMinute: number;
}

/** The share of the rhythm's bytes a noisy session's bytes stray from it, at most, either way. */
export const NOISE_BYTES_SHARE = 0.3;

/** Murmur3's finaliser: every bit of the seed stirs every bit of the result. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Numbers in [0, 1) for client `h` in minute `rel` (relative to the noise's reference): mulberry32 seeded by a hash of the two. */
function noiseRandom(h: number, rel: number): () => number {
  return rng(mix32(Math.imul(h, 0x9e3779b1) ^ mix32(rel | 0)));
}

/** A Poisson-distributed count of mean `mean` (Knuth's product of uniforms: a few draws for the means here, 1 to 3). */
function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/**
 * A noisy client's session ports stay clear of its backup's (1024 + (8 × minute + 7) mod 60,000: 7 mod
 * 8, which the offsets below never are, 8 dividing 60,000) and of its own within 8 hours
 * (sessiontables.toolong: a 5-tuple reused within it would be merged into one session): session i of
 * relative minute r at offset 16 r + i (i < 7) or 16 r + i + 1 (7 ≤ i < 14), recurring every 3750
 * minutes; the rare 15th to 22nd sessions of a minute (a Poisson count of mean 3 reaches 15 once in
 * 1.5 million draws, 23 once in 5 × 10^12) at 61024 + (8 r + i − 14) mod 4512, recurring every 564 minutes.
 */
const NOISY_OVERFLOW_FROM = 14;
const OVERFLOW_PORTS = 65_536 - 61_024;
const MAX_NOISY_SESSIONS = NOISY_OVERFLOW_FROM + 8;

function noisyPort(rel: number, i: number): number {
  if (i < NOISY_OVERFLOW_FROM) return 1024 + ((((16 * rel + i + (i >= 7 ? 1 : 0)) % 60_000) + 60_000) % 60_000);
  return 61_024 + ((((8 * rel + i - NOISY_OVERFLOW_FROM) % OVERFLOW_PORTS) + OVERFLOW_PORTS) % OVERFLOW_PORTS);
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

/** The instant local day `day` (days since 1 January 1970) begins, ms since the epoch. */
export const localDayStartMs = (day: number): number => (day * 1440 - OFFSET_MIN) * MINUTE_MS;

/** The local 10-minute slot of the day and the local day (days since 1 January 1970) of epoch minute `minute`. */
export function localSlotAndDay(minute: number): { slot: number; day: number } {
  const local = minute + OFFSET_MIN;
  return { slot: Math.floor((((local % 1440) + 1440) % 1440) / 10), day: Math.floor(local / 1440) };
}

export function sessionsPerMinute(h: number, slot: number, day: number): number {
  if (steady(h)) return 2;
  return (weekend(weekdayOf(day)) ? 1 : 2) + ((h + slot + day) % 2);
}

export function bytesPerSession(h: number, slot: number, day: number): number {
  const swing = steady(h) ? 0.02 : 0.05;
  return Math.round(1000 * (10 + ((13 * h + 5 * slot) % 20)) * (1 + swing * ((h + day) % 2 === 0 ? 1 : -1)));
}

/**
 * The normal and anomalous sessions that start in minute `minute` (epoch minutes), oldest first; with
 * `noise`, the non-steady clients' counts and bytes are drawn around the rhythm (see the top of the file).
 */
export function sessionsOfMinute(minute: number, anomalies: Anomalies, noise?: Noise): Session[] {
  const out: Session[] = [];
  const { slot, day } = localSlotAndDay(minute);
  const base = minute * MINUTE_MS;
  const after = (ms: number): boolean => anomalies.fromMs !== null && ms >= anomalies.fromMs;
  for (let h = 1; h <= CLIENTS; h++) {
    const rhythmCount = sessionsPerMinute(h, slot, day);
    const rel = noise === undefined ? 0 : minute - noise.referenceMinute;
    const random = noise === undefined || steady(h) ? null : noiseRandom(h, rel);
    const count = random === null ? rhythmCount : poisson(rhythmCount, random);
    if (count > MAX_NOISY_SESSIONS) throw new Error(`client ${h} draws ${count} sessions in minute ${rel} of the noise: more than its ports allow (${MAX_NOISY_SESSIONS})`);
    // the rare counts above 6 are spread over the minute, so that every session ends within it
    const stepMs = count <= 6 ? 10_000 : Math.floor(50_000 / (count - 1));
    for (let i = 0; i < count; i++) {
      const startMs = base + 5_000 + stepMs * i;
      if (h === SILENT_CLIENT && (anomalies.silentFromMs === undefined ? after(startMs) : startMs >= anomalies.silentFromMs)) continue;
      const rhythmBytes = bytesPerSession(h, slot, day);
      const drawn = random === null ? rhythmBytes : Math.round(rhythmBytes * (1 + NOISE_BYTES_SHARE * (2 * random() - 1)));
      const bytes = drawn * (h === LOUD_CLIENT && after(startMs) ? 50 : 1);
      out.push({
        startMs,
        endMs: startMs + 3_000,
        cln: clientIp(h),
        srv: serverIp(serverOf(h)),
        clnport: random === null ? 1024 + ((minute * 8 + i) % 60_000) : noisyPort(rel, i),
        srvport: 443,
        flags: 0x1b,
        clnpkts: 10,
        srvpkts: 8,
        clnbyts: bytes,
        srvbyts: 500,
      });
    }
  }
  const backup = backupClientOf(weekdayOf(day));
  if (backup !== null) {
    const startMs = base + 30_000;
    out.push({ startMs, endMs: startMs + 20_000, cln: clientIp(backup), srv: serverIp(serverOf(backup)), clnport: 1024 + ((minute * 8 + 7) % 60_000), srvport: 443, flags: 0x1b, clnpkts: 220, srvpkts: 60, clnbyts: BACKUP_BYTES, srvbyts: 3000 });
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
export function sessionColumns(sessions: readonly Session[]): Columns {
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
    const flows = sessionsToFlows(sessionColumns(sessions), sessions.length);
    return this.encoder.encode(flows, 0, flows.length, exportMs);
  }
}

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS);
