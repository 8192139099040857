// The question ftserver clear asks before deleting a store (unless --yes): how many sessions, where,
// and an explicit "yes", so that a slip of the keyboard deletes nothing.

import path from 'node:path';
import { askYes } from './askyes.js';
import { countStoredSessions, requireStoreDir } from './storefiles.js';

/**
 * Ask on `stdout` `Delete all N sessions in PATH? Type "yes" to confirm:` and read one line from
 * `stdin`: true only for `yes` (surrounding blanks ignored), false for anything else or end of input.
 * AdminError NOT_FOUND when there is no store directory, so nobody confirms a pointless question.
 */
export async function confirmClear(stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, databasePath: string): Promise<boolean> {
  const dir = path.resolve(databasePath);
  requireStoreDir(dir);
  const n = countStoredSessions(dir);
  return askYes(stdin, stdout, `Delete all ${n} sessions in ${dir}? Type "yes" to confirm: `);
}
