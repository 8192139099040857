// ftbl: its parameters; list parsing (comments, IPv6, CIDR, hostnames, bad lines with their numbers);
// the lookup and the filter terms split to fit a request; loading from a file and from a local http
// server (redirects, errors, time limits); reloads that keep the old list on failure; a window's
// sessions turned into one alert per pair; and a whole run from the command line to SIGTERM.
process.env.TZ = 'Asia/Kolkata';

import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseIp } from '@opentraq/core';
import { Blacklist, cidrText, encodedLength } from '../src/ftbl/blacklist.js';
import { MAX_PAIR_ALERTS, MAX_QUERY_CHARS, BlacklistDetector } from '../src/ftbl/blacklistdetector.js';
import { BlacklistKeeper, RETRY_AFTER_FAILURE_MS } from '../src/ftbl/blacklistkeeper.js';
import { loadBlacklist, MAX_LIST_VALUES, type ListLoader } from '../src/ftbl/loadblacklist.js';
import { displayUrl, type ListSource } from '../src/ftbl/listsource.js';
import { main as ftbl } from '../src/ftbl/main.js';
import { parseBlacklist } from '../src/ftbl/parseblacklist.js';
import { readListText } from '../src/ftbl/readlisttext.js';
import { SYSTEM_RESOLVER, resolveHostnames, type Resolver } from '../src/ftbl/resolvehostnames.js';
import { Episodes } from '../src/output/episodes.js';
import { expectHelp, expectRefusals, runCommand, type CommandRun } from './commandrun.js';
import { FakeClock, FakeLink, collectNotices, type Call } from './fakes.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbl-test-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
let files = 0;
function listFile(text: string): string {
  const f = path.join(tmp, `list${++files}.txt`);
  fs.writeFileSync(f, text);
  return f;
}
const fileSource = (f: string): ListSource => ({ kind: 'file', path: f, display: f });
const noStop = new AbortController().signal;
/** Kolkata local time (+05:30). */
const at = (local: string): number => Date.parse(`${local}+05:30`);

/** A resolver that knows a few names, as a DNS server would answer them. */
const stubResolver: Resolver = async (host) => {
  const known: Record<string, string[]> = { 'c2.example.net': ['198.51.100.20', '2001:db8:c2::1'], 'bad.example.org': ['192.0.2.66'] };
  const a = known[host];
  if (a === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return a;
};

const loader = (source: ListSource, over: Partial<ListLoader> = {}): ListLoader => ({ source, resolve: stubResolver, termBudget: 8000, ...over });

const run = (argv: string[], opts: Parameters<typeof ftbl>[2] = {}): Promise<CommandRun> => runCommand(ftbl, argv, {}, { resolve: stubResolver, ...opts });

/** A small HTTP server; `routes` answer by path, everything else 404. */
async function httpServer(routes: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => routes(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

t.test('parameters: every mistake is a usage error (exit 2) before anything is read or sent', async (t) => {
  const good = listFile('192.0.2.1\n');
  const cases: [string[], RegExp][] = [
    [[], /^ftbl: ftbl needs its list: -bl FILE or -bl URL \(one address, CIDR block or hostname a line\), e\.g\. -bl \/etc\/opentraq\/blacklist\.txt\n$/],
    [['-bl', ''], /-bl is empty: give the list's file or its http\(s\) URL/],
    [['-bl', 'ftp://lists.example.net/drop.txt'], /-bl 'ftp:\/\/lists\.example\.net\/drop\.txt': ftp:\/\/ is not supported; give a file, or an http:\/\/ or https:\/\/ URL/],
    [['-bl', 'http://[::1'], /-bl 'http:\/\/\[::1' is not a valid URL/],
    [['-bl', good, '-br', '0'], /-br '0' is not a reload interval in hours: give a number from 0\.01 to 8760/],
    [['-bl', good, '-br', '1e2'], /-br '1e2' is not a reload interval in hours/],
    [['-bl', good, '-bi', '70'], /-bi 70 does not divide an hour: .* e\.g\. 60 or 72/],
    [['-bl', good, '-bt', '5'], /-bt does not apply to ftbl: ftbl reports every session with a listed address, however few/],
    [['-bl', good, '-grp', 'IP'], /-grp does not apply to ftbl: ftbl reports sessions with listed addresses, not a ranking/],
    [['-bl', good, '-tn', '1h'], /-tn does not apply to ftbl: ftbl learns nothing/],
    [['-bl', good, '-bg', 'DAY'], /-bg does not apply to ftbl: ftbl keeps no baselines/],
    [['-bl', good, '-q', `ADDR=${Array.from({ length: 800 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',')}`], /^ftbl: -q is too long for ftbl: each query carries it beside part of the list/],
    [['-bl', good, '-q', 'SRCIP=1.2.3.4'], /bad filter: unknown field 'SRCIP'/],
    [['-bl', good, '-lf', 'LOCAL3'], /-lf needs -lh as well/],
    // the list is read before the connection: a bad list ends ftbl even with no server there
    [['-bl', path.join(tmp, 'missing.txt')], /^ftbl: -bl: cannot read the list .*missing\.txt: no such file\n$/],
    [['-bl', tmp], /^ftbl: -bl: cannot read the list .*: it is a directory, not a file\n$/],
    [['-bl', listFile('# nothing yet\n\n')], /^ftbl: -bl: the list .* is empty: it has no entries \(only blank lines and comments\)\n$/],
    [['-bl', listFile('1.2.3.999\nnope.invalid\n')], /is empty: none of its 2 entries is a usable address, block or hostname \(line 1: '1\.2\.3\.999' is not an IPv4 address; line 2: 'nope\.invalid' does not resolve: no such host\)/],
  ];
  await expectRefusals(t, run, ['-s', '127.0.0.1', '-p', '1', '-un', 'admin', '-up', 'x'], cases);
  await expectHelp(t, run, ['-bl', '-br', '-bi', '-bd', '-q', '-e', '-lh', '-j', '-nr']);
  // a list that is fine, and no server: the connection's exit code, after the list was loaded
  const down = await run(['-s', '127.0.0.1', '-p', '1', '-un', 'admin', '-up', 'x', '-bl', good]);
  t.equal(down.code, 4);
  t.match(down.stderr, new RegExp(`^ftbl: loaded the list ${good.replace(/[.]/g, '\\.')}: 1 entry: 1 address, 0 blocks; 1 query a window; next load in 24 hours\nftbl: cannot connect to 127\\.0\\.0\\.1:1`));
});

t.test('list lines: addresses, blocks and hostnames; comments and blank lines; bad lines with their numbers', async (t) => {
  const text = [
    '\uFEFF# a blacklist',
    '192.0.2.1',
    '  203.0.113.0/24   # a block, with a comment',
    '',
    '2001:DB8:BAD::/48',
    '2001:db8::1',
    '::ffff:198.51.100.7',
    '10.20.30.40/16 ; host bits set',
    'C2.Example.NET.',
    '1.2.3.256',
    '10.0.0.0/33',
    '2001:db8::/129',
    '1.2.3.4:80',
    'http://bad.example/x',
    '*.bad.example',
    'two words',
    '1.2.3',
    'bad!host',
    'x'.repeat(1001),
    '\t',
  ].join('\r\n');
  const { entries, bad } = parseBlacklist(text);
  t.same(
    entries.map((e) => [e.line, e.kind, e.text, e.kind === 'hostname' ? e.host : cidrText(e.cidr)]),
    [
      [2, 'address', '192.0.2.1', '192.0.2.1'],
      [3, 'block', '203.0.113.0/24', '203.0.113.0/24'],
      [5, 'block', '2001:DB8:BAD::/48', '2001:db8:bad::/48'],
      [6, 'address', '2001:db8::1', '2001:db8::1'],
      [7, 'address', '::ffff:198.51.100.7', '198.51.100.7'],
      [8, 'block', '10.20.30.40/16', '10.20.0.0/16'],
      [9, 'hostname', 'C2.Example.NET.', 'c2.example.net'],
    ],
  );
  t.same(
    bad.map((b) => [b.line, b.why]),
    [
      [10, "'1.2.3.256' is not an IPv4 address"],
      [11, "'/33' is not a prefix length for an IPv4 address (0 to 32)"],
      [12, "'/129' is not a prefix length for an IPv6 address (0 to 128)"],
      [13, "'1.2.3.4:80' has a port: list the address alone"],
      [14, "'http://bad.example/x' is a URL: list its hostname or address alone"],
      [15, "'*.bad.example': wildcards are not supported; list each hostname"],
      [16, "one address, block or hostname a line: 'two words' has several words"],
      [17, "'1.2.3' is not an IPv4 address"],
      [18, "'bad!host' is not an address, a CIDR block or a hostname"],
      [19, 'the line is longer than 1000 characters'],
    ],
  );
});

t.test('the lookup: the most specific entry, every query a session comes back from, terms that fit', async (t) => {
  const entry = (line: number, text: string) => ({ line, text });
  const cidr = (text: string) => {
    const e = parseBlacklist(text).entries[0]!;
    if (e.kind === 'hostname') throw new Error('not a block');
    return e.cidr;
  };
  const listed = [
    { cidr: cidr('10.0.0.0/8'), entry: entry(1, '10.0.0.0/8') },
    ...Array.from({ length: 8 }, (_, i) => ({ cidr: cidr(`198.18.0.${i}`), entry: entry(2 + i, `198.18.0.${i}`) })),
    { cidr: cidr('10.1.2.3'), entry: entry(10, '10.1.2.3') },
    { cidr: cidr('10.0.0.0/8'), entry: entry(11, '10.0.0.0/8') },
    { cidr: cidr('2001:db8::/32'), entry: entry(12, '2001:db8::/32') },
  ];
  // a budget of 40 encoded characters: ADDR=10.0.0.0%2F8 (16) + %2C198.18.0.0 (14) fits, the next does not
  const list = new Blacklist(listed, 40, { addresses: 9, blocks: 3, hostnames: 0, hostAddresses: 0 }, 0);
  t.equal(list.size, 11, 'the same block twice is listed once');
  t.ok(list.terms.every((term) => encodedLength(term) <= 40), 'every term within the budget');
  t.same(list.terms.slice(0, 2), ['ADDR=10.0.0.0/8,198.18.0.0', 'ADDR=198.18.0.1,198.18.0.2']);
  t.same(list.terms.join(',').replace(/ADDR=/g, '').split(','), list.values.map((v) => v.filterText), 'every value in exactly one term, in order');
  const hit = list.lookup('10.1.2.3')!;
  t.equal(hit.value.entry.text, '10.1.2.3', 'the address, not the block that holds it');
  t.equal(hit.firstChunk, 0, 'the block in the first term returns it first');
  t.equal(list.lookup('10.200.0.1')!.value.entry.line, 1);
  t.equal(list.lookup('198.18.0.5')!.firstChunk, list.values.find((v) => v.filterText === '198.18.0.5')!.chunk);
  t.equal(list.lookup('2001:db8:ffff::1')!.value.filterText, '2001:db8::/32');
  t.equal(list.lookup('11.0.0.1'), null);
  t.equal(list.lookup('::ffff:10.9.9.9')!.value.filterText, '10.0.0.0/8', 'IPv4-mapped IPv6 is IPv4');
  t.equal(list.lookup('not an address'), null);
});

t.test('loading from a file: hostnames resolved (a stub, and the system resolver for localhost)', async (t) => {
  const f = listFile('192.0.2.1\n203.0.113.0/24\nc2.example.net\ngone.example.com\nlocalhost\n1.2.3.999\n');
  const loaded = await loadBlacklist(loader(fileSource(f)), noStop, 1234);
  t.same(
    loaded.list.values.map((v) => [v.filterText, v.entry.line, v.entry.text]),
    [
      ['192.0.2.1', 1, '192.0.2.1'],
      ['203.0.113.0/24', 2, '203.0.113.0/24'],
      ['198.51.100.20', 3, 'c2.example.net'],
      ['2001:db8:c2::1', 3, 'c2.example.net'],
    ],
    'the stub knows c2.example.net (two addresses); localhost it does not',
  );
  t.same(
    loaded.bad.map((b) => [b.line, b.why]),
    [
      [4, "'gone.example.com' does not resolve: no such host"],
      [5, "'localhost' does not resolve: no such host"],
      [6, "'1.2.3.999' is not an IPv4 address"],
    ],
  );
  t.match(loaded, { entries: 3, unresolved: 2, list: { loadedAtMs: 1234, counts: { addresses: 1, blocks: 1, hostnames: 1, hostAddresses: 2 } } });
  const system = await loadBlacklist(loader(fileSource(listFile('localhost\n')), { resolve: SYSTEM_RESOLVER }), noStop, 0);
  t.ok(system.list.lookup('127.0.0.1') !== null, 'localhost resolves to 127.0.0.1 by the system resolver');
  // lookups that hang are cut off
  const slow = await resolveHostnames(['slow.example'], () => new Promise(() => undefined), noStop, 50);
  t.same(slow.get('slow.example'), { addresses: [], failure: 'no answer within 0.05 s for slow.example' });
  const stop = new AbortController();
  const stopping = resolveHostnames(['slow.example', 'c2.example.net'], (h) => (h === 'slow.example' ? new Promise(() => undefined) : stubResolver(h)), stop.signal);
  stop.abort('SIGTERM');
  await t.rejects(stopping, { name: 'Stopped' }, 'a stop does not wait for lookups');
  const many = listFile(Array.from({ length: MAX_LIST_VALUES + 1 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`).join('\n'));
  await t.rejects(loadBlacklist(loader(fileSource(many)), noStop, 0), { code: 'LIST_TOO_LARGE', message: /holds 100001 addresses and blocks; ftbl takes at most 100000/ });
});

t.test('loading from a URL: redirects followed; errors, time limits and sizes said clearly', async (t) => {
  const server = await httpServer((req, res) => {
    if (req.url === '/list.txt') return res.end('192.0.2.1\nbad.example.org\n');
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/list.txt' });
      return res.end();
    }
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-length': String(100 * 2 ** 20) });
      return res.write('192.0.2.1\n');
    }
    if (req.url === '/slow') return res.write('192.0.2.1\n');
    res.writeHead(404, 'Not Found');
    res.end('no');
  });
  t.teardown(() => server.close());
  const url = (p: string): ListSource => ({ kind: 'url', url: new URL(`http://127.0.0.1:${server.port}${p}`), display: `http://127.0.0.1:${server.port}${p}` });
  t.same((await loadBlacklist(loader(url('/moved')), noStop, 0)).list.values.map((v) => v.filterText), ['192.0.2.1', '192.0.2.66']);
  await t.rejects(readListText(url('/nothing'), noStop), { code: 'LIST_DOWNLOAD_FAILED', message: `cannot download the list http://127.0.0.1:${server.port}/nothing: the server answered 404 Not Found` });
  await t.rejects(readListText(url('/huge'), noStop), { code: 'LIST_TOO_LARGE', message: /has 104857600 bytes; ftbl reads at most 67108864/ });
  await t.rejects(readListText(url('/slow'), noStop, 300), { code: 'LIST_DOWNLOAD_FAILED', message: /: no complete answer within 0\.3 s$/ });
  const gone = await httpServer(() => undefined);
  await gone.close();
  const goneUrl = `http://127.0.0.1:${gone.port}/x`;
  await t.rejects(readListText({ kind: 'url', url: new URL(goneUrl), display: goneUrl }, noStop), { code: 'LIST_DOWNLOAD_FAILED', message: `cannot download the list ${goneUrl}: connection refused` });
  const stop = new AbortController();
  const pending = readListText(url('/slow'), stop.signal);
  stop.abort('SIGTERM');
  await t.rejects(pending, { name: 'Stopped' }, 'a stop ends a download at once');
  t.equal(displayUrl(new URL('https://user:pw@lists.example.net/drop.txt?key=s3cret')), 'https://lists.example.net/drop.txt?...', 'no credentials in messages');
});

t.test('reloads: every -br, the old list kept when a reload fails, tried again 15 minutes later', async (t) => {
  const f = listFile('192.0.2.1\n');
  const clock = new FakeClock(at('2026-11-24T10:00:00'));
  const { notices, lines } = collectNotices('ftbl');
  const keeper = new BlacklistKeeper(loader(fileSource(f)), 3_600_000, clock, notices);
  const first = await keeper.start(noStop);
  t.equal(await keeper.current(noStop), first, 'not due yet: the same list');
  fs.writeFileSync(f, '192.0.2.1\n192.0.2.2\nno such thing\n');
  clock.t += 3_600_000;
  const second = await keeper.current(noStop);
  t.equal(second.size, 2, 'reloaded after an hour');
  fs.rmSync(f);
  clock.t += 3_600_000;
  t.equal(await keeper.current(noStop), second, 'a failed reload keeps the list');
  clock.t += RETRY_AFTER_FAILURE_MS - 1;
  t.equal(await keeper.current(noStop), second, 'and is not tried again at once');
  fs.writeFileSync(f, '   \n');
  clock.t += 1;
  t.equal(await keeper.current(noStop), second, 'an empty list is a failed reload too');
  fs.writeFileSync(f, '198.51.100.0/24\n');
  clock.t += RETRY_AFTER_FAILURE_MS;
  t.same((await keeper.current(noStop)).values.map((v) => v.filterText), ['198.51.100.0/24']);
  t.same(lines, [
    `ftbl: loaded the list ${f}: 1 entry: 1 address, 0 blocks; 1 query a window; next load in 1 hour`,
    `ftbl: reloaded the list ${f}: 2 entries: 2 addresses, 0 blocks; 1 line skipped (malformed); 1 query a window; next load in 1 hour`,
    `ftbl: ${f}:3: skipped: one address, block or hostname a line: 'no such thing' has several words`,
    `ftbl: reloading the list failed: cannot read the list ${f}: no such file; the list loaded 11/24/2026 11:00:00 (2 addresses and blocks) stays in use; next attempt in 15 minutes`,
    `ftbl: reloading the list failed: the list ${f} is empty: it has no entries (only blank lines and comments); the list loaded 11/24/2026 11:00:00 (2 addresses and blocks) stays in use; next attempt in 15 minutes`,
    `ftbl: reloaded the list ${f}: 1 entry: 0 addresses, 1 block; 1 query a window; next load in 1 hour`,
  ]);
});

/** Whether `ip` lies in one of the blocks of an `ADDR=a,b/n,...` term: the test's own arithmetic. */
function inTerm(term: string, ip: string): boolean {
  const w = parseIp(ip)!;
  return term
    .replace(/^.*ADDR=/, '')
    .split(',')
    .some((v) => {
      const [a, p] = v.split('/');
      const vw = parseIp(a!)!;
      const bits = p === undefined ? 128 : a!.includes(':') ? Number(p) : 96 + Number(p);
      return [0, 1, 2, 3].every((k) => {
        const b = Math.max(0, Math.min(32, bits - 32 * k));
        const mask = b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0;
        return ((w[k]! & mask) >>> 0) === ((vw[k]! & mask) >>> 0);
      });
    });
}

interface FakeSession {
  cln: string;
  srv: string;
  port: number;
  proto?: number;
  n?: number;
}

/** A link answering GET /api/v1/sessions with the sessions that have an address in the query's term. */
function sessionsLink(sessions: readonly FakeSession[]): FakeLink {
  return new FakeLink((call: Call) => {
    const data = sessions
      .filter((s) => inTerm(call.params.query!, s.cln) || inTerm(call.params.query!, s.srv))
      .flatMap((s) => Array.from({ length: s.n ?? 1 }, () => ({ CLNIP: s.cln, SRVIP: s.srv, SRVPORT: s.port, PROTO: s.proto ?? 6, CLNPKTS: 10, SRVPKTS: 8, CLNBYTS: 1000, SRVBYTS: 500 })));
    return { columns: ['CLNIP', 'SRVIP', 'SRVPORT', 'PROTO', 'CLNPKTS', 'SRVPKTS', 'CLNBYTS', 'SRVBYTS'], data, summary: { sessions: data.length, packets: 0, bytes: 0 } };
  });
}

t.test('a window: every session with a listed address, one alert per pair, both parties and who initiated', async (t) => {
  // 2000 fillers push 198.51.100.7 into the last of several queries; the block is in the first
  const fillers = Array.from({ length: 2000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
  const f = listFile(['203.0.113.0/24', '2001:db8:bad::/48', ...fillers, '198.51.100.7', 'c2.example.net'].join('\n'));
  const detector = new BlacklistDetector({
    settings: { source: fileSource(f), reloadMs: 86_400_000 },
    selection: { query: 'PROTO=TCP || PROTO=UDP', exporter: '192.0.2.9' },
    schedule: { windowMs: 120_000, settleMs: 60_000 },
    clock: new FakeClock(at('2026-11-24T10:03:30')),
    resolve: stubResolver,
  });
  const { notices, lines } = collectNotices('ftbl');
  await detector.prepare({ notices, signal: noStop });
  const link = sessionsLink([
    { cln: '10.1.0.5', srv: '203.0.113.77', port: 443, n: 3 },
    { cln: '198.51.100.7', srv: '10.9.0.2', port: 22, n: 2 },
    { cln: '198.51.100.7', srv: '203.0.113.9', port: 80 },
    { cln: '10.1.0.6', srv: '203.0.113.78', port: 22 },
    { cln: '10.1.0.6', srv: '203.0.113.78', port: 80 },
    { cln: '10.1.0.6', srv: '203.0.113.78', port: 443, n: 2 },
    { cln: '10.1.0.6', srv: '203.0.113.78', port: 53, proto: 17 },
    { cln: '10.1.0.6', srv: '203.0.113.78', port: 8080 },
    { cln: '10.1.0.8', srv: '203.0.113.79', port: 53, proto: 17 },
    { cln: '10.1.0.8', srv: '203.0.113.79', port: 123, proto: 17 },
    { cln: '2001:db8:1::9', srv: '2001:db8:bad::5', port: 443 },
    { cln: '10.1.0.9', srv: '198.51.100.20', port: 8443 },
    { cln: '10.1.0.1', srv: '10.9.0.1', port: 443, n: 5 },
  ]);
  const window = { startMs: at('2026-11-24T10:00:00'), endMs: at('2026-11-24T10:02:00') };
  const outcome = await detector.check(window, { link, signal: noStop, notices });
  t.ok(link.calls.length >= 3, `${link.calls.length} queries for 2004 addresses and blocks`);
  for (const call of link.calls) {
    t.equal(call.path, '/api/v1/sessions');
    t.match(call.params, { after_time: String(window.startMs / 1000), before_time: String(window.endMs / 1000), exporter: '192.0.2.9', fields: 'CLNIP,SRVIP,SRVPORT,PROTO,CLNPKTS,SRVPKTS,CLNBYTS,SRVBYTS', rows: '100000' });
    t.match(call.params.query, /^\(PROTO=TCP \|\| PROTO=UDP\) && ADDR=/);
    t.ok(encodedLength(call.params.query!) <= MAX_QUERY_CHARS, 'the query fits a request');
  }
  const during = 'during 11/24/2026 10:00:00 to 11/24/2026 10:02:00';
  t.same(
    outcome.drafts.map((d) => d.text),
    [
      `blacklisted address 203.0.113.78 (listed as 203.0.113.0/24) accepted sessions from 10.1.0.6 on 5 services (443/TCP, 22/TCP, 53/UDP, ...) ${during}: 6 sessions`,
      `blacklisted address 203.0.113.77 (listed as 203.0.113.0/24) accepted sessions from 10.1.0.5 on 443/TCP ${during}: 3 sessions`,
      `blacklisted address 203.0.113.79 (listed as 203.0.113.0/24) accepted sessions from 10.1.0.8 on 53/UDP and 123/UDP ${during}: 2 sessions`,
      `blacklisted address 198.51.100.7 (listed as 198.51.100.7) initiated sessions to 10.9.0.2 on 22/TCP ${during}: 2 sessions`,
      `blacklisted address 198.51.100.20 (listed as c2.example.net) accepted sessions from 10.1.0.9 on 8443/TCP ${during}: 1 session`,
      `blacklisted address 198.51.100.7 (listed as 198.51.100.7) initiated sessions to blacklisted address 203.0.113.9 (listed as 203.0.113.0/24) on 80/TCP ${during}: 1 session`,
      `blacklisted address 2001:db8:bad::5 (listed as 2001:db8:bad::/48) accepted sessions from 2001:db8:1::9 on 443/TCP ${during}: 1 session`,
    ],
    'each pair once, most sessions first; a session both of whose addresses are listed counted once',
  );
  t.equal(outcome.summary, `16 sessions with listed addresses in 7 pairs (${link.calls.length} queries)`);
  const [svc, server, , client, , both, v6] = outcome.drafts;
  t.match(server!, {
    type: 'blacklist',
    subject: '10.1.0.5>203.0.113.77',
    facts: { target_ip: '203.0.113.77', target_mask: 32, proto: 6, server_port: 443, sources: ['10.1.0.5'], total_sources: 1, threshold_value: null, current_values: { packets_out: 30, packets_in: 24, bytes_out: 3000, bytes_in: 1500, new_conn: 3 } },
  });
  t.match(svc!.facts, { proto: null, server_port: null });
  t.match(client!.facts, { target_ip: '198.51.100.7', sources: ['10.9.0.2'] });
  t.same(Object.fromEntries(both!.fields.map((x) => [x.name, x.value])), {
    nbisource: '198.51.100.7',
    listedside: 'both',
    client: '198.51.100.7',
    server: '203.0.113.9',
    initiator: '198.51.100.7',
    cliententry: '198.51.100.7',
    serverentry: '203.0.113.0/24',
    services: '80/TCP',
    value: 1,
    clientpackets: 10,
    serverpackets: 8,
    clientbytes: 1000,
    serverbytes: 500,
    list: f,
  });
  t.match(v6!.facts, { target_ip: '2001:db8:bad::5', target_mask: 128 });
  t.same(lines.slice(1), [], 'nothing more on stderr than the load');
  // the same pair in the next window is the same episode
  const episodes = new Episodes('ftbl', detector.configuration, 120_000);
  const a = episodes.raise(server!, window.startMs, window.endMs, 1, 5);
  const b = episodes.raise(server!, window.endMs, window.endMs + 120_000, 2, 5);
  t.equal(a.record.id, b.record.id);
  t.ok(MAX_PAIR_ALERTS >= 1000);
});

t.test('ftbl from its command line: a list from a URL, reloaded, every window once, stopped by SIGTERM', async (t) => {
  const signals = new EventEmitter();
  let version = 1;
  const posted: Record<string, unknown>[] = [];
  const windows: Record<string, string>[] = [];
  const sessions: FakeSession[] = [
    { cln: '10.1.0.5', srv: '203.0.113.77', port: 443, n: 2 },
    { cln: '192.0.2.44', srv: '10.9.0.3', port: 25 },
  ];
  const server = await httpServer((req, res, body) => {
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, v: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (url.pathname === '/list.txt') {
      if (version === 3) {
        res.writeHead(500, 'Internal Server Error');
        return res.end();
      }
      return res.end(version === 1 ? '# v1\n203.0.113.0/24\n' : '# v2\n203.0.113.0/24\n192.0.2.44\n');
    }
    if (url.pathname === '/healthz') return json(200, { status: 'ok' });
    if (url.pathname === '/api/v1/auth') return json(200, { auth_token: 'tok', username: 'admin', admin: true });
    if (req.headers.authorization !== 'Bearer tok') return json(401, { error: 'log in', code: 'BAD_TOKEN' });
    if (url.pathname === '/api/v1/alerts') {
      posted.push(JSON.parse(body) as Record<string, unknown>);
      return json(201, { created: true });
    }
    if (url.pathname === '/api/v1/sessions') {
      const params = Object.fromEntries(url.searchParams);
      windows.push(params);
      const n = windows.length;
      // -br 0.02 is 72 s: the list changes after the second window (reloaded before the third), and
      // its server fails after the fourth (the reload before the fifth fails)
      if (n === 2) version = 2;
      if (n === 4) version = 3;
      if (n === 6) setImmediate(() => signals.emit('SIGTERM'));
      const answer = sessionsLink(sessions).json('GET', '/api/v1/sessions', { params }, '');
      return void answer.then((a) => json(200, a));
    }
    json(404, { error: 'no', code: 'NOT_FOUND' });
  });
  t.teardown(() => server.close());
  const listUrl = `http://127.0.0.1:${server.port}/list.txt`;
  const argv = ['-s', '127.0.0.1', '-p', String(server.port), '-un', 'admin', '-up', 'secret', '-bl', listUrl, '-br', '0.02', '-bi', '60', '-bd', '10', '-j', '-v'];
  const r = await run(argv, { clock: new FakeClock(at('2026-11-24T10:03:30')), signals });
  t.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  t.same(lines.filter((l) => !l.includes(': window ')), [
    `ftbl: loaded the list ${listUrl}: 1 entry: 0 addresses, 1 block; 1 query a window; next load in 1.2 minutes`,
    'ftbl: no training (a blacklist needs no history): every session with a listed address is reported, one alert per client and server, in windows of 60 s, each checked 10 s after it closes; the first window ends 11/24/2026 10:03:00',
    `ftbl: reloaded the list ${listUrl}: 2 entries: 1 address, 1 block; 1 query a window; next load in 1.2 minutes`,
    `ftbl: reloading the list failed: cannot download the list ${listUrl}: the server answered 500 Internal Server Error; the list loaded 11/24/2026 10:05:10 (2 addresses and blocks) stays in use; next attempt in 1.2 minutes`,
    'ftbl: stopped (SIGTERM) after 6 windows and 10 alerts; the last window checked ended 11/24/2026 10:08:00',
  ]);
  t.same(
    windows.map((w) => Number(w.before_time) * 1000),
    [3, 4, 5, 6, 7, 8].map((m) => at(`2026-11-24T10:0${m}:00`)),
    'every window once, in order',
  );
  const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const block = '203.0.113.77';
  const address = '192.0.2.44';
  t.same(
    alerts.map((a) => [a.target_ip, a.window_end_utc]),
    [[block, 3], [block, 4], [block, 5], [address, 5], [block, 6], [address, 6], [block, 7], [address, 7], [block, 8], [address, 8]].map(([ip, m]) => [ip, at(`2026-11-24T10:0${m}:00`) / 1000]),
    'the block in every window, the address from the reload on; most sessions first',
  );
  t.match(alerts.find((a) => a.target_ip === '192.0.2.44'), {
    alert_type: 'blacklist',
    detector: 'ftbl',
    sources: ['10.9.0.3'],
    message: /blacklisted address 192\.0\.2\.44 \(listed as 192\.0\.2\.44\) initiated sessions to 10\.9\.0\.3 on 25\/TCP during 11\/24\/2026 10:0\d:00 to 11\/24\/2026 10:0\d:00: 1 session$/,
    detail: { listedside: 'client', list: listUrl },
  });
  t.equal(new Set(alerts.filter((a) => a.target_ip === '203.0.113.77').map((a) => a.id)).size, 1, 'consecutive windows: one episode');
  t.same(posted.map((a) => a.id), alerts.map((a) => a.id), 'every alert recorded in the server, in order');
  t.same(windows.map((w) => w.query), ['ADDR=203.0.113.0/24', 'ADDR=203.0.113.0/24', ...Array(4).fill('ADDR=203.0.113.0/24,192.0.2.44')]);
});
