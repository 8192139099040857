// What a user name and a password may be. Names are restricted so that they are safe in URLs, logs and
// file names; passwords only have length limits (FlowTraq has no password policy, and neither do we).

import { AuthError } from './autherror.js';

export const MAX_NAME_LENGTH = 64;
export const MAX_PASSWORD_LENGTH = 1024;

const NAME = /^[A-Za-z0-9._@-]+$/;
// In a `u` regular expression a well-formed surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Throws AuthError BAD_NAME (BAD_REQUEST for a non-string) unless `name` is a valid user name. */
export function checkUserName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new AuthError('BAD_REQUEST', `a user name must be a string, not ${name === null ? 'null' : typeof name}`);
  if (name.length === 0) throw new AuthError('BAD_NAME', 'the user name is empty');
  if (name.length > MAX_NAME_LENGTH) throw new AuthError('BAD_NAME', `the user name has ${name.length} characters; at most ${MAX_NAME_LENGTH} are allowed`);
  if (!NAME.test(name)) {
    const bad = [...name].find((c) => !NAME.test(c)) ?? '';
    throw new AuthError('BAD_NAME', `the user name ${JSON.stringify(name)} contains ${JSON.stringify(bad)}; use only letters A-Z a-z, digits and . _ @ -`);
  }
}

/** Throws AuthError BAD_PASSWORD (BAD_REQUEST for a non-string) unless `password` is acceptable. */
export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw new AuthError('BAD_REQUEST', `a password must be a string, not ${password === null ? 'null' : typeof password}`);
  if (password.length === 0) throw new AuthError('BAD_PASSWORD', 'the password is empty');
  // length counts UTF-16 units, which is never less than the code points: only long strings need counting
  if (password.length > MAX_PASSWORD_LENGTH && [...password].length > MAX_PASSWORD_LENGTH) {
    throw new AuthError('BAD_PASSWORD', `the password is longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (LONE_SURROGATE.test(password)) throw new AuthError('BAD_PASSWORD', 'the password is not valid Unicode text (it contains a lone surrogate)');
}

/** True when `password` would pass checkPassword (for verification, which answers no rather than throwing). */
export function isAcceptablePassword(password: unknown): password is string {
  try {
    checkPassword(password);
    return true;
  } catch {
    return false;
  }
}
