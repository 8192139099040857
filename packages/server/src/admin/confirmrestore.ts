// The question ftserver restore asks (unless --yes) once the backup is verified and before anything
// changes: what is replaced by what, with the session counts, and an explicit "yes".

import { askYes } from './askyes.js';

/** What a restore is about to do, for its confirmation. */
export interface RestorePlan {
  /** The verified backup. */
  readonly src: string;
  /** The store replaced, and the sessions it holds now (0 when it does not exist yet). */
  readonly databasePath: string;
  readonly storedRows: number;
  /** The user data directory whose files are replaced (none when the backup holds no user files). */
  readonly userdataPath: string;
  readonly userFiles: readonly string[];
  /** Sessions and segment files of the backup's store. */
  readonly backupRows: number;
  readonly backupSegments: number;
}

/** The question, one line: `Replace the 120 sessions in /db and users.json in /ud with the backup /b (100 sessions)? …` */
export function restoreQuestion(plan: RestorePlan): string {
  const users = plan.userFiles.length === 0 ? '' : ` and ${plan.userFiles.join(', ')} in ${plan.userdataPath}`;
  return `Replace the ${plan.storedRows} sessions in ${plan.databasePath}${users} with the backup ${plan.src} (${plan.backupRows} sessions)? Type "yes" to confirm: `;
}

/** Ask restoreQuestion(plan) on `stdout`, read one line of `stdin`: true only for `yes`. */
export function confirmRestore(stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, plan: RestorePlan): Promise<boolean> {
  return askYes(stdin, stdout, restoreQuestion(plan));
}
