import fc from 'fast-check';
import t from 'tap';
import {
  COLUMN_DEFS,
  MemorySource,
  OUTPUT_FIELDS,
  allocColumn,
  allocColumns,
  findField,
  formatIp,
  formatLocalTime,
  formatMac,
  formatTcpFlags,
  packCountry,
  parseIp,
  parseMac,
  rank,
  setIpAt,
  streamSessions,
  type ColumnArray,
  type ColumnName,
  type FieldName,
  type RankQuery,
  type SessionBatch,
} from '@opentraq/core';
import { EncoderFailure, EncoderPool, ZoneOffsets, columnsForFields, createSessionWriter, renderStatCsv, renderStatJson, type RowExtras, type SessionFormat } from '../../src/api/render/index.js';

const S = 1_000_000;
const FROM = 1_700_000_000 * S;
const TO = FROM + 600 * S;

interface Fixture {
  cln: string;
  srv: string;
  cport: number;
  sport: number;
  proto: number;
  cpk: number;
  spk: number;
  cby: number;
  sby: number;
  /** µs after FROM */
  start: number;
  dur: number;
  flags: number;
  cas: number;
  sas: number;
  ccc: string;
  scc: string;
  cmac: string;
  smac: string;
  exp: string;
  inif: number;
  outif: number;
}

const base = { flags: 0x1b, cas: 0, sas: 0, ccc: '', scc: '', cmac: '00:00:00:00:00:00', smac: '00:00:00:00:00:00', exp: '192.0.2.1', inif: 1, outif: 2 };
/** Six sessions; the fifth lies half before the frame, the sixth two thirds after it. */
const SESSIONS: readonly Fixture[] = [
  { ...base, cln: '10.0.0.1', srv: '192.0.2.10', cport: 40001, sport: 443, proto: 6, cpk: 10, spk: 20, cby: 1000, sby: 30000, start: 10 * S + 123, dur: 20 * S, sas: 15169, ccc: 'NL', scc: 'US', cmac: '02:00:5e:10:00:01' },
  { ...base, cln: '10.0.0.2', srv: '192.0.2.10', cport: 40002, sport: 443, proto: 6, cpk: 5, spk: 6, cby: 500, sby: 7000, start: 20 * S, dur: 5 * S, flags: 0x02, sas: 15169, ccc: 'NL', scc: 'US' },
  { ...base, cln: '10.0.0.1', srv: '198.51.100.7', cport: 5353, sport: 53, proto: 17, cpk: 1, spk: 1, cby: 70, sby: 150, start: 30 * S + 500000, dur: 0, flags: 0, ccc: 'NL', scc: 'DE', exp: '192.0.2.2', inif: 7, outif: 3 },
  { ...base, cln: '2001:db8::5', srv: '2001:db8::53', cport: 5000, sport: 53, proto: 17, cpk: 2, spk: 2, cby: 140, sby: 300, start: 40 * S, dur: 1 * S, flags: 0, exp: '2001:db8::1' },
  { ...base, cln: '10.0.0.3', srv: '10.0.0.1', cport: 50000, sport: 22, proto: 6, cpk: 100, spk: 90, cby: 9000, sby: 12000, start: -100 * S, dur: 200 * S, flags: 0xff, ccc: 'NL', scc: 'NL', smac: 'ff:ee:dd:cc:bb:aa' },
  { ...base, cln: '10.0.0.2', srv: '192.0.2.10', cport: 40003, sport: 80, proto: 6, cpk: 3, spk: 3, cby: 333, sby: 777, start: 590 * S, dur: 30 * S, sas: 15169, ccc: 'NL', scc: 'US' },
];

function source(rows: readonly Fixture[]): MemorySource {
  const c = allocColumns(rows.length);
  rows.forEach((r, i) => {
    setIpAt(c.clnip as Uint32Array, i, parseIp(r.cln)!);
    setIpAt(c.srvip as Uint32Array, i, parseIp(r.srv)!);
    setIpAt(c.expip as Uint32Array, i, parseIp(r.exp)!);
    c.clnport[i] = r.cport;
    c.srvport[i] = r.sport;
    c.proto[i] = r.proto;
    c.clnpkts[i] = r.cpk;
    c.srvpkts[i] = r.spk;
    c.clnbyts[i] = r.cby;
    c.srvbyts[i] = r.sby;
    c.start[i] = FROM + r.start;
    c.end[i] = FROM + r.start + r.dur;
    c.flags[i] = r.flags;
    c.clnas[i] = r.cas;
    c.srvas[i] = r.sas;
    c.clncc[i] = packCountry(r.ccc);
    c.srvcc[i] = packCountry(r.scc);
    c.clnmac[i] = parseMac(r.cmac);
    c.srvmac[i] = parseMac(r.smac);
    c.inif[i] = r.inif;
    c.outif[i] = r.outif;
    c.expv[i] = 9;
    c.samplerate[i] = 1;
    c.flows[i] = 1;
  });
  const src = new MemorySource();
  src.append(c, rows.length);
  return src;
}

const SRC = source(SESSIONS);

const extras: RowExtras = {
  asnOf: (ip) => (ip === '192.0.2.10' ? { asn: 15169, name: 'Example, Inc.' } : ip === '10.0.0.1' ? { asn: 64500, name: '' } : null),
  countryOf: (ip) => (ip.startsWith('10.') ? 'NL' : ip === '192.0.2.10' ? 'US' : null),
  serviceOf: (port, proto) => new Map([['443/6', 'https'], ['53/17', 'domain'], ['22/6', 'ssh']]).get(`${port}/${proto}`) ?? null,
  asName: (asn) => (asn === 15169 ? 'GOOGLE' : null),
};

/** The share of a session inside the frame (time.md): overlap / duration, an instant counts whole. */
function share(r: Fixture): number {
  const s = FROM + r.start;
  const e = s + r.dur;
  if (r.dur === 0) return s >= FROM && s < TO ? 1 : 0;
  return Math.max(0, Math.min(e, TO) - Math.max(s, FROM)) / r.dur;
}

function cmpIp(a: string, b: string): number {
  const x = parseIp(a)!;
  const y = parseIp(b)!;
  for (let k = 0; k < 4; k++) if (x[k] !== y[k]) return x[k]! < y[k]! ? -1 : 1;
  return 0;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

async function ranked(q: Partial<RankQuery>): Promise<Awaited<ReturnType<typeof rank>>> {
  return rank(SRC, { entity: 'IP', count: 'BYTES', fromUs: FROM, toUs: TO, ...q } as RankQuery);
}

t.test('stat JSON: IP by bytes, checked against a brute-force ranking of the same sessions', async (t) => {
  const r = ranked({});
  const json = JSON.parse(renderStatJson(await r, extras));
  t.strictSame(json.columns, [
    'rank', 'IP', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted', 'asn', 'as_name', 'country',
  ]);
  const per = new Map<string, { v: number; bs: number; br: number; ps: number; pr: number; si: number; sa: number }>();
  let total = 0;
  let packets = 0;
  for (const s of SESSIONS) {
    const f = share(s);
    total += f * (s.cby + s.sby);
    packets += f * (s.cpk + s.spk);
    for (const [ip, side] of [[s.cln, 'c'], [s.srv, 's']] as const) {
      const e = per.get(ip) ?? { v: 0, bs: 0, br: 0, ps: 0, pr: 0, si: 0, sa: 0 };
      per.set(ip, e);
      e.v += f * (s.cby + s.sby);
      e.bs += f * (side === 'c' ? s.cby : s.sby);
      e.br += f * (side === 'c' ? s.sby : s.cby);
      e.ps += f * (side === 'c' ? s.cpk : s.spk);
      e.pr += f * (side === 'c' ? s.spk : s.cpk);
      if (side === 'c') e.si++;
      else e.sa++;
    }
  }
  const order = [...per].sort((a, b) => b[1].v - a[1].v || cmpIp(a[0], b[0]));
  t.equal(json.data.length, order.length);
  order.forEach(([ip, e], i) => {
    const row = json.data[i];
    const asn = ip === '192.0.2.10' ? 15169 : ip === '10.0.0.1' ? 64500 : null;
    const name = ip === '192.0.2.10' ? 'Example, Inc.' : null;
    const cc = ip.startsWith('10.') ? 'NL' : ip === '192.0.2.10' ? 'US' : null;
    t.strictSame(
      [row[0], row[1], row[2], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], row[12]],
      [i + 1, ip, Math.round(e.v), Math.round(e.bs), Math.round(e.br), Math.round(e.ps), Math.round(e.pr), e.si, e.sa, asn, name, cc],
      `row ${i + 1}: ${ip}`,
    );
    t.ok(Math.abs(row[3] - (e.v / total) * 100) < 1.5e-6 && row[3] === round6(row[3]), `row ${i + 1}: percent ${row[3]} with six decimals`);
  });
  t.strictSame(json.summary, { sessions: 6, packets: Math.round(packets), bytes: Math.round(total), entities: per.size, total: Math.round(total), from: 1_700_000_000, to: 1_700_000_600 });
  t.notOk('series' in json, 'no series without slices');
  t.ok(json.data.every((row: unknown[]) => Number.isInteger(row[2]) && Number.isInteger(row[4])), 'pro-rated volumes are rounded');
});

t.test('stat JSON: entity values are text for addresses, MACs, countries and flags, numbers otherwise', async (t) => {
  const port = JSON.parse(renderStatJson(await ranked({ entity: 'PORTPROTO', count: 'SESSIONS' }), extras));
  t.strictSame(port.columns.slice(0, 3), ['rank', 'PORT', 'PROTO']);
  t.equal(port.columns.at(-1), 'service');
  t.strictSame(port.data.map((r: unknown[]) => [r[1], r[2], r.at(-1)]), [[53, 17, 'domain'], [443, 6, 'https'], [22, 6, 'ssh'], [80, 6, null]]);

  const pair = JSON.parse(renderStatJson(await ranked({ entity: 'IPPAIR', count: 'SESSIONS', rows: 1 }), extras));
  t.strictSame(pair.columns, [
    'rank', 'IP_A', 'IP_B', 'value', 'percent', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted',
    'asn_A', 'as_name_A', 'country_A', 'asn_B', 'as_name_B', 'country_B',
  ]);
  t.strictSame(pair.data, [[1, '10.0.0.2', '192.0.2.10', 2, 33.333333, 611, 7259, 6, 7, 2, 0, null, null, 'NL', 15169, 'Example, Inc.', 'US']]);

  const flags = JSON.parse(renderStatJson(await ranked({ entity: 'TCPFLAGS', count: 'SESSIONS' }), extras));
  t.strictSame(flags.data.map((r: unknown[]) => [r[1], r[2]]), [['........', 2], ['...AP.SF', 2], ['......S.', 1], ['CEUAPRSF', 1]]);

  const mac = JSON.parse(renderStatJson(await ranked({ entity: 'MAC', count: 'SESSIONS', direction: 'snd', rows: 2 }), extras));
  t.strictSame(mac.data.map((r: unknown[]) => [r[1], r[2]]), [['00:00:00:00:00:00', 5], ['02:00:5e:10:00:01', 1]]);

  const cc = JSON.parse(renderStatJson(await ranked({ entity: 'COUNTRY', count: 'SESSIONS', direction: 'rcv' }), extras));
  t.equal(cc.columns.length, 10, 'no extras for countries');
  t.strictSame(cc.data.map((r: unknown[]) => [r[1], r[2]]), [['US', 3], ['--', 1], ['DE', 1], ['NL', 1]]);

  const asn = JSON.parse(renderStatJson(await ranked({ entity: 'ASN', count: 'SESSIONS', direction: 'rcv' }), extras));
  t.equal(asn.columns.at(-1), 'as_name');
  t.strictSame(asn.data.map((r: unknown[]) => [r[1], r.at(-1)]), [[0, null], [15169, 'GOOGLE']]);
  const { asName: _dropped, ...noNames } = extras;
  const asn2 = JSON.parse(renderStatJson(await ranked({ entity: 'ASNPAIR', count: 'SESSIONS' }), noNames));
  t.strictSame(asn2.columns.slice(-2), ['as_name_A', 'as_name_B'], 'the columns stay when names are unknown');
  t.ok(asn2.data.every((r: unknown[]) => r.at(-1) === null && r.at(-2) === null));

  const ifs = JSON.parse(renderStatJson(await ranked({ entity: 'IFPAIR', count: 'SESSIONS' }), extras));
  t.strictSame(ifs.columns.slice(1, 4), ['EXPIP', 'IF_A', 'IF_B']);
  t.strictSame(ifs.data.map((r: unknown[]) => r.slice(1, 4)), [['192.0.2.1', 1, 2], ['192.0.2.2', 7, 3], ['2001:db8::1', 1, 2]]);
  t.equal(ifs.columns.length, 12, 'exporter addresses get no extras');
});

t.test('stat JSON with slices: a column per slice start, and the series of the rest', async (t) => {
  const r = await ranked({ entity: 'PORTPROTO', count: 'BYTES', slices: 3, rows: 1 });
  const json = JSON.parse(renderStatJson(r, extras));
  t.strictSame(json.columns.slice(-3), ['1700000000', '1700000200', '1700000400']);
  t.strictSame(json.series.bounds, [1_700_000_000, 1_700_000_200, 1_700_000_400, 1_700_000_600]);
  // 443/6 ranks first (38500 bytes, all in the first slice); 22/6 is half in the first slice; 80/6 in the last
  t.strictSame(json.data[0].slice(0, 4), [1, 443, 6, 38500]);
  t.strictSame(json.data[0].slice(-3), [38500, 0, 0]);
  t.strictSame(json.series.other, [10500 + 660, 0, 370]);
  const odd = JSON.parse(renderStatJson(await ranked({ slices: 7, rows: 1 }), extras));
  t.strictSame(odd.series.bounds.slice(0, 2), [1_700_000_000, 1_700_000_085.714286], 'bounds between two µs are rounded to the µs');
});

t.test('stat CSV: the same columns, a header and # summary lines with -C, quoting where needed', async (t) => {
  const r = await ranked({ entity: 'PORTPROTO', count: 'SESSIONS' });
  t.equal(
    renderStatCsv(r, extras, true),
    [
      'rank,PORT,PROTO,value,percent,bytes_sent,bytes_recv,packets_sent,packets_recv,sessions_initiated,sessions_accepted,service',
      '1,53,17,2,33.333333,210,450,3,3,2,2,domain',
      '2,443,6,2,33.333333,1500,37000,15,26,2,2,https',
      '3,22,6,1,16.666667,4500,6000,50,45,1,1,ssh',
      '4,80,6,1,16.666667,111,259,1,1,1,1,',
      '# Total sessions: 6, Total packets: 144, Total bytes: 50030',
      '# Distinct entities: 4',
      '',
    ].join('\n'),
  );
  t.equal(
    renderStatCsv(r, extras, false),
    ['1,53,17,2,33.333333,210,450,3,3,2,2,domain', '2,443,6,2,33.333333,1500,37000,15,26,2,2,https', '3,22,6,1,16.666667,4500,6000,50,45,1,1,ssh', '4,80,6,1,16.666667,111,259,1,1,1,1,', ''].join('\n'),
    '-c: no header, no summary',
  );
  const ip = renderStatCsv(await ranked({ rows: 2 }), extras, false);
  t.equal(ip, '1,10.0.0.1,41720,83.389966,7070,34650,56,71,2,1,64500,,NL\n2,192.0.2.10,38870,77.693384,37259,1611,27,16,0,3,15169,"Example, Inc.",US\n', 'a name with a comma is quoted');
  const series = renderStatCsv(await ranked({ entity: 'QOS', count: 'SESSIONS', slices: 2 }), extras, true).split('\n');
  t.equal(series[0], 'rank,QOS,value,percent,bytes_sent,bytes_recv,packets_sent,packets_recv,sessions_initiated,sessions_accepted,1700000000,1700000300');
  t.equal(series[1], '1,0,6,100,6321,43709,69,75,6,6,5,1');
});

t.test('an empty ranking still has its columns and a summary', async (t) => {
  const r = await rank(SRC, { entity: 'IP', count: 'PACKETS', fromUs: TO + 3600 * S, toUs: TO + 7200 * S });
  const json = JSON.parse(renderStatJson(r, extras));
  t.strictSame(json.data, []);
  t.equal(json.columns.length, 13);
  t.strictSame(json.summary, { sessions: 0, packets: 0, bytes: 0, entities: 0, total: 0, from: 1_700_004_200, to: 1_700_007_800 });
  t.equal(
    renderStatCsv(r, extras, true),
    'rank,IP,value,percent,bytes_sent,bytes_recv,packets_sent,packets_recv,sessions_initiated,sessions_accepted,asn,as_name,country\n# Total sessions: 0, Total packets: 0, Total bytes: 0\n# Distinct entities: 0\n',
  );
  t.equal(renderStatCsv(r, extras, false), '');
});

const ALL: readonly FieldName[] = OUTPUT_FIELDS.map((f) => f.name);

function write(format: SessionFormat, fields: readonly FieldName[], header: boolean, batchRows: number, src = SRC, fromUs = FROM, toUs = TO): string {
  const w = createSessionWriter(format, fields, header);
  let out = w.begin();
  for (const b of streamSessions(src, { fromUs, toUs, columns: columnsForFields(fields), batchRows })) out += Buffer.from(w.batch(b)).toString('latin1');
  return out + w.end();
}

/** The fixture in stream order (by start). */
const ORDERED = [...SESSIONS].sort((a, b) => a.start - b.start);

t.test('sessions JSON: one object per session keyed by field name, and the summary', async (t) => {
  const text = write('json', ALL, false, 4096);
  const json = JSON.parse(text);
  t.strictSame(json.columns, ALL);
  t.equal(json.data.length, 6);
  t.strictSame(Object.keys(json.data[0]), ALL, 'keys in field order');
  const first = json.data[0];
  const s5 = SESSIONS[4]!;
  t.strictSame(
    [first.START, first.END, first.CLNIP, first.SRVIP, first.CLNPORT, first.SRVPORT, first.PROTO, first.FLAGS, first.CLNCC, first.SRVCC, first.SRVMAC, first.CLNMAC, first.EXPIP, first.CLNPKTS],
    [1_699_999_900, 1_700_000_100, '10.0.0.3', '10.0.0.1', 50000, 22, 6, 'CEUAPRSF', 'NL', 'NL', 'ff:ee:dd:cc:bb:aa', '00:00:00:00:00:00', '192.0.2.1', s5.cpk],
  );
  t.equal(json.data[1].START, 1_700_000_010.000123, 'µs fraction');
  t.equal(json.data[3].START, 1_700_000_030.5);
  t.equal(json.data[3].END, 1_700_000_030.5, 'an instant');
  t.strictSame([json.data[4].CLNIP, json.data[4].SRVIP, json.data[4].CLNCC, json.data[4].EXPIP], ['2001:db8::5', '2001:db8::53', '--', '2001:db8::1']);
  t.strictSame(json.data[1].CLNMAC, '02:00:5e:10:00:01');
  t.strictSame(json.data.map((d: { CLNPORT: number }) => d.CLNPORT), ORDERED.map((s) => s.cport), 'start order');
  t.strictSame(json.data.map((d: { FLAGS: string }) => d.FLAGS), ['CEUAPRSF', '...AP.SF', '......S.', '........', '........', '...AP.SF']);
  const packets = SESSIONS.reduce((n, s) => n + s.cpk + s.spk, 0);
  const bytes = SESSIONS.reduce((n, s) => n + s.cby + s.sby, 0);
  t.strictSame(json.summary, { sessions: 6, packets, bytes }, 'whole sessions, never pro-rated');
  t.ok(text.startsWith(`{"columns":${JSON.stringify(ALL)},"data":[\n{"START":1699999900,`), 'one session a line');
  t.ok(text.endsWith('}\n],"summary":{"sessions":6,"packets":' + packets + ',"bytes":' + bytes + '}}\n'));
});

t.test('sessions: several batches give the same text as one, in every format', async (t) => {
  for (const format of ['json', 'ndjson', 'csv'] as const) {
    for (const header of format === 'csv' ? [false, true] : [false]) {
      const one = write(format, ALL, header, 4096);
      for (const n of [1, 2, 5]) t.equal(write(format, ALL, header, n), one, `${format}${header ? ' with header' : ''}, batches of ${n}`);
    }
  }
});

t.test('sessions NDJSON: the JSON objects one a line, nothing else', async (t) => {
  const lines = write('ndjson', ALL, false, 2).split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.strictSame(lines.map((l) => JSON.parse(l)), JSON.parse(write('json', ALL, false, 3)).data);
  const few = write('ndjson', ['SRVPORT', 'CLNIP'], false, 4096);
  t.equal(few.split('\n')[0], '{"SRVPORT":22,"CLNIP":"10.0.0.3"}', 'only the fields asked for, in that order');
});

t.test('sessions CSV: ftsq -c / -C, times in the local time zone', async (t) => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'America/New_York';
    const fields: FieldName[] = ['START', 'END', 'CLNIP', 'SRVPORT', 'PROTO', 'FLAGS', 'SRVCC', 'CLNMAC', 'CLNBYTS'];
    const text = write('csv', fields, true, 4096);
    const lines = text.split('\n');
    t.equal(lines[0], 'START,END,CLNIP,SRVPORT,PROTO,FLAGS,SRVCC,CLNMAC,CLNBYTS');
    // 1700000010.000123 is 2023-11-14 22:13:30 UTC, 17:13:30 in New York (EST)
    t.equal(lines[2], '11/14/2023 17:13:30.000123,11/14/2023 17:13:50.000123,10.0.0.1,443,6,...AP.SF,US,02:00:5e:10:00:01,1000');
    t.equal(lines[5], '11/14/2023 17:14:00.000000,11/14/2023 17:14:01.000000,2001:db8::5,53,17,........,--,00:00:00:00:00:00,140');
    const packets = SESSIONS.reduce((n, s) => n + s.cpk + s.spk, 0);
    const bytes = SESSIONS.reduce((n, s) => n + s.cby + s.sby, 0);
    t.equal(lines[7], `# Total sessions: 6, Total packets: ${packets}, Total bytes: ${bytes}`);
    t.equal(lines.length, 9);
    t.strictSame(
      lines.slice(1, 7).map((l) => l.split(',')[0]),
      ORDERED.map((s) => formatLocalTime(FROM + s.start)),
      'the same text as the tools print',
    );
    const plain = write('csv', fields, false, 4096);
    t.equal(plain, lines.slice(1, 7).join('\n') + '\n', '-c: no header, no summary');
  } finally {
    process.env.TZ = saved;
  }
});

t.test('an empty stream in every format', async (t) => {
  const later = [TO + 3600 * S, TO + 7200 * S] as const;
  const json = JSON.parse(write('json', ['START', 'CLNIP'], false, 10, SRC, ...later));
  t.strictSame(json, { columns: ['START', 'CLNIP'], data: [], summary: { sessions: 0, packets: 0, bytes: 0 } });
  t.equal(write('ndjson', ['START'], false, 10, SRC, ...later), '');
  t.equal(write('csv', ['START', 'CLNIP'], true, 10, SRC, ...later), 'START,CLNIP\n# Total sessions: 0, Total packets: 0, Total bytes: 0\n');
  t.equal(write('csv', ['START', 'CLNIP'], false, 10, SRC, ...later), '');
});

t.test('columnsForFields asks for the fields and what the summary adds up', async (t) => {
  t.strictSame(columnsForFields(['SRVIP', 'START']), ['srvip', 'start', 'clnpkts', 'srvpkts', 'clnbyts', 'srvbyts']);
  t.strictSame(columnsForFields(['CLNBYTS']), ['clnbyts', 'clnpkts', 'srvpkts', 'srvbyts']);
  t.equal(columnsForFields(ALL).length, 36, 'every output field has its own column');
  t.throws(() => columnsForFields(['TOTBYTS' as FieldName]), /TOTBYTS is not an output field/);
  t.throws(() => createSessionWriter('json', [], false), /at least one field/);
  const w = createSessionWriter('csv', ['SRVIP'], false);
  const b: SessionBatch = { rows: 1, columns: { srvip: new Uint32Array(4) } };
  t.throws(() => w.batch(b), /no column clnpkts of 1 rows: ask streamSessions for columnsForFields/);
});

/** A batch of one column (and the summary's counts) for the property tests. */
function oneColumn(name: ColumnName, values: ColumnArray, rows: number): SessionBatch {
  const zero = new Float64Array(rows);
  return { rows, columns: { clnpkts: zero, srvpkts: zero, clnbyts: zero, srvbyts: zero, [name]: values } };
}

function lines(format: SessionFormat, field: FieldName, b: SessionBatch): string[] {
  const w = createSessionWriter(format, [field], false);
  return (w.begin() + Buffer.from(w.batch(b)).toString('latin1') + w.end()).split('\n').slice(0, b.rows);
}

t.test('values are written exactly as core formats them', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 20 }), (addrs) => {
      const col = new Uint32Array(addrs.length * 4);
      const want = addrs.map(([v4, a, b, c], i) => {
        const w = v4 ? [0, 0, 0xffff, c] : [a, a & 0xffff00ff, b, c];
        col.set(w, i * 4);
        return formatIp(w[0]!, w[1]!, w[2]!, w[3]!);
      });
      const got = lines('csv', 'CLNIP', oneColumn('clnip', col, addrs.length));
      const json = lines('ndjson', 'CLNIP', oneColumn('clnip', col, addrs.length)).map((l) => JSON.parse(l).CLNIP);
      return JSON.stringify(got) === JSON.stringify(want) && JSON.stringify(json) === JSON.stringify(want);
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { minLength: 1, maxLength: 20 }), (macs) => {
      const got = lines('csv', 'SRVMAC', oneColumn('srvmac', Float64Array.from(macs), macs.length));
      return JSON.stringify(got) === JSON.stringify(macs.map(formatMac));
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), { minLength: 1, maxLength: 20 }), (counts) => {
      const got = lines('ndjson', 'CLNBYTS', oneColumn('clnbyts', Float64Array.from(counts), counts.length)).map((l) => JSON.parse(l).CLNBYTS);
      return JSON.stringify(got) === JSON.stringify(counts);
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1e15, max: 9e15 }), { minLength: 1, maxLength: 20 }), (times) => {
      const got = lines('ndjson', 'START', oneColumn('start', Float64Array.from(times), times.length)).map((l) => JSON.parse(l).START);
      return got.every((v, i) => v === times[i]! / 1e6);
    }),
  );
  t.pass('addresses, MACs, counts and epoch times');
});

t.test('local times match formatLocalTime in zones with odd offsets and around transitions', async (t) => {
  const saved = process.env.TZ;
  try {
    for (const zone of ['UTC', 'America/New_York', 'Europe/Amsterdam', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Apia']) {
      process.env.TZ = zone;
      // instants near the DST changes of 2024 in the zones above, and anywhere from 1900 to 2100
      const near = [Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 3, 6, 15), Date.UTC(2024, 9, 5, 15), Date.UTC(2024, 10, 3, 6), Date.UTC(1937, 6, 1)];
      const instant = fc.oneof(
        fc.integer({ min: -2208988800000000, max: 4102444800000000 }),
        fc.tuple(fc.constantFrom(...near), fc.integer({ min: -7200_000_000, max: 7200_000_000 })).map(([ms, d]) => ms * 1000 + d),
      );
      fc.assert(
        fc.property(fc.array(instant, { minLength: 1, maxLength: 40 }).map((a) => a.sort((x, y) => x - y)), (times) => {
          const got = lines('csv', 'END', oneColumn('end', Float64Array.from(times), times.length));
          return JSON.stringify(got) === JSON.stringify(times.map(formatLocalTime));
        }),
        { numRuns: 60 },
      );
    }
  } finally {
    process.env.TZ = saved;
  }
  t.pass('local times');
});

t.test('damaged values never make invalid JSON', async (t) => {
  const rows = 4;
  const b: SessionBatch = {
    rows,
    columns: {
      start: Float64Array.of(NaN, Infinity, 1.5, 2 ** 60),
      clnpkts: Float64Array.of(NaN, -Infinity, 0.5, -3),
      srvpkts: new Float64Array(rows),
      clnbyts: new Float64Array(rows),
      srvbyts: new Float64Array(rows),
      clncc: Uint16Array.of(0x2222, 0x0a0d, 0x4e4c, 0),
      clnmac: Float64Array.of(-1, 2 ** 48, 1.5, NaN),
    },
  };
  const fields: FieldName[] = ['START', 'CLNPKTS', 'CLNCC', 'CLNMAC'];
  const w = createSessionWriter('json', fields, false);
  const json = JSON.parse(w.begin() + Buffer.from(w.batch(b)).toString('latin1') + w.end());
  t.strictSame(
    json.data.map((d: Record<string, unknown>) => fields.map((f) => d[f])),
    [
      [null, null, '--', null],
      [null, null, '--', null],
      [0.000002, 0.5, 'NL', null],
      [null, -3, '--', null],
    ],
  );
  const c = createSessionWriter('csv', fields, false);
  t.equal(Buffer.from(c.batch(b)).toString('latin1'), `,,--,\n,,--,\n${formatLocalTime(2)},0.5,NL,\n,-3,--,\n`);
});

/** mulberry32: the same random sessions for a seed on every run, so that a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Instants near the DST changes of the zones tested, and their neighbours. */
const TRANSITIONS_MS = [Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 10, 3, 6), Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 9, 27, 1), Date.UTC(2024, 3, 6, 15), Date.UTC(2024, 9, 5, 15, 30), Date.UTC(1972, 0, 7, 0, 44, 30)];

/**
 * `rows` sessions of every stored column with the values each can hold: times in order near DST
 * changes and far from them (before 1970, with µs fractions, NaN, beyond safe µs), IPv4, IPv6 with and
 * without zero runs, `::`, counts beyond 2^32 and 2^53, negative, fractional, missing (NaN, ±∞) values,
 * MACs in and out of 48 bits, country codes of letters, digits, 0 and damage, every flags byte.
 */
function randomSessions(rows: number, rand: () => number): SessionBatch {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number): number => Math.floor(rand() * n);
  const columns: Record<string, ColumnArray> = {};
  for (const d of COLUMN_DEFS) columns[d.name] = allocColumn(d.type, rows);
  let t = pick(TRANSITIONS_MS) * 1000 - int(7200) * 1_000_000;
  const odd = [NaN, Infinity, -Infinity, -0, 0.5, 1.5, -1, -12345.678, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e21, 4294967295, 4294967296];
  const ipv6 = [
    [0, 0, 0, 0],
    [0, 0, 0, 1],
    [0x20010db8, 0, 0, 1],
    [0x20010db8, 0xffff, 0, 2],
    [0xfe800000, 0, 0x02000000, 0x00000001],
    [0x20010db8, 0, 1, 0],
    [0, 0, 0xffff0000, 0],
    [0x00010000, 0, 0, 0x00000001],
  ];
  for (let i = 0; i < rows; i++) {
    const r = rand();
    if (r < 0.01) t = pick([-1, 1]) * int(2 ** 52);
    else if (r < 0.02) t = pick(TRANSITIONS_MS) * 1000 + int(7_200_000_000) - 3_600_000_000;
    else if (r < 0.03) t = Date.UTC(1900 + int(200), int(12), 1 + int(28), int(24)) * 1000;
    else t += int(3) === 0 ? 0 : int(5_000_000);
    const start = rand() < 0.01 ? pick([NaN, Infinity, 2 ** 60, t + 0.4, t + 0.6]) : t;
    (columns.start as Float64Array)[i] = start;
    (columns.end as Float64Array)[i] = rand() < 0.01 ? pick([NaN, -Infinity]) : t + pick([0, int(1_000_000), int(600_000_000), int(7_200_000_000), 1_000_000 * int(100)]);
    for (const d of COLUMN_DEFS) {
      if (d.name === 'start' || d.name === 'end') continue;
      const col = columns[d.name]!;
      if (d.type === 'ip') {
        const v4 = rand() < 0.6;
        const w = v4 ? [0, 0, 0xffff, int(2 ** 32)] : rand() < 0.5 ? pick(ipv6) : [int(2 ** 32), rand() < 0.5 ? 0 : int(2 ** 32), rand() < 0.5 ? 0 : int(2 ** 32), int(2 ** 32)];
        col.set(w, i * 4);
      } else if (d.name === 'clnmac' || d.name === 'srvmac') {
        col[i] = rand() < 0.1 ? pick([0, 2 ** 48 - 1, 2 ** 48, -1, 1.5, NaN, Infinity]) : int(2 ** 48);
      } else if (d.name === 'clncc' || d.name === 'srvcc') {
        col[i] = rand() < 0.5 ? packCountry(pick(['NL', 'US', 'DE', 'A1', '9Z', 'zz'])) : pick([0, int(65536), 0x2222, 0x0a0d]);
      } else if (d.type === 'f64') {
        col[i] = rand() < 0.05 ? pick(odd) : rand() < 0.5 ? int(100) : int(2 ** 40);
      } else {
        const bits = d.type === 'u8' ? 8 : d.type === 'u16' ? 16 : 32;
        col[i] = rand() < 0.3 ? pick([0, 1, 9, 10, 99, 100, 2 ** bits - 1]) : int(2 ** bits);
      }
    }
  }
  return { rows, columns };
}

/** The µs `raw` as UTC epoch seconds, exact (BigInt arithmetic), trailing fraction zeros dropped. */
function epochText(raw: number): string {
  const us = Math.round(raw);
  if (!Number.isSafeInteger(us)) return 'null';
  const abs = BigInt(Math.abs(us));
  const frac = String(abs % 1_000_000n).padStart(6, '0').replace(/0+$/, '');
  return `${us < 0 ? '-' : ''}${abs / 1_000_000n}${frac === '' ? '' : `.${frac}`}`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** `MM/DD/YYYY hh:mm:ss.ffffff` in an IANA zone, read from Intl (a different path from the server's offsets). */
function zoneTimeText(us: number, zone: string): string {
  const sec = Math.floor(us / 1_000_000);
  let format = zoneFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    zoneFormats.set(zone, format);
  }
  const parts = format.formatToParts(sec * 1000);
  const get = (type: string): string => parts.find((p) => p.type === type)!.value;
  return `${get('month')}/${get('day')}/${get('year').padStart(4, '0')} ${get('hour')}:${get('minute')}:${get('second')}.${String(us - sec * 1_000_000).padStart(6, '0')}`;
}

/** One value as the straightforward formatting writes it: core's formatters, one at a time. */
function referenceValue(field: FieldName, b: SessionBatch, i: number, json: boolean, zone: string): string {
  const def = findField(field)!;
  const col = b.columns[(def.source as { column: ColumnName }).column]!;
  const missing = json ? 'null' : '';
  const str = (s: string): string => (json ? JSON.stringify(s) : s);
  const v = col[i]!;
  switch (def.output!.format) {
    case 'time': {
      if (json) return epochText(v);
      const us = Math.round(v);
      if (!Number.isSafeInteger(us)) return missing;
      return zone === 'local' ? formatLocalTime(us) : zoneTimeText(us, zone);
    }
    case 'ip':
      return str(formatIp(col[i * 4]!, col[i * 4 + 1]!, col[i * 4 + 2]!, col[i * 4 + 3]!));
    case 'mac':
      return v >= 0 && v < 2 ** 48 && Number.isInteger(v) ? str(formatMac(v)) : missing;
    case 'cc': {
      const text = String.fromCharCode(v >>> 8, v & 255);
      return str(/^[A-Za-z0-9]{2}$/.test(text) ? text : '--');
    }
    case 'flags':
      return str(formatTcpFlags(v & 255));
    default:
      return Number.isFinite(v) ? String(v) : missing;
  }
}

function referenceAnswer(format: SessionFormat, fields: readonly FieldName[], header: boolean, b: SessionBatch, zone: string): string {
  const json = format !== 'csv';
  const rows = Array.from({ length: b.rows }, (_, i) => {
    const values = fields.map((f) => referenceValue(f, b, i, json, zone));
    return json ? `{${fields.map((f, k) => `${JSON.stringify(f)}:${values[k]}`).join(',')}}` : values.join(',');
  });
  const cols = b.columns as Record<string, Float64Array>;
  let packets = 0;
  let bytes = 0;
  for (let i = 0; i < b.rows; i++) {
    packets += cols.clnpkts![i]! + cols.srvpkts![i]!;
    bytes += cols.clnbyts![i]! + cols.srvbyts![i]!;
  }
  if (format === 'ndjson') return rows.map((r) => `${r}\n`).join('');
  if (format === 'json') {
    const summary = JSON.stringify({ sessions: b.rows, packets: Math.round(packets), bytes: Math.round(bytes) });
    return `{"columns":${JSON.stringify(fields)},"data":[${rows.length > 0 ? `\n${rows.join(',\n')}\n` : ''}],"summary":${summary}}\n`;
  }
  const body = rows.map((r) => `${r}\n`).join('');
  if (!header) return body;
  return `${fields.join(',')}\n${body}# Total sessions: ${b.rows}, Total packets: ${Math.round(packets)}, Total bytes: ${Math.round(bytes)}\n`;
}

/** Rows [from, to) of a batch of every column. */
function slice(b: SessionBatch, from: number, to: number): SessionBatch {
  const columns: Record<string, ColumnArray> = {};
  for (const d of COLUMN_DEFS) {
    const w = d.type === 'ip' ? 4 : 1;
    columns[d.name] = b.columns[d.name]!.subarray(from * w, to * w);
  }
  return { rows: to - from, columns };
}

t.test('the compiled encoder writes what the straightforward formatting writes: every field, format and zone', async (t) => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'America/New_York';
    const zones = ['local', 'UTC', 'Europe/Amsterdam', 'Australia/Lord_Howe', 'Africa/Monrovia', 'America/St_Johns'];
    let compared = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const rand = random(seed);
      const b = randomSessions(1500, rand);
      // every field in field-table order, and a shuffled subset
      const subset = ALL.filter(() => rand() < 0.4).sort(() => rand() - 0.5);
      for (const fields of [ALL, subset.length > 0 ? subset : ['SRVIP' as FieldName]]) {
        for (const format of ['csv', 'ndjson', 'json'] as const) {
          const zone = zones[(seed + compared) % zones.length]!;
          const header = format === 'csv' && rand() < 0.5;
          const w = createSessionWriter(format, fields, header, zone === 'local' ? ZoneOffsets.local() : ZoneOffsets.named(zone));
          let got = w.begin();
          // batches of random sizes, so that the caches carry across batch ends
          for (let at = 0; at < b.rows; ) {
            const n = Math.min(b.rows - at, 1 + Math.floor(rand() * 700));
            got += Buffer.from(w.batch(slice(b, at, at + n))).toString('latin1');
            at += n;
          }
          got += w.end();
          const want = referenceAnswer(format, fields, header, b, zone);
          compared++;
          if (got !== want) {
            const gl = got.split('\n');
            const wl = want.split('\n');
            const k = gl.findIndex((l, i) => l !== wl[i]);
            t.fail(`seed ${seed}, ${format}, ${fields.length} fields, zone ${zone}: line ${k} differs`, { found: gl[k], wanted: wl[k] });
            return;
          }
          if (format !== 'csv') JSON.parse(format === 'json' ? got : `[${got.trimEnd().split('\n').join(',')}]`);
        }
      }
    }
    t.equal(compared, 72, 'every seed, field list and format compared byte for byte');
  } finally {
    process.env.TZ = saved;
  }
});

t.test('ZoneOffsets: exact offsets across changes, from the hour cache and at the change itself', async (t) => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    const ny = ZoneOffsets.named('America/New_York');
    const H = 3_600_000;
    const spring = Date.UTC(2024, 2, 10, 7);
    t.equal(ny.offsetMsAt(spring - 1000), -5 * H, 'EST the second before');
    t.equal(ny.offsetMsAt(spring), -4 * H, 'EDT from the change');
    t.equal(ny.offsetMsAt(spring - 1), -5 * H, 'the last ms before');
    const lordHowe = ZoneOffsets.named('Australia/Lord_Howe');
    // Lord Howe goes back half an hour at 02:00 local (+11:00), 15:00 UTC, on 7 April 2024
    const back = Date.UTC(2024, 3, 6, 15);
    t.equal(lordHowe.offsetMsAt(back - 1000), 11 * H);
    t.equal(lordHowe.offsetMsAt(back), 10.5 * H);
    const adelaide = ZoneOffsets.named('Australia/Adelaide');
    // a change at half past an hour of UTC: 03:00 local (+10:30) is 16:30 UTC on 6 April 2024
    const mid = Date.UTC(2024, 3, 6, 16, 30);
    t.equal(adelaide.offsetMsAt(mid - 1000), 10.5 * H, 'before a change within the hour');
    t.equal(adelaide.offsetMsAt(mid), 9.5 * H, 'after it, same hour');
    t.equal(adelaide.offsetMsAt(mid - 1000), 10.5 * H, 'and before it again, from the cache');
    const monrovia = ZoneOffsets.named('Africa/Monrovia');
    // Liberia left its mean time (-00:44:30) for GMT at midnight on 7 January 1972: 00:44:30 UTC
    const gmt = Date.UTC(1972, 0, 7, 0, 44, 30);
    t.equal(monrovia.offsetMsAt(gmt - 1000), -(44 * 60 + 30) * 1000, 'a change at an odd second: before');
    t.equal(monrovia.offsetMsAt(gmt), 0, 'the change itself');
    t.equal(monrovia.offsetMsAt(gmt - 1), -(44 * 60 + 30) * 1000, 'its last ms before');
    t.equal(ZoneOffsets.named('america/NEW_YORK').zone, 'America/New_York', 'any case; the canonical name');
    t.equal(ZoneOffsets.named('Asia/Kathmandu').offsetMsAt(0), 5.5 * H, '1970: +05:30');
    t.throws(() => ZoneOffsets.named('Europe/Atlantis'), { code: 'UNKNOWN_TIME_ZONE', message: /unknown time zone "Europe\/Atlantis".*IANA name/ });
    t.throws(() => ZoneOffsets.named(''), { code: 'UNKNOWN_TIME_ZONE' });
    t.equal(ZoneOffsets.local().zone, 'local');
    t.equal(ZoneOffsets.local().offsetMsAt(spring), 0, 'the process zone, UTC here');
  } finally {
    process.env.TZ = saved;
  }
});

t.test('encoder threads write the same bytes, in the order the batches were handed over', async (t) => {
  const pool = new EncoderPool(2);
  t.teardown(() => pool.close());
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Europe/Amsterdam';
    for (let seed = 21; seed <= 23; seed++) {
      const rand = random(seed);
      const b = randomSessions(900, rand);
      for (const [format, zone] of [
        ['csv', ZoneOffsets.local()],
        ['csv', ZoneOffsets.named('America/New_York')],
        ['json', ZoneOffsets.local()],
        ['ndjson', ZoneOffsets.local()],
      ] as const) {
        const here = createSessionWriter(format, ALL, format === 'csv', zone);
        const there = createSessionWriter(format, ALL, format === 'csv', zone);
        let want = here.begin();
        const parts: Promise<Uint8Array>[] = [];
        for (let at = 0; at < b.rows; at += 128) {
          const part = slice(b, at, Math.min(b.rows, at + 128));
          want += Buffer.from(here.batch(part)).toString('latin1');
          parts.push(there.batchOn(pool, part));
        }
        const got = there.begin() + (await Promise.all(parts)).map((p) => Buffer.from(p).toString('latin1')).join('') + there.end();
        t.equal(got, want + here.end(), `seed ${seed}, ${format}, ${zone.zone}: the same bytes as on this thread`);
      }
    }
  } finally {
    process.env.TZ = saved;
  }
  const spec = { formats: ['time'], prefixes: [''], rowStart: '', rowEnd: '\n', syntax: 'csv', zone: 'Nowhere/Atlantis' } as const;
  const bad = await pool.encode(spec, [new Float64Array(1)], 1).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(bad instanceof EncoderFailure, 'a batch the thread cannot format fails with EncoderFailure');
  t.match(bad, { code: 'ENCODER_FAILED', message: /formatting the answer failed: unknown time zone "Nowhere\/Atlantis"/ });
  const w = createSessionWriter('csv', ['START'], false, ZoneOffsets.named('UTC'));
  t.equal(Buffer.from(await w.batchOn(pool, oneColumn('start', Float64Array.of(0), 1))).toString('latin1'), '01/01/1970 00:00:00.000000\n', 'the thread still works after a failed batch');
  const pending = t.rejects(w.batchOn(pool, oneColumn('start', new Float64Array(50_000), 50_000)), { code: 'ENCODER_FAILED', message: /stopped while an answer was written/ }, 'a batch still being formatted when the pool stops fails');
  await pool.close();
  await pending;
  await t.rejects(w.batchOn(pool, oneColumn('start', Float64Array.of(0), 1)), { code: 'ENCODER_FAILED', message: /are stopped/ }, 'and so does a batch after');
});
