// What the server's end-to-end tests read back from a running ftserver: stored sessions summed per
// session, metric values from /metrics, the differences from what was sent, and polling until a condition holds.
import type { RunningServer } from './ftserver.js';
import { sessionKey, type PlannedSession } from './v9traffic.js';

/** The session fields sumByKey reads: the five-tuple and both sides' bytes and packets. */
export const STORED_FIELDS = 'CLNIP,CLNPORT,SRVIP,SRVPORT,PROTO,CLNBYTS,SRVBYTS,CLNPKTS,SRVPKTS';

/** One session's stored totals over all the records the server keeps of it. */
export interface StoredTotals {
  bytes: number;
  packets: number;
  records: number;
}

/** A query frame that holds every session the tests send: from the epoch to a day from now. */
export function wholeFrame(): { after_time: number; before_time: number } {
  return { after_time: 0, before_time: Math.ceil(Date.now() / 1000) + 86400 };
}

/** The /api/v1/sessions parameters of an NDJSON answer sumByKey reads, over wholeFrame() unless `params` say otherwise. */
export function storedQuery(params: Record<string, string | number> = {}): Record<string, string | number> {
  return { ...wholeFrame(), ...params, fields: STORED_FIELDS, format: 'ndjson' };
}

/** The records of an NDJSON answer, one object per non-empty line. */
export function ndjsonRows(ndjson: string): Record<string, string | number>[] {
  return ndjson
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, string | number>);
}

/** An NDJSON sessions answer (STORED_FIELDS) summed per sessionKey: bytes and packets of both sides, and records. */
export function sumByKey(ndjson: string): Map<string, StoredTotals> {
  const out = new Map<string, StoredTotals>();
  for (const x of ndjsonRows(ndjson)) {
    const key = sessionKey(x.CLNIP as string, x.CLNPORT as number, x.SRVIP as string, x.SRVPORT as number, x.PROTO as number);
    const e = out.get(key) ?? { bytes: 0, packets: 0, records: 0 };
    e.bytes += (x.CLNBYTS as number) + (x.SRVBYTS as number);
    e.packets += (x.CLNPKTS as number) + (x.SRVPKTS as number);
    e.records++;
    out.set(key, e);
  }
  return out;
}

/** The sessions `server` stores (those `params` select, e.g. `{ exporter }`), summed per sessionKey. */
export async function storedSessions(server: RunningServer, token: string, params: Record<string, string | number> = {}): Promise<Map<string, StoredTotals>> {
  const r = await server.get('/api/v1/sessions', token, storedQuery(params));
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET /api/v1/sessions -> ${r.status}: ${text}`);
  return sumByKey(text);
}

/**
 * What differs between the sessions sent and those stored (empty: each stored with its bytes and packets
 * times `scale`, the sampling rate, and nothing else stored). `oneRecord`: each also in a single record
 * (false where the tracker may split a session).
 */
export function storedDifferences(planned: readonly PlannedSession[], stored: ReadonlyMap<string, StoredTotals>, opts: { scale?: number; oneRecord?: boolean } = {}): string[] {
  const scale = opts.scale ?? 1;
  const oneRecord = opts.oneRecord ?? true;
  const out: string[] = [];
  for (const p of planned) {
    const g = stored.get(p.key);
    if (g === undefined) out.push(`missing: ${p.key}`);
    else if (g.bytes !== p.bytes * scale || g.packets !== p.packets * scale || (oneRecord && g.records !== 1)) {
      out.push(`${p.key}: stored ${JSON.stringify(g)}, sent bytes ${p.bytes} packets ${p.packets}${scale === 1 ? '' : ` (sampled 1 in ${scale})`}`);
    }
  }
  const sent = new Set(planned.map((p) => p.key));
  for (const key of stored.keys()) if (!sent.has(key)) out.push(`not sent: ${key}`);
  return out;
}

/** One sample of the Prometheus text format. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a /metrics answer (comment lines skipped). */
export function metricSamples(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples of metric `name` whose labels include `labels` (0 when there are none). */
export function metricSum(text: string, name: string, labels: Record<string, string | number> = {}): number {
  return metricSamples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === String(v)))
    .reduce((n, s) => n + s.value, 0);
}

/** The /metrics answer of `server`. */
export async function fetchMetrics(server: RunningServer): Promise<string> {
  const r = await fetch(server.url('/metrics'));
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET /metrics -> ${r.status}: ${text}`);
  return text;
}

/** metricSum over the server's /metrics now. */
export async function fetchMetric(server: RunningServer, name: string, labels: Record<string, string | number> = {}): Promise<number> {
  return metricSum(await fetchMetrics(server), name, labels);
}

/**
 * Waits (at most 30 s) until `server`'s NetFlow port has received `count` datagrams; resolves with the
 * number received then, to compare with `count`.
 */
export async function netflowReceived(server: RunningServer, count: number): Promise<number> {
  let n = 0;
  await until(async () => (n = await fetchMetric(server, 'opentraq_datagrams_received_total', { port: server.ports.netflow })) >= count);
  return n;
}

/** Polls `check` every 100 ms until it holds (true) or `ms` pass (false). */
export async function until(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
