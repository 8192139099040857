// Renders docs/fields.md from the field table, so the documented list of fields,
// columns and entities can never drift from the code (a test compares them).

import { COLUMN_DEFS, SCHEMA_VERSION } from './columns.js';
import { ENTITIES } from './entities.js';
import { FIELDS, type FieldDef } from './fields.js';

function filterCell(f: FieldDef): string {
  if (!f.filter) return '—';
  const { value, comparators, min, max, mnemonics } = f.filter;
  let v: string = value;
  if (value === 'int' && min !== undefined && max !== undefined) v = max === Number.MAX_SAFE_INTEGER ? `integer ≥ ${min}` : `integer ${min}–${max}`;
  if (mnemonics) v += ` or ${Object.keys(mnemonics).join(' ')}`;
  return `${v}; \`${comparators.join(' ')}\``;
}

function sourceCell(f: FieldDef): string {
  const s = f.source;
  switch (s.kind) {
    case 'column':
      return `column \`${s.column}\``;
    case 'either':
      return `${s.client} or ${s.server}`;
    case 'sum':
      return `\`${s.columns[0]}\` + \`${s.columns[1]}\``;
    case 'duration':
      return '(`end` − `start`) / 10⁶';
  }
}

export function renderFieldsDoc(): string {
  const out: string[] = [];
  out.push('# Session fields');
  out.push('');
  out.push('Generated from `packages/core/src/fields/` by `npm run docs`; a test fails when this file is out of date.');
  out.push('');
  out.push('## Fields (filters and `ftsq` columns)');
  out.push('');
  out.push('Names are case-insensitive in filters. `ftsq -c/-C/-j` print every field that has an output format, in this order; the table view prints those marked *table*.');
  out.push('');
  out.push('| field | role | source | filter value; comparators | output | meaning |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const f of FIELDS) {
    const output = f.output ? `${f.output.format}${f.output.table ? ', table' : ''}` : '—';
    out.push(`| \`${f.name}\` | ${f.role} | ${sourceCell(f)} | ${filterCell(f)} | ${output} | ${f.doc} |`);
  }
  out.push('');
  out.push('## Ranking entities (`ftstat -grp`)');
  out.push('');
  out.push('| entity | shape | key columns | CSV/JSON columns | either-field restriction | `UNIQUE` target | meaning |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const e of ENTITIES) {
    const key = e.key ? e.key.join(', ') : `client: ${e.client!.join(', ')}; server: ${e.server!.join(', ')}`;
    const shape = e.shape === 'pair' ? (e.unordered ? 'unordered pair' : 'ordered pair') : e.shape;
    out.push(`| \`${e.name}\` | ${shape} | ${key} | ${e.csv.join(', ')} | ${e.eitherField ?? '—'} | ${e.uniqueTarget ? 'yes' : 'no'} | ${e.doc} |`);
  }
  out.push('');
  out.push(`## Stored columns (schema version ${SCHEMA_VERSION})`);
  out.push('');
  out.push('| column | type | meaning |');
  out.push('| --- | --- | --- |');
  for (const c of COLUMN_DEFS) out.push(`| \`${c.name}\` | ${c.type} | ${c.doc} |`);
  out.push('');
  return out.join('\n');
}
