// Training answers read as CSV while they arrive: the same keys, slice values, completeness and
// counts as the JSON answer of the same ranking gives, and a clear BAD_ANSWER for what is not one.
import { Readable } from 'node:stream';
import t from 'tap';
import type { StatAnswer } from '@opentraq/cli';
import { readRanking, type Ranking, type SlicedRanking } from '../src/engine/ranking.js';
import { readSlicedRankingCsv } from '../src/engine/slicedrankingcsv.js';
import { statCsv } from './fakes.js';
import { rng } from './rng.js';

/** `text` as a body arriving in pieces of `piece` bytes (rows and quoted cells cut anywhere). */
function body(text: string, piece = 7): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += piece) parts.push(bytes.subarray(i, i + piece));
  return Readable.from(parts);
}

/** readRanking's (the JSON answer's) slice values, a column per slice. */
function wholeColumns(r: Ranking, slices: number): number[][] {
  return Array.from({ length: slices }, (_, k) => r.rows.map((row) => row.slices[k]!));
}

function columns(r: SlicedRanking): number[][] {
  return Array.from({ length: r.slices }, (_, k) => {
    const into = new Float64Array(r.keys.length);
    r.sliceValues(k, into);
    return [...into];
  });
}

const IP_COLUMNS = ['rank', 'IP', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'asn', 'as_name', 'country', '1700000000', '1700000600', '1700001200'];

function ipAnswer(rows: (readonly (string | number | null)[])[], entities: number): StatAnswer {
  return {
    columns: IP_COLUMNS,
    data: rows,
    summary: { sessions: 77, packets: 10, bytes: 1000, entities, total: 900, from: 1_700_000_000, to: 1_700_001_800 },
    series: { bounds: [1_700_000_000, 1_700_000_600, 1_700_001_200, 1_700_001_800], other: [0, 0, 0] },
  };
}

t.test('the CSV reader gives what the JSON reader gives, for every way the answer can be cut into pieces', async (t) => {
  const a = ipAnswer(
    [
      [1, '10.0.0.1', 600.5, 66.7, 1, 2, 3, 4, 5, 6, 15169, 'GOOGLE, LLC "the big one"', 'US', 100, 200.5, 300],
      [2, '2001:db8::1', 200, 22.2, 0, 0, 0, 0, 0, 0, null, null, null, 0, 0, 200],
      [3, '10.0.0.3', 99, 11, 0, 0, 0, 0, 0, 0, 64500, 'Ünïcode AS', 'DE', 33, 33, 33],
    ],
    3,
  );
  const want = readRanking(a, 10);
  for (const piece of [1, 3, 7, 64, 100_000]) {
    const got = await readSlicedRankingCsv(body(statCsv(a), piece), 3, 10);
    t.same(got.keys, ['10.0.0.1', '2001:db8::1', '10.0.0.3'], `pieces of ${piece}: keys`);
    t.same(got.keys, want.rows.map((r) => r.key), `pieces of ${piece}: keys as JSON gives them`);
    t.same(columns(got), [
      [100, 0, 33],
      [200.5, 0, 33],
      [300, 200, 33],
    ]);
    t.same(columns(got), wholeColumns(want, 3));
    t.same([got.complete, got.entities, got.sessions], [want.complete, want.entities, want.sessions]);
    t.same([got.complete, got.entities, got.sessions], [true, 3, 77]);
  }
});

t.test('entity keys of several columns and empty cells are keyed as the JSON answer keys them', async (t) => {
  const a: StatAnswer = {
    columns: ['rank', 'PORT', 'PROTO', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'service', '1700000000'],
    data: [
      [1, 443, 6, 10, 50, 0, 0, 0, 0, 0, 0, 'https', 10],
      [2, null, 1, 5, 25, 0, 0, 0, 0, 0, 0, null, 5],
    ],
    summary: { sessions: 2, packets: 0, bytes: 0, entities: 2, total: 15, from: 1_700_000_000, to: 1_700_000_600 },
  };
  const got = await readSlicedRankingCsv(body(statCsv(a)), 1, 10);
  t.same(got.keys, ['443 6', '- 1']);
  t.same(got.keys, readRanking({ ...a, series: { bounds: [1_700_000_000, 1_700_000_600], other: [0] } }, 10).rows.map((r) => r.key));
});

t.test('completeness: cut at the rows asked with more entities, unless the last row is zero throughout', async (t) => {
  const rows = (last: number): (string | number | null)[][] => [
    [1, '10.0.0.1', 9, 90, 0, 0, 0, 0, 0, 0, null, null, null, 3, 3, 3],
    [2, '10.0.0.2', last, 10, 0, 0, 0, 0, 0, 0, null, null, null, last, 0, 0],
  ];
  const cut = await readSlicedRankingCsv(body(statCsv(ipAnswer(rows(1), 5))), 3, 2);
  t.same([cut.complete, cut.entities, cut.keys.length], [false, 5, 2]);
  const zeros = await readSlicedRankingCsv(body(statCsv(ipAnswer(rows(0), 5))), 3, 2);
  t.equal(zeros.complete, true);
  const fewer = await readSlicedRankingCsv(body(statCsv(ipAnswer(rows(1), 5))), 3, 3);
  t.equal(fewer.complete, true, 'fewer rows than asked: every entity with a value is there');
  const none = await readSlicedRankingCsv(body(statCsv(ipAnswer([], 0))), 3, 2);
  t.same([none.keys.length, none.complete, none.entities], [0, true, 0]);
});

t.test('rows beyond the first allocation are kept (the value columns grow)', async (t) => {
  const n = 5000;
  const data = Array.from({ length: n }, (_, i) => [i + 1, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, n - i, 0, 0, 0, 0, 0, 0, 0, null, null, null, n - i, i, 1]);
  const got = await readSlicedRankingCsv(body(statCsv(ipAnswer(data, n)), 4096), 3, n);
  t.equal(got.keys.length, n);
  const c = columns(got);
  t.same([c[0]![0], c[0]![n - 1], c[1]![n - 1], c[2]![1234]], [n, 1, n - 1, 1]);
});

t.test('any text in the cells, any numbers, any cut: the same as the JSON answer (randomised)', async (t) => {
  const r = rng(17);
  // quotes, commas and line ends make the writer quote a cell; non-ASCII letters take several bytes
  const alphabet = ['a', 'Z', '0', '.', ' ', ',', '"', '\n', '\r\n', 'é', '✓', '-', ':'];
  const text = (): string => Array.from({ length: 1 + Math.floor(r() * 12) }, () => alphabet[Math.floor(r() * alphabet.length)]!).join('');
  const amount = (): number => {
    const u = r();
    return u < 0.3 ? 0 : u < 0.6 ? Math.floor(r() * 1e6) : u < 0.8 ? Math.floor(r() * 1e4) / 8 : u < 0.9 ? 2 ** 53 + 2 * Math.floor(r() * 1e6) : 1e21 * (1 + r());
  };
  let wrong = 0;
  for (let round = 0; round < 60; round++) {
    const named = r() < 0.5;
    const entityColumns = named ? ['AS', 'COUNTRY'] : ['NAME'];
    const names = ['rank', ...entityColumns, 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'label', '1700000000', '1700000600'];
    const data = Array.from({ length: Math.floor(r() * 40) }, (_, i) => [i + 1, ...entityColumns.map(() => (r() < 0.1 ? null : text())), amount(), r() * 100, 1, 2, 3, 4, 5, 6, r() < 0.5 ? null : text(), amount(), amount()]);
    const answer: StatAnswer = {
      columns: names,
      data,
      summary: { sessions: 5, packets: 0, bytes: 0, entities: data.length + Math.floor(r() * 3), total: 0, from: 1_700_000_000, to: 1_700_001_200 },
      series: { bounds: [1_700_000_000, 1_700_000_600, 1_700_001_200], other: [0, 0] },
    };
    const want = readRanking(answer, 40);
    const got = await readSlicedRankingCsv(body(statCsv(answer), 1 + Math.floor(r() * 50)), 2, 40);
    const same = JSON.stringify([got.keys, columns(got), got.complete, got.entities, got.sessions]) === JSON.stringify([want.rows.map((row) => row.key), wholeColumns(want, 2), want.complete, want.entities, want.sessions]);
    if (!same) wrong++;
  }
  t.equal(wrong, 0, 'every answer read as its JSON gives it');
});

t.test('rows may end with LF, CR LF or CR; an empty line is a row of one cell', async (t) => {
  const a = ipAnswer(
    [
      [1, '10.0.0.1', 9, 90, 0, 0, 0, 0, 0, 0, null, 'AS "one", first', null, 3, 3, 3],
      [2, '10.0.0.2', 1, 10, 0, 0, 0, 0, 0, 0, null, null, null, 0, 1, 0],
    ],
    2,
  );
  const lf = statCsv(a);
  for (const [what, end] of [
    ['CR LF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    for (const piece of [1, 2, 5, 1000]) {
      const got = await readSlicedRankingCsv(body(lf.replaceAll('\n', end), piece), 3, 10);
      t.same([got.keys, columns(got), got.entities, got.sessions], [['10.0.0.1', '10.0.0.2'], [[3, 0], [3, 1], [3, 0]], 2, 77], `${what}, pieces of ${piece}`);
    }
  }
  const noLastEnd = await readSlicedRankingCsv(body(lf.slice(0, -1)), 3, 10);
  t.equal(noLastEnd.entities, 2, 'the last line without its line end');
  await t.rejects(readSlicedRankingCsv(body(lf.replace('\n2,', '\n\n2,')), 3, 10), { code: 'BAD_ANSWER', message: /row 2 has 1 cells where the header has 16/ });
});

t.test('what is not a training answer is BAD_ANSWER, saying what is wrong; a failing body fails as it is', async (t) => {
  const good = statCsv(ipAnswer([[1, '10.0.0.1', 9, 90, 0, 0, 0, 0, 0, 0, null, null, null, 3, 3, 3]], 1));
  const cases: [string, string, RegExp][] = [
    ['empty', '', /the answer is empty/],
    ['cut short', good.slice(0, good.indexOf('#')), /summary lines .* are missing: was the answer cut short\?/],
    ['JSON instead', '{"columns":[]}\n', /cannot be read: Invalid Opening Quote/],
    ['another CSV', 'a,b,c\n1,2,3\n', /its header row is "a,b,c", not rank/],
    ['too few slice columns', statCsv(ipAnswer([], 0)).replace(',1700000000,1700000600,1700001200', ''), /do not end with the 3 slices asked for/],
    ['a short row', good.replace('10.0.0.1,9,', '10.0.0.1,'), /row 1 has 15 cells where the header has 16/],
    ['not a number', good.replace(',3,3,3\n', ',3,x,3\n'), /a slice value is "x", not a number/],
    ['an unclosed quote', good.replace('10.0.0.1', '"10.0.0.1'), /cannot be read: Quote Not Closed/],
    ['text after a closing quote', good.replace('10.0.0.1', '"10.0.0.1"x'), /cannot be read: Invalid Closing Quote: got "x" at line 2/],
    ['a bad value', good.replace('10.0.0.1,9,', '10.0.0.1,9x,'), /a value is "9x", not a number/],
    ['an infinite slice value', good.replace(',3,3,3\n', ',3,Infinity,3\n'), /a slice value is "Infinity", not a number/],
  ];
  for (const [what, text, message] of cases) {
    await t.rejects(readSlicedRankingCsv(body(text), 3, 10), { code: 'BAD_ANSWER', message }, what);
  }
  const failing = new Readable({
    read() {
      this.push(good.slice(0, 40));
      this.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    },
  });
  await t.rejects(readSlicedRankingCsv(failing, 3, 10), { code: 'UND_ERR_SOCKET', message: 'other side closed' });
});
