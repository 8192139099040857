// Property tests: random filters over every filter field, run through the parser
// (filterToString → parseFilter) and the compiler, must agree with the reference
// evaluator on random session batches holding IPv4, IPv6, boundary and zero values.

import fc from 'fast-check';
import t from 'tap';
import { allocColumns, COLUMN_NAMES, COLUMNS, packCountry, type ColumnName, type Columns } from '../../src/fields/columns.js';
import { FILTER_FIELDS, findField, TCP_FLAG_MNEMONICS, type FieldDef } from '../../src/fields/fields.js';
import { isV4Words, makeCidr, parseIp, setIpAt, type IpWords } from '../../src/fields/ipcodec.js';
import type { FilterNode, FilterValue } from '../../src/filter/ast.js';
import {
  compileToJs,
  evaluateReference,
  FilterError,
  filterToString,
  formatFilterError,
  parseFilter,
  restrictToSide,
  rowAt,
} from '../../src/filter/index.js';
import { strip } from './helpers.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const T0 = 1_700_000_000_000_000;

const IP_POOL: readonly string[] = [
  '0.0.0.0',
  '10.0.0.1',
  '10.0.0.2',
  '10.255.255.255',
  '11.0.0.0',
  '192.168.1.77',
  '255.255.255.255',
  '::',
  '::1',
  '::a00:1',
  '2001:db8::1',
  '2001:db8:1::1',
  '2001:db8:0:1::',
  'fe80::1',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

const u32 = fc.integer({ min: 0, max: 0xffffffff });

const ipWords: fc.Arbitrary<IpWords> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...IP_POOL).map((s) => parseIp(s)!) },
  { weight: 1, arbitrary: u32.map((v): IpWords => [0, 0, 0xffff, v]) },
  { weight: 1, arbitrary: fc.tuple(u32, u32, u32, u32) },
);

/** Values near the edges of [min, max] and a few common ones, plus anything in between. */
function intIn(min: number, max: number, extra: readonly number[] = []): fc.Arbitrary<number> {
  const pool = [min, min + 1, 5, 10, 21, 22, 23, 24, 80, 443, 1000, 4095, 4096, 65535, 0xffffffff, 2 ** 40, max - 1, max, ...extra].filter((v) => v >= min && v <= max);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.integer({ min, max }) });
}

const PHYSICAL_MAX: Readonly<Record<string, number>> = { u8: 255, u16: 65535, u32: 0xffffffff, f64: MAX_SAFE };
const CC_POOL = [0, packCountry('NL'), packCountry('BE'), packCountry('US')];
const MAC_POOL = [0, 1, 0xaabbccddeeff, 0xffffffffffff];
const DURATIONS_US = [0, 1, 500_000, 1_500_000, 10_000_000, 3_600_000_000];

/** Columns that filters read, each with a generator of stored values. */
function columnValue(name: ColumnName): fc.Arbitrary<number | IpWords> {
  const type = COLUMNS.get(name)!.type;
  if (type === 'ip') return ipWords;
  if (name === 'clncc' || name === 'srvcc') return fc.oneof(fc.constantFrom(...CC_POOL), fc.integer({ min: 0, max: 65535 }));
  if (name === 'clnmac' || name === 'srvmac') return fc.oneof(fc.constantFrom(...MAC_POOL), fc.integer({ min: 0, max: 2 ** 48 - 1 }));
  return intIn(0, PHYSICAL_MAX[type]!, [6, 17, 58]);
}

const ROW_COLUMNS: readonly ColumnName[] = COLUMN_NAMES.filter((c) => c !== 'start' && c !== 'end');

/** The stored columns a field reads. */
function columnsOf(f: FieldDef): ColumnName[] {
  const s = f.source;
  switch (s.kind) {
    case 'column':
      return [s.column];
    case 'either':
      return [...columnsOf(findField(s.client)!), ...columnsOf(findField(s.server)!)];
    case 'sum':
      return [...s.columns];
    case 'duration':
      return ['start', 'end'];
  }
}

type Row = Partial<Record<ColumnName, number | IpWords>>;

const rowArb: fc.Arbitrary<Row> = fc
  .tuple(
    fc.record(Object.fromEntries(ROW_COLUMNS.map((c) => [c, columnValue(c)])) as Record<ColumnName, fc.Arbitrary<number | IpWords>>),
    fc.constantFrom(0, 1, 999_999),
    fc.oneof(fc.constantFrom(...DURATIONS_US), fc.integer({ min: 0, max: 10_000_000_000 })),
  )
  .map(([r, s, d]) => ({ ...r, start: T0 + s, end: T0 + s + d }));

function toColumns(rows: readonly Row[]): Columns {
  const cols = allocColumns(rows.length);
  rows.forEach((r, i) => {
    for (const [name, v] of Object.entries(r) as [ColumnName, number | IpWords][]) {
      if (typeof v === 'number') cols[name][i] = v;
      else setIpAt(cols[name] as Uint32Array, i, v);
    }
  });
  return cols;
}

function valueArb(f: FieldDef, ranges: boolean): fc.Arbitrary<FilterValue> {
  const spec = f.filter!;
  switch (spec.value) {
    case 'ip':
      return fc.tuple(ipWords, fc.oneof(fc.constantFrom(0, 1, 8, 16, 24, 31, 32, 48, 64, 96, 127, 128), fc.integer({ min: 0, max: 128 }))).map(([w, p]): FilterValue => {
        const v4 = isV4Words(w[0], w[1], w[2]);
        return { kind: 'ip', cidr: makeCidr(w, v4 ? Math.min(p, 32) : p, v4) };
      });
    case 'int': {
      const one = intIn(spec.min!, spec.max!, Object.values(spec.mnemonics ?? {}));
      const single = one.map((v): FilterValue => ({ kind: 'int', lo: v, hi: v }));
      if (!ranges) return single;
      const range = fc.tuple(one, one).map(([a, b]): FilterValue => ({ kind: 'int', lo: Math.min(a, b), hi: Math.max(a, b) }));
      return fc.oneof(single, range);
    }
    case 'decimal':
      return fc
        .oneof(fc.constantFrom(0, 0.5, 1, 1.5, 10, 3600, 1e-6), fc.double({ min: 0, max: 1e7, noNaN: true }))
        .map((v): FilterValue => ({ kind: 'decimal', value: Math.abs(v) }));
    case 'cc':
      return fc
        .oneof(fc.constantFrom(...CC_POOL), fc.tuple(fc.integer({ min: 65, max: 90 }), fc.integer({ min: 65, max: 90 })).map(([a, b]) => (a << 8) | b))
        .map((v): FilterValue => ({ kind: 'cc', value: v }));
    case 'mac':
      return fc.oneof(fc.constantFrom(...MAC_POOL), fc.integer({ min: 0, max: 2 ** 48 - 1 })).map((v): FilterValue => ({ kind: 'mac', value: v }));
    case 'flag':
      return fc.constantFrom(...Object.values(TCP_FLAG_MNEMONICS)).map((m): FilterValue => ({ kind: 'flag', mask: m }));
  }
}

function cmpArb(fields: readonly FieldDef[]): fc.Arbitrary<FilterNode> {
  return fc.constantFrom(...fields).chain((f) =>
    fc.constantFrom(...f.filter!.comparators).chain((op) => {
      const list = op === '=' || op === '!=';
      const values = list
        ? fc.oneof({ weight: 5, arbitrary: fc.array(valueArb(f, true), { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.array(valueArb(f, true), { minLength: 9, maxLength: 14 }) })
        : valueArb(f, false).map((v) => [v]);
      return values.map((vs): FilterNode => ({ type: 'cmp', field: f.name, op, values: vs }));
    }),
  );
}

function filterArb(fields: readonly FieldDef[]): fc.Arbitrary<FilterNode> {
  const { node } = fc.letrec<{ node: FilterNode; leaf: FilterNode; not: FilterNode; bin: FilterNode }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: 6 }, tie('leaf'), tie('not'), tie('bin')),
    leaf: cmpArb(fields),
    not: tie('node').map((operand): FilterNode => ({ type: 'not', operand })),
    bin: fc.tuple(fc.constantFrom('and' as const, 'or' as const, 'xor' as const), tie('node'), tie('node')).map(([type, left, right]): FilterNode => ({ type, left, right })),
  }));
  return node;
}

function agree(ast: FilterNode, rows: readonly Row[]): void {
  const cols = toColumns(rows);
  const sel = new Uint32Array(rows.length);
  const n = compileToJs(ast).select(cols, 0, rows.length, sel);
  const compiled = Array.from(sel.subarray(0, n));
  const reference: number[] = [];
  for (let i = 0; i < rows.length; i++) if (evaluateReference(ast, rowAt(cols, i))) reference.push(i);
  if (JSON.stringify(compiled) !== JSON.stringify(reference)) {
    throw new Error(`'${filterToString(ast)}': compiled ${JSON.stringify(compiled)}, reference ${JSON.stringify(reference)}`);
  }
}

t.test('compiled filters agree with the reference evaluator', async (t) => {
  const filters = fc.oneof({ weight: 1, arbitrary: fc.constant<FilterNode>({ type: 'all' }) }, { weight: 30, arbitrary: filterArb(FILTER_FIELDS) });
  fc.assert(
    fc.property(filters, fc.array(rowArb, { minLength: 1, maxLength: 20 }), (ast, rows) => {
      const text = filterToString(ast);
      const parsed = parseFilter(text);
      if (JSON.stringify(strip(parsed)) !== JSON.stringify(strip(ast))) throw new Error(`'${text}' parses to a different filter`);
      agree(parsed, rows);
    }),
    { numRuns: 4000 },
  );
  t.pass('4000 random filters and batches');
});

t.test('restrictToSide equals the filter on a session whose other side is a copy of this side', async (t) => {
  for (const e of FILTER_FIELDS.filter((f) => f.role === 'either')) {
    if (e.source.kind !== 'either') throw new Error('either field without sides');
    const [cln, srv] = columnsOf(e) as [ColumnName, ColumnName];
    // Fields that read either side's column would see the copy: leave them out, except the either field itself.
    const fields = FILTER_FIELDS.filter((f) => f === e || !columnsOf(f).some((c) => c === cln || c === srv));
    fc.assert(
      fc.property(filterArb(fields), rowArb, (ast, row) => {
        for (const side of ['client', 'server'] as const) {
          const restricted = restrictToSide(ast, e.name, side);
          const copy: Row = side === 'client' ? { ...row, [srv]: row[cln] } : { ...row, [cln]: row[srv] };
          const want = evaluateReference(ast, rowAt(toColumns([copy]), 0));
          if (evaluateReference(restricted, rowAt(toColumns([row]), 0)) !== want) throw new Error(`${side}: '${filterToString(ast)}'`);
          agree(restricted, [row, copy]);
        }
      }),
      { numRuns: 100 },
    );
  }
  t.pass('every either field');
});

t.test('any text either parses to a filter that prints and re-parses the same, or gives a FilterError inside the text', async (t) => {
  const pieces = [
    'SRVIP', 'addr', 'PORT', 'PROTO', 'FLAGS', 'TTIME', 'CLNCC', 'MAC', 'SRCIP', 'START',
    '=', '==', '!=', '>=', '<', '=>', '&&', '||', '^^', '!', '(', ')', '&', '|', '^', ',', '-', '/', ' ', '\t',
    '10.0.0.1', '::1', 'fe80::/10', '22', '1000-2000', 'TCP', 'fsyn', '1.5', 'NL', '--', 'aa:bb:cc:dd:ee:ff', '70000', '/33', 'x', '\u{1F642}',
  ];
  let parsed = 0;
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (parts) => {
      const text = parts.join('');
      let ast: FilterNode;
      try {
        ast = parseFilter(text);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        if (e.pos < 0 || e.pos > text.length || e.len < 1 || e.pos + e.len > text.length + 1) throw new Error(`bad position ${e.pos}+${e.len} in '${text}'`);
        if (formatFilterError(e, text, 'ftsq').split('\n').length !== 3) throw new Error('not three lines');
        return;
      }
      parsed++;
      const again = parseFilter(filterToString(ast));
      if (JSON.stringify(strip(again)) !== JSON.stringify(strip(ast))) throw new Error(`'${text}' does not round-trip`);
      compileToJs(ast);
    }),
    { numRuns: 5000 },
  );
  t.ok(parsed > 0, `some random texts are filters (${parsed})`);
});

t.test('the generated filters reach every filter field', async (t) => {
  const seen = new Set<string>();
  for (const ast of fc.sample(cmpArb(FILTER_FIELDS), 2000)) if (ast.type === 'cmp') seen.add(ast.field);
  t.same([...seen].sort(), FILTER_FIELDS.map((f) => f.name).sort());
  t.ok(findField('TTIME')?.filter, 'TTIME is a filter field');
});
