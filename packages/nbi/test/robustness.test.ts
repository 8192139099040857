// The detectors where a sceptical user pokes (issue #6 review): a stop while the server does not answer
// the login or while a retry waits, stdout closed by its reader, parameters of other detectors, ftbl's
// list URL on a blocked port and its load line, and the connection message when nothing was answered.
process.env.TZ = 'America/New_York';

import { EventEmitter } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { parseCommandLine, readConnection, sharedOptions, type RunStreams, type StatAnswer } from '@opentraq/cli';
import type { Clock } from '../src/engine/clock.js';
import { Notices } from '../src/engine/notices.js';
import { ServerLink } from '../src/engine/serverlink.js';
import { Stopped } from '../src/engine/stopped.js';
import { describeLoad } from '../src/ftbl/blacklistkeeper.js';
import { Blacklist } from '../src/ftbl/blacklist.js';
import { main as ftbfg } from '../src/ftbfg/main.js';
import { main as ftbl } from '../src/ftbl/main.js';
import { readListText } from '../src/ftbl/readlisttext.js';
import { main as ftdos } from '../src/ftdos/main.js';
import { main as ftscan } from '../src/ftscan/main.js';
import { main as fttcv } from '../src/fttcv/main.js';
import { main as ftth } from '../src/ftth/main.js';
import { expectRefusals, runCommand } from './commandrun.js';
import { FakeClock, rhythmRanking } from './fakes.js';
import { FakeFtserver } from './fakeserver.js';

const SPEC = { name: 'test', summary: '', usage: '', description: '', options: sharedOptions('s', 'p', 'un', 'up', 'us'), refuses: {}, examples: [] };

function plan(port: number) {
  return readConnection(parseCommandLine(['-s', '127.0.0.1', '-p', String(port), '-un', 'admin', '-up', 'secret'], SPEC), {});
}

const STAT = { params: { group_by: 'IP', count_by: 'BYTES', after_time: '1795532400', before_time: '1795533000', rows: '10' } };

/** A TCP server that accepts connections and reads requests but never answers; `onRequest` sees each one's first bytes. */
async function silentServer(t: Test, onRequest: () => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    sockets.add(c);
    c.once('data', onRequest);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const c of sockets) c.destroy();
    await new Promise((r) => server.close(r));
  });
  return (server.address() as AddressInfo).port;
}

/** Notices whose lines are kept, and `onLine` called with each as it is said. */
function watchedNotices(tool: string, onLine: (line: string) => void = () => undefined): { notices: Notices; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter((x) => x !== '')) {
        lines.push(l);
        onLine(l);
      }
      cb();
    },
  });
  return { notices: new Notices(tool, stream as unknown as NodeJS.WriteStream), lines };
}

/** A clock whose waits end only when they are aborted: a stop during a retry wait must end it. */
const WAITING_FOREVER: Clock = {
  now: () => Date.parse('2026-11-24T15:00:00Z'),
  nowUs: () => Date.parse('2026-11-24T15:00:00Z') * 1000,
  sleep: (_ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    }),
};

t.test('SIGTERM while the server accepts the connection but never answers the login: a clean stop, exit 0', { timeout: 60_000 }, async (t) => {
  const signals = new EventEmitter();
  const port = await silentServer(t, () => setImmediate(() => signals.emit('SIGTERM')));
  const r = await runCommand(ftdos, ['-s', '127.0.0.1', '-p', String(port), '-un', 'admin', '-up', 'secret'], {}, { signals });
  t.equal(r.code, 0, 'the exit code of a stop (docs/nbi.md, Stopping)');
  t.equal(r.stderr, `ftdos: stopped (SIGTERM) before the first window, while logging in to 127.0.0.1:${port}\n`, 'no word of a failure to connect');
  t.equal(r.stdout, '');
  t.equal(signals.listenerCount('SIGTERM'), 0, 'the handlers are gone');
});

t.test('a stop while a forgotten login is renewed, and while a retry waits: Stopped at once', { timeout: 60_000 }, async (t) => {
  // logs in once, forgets the login at the first query, then leaves every later login unanswered
  let logins = 0;
  const call = new AbortController();
  const server = http.createServer((req, res) => {
    if (req.url === '/api/v1/auth' && logins++ === 0) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ auth_token: 'tok', username: 'admin', admin: true }));
    } else if (req.url === '/api/v1/auth') {
      call.abort('SIGTERM');
    } else {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unknown token', code: 'TOKEN_EXPIRED' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const port = (server.address() as AddressInfo).port;
  const linkStop = new AbortController();
  const { notices, lines } = watchedNotices('ftdos');
  const link = await ServerLink.open(plan(port), { tool: 'ftdos', version: 'test', clock: WAITING_FOREVER, notices, signal: linkStop.signal });
  await t.rejects(link.json('GET', '/api/v1/stat', STAT, 'checking the window', call.signal), Stopped, 'the unanswered login is not waited for');
  t.same(lines, ['ftdos: the server no longer knows this login (was it restarted?): logging in again']);
  linkStop.abort('stopping');
  await link.close();

  // a server that has gone away: the failure says nothing was answered, and the stop ends the wait
  const gone = new FakeFtserver({ busy: 0, refuse: false, stat: (p) => rhythmRanking(p, Infinity) });
  await gone.start();
  const waiting = new AbortController();
  const second = watchedNotices('ftdos', (l) => {
    if (l.includes('retrying in')) waiting.abort('SIGTERM');
  });
  const link2 = await ServerLink.open(plan(gone.port), { tool: 'ftdos', version: 'test', clock: WAITING_FOREVER, notices: second.notices, signal: new AbortController().signal });
  await gone.stop();
  await t.rejects(link2.json('GET', '/api/v1/stat', STAT, 'checking the window', waiting.signal), Stopped, 'the retry wait ends with the stop');
  t.equal(second.lines.length, 1);
  t.match(second.lines[0], /^ftdos: checking the window failed: the connection to 127\.0\.0\.1:\d+ broke: .*; nothing was answered.*; retrying in 1 s$/);
  t.notMatch(second.lines[0], /incomplete/, 'an answer that never began is not called incomplete');
  await link2.close();

  // and when the connection is refused from the first byte, no server log is pointed at either
  const refused = new FakeFtserver({ busy: 0, refuse: false, stat: (p) => rhythmRanking(p, Infinity) });
  await refused.start();
  const third = watchedNotices('ftdos', (l) => {
    if (l.includes('retrying in')) stop3.abort('SIGTERM');
  });
  const stop3 = new AbortController();
  const link3 = await ServerLink.open(plan(refused.port), { tool: 'ftdos', version: 'test', clock: WAITING_FOREVER, notices: third.notices, signal: new AbortController().signal });
  await link3.json('GET', '/api/v1/stat', STAT, 'warming up');
  await refused.stop();
  // the client has seen its kept-alive connection close: the next request opens a new one, which is refused
  await new Promise((r) => setTimeout(r, 100));
  await t.rejects(link3.json('GET', '/api/v1/stat', STAT, 'checking the window', stop3.signal), Stopped);
  t.same(third.lines, [`ftdos: checking the window failed: the connection to 127.0.0.1:${refused.port} broke: connection refused (is ftserver running there?); nothing was answered; retrying in 1 s`]);
  await link3.close();
});

/** A detector run whose stdout the test can end; resolves with the exit code and stderr. */
async function runWithStdout(main: typeof fttcv, argv: string[], stdout: PassThrough, opts: Parameters<typeof fttcv>[2]): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  stdout.resume();
  const streams: RunStreams = { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env: {} };
  const code = await main(argv, streams, opts);
  return { code, stderr: err };
}

t.test('stdout closed by its reader, or failing, while nothing is being written: the detector stops after that window', async (t) => {
  const cases = [
    { name: 'EPIPE', error: Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32 }), code: 0, reason: 'stdout was closed by its reader', after: '' },
    {
      name: 'ENOSPC',
      error: Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC', errno: -28 }),
      code: 1,
      reason: 'stdout cannot be written',
      after: 'fttcv: cannot write the output: no space left on device (ENOSPC)\n',
    },
  ];
  for (const c of cases) {
    const stdout = new PassThrough();
    // the loud host alerts from the sixth window on; stdout ends during the second window's query, when no alert is being written
    const loudFrom = Date.parse('2026-11-24T10:05:00-05:00');
    const server = new FakeFtserver({
      busy: 0,
      refuse: false,
      stat: (p) => {
        if (p.slices === undefined && server.statCalls.filter((s) => s.slices === undefined).length === 2) setImmediate(() => stdout.destroy(c.error));
        return rhythmRanking(p, loudFrom);
      },
    });
    await server.start();
    t.teardown(() => server.stop());
    const signals = new EventEmitter();
    // a run that did not stop would go on to window 6 and beyond; the test stops it there so that it fails rather than hangs
    server.knobs.stat = ((inner) => (p: Record<string, string>): StatAnswer => {
      if (p.slices === undefined && server.statCalls.filter((s) => s.slices === undefined).length === 8) setImmediate(() => signals.emit('SIGTERM'));
      return inner(p);
    })(server.knobs.stat);
    const argv = ['-s', '127.0.0.1', '-p', String(server.port), '-un', 'admin', '-up', 'secret', '-tn', '3d', '-snd', '-q', 'ADDR=10.0.0.0/8', '-nr'];
    const r = await runWithStdout(fttcv, argv, stdout, { clock: new FakeClock(Date.parse('2026-11-24T10:03:30-05:00')), signals });
    t.equal(r.code, c.code, `${c.name}: exit ${c.code}`);
    const stopped = r.stderr.split('\n').filter((l) => l.includes('stopped'));
    t.match(stopped, [new RegExp(`^fttcv: stopped \\(${c.reason}\\) after 2 windows and 0 alerts; the last window checked ended 11/24/2026 10:04:00$`)], `${c.name}: no window after it`);
    t.equal(server.statCalls.filter((s) => s.slices === undefined).length, 2, `${c.name}: no further window was asked for`);
    t.ok(r.stderr.endsWith(`${stopped[0]}\n${c.after}`), `${c.name}: the last lines`);
  }
});

t.test('parameters of other detectors are refused with whose they are; long names of refused ones too', async (t) => {
  const head = ['-un', 'admin', '-up', 'x'];
  await expectRefusals(t, (argv) => runCommand(fttcv, argv), head, [
    [['-bc', '3'], /^fttcv: -bc does not apply to fttcv: it is a parameter of ftbfg \(complexity index 1–16: /],
    [['--complexity', '3'], /^fttcv: --complexity does not apply to fttcv: it is a parameter of ftbfg/],
    [['-bl', 'list.txt'], /^fttcv: -bl does not apply to fttcv: it is a parameter of ftbl \(the list: /],
    [['-bi', '60'], /^fttcv: -bi does not apply to fttcv: it is a parameter of ftth and ftbl \(/],
  ]);
  await expectRefusals(t, (argv) => runCommand(ftdos, argv), head, [
    [['--no-low'], /^ftdos: --no-low does not apply to ftdos: ftdos reports only targets above their baseline; LOW alerts are fttcv's\n$/],
    [['--group', 'IP'], /^ftdos: --group does not apply to ftdos: ftdos always tracks the sessions each address accepts/],
    [['-bw', '10'], /^ftdos: -bw does not apply to ftdos: it is a parameter of ftth \(/],
  ]);
  await expectRefusals(t, (argv) => runCommand(ftscan, argv), head, [[['--rate-window', '10'], /^ftscan: --rate-window does not apply to ftscan: it is a parameter of ftth/]]);
  await expectRefusals(t, (argv) => runCommand(ftbfg, argv), head, [[['-br', '2'], /^ftbfg: -br does not apply to ftbfg: it is a parameter of ftbl \(how often the list/]]);
  await expectRefusals(t, (argv) => runCommand(ftth, argv), head, [
    [['--deviations', '3'], /^ftth: --deviations does not apply to ftth: ftth keeps no baselines/],
    [['-bc', '2'], /^ftth: -bc does not apply to ftth: it is a parameter of ftbfg/],
  ]);
  await expectRefusals(t, (argv) => runCommand(ftbl, argv), head, [[['-bl', 'x', '-bnl'], /^ftbl: -bnl does not apply to ftbl: /]]);
  const unknown = await runCommand(fttcv, [...head, '-bz', '3']);
  t.match(unknown, { code: 2, stderr: /^fttcv: unknown parameter '-bz'/ }, 'a parameter no detector takes is still unknown');
});

t.test('ftbl: a list URL on a port fetch refuses is a usage error that says so; a redirect to one is named too', async (t) => {
  const head = ['-un', 'admin', '-up', 'x'];
  await expectRefusals(t, (argv) => runCommand(ftbl, argv), head, [
    [
      ['-bl', 'http://127.0.0.1:1/x'],
      /^ftbl: -bl 'http:\/\/127\.0\.0\.1:1\/x': the list cannot be downloaded from port 1: Node\.js's fetch refuses the ports the Fetch standard blocks, those of other protocols \(25 for mail, 6000 for X11 \.\.\.\); serve it on another port, e\.g\. 8080\n$/,
    ],
    [['--blacklist', 'https://user:pw@lists.example.net:6000/drop.txt?key=1'], /^ftbl: --blacklist 'https:\/\/lists\.example\.net:6000\/drop\.txt\?\.\.\.': the list cannot be downloaded from port 6000: /],
  ]);
  const server = http.createServer((_req, res) => {
    res.writeHead(302, { location: 'http://127.0.0.1:25/list.txt' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((r) => server.close(r)));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/list.txt`);
  await t.rejects(readListText({ kind: 'url', url, display: url.href }, new AbortController().signal), {
    code: 'LIST_DOWNLOAD_FAILED',
    message: `cannot download the list ${url.href}: it redirects to a port that cannot be downloaded from: Node.js's fetch refuses the ports the Fetch standard blocks, those of other protocols (25 for mail, 6000 for X11 ...)`,
  });
});

t.test("ftbl's load line counts what was loaded, and says why lines were skipped", async (t) => {
  const list = (n: number): Blacklist => new Blacklist([], 1000, { addresses: n, blocks: 0, hostnames: 0, hostAddresses: 0 }, 0);
  const bad = (n: number) => Array.from({ length: n }, (_, i) => ({ line: i + 1, text: 'x', why: 'x' }));
  t.equal(describeLoad({ list: list(1), bad: [], unresolved: 0, entries: 1 }), '1 entry: 1 address, 0 blocks; 0 queries a window');
  t.equal(describeLoad({ list: list(2), bad: bad(1), unresolved: 0, entries: 2 }), '2 entries: 2 addresses, 0 blocks; 1 line skipped (malformed); 0 queries a window');
  t.equal(describeLoad({ list: list(2), bad: bad(1), unresolved: 1, entries: 2 }), '2 entries: 2 addresses, 0 blocks; 1 line skipped (a hostname that does not resolve); 0 queries a window');
  t.equal(
    describeLoad({ list: list(2), bad: bad(4), unresolved: 3, entries: 2 }),
    '2 entries: 2 addresses, 0 blocks; 4 lines skipped (1 malformed, 3 hostnames that do not resolve); 0 queries a window',
  );
});
