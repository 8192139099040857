// Who may see and update an alert. The spec says only "visible to the user"; the rule chosen is
// the owner (the user who first posted it, usually a detector's dedicated user) and administrators.

import type { UserInfo } from '../auth/index.js';
import type { StoredAlert } from './alert.js';

/**
 * Whether `user` may list `alert`, and update it by posting its id again. One rule for both, so that
 * nobody can change what they cannot see, and a detector's user sees what it raised.
 */
export function canAccessAlert(alert: StoredAlert, user: UserInfo): boolean {
  return user.admin || alert.posted_by === user.name;
}
