// The session columns of a raw-session answer (fields=): a comma-separated subset of the
// output fields in the order given, or every output field (ftsq -c/-C/-j) when absent.

import { OUTPUT_FIELDS, findField, type FieldName } from '@opentraq/core';
import { ApiError } from './apierror.js';
import { quote } from './quote.js';
import { didYouMean } from './didyoumean.js';

const ALL: readonly FieldName[] = OUTPUT_FIELDS.map((f) => f.name);

export function parseFieldsParam(text: string | undefined): readonly FieldName[] {
  if (text === undefined) return ALL;
  const list = `output fields are ${ALL.join(' ')}`;
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) {
    throw new ApiError('BAD_PARAM', `fields needs field names separated by commas, e.g. fields=START,CLNIP,SRVIP,SRVPORT (got ${quote(text)}); ${list}`, {
      param: 'fields',
    });
  }
  const out: FieldName[] = [];
  for (const n of names) {
    const def = findField(n);
    if (def === undefined) throw new ApiError('BAD_PARAM', `fields: unknown field ${quote(n)}${didYouMean(n, ALL)}; ${list}`, { param: 'fields' });
    if (def.output === undefined) {
      throw new ApiError('BAD_PARAM', `fields: ${def.name} can be used in a filter (query=) but is not a session column; ${list}`, { param: 'fields' });
    }
    if (out.includes(def.name)) throw new ApiError('BAD_PARAM', `fields: ${def.name} is listed twice; list each field once`, { param: 'fields' });
    out.push(def.name);
  }
  return out;
}
