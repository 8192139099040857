// Everything that can go wrong with users, logins, tokens and session keys, each with a stable code
// and the HTTP status the API answers with, so that the HTTP layer maps errors without a table of its own.

/** Every error code, its HTTP status and what it means (docs and the HTTP layer read this table). */
export const AUTH_ERROR_CODES = {
  BAD_CREDENTIALS: { status: 401, doc: 'unknown user or wrong password (one message for both, so user names cannot be probed)' },
  BAD_SESSION_KEY: { status: 401, doc: 'a session key that is unknown, expired, revoked, or belongs to a user who was removed' },
  BAD_TOKEN: { status: 401, doc: 'a missing, unknown or expired auth token (for the HTTP layer: Authenticator.check returns null)' },
  SESSION_KEYS_DISABLED: { status: 401, doc: 'a session key was asked for or used while userdata.maxsessionkeyage is 0' },
  WRONG_ADDRESS: { status: 403, doc: 'a session key used from another address than the one that requested it' },
  NOT_ADMIN: { status: 403, doc: 'the action needs an administrator (for the HTTP layer)' },
  THROTTLED: { status: 429, doc: 'too many failed logins from this address; retryAfterSeconds says when to try again' },
  BAD_NAME: { status: 400, doc: 'a user name that is empty, longer than 64 characters, or has characters outside A-Z a-z 0-9 . _ @ -' },
  BAD_PASSWORD: { status: 400, doc: 'a password that is empty or longer than 1024 characters' },
  BAD_REQUEST: { status: 400, doc: 'an argument of the wrong type or form (a user name that is not a string, an unusable client address)' },
  NO_SUCH_USER: { status: 404, doc: 'the user does not exist' },
  USER_EXISTS: { status: 409, doc: 'a user of that name already exists' },
  LAST_ADMIN: { status: 409, doc: 'the change would leave no administrator' },
  USERS_FILE: { status: 500, doc: 'users.json cannot be read, is corrupt or has an unknown version; the server does not start and never overwrites it' },
  SESSION_KEYS_FILE: { status: 500, doc: 'sessionkeys.json cannot be read or is corrupt; the server does not start until it is fixed or deleted' },
  WRITE_FAILED: { status: 500, doc: 'users.json or sessionkeys.json could not be written; the change was not made' },
  BAD_OPTION: { status: 500, doc: 'UserStore or Authenticator was given an option out of range (a bug in the caller or the configuration)' },
} as const satisfies Record<string, { status: number; doc: string }>;

export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

export interface AuthErrorDetails {
  /** For THROTTLED: seconds until the address may try again (whole seconds, at least 1). */
  readonly retryAfterSeconds?: number;
  /** For file errors: the file concerned. */
  readonly path?: string;
  readonly cause?: unknown;
}

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  /** The HTTP status that fits the error (AUTH_ERROR_CODES). */
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly path: string | undefined;

  constructor(code: AuthErrorCode, message: string, details: AuthErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = AUTH_ERROR_CODES[code].status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.path = details.path;
  }
}
