// The session selection of an API query: the filter string (query=) AND-ed with the
// exporter (exporter=, like -e) and its interface (ifindex=, like -ei) as filter terms.

import { FilterError, formatFilterError, isV4Words, makeCidr, parseFilter, parseIp, type FilterNode } from '@opentraq/core';
import { ApiError } from './apierror.js';
import { quote } from './quote.js';
import { parseWholeNumber } from './wholenumber.js';

const MAX_IFINDEX = 4294967295;

function parseQuery(text: string): FilterNode {
  try {
    return parseFilter(text);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    const caret = formatFilterError(e, text, 'query');
    // the first line of the rendering is the message; the two below it show where
    throw new ApiError('BAD_FILTER', caret.slice(0, caret.indexOf('\n')), { param: 'query', caret });
  }
}

/** EXPIP=addr, exactly as the parser would read it (IPv4-mapped IPv6 counts as IPv4). */
function exporterTerm(text: string): FilterNode {
  const words = parseIp(text);
  if (words === null) {
    throw new ApiError(
      'BAD_PARAM',
      `exporter ${quote(text)} is not an IPv4 or IPv6 address: give the exporter's address, e.g. exporter=192.0.2.1 (for a block of exporters use query=EXPIP=192.0.2.0/24)`,
      { param: 'exporter' },
    );
  }
  const v4 = isV4Words(words[0], words[1], words[2]);
  return { type: 'cmp', field: 'EXPIP', op: '=', values: [{ kind: 'ip', cidr: makeCidr(words, v4 ? 32 : 128, v4) }] };
}

/**
 * INIF=n || OUTIF=n. Deliberately not IFACE=n: IFACE is an "either" field, which in an IF
 * ranking would also hide the other interface of every session; ifindex only selects sessions.
 */
function interfaceTerm(n: number): FilterNode {
  const value = [{ kind: 'int', lo: n, hi: n }] as const;
  return {
    type: 'or',
    left: { type: 'cmp', field: 'INIF', op: '=', values: value },
    right: { type: 'cmp', field: 'OUTIF', op: '=', values: value },
  };
}

/** The combined filter; undefined when the request selects every session. */
export function parseFilterParams(params: ReadonlyMap<string, string>): FilterNode | undefined {
  const terms: FilterNode[] = [];
  const query = params.get('query');
  if (query !== undefined) {
    const ast = parseQuery(query);
    if (ast.type !== 'all') terms.push(ast);
  }
  const exporter = params.get('exporter');
  const ifindex = params.get('ifindex');
  if (exporter !== undefined) terms.push(exporterTerm(exporter));
  if (ifindex !== undefined) {
    if (exporter === undefined) {
      throw new ApiError('MISSING_PARAM', `ifindex needs exporter as well: an interface index means something only on one exporter (e.g. exporter=192.0.2.1&ifindex=3)`, {
        param: 'exporter',
      });
    }
    terms.push(interfaceTerm(parseWholeNumber(ifindex, 'ifindex', 0, MAX_IFINDEX, '3')));
  }
  if (terms.length === 0) return undefined;
  return terms.reduce((left, right) => ({ type: 'and', left, right }));
}
