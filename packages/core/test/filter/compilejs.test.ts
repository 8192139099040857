import t from 'tap';
import { allocColumns, type ColumnName } from '../../src/fields/columns.js';
import { FILTER_FIELDS, findField, type FieldDef } from '../../src/fields/fields.js';
import { compileToJs, parseFilter, type FilterNode } from '../../src/filter/index.js';
import { batch, compiledMatches, referenceMatches, type RowSpec } from './helpers.js';

/** Checks the compiled filter and the reference evaluator against the expected row indices. */
type Asserts = Pick<typeof t, 'same'>;

function check(t: Asserts, filter: string | FilterNode, rows: readonly RowSpec[], expected: readonly number[], name?: string): void {
  const cols = batch(rows);
  const label = name ?? (typeof filter === 'string' ? filter : JSON.stringify(filter));
  t.same(compiledMatches(filter, cols, rows.length), expected, `${label} (compiled)`);
  t.same(referenceMatches(filter, cols, rows.length), expected, `${label} (reference)`);
}

function columnOf(def: FieldDef): ColumnName {
  if (def.source.kind !== 'column') throw new Error(`${def.name} is not a column field`);
  return def.source.column;
}

// Rows hold 5, 10, 15; each comparator against 10 must pick these rows.
const AGAINST_10: Readonly<Record<string, readonly number[]>> = { '=': [1], '!=': [0, 2], '>': [2], '>=': [1, 2], '<': [0], '<=': [0, 1] };

t.test('every numeric column field with every comparator it takes', async (t) => {
  let fields = 0;
  for (const f of FILTER_FIELDS) {
    const spec = f.filter!;
    if (f.source.kind !== 'column' || (spec.value !== 'int' && spec.value !== 'decimal')) continue;
    fields++;
    const col = columnOf(f);
    const rows = [5, 10, 15].map((v) => ({ [col]: v }));
    for (const op of spec.comparators) check(t, `${f.name}${op}10`, rows, AGAINST_10[op]!);
  }
  t.equal(fields, 17, 'all integer column fields covered');
});

t.test('sums and duration', async (t) => {
  const pkts = [
    { clnpkts: 2, srvpkts: 3 },
    { clnpkts: 4, srvpkts: 6 },
    { clnpkts: 15, srvpkts: 0 },
  ];
  const byts = pkts.map((r) => ({ clnbyts: r.clnpkts, srvbyts: r.srvpkts }));
  for (const op of ['=', '!=', '>', '>=', '<', '<='] as const) {
    check(t, `TOTPKTS${op}10`, pkts, AGAINST_10[op]!);
    check(t, `TOTBYTS${op}10`, byts, AGAINST_10[op]!);
  }
  const t0 = 1_700_000_000_000_000;
  const durations = [
    { start: t0, end: t0 + 5_000_000 },
    { start: t0, end: t0 + 10_000_000 },
    { start: t0 + 1, end: t0 + 15_000_001 },
  ];
  for (const op of ['=', '!=', '>', '>=', '<', '<='] as const) check(t, `TTIME${op}10`, durations, AGAINST_10[op]!);
  check(t, 'TTIME>7.5', durations, [1, 2]);
  check(t, 'TTIME=5,15', durations, [0, 2]);
  check(t, 'TTIME<0.000001', [{ start: t0, end: t0 }, { start: t0, end: t0 + 1 }, { start: t0, end: t0 + 2 }], [0], 'microsecond resolution');
  check(t, 'TTIME<=0.000001', [{ start: t0, end: t0 }, { start: t0, end: t0 + 1 }, { start: t0, end: t0 + 2 }], [0, 1], 'microsecond resolution, inclusive');
});

t.test('either fields: client OR server; != means neither side', async (t) => {
  const eithers = FILTER_FIELDS.filter((f) => f.role === 'either');
  t.same(eithers.map((f) => f.name), ['ADDR', 'PORT', 'PACKETS', 'BYTES', 'IFACE', 'VLAN', 'ASN', 'MAC']);
  for (const f of eithers) {
    if (f.source.kind !== 'either') throw new Error('either field without sides');
    const cln = columnOf(findField(f.source.client)!);
    const srv = columnOf(findField(f.source.server)!);
    if (f.filter!.value === 'ip') {
      const rows = [
        { [cln]: '10.0.0.10', [srv]: '1.1.1.1' },
        { [cln]: '1.1.1.1', [srv]: '10.0.0.10' },
        { [cln]: '10.0.0.10', [srv]: '10.0.0.10' },
        { [cln]: '1.1.1.1', [srv]: '1.1.1.2' },
      ];
      check(t, `${f.name}=10.0.0.10`, rows, [0, 1, 2]);
      check(t, `${f.name}!=10.0.0.10`, rows, [3]);
      check(t, `${f.name}!=10.0.0.10,1.1.1.2`, rows, []);
      continue;
    }
    if (f.filter!.value === 'mac') {
      const rows = [
        { [cln]: 10, [srv]: 0 },
        { [cln]: 0, [srv]: 10 },
        { [cln]: 10, [srv]: 10 },
        { [cln]: 5, [srv]: 15 },
      ];
      check(t, `${f.name}=00:00:00:00:00:0a`, rows, [0, 1, 2]);
      check(t, `${f.name}!=00:00:00:00:00:0a`, rows, [3]);
      continue;
    }
    const rows = [
      { [cln]: 10, [srv]: 0 },
      { [cln]: 0, [srv]: 10 },
      { [cln]: 10, [srv]: 10 },
      { [cln]: 5, [srv]: 15 },
    ];
    check(t, `${f.name}=10`, rows, [0, 1, 2]);
    check(t, `${f.name}!=10`, rows, [3]);
    check(t, `${f.name}>10`, rows, [3]);
    check(t, `${f.name}>=15`, rows, [3]);
    check(t, `${f.name}<5`, rows, [0, 1], 'either side below 5');
    check(t, `${f.name}<=5`, rows, [0, 1, 3]);
    check(t, `${f.name}=5-9`, rows, [3]);
    check(t, `${f.name}!=0,5`, rows, [2], 'neither side is 0 or 5');
  }
});

t.test('addresses: exact, CIDR, IPv4 vs IPv6', async (t) => {
  const ips = [
    '10.0.0.1', // 0
    '10.255.255.255', // 1
    '11.0.0.0', // 2
    '0.0.0.0', // 3
    '255.255.255.255', // 4
    '::a00:1', // 5  IPv4-compatible IPv6: not 10.0.0.1
    '2001:db8::a00:1', // 6
    '2001:db8:ffff::1', // 7
    '::', // 8
    '::1', // 9
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // 10
    '192.168.1.77', // 11
  ];
  for (const field of ['CLNIP', 'SRVIP', 'EXPIP', 'ADDR']) {
    // ADDR: both sides hold the address, so either side matching gives the same rows.
    const rows = ips.map((ip) => (field === 'ADDR' ? { clnip: ip, srvip: ip } : { [columnOf(findField(field)!)]: ip }));
    check(t, `${field}=10.0.0.1`, rows, [0]);
    check(t, `${field}=10.0.0.1/32`, rows, [0]);
    check(t, `${field}!=10.0.0.1`, rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    check(t, `${field}=10.0.0.0/8`, rows, [0, 1]);
    check(t, `${field}=10.1.2.3/8`, rows, [0, 1], 'host bits ignored');
    check(t, `${field}=0.0.0.0/0`, rows, [0, 1, 2, 3, 4, 11], 'IPv4 /0: every IPv4 address, no IPv6');
    check(t, `${field}=128.0.0.0/1`, rows, [4, 11]);
    check(t, `${field}=192.168.1.76/31`, rows, [11]);
    check(t, `${field}=192.168.1.78/31`, rows, []);
    check(t, `${field}=::a00:1`, rows, [5], 'an IPv6 address does not match the IPv4 address with the same low bits');
    check(t, `${field}=::ffff:10.0.0.1`, rows, [0], 'IPv4-mapped is IPv4');
    check(t, `${field}=2001:db8::/32`, rows, [6, 7]);
    check(t, `${field}=2001:db8::/33`, rows, [6]);
    check(t, `${field}=2001:db8::a00:1/128`, rows, [6]);
    check(t, `${field}=2001:db8::a00:0/127`, rows, [6]);
    check(t, `${field}=::/127`, rows, [8, 9]);
    check(t, `${field}=::/128`, rows, [8]);
    check(t, `${field}=::/96`, rows, [5, 8, 9], 'IPv4-compatible block, not the IPv4-mapped one');
    check(t, `${field}=8000::/1`, rows, [10]);
    check(t, `${field}=::/0`, rows, ips.map((_, i) => i), 'IPv6 /0 holds the IPv4-mapped range too');
    check(t, `${field}=::ffff:0:0/96`, rows, [0, 1, 2, 3, 4, 11], 'the IPv4-mapped range is all IPv4');
    check(t, `${field}!=10.0.0.0/8,2001:db8::/32,::/127`, rows, [2, 3, 4, 5, 10, 11]);
  }
});

t.test('country codes, MACs, flags, protocols', async (t) => {
  const cc = [{ clncc: 'NL', srvcc: 'US' }, { clncc: 'BE', srvcc: 'NL' }, { clncc: '--', srvcc: 'US' }, { clncc: 'US', srvcc: '--' }];
  check(t, 'CLNCC=NL', cc, [0]);
  check(t, 'CLNCC=nl,be', cc, [0, 1]);
  check(t, 'CLNCC!=NL,BE', cc, [2, 3]);
  check(t, 'SRVCC=--', cc, [3]);
  check(t, 'SRVCC!=US', cc, [1, 3]);

  const mac = [{ clnmac: 'aa:bb:cc:dd:ee:ff', srvmac: '00:00:00:00:00:01' }, { clnmac: '00:00:00:00:00:01', srvmac: 'ff:ff:ff:ff:ff:ff' }, { clnmac: 0, srvmac: 0 }];
  check(t, 'CLNMAC=AA:BB:CC:DD:EE:FF', mac, [0]);
  check(t, 'SRVMAC=ff:ff:ff:ff:ff:ff,00:00:00:00:00:01', mac, [0, 1]);
  check(t, 'CLNMAC!=aa:bb:cc:dd:ee:ff', mac, [1, 2]);
  check(t, 'SRVMAC=00:00:00:00:00:00', mac, [2]);

  const flags = [{ flags: 0x02 }, { flags: 0x12 }, { flags: 0x10 }, { flags: 0x04 }, { flags: 0 }, { flags: 0xff }];
  check(t, 'FLAGS=FSYN', flags, [0, 1, 5]);
  check(t, 'flags=fack', flags, [1, 2, 5]);
  check(t, 'FLAGS!=FACK', flags, [0, 3, 4]);
  check(t, 'FLAGS=FSYN,FRST', flags, [0, 1, 3, 5], 'any of the flags set');
  check(t, 'FLAGS!=FSYN,FRST', flags, [2, 4], 'none of the flags set');
  check(t, 'FLAGS=FSYN && !(FLAGS=FACK)', flags, [0]);
  check(t, 'FLAGS=FCWR', flags, [5]);
  check(t, 'FLAGS=FFIN,FPSH,FURG,FECN', flags, [5]);

  const proto = [1, 6, 17, 58, 50, 0, 255].map((p) => ({ proto: p }));
  check(t, 'PROTO=TCP', proto, [1]);
  check(t, 'PROTO=udp || PROTO=ICMP6', proto, [2, 3]);
  check(t, 'PROTO>TCP', proto, [2, 3, 4, 6]);
  check(t, 'PROTO=ICMP-UDP', proto, [0, 1, 2]);
  check(t, 'PROTO!=TCP,UDP,ESP', proto, [0, 3, 5, 6]);
  check(t, 'PROTO<=0', proto, [5]);
  check(t, 'PROTO>=255', proto, [6]);
});

t.test('lists and ranges', async (t) => {
  const ports = [0, 21, 22, 23, 999, 1000, 1500, 2000, 2001, 65535].map((p) => ({ srvport: p, clnport: 40000 }));
  check(t, 'SRVPORT=22,1000-2000', ports, [2, 5, 6, 7]);
  check(t, 'SRVPORT!=22,1000-2000', ports, [0, 1, 3, 4, 8, 9]);
  check(t, 'SRVPORT=0-0,65535', ports, [0, 9]);
  check(t, 'SRVPORT=21-23,22-1000', ports, [1, 2, 3, 4, 5], 'overlapping ranges');
  check(t, 'SRVPORT=0-65535', ports, ports.map((_, i) => i));
  check(t, 'PORT=10000-50000', ports, ports.map((_, i) => i), 'either: the client port is in range');
  check(t, 'PORT!=40000', ports, [], 'either: no session avoids port 40000');
  const small = [1, 2, 3, 4, 5, 6].map((p) => ({ srvport: p }));
  check(t, 'SRVPORT=1-2,4-5', small, [0, 1, 3, 4], 'a gap of one value stays a gap');
  check(t, 'SRVPORT=4-5,1-2,3', small, [0, 1, 2, 3, 4], 'adjacent ranges, any order');
  check(t, 'SRVPORT!=2-3,5', small, [0, 3, 5]);
  check(t, 'SRVPORT=1,3,5,7,9,11,13,15,17,21,23,2001', ports, [1, 3, 8], 'a list longer than the test chain');
  check(t, 'SRVPORT=1-2,4-5,7-8,10-11,13-14,16-17,19-20,22-23,25-26,2000-2001', ports, [2, 3, 7, 8], 'many ranges');
  check(t, 'SRVPORT!=1-2,4-5,7-8,10-11,13-14,16-17,19-20,22-23,25-26,2000-2001', ports, [0, 1, 4, 5, 6, 9]);
});

t.test('large lists stay lookups', async (t) => {
  const n = 1000;
  const addrs = Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
  const v6 = Array.from({ length: n }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
  const ports = Array.from({ length: n }, (_, i) => 2 * i + 1);
  const filter = `ADDR=${addrs.join(',')},${v6.join(',')},172.16.0.0/12 || SRVPORT=${ports.join(',')} || CLNPORT=${ports.map((p) => `${p * 10}-${p * 10 + 2}`).join(',')}`;
  const rows: RowSpec[] = [
    { clnip: '10.0.0.1', srvip: '1.1.1.1', srvport: 2, clnport: 5 }, // 0 first address
    { clnip: '1.1.1.1', srvip: '10.3.231.1', srvport: 2, clnport: 5 }, // 1 last address (999 = 3*256+231)
    { clnip: '10.3.232.1', srvip: '10.0.0.2', srvport: 2, clnport: 5 }, // 2 neither in the list
    { clnip: '2001:db8:3e7:ffff::1', srvip: '::1', srvport: 2, clnport: 5 }, // 3 last v6 block (0x3e7 = 999)
    { clnip: '2001:db8:3e8::1', srvip: '::1', srvport: 2, clnport: 5 }, // 4 just after the v6 blocks
    { clnip: '172.31.255.255', srvip: '::1', srvport: 2, clnport: 5 }, // 5 the /12
    { clnip: '1.1.1.1', srvip: '1.1.1.1', srvport: 1999, clnport: 5 }, // 6 last port
    { clnip: '1.1.1.1', srvip: '1.1.1.1', srvport: 2000, clnport: 5 }, // 7 even port: no
    { clnip: '1.1.1.1', srvip: '1.1.1.1', srvport: 2, clnport: 19992 }, // 8 last client range 19990-19992
    { clnip: '1.1.1.1', srvip: '1.1.1.1', srvport: 2, clnport: 19993 }, // 9 just after it
    { clnip: '1.1.1.1', srvip: '1.1.1.1', srvport: 2, clnport: 10 }, // 10 first client range
    { clnip: '::ffff:10.0.5.1', srvip: '1.1.1.1', srvport: 2, clnport: 5 }, // 11 (i = 5)
  ];
  // Addresses that differ from listed blocks in one word only, in the second word in particular.
  for (let k = 0; k < 16; k++) rows.push({ clnip: `2001:db8:${(0x1000 + k).toString(16)}::`, srvip: `2001:db9:${k}::`, srvport: 2, clnport: 5 });
  rows.push({ clnip: '2001:db8::', srvip: '2001:db8:0:0:1::', srvport: 2, clnport: 5 }); // 28: first v6 block
  check(t, filter, rows, [0, 1, 3, 5, 6, 8, 10, 11, 28], 'thousands of values');
  const source = compileToJs(parseFilter(filter)).select.toString();
  t.ok(source.length < 3000, `no chain of thousands of tests (${source.length} characters of code)`);
});

t.test('precedence and parentheses, against truth tables', async (t) => {
  // a, b, c are the three bits of the row number.
  const rows = Array.from({ length: 8 }, (_, i) => ({ tos: i & 1, asaevt: (i >> 1) & 1, asaextevt: (i >> 2) & 1 }));
  const truth = (f: (a: boolean, b: boolean, c: boolean) => boolean): number[] =>
    rows.map((_, i) => i).filter((i) => f((i & 1) === 1, (i & 2) === 2, (i & 4) === 4));
  const A = 'TOS=1';
  const B = 'ASAEVT=1';
  const C = 'ASAEXTEVT=1';
  check(t, `${A} || ${B} && ${C}`, rows, truth((a, b, c) => a || (b && c)));
  check(t, `${A} && ${B} || ${C}`, rows, truth((a, b, c) => (a && b) || c));
  check(t, `${A} ^^ ${B} || ${C}`, rows, truth((a, b, c) => a !== b || c));
  check(t, `${A} || ${B} ^^ ${C}`, rows, truth((a, b, c) => a || b !== c));
  check(t, `${A} ^^ ${B} && ${C}`, rows, truth((a, b, c) => a !== (b && c)));
  check(t, `${A} ^^ ${B} ^^ ${C}`, rows, truth((a, b, c) => (a !== b) !== c));
  check(t, `!${A} && ${B}`, rows, truth((a, b) => !a && b));
  check(t, `!(${A} && ${B})`, rows, truth((a, b) => !(a && b)));
  check(t, `(${A} || ${B}) && ${C}`, rows, truth((a, b, c) => (a || b) && c));
  check(t, `!!${A}`, rows, truth((a) => a));
  check(t, `${A} ^^ ${A}`, rows, []);
  check(t, `(${A} ^^ ${B}) ^^ (${B} ^^ ${C})`, rows, truth((a, _b, c) => a !== c));
  check(t, '', rows, [0, 1, 2, 3, 4, 5, 6, 7], 'empty filter');
});

t.test('select: window, absolute indices, columns, missing columns', async (t) => {
  const cols = batch([0, 22, 80, 22, 443, 22].map((p) => ({ srvport: p })));
  const f = compileToJs(parseFilter('SRVPORT=22'));
  const sel = new Uint32Array(6).fill(99);
  t.equal(f.select(cols, 2, 5, sel), 1);
  t.same(Array.from(sel.subarray(0, 1)), [3], 'indices are row numbers of the batch, not offsets from start');
  t.equal(f.select(cols, 3, 3, sel), 0, 'empty window');
  const all = compileToJs(parseFilter(''));
  t.same(all.columns, []);
  t.equal(all.select({}, 2, 5, sel), 3);
  t.same(Array.from(sel.subarray(0, 3)), [2, 3, 4], 'the empty filter fills start..end-1');

  t.same(compileToJs(parseFilter('ADDR=1.2.3.4 && TOTPKTS>1 || TTIME<1 || FLAGS=FSYN')).columns, ['clnip', 'clnpkts', 'end', 'flags', 'srvip', 'srvpkts', 'start']);
  t.same(compileToJs(parseFilter('IFACE=1 && VLAN=2 && ASN=3 && MAC=00:00:00:00:00:01 && PACKETS=1 && BYTES=1')).columns, [
    'clnas',
    'clnbyts',
    'clnmac',
    'clnpkts',
    'inif',
    'invlan',
    'outif',
    'outvlan',
    'srvas',
    'srvbyts',
    'srvmac',
    'srvpkts',
  ]);
  t.same(compileToJs(parseFilter('EXPIP=1.2.3.4 && EXPV=9 && CLNCC=NL && SRVCC=US && TOS=0 && ASAEVT=1 && ASAEXTEVT=1')).columns, [
    'asaevt',
    'asaextevt',
    'clncc',
    'expip',
    'expv',
    'srvcc',
    'tos',
  ]);
  const partial = { srvport: new Uint16Array(4) };
  t.throws(() => compileToJs(parseFilter('SRVPORT=0 && PROTO=6')).select(partial, 0, 4, sel), /reads column proto, which was not given/);
  t.equal(compileToJs(parseFilter('SRVPORT=0')).select(partial, 0, 4, sel), 4, 'only the columns it reads are needed');
  const big = allocColumns(100_000, ['srvport']);
  for (let i = 0; i < 100_000; i++) big.srvport[i] = i % 7;
  const bigSel = new Uint32Array(100_000);
  t.equal(compileToJs(parseFilter('SRVPORT=3')).select(big, 0, 100_000, bigSel), 14286);
});

t.test('compiled functions are cached by canonical text', async (t) => {
  const a = compileToJs(parseFilter('SRVPORT=22 && PROTO=TCP'));
  t.equal(compileToJs(parseFilter('SRVPORT=22 && PROTO=TCP')), a, 'same text');
  t.equal(compileToJs(parseFilter('srvport == 22&&proto=6')), a, 'same canonical text');
  t.not(compileToJs(parseFilter('SRVPORT=22 && PROTO=UDP')), a, 'different filter');
  t.not(compileToJs(parseFilter('PROTO=TCP && SRVPORT=22')), a, 'operand order is part of the text');
  for (let i = 0; i < 300; i++) compileToJs(parseFilter(`SRVPORT=${i}`));
  t.not(compileToJs(parseFilter('SRVPORT=22 && PROTO=TCP')), a, 'least recently used entries are dropped');
});

t.test('ASTs built in code compile too', async (t) => {
  const rows = [{ srvport: 22, clnport: 1 }, { srvport: 80, clnport: 22 }, { srvport: 1, clnport: 1 }];
  const ast: FilterNode = {
    type: 'or',
    left: { type: 'cmp', field: 'SRVPORT', op: '=', values: [{ kind: 'int', lo: 22, hi: 22 }] },
    right: { type: 'not', operand: { type: 'cmp', field: 'PORT', op: '<', values: [{ kind: 'int', lo: 20, hi: 20 }] } },
  };
  check(t, ast, rows, [0, 1]);
  t.throws(() => compileToJs({ type: 'cmp', field: 'SRVPORT', op: '>', values: [{ kind: 'int', lo: 1, hi: 5 }] }), /range needs = or !=/);
  t.throws(() => compileToJs({ type: 'cmp', field: 'SRVPORT', op: '=', values: [] }), /has no value/);
});
