// A query that outlives the store's merging and retention (issue #4): a session answer read slowly
// across storage cycles that retire every file it lists comes whole, and those files are deleted once
// it is over. Its sessions lie in separate hours, so the answer opens each file only when it reaches it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import t from 'tap';
import { NetflowV9Encoder, readSegmentInfo, sessionsToFlows } from '../../packages/core/src/index.js';
import { queryString, startServer, type RunningServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { fetchMetric, fetchMetrics, metricSum, ndjsonRows, storedDifferences, storedSessions, sumByKey, until, wholeFrame } from '../lib/serverchecks.js';
import { plannedSessions, type PlannedSession } from '../lib/v9traffic.js';

const SEGMENT = 1000;
const SEGMENTS = 16;
/**
 * Hours of old traffic sent one after the other, and sessions in each: old flows are not joined, so
 * about 1.8 records a session, some 14,000 records (8 MB of NDJSON) that the ring holds. A reader that
 * stops reading stops the answer after the 4 MB or so the connection buffers, half-way through.
 */
const HOURS = 12;
const PER_HOUR = 650;
/** Sessions sent while the slow answer waits: more records than the ring holds. */
const NEWER = 10_000;
/** Every old hour ended before this long ago; the newer traffic after it (and, like all, out of the tracker at once: sessiontimeout 60). */
const OLD_MS = 3_600_000;

/** `count` sessions that ended about `agoMs` ago, exported now (the exporter's clock is right: no skew to correct). */
function pastTraffic(count: number, seed: number, agoMs: number): { datagrams: Uint8Array[]; sessions: PlannedSession[] } {
  const { columns, sessions } = plannedSessions(count, seed, { nowMs: Date.now() - agoMs });
  const flows = sessionsToFlows(columns, sessions.length);
  return { datagrams: new NetflowV9Encoder({ sourceId: seed & 0xffff, templateEvery: 10 }).encode(flows, 0, flows.length, Date.now()), sessions };
}

/** The earliest session start of each segment file in the store directory now. */
function segmentStarts(db: string): number[] {
  const out: number[] = [];
  for (const f of fs.readdirSync(db).filter((x) => /^seg-\d{10}\.otq$/.test(x))) {
    try {
      out.push(readSegmentInfo(path.join(db, f)).startMin);
    } catch {
      // deleted between the listing and the read
    }
  }
  return out;
}

/** Session records of the old hours a query finds now. */
async function oldRecords(server: RunningServer, token: string): Promise<number> {
  const r = await server.get('/api/v1/sessions', token, { after_time: 0, before_time: Math.floor((Date.now() - OLD_MS) / 1000), format: 'ndjson', fields: 'START' });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET /api/v1/sessions -> ${r.status}: ${text}`);
  return ndjsonRows(text).length;
}

interface SlowAnswer {
  /** Resolves once the first bytes are in (the reader then stops reading). */
  readonly started: Promise<void>;
  /** Read the rest. */
  resume(): void;
  readonly done: Promise<{ status: number; complete: boolean; text: string }>;
}

/** GET `p` that reads the first chunk and then nothing until resume(). */
function slowGet(server: RunningServer, token: string, p: string, params: Record<string, string | number>): SlowAnswer {
  const chunks: Buffer[] = [];
  let started!: () => void;
  let paused: { resume(): void } | undefined;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<{ status: number; complete: boolean; text: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.ports.api, path: `${p}?${queryString(params)}`, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      const finish = (): void => resolve({ status: res.statusCode ?? 0, complete: res.complete, text: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        if (paused === undefined) {
          res.pause();
          paused = res;
          started();
        }
      });
      res.on('end', finish);
      res.on('aborted', finish);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { started: startedP, resume: () => paused?.resume(), done };
}

t.test('a session answer read slowly across cycles that retire all its files comes whole', async (t) => {
  const server = await startServer({ storageInterval: 1, args: ['--segmentsize', String(SEGMENT), '--segmentcount', String(SEGMENTS), '--maxclientlatency', '0', '--sessiontimeout', '60'] });
  t.teardown(() => server.stop());
  const token = await server.login();

  // the old hours one after another, each out of the tracker before the next is sent: files follow time
  const old: PlannedSession[] = [];
  let datagrams = 0;
  for (let h = 0; h < HOURS; h++) {
    const traffic = pastTraffic(PER_HOUR, 500 + h, (HOURS + 1 - h) * OLD_MS);
    old.push(...traffic.sessions);
    const before = await fetchMetric(server, 'opentraq_sessions_emitted_total');
    await sendDatagrams(server.ports.netflow, traffic.datagrams, { ratePerSecond: 3000 });
    datagrams += traffic.datagrams.length;
    const left = await until(async () => {
      const m = await fetchMetrics(server);
      return (
        metricSum(m, 'opentraq_datagrams_received_total', { port: server.ports.netflow }) === datagrams &&
        metricSum(m, 'opentraq_sessions_active') === 0 &&
        metricSum(m, 'opentraq_sessions_emitted_total') > before
      );
    });
    t.ok(left, `hour ${h + 1} of ${HOURS}: its ${traffic.sessions.length} sessions received and out of the tracker`);
  }
  t.ok(
    await until(async () => {
      const m = await fetchMetrics(server);
      return metricSum(m, 'opentraq_store_sessions') === metricSum(m, 'opentraq_sessions_emitted_total');
    }),
    'every record is in the segment files',
  );
  t.same(storedDifferences(old, await storedSessions(server, token), { oneRecord: false }).slice(0, 5), [], `precondition: the store holds the ${old.length} sessions sent`);

  const id = 'slow-reader';
  const slow = slowGet(server, token, '/api/v1/sessions', { ...wholeFrame(), format: 'ndjson', progress: id });
  await slow.started;
  const progress = async (): Promise<{ scanned: number; total: number } | null> => {
    const r = await server.get('/api/v1/sessions/progress', token, { id });
    return r.status === 200 ? ((await r.json()) as { scanned: number; total: number }) : null;
  };
  t.ok(
    await until(async () => {
      const a = await progress();
      const b = await progress();
      return a !== null && b !== null && b.total > 0 && a.scanned === b.scanned && b.scanned < b.total;
    }),
    'precondition: the answer waits for its reader with files still to read',
  );

  // newer traffic in parts, each stored by a cycle of its own, more than the ring holds in all: every
  // file the answer lists leaves the store, merged into a newer segment or past retention
  const parts = 4;
  for (let k = 0; k < parts; k++) {
    const newer = pastTraffic(NEWER / parts, 900 + k, OLD_MS / 2);
    const cycles = await fetchMetric(server, 'opentraq_storage_cycles_total');
    await sendDatagrams(server.ports.netflow, newer.datagrams, { ratePerSecond: 3000 });
    datagrams += newer.datagrams.length;
    const stored = await until(async () => {
      const m = await fetchMetrics(server);
      return (
        metricSum(m, 'opentraq_datagrams_received_total', { port: server.ports.netflow }) === datagrams &&
        metricSum(m, 'opentraq_sessions_active') === 0 &&
        metricSum(m, 'opentraq_storage_cycles_total') > cycles
      );
    });
    t.ok(stored, `newer part ${k + 1} of ${parts}: stored by a storage cycle while the answer waits`);
  }
  t.ok(await until(async () => (await oldRecords(server, token)) === 0), 'precondition: a query now finds none of the old sessions: every file the slow answer lists is past retention');
  const waiting = await progress();
  t.ok(waiting !== null && waiting.scanned < waiting.total, `precondition: the slow answer has files still to read (${JSON.stringify(waiting)})`);
  t.ok(
    segmentStarts(server.databasePath).some((s) => s < (Date.now() - OLD_MS) * 1000),
    'they are on disk, held for it',
  );

  slow.resume();
  const answer = await slow.done;
  t.equal(answer.status, 200, 'the slow answer: 200');
  t.ok(answer.complete, 'the answer came whole, not cut');
  t.same(storedDifferences(old, sumByKey(answer.text), { oneRecord: false }).slice(0, 5), [], `it holds every one of the ${old.length} sessions of its view, and nothing else`);
  t.notMatch(server.log, /API request failed/, 'no query failed');
  t.ok(
    await until(() => segmentStarts(server.databasePath).every((s) => s > (Date.now() - OLD_MS) * 1000)),
    'once the answer is over, the old files are deleted',
  );
});
