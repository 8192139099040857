// Which sessions take part: the filter (-q), the exporter (-e), its interface (-ei) and the export
// format (-ef), checked locally (filter errors with a caret) and turned into the API's parameters.

import { FilterError, formatFilterError, parseFilter, parseIp, type FilterNode } from '@opentraq/core';
import { UsageError } from './clierror.js';
import { EXPORT_FORMAT_NAMES, exportFormatFilter } from './exportformat.js';
import type { ParsedOptions } from './parsedoptions.js';

const MAX_IFINDEX = 4294967295;

export interface Selection {
  /** query=, exporter=, ifindex= as the API takes them (absent ones left out). */
  readonly params: Readonly<Record<string, string>>;
  /** The filter the query= parameter carries, parsed; undefined when every session is selected. */
  readonly filter: FilterNode | undefined;
}

/** A filter error as filter.md shows it, `tool: bad filter: ...` with the caret lines; thrown as a usage error. */
export function filterUsageError(e: FilterError, text: string, tool: string): UsageError {
  const rendered = formatFilterError(e, text, tool);
  return new UsageError('BAD_FILTER', rendered.slice(tool.length + 2));
}

export function readSelection(parsed: ParsedOptions, tool: string): Selection {
  const params: Record<string, string> = {};
  const q = parsed.value('q');
  let filterText: string | undefined;
  if (q !== undefined) {
    try {
      if (parseFilter(q).type !== 'all') filterText = q;
    } catch (e) {
      if (e instanceof FilterError) throw filterUsageError(e, q, tool);
      throw e;
    }
  }
  const e = parsed.value('e');
  if (e !== undefined) {
    const address = /^\[(.*)\]$/.exec(e)?.[1] ?? e;
    if (parseIp(address) === null) {
      throw new UsageError(
        'BAD_VALUE',
        `${parsed.spelling('e')} '${e}' is not an exporter address: give its IPv4 or IPv6 address, e.g. -e 192.0.2.1 (for a block of exporters use -q "EXPIP=192.0.2.0/24")`,
      );
    }
    params.exporter = address;
  }
  const ei = parsed.value('ei');
  if (ei !== undefined) {
    if (!/^\d{1,10}$/.test(ei) || Number(ei) > MAX_IFINDEX) {
      throw new UsageError('BAD_VALUE', `${parsed.spelling('ei')} '${ei}' is not an interface index: give a whole number from 0 to ${MAX_IFINDEX}, e.g. -ei 3`);
    }
    params.ifindex = String(Number(ei));
  }
  const ef = parsed.value('ef');
  if (ef !== undefined) {
    const term = exportFormatFilter(ef);
    if (term === undefined) throw new UsageError('BAD_VALUE', `${parsed.spelling('ef')} '${ef}' is not an export format: use one of ${EXPORT_FORMAT_NAMES.join(' ')}`);
    filterText = filterText === undefined ? term : `(${filterText}) && ${term}`;
  }
  if (filterText === undefined) return { params, filter: undefined };
  params.query = filterText;
  return { params, filter: parseFilter(filterText) };
}
