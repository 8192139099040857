// The new password of -chpw / -addu when the command line leaves it out: asked for twice on the
// terminal without echo, so that a typo cannot lock anyone out and the password stays out of shell history.

import { UsageError } from '../common/clierror.js';
import { canPrompt, promptHidden, type PromptStreams } from '../common/promptpassword.js';

const MAX_PASSWORD = 1024;

/**
 * Fails before any connection when the password would have to be asked for and cannot be: there is
 * no terminal (the controlling one, or stdin; `input` replaces both in tests).
 */
export function checkCanAskNewPassword(user: string, flag: string, input?: NodeJS.ReadStream): void {
  if (canPrompt(input)) return;
  throw new UsageError(
    'NO_PASSWORD',
    `no new password for ${user}: give it after the name (${flag} ${user} PASSWORD), or run ftum on a terminal to be asked for it without echo (there is no terminal to ask on)`,
  );
}

/** Asks twice; a mismatch, an empty or an over-long password is a usage error and nothing is changed. */
export async function askNewPassword(user: string, streams?: PromptStreams): Promise<string> {
  const first = await promptHidden(`New password for ${user}: `, streams);
  if (first === '') throw new UsageError('BAD_VALUE', `the new password for ${user} is empty; nothing was changed`);
  if ([...first].length > MAX_PASSWORD) throw new UsageError('BAD_VALUE', `the new password is longer than ${MAX_PASSWORD} characters; nothing was changed`);
  const again = await promptHidden(`Retype the new password for ${user}: `, streams);
  if (again !== first) throw new UsageError('BAD_VALUE', `the two passwords typed for ${user} differ; nothing was changed`);
  return first;
}
