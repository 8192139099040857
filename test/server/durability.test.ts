// Durability as server.md §3 states it: after kill -9 every flow received more than storageinterval
// before the kill is queryable after a restart (no manual step, nothing twice); SIGTERM loses nothing;
// a torn segment file is skipped with an error, never read.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { readSegmentInfo } from '../../packages/core/src/index.js';
import { startServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { fetchMetric, netflowReceived, storedDifferences, storedSessions } from '../lib/serverchecks.js';
import { sendTimed, sentWholeBefore, v9Traffic } from '../lib/v9traffic.js';

/** Stream `count` sessions over 3 s, kill -9 at a seeded moment, restart, check the window. */
async function killDuringStream(t: Test, count: number): Promise<void> {
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 100_000);
  t.comment(`seed ${seed} (DURABILITY_SEED=${seed} repeats this run)`);
  const traffic = v9Traffic(count, seed);
  const server = await startServer({ storageInterval: 1 });
  // the kill lands somewhere in the middle of a 3-second stream
  const killAtMs = 1200 + (seed % 1500);
  const started = Date.now();
  // What the server has received, sampled while the stream runs: "received" is the word, and on
  // a loaded machine a datagram can sit in the socket buffer long after it was sent.
  const received: { at: number; n: number }[] = [];
  let polling = true;
  let activeSeen = 0;
  const poller = (async () => {
    while (polling) {
      const n = await fetchMetric(server, 'opentraq_datagrams_received_total', { port: server.ports.netflow }).catch(() => -1);
      if (n >= 0) received.push({ at: Date.now(), n });
      activeSeen = Math.max(activeSeen, await fetchMetric(server, 'opentraq_sessions_active').catch(() => 0));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const sentAt = await sendTimed(server.ports.netflow, traffic, { ratePerSecond: traffic.datagrams.length / 3, stop: () => Date.now() - started >= killAtMs });
  const killedAt = Date.now();
  server.proc.kill('SIGKILL');
  polling = false;
  await poller;
  await server.exited;
  t.ok(sentAt.length > 10 && sentAt.length < traffic.datagrams.length, `killed after ${sentAt.length} of ${traffic.datagrams.length} datagrams`);
  t.comment(`up to ${activeSeen} sessions were active before the kill`);

  const again = await startServer({ dir: server.dir, ports: server.ports, storageInterval: 1 });
  t.teardown(() => again.stop());
  t.match(again.log, /restored sessions from the checkpoint/, 'the restart restored the checkpoint by itself');
  const got = await storedSessions(again, await again.login());
  // sessions whose every flow the server had received more than storageinterval (1 s) before the kill
  // (datagrams are read in order: a count n seen at time `at` means the first n arrived by then)
  const inTime = received.filter((r) => r.at < killedAt - 1000).reduce((m, r) => Math.max(m, r.n), 0);
  const mustHave = inTime === 0 ? 0 : traffic.completeAfter[inTime - 1]!;
  t.comment(`${sentWholeBefore(traffic, sentAt, killedAt - 1000)} sessions were sent whole more than 1 s before the kill, ${mustHave} received whole`);
  t.ok(mustHave > 0, `${mustHave} sessions were received whole more than 1 s before the kill`);
  let missing = 0;
  let wrong = 0;
  for (let i = 0; i < mustHave; i++) {
    const want = traffic.sessions[i]!;
    const g = got.get(want.key);
    if (g === undefined) missing++;
    else if (g.bytes !== want.bytes || g.packets !== want.packets || g.records !== 1) wrong++;
  }
  t.equal(missing, 0, 'no session sent before the cutoff is missing');
  t.equal(wrong, 0, 'each of them stored once, with all its bytes and packets');
  const planned = new Map(traffic.sessions.map((s) => [s.key, s]));
  const extra: string[] = [];
  for (const [key, g] of got) {
    const want = planned.get(key);
    if (want === undefined || g.bytes > want.bytes || g.packets > want.packets || g.records > 1) extra.push(`${key}: stored ${JSON.stringify(g)}, sent ${JSON.stringify(want)}`);
  }
  t.same(extra, [], 'nothing stored twice, nothing that was not sent');
}

t.test('kill -9 at a random moment: everything received storageinterval before it survives, once', (t) => killDuringStream(t, 6000));

// Every cycle checkpoints every active session: with tens of thousands of them the cycles must still
// keep the window (they run on the storage thread while the main thread goes on receiving).
t.test('the same with a stream of 150,000 sessions (tens of thousands active)', (t) => killDuringStream(t, 150_000));

t.test('SIGTERM loses nothing; a torn segment is skipped with an error', async (t) => {
  const traffic = v9Traffic(3000, 77);
  const server = await startServer({ storageInterval: 5, args: ['--segmentsize', '1000'] });
  await sendDatagrams(server.ports.netflow, traffic.datagrams, { ratePerSecond: 5000 });
  t.equal(await netflowReceived(server, traffic.datagrams.length), traffic.datagrams.length, 'the server received every datagram');
  const stop = await server.stop('SIGTERM');
  t.equal(stop.code, 0, 'SIGTERM: a clean exit');
  t.match(server.log, /ftserver stopped/);

  const again = await startServer({ dir: server.dir, ports: server.ports, args: ['--segmentsize', '1000'] });
  const got = await storedSessions(again, await again.login());
  t.equal(got.size, traffic.sessions.length, 'every session after the restart');
  const wrong = storedDifferences(traffic.sessions, got);
  t.same(wrong.slice(0, 10), [], `each exactly once, with every byte and packet (${wrong.length} differences)`);
  await again.stop();

  // tear one segment file in half, as a disk failure would
  const segs = fs.readdirSync(again.databasePath).filter((f) => /^seg-\d{10}\.otq$/.test(f)).sort();
  t.ok(segs.length >= 2, `${segs.length} segment files`);
  const victim = path.join(again.databasePath, segs[0]!);
  const lost = readSegmentInfo(victim).rows;
  fs.truncateSync(victim, Math.floor(fs.statSync(victim).size / 2));
  const third = await startServer({ dir: server.dir, ports: server.ports, args: ['--segmentsize', '1000'] });
  t.teardown(() => third.stop());
  const after = await storedSessions(third, await third.login());
  t.equal(after.size, traffic.sessions.length - lost, `the torn segment's ${lost} sessions are gone, the rest are there`);
  t.match(third.log, /CRITICAL.*corrupt/i, 'the log says a segment was corrupt');
  t.ok(fs.readdirSync(third.databasePath).some((f) => f.startsWith(segs[0]!) && f.includes('.corrupt')), 'the torn file is set aside as .corrupt');
  t.equal(await fetchMetric(third, 'opentraq_store_corrupt_segments_total'), 1, 'the corrupt segment is counted');
});
