// Stand-ins for the engine's tests: a clock whose waits pass at once, a server link that answers
// rankings from a function of (entity, span), the stderr notices collected as lines, and run settings.

import { Readable, Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { HttpMethod, RequestOptions, StatAnswer, StatCell } from '@opentraq/cli';
import type { ApiLink } from '../src/engine/apilink.js';
import type { Clock } from '../src/engine/clock.js';
import { GRANULARITIES } from '../src/engine/granularity.js';
import type { EngineSettings } from '../src/engine/runengine.js';
import { Notices } from '../src/engine/notices.js';
import { Stopped } from '../src/engine/stopped.js';

/** Time moves only when something waits (or the test moves it). */
export class FakeClock implements Clock {
  sleeps: number[] = [];
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  nowUs(): number {
    return this.t * 1000 + 123;
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal.aborted) return;
    this.t += ms;
    await new Promise((r) => setImmediate(r));
  }
}

export interface Collected {
  readonly notices: Notices;
  readonly lines: string[];
}

/** Notices whose lines land in an array. */
export function collectNotices(tool = 'ftdos'): Collected {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      cb();
    },
  });
  return { notices: new Notices(tool, stream), lines };
}

export interface RankRow {
  readonly cells: readonly StatCell[];
  readonly value: number;
  readonly slices?: readonly number[];
  readonly counts?: readonly number[];
}

/** A /api/v1/stat answer as ftserver writes it, for the entity columns `entityColumns`. */
export function statAnswer(entityColumns: readonly string[], rows: readonly RankRow[], opts: { fromS: number; toS: number; slices?: number; entities?: number; sessions?: number }): StatAnswer {
  const extras = entityColumns.length === 1 && entityColumns[0] === 'IP' ? ['asn', 'as_name', 'country'] : [];
  const n = opts.slices ?? 0;
  const bounds = Array.from({ length: n + 1 }, (_, k) => opts.fromS + ((opts.toS - opts.fromS) * k) / n);
  const columns = ['rank', ...entityColumns, 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', ...extras, ...bounds.slice(0, n).map(String)];
  const data = rows.map((r, i) => [i + 1, ...r.cells, r.value, 0, ...(r.counts ?? [0, 0, 0, 0, 0, 0]), ...extras.map(() => null), ...(r.slices ?? [])]);
  return {
    columns,
    data,
    summary: { sessions: opts.sessions ?? rows.length, packets: 0, bytes: 0, entities: opts.entities ?? rows.length, total: 0, from: opts.fromS, to: opts.toS },
    ...(n > 0 && { series: { bounds, other: bounds.slice(0, n).map(() => 0) } }),
  };
}

/** The CSV the server writes for `a` with format=csv&header=1 (renderStatCsv): header row, rows, `#` summary lines. */
export function statCsv(a: StatAnswer): string {
  return (
    stringify([a.columns, ...a.data]) +
    `# Total sessions: ${a.summary.sessions}, Total packets: ${a.summary.packets}, Total bytes: ${a.summary.bytes}\n` +
    `# Distinct entities: ${a.summary.entities}\n`
  );
}

export interface Call {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** An ApiLink answering with `answer`; every call is kept in `calls`. */
export class FakeLink implements ApiLink {
  readonly calls: Call[] = [];
  constructor(private readonly answer: (call: Call) => unknown) {}
  async json<T>(method: HttpMethod, path: string, opts: RequestOptions, _what: string, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new Stopped('asked to stop');
    const call = { method, path, params: opts.params ?? {}, body: opts.body };
    this.calls.push(call);
    return this.answer(call) as T;
  }

  /** What `answer` gives as the body, written as the server writes it: a ranking as CSV, sessions as NDJSON; text as it is. */
  async read<T>(path: string, opts: RequestOptions, what: string, read: (body: Readable) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const answer = await this.json<unknown>('GET', path, opts, what, signal);
    const format = opts.params?.format;
    const text =
      typeof answer === 'string'
        ? answer
        : format === 'csv'
          ? statCsv(answer as StatAnswer)
          : format === 'ndjson'
            ? ((answer as { data: unknown[] }).data ?? []).map((row) => `${JSON.stringify(row)}\n`).join('')
            : JSON.stringify(answer);
    return read(Readable.from([Buffer.from(text)]));
  }
}

/**
 * Bytes per minute host 10.0.0.h sends: a level per 10-minute slot of the local day, +-10 % on
 * alternate local days (so today's value is one the history has seen); 10.0.0.2 sends 50 × from `loudFrom`.
 */
export function perMinute(h: number, minuteMs: number, loudFrom: number): number {
  const d = new Date(minuteMs);
  const slot = Math.floor((d.getHours() * 60 + d.getMinutes()) / 10);
  const day = Math.floor((minuteMs - d.getTimezoneOffset() * 60_000) / 86_400_000);
  const v = 1000 * (1 + ((h * 7 + slot) % 5)) * (1 + 0.1 * ((h + day) % 2 === 0 ? 1 : -1));
  return h === 2 && minuteMs >= loudFrom ? 50 * v : v;
}

/** The ranking of hosts 10.0.0.1–5 by perMinute that ftserver would give for these /api/v1/stat parameters. */
export function rhythmRanking(params: Readonly<Record<string, string>>, loudFrom: number): StatAnswer {
  const fromMs = Number(params.after_time) * 1000;
  const toMs = Number(params.before_time) * 1000;
  const n = params.slices === undefined ? 1 : Number(params.slices);
  const span = (toMs - fromMs) / n;
  const rows = [1, 2, 3, 4, 5].map((h) => {
    const slices = Array.from({ length: n }, (_, k) => {
      let sum = 0;
      for (let m = fromMs + k * span; m < fromMs + (k + 1) * span; m += 60_000) sum += perMinute(h, m, loudFrom);
      return sum;
    });
    return { cells: [`10.0.0.${h}`], value: slices.reduce((a, b) => a + b, 0), counts: [slices.reduce((a, b) => a + b, 0), 0, 10, 0, 5, 0], ...(params.slices !== undefined && { slices }) };
  });
  return statAnswer(['IP'], rows.sort((a, b) => b.value - a.value), { fromS: fromMs / 1000, toS: toMs / 1000, slices: params.slices === undefined ? 0 : n, sessions: 10 });
}

/** A session of a fake server's store: times in ms, packets each way (bytes follow from them). */
export interface FakeSession {
  readonly start: number;
  readonly end: number;
  readonly cln: string;
  readonly srv: string;
  readonly port: number;
  readonly proto: number;
  readonly clnpkts: number;
  readonly srvpkts: number;
}

/**
 * ftserver's answer to the detectors' check of the collector's feed (GET /api/v1/stat by QOS, SESSIONS,
 * one row, `slices` slices, query=TTIME<=60) over `sessions`: the sessions of at most 60 s in each slice.
 */
export function feedAnswer(sessions: readonly FakeSession[], params: Readonly<Record<string, string>>): StatAnswer {
  const fromMs = Number(params.after_time) * 1000;
  const toMs = Number(params.before_time) * 1000;
  const n = Number(params.slices);
  const span = (toMs - fromMs) / n;
  const slices = Array.from({ length: n }, () => 0);
  for (const s of sessions) {
    if (s.end - s.start > 60_000) continue;
    for (let k = 0; k < n; k++) {
      const [a, b] = [fromMs + k * span, fromMs + (k + 1) * span];
      // time.md: a session takes part in a span it overlaps; an instant in the span that holds it
      if (s.end > s.start ? s.start < b && s.end > a : s.start >= a && s.start < b) slices[k]!++;
    }
  }
  const total = slices.reduce((x, y) => x + y, 0);
  return statAnswer(['QOS'], total === 0 ? [] : [{ cells: [0], value: total, slices }], { fromS: fromMs / 1000, toS: toMs / 1000, slices: n, sessions: total });
}

/** A detector's settings for a run that starts at `startMs` after `days` of history: DAY slots, -bd 60, -v. */
export function engineSettings(startMs: number, days = 3, capBytes = 1 << 22): EngineSettings {
  return {
    granularity: GRANULARITIES.DAY,
    byDayOfWeek: false,
    settleMs: 60_000,
    capBytes,
    rows: 1000,
    maxTrainingSlices: 144,
    history: { fromMs: startMs - days * 86_400_000, toMs: startMs },
    severity: 5,
    verbose: true,
  };
}
