// A segment file damaged while ftserver runs (server.md §3: never read as data): the queries that
// reach it skip it and say so in their answers, exact over the rest; one CRITICAL line, one count in /metrics.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { formatIpAt, openSegment, readSegmentInfo } from '../../packages/core/src/index.js';
import { flipColumnByte } from '../../packages/core/test/store/flipcolumnbyte.js';
import { startServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { fetchMetric, netflowReceived, wholeFrame } from '../lib/serverchecks.js';
import { sessionKey, v9Traffic, type PlannedSession } from '../lib/v9traffic.js';

interface StatAnswer {
  columns: string[];
  data: (string | number | null)[][];
  summary: { sessions: number; bytes: number; packets: number; skipped?: { segment: number; file: string; reason: string }[] };
}

/** What an IP ranking by bytes over `sessions` must say: each address's bytes, a session counted once for an address on both sides. */
function bytesByAddress(sessions: readonly PlannedSession[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of sessions) {
    const [a, , b] = s.key.split(' ');
    for (const ip of new Set([a!, b!])) out.set(ip, (out.get(ip) ?? 0) + s.bytes);
  }
  return out;
}

t.test('a column damaged under a running server: its segment is skipped with a warning, the rest answered exactly', async (t) => {
  const traffic = v9Traffic(3000, 31);
  const args = ['--segmentsize', '500'];
  const first = await startServer({ args });
  await sendDatagrams(first.ports.netflow, traffic.datagrams, { ratePerSecond: 5000 });
  t.equal(await netflowReceived(first, traffic.datagrams.length), traffic.datagrams.length, 'the server received every datagram');
  t.equal((await first.stop()).code, 0, 'a clean stop stores every session');
  // restarted on the same store: every session is in a segment file, and no query has read any yet
  const server = await startServer({ dir: first.dir, ports: first.ports, args });
  t.teardown(() => server.stop());

  const files = fs
    .readdirSync(server.databasePath)
    .filter((f) => /^seg-\d{10}\.otq$/.test(f))
    .sort()
    .map((f) => readSegmentInfo(path.join(server.databasePath, f)));
  // a full segment: nothing rewrites it while the server runs
  const full = files.filter((s) => !s.partial);
  t.ok(full.length >= 3, `${files.length} segment files, ${full.length} of them full`);
  const victim = full[1]!;
  const reader = openSegment(victim.ref.path);
  const cols = reader.read(['clnip', 'clnport', 'srvip', 'srvport', 'proto']);
  reader.close();
  const lost = new Set<string>();
  for (let i = 0; i < victim.rows; i++) {
    lost.add(sessionKey(formatIpAt(cols.clnip as Uint32Array, i), cols.clnport![i]!, formatIpAt(cols.srvip as Uint32Array, i), cols.srvport![i]!, cols.proto![i]!));
  }
  const kept = traffic.sessions.filter((s) => !lost.has(s.key));
  t.equal(kept.length, traffic.sessions.length - victim.rows, 'the victim holds sessions that were sent, each once');

  flipColumnByte(victim, 'clnbyts', 0x01);

  const token = await server.login();
  const warning = { segment: victim.id, file: path.basename(victim.ref.path), reason: /^column clnbyts: checksum mismatch/ };
  const sum = (xs: readonly PlannedSession[], f: (s: PlannedSession) => number): number => xs.reduce((n, s) => n + f(s), 0);
  for (const round of ['the query that finds it', 'a later query (skips it unread)']) {
    const r = await server.get('/api/v1/stat', token, { ...wholeFrame(), group_by: 'IP', count_by: 'BYTES', rows: 100000 });
    t.equal(r.status, 200, `${round}: 200`);
    const stat = (await r.json()) as StatAnswer;
    t.match(stat.summary.skipped, [warning], `${round}: the answer says which segment it lacks, and why`);
    t.equal(stat.summary.skipped?.length, 1);
    t.strictSame(
      [stat.summary.sessions, stat.summary.bytes, stat.summary.packets],
      [kept.length, sum(kept, (s) => s.bytes), sum(kept, (s) => s.packets)],
      `${round}: the exact totals of the other sessions`,
    );
    const [ipAt, valueAt] = [stat.columns.indexOf('IP'), stat.columns.indexOf('value')];
    const got = new Map(stat.data.map((row) => [row[ipAt] as string, row[valueAt] as number]));
    t.strictSame(got, bytesByAddress(kept), `${round}: every address's exact bytes over the other sessions`);
  }

  const s = await server.get('/api/v1/sessions', token, { ...wholeFrame(), fields: 'START,CLNIP,CLNBYTS', format: 'json' });
  t.equal(s.status, 200, 'sessions: 200');
  const sessions = (await s.json()) as { data: unknown[]; summary: StatAnswer['summary'] };
  t.equal(sessions.data.length, kept.length, 'sessions: every session of the other segments');
  t.match(sessions.summary.skipped, [warning], 'sessions: the answer says which segment it lacks');

  const lines = server.log.split('\n').filter((l) => l.includes('segment file is damaged'));
  t.equal(lines.length, 1, 'logged once');
  t.match(lines[0], /^\S+ CRITICAL /, 'at CRITICAL');
  t.ok(lines[0]!.includes(victim.ref.path) && lines[0]!.includes(` segment=${victim.id} `) && lines[0]!.includes(' reason="column clnbyts: checksum mismatch'), 'with the file, the segment and the reason');
  t.equal(await fetchMetric(server, 'opentraq_query_corrupt_segments_total'), 1, 'counted once in /metrics');
});
