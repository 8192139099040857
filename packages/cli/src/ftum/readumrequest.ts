// What ftum will do, read and checked before any connection: the action, the user it names (by the
// server's rules for names), a new password given on the command line, and the login.

import { UsageError } from '../common/clierror.js';
import { readConnection, type ConnectionPlan } from '../common/connection.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import type { Environment } from '../common/serveraddress.js';
import { ACTION_NAMES } from './ftumspec.js';

export type UserListOutput = 'table' | 'csv' | 'csv-header' | 'json';

export type UmAction =
  | { readonly kind: 'list'; readonly output: UserListOutput }
  /** password undefined: asked for on the terminal. */
  | { readonly kind: 'add'; readonly user: string; readonly password: string | undefined }
  | { readonly kind: 'chpw'; readonly user: string; readonly password: string | undefined }
  | { readonly kind: 'delete'; readonly user: string }
  | { readonly kind: 'admin'; readonly user: string; readonly admin: boolean }
  /** No action: log in for the session key of -us only. */
  | { readonly kind: 'key-only' };

export interface UmRequest {
  readonly connection: ConnectionPlan;
  readonly action: UmAction;
}

/** The server's rules (docs/server.md "Users and authentication"), checked here so that a typo costs no login. */
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const MAX_PASSWORD = 1024;

function checkName(parsed: ParsedOptions, option: string, name: string): string {
  if (NAME.test(name)) return name;
  const flag = parsed.spelling(option);
  if (name === '') throw new UsageError('BAD_VALUE', `${flag}: the user name is empty`);
  if (name.length > 64) throw new UsageError('BAD_VALUE', `${flag}: the user name has ${name.length} characters; at most 64 are allowed`);
  const bad = [...name].find((c) => !/[A-Za-z0-9._@-]/.test(c)) ?? '';
  throw new UsageError('BAD_VALUE', `${flag} '${name}': a user name has only letters A-Z a-z, digits and . _ @ - (not ${JSON.stringify(bad)})`);
}

/** A new password from the command line; '' (left out) means: ask for it. */
function newPassword(parsed: ParsedOptions, option: string, text: string): string | undefined {
  if (text === '') return undefined;
  if ([...text].length > MAX_PASSWORD) throw new UsageError('BAD_VALUE', `${parsed.spelling(option)}: the password is longer than ${MAX_PASSWORD} characters`);
  return text;
}

function readAction(parsed: ParsedOptions): UmAction {
  const given = ACTION_NAMES.find((n) => parsed.has(n));
  switch (given) {
    case 'ulist':
      return { kind: 'list', output: parsed.flag('c') ? 'csv' : parsed.flag('C') ? 'csv-header' : parsed.flag('j') ? 'json' : 'table' };
    case 'addu':
    case 'chpw': {
      const [user, password] = parsed.values(given)!;
      return { kind: given === 'addu' ? 'add' : 'chpw', user: checkName(parsed, given, user), password: newPassword(parsed, given, password) };
    }
    case 'delu':
      return { kind: 'delete', user: checkName(parsed, 'delu', parsed.value('delu')!) };
    case 'admin':
    case 'noadmin':
      return { kind: 'admin', user: checkName(parsed, given, parsed.value(given)!), admin: given === 'admin' };
    case undefined:
      if (parsed.value('us') === '') return { kind: 'key-only' };
      throw new UsageError(
        'MISSING_OPTION',
        'an action is needed: -chpw USERNAME [PASSWORD], -addu USERNAME [PASSWORD], -delu USERNAME, -admin USERNAME, -noadmin USERNAME or -ulist; ' +
          'or -un USER -us alone to print a session key',
      );
  }
}

export function readUmRequest(parsed: ParsedOptions, env: Environment): UmRequest {
  const action = readAction(parsed);
  const connection = readConnection(parsed, env);
  const login = connection.login;
  if (action.kind === 'chpw' && login.kind === 'password' && login.wantSessionKey && login.username === action.user) {
    throw new UsageError(
      'CONFLICT',
      `${parsed.spelling('us')} with ${parsed.spelling('chpw')} ${action.user}: changing a password revokes that user's session keys, the one -us would print too; ask for a key after the change (ftum -un ${action.user} -us)`,
    );
  }
  return { connection, action };
}
