// The stored columns a session answer reads: the columns of its output fields plus the
// packet and byte counts its summary adds up. Ask streamSessions for exactly these.

import { findField, type ColumnName, type FieldDef, type FieldName } from '@opentraq/core';

/** Columns the writer's summary reads whatever the fields. */
export const SUMMARY_COLUMNS: readonly ColumnName[] = ['clnpkts', 'srvpkts', 'clnbyts', 'srvbyts'];

/** The definition of an output field; RangeError for a name that is not one. */
export function outputField(name: FieldName): FieldDef & { readonly source: { readonly kind: 'column'; readonly column: ColumnName } } {
  const def = findField(name);
  if (def?.output === undefined || def.source.kind !== 'column') throw new RangeError(`${String(name)} is not an output field`);
  return def as FieldDef & { readonly source: { readonly kind: 'column'; readonly column: ColumnName } };
}

export function columnsForFields(fields: readonly FieldName[]): ColumnName[] {
  return [...new Set<ColumnName>([...fields.map((f) => outputField(f).source.column), ...SUMMARY_COLUMNS])];
}
