// The detectors against a server that misbehaves: the link's retries with backoff and what it says,
// logins renewed after a restart, refusals that end the tool, and a whole detector run (fttcv)
// through its command line until SIGTERM, with alerts recorded in the server.
process.env.TZ = 'America/New_York';

import { EventEmitter } from 'node:events';
import t from 'tap';
import { AuthFailure, UsageError, readConnection, parseCommandLine, sharedOptions, type StatAnswer } from '@opentraq/cli';
import { ServerLink } from '../src/engine/serverlink.js';
import { Stopped } from '../src/engine/stopped.js';
import { main as fttcv } from '../src/fttcv/main.js';
import { runCommand } from './commandrun.js';
import { FakeClock, collectNotices, rhythmRanking } from './fakes.js';
import { FakeFtserver } from './fakeserver.js';

const SPEC = { name: 'test', summary: '', usage: '', description: '', options: sharedOptions('s', 'p', 'un', 'up', 'us'), refuses: {}, examples: [] };

function plan(port: number, password?: string) {
  const argv = ['-s', '127.0.0.1', '-p', String(port), '-un', 'admin', ...(password === undefined ? [] : ['-up', password])];
  return readConnection(parseCommandLine(argv, SPEC), {});
}

const STAT = { params: { group_by: 'IP', count_by: 'BYTES', after_time: '1795532400', before_time: '1795533000', rows: '10' } };
const rhythm = (p: Record<string, string>): StatAnswer => rhythmRanking(p, Infinity);

t.test('busy answers and lost connections are retried with backoff, and said on stderr', async (t) => {
  const server = new FakeFtserver({ busy: 0, refuse: false, stat: rhythm });
  await server.start();
  t.teardown(() => server.stop());
  const clock = new FakeClock(Date.parse('2026-11-24T15:00:00Z'));
  const { notices, lines } = collectNotices('fttcv');
  const stop = new AbortController();
  const link = await ServerLink.open(plan(server.port, 'secret'), { tool: 'fttcv', version: 'test', clock, notices, signal: stop.signal });
  server.knobs.busy = 2;
  const answer = await link.json<StatAnswer>('GET', '/api/v1/stat', STAT, 'checking the window');
  t.equal(answer.data.length, 5);
  t.same(clock.sleeps, [1000, 2000], 'waits of 1 s, then 2 s');
  t.match(lines, [
    /^fttcv: checking the window failed: the server is busy: too many queries are waiting; try again in a moment; retrying in 1 s$/,
    /retrying in 2 s$/,
    /^fttcv: the server answers again \(after 3 s\); checking the window done$/,
  ]);

  // the server goes away; the detector keeps trying until it is back (a restart: the login is renewed)
  lines.length = 0;
  clock.sleeps = [];
  await server.stop();
  const pending = link.json<StatAnswer>('GET', '/api/v1/stat', STAT, 'checking the window');
  while (lines.length < 4) await new Promise((r) => setTimeout(r, 5));
  await server.restart();
  t.equal((await pending).data.length, 5);
  t.same(clock.sleeps.slice(0, 4), [1000, 2000, 4000, 8000], 'the waits double');
  t.match(lines[0], /^fttcv: checking the window failed: the connection to 127\.0\.0\.1:\d+ broke: (connection refused|the connection was closed at once)/);
  t.ok(lines.some((l) => / broke: connection refused \(is ftserver running there\?\)/.test(l)), 'then refused while it is down');
  t.ok(lines.some((l) => /no longer knows this login \(was it restarted\?\): logging in again/.test(l)));
  t.match(lines[lines.length - 1], /^fttcv: the server answers again \(after \d+ s\); checking the window done$/);
  t.equal(server.logins.length, 2, 'logged in again once');
  t.notOk(lines.some((l) => /no longer accepts the login/.test(l)), 'at once, without a wait');
  await link.close();
});

t.test('a server away for five hours: each failure said while the waits grow, then after 1, 2, 4 … minutes, then hourly', async (t) => {
  const clock = new FakeClock(Date.parse('2026-11-24T15:00:00Z'));
  const back = clock.t + 5 * 3_600_000;
  let away = false;
  const server = new FakeFtserver({ busy: 0, refuse: false, stat: rhythm, down: () => away && clock.now() < back });
  await server.start();
  t.teardown(() => server.stop());
  const { notices, lines } = collectNotices('fttcv');
  const link = await ServerLink.open(plan(server.port, 'secret'), { tool: 'fttcv', version: 'test', clock, notices, signal: new AbortController().signal });
  away = true;
  t.equal((await link.json<StatAnswer>('GET', '/api/v1/stat', STAT, 'checking the window')).data.length, 5);
  t.equal(clock.sleeps.length, 1 + (5 * 3600 - 15) / 15 + 3, 'retried every 15 s once the waits stopped growing');
  t.match(lines, [
    /^fttcv: checking the window failed: the connection to 127\.0\.0\.1:\d+ broke: .*; retrying in 1 s$/,
    /failed: .*; retrying in 2 s$/,
    /failed: .*; retrying in 4 s$/,
    /failed: .*; retrying in 8 s$/,
    ...['1 min', '2 min', '4 min', '8 min', '16 min', '32 min', '64 min', '2 h', '3 h', '4 h'].map((d) => new RegExp(`^fttcv: checking the window still fails after ${d}: the connection to .*; retrying every 15 s$`)),
    /^fttcv: the server no longer knows this login \(was it restarted\?\): logging in again$/,
    /^fttcv: the server answers again \(after 18000 s\); checking the window done$/,
  ]);
  t.equal(lines.length, 16, 'sixteen lines for five hours and 1203 attempts');
  await link.close();
});

t.test('refusals are not retried; a stopped link stops retrying', async (t) => {
  const server = new FakeFtserver({ busy: 0, refuse: true, stat: rhythm });
  await server.start();
  t.teardown(() => server.stop());
  const clock = new FakeClock(0);
  const { notices } = collectNotices('fttcv');
  const stop = new AbortController();
  const link = await ServerLink.open(plan(server.port, 'secret'), { tool: 'fttcv', version: 'test', clock, notices, signal: stop.signal });
  await t.rejects(link.json('GET', '/api/v1/stat', STAT, 'x'), UsageError);
  t.equal(server.statCalls.length, 1);
  server.knobs.refuse = false;
  server.knobs.busy = 1_000_000;
  const call = new AbortController();
  const pending = link.json('GET', '/api/v1/stat', STAT, 'x', call.signal);
  while (server.statCalls.length < 4) await new Promise((r) => setTimeout(r, 5));
  call.abort('SIGTERM');
  await t.rejects(pending, Stopped);
  stop.abort('stopping');
  await t.rejects(link.json('GET', '/api/v1/stat', STAT, 'x'), Stopped);
  await link.close();
  await t.rejects(ServerLink.open(plan(server.port, 'wrong'), { tool: 'fttcv', version: 'test', clock, notices, signal: new AbortController().signal }), AuthFailure);
});

t.test('a typed password is asked once, and reused when the server forgets the login', async (t) => {
  const server = new FakeFtserver({ busy: 0, refuse: false, stat: rhythm });
  await server.start();
  t.teardown(() => server.stop());
  const { notices } = collectNotices('fttcv');
  let asked = 0;
  const link = await ServerLink.open(plan(server.port), {
    tool: 'fttcv',
    version: 'test',
    clock: new FakeClock(0),
    notices,
    signal: new AbortController().signal,
    askPassword: async () => {
      asked++;
      return 'secret';
    },
  });
  server.tokens.clear();
  await link.json('GET', '/api/v1/stat', STAT, 'x');
  t.equal(asked, 1);
  t.same(server.logins.map((l) => (l as { password: string }).password), ['secret', 'secret']);
  await link.close();
});

t.test('fttcv from its command line: trains, reports, records in the server, stops on SIGTERM', async (t) => {
  const start = Date.parse('2026-11-24T10:03:30-05:00');
  const loudFrom = Date.parse('2026-11-24T10:05:00-05:00');
  const signals = new EventEmitter();
  const server = new FakeFtserver({
    busy: 0,
    refuse: false,
    stat: (p) => {
      const windows = server.statCalls.filter((c) => c.slices === undefined).length;
      if (windows === 6) setImmediate(() => signals.emit('SIGTERM'));
      return rhythmRanking(p, loudFrom);
    },
  });
  await server.start();
  t.teardown(() => server.stop());
  const argv = ['-s', '127.0.0.1', '-p', String(server.port), '-un', 'admin', '-up', 'secret', '-tn', '9d', '-snd', '-q', 'ADDR=10.0.0.0/8', '-j', '-v', '-ll', 'WARNING'];
  const { code, stdout: out, stderr: err } = await runCommand(fttcv, argv, {}, { clock: new FakeClock(start), signals });
  t.equal(code, 0, err);
  const lines = err.split('\n');
  // 32 MB (-bm default) → 32768 rows a query → 12 slots a query (409,600 cells) → 1295 slots of 9 days in
  // 108. Nine days, not three: slot 10:00 then has 8 observations, and its deviation widened for them
  // (×1.60; ×96 for the 2 of three days) still shows 10.0.0.2's loud minutes from the first window that
  // holds one
  t.same(lines.slice(0, 2), ['Learning...', 'Estimated iterations: 108']);
  t.ok(lines.includes('Training complete, tracking 5 entities...'));
  t.match(lines.filter((l) => l.startsWith('fttcv: stopped')), [/^fttcv: stopped \(SIGTERM\) after 6 windows and 3 alerts; the last window checked ended 11\/24\/2026 10:12:00$/]);
  const alerts = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(
    alerts.map((a) => [a.alert_type, a.target_ip, a.severity, a.window_end_utc]),
    [6, 8, 10].map((m) => ['volume_high', '10.0.0.2', 4, Date.parse(`2026-11-24T10:${String(m).padStart(2, '0')}:00-05:00`) / 1000]),
  );
  t.same(server.alerts.map((a) => a.id), alerts.map((a) => a.id), 'each alert recorded in the server, in order');
  t.same(server.alerts[0], Object.fromEntries(Object.entries(alerts[0]!).filter(([k]) => !['time_utc', 'severity_name', 'window_start_utc', 'window_end_utc', 'detail'].includes(k))));
  const windowQuery = server.statCalls.find((c) => c.slices === undefined)!;
  t.match(windowQuery, { group_by: 'IP', count_by: 'BYTES', direction: 'snd', query: 'ADDR=10.0.0.0/8', rows: '32768' });
});
