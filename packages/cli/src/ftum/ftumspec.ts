// ftum's parameters and help: one action of cli.md's user management (-chpw -addu -delu -admin
// -noadmin -ulist) with the connection and login parameters; the query parameters are refused.

import type { OptionDef } from '../common/optiondef.js';
import { CONNECTION_OPTIONS, sharedOptions } from '../common/sharedoptions.js';
import type { ToolSpec } from '../common/toolspec.js';

/** The actions, FlowTraq names without the dash, in --help order. */
export const ACTION_NAMES = ['chpw', 'addu', 'delu', 'admin', 'noadmin', 'ulist'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

const ACTIONS: readonly OptionDef[] = [
  {
    name: 'chpw',
    long: ['change-password'],
    kind: 'two-values',
    secondOptional: true,
    // the password is never shown in messages; neither is the name beside it
    secret: true,
    arg: 'USERNAME [PASSWORD]',
    example: 'alice n3w-s3cret',
    group: 'Action',
    help: "change USERNAME's password: your own, or anyone's as an administrator; without PASSWORD the new one is asked for twice on the terminal (it then stays out of the shell's history)",
  },
  {
    name: 'addu',
    long: ['add-user'],
    kind: 'two-values',
    secondOptional: true,
    secret: true,
    arg: 'USERNAME [PASSWORD]',
    example: 'bob s3cret',
    group: 'Action',
    help: 'add a user (administrators only), named with 1 to 64 letters, digits, dots, underscores, hyphens or @; without PASSWORD it is asked for twice on the terminal',
  },
  { name: 'delu', long: ['delete-user'], kind: 'value', arg: 'USERNAME', example: 'bob', group: 'Action', help: 'delete a user (administrators only); the last administrator cannot be deleted' },
  { name: 'admin', long: ['grant-admin'], kind: 'value', arg: 'USERNAME', example: 'bob', group: 'Action', help: 'grant administrative rights (administrators only)' },
  { name: 'noadmin', long: ['revoke-admin'], kind: 'value', arg: 'USERNAME', example: 'bob', group: 'Action', help: 'revoke administrative rights (administrators only); the last administrator keeps them' },
  { name: 'ulist', long: ['list-users'], kind: 'flag', group: 'Action', help: 'list the users: name, administrator or not, created, last login (administrators only)' },
];

const NOT_A_QUERY = 'ftum manages users and queries no sessions';

export const FTUM: ToolSpec = {
  name: 'ftum',
  summary: 'manage the users of an ftserver, or get a session key',
  usage: 'ftum [login] ACTION   |   ftum -un USER -us',
  description:
    'Logs in to an ftserver and does one action on its users. Administrators may do every action on any user; any user may change ' +
    'their own password. With no action and -us, ftum only logs in and prints a session key on stderr: the recommended way to get one. ' +
    'The user list prints as a table for people, or as CSV (-c, -C) or JSON (-j) for programs; the other actions print one line saying what was done.',
  options: [...ACTIONS, ...sharedOptions(...CONNECTION_OPTIONS, 'c', 'C', 'j')],
  refuses: {
    te: `${NOT_A_QUERY}, so it has no time frame`,
    tl: `${NOT_A_QUERY}, so it has no time frame`,
    tn: `${NOT_A_QUERY}, so it has no time frame`,
    e: `${NOT_A_QUERY}; exporters are filtered by ftstat and ftsq`,
    ei: `${NOT_A_QUERY}; interfaces are filtered by ftstat and ftsq`,
    ef: `${NOT_A_QUERY}; export formats are filtered by ftstat and ftsq`,
    q: `${NOT_A_QUERY}; filters are for ftstat and ftsq`,
    snd: `${NOT_A_QUERY}; rankings are ftstat's`,
    rcv: `${NOT_A_QUERY}; rankings are ftstat's`,
    r: 'ftum -ulist lists every user',
    v: "ftum's calls are quick; there is no progress to show",
    w: `${NOT_A_QUERY}; time series are ftstat -w`,
    g: `${NOT_A_QUERY}; charts are drawn by ftstat -g`,
    gx: `${NOT_A_QUERY}; charts are drawn by ftstat -g`,
    gy: `${NOT_A_QUERY}; charts are drawn by ftstat -g`,
    grp: `${NOT_A_QUERY}; rankings are ftstat -grp`,
    cnt: `${NOT_A_QUERY}; rankings are ftstat -cnt`,
  },
  rules: [
    { kind: 'exclusive', names: [...ACTION_NAMES], why: 'ftum does one action per run' },
    { kind: 'requires', name: 'c', needs: 'ulist', why: 'only the user list is printed as CSV; the other actions print one line' },
    { kind: 'requires', name: 'C', needs: 'ulist', why: 'only the user list is printed as CSV; the other actions print one line' },
    { kind: 'requires', name: 'j', needs: 'ulist', why: 'only the user list is printed as JSON; the other actions print one line' },
  ],
  examples: [
    {
      comment: 'log in once and keep a session key for scripts (the server needs userdata.maxsessionkeyage > 0); the password is asked for on the terminal, and only the key lands in KEY',
      command: 'KEY=$(ftum -un alice -us 2>&1 >/dev/null)',
    },
    { comment: 'add a user, the password asked for twice without echo', command: 'ftum -un admin -addu bob' },
    { comment: 'make bob an administrator, then list the users as CSV with a header', command: 'ftum -un admin -admin bob && ftum -un admin -ulist -C' },
    { comment: 'change your own password (asked for)', command: 'ftum -un alice -chpw alice' },
    { comment: 'delete a user, logged in with a session key', command: 'ftum -us "$KEY" -delu bob' },
  ],
};
