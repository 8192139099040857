// Whole-number parameters (rows, slices, ifindex): decimal digits only, within the parameter's range,
// so that `1e3`, `0x10`, `5.0`, ` 7` or `slices=0` are refused with a message instead of being read as
// something unexpected. The message names the parameter and its valid range.

import { ApiError } from './apierror.js';
import { quote } from './quote.js';

/** The valid values of a parameter, as a message gives them. */
function range(min: number, max: number): string {
  return max >= Number.MAX_SAFE_INTEGER ? `from ${min} up` : `from ${min} to ${max}`;
}

/**
 * `text` as a whole number from `min` to `max`; `example` shows a valid value in the message, `hint`
 * (optional) is added to it.
 */
export function parseWholeNumber(text: string, param: string, min: number, max: number, example: string, hint = ''): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min)) {
    throw new ApiError('BAD_PARAM', `${param} must be a whole number ${range(min, max)}, such as ${example} (got ${quote(text)})${hint}`, { param });
  }
  if (n > max) throw new ApiError('BAD_PARAM', `${param} ${quote(text)} is too large: ${param} must be a whole number from ${min} to ${max}${hint}`, { param });
  return n;
}
