// The answer format of an API query (format=, header=): JSON by default, CSV like
// ftsq/ftstat -c, or with header=1 like -C (a header row first, `#` summary lines last); yes/no flags.

import { ApiError } from './apierror.js';
import { quote } from './quote.js';

const FLAG_VALUES: Readonly<Record<string, boolean>> = { '1': true, true: true, yes: true, '0': false, false: false, no: false };

/** A yes/no parameter (1/0, true/false, yes/no); false when absent. */
export function parseFlagParam(params: ReadonlyMap<string, string>, name: string): boolean {
  const text = params.get(name);
  if (text === undefined) return false;
  const key = text.toLowerCase();
  const value = Object.hasOwn(FLAG_VALUES, key) ? FLAG_VALUES[key] : undefined;
  if (value === undefined) throw new ApiError('BAD_PARAM', `${name} must be 1 or 0 (got ${quote(text)})`, { param: name });
  return value;
}

export function parseFormatParams<F extends string>(params: ReadonlyMap<string, string>, formats: readonly F[]): { format: F; header: boolean } {
  const text = params.get('format');
  const format = (text === undefined ? formats[0]! : text.toLowerCase()) as F;
  if (!formats.includes(format)) {
    throw new ApiError('BAD_PARAM', `unknown format ${quote(text ?? '')}: use one of ${formats.join(' ')} (default ${formats[0]})`, { param: 'format' });
  }
  if (params.get('header') === undefined) return { format, header: false };
  const header = parseFlagParam(params, 'header');
  if (format !== 'csv') {
    throw new ApiError('BAD_PARAM', `header applies to format=csv only (a header row and # summary lines); format=${format} always names its columns`, {
      param: 'header',
    });
  }
  return { format, header };
}
