import t from 'tap';
import { allocColumns, type ColumnName } from '../../src/fields/columns.js';
import { ENTITIES, UNIQUE_TARGETS, type CountName, type EntityDef, type EntityName } from '../../src/fields/entities.js';
import { parseIp, setIpAt } from '../../src/fields/ipcodec.js';
import { parseFilter, type FilterNode, type SessionRow } from '../../src/filter/index.js';
import { MemorySource, QueryError, rank, type Direction, type RankQuery } from '../../src/query/index.js';
import { ColumnStore } from '../../src/store/index.js';
import { DictSource } from './dictsource.js';
import { FROM, TO, randomSessions } from './randomsessions.js';
import { allRows, normalise, referenceRank } from './referencerank.js';

const fixture = randomSessions(7, 6, 300);
const rows = allRows(fixture.batches);
const coded = new DictSource(fixture.source);

const COUNTS: { count: CountName; unique?: EntityName }[] = [
  { count: 'BYTES' },
  { count: 'BITS' },
  { count: 'PACKETS' },
  { count: 'SESSIONS' },
  ...UNIQUE_TARGETS.map((u) => ({ count: 'UNIQUE' as const, unique: u })),
];

const EITHER_FILTERS: Record<string, string> = {
  ADDR: 'ADDR=10.0.0.0/29,2001:db8::/64 && !(ADDR=10.0.0.2)',
  IFACE: 'IFACE=1',
  VLAN: 'VLAN=10,20 && PROTO!=ICMP',
  ASN: 'ASN=64500',
  MAC: 'MAC=00:11:22:33:44:55',
};

function filtersFor(e: EntityDef): { name: string; filter: FilterNode | undefined }[] {
  const either = e.eitherField === undefined ? 'CLNCC=US || SRVCC=NL' : EITHER_FILTERS[e.eitherField]!;
  return [
    { name: 'no filter', filter: undefined },
    { name: 'PROTO=TCP || SRVPORT=53', filter: parseFilter('PROTO=TCP || SRVPORT=53') },
    { name: either, filter: parseFilter(either) },
  ];
}

function directions(e: EntityDef): Direction[] {
  return e.shape === 'sided' ? ['none', 'snd', 'rcv'] : ['none'];
}

t.test('every entity x count x direction x filter matches the brute-force ranking', async (t) => {
  let checked = 0;
  for (const e of ENTITIES) {
    for (const { count, unique } of COUNTS) {
      for (const direction of directions(e)) {
        for (const { name, filter } of filtersFor(e)) {
          const q: RankQuery = { entity: e.name, count, unique, direction, filter, fromUs: FROM, toUs: TO };
          const got = normalise(await rank(fixture.source, q));
          const want = referenceRank(rows, q);
          t.strictSame(got, want, `${e.name} ${count}${unique ? ` ${unique}` : ''} ${direction} [${name}]`);
          // the same with the key columns of every other segment read as dictionary codes
          t.strictSame(normalise(await rank(coded, q)), want, `coded: ${e.name} ${count}${unique ? ` ${unique}` : ''} ${direction} [${name}]`);
          checked++;
        }
      }
    }
  }
  t.ok(checked > 1000, `${checked} rankings compared`);
  t.ok(coded.coded > checked, `${coded.coded} columns ranked through their dictionary codes`);
  t.ok(coded.sorted > 0 && coded.sorted < coded.coded, 'sorted and unsorted dictionaries both');
});

/** A small fixture for the on-disk comparisons of every combination, with volumes beyond 2^33. */
const large = randomSessions(9, 4, 60, { large: true });
const largeRows = allRows(large.batches);

t.test('the on-disk store matches the brute-force ranking in every grouping x count x direction, with and without slices', async (t) => {
  const store = ColumnStore.open(t.testdir(), { segmentCount: 100, segmentSize: 80 });
  for (const b of large.batches) store.append(b.columns, b.rows);
  store.flush();
  t.teardown(() => store.close());
  t.ok(store.list().length >= 4, `${store.list().length} segments`);
  const used = new Set<string>();
  for (const info of store.list()) for (const c of info.columns) used.add(`${c.name} ${c.encoding}`);
  for (const want of ['clnip ip-dict', 'srvip ip-dict', 'end pfor']) t.ok(used.has(want), `the store holds ${want}`);
  const big = largeRows.filter((r) => (['clnbyts', 'srvbyts', 'clnpkts', 'srvpkts'] as const).some((c) => (r[c] as number) >= 2 ** 33));
  const cut = big.filter((r) => r.start! < TO - 555 && r.end! > FROM + 777 && (r.start! < FROM + 777 || r.end! > TO - 555)).length;
  t.ok(big.length > 20 && cut > 2, `${big.length} sessions with a volume of 2^33 or more, ${cut} of them pro-rated to the cut frame`);
  // whole segments (sums by code) and segments cut by the frame (rows pro-rated)
  const span = TO - FROM;
  let checked = 0;
  for (const [from, to] of [
    [FROM - span, FROM + 3 * span],
    [FROM + 777, TO - 555],
  ] as const) {
    for (const e of ENTITIES) {
      const filters = filtersFor(e);
      for (const { count, unique } of COUNTS) {
        for (const direction of directions(e)) {
          for (const slices of [0, 3]) {
            // the filters take turns: each combination is checked once, every filter on every entity
            const { name, filter } = filters[checked % filters.length]!;
            const q: RankQuery = { entity: e.name, count, unique, direction, filter, fromUs: from, toUs: to, slices };
            const label = `${e.name} ${count}${unique ? ` ${unique}` : ''} ${direction} -w ${slices} [${name}] ${from === FROM + 777 ? 'cut' : 'whole'}`;
            t.strictSame(normalise(await rank(store, q)), referenceRank(largeRows, q), label);
            checked++;
          }
        }
      }
    }
  }
  t.equal(checked, 2 * 2 * COUNTS.length * ENTITIES.reduce((n, e) => n + directions(e).length, 0), `${checked} rankings compared`);
});

t.test('a frame holding every segment whole (sums kept by dictionary code, ids looked up per code) matches the reference', async (t) => {
  // every session of the fixture starts after FROM - span and ends before FROM + 3 span
  const span = TO - FROM;
  const [from, to] = [FROM - span, FROM + 3 * span];
  const inside = fixture.source.segments(from, to);
  t.ok(
    inside.every((s) => s.startMin >= from && s.endMax <= to && s.startMax < to),
    'every segment lies inside the frame',
  );
  const before = coded.coded;
  for (const e of ENTITIES) {
    for (const { count, unique } of COUNTS) {
      for (const direction of directions(e)) {
        for (const { name, filter } of filtersFor(e)) {
          for (const slices of count === 'BYTES' ? [0, 3] : [0]) {
            const q: RankQuery = { entity: e.name, count, unique, direction, filter, fromUs: from, toUs: to, slices };
            const label = `${e.name} ${count}${unique ? ` ${unique}` : ''} ${direction} -w ${slices} [${name}]`;
            const want = referenceRank(rows, q);
            t.strictSame(normalise(await rank(coded, q)), want, `coded: ${label}`);
            t.strictSame(normalise(await rank(fixture.source, q)), want, label);
          }
        }
      }
    }
  }
  t.ok(coded.coded > before, 'key columns were ranked through their dictionary codes');
});

t.test('top rows are the head of the full ranking, ties broken by key', async (t) => {
  for (const e of ENTITIES) {
    for (const limit of [1, 3]) {
      for (const count of ['BYTES', 'SESSIONS'] as const) {
        const q: RankQuery = { entity: e.name, count, fromUs: FROM, toUs: TO, rows: limit };
        const got = normalise(await rank(fixture.source, q));
        t.strictSame(got, referenceRank(rows, q), `${e.name} ${count} -r ${limit}`);
      }
    }
  }
});

t.test('slices match the reference, add up to the value, and "other" is the rest', async (t) => {
  for (const e of ENTITIES) {
    for (const { count, unique } of [{ count: 'BYTES' as const }, { count: 'PACKETS' as const }, { count: 'SESSIONS' as const }, { count: 'UNIQUE' as const, unique: 'IP' as const }]) {
      for (const direction of directions(e)) {
        for (const slices of [1, 7]) {
          const q: RankQuery = { entity: e.name, count, unique, direction, fromUs: FROM, toUs: TO, slices, rows: 4, filter: filtersFor(e)[2]!.filter };
          const res = await rank(fixture.source, q);
          t.strictSame(normalise(res), referenceRank(rows, q), `${e.name} ${count} ${direction} -w ${slices}`);
          t.equal(res.slices!.bounds.length, slices + 1);
          if (count === 'BYTES' || count === 'PACKETS') {
            for (const row of res.rows) {
              const sum = row.series!.reduce((a, b) => a + b, 0);
              t.ok(Math.abs(sum - row.value) <= 1e-9 * Math.max(1, row.value), `${e.name} ${count} ${direction}: slices add up to ${row.value}`);
            }
          }
        }
      }
    }
  }
});

t.test('a hand-computed ranking: pro-rating, both sides, self sessions', async (t) => {
  const src = new MemorySource();
  const c = allocColumns(3);
  const put = (i: number, cln: string, srv: string, start: number, end: number, cb: number, sb: number): void => {
    setIpAt(c.clnip as Uint32Array, i, parseIp(cln)!);
    setIpAt(c.srvip as Uint32Array, i, parseIp(srv)!);
    c.start[i] = start;
    c.end[i] = end;
    c.clnbyts[i] = cb;
    c.srvbyts[i] = sb;
    c.clnpkts[i] = 1;
    c.srvpkts[i] = 1;
  };
  // Frame [1000, 2000). Session 0 lies inside; session 1 has a quarter of its duration
  // inside; session 2 is 10.0.0.1 talking to itself.
  put(0, '10.0.0.1', '10.0.0.2', 1100, 1200, 100, 50);
  put(1, '10.0.0.2', '2001:db8::7', -2000, 2000, 4000, 400);
  put(2, '10.0.0.1', '10.0.0.1', 1500, 1500, 7, 3);
  src.append(c, 3);
  const res = await rank(src, { entity: 'IP', count: 'BYTES', fromUs: 1000, toUs: 2000 });
  const table = res.rows.map((r) => [r.text[0], r.value, r.bytesSent, r.bytesRecv, r.sessionsInitiated, r.sessionsAccepted]);
  // 10.0.0.1 sent 7 and received 3 as the client of session 2, sent 3 and received 7 as its server
  t.strictSame(table, [
    ['10.0.0.2', 150 + 1100, 50 + 1000, 100 + 100, 1, 1],
    ['2001:db8::7', 1100, 100, 1000, 0, 1],
    ['10.0.0.1', 150 + 2 * 10, 100 + 7 + 3, 50 + 3 + 7, 2, 1],
  ]);
  t.equal(res.total, 150 + 1100 + 10, 'total bytes of the selection');
  t.strictSame(res.summary, { sessions: 3, packets: 2 + 0.5 + 2, bytes: 1260, entities: 3, skipped: [] });
  t.equal(res.rows[0]!.percent, (1250 / 1260) * 100);
  t.equal(res.rows[2]!.percent, (170 / 1260) * 100);
  const packets = await rank(src, { entity: 'IP', count: 'PACKETS', fromUs: 1000, toUs: 2000 });
  t.strictSame(
    packets.rows.map((r) => [r.text[0], r.value, r.packetsSent, r.packetsRecv]),
    [
      ['10.0.0.1', 2 + 2 * 2, 1 + 1 + 1, 1 + 1 + 1],
      ['10.0.0.2', 2 + 0.5, 1 + 0.25, 1 + 0.25],
      ['2001:db8::7', 0.5, 0.25, 0.25],
    ],
  );
  // sessions it took part in: its session with itself is one
  const sessions = await rank(src, { entity: 'IP', count: 'SESSIONS', fromUs: 1000, toUs: 2000, slices: 2 });
  t.strictSame(
    sessions.rows.map((r) => [r.text[0], r.value, r.series]),
    [
      ['10.0.0.1', 2, [1, 1]],
      ['10.0.0.2', 2, [2, 1]],
      ['2001:db8::7', 1, [1, 1]],
    ],
  );
  // slices [1000, 1500) and [1500, 2000): session 1 puts 4400 / 8 in each; session 2 (at 1500) lies in the second
  const sliced = await rank(src, { entity: 'IP', count: 'BYTES', fromUs: 1000, toUs: 2000, slices: 2 });
  t.strictSame(
    sliced.rows.map((r) => [r.text[0], r.value, r.series]),
    [
      ['10.0.0.2', 1250, [150 + 550, 550]],
      ['2001:db8::7', 1100, [550, 550]],
      ['10.0.0.1', 170, [150, 2 * 10]],
    ],
  );
  const snd = await rank(src, { entity: 'IP', count: 'SESSIONS', direction: 'snd', fromUs: 1000, toUs: 2000 });
  t.strictSame(
    snd.rows.map((r) => [r.text[0], r.value]),
    [
      ['10.0.0.1', 2],
      ['10.0.0.2', 1],
      ['2001:db8::7', 0],
    ],
  );
  const pairs = await rank(src, { entity: 'IPPAIR', count: 'BYTES', fromUs: 1000, toUs: 2000, slices: 2 });
  t.strictSame(
    pairs.rows.map((r) => [r.text, r.value, r.series]),
    [
      [['10.0.0.2', '2001:db8::7'], 1100, [550, 550]],
      [['10.0.0.1', '10.0.0.2'], 150, [150, 0]],
      [['10.0.0.1', '10.0.0.1'], 10, [0, 10]],
    ],
  );
});

t.test('a large session with itself counts on both sides, exactly', async (t) => {
  const src = new MemorySource();
  const c = allocColumns(2);
  const x = 2 ** 51 + 1;
  // 10.0.0.1 talks to itself (x bytes, counted as sent and as received), then sends 1 byte to 10.0.0.2
  setIpAt(c.clnip as Uint32Array, 0, parseIp('10.0.0.1')!);
  setIpAt(c.srvip as Uint32Array, 0, parseIp('10.0.0.1')!);
  setIpAt(c.clnip as Uint32Array, 1, parseIp('10.0.0.1')!);
  setIpAt(c.srvip as Uint32Array, 1, parseIp('10.0.0.2')!);
  c.start.set([1000, 1100]);
  c.end.set([1500, 1200]);
  c.clnbyts.set([x, 1]);
  src.append(c, 2);
  const q: RankQuery = { entity: 'IP', count: 'BYTES', fromUs: 0, toUs: 2000 };
  const res = await rank(src, q);
  const host = res.rows.find((r) => r.text[0] === '10.0.0.1')!;
  t.strictSame([host.value, host.bytesSent, host.bytesRecv], [2 ** 52 + 3, 2 ** 51 + 2, 2 ** 51 + 1], 'sent x + 1, received x');
  t.strictSame(normalise(res), referenceRank(allRows([{ columns: c, rows: 2 }]), q));
});

/** Sessions with the same value of the sided entity e on both sides. */
function selfSessions(e: EntityDef, within: readonly SessionRow[]): number {
  const key = (r: SessionRow, cols: readonly ColumnName[]): string => cols.map((c) => String(r[c])).join('|');
  return within.filter((r) => key(r, e.client!) === key(r, e.server!)).length;
}

t.test('a sided entity\'s volume is what it sent plus what it received, sessions with itself included', async (t) => {
  const store = ColumnStore.open(t.testdir(), { segmentCount: 100, segmentSize: 300 });
  for (const b of fixture.batches) store.append(b.columns, b.rows);
  store.flush();
  t.teardown(() => store.close());
  const span = TO - FROM;
  for (const e of ENTITIES.filter((x) => x.shape === 'sided')) {
    t.ok(selfSessions(e, rows) > 10, `${e.name}: ${selfSessions(e, rows)} sessions with the same ${e.name} on both sides`);
    for (const [from, to] of [
      [FROM - span, FROM + 3 * span],
      [FROM + 777, TO - 555],
    ] as const) {
      for (const [name, source] of [
        ['memory', fixture.source],
        ['coded', coded],
        ['disk', store],
      ] as const) {
        for (const count of ['BYTES', 'BITS', 'PACKETS'] as const) {
          const res = await rank(source, { entity: e.name, count, fromUs: from, toUs: to });
          const cut = from === FROM + 777;
          // pro-rated bytes pass 2^33 here: sent and received, each rounded once, may add up to
          // a value one rounding away from the exact one the engine reports (docs/queries.md)
          const exact = !cut || count === 'PACKETS';
          const sum = (r: (typeof res.rows)[number]): number => (count === 'PACKETS' ? r.packetsSent + r.packetsRecv : (r.bytesSent + r.bytesRecv) * (count === 'BITS' ? 8 : 1));
          const wrong = res.rows.filter((r) => (exact ? r.value !== sum(r) : Math.abs(r.value - sum(r)) > 4 * Number.EPSILON * r.value));
          t.same(
            wrong.map((r) => [r.text.join(' '), r.value, sum(r)]),
            [],
            `${e.name} ${count} ${name} ${cut ? 'cut' : 'whole'}: value = sent + received in all ${res.rows.length} rows${exact ? '' : ' (to the last bits)'}`,
          );
        }
      }
    }
  }
});

t.test('bad queries are refused with a QueryError and a code', async (t) => {
  const base = { fromUs: FROM, toUs: TO };
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ entity: 'HOST', count: 'BYTES' }, 'UNKNOWN_ENTITY', /unknown entity "HOST": use one of IP IPPAIR/],
    [{ entity: 'IP', count: 'FLOWS' }, 'UNKNOWN_COUNT', /use one of BYTES BITS PACKETS SESSIONS UNIQUE/],
    [{ entity: 'IP', count: 'UNIQUE' }, 'BAD_UNIQUE', /-cnt UNIQUE needs an entity: one of IP PORTPROTO QOS TCPFLAGS IF COUNTRY VLAN ASN MAC/],
    [{ entity: 'IP', count: 'UNIQUE', unique: 'IPPAIR' }, 'BAD_UNIQUE', /UNIQUE IPPAIR is not possible/],
    [{ entity: 'IP', count: 'BYTES', unique: 'IP' }, 'BAD_UNIQUE', /needs -cnt UNIQUE/],
    [{ entity: 'IPPAIR', count: 'BYTES', direction: 'snd' }, 'BAD_DIRECTION', /-snd does not apply to -grp IPPAIR/],
    [{ entity: 'PORTPROTO', count: 'SESSIONS', direction: 'rcv' }, 'BAD_DIRECTION', /-rcv does not apply to -grp PORTPROTO/],
    [{ entity: 'IP', count: 'BYTES', direction: 'up' }, 'BAD_DIRECTION', /unknown direction/],
    [{ entity: 'IP', count: 'BYTES', fromUs: TO, toUs: FROM }, 'BAD_TIME_FRAME', /from < to/],
    [{ entity: 'IP', count: 'BYTES', toUs: NaN }, 'BAD_TIME_FRAME', /finite/],
    [{ entity: 'IP', count: 'BYTES', rows: 0 }, 'BAD_ROWS', /positive integer/],
    [{ entity: 'IP', count: 'BYTES', rows: 2.5 }, 'BAD_ROWS', /positive integer/],
    [{ entity: 'IP', count: 'BYTES', slices: 10001 }, 'BAD_SLICES', /1 to 10000/],
  ];
  for (const [q, code, msg] of cases) {
    await t.rejects(rank(fixture.source, { ...base, ...q } as unknown as RankQuery), { name: 'QueryError', code, message: msg }, code);
  }
  await t.rejects(rank(fixture.source, { ...base, entity: 'IP', count: 'BYTES' }, { workers: 0 }), { code: 'BAD_WORKERS' });
  t.ok(new QueryError('BAD_ROWS', 'x') instanceof Error);
});

t.test('names are accepted in any case; an empty frame ranks nothing', async (t) => {
  const q = { entity: 'ip', count: 'bytes', fromUs: FROM, toUs: TO, rows: 2 } as unknown as RankQuery;
  t.strictSame(normalise(await rank(fixture.source, q)), referenceRank(rows, { ...q, entity: 'IP', count: 'BYTES' }));
  const empty = await rank(fixture.source, { entity: 'IP', count: 'BYTES', fromUs: 1, toUs: 2, slices: 3 });
  t.strictSame(empty.rows, []);
  t.strictSame(empty.summary, { sessions: 0, packets: 0, bytes: 0, entities: 0, skipped: [] });
  t.strictSame(empty.slices!.other, [0, 0, 0]);
  t.equal(empty.total, 0);
});
