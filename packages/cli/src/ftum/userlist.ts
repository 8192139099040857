// ftum -ulist: the users of GET /api/v1/users as a table for people, CSV (local times, like ftsq) or
// JSON (UTC epoch seconds), sorted by name; the columns are username, admin, created, last_login.

import { formatLocalTime } from '@opentraq/core';
import { counted } from '../common/counted.js';
import type { Style } from '../common/style.js';
import { TextTable } from '../common/texttable.js';
import type { UserListOutput } from './readumrequest.js';

/** One user as the API lists it: times in ms since the epoch, last_login null before the first login. */
export interface ListedUser {
  readonly username: string;
  readonly admin: boolean;
  readonly created: number;
  readonly last_login: number | null;
}

const COLUMNS = ['username', 'admin', 'created', 'last_login'] as const;

/** Why the answer cannot be read as a user list, or null. */
export function userListProblem(answer: unknown): string | null {
  const users = (answer as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return 'it has no users array';
  for (const u of users as Partial<ListedUser>[]) {
    if (typeof u !== 'object' || u === null) return 'a user is not an object';
    if (typeof u.username !== 'string' || typeof u.admin !== 'boolean' || typeof u.created !== 'number') return `a user lacks username, admin or created: ${JSON.stringify(u).slice(0, 200)}`;
    if (u.last_login !== null && typeof u.last_login !== 'number') return `last_login of ${u.username} is neither a time nor null`;
  }
  return null;
}

function localTime(ms: number): string {
  return formatLocalTime(Math.round(ms * 1000));
}

/** The table's cell: the time as CSV has it (`MM/DD/YYYY hh:mm:ss.microsec`, cli.md's one format for times), or `never`. */
function tableTime(ms: number | null): string {
  return ms === null ? 'never' : localTime(ms);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function sortUsers(users: readonly ListedUser[]): ListedUser[] {
  return [...users].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}

export function renderUserList(list: readonly ListedUser[], output: UserListOutput, style: Style): string {
  const users = sortUsers(list);
  switch (output) {
    case 'json': {
      const rows = users.map((u) => JSON.stringify({ username: u.username, admin: u.admin, created: u.created / 1000, last_login: u.last_login === null ? null : u.last_login / 1000 }));
      return rows.length === 0 ? '[]\n' : `[\n${rows.join(',\n')}\n]\n`;
    }
    case 'csv':
    case 'csv-header': {
      const lines = users.map((u) => [csvCell(u.username), String(u.admin), localTime(u.created), u.last_login === null ? '' : localTime(u.last_login)].join(','));
      if (output === 'csv') return lines.map((l) => `${l}\n`).join('');
      const admins = users.filter((u) => u.admin).length;
      return `${COLUMNS.join(',')}\n${lines.map((l) => `${l}\n`).join('')}# Total users: ${users.length}, administrators: ${admins}\n`;
    }
    case 'table': {
      const table = new TextTable(
        [
          { header: 'User', align: 'left' },
          { header: 'Admin', align: 'left' },
          { header: 'Created', align: 'left' },
          { header: 'Last login', align: 'left' },
        ],
        style,
      );
      const rows = users.map((u) => [u.username, u.admin ? 'yes' : 'no', tableTime(u.created), tableTime(u.last_login)]);
      const admins = users.filter((u) => u.admin).length;
      return `${table.start(rows)}${table.end()}${counted(users.length, 'user')}, ${counted(admins, 'administrator')}; times are local (TZ)\n`;
    }
  }
}
