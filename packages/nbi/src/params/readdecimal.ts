// Decimal parameter values (-bt, -bk): plain digits with an optional fraction, so that `1e3`,
// `0x10`, `-2` or `3,5` are refused with a message instead of being read as something unexpected.

import { UsageError, type ParsedOptions } from '@opentraq/cli';

/** The value of `name` as a decimal number in [min, max] (above min when `aboveMin`); undefined when absent. */
export function readDecimal(parsed: ParsedOptions, name: string, range: { min: number; max: number; aboveMin?: boolean }, what: string): number | undefined {
  const text = parsed.value(name);
  if (text === undefined) return undefined;
  const n = /^\d{1,15}(\.\d{1,6})?$/.test(text) ? Number(text) : NaN;
  const low = range.aboveMin === true ? n > range.min : n >= range.min;
  if (!(low && n <= range.max)) {
    const from = range.aboveMin === true ? `more than ${range.min}` : `from ${range.min}`;
    throw new UsageError('BAD_VALUE', `${parsed.spelling(name)} '${text}' is not ${what}: give a number ${from} to ${range.max}, e.g. ${parsed.spelling(name)} 2.5`);
  }
  return n;
}
