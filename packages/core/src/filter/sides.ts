// What the query engine asks of a filter besides running it: which fields it names,
// and the filter seen from one side of an "either" field (filter.md, rankings).

import { findField } from '../fields/fields.js';
import { mapComparisons, someComparison, type FilterNode } from './ast.js';

/**
 * A copy of `ast` in which every comparison on the either field (ADDR, PORT,
 * PACKETS, BYTES, IFACE, VLAN, ASN, MAC) is made on that field's client or server
 * field instead (ADDR → CLNIP or SRVIP), keeping the comparator and values. When
 * ranking by IP with filter F, a selected session's client address counts iff
 * `restrictToSide(F, 'ADDR', 'client')` holds for the session.
 */
export function restrictToSide(ast: FilterNode, eitherField: string, side: 'client' | 'server'): FilterNode {
  const def = findField(eitherField);
  if (def === undefined || def.source.kind !== 'either') throw new Error(`${eitherField} is not an either field`);
  const target = findField(side === 'client' ? def.source.client : def.source.server)!.name;
  return mapComparisons(ast, (c) => (c.field === def.name ? { ...c, field: target } : c));
}

/** Whether the filter compares the named field (case-insensitive) anywhere. */
export function mentionsField(ast: FilterNode, name: string): boolean {
  const upper = name.toUpperCase();
  return someComparison(ast, (c) => c.field === upper);
}
