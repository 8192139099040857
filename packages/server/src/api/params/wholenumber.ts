// Whole-number parameters (rows, slices, ifindex): decimal digits only, so that `1e3`, `0x10`,
// `5.0` or ` 7` are refused with a message instead of being read as something unexpected.

import { ApiError } from './apierror.js';
import { quote } from './quote.js';

/** `text` as a whole number from 0 to `max`; `example` shows a valid value in the message. */
export function parseWholeNumber(text: string, param: string, max: number, example: string): number {
  if (!/^\d+$/.test(text)) {
    throw new ApiError('BAD_PARAM', `${param} must be a whole number such as ${example} (got ${quote(text)})`, { param });
  }
  const n = Number(text);
  if (n > max) throw new ApiError('BAD_PARAM', `${param} ${quote(text)} is too large: at most ${max}`, { param });
  return n;
}
