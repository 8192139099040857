// Public door of ftserver's users and authentication: the users file, logins, tokens, session keys,
// throttling, and the errors they raise (each with the HTTP status the API answers with).
export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode, type AuthErrorDetails } from './autherror.js';
export { Authenticator, type AuthenticatorOptions, type LoginResult } from './authenticator.js';
export { MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH, checkPassword, checkUserName } from './credentialrules.js';
export { normaliseAddress } from './clientaddress.js';
export type { LoginThrottleOptions, ThrottleStats } from './loginthrottle.js';
export { SCRYPT_PARAMS, type ScryptParams } from './passwordhash.js';
export { SESSION_KEYS_FILE } from './sessionkeystore.js';
export { USERS_FILE, UserStore, type OpenedUserStore, type UserChange, type UserChangeListener, type UserInfo, type UserStoreOptions } from './userstore.js';
