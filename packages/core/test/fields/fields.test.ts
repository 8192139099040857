import t from 'tap';
import { COLUMN_DEFS, FIELDS, OUTPUT_FIELDS, FILTER_FIELDS, findField, COLUMNS, ENTITIES } from '../../src/fields/index.js';

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
