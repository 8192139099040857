// How a tool will log in, decided from -un/-up/-us and FLOWTRAQ_USERNAME/FLOWTRAQ_PASSWORD before any
// connection: exactly one of a username/password pair (the password possibly asked for) or a session key.

import { UsageError } from './clierror.js';
import type { ParsedOptions } from './parsedoptions.js';
import { envValue, type Environment } from './serveraddress.js';

export type LoginPlan =
  | {
      readonly kind: 'password';
      readonly username: string;
      /** undefined: ask on the terminal. */
      readonly password: string | undefined;
      /** -us without a value: ask the server for a session key and print it on stderr. */
      readonly wantSessionKey: boolean;
    }
  | { readonly kind: 'session-key'; readonly key: string };

export function readLoginPlan(parsed: ParsedOptions, env: Environment): LoginPlan {
  const key = parsed.value('us');
  if (key !== undefined && key !== '') {
    const with_ = ['un', 'up'].filter((n) => parsed.has(n)).map((n) => parsed.spelling(n));
    if (with_.length > 0) {
      throw new UsageError(
        'CONFLICT',
        `${parsed.spelling('us')} KEY cannot be combined with ${with_.join(' and ')}: log in either with a session key or with a user name and password`,
      );
    }
    return { kind: 'session-key', key };
  }
  const explicitUser = parsed.value('un');
  if (explicitUser === '') throw new UsageError('BAD_VALUE', `${parsed.spelling('un')} is empty: give a user name`);
  const envUser = envValue(env, 'FLOWTRAQ_USERNAME');
  const username = explicitUser ?? envUser;
  if (username === undefined) {
    throw new UsageError(
      'MISSING_OPTION',
      'a login is needed: give -un USER (and -up PASS, or type the password when asked), set FLOWTRAQ_USERNAME, or log in with a session key: -us KEY',
    );
  }
  let password = parsed.value('up');
  if (password === undefined) {
    // FLOWTRAQ_PASSWORD belongs to FLOWTRAQ_USERNAME: it is not tried for another user named by -un
    const envPassword = envValue(env, 'FLOWTRAQ_PASSWORD');
    if (envPassword !== undefined && (explicitUser === undefined || envUser === undefined || envUser === explicitUser)) password = envPassword;
  }
  return { kind: 'password', username, password, wantSessionKey: key === '' };
}
