// Alert output: RFC 5424 messages held to a strict parser of the RFC's grammar, RFC 6587 framing,
// the UDP and TCP senders against real sockets, episodes and ids, JSON lines, and the server poster.
process.env.TZ = 'America/New_York';

import dgram from 'node:dgram';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { Output, UsageError } from '@opentraq/cli';
import { Stopped } from '../src/engine/stopped.js';
import type { AlertDraft } from '../src/output/alertdraft.js';
import { AlertOutput, alertJson, alertParams } from '../src/output/alertoutput.js';
import { AlertPoster } from '../src/output/alertposter.js';
import type { AlertRecord } from '../src/output/alertrecord.js';
import { Episodes } from '../src/output/episodes.js';
import { formatSyslogMessage, headerField, octetCountedFrame, syslogTimestamp, type SyslogMessage } from '../src/output/syslogmessage.js';
import { SyslogSender } from '../src/output/syslogsender.js';
import { FakeLink, collectNotices } from './fakes.js';
import { parseRfc5424, sdParams, splitOctetCounted } from './rfc5424.js';

/** nbi.md's example instant: 09/22/2014 17:04:33.441673 in New York (EDT, -04:00). */
const EXAMPLE_US = Date.parse('2014-09-22T21:04:33Z') * 1000 + 441673;

const message = (over: Partial<SyslogMessage> = {}): SyslogMessage => ({
  facility: 'LOCAL0',
  severity: 'NOTICE',
  timeUs: EXAMPLE_US,
  hostname: 'collector1',
  appName: 'ftth',
  procId: '9411',
  msgId: 'ftth',
  params: [
    ['groupby', 'IP'],
    ['nbisource', '192.168.2.112'],
    ['starttime', '09/22/2014 16:58:00'],
    ['value', 48999],
  ],
  message: 'threshold exceeded for total bytes/10s communicated by address 192.168.2.112',
  ...over,
});

t.test('RFC 5424 messages as nbi.md shows them, accepted by a strict parser', async (t) => {
  const text = formatSyslogMessage(message());
  t.equal(
    text,
    '<133>1 2014-09-22T17:04:33.441673-04:00 collector1 ftth 9411 ftth [ftth@32473 groupby="IP" nbisource="192.168.2.112" starttime="09/22/2014 16:58:00" value="48999"] threshold exceeded for total bytes/10s communicated by address 192.168.2.112',
  );
  const p = parseRfc5424(text);
  t.match(p, { pri: 133, facility: 16, severity: 5, version: 1, hostname: 'collector1', appName: 'ftth', procId: '9411', msgId: 'ftth', bom: false });
  t.same(sdParams(p, 'ftth@32473'), { groupby: 'IP', nbisource: '192.168.2.112', starttime: '09/22/2014 16:58:00', value: '48999' });
  // every facility and level maps to its PRI
  t.equal(parseRfc5424(formatSyslogMessage(message({ facility: 'LOCAL7', severity: 'EMERG' }))).pri, 23 * 8);
  t.equal(parseRfc5424(formatSyslogMessage(message({ facility: 'LOCAL3', severity: 'DEBUG' }))).pri, 19 * 8 + 7);
});

t.test('structured data escapes what it must, and odd text cannot break the message', async (t) => {
  const nasty = 'a "quoted" \\path\\ [x] ] end';
  const p = parseRfc5424(formatSyslogMessage(message({ params: [['note', nasty], ['empty', '']], hostname: 'host name é\tx', appName: '', message: 'café au lait' })));
  t.equal(sdParams(p, '-@32473').note, nasty, 'the value comes back as it was');
  t.equal(sdParams(p, '-@32473').empty, '');
  t.equal(p.hostname, 'hostnamex', 'spaces, tabs and non-ASCII are left out of header fields');
  t.equal(p.appName, '-', 'an empty field is NILVALUE');
  t.ok(p.bom, 'non-ASCII text is MSG-UTF8, with its BOM');
  t.equal(p.msg, 'café au lait');
  t.throws(() => formatSyslogMessage(message({ params: [['bad name', 'x']] })), RangeError);
  t.throws(() => formatSyslogMessage(message({ params: [['a'.repeat(33), 'x']] })), RangeError);
  t.equal(headerField('x'.repeat(300), 255).length, 255);
});

t.test('time stamps carry the local offset and microseconds', async (t) => {
  t.equal(syslogTimestamp(EXAMPLE_US), '2014-09-22T17:04:33.441673-04:00');
  t.equal(syslogTimestamp(Date.parse('2014-12-22T21:04:33Z') * 1000 + 5), '2014-12-22T16:04:33.000005-05:00', 'winter time');
  const saved = process.env.TZ;
  process.env.TZ = 'Asia/Kolkata';
  t.equal(syslogTimestamp(EXAMPLE_US), '2014-09-23T02:34:33.441673+05:30');
  process.env.TZ = 'UTC';
  t.equal(syslogTimestamp(EXAMPLE_US), '2014-09-22T21:04:33.441673+00:00');
  process.env.TZ = saved;
  for (const us of [0, 1e15, EXAMPLE_US + 999_999]) parseRfc5424(formatSyslogMessage(message({ timeUs: us })));
});

t.test('octet counting: the length in bytes, frames that split back exactly', async (t) => {
  const a = formatSyslogMessage(message());
  const b = formatSyslogMessage(message({ message: 'naïve — ünïcode' }));
  const frameA = octetCountedFrame(a);
  t.equal(frameA.toString('utf8'), `${Buffer.byteLength(a)} ${a}`);
  const stream = Buffer.concat([frameA, octetCountedFrame(b), octetCountedFrame(a).subarray(0, 20)]);
  const { messages, rest } = splitOctetCounted(stream);
  t.same(messages.map((m) => m.toString('utf8')), [a, b]);
  t.equal(rest.length, 20, 'an incomplete frame is left over');
  t.throws(() => splitOctetCounted(Buffer.from('12x<133>1')), /SP after MSG-LEN/);
});

t.test('the UDP sender: one datagram per message, to IPv4 and IPv6 hosts', async (t) => {
  for (const [family, host] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
    const sock = dgram.createSocket(family);
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(0, host, () => resolve());
      });
    } catch (e) {
      t.comment(`${host} unavailable here: ${(e as Error).message}`);
      continue;
    }
    const { notices, lines } = collectNotices();
    const sender = await SyslogSender.open({ host, port: sock.address().port, transport: 'udp' }, notices);
    const texts = [1, 2, 3].map((i) => formatSyslogMessage(message({ message: `alert ${i}` })));
    for (const m of texts) sender.send(m);
    await sender.close(2000);
    for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    t.same(got.map((g) => g.toString('utf8')), texts, `${host}: each message is a datagram`);
    for (const g of got) parseRfc5424(g);
    t.same(lines, []);
    sock.close();
  }
});

/** A TCP log host that collects octet-counted messages and can drop its connections. */
async function tcpLogHost(port = 0): Promise<{ server: net.Server; port: number; messages: string[]; sockets: Set<net.Socket> }> {
  const messages: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const { messages: m, rest } = splitOctetCounted(buf);
      buf = rest;
      for (const x of m) messages.push(x.toString('utf8'));
    });
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as net.AddressInfo).port, messages, sockets };
}

const until = async (what: () => boolean, ms = 10_000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return what();
};

t.test('the TCP sender frames with octet counting, reconnects, and keeps messages meanwhile', async (t) => {
  const host = await tcpLogHost();
  const { notices, lines } = collectNotices();
  const sender = await SyslogSender.open({ host: '127.0.0.1', port: host.port, transport: 'tcp' }, notices);
  sender.send(formatSyslogMessage(message({ message: 'first' })));
  sender.send(formatSyslogMessage(message({ message: 'second' })));
  t.ok(await until(() => host.messages.length === 2));
  // the log host drops the connection; what is sent meanwhile arrives after the reconnection
  for (const s of host.sockets) s.destroy();
  t.ok(await until(() => lines.length > 0), 'the loss is said');
  sender.send(formatSyslogMessage(message({ message: 'third' })));
  t.ok(await until(() => host.messages.length === 3), 'delivered after reconnecting');
  t.same(host.messages.map((m) => parseRfc5424(m).msg), ['first', 'second', 'third']);
  t.match(lines[0], /^ftdos: syslog to TCP 127\.0\.0\.1:\d+ failed: the log host closed the connection; reconnecting/);
  t.ok(await until(() => lines.some((l) => /connected again/.test(l))));
  await sender.close(2000);
  host.server.close();
});

t.test('the TCP sender waits for a log host that is not there yet', async (t) => {
  const probe = await tcpLogHost();
  const port = probe.port;
  await new Promise((r) => probe.server.close(r));
  const { notices, lines } = collectNotices();
  const sender = await SyslogSender.open({ host: '127.0.0.1', port, transport: 'tcp' }, notices);
  sender.send(formatSyslogMessage(message({ message: 'early' })));
  t.ok(await until(() => lines.length > 0));
  t.match(lines[0], /failed: .*ECONNREFUSED|failed: connect/);
  const host = await tcpLogHost(port);
  t.ok(await until(() => host.messages.length === 1, 15_000), 'the queued message arrives once the host listens');
  t.equal(parseRfc5424(host.messages[0]!).msg, 'early');
  await sender.close(2000);
  host.server.close();
});

t.test('the TCP sender stopped right after sending still delivers what it was given (its connection under way)', async (t) => {
  const host = await tcpLogHost();
  const { notices, lines } = collectNotices();
  const sender = await SyslogSender.open({ host: '127.0.0.1', port: host.port, transport: 'tcp' }, notices);
  sender.send(formatSyslogMessage(message({ message: 'at once' })));
  await sender.close(2000);
  t.ok(await until(() => host.messages.length === 1), 'the message sent before the connection was up arrives');
  t.equal(parseRfc5424(host.messages[0]!).msg, 'at once');
  t.same(lines, [], 'nothing left unsent');
  host.server.close();
});

const draft = (subject: string, bytes: number): AlertDraft => ({
  type: 'volume_high',
  subject,
  text: `unusually HIGH volume for bytes sent by address ${subject}`,
  fields: [
    { name: 'nbisource', value: subject },
    { name: 'value', value: bytes.toFixed(2) },
  ],
  facts: {
    target_ip: subject,
    target_mask: 32,
    proto: null,
    server_port: null,
    sources: [],
    total_sources: 0,
    threshold_value: 1000,
    current_values: { packets_in: 1, packets_out: 2, bytes_in: 3, bytes_out: bytes, new_conn: 5 },
    average_values: { packets_in: null, packets_out: null, bytes_in: null, bytes_out: 100, new_conn: null },
  },
});

const MIN = 60_000;
const W0 = Date.parse('2014-09-22T20:50:00Z');

t.test('episodes: consecutive windows share an id, a gap starts a new one; peaks and times', async (t) => {
  const eps = new Episodes('fttcv', '{"entity":"IP"}', 2 * MIN);
  const a1 = eps.raise(draft('10.0.0.1', 5000), W0 - 10 * MIN, W0, EXAMPLE_US, 5);
  eps.windowDone(W0);
  const a2 = eps.raise(draft('10.0.0.1', 9000), W0 - 8 * MIN, W0 + 2 * MIN, EXAMPLE_US, 5);
  const b2 = eps.raise(draft('10.0.0.2', 7000), W0 - 8 * MIN, W0 + 2 * MIN, EXAMPLE_US, 5);
  eps.windowDone(W0 + 2 * MIN);
  const a3 = eps.raise(draft('10.0.0.1', 6000), W0 - 6 * MIN, W0 + 4 * MIN, EXAMPLE_US, 5);
  eps.windowDone(W0 + 4 * MIN);
  eps.windowDone(W0 + 6 * MIN);
  const a5 = eps.raise(draft('10.0.0.1', 100), W0 - 2 * MIN, W0 + 8 * MIN, EXAMPLE_US, 5);
  t.equal(a1.record.id, a2.record.id);
  t.equal(a2.record.id, a3.record.id);
  t.not(a1.record.id, b2.record.id);
  t.not(a3.record.id, a5.record.id, 'a window without the alert ends the episode');
  for (const a of [a1, b2, a5]) t.match(a.record.id, /^[A-Za-z0-9._:-]{1,128}$/, 'an id the server accepts');
  t.equal(a3.record.earliest_utc, (W0 - 10 * MIN) / 1000);
  t.equal(a3.record.latest_utc, (W0 + 4 * MIN) / 1000);
  t.equal(a3.record.peak_values!.bytes_out, 9000);
  t.equal(a3.record.current_values!.bytes_out, 6000);
  t.equal(a1.line, `09/22/2014 17:04:33.441673 ${draft('10.0.0.1', 5000).text}`);
  t.equal(a1.record.message, a1.line);
  t.match(a1.record, { version: 1, severity: 5, alert_type: 'volume_high', detector: 'fttcv', target_ip: '10.0.0.1', target_mask: 32 });
  const other = new Episodes('fttcv', '{"entity":"PORTPROTO"}', 2 * MIN);
  t.not(other.raise(draft('10.0.0.1', 5000), W0 - 10 * MIN, W0, EXAMPLE_US, 5).record.id, a1.record.id, 'another configuration, another id');
});

t.test('one alert, the same fields on stdout (text and JSON), in syslog and in the server', async (t) => {
  const a = new Episodes('fttcv', 'x', 2 * MIN).raise(draft('10.0.0.1', 5000), W0 - 10 * MIN, W0, EXAMPLE_US, 4);
  const json = alertJson(a);
  t.match(json, { time_utc: EXAMPLE_US / 1e6, id: a.record.id, alert_type: 'volume_high', severity: 4, severity_name: 'WARNING', window_start_utc: (W0 - 10 * MIN) / 1000, window_end_utc: W0 / 1000, detail: { nbisource: '10.0.0.1', value: '5000.00' } });
  for (const k of Object.keys(a.record)) t.ok(k in json, `JSON has ${k}`);
  const params = Object.fromEntries(alertParams(a));
  t.match(params, { id: a.record.id, alerttype: 'volume_high', nbisource: '10.0.0.1', value: '5000.00', starttime: '09/22/2014 16:40:00', endtime: '09/22/2014 16:50:00', targetip: '10.0.0.1', targetmask: 32, thresholdvalue: 1000, current_bytes_out: 5000, peak_bytes_out: 5000, average_bytes_out: 100 });
  t.notOk('average_bytes_in' in params, 'what is not measured is left out');
  const withSources = new Episodes('ftdos', 'x', 2 * MIN).raise(
    { ...draft('10.0.0.1', 1), fields: [{ name: 'nbisource', value: '1.2.3.4' }, { name: 'totalsources', value: 7 }], facts: { ...draft('10.0.0.1', 1).facts, sources: ['1.2.3.4'], total_sources: 7 } },
    W0 - 10 * MIN,
    W0,
    EXAMPLE_US,
    5,
  );
  const names = alertParams(withSources).map(([n]) => n);
  t.equal(new Set(names).size, names.length, 'each SD-PARAM name once');
  t.match(Object.fromEntries(alertParams(withSources)), { sources: '1.2.3.4', totalsources: 7 });

  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { notices } = collectNotices('fttcv');
  const sender = await SyslogSender.open({ host: '127.0.0.1', port: sock.address().port, transport: 'udp' }, notices);
  const posted: unknown[] = [];
  const poster = new AlertPoster(new FakeLink((c) => posted.push(c.body)), notices);
  const text = new PassThrough();
  let printed = '';
  text.on('data', (d: Buffer) => (printed += d.toString()));
  const out = new AlertOutput({ tool: 'fttcv', stdout: new Output(text as unknown as NodeJS.WriteStream), json: false, syslog: { sender, facility: 'LOCAL3', hostname: 'nbi-host', append: 'site=ams1' }, poster, procId: 4242 });
  await out.emit(a);
  await poster.drain();
  await sender.close(1000);
  t.ok(await until(() => got.length === 1));
  sock.close();
  t.equal(printed, `${a.line}\n`);
  t.same(posted, [a.record]);
  const p = parseRfc5424(got[0]!);
  t.match(p, { pri: 19 * 8 + 4, appName: 'fttcv', procId: '4242', msgId: 'fttcv', hostname: 'nbi-host', timestamp: '2014-09-22T17:04:33.441673-04:00' });
  t.equal(p.msg, `${a.draft.text} site=ams1`, 'the message is the alert text, -lu appended');
  t.same(sdParams(p, 'fttcv@32473'), Object.fromEntries(alertParams(a).map(([k, v]) => [k, String(v)])));
  const jsonText = new PassThrough();
  let jsonLine = '';
  jsonText.on('data', (d: Buffer) => (jsonLine += d.toString()));
  await new AlertOutput({ tool: 'fttcv', stdout: new Output(jsonText as unknown as NodeJS.WriteStream), json: true, syslog: null, poster: null, procId: 1 }).emit(a);
  t.same(JSON.parse(jsonLine), JSON.parse(JSON.stringify(json)), '-j prints the JSON object on one line');
  t.equal(jsonLine.split('\n').length, 2);
});

t.test('the poster records in order, skips what the server refuses, and says what it could not record', async (t) => {
  const rec = (id: string): AlertRecord => ({ ...new Episodes('ftdos', 'x', MIN).raise(draft('10.0.0.1', 1), 0, MIN, 0, 5).record, id });
  const { notices, lines } = collectNotices();
  const seen: string[] = [];
  const poster = new AlertPoster(
    new FakeLink((c) => {
      const id = (c.body as AlertRecord).id;
      seen.push(id);
      if (id === 'bad') throw new UsageError('REFUSED_BY_SERVER', 'the server refused the request: sources must be ...');
      return { id, created: true };
    }),
    notices,
  );
  for (const id of ['a', 'bad', 'b']) poster.post(rec(id));
  await poster.drain();
  t.same(seen, ['a', 'bad', 'b']);
  t.equal(poster.recorded, 2);
  t.match(lines, [/^ftdos: alert bad is not recorded in the server \(stdout and syslog have it\): the server refused it: /]);

  const stuck = collectNotices();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const stopping = new AlertPoster(
    {
      json: async () => {
        await gate;
        throw new Stopped('SIGTERM');
      },
    },
    stuck.notices,
  );
  stopping.post(rec('x'));
  stopping.post(rec('y'));
  release();
  await stopping.drain();
  t.same(stuck.lines, ['ftdos: 2 alerts could not be recorded in the server before stopping (stdout and syslog have them)']);
});
