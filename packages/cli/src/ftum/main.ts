// ftum: checks its parameters, logs in (printing a session key for -us), and does one action on the
// server's users through /api/v1/users; the server decides who may do what (cli.md's table).

import type { ApiClient } from '../common/apiclient.js';
import { RuntimeFailure } from '../common/clierror.js';
import { connect } from '../common/connection.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { runTool, type ToolContext } from '../common/runtool.js';
import { styleFor } from '../common/style.js';
import { askNewPassword, checkCanAskNewPassword } from './asknewpassword.js';
import { FTUM } from './ftumspec.js';
import { readUmRequest, type UmAction } from './readumrequest.js';
import { renderUserList, userListProblem, type ListedUser } from './userlist.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '../common/runtool.js';

const USERS_PATH = '/api/v1/users';

function userPath(user: string, sub?: 'password' | 'admin'): string {
  return `${USERS_PATH}/${encodeURIComponent(user)}${sub === undefined ? '' : `/${sub}`}`;
}

/** Does `action` and returns the line (or list) to print. */
async function perform(client: ApiClient, action: Exclude<UmAction, { kind: 'key-only' }>, ctx: ToolContext): Promise<string> {
  switch (action.kind) {
    case 'list': {
      const answer = await client.json<{ users: ListedUser[] }>('GET', USERS_PATH);
      const problem = userListProblem(answer);
      if (problem !== null) throw new RuntimeFailure('BAD_ANSWER', `the server's user list cannot be read: ${problem}`);
      return renderUserList(answer.users, action.output, await styleFor(ctx.stdout, ctx.env));
    }
    case 'add': {
      const password = action.password ?? (await askNewPassword(action.user));
      await client.json('POST', USERS_PATH, { body: { username: action.user, password } });
      return `added user ${action.user} (not an administrator; ftum -admin ${action.user} makes them one)\n`;
    }
    case 'chpw': {
      const password = action.password ?? (await askNewPassword(action.user));
      await client.json('PUT', userPath(action.user, 'password'), { body: { password } });
      return `changed the password of ${action.user}; their other logins and session keys no longer work\n`;
    }
    case 'delete':
      await client.json('DELETE', userPath(action.user));
      return `deleted user ${action.user}\n`;
    case 'admin':
      await client.json('PUT', userPath(action.user, 'admin'), { body: { admin: action.admin } });
      return action.admin ? `${action.user} is an administrator\n` : `${action.user} is not an administrator\n`;
  }
}

async function ftum(parsed: ParsedOptions, ctx: ToolContext): Promise<void> {
  const req = readUmRequest(parsed, ctx.env);
  const { action } = req;
  // a password that must be typed is checked for before the login, so nothing happens half-way
  if ((action.kind === 'add' || action.kind === 'chpw') && action.password === undefined) {
    checkCanAskNewPassword(action.user, parsed.spelling(action.kind === 'add' ? 'addu' : 'chpw'));
  }
  const client = await connect(req.connection, { tool: ctx.spec.name, version: ctx.version });
  try {
    if (action.kind !== 'key-only') await ctx.out.write(await perform(client, action, ctx));
    await client.close();
  } catch (e) {
    await client.destroy();
    throw e;
  }
}

/** Runs ftum with `argv` (the words after the command); resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runTool(FTUM, argv, ftum);
}
