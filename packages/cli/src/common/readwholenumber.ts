// Whole-number parameter values (-r, -w, -gx, -gy): decimal digits only, so that `1e3`, `0x10`
// or `5.0` are refused with a message instead of being read as something unexpected.

import { UsageError } from './clierror.js';
import type { ParsedOptions } from './parsedoptions.js';

/** The value of parameter `name` as a whole number from `min` to `max`; undefined when absent. */
export function readWholeNumber(parsed: ParsedOptions, name: string, min: number, max: number, what: string): number | undefined {
  const text = parsed.value(name);
  if (text === undefined) return undefined;
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling(name)} '${text}' is not ${what}: give a whole number from ${min} to ${max}`);
  }
  return n;
}
