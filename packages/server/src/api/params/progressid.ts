// The id a client gives a session query so that it can read the query's scan progress on another
// connection (GET /api/v1/sessions?progress=ID, then GET /api/v1/sessions/progress?id=ID).

import { ApiError } from './apierror.js';
import { quote } from './quote.js';

/** Characters an id may hold: URL-safe without escaping, and short enough to keep a registry small. */
const ID = /^[A-Za-z0-9_~.-]{1,64}$/;

/** `text` as a progress id, or an ApiError naming `param`. */
export function parseProgressId(text: string, param: string): string {
  if (!ID.test(text)) {
    throw new ApiError('BAD_PARAM', `${param} must be an id of 1 to 64 letters, digits or - _ . ~, such as a random 22-character base64url string (got ${quote(text)})`, { param });
  }
  return text;
}
