// ftdos against an ftserver that goes away: restarted while a window is due (the detector retries
// with backoff, says so, logs in again and checks that window late — no window twice, none
// skipped), still detecting a flood afterwards, and stopping cleanly on SIGTERM while the server is
// down. Also the usage errors of the launchers themselves.
import t from 'tap';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../lib/ftserver.js';
import { DetectorProcess } from './detectorprocess.js';
import { Feeder } from './feeder.js';
import { FLOOD_TARGET, SCENARIO_TZ, minuteOf, serverIp } from './rhythmtraffic.js';
import { printedInstant } from './printedtime.js';

t.setTimeout(12 * 60_000);

const SETTLE_S = 15;
const STEP_MS = 120_000;
const SERVER_ARGS = ['--sessiontimeout', '0'];

t.test('the launchers refuse bad parameters before connecting', async (t) => {
  for (const [tool, args, pattern] of [
    ['ftdos', ['-un', 'admin', '-bg', 'HOUR'], /^ftdos: -bg 'HOUR' is not a granularity/],
    ['fttcv', ['-un', 'admin', '-grp', 'IP', '-cnt', 'UNIQUE', 'SRVPORT'], /^fttcv: -cnt UNIQUE 'SRVPORT' is not an entity to count/],
    ['fttcv', ['-un', 'admin', '-lp', '514'], /^fttcv: -lp needs -lh as well/],
  ] as const) {
    const d = new DetectorProcess(tool, args, {});
    const res = await d.exited;
    t.equal(res.code, 2, `${tool} ${args.join(' ')}`);
    t.match(d.stderr.map((l) => l.line).join('\n'), pattern);
    t.same(d.stdout, []);
  }
});

t.test('ftdos rides out a server restart and stops on SIGTERM while the server is away', async (t) => {
  let server: RunningServer = await startServer({ args: SERVER_ARGS });
  t.teardown(() => server.stop());
  const feeder = new Feeder(server.ports);
  t.teardown(() => feeder.stop());
  const m0 = minuteOf(Date.now());
  await feeder.history(m0 - 3 * 1440 - 30, m0);
  feeder.start(m0);
  const dos = new DetectorProcess(
    'ftdos',
    ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-tn', '3d', '-bd', String(SETTLE_S), '-j', '-v', '-nr'],
    { TZ: SCENARIO_TZ },
  );
  t.teardown(() => dos.stop('SIGKILL'));
  await dos.waitFor('the first window', () => dos.windowEnds().length >= 1, 5 * 60_000);

  // the server stops 10 s before the next window is due and is back 25 s after
  const due = printedInstant(dos.windowEnds()[0]!) + STEP_MS + SETTLE_S * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, due - 10_000 - Date.now())));
  await server.stop();
  const downAt = Date.now();
  await new Promise((r) => setTimeout(r, Math.max(0, due + 25_000 - Date.now())));
  server = await startServer({ dir: server.dir, ports: server.ports, args: SERVER_ARGS });
  t.comment(`server down for ${((Date.now() - downAt) / 1000).toFixed(0)} s around the window due at ${new Date(due).toISOString()}`);
  await dos.waitFor('the late window', () => dos.windowEnds().length >= 2, 3 * 60_000);
  const text = dos.stderr.map((l) => l.line).join('\n');
  t.match(text, /ftdos: checking the window \S+ \S+ to \S+ \S+ failed: the connection to 127\.0\.0\.1:\d+ broke: [^\n]*; retrying in 1 s/, 'the loss is said');
  t.match(text, /retrying in 2 s/, 'with backoff');
  t.match(text, /ftdos: the server no longer knows this login \(was it restarted\?\): logging in again/);
  t.notMatch(text, /no longer accepts the login/, 'the login is renewed at once, not after a wait');
  t.match(text, /ftdos: the server answers again \(after \d+ s\); checking the window \S+ \S+ to \S+ \S+ done/);
  for (const l of dos.stderr) if (/ failed: | answers again | no longer knows /.test(l.line)) t.comment(l.line);

  // it still works: a flood after the restart is found
  feeder.anomalies.fromMs = Date.now();
  await dos.waitFor('the flood', () => dos.alerts().some((a) => a.target_ip === serverIp(FLOOD_TARGET)), (2 * 60 + SETTLE_S + 60) * 1000);

  // the server goes away again; SIGTERM while the detector is retrying stops it cleanly
  const failures = dos.stderr.filter((l) => / failed: /.test(l.line)).length;
  await server.stop();
  await dos.waitFor('a failure', () => dos.stderr.filter((l) => / failed: /.test(l.line)).length > failures, 3 * 60_000);
  const res = await dos.stop('SIGTERM');
  t.equal(res.code, 0, 'exit 0');
  t.match(dos.stderr[dos.stderr.length - 1]!.line, /^ftdos: stopped \(SIGTERM\) after \d+ windows? and \d+ alerts?; the last window checked ended /);
  const ends = dos.windowEnds().map(printedInstant);
  t.ok(ends.length >= 3);
  t.ok(ends.every((e, i) => i === 0 || e - ends[i - 1]! === STEP_MS), `every window once, in order, none skipped: ${dos.windowEnds().join(', ')}`);
  t.ok(ends.includes(due - SETTLE_S * 1000), 'the window due while the server was away was checked');
});
