// GET /api/v1/sessions/progress parameters → the id of the running session query whose scan
// progress is asked for (the id its GET /api/v1/sessions gave as progress=).

import { ApiError } from './apierror.js';
import { parseProgressId } from './progressid.js';
import { readParams } from './readparams.js';

/** The id of `id=`; throws ApiError when it is missing or malformed. */
export function parseProgressParams(p: URLSearchParams): string {
  const params = readParams(p, 'sessions/progress');
  const id = params.get('id');
  if (id === undefined) {
    throw new ApiError('MISSING_PARAM', 'id is required: the progress= id of a running GET /api/v1/sessions of yours (e.g. id=4mRc8tq1vJ0aXk2QnG7w5A)', { param: 'id' });
  }
  return parseProgressId(id, 'id');
}
