// The answer format of an API query (format=, header=): JSON by default, CSV like
// ftsq/ftstat -c, or with header=1 like -C (a header row first, `#` summary lines last).

import { ApiError } from './apierror.js';
import { quote } from './quote.js';

const HEADER_VALUES: Readonly<Record<string, boolean>> = { '1': true, true: true, yes: true, '0': false, false: false, no: false };

export function parseFormatParams<F extends string>(params: ReadonlyMap<string, string>, formats: readonly F[]): { format: F; header: boolean } {
  const text = params.get('format');
  const format = (text === undefined ? formats[0]! : text.toLowerCase()) as F;
  if (!formats.includes(format)) {
    throw new ApiError('BAD_PARAM', `unknown format ${quote(text ?? '')}: use one of ${formats.join(' ')} (default ${formats[0]})`, { param: 'format' });
  }
  const h = params.get('header');
  if (h === undefined) return { format, header: false };
  const key = h.toLowerCase();
  const header = Object.hasOwn(HEADER_VALUES, key) ? HEADER_VALUES[key] : undefined;
  if (header === undefined) throw new ApiError('BAD_PARAM', `header must be 1 or 0 (got ${quote(h)})`, { param: 'header' });
  if (format !== 'csv') {
    throw new ApiError('BAD_PARAM', `header applies to format=csv only (a header row and # summary lines); format=${format} always names its columns`, {
      param: 'header',
    });
  }
  return { format, header };
}
