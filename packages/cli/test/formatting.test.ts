// What the tools print and how: human-scaled numbers, the streaming table, ftstat's table and JSON
// objects from a hand-written API answer, ftsq's table, colour rules, stdout backpressure and EPIPE,
// and the no-echo password prompt on a fake terminal.
import { PassThrough, Writable } from 'node:stream';
import t from 'tap';
import { ENTITY_BY_NAME, type EntityDef } from '@opentraq/core';
import { formatBits, formatBytes, formatCount, formatPercent } from '../src/common/humanscale.js';
import { TextTable } from '../src/common/texttable.js';
import { colourWanted, PLAIN_STYLE, styleFor } from '../src/common/style.js';
import { Output, OutputClosed, OutputFailed } from '../src/common/output.js';
import { counted } from '../src/common/counted.js';
import { promptPassword } from '../src/common/promptpassword.js';
import { Interrupted, UsageError } from '../src/common/clierror.js';
import { lineBatches } from '../src/common/linebatches.js';
import { readProgressAnswer, type ScanProgress } from '../src/common/progressanswer.js';
import { RuntimeFailure } from '../src/common/clierror.js';
import { statAnswerProblem, type StatAnswer } from '../src/common/statanswer.js';
import { renderStatTable } from '../src/ftstat/stattable.js';
import { renderStatJson, statObjects } from '../src/ftstat/statobjects.js';
import { SessionTable } from '../src/ftsq/sessiontable.js';
import { TABLE_FIELDS } from '../src/ftsq/readsessionsrequest.js';

const entity = (name: string): EntityDef => ENTITY_BY_NAME.get(name)!;

// local time is TZ's: a zone with an offset (and daylight saving) shows it is used
process.env.TZ = 'America/New_York';

t.test('human-scaled numbers', async (t) => {
  t.equal(formatBytes(0), '0 B');
  t.equal(formatBytes(1023), '1023 B');
  t.equal(formatBytes(1024), '1.0 KiB');
  t.equal(formatBytes(1536), '1.5 KiB');
  t.equal(formatBytes(1288490189), '1.2 GiB', "cli.md's 1.2 GiB");
  t.equal(formatBytes(1048575), '1.0 MiB', '1023.999 KiB rounds up to the next unit, not to 1024.0 KiB');
  t.equal(formatBytes(5 * 1024 ** 6), '5.0 EiB');
  t.equal(formatCount(999), '999');
  t.equal(formatCount(1000), '1.0 k');
  t.equal(formatCount(3_400_000), '3.4 M', "cli.md's 3.4 M");
  t.equal(formatCount(999_960), '1.0 M');
  t.equal(formatBits(800), '800 bit');
  t.equal(formatBits(3_400_000_000), '3.4 Gbit');
  t.equal(formatPercent(46.1849), '46.18%');
  t.equal(formatPercent(100), '100.00%');
  t.equal(formatPercent(0), '0.00%');
  t.equal(formatPercent(0.004), '<0.01%');
});

t.test('the streaming text table', async (t) => {
  const table = new TextTable([{ header: 'Name', align: 'left' }, { header: 'N', align: 'right' }], PLAIN_STYLE);
  const first = table.start([['a', '1'], ['bb', '22']]);
  t.equal(first, '+------+----+\n| Name | N  |\n+------+----+\n| a    |  1 |\n| bb   | 22 |\n', 'widths from the header and the first block');
  t.equal(table.more([['ccc', '3']]), '| ccc  |  3 |\n', 'later rows at the same widths');
  t.equal(table.more([['a-very-long-name', '4444']]), '| a-very-long-name | 4444 |\n', 'a wider cell is printed whole, never cut');
  t.equal(table.end(), '+------+----+\n');
  t.equal(new TextTable([{ header: 'X', align: 'left' }], PLAIN_STYLE).end(), '', 'no bottom without a top');
  const accents = new TextTable([{ header: 'AS', align: 'left' }], PLAIN_STYLE);
  t.equal(accents.start([['Telefónica']]).split('\n')[3], '| Telefónica |', 'widths count characters, not bytes');
});

t.test('colour only for people', async (t) => {
  t.equal(colourWanted({ isTTY: true }, {}), true, 'a terminal');
  t.equal(colourWanted({ isTTY: false }, {}), false, 'a pipe or file');
  t.equal(colourWanted({ isTTY: true }, { NO_COLOR: '1' }), false, 'NO_COLOR');
  t.equal(colourWanted({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset (no-color.org)');
  t.equal(colourWanted({ isTTY: true }, { TERM: 'dumb' }), false);
  t.equal(colourWanted({ isTTY: false }, { FORCE_COLOR: '1' }), true, 'FORCE_COLOR');
  t.equal(colourWanted({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  const plain = await styleFor({ isTTY: false }, {});
  t.equal(plain.bold('x'), 'x');
  const coloured = await styleFor({ isTTY: true }, {});
  t.equal(coloured.bold('x'), '\u001b[1mx\u001b[22m', 'bold on a terminal');
  const table = new TextTable([{ header: 'H', align: 'left' }], coloured).start([['v']]);
  t.match(table, /\u001b\[1mH/, 'headers are bold on a terminal');
});

/** An IP ranking as the API answers it (docs/server.md), written out by hand. */
const IP_ANSWER: StatAnswer = {
  columns: ['rank', 'IP', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'asn', 'as_name', 'country'],
  data: [
    [1, '10.0.169.43', 217140511744, 46.18, 122912811008, 94227700736, 3400000, 1200, 12, 3, null, null, null],
    [2, '2001:db8::7', 1536, 0.004, 1024, 512, 4, 2, 0, 1, 15169, 'GOOGLE - Google LLC, a very long registered name', 'US'],
  ],
  summary: { sessions: 199543, packets: 621616218, bytes: 470123456789, entities: 34617, total: 940246913578, from: 1763931600, to: 1763935200 },
};

t.test("ftstat's table", async (t) => {
  const text = renderStatTable(IP_ANSWER, { entity: entity('IP'), count: 'BYTES', unique: undefined, direction: undefined }, PLAIN_STYLE);
  const lines = text.split('\n');
  t.match(lines[1], /^\| # \| IP +\| AS +\| CC \| Bytes +\| % +\| Bytes sent \| Bytes rcvd \| Pkts sent \| Pkts rcvd \| Sess init \| Sess acc \|$/, 'the columns of cli.md');
  t.match(lines[3], /^\| 1 \| 10\.0\.169\.43 +\| +\| +\| 202\.2 GiB \| 46\.18% \| +114\.5 GiB \| +87\.8 GiB \| +3\.4 M \| +1\.2 k \| +12 \| +3 \|$/, 'human-scaled values');
  t.match(lines[4], /\| 2001:db8::7 +\| AS15169 GOOGLE - Google LLC, a… +\| US \| +1\.5 KiB \| <0\.01% \|/, 'AS with its name (shortened) and country');
  t.match(text, /199\.5 k sessions, 621\.6 M packets, 437\.8 GiB from 11\/23\/2025 16:00:00\.000000 to 11\/23\/2025 17:00:00\.000000; 34617 distinct IP, 2 shown\n$/, 'the summary line, its times with µs as every time is printed');
  const single = { ...IP_ANSWER, data: IP_ANSWER.data.slice(0, 1), summary: { ...IP_ANSWER.summary, sessions: 1, packets: 1, bytes: 1, entities: 1, from: 1763931600.25 } };
  t.match(renderStatTable(single, { entity: entity('IP'), count: 'BYTES', unique: undefined, direction: undefined }, PLAIN_STYLE), /\n1 session, 1 packet, 1 B from 11\/23\/2025 16:00:00\.250000 to /, 'one of each: singular');

  const snd = renderStatTable(IP_ANSWER, { entity: entity('IP'), count: 'SESSIONS', unique: undefined, direction: 'snd' }, PLAIN_STYLE);
  t.match(snd, /\| Sessions initiated \|/, 'the value header says what is ranked');
  const bits = renderStatTable(IP_ANSWER, { entity: entity('IP'), count: 'BITS', unique: undefined, direction: 'rcv' }, PLAIN_STYLE);
  t.match(bits, /\| Bits received \|.*\n.*\n\| 1 \|.*\| +217\.1 Gbit \|/, 'bits in decimal units');

  const ports: StatAnswer = {
    columns: ['rank', 'PORT', 'PROTO', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'service'],
    data: [
      [1, 443, 6, 1457, 48.712805, 14330455, 142647964, 90522, 129215, 1457, 1457, 'https'],
      [2, 9999, 132, 3, 0.1, 1, 2, 3, 4, 3, 3, null],
    ],
    summary: { sessions: 2991, packets: 10, bytes: 20, entities: 148, total: 2991, from: 1763931600, to: 1763935200 },
  };
  const pt = renderStatTable(ports, { entity: entity('PORTPROTO'), count: 'SESSIONS', unique: undefined, direction: undefined }, PLAIN_STYLE);
  t.match(pt, /\| # \| Port\/Proto \| Service \| Sessions \| % +\| Bytes C>S \| Bytes S>C \| Pkts C>S \| Pkts S>C \|\n/, 'ports with protocol and service; no second Sessions column');
  t.match(pt, /\| 1 \| 443\/TCP +\| https +\| +1\.5 k \|/);
  t.match(pt, /\| 2 \| 9999\/SCTP +\| +\|/, 'protocol names from the filter mnemonics');

  const pair: StatAnswer = {
    columns: ['rank', 'IP_A', 'IP_B', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'asn_A', 'as_name_A', 'country_A', 'asn_B', 'as_name_B', 'country_B'],
    data: [[1, '10.0.0.1', '8.8.8.8', 100, 100, 60, 40, 6, 4, 1, 0, null, null, null, 15169, 'GOOGLE', 'US']],
    summary: { sessions: 1, packets: 10, bytes: 100, entities: 1, total: 100, from: 1763931600, to: 1763935200 },
  };
  const pr = renderStatTable(pair, { entity: entity('IPPAIR'), count: 'BYTES', unique: undefined, direction: undefined }, PLAIN_STYLE);
  t.match(pr, /\| # \| IP A +\| AS A \| CC A \| IP B +\| AS B +\| CC B \| Bytes \| % +\| Bytes A>B \| Bytes B>A \| Pkts A>B \| Pkts B>A \| Sess by A \| Sess by B \|/, 'pairs split A>B and B>A');
  t.match(pr, /\| 8\.8\.8\.8 \| AS15169 GOOGLE \| US +\|/);
  t.notMatch(pr, /shown/, 'every entity shown: no "shown" note');

  const series: StatAnswer = {
    columns: [...IP_ANSWER.columns, '1763931600', '1763933400'],
    data: [[...IP_ANSWER.data[0]!, 217140511744, 0]],
    summary: IP_ANSWER.summary,
    series: { bounds: [1763931600, 1763933400, 1763935200], other: [5, 6] },
  };
  t.equal(statAnswerProblem(series), null);
  const sr = renderStatTable(series, { entity: entity('IP'), count: 'BYTES', unique: undefined, direction: undefined }, PLAIN_STYLE);
  t.match(sr, /\| # \| IP +\| AS \| CC \| Bytes +\| % +\| 16:00 +\| 16:30 \|\n/, 'with -w: one column per slice, headed by its local start time');
  t.match(sr, /\| 202\.2 GiB \| +0 B \|/);
});

t.test("ftstat's JSON objects", async (t) => {
  const objs = statObjects(IP_ANSWER);
  t.same(objs[1], {
    rank: 2,
    IP: '2001:db8::7',
    value: 1536,
    percent: 0.004,
    bytes_sent: 1024,
    bytes_recv: 512,
    packets_sent: 4,
    packets_recv: 2,
    sessions_initiated: 0,
    sessions_accepted: 1,
    asn: 15169,
    as_name: 'GOOGLE - Google LLC, a very long registered name',
    country: 'US',
  });
  t.same(Object.keys(objs[0]!), IP_ANSWER.columns, 'keys in the order of the CSV contract');
  const series: StatAnswer = { ...IP_ANSWER, columns: [...IP_ANSWER.columns, '100', '200'], data: [[...IP_ANSWER.data[0]!, 7, 8]], series: { bounds: [100, 200, 300], other: [0, 0] } };
  t.same(statObjects(series)[0]!.series, [{ start: 100, end: 200, value: 7 }, { start: 200, end: 300, value: 8 }], 'with -w a series of slices');
  t.notOk('100' in statObjects(series)[0]!, 'slice columns are not keys');
  t.same(JSON.parse(renderStatJson(IP_ANSWER)), objs, 'the text is the array');
  t.equal(renderStatJson({ ...IP_ANSWER, data: [] }), '[]\n', 'an empty ranking is an empty array');
  t.match(statAnswerProblem({ columns: ['rank'], data: [], summary: {} }), /no value column/);
  t.match(statAnswerProblem({ ...IP_ANSWER, data: [[1, 2]] }), /one value per column/);
  t.match(statAnswerProblem('x'), /not a JSON object/);
});

t.test("ftsq's table", async (t) => {
  const s = (start: number, clnip: string, pkts: number, bytes: number) => ({
    START: start,
    END: start + 1.5,
    CLNIP: clnip,
    CLNPORT: 50000,
    SRVIP: '192.0.2.1',
    SRVPORT: 443,
    PROTO: 6,
    CLNPKTS: pkts,
    SRVPKTS: 1,
    CLNBYTS: bytes,
    SRVBYTS: 100,
    FLAGS: '...AP.SF',
  });
  const table = new SessionTable(TABLE_FIELDS, 3, PLAIN_STYLE);
  t.equal(table.add([s(1350318000.000001, '10.0.0.1', 5, 500)], 1000), '', 'the first block gathers');
  const out = table.add([s(1350318001, '2001:db8::1', 7, 700)], 1300);
  t.match(out, /^\+-+\+/, 'after 250 ms the table starts');
  t.match(out, /\| START +\| END +\| CLNIP +\| CLNPORT \| SRVIP +\| SRVPORT \| PROTO \| CLNPKTS \| SRVPKTS \| CLNBYTS \| SRVBYTS \| FLAGS +\|/, 'the readable columns, named as in filters');
  t.match(out, /\| 10\/15\/2012 12:20:00\.000001 \| 10\/15\/2012 12:20:01\.500001 \| 10\.0\.0\.1 +\| +50000 \| 192\.0\.2\.1 \| +443 \| TCP +\| +5 \| +1 \| +500 \| +100 \| \.\.\.AP\.SF \|/, 'local times (TZ) with µs, protocol names, exact counts');
  t.equal(table.add([s(1350318002, '10.0.0.3', 1, 1), s(1350318003, '10.0.0.4', 1, 1)], 1400).split('\n').length, 2, 'one more row (the limit is 3)');
  t.equal(table.more, true, 'the fourth session says there are more');
  t.match(table.finish(), /^\+-+.*\n3 sessions, 16 packets, 1\.5 KiB \(the first 3 shown\)\n$/, 'totals of the sessions shown');

  const one = new SessionTable(TABLE_FIELDS, 128, PLAIN_STYLE);
  one.add([{ ...s(1350318000, '10.0.0.1', 0, 1), SRVPKTS: 1 }], 1000);
  t.match(one.finish(), /\n1 session, 1 packet, 101 B\n$/, 'one session, one packet: singular');
  const many = new SessionTable(TABLE_FIELDS, 2000, PLAIN_STYLE);
  many.add(Array.from({ length: 1234 }, (_, i) => s(1350318000 + i, '10.0.0.1', 1, 1)), 1000);
  t.match(many.finish(), /\n1,234 sessions, 2\.5 k packets, 121\.7 KiB\n$/, 'thousands separated, as on stderr');
  const empty = new SessionTable(TABLE_FIELDS, 128, PLAIN_STYLE);
  t.match(empty.finish(), /\| START .*\n(\+-+.*\n){2}0 sessions, 0 packets, 0 B\n$/, 'an empty result still shows the header');
  t.throws(() => new SessionTable(['TTIME'], 1, PLAIN_STYLE), /not a session column/);
});

t.test('lines of a streamed answer', async (t) => {
  const src = new PassThrough();
  const got: string[][] = [];
  const done = (async () => {
    for await (const b of lineBatches(src)) got.push(b);
  })();
  src.write('a\nb');
  src.write(Buffer.from([0x63, 0xc3]));
  src.write(Buffer.from([0xa9, 0x0a, 0x64]));
  src.end();
  await done;
  t.same(got.flat(), ['a', 'bcé', 'd'], 'lines across chunks, a split character kept whole, the last line without a newline');
});

t.test('an answer with progress first (ftstat -v)', async (t) => {
  /** The bytes of `text` fed in chunks of `size`, so that lines and characters are split anywhere. */
  const read = async (text: string, size: number): Promise<{ seen: ScanProgress[]; last: unknown }> => {
    const src = new PassThrough();
    const seen: ScanProgress[] = [];
    const done = readProgressAnswer(src, (p) => seen.push(p));
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) src.write(bytes.subarray(i, i + size));
    src.end();
    return { seen, last: await done };
  };
  const result = { columns: ['rank', 'IP'], data: [[1, '10.0.0.1']], summary: { note: 'é' } };
  const text = `{"progress":{"scanned":0,"total":900}}\n{"progress":{"scanned":450,"total":900}}\n{"progress":{"scanned":900,"total":900}}\n{"result":${JSON.stringify(result)}}\n`;
  for (const size of [1, 7, 4096]) {
    const r = await read(text, size);
    t.strictSame(r.seen, [{ scanned: 0, total: 900 }, { scanned: 450, total: 900 }, { scanned: 900, total: 900 }], `progress in order (chunks of ${size})`);
    t.strictSame(r.last, { result }, `the answer whole, a split character too (chunks of ${size})`);
  }
  t.strictSame((await read('{"progress":{"scanned":1,"total":2}}\n{"csv":"rank,IP\\n1,10.0.0.1\\n"}\n', 5)).last, { csv: 'rank,IP\n1,10.0.0.1\n' }, 'a CSV answer');
  const failure = async (body: string): Promise<RuntimeFailure> => {
    try {
      await read(body, 3);
    } catch (e) {
      if (e instanceof RuntimeFailure) return e;
      throw e;
    }
    throw new Error('no failure');
  };
  t.match(await failure('{"progress":{"scanned":0,"total":5}}\n{"error":"the store could not be read: bad checksum","code":"STORE_CORRUPT"}\n'), {
    code: 'SERVER_ERROR',
    exitCode: 1,
    message: 'the server failed during the query: the store could not be read: bad checksum (STORE_CORRUPT)',
  });
  t.match(await failure('{"progress":{"scanned":0,"total":5}}\n{"progress":{"scan'), { code: 'CONNECTION_LOST', message: /ended before the ranking arrived: it is incomplete/ }, 'cut off');
  t.match(await failure('not json\n'), { code: 'BAD_ANSWER', message: /not a JSON object: "not json"/ });
  t.match(await failure('{"something":1}\n'), { code: 'BAD_ANSWER', message: /neither progress nor an answer/ });
});

t.test('stdout: backpressure and a reader that goes away', async (t) => {
  const chunks: string[] = [];
  let release: (() => void) | undefined;
  const slow = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      release = cb;
    },
  });
  const out = new Output(slow);
  let written = false;
  const w = out.write('0123456789').then(() => (written = true));
  await new Promise((r) => setImmediate(r));
  t.equal(written, false, 'a write waits while the stream is full');
  release!();
  await w;
  t.equal(written, true, 'and goes on once it drains');

  const closed = new Writable({
    write(_chunk, _enc, cb) {
      const e = new Error('write EPIPE') as NodeJS.ErrnoException;
      e.code = 'EPIPE';
      cb(e);
    },
  });
  const out2 = new Output(closed);
  await out2.write('x').catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  await t.rejects(out2.write('more'), OutputClosed, 'EPIPE becomes OutputClosed');

  const full = new Writable({
    write(_chunk, _enc, cb) {
      // what fs.writeSync throws on a full disk, with the errno of this system
      const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      cb(e);
    },
  });
  const out3 = new Output(full);
  const failed = await out3.write('x').then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(failed instanceof OutputFailed, 'another write error becomes OutputFailed');
  t.match(failed, { code: 'OUTPUT_FAILED', exitCode: 1, message: 'cannot write the output: no space left on device (ENOSPC)' }, 'exit 1, one line in plain words');
  await t.rejects(out3.write('more'), { code: 'OUTPUT_FAILED' }, 'and stays failed');
  await t.rejects(out3.flush(), { code: 'OUTPUT_FAILED' });
});

t.test('counts in words', async (t) => {
  t.equal(counted(0, 'session'), '0 sessions');
  t.equal(counted(1, 'session'), '1 session');
  t.equal(counted(1234567, 'byte'), '1,234,567 bytes');
  t.equal(counted(1, 'packet', '1'), '1 packet');
  t.equal(counted(7000, 'session', '7.0 k'), '7.0 k sessions', 'a human-scaled number');
});

/** A fake terminal: a PassThrough that says it is a TTY and records raw mode. */
function fakeTty(): NodeJS.ReadStream & { modes: boolean[] } {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { modes: boolean[] };
  s.modes = [];
  Object.assign(s, { isTTY: true, isRaw: false });
  s.setRawMode = (mode: boolean) => {
    s.modes.push(mode);
    (s as { isRaw: boolean }).isRaw = mode;
    return s;
  };
  return s;
}

t.test('the password prompt', async (t) => {
  const input = fakeTty();
  let shown = '';
  const output = new Writable({
    write(c: Buffer, _e, cb) {
      shown += c.toString();
      cb();
    },
  });
  const p = promptPassword('alice@localhost:9640', { input, output });
  input.write('s3c');
  input.write('x\u007fr\u001b[Aet\r');
  t.equal(await p, 's3cret', 'keys read one by one; backspace and arrow keys handled');
  t.equal(shown, 'Password for alice@localhost:9640: \n', 'the prompt on the output, and nothing of the password');
  t.same(input.modes, [true, false], 'raw mode on, then back off');

  const again = fakeTty();
  const q = promptPassword('bob@h:1', { input: again, output });
  again.write('abc\u0015xyz\n');
  t.equal(await q, 'xyz', 'Ctrl-U clears the line');

  const cancel = fakeTty();
  const c = promptPassword('bob@h:1', { input: cancel, output });
  cancel.write('ab\u0003');
  await t.rejects(c, Interrupted, 'Ctrl-C interrupts');
  t.same(cancel.modes, [true, false], 'and the terminal is restored');

  const pipe = new PassThrough() as unknown as NodeJS.ReadStream;
  await t.rejects(promptPassword('bob@h:1', { input: pipe, output }), UsageError, 'no terminal: a usage error, nothing read');
  await t.rejects(promptPassword('bob@h:1', { input: pipe, output }), /give -up PASS or set FLOWTRAQ_PASSWORD \(there is no terminal to ask for it on\)/);
});
