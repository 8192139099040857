// Public door of the query API's parameters: query strings of /api/v1/stat, /api/v1/sessions and
// /api/v1/sessions/progress turned into the engine's queries and answer formats, or an ApiError naming the parameter.
export { ApiError, type ApiErrorCode, type ApiErrorDetails } from './apierror.js';
export { parseStatParams, DEFAULT_STAT_ROWS, type StatRequest } from './parsestatparams.js';
export { parseSessionsParams, type SessionsRequest } from './parsesessionsparams.js';
export { parseProgressParams } from './parseprogressparams.js';
export { MAX_EPOCH_SECONDS } from './timeparams.js';
