// The confirmed two-way sessions of a span, read from the server's session stream as it arrives (one
// NDJSON line at a time) and tallied per connection (client address, server address, port, protocol).

import type { Readable } from 'node:stream';
import { RuntimeFailure, epochParam, lineBatches } from '@opentraq/cli';
import type { ApiLink } from '../engine/apilink.js';

export const SESSIONS_PATH = '/api/v1/sessions';

/**
 * A confirmed two-way session: both sides sent packets, and a TCP session at least two each — a SYN
 * answered by a RST, or by a SYN-ACK that the prober resets, is a probe of a scan, not a session — and
 * not reset without data or a close: a probe repeated from the same port within the session timeout is
 * merged by the collector into one session of 2 packets each way, whose flags show SYN, ACK and RST but
 * never PSH or FIN. A session whose exporter gives no flags is judged by its packets alone.
 */
export const TWO_WAY_FILTER = 'CLNPKTS>0 && SRVPKTS>0 && (PROTO!=TCP || (CLNPKTS>=2 && SRVPKTS>=2 && (FLAGS!=FRST || FLAGS=FPSH || FLAGS=FFIN)))';

const FIELDS = ['START', 'CLNIP', 'SRVIP', 'SRVPORT', 'PROTO', 'CLNPKTS', 'SRVPKTS', 'CLNBYTS', 'SRVBYTS'] as const;

/**
 * Sessions one answer may hold: a span with more is read in halves. The answer is streamed, so this
 * bounds the tally of one answer (a connection for each of its sessions at worst), not its text.
 */
export const MAX_ANSWER_SESSIONS = 100_000;
/** A span is not halved below this: a second that holds more than an answer may is read up to the cap, and said. */
const MIN_SPLIT_MS = 1000;

/** The two-way sessions of one client with one service in a span. */
export interface Connection {
  readonly client: string;
  readonly server: string;
  readonly port: number;
  readonly proto: number;
  sessions: number;
  clnpkts: number;
  srvpkts: number;
  clnbyts: number;
  srvbyts: number;
}

export interface ConnectionsRead {
  /** By `client server port proto`. */
  readonly connections: ReadonlyMap<string, Connection>;
  /** Two-way sessions read (each once). */
  readonly sessions: number;
  /** Spans of a second (or less) whose answer was cut at the most an answer may hold: their later sessions are missing (0 normally). */
  readonly cutSpans: number;
}

/** The selection with the two-way filter added to its query. */
export function twoWaySelection(selection: Readonly<Record<string, string>>): Record<string, string> {
  const q = selection.query;
  return { ...selection, query: q === undefined ? TWO_WAY_FILTER : `(${q}) && ${TWO_WAY_FILTER}` };
}

function bad(problem: string): RuntimeFailure {
  return new RuntimeFailure('BAD_ANSWER', `the server's session list cannot be read: ${problem}`);
}

function num(row: Record<string, unknown>, field: string): number {
  const v = row[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${field} is not a number in ${JSON.stringify(row).slice(0, 200)}`);
  return v;
}

function text(row: Record<string, unknown>, field: string): string {
  const v = row[field];
  if (typeof v !== 'string' || v === '') throw bad(`${field} is not an address in ${JSON.stringify(row).slice(0, 200)}`);
  return v;
}

/**
 * Reads the two-way sessions overlapping [fromMs, toMs) within `selection` (query=, exporter=,
 * ifindex=), each counted once: a span whose answer would pass `maxSessions` is read in halves, and a
 * half counts only the sessions that start in it (the first half also those that began before the span).
 */
export async function readConnections(
  link: ApiLink,
  selection: Readonly<Record<string, string>>,
  fromMs: number,
  toMs: number,
  what: string,
  signal?: AbortSignal,
  maxSessions: number = MAX_ANSWER_SESSIONS,
): Promise<ConnectionsRead> {
  const connections = new Map<string, Connection>();
  const params = twoWaySelection(selection);
  let sessions = 0;
  let cutSpans = 0;

  /** One answer's tally; `cut` when it held more than the sessions kept (the rest then unread). */
  interface Tally {
    readonly connections: Map<string, Connection>;
    readonly sessions: number;
    readonly cut: boolean;
  }
  /** Tallies `body`: null as soon as it holds more than `splitAbove` sessions, cut after `keep`. */
  const tally = async (body: Readable, fromUs: number, first: boolean, splitAbove: number, keep: number): Promise<Tally | null> => {
    const connections = new Map<string, Connection>();
    let sessions = 0;
    let rows = 0;
    for await (const lines of lineBatches(body)) {
      for (const line of lines) {
        if (line === '') continue;
        if (++rows > splitAbove) return null;
        if (rows > keep) return { connections, sessions, cut: true };
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          throw bad(`a line is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
        }
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`a session is not an object: ${line.slice(0, 200)}`);
        const row = raw as Record<string, unknown>;
        // a session that began before this half was counted by the half before it
        if (!first && Math.round(num(row, 'START') * 1e6) < fromUs) continue;
        const client = text(row, 'CLNIP');
        const server = text(row, 'SRVIP');
        const port = num(row, 'SRVPORT');
        const proto = num(row, 'PROTO');
        const key = `${client} ${server} ${port} ${proto}`;
        let c = connections.get(key);
        if (c === undefined) {
          c = { client, server, port, proto, sessions: 0, clnpkts: 0, srvpkts: 0, clnbyts: 0, srvbyts: 0 };
          connections.set(key, c);
        }
        c.sessions++;
        c.clnpkts += num(row, 'CLNPKTS');
        c.srvpkts += num(row, 'SRVPKTS');
        c.clnbyts += num(row, 'CLNBYTS');
        c.srvbyts += num(row, 'SRVBYTS');
        sessions++;
      }
    }
    return { connections, sessions, cut: false };
  };

  const read = async (from: number, to: number, first: boolean): Promise<void> => {
    const splittable = to - from >= 2 * MIN_SPLIT_MS;
    const askParams = { ...params, after_time: epochParam(from * 1000), before_time: epochParam(to * 1000), fields: FIELDS.join(','), format: 'ndjson', rows: String(maxSessions + 1) };
    // a span too short to halve keeps what fits and says the rest was cut: one session past the cap tells
    const got = await link.read(
      SESSIONS_PATH,
      { params: askParams },
      what,
      (body) => (splittable ? tally(body, from * 1000, first, maxSessions, maxSessions) : tally(body, from * 1000, first, Infinity, maxSessions)),
      signal,
    );
    if (got === null) {
      const mid = from + Math.floor((to - from) / 2);
      await read(from, mid, first);
      await read(mid, to, false);
      return;
    }
    if (got.cut) cutSpans++;
    for (const [key, c] of got.connections) {
      const had = connections.get(key);
      if (had === undefined) {
        connections.set(key, c);
        continue;
      }
      had.sessions += c.sessions;
      had.clnpkts += c.clnpkts;
      had.srvpkts += c.srvpkts;
      had.clnbyts += c.clnbyts;
      had.srvbyts += c.srvbyts;
    }
    sessions += got.sessions;
  };
  await read(fromMs, toMs, true);
  return { connections, sessions, cutSpans };
}
