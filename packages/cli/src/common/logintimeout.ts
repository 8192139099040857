// How long the tools wait for the server to answer the login (FLOWTRAQ_LOGIN_TIMEOUT, in seconds),
// read with the other connection settings, so that a bad value is a usage error before anything is sent.

import { UsageError } from './clierror.js';
import { envValue, type Environment } from './serveraddress.js';

/** A login costs the server one scrypt hash at most: a minute without an answer means something is wrong. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 60_000;
/** A day: beyond it a wait is a hang, not a slow server (and timers take at most ~24.8 days). */
const MAX_SECONDS = 86_400;

/** FLOWTRAQ_LOGIN_TIMEOUT in milliseconds (seconds, fractions allowed: `0.5`, `120`), else the default. */
export function readLoginTimeout(env: Environment): number {
  const text = envValue(env, 'FLOWTRAQ_LOGIN_TIMEOUT');
  if (text === undefined) return DEFAULT_LOGIN_TIMEOUT_MS;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0 && seconds <= MAX_SECONDS)) {
    throw new UsageError(
      'BAD_VALUE',
      `FLOWTRAQ_LOGIN_TIMEOUT '${text}': give the seconds to wait for the server to answer the login, a number above 0 and at most ${MAX_SECONDS} (e.g. 120; default ${DEFAULT_LOGIN_TIMEOUT_MS / 1000})`,
    );
  }
  return Math.max(1, Math.round(seconds * 1000));
}
