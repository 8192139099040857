import t from 'tap';
import { SamplingOrigin } from '../../src/decode/index.js';
import { COLUMN_DEFS, FIELDS, OUTPUT_FIELDS, FILTER_FIELDS, findField, COLUMNS, ENTITIES, SCHEMA_VERSION } from '../../src/fields/index.js';

t.test('every field source refers to a real column or field', async (t) => {
  for (const f of FIELDS) {
    const s = f.source;
    if (s.kind === 'column') t.ok(COLUMNS.has(s.column), `${f.name} -> ${s.column}`);
    if (s.kind === 'either') {
      t.equal(findField(s.client)?.role, 'client', `${f.name} client side`);
      t.equal(findField(s.server)?.role, 'server', `${f.name} server side`);
    }
    if (s.kind === 'sum') for (const c of s.columns) t.ok(COLUMNS.has(c));
  }
});

t.test('ftsq columns start with cli.md order', async (t) => {
  const spec = 'START END CLNIP CLNPORT SRVIP SRVPORT PROTO CLNPKTS SRVPKTS CLNBYTS SRVBYTS FLAGS TOS INIF OUTIF INVLAN OUTVLAN CLNAS SRVAS CLNCC SRVCC CLNMAC SRVMAC EXPIP EXPV ASAEVT ASAEXTEVT'.split(' ');
  t.same(OUTPUT_FIELDS.slice(0, spec.length).map((f) => f.name), spec);
});

t.test('filter.md fields all present', async (t) => {
  const spec = 'SRVIP CLNIP ADDR SRVPORT CLNPORT PORT PROTO CLNPKTS SRVPKTS PACKETS TOTPKTS CLNBYTS SRVBYTS BYTES TOTBYTS TTIME TOS CLNCC SRVCC INIF OUTIF IFACE INVLAN OUTVLAN VLAN CLNAS SRVAS ASN CLNMAC SRVMAC MAC FLAGS ASAEVT ASAEXTEVT EXPIP EXPV'.split(' ');
  const have = new Set(FILTER_FIELDS.map((f) => f.name));
  for (const n of spec) t.ok(have.has(n as never), n);
  t.equal(findField('srvip')?.name, 'SRVIP', 'case-insensitive');
});

t.test('entities use real columns', async (t) => {
  for (const e of ENTITIES) for (const c of [...(e.client ?? []), ...(e.server ?? []), ...(e.key ?? [])]) t.ok(COLUMNS.has(c), `${e.name}.${c}`);
  t.equal(new Set(COLUMN_DEFS.map((c) => c.name)).size, COLUMN_DEFS.length, 'column names unique');
});

t.test('docs/fields.md is generated from the table and current', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { renderFieldsDoc } = await import('../../src/fields/index.js');
  const path = new URL('../../../../docs/fields.md', import.meta.url);
  t.equal(readFileSync(path, 'utf8'), renderFieldsDoc(), 'run `npm run docs` to regenerate docs/fields.md');
});

t.test('the column set is the one its schema version names', async (t) => {
  // a column added, removed or retyped must come with a SCHEMA_VERSION bump (and this list updated)
  const schema2 =
    'start:f64 end:f64 clnip:ip srvip:ip clnport:u16 srvport:u16 proto:u8 clnpkts:f64 srvpkts:f64 clnbyts:f64 srvbyts:f64 flags:u8 tos:u8 ' +
    'inif:u32 outif:u32 invlan:u16 outvlan:u16 clnas:u32 srvas:u32 clncc:u16 srvcc:u16 clnmac:f64 srvmac:f64 expip:ip srcid:u32 expv:u8 ' +
    'asaevt:u16 asaextevt:u16 clnxip:ip srvxip:ip clnxport:u16 srvxport:u16 mpls:u32 samplerate:u32 sampleorigin:u8 flows:u32';
  t.equal(SCHEMA_VERSION, 2);
  t.equal(COLUMN_DEFS.map((c) => `${c.name}:${c.type}`).join(' '), schema2);
});

t.test('SAMPLEORIGIN: where SAMPLERATE came from, output after FLOWS, not a filter field', async (t) => {
  const f = findField('sampleorigin');
  t.match(f, { name: 'SAMPLEORIGIN', role: 'session', source: { kind: 'column', column: 'sampleorigin' }, output: { format: 'int', table: false } });
  t.equal(f?.filter, undefined, 'output only, like SAMPLERATE');
  t.equal(COLUMNS.get('sampleorigin')?.type, 'u8');
  // the decoder's codes are what sessions store: both docs must name each with its number
  const codes = Object.entries(SamplingOrigin);
  t.equal(codes.length, 5);
  for (const [name, code] of codes) {
    t.match(f?.doc, `${code} ${name}`, `field doc names ${code} ${name}`);
    t.match(COLUMNS.get('sampleorigin')?.doc, `${code} ${name}`, `column doc names ${code} ${name}`);
  }
  // appended: the CSV/JSON columns of earlier versions keep their places
  const extras = OUTPUT_FIELDS.map((o) => o.name).slice(27);
  t.same(extras, ['SRCID', 'CLNXIP', 'CLNXPORT', 'SRVXIP', 'SRVXPORT', 'MPLS', 'SAMPLERATE', 'FLOWS', 'SAMPLEORIGIN']);
});
