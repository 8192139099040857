// The ways a tool run can end badly, each with the exit code cli.md gives it and a stable code:
// a tool throws one of these and runTool prints `<tool>: <message>` on stderr and exits with it.

/** Exit codes of every tool (cli.md): a script may rely on them. */
export const EXIT = {
  /** Success, also when the result is empty. */
  OK: 0,
  /** A server-side or runtime failure. */
  FAILURE: 1,
  /** A usage error: bad parameter, bad filter, bad time. */
  USAGE: 2,
  /** Authentication failed. */
  AUTH: 3,
  /** The server could not be reached. */
  CONNECT: 4,
  /** Interrupted with Ctrl-C (128 + SIGINT, as for any command). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type UsageErrorCode =
  /** a parameter this tool does not know */
  | 'UNKNOWN_OPTION'
  /** a parameter that exists but does not apply to this tool */
  | 'NOT_APPLICABLE'
  /** a value-taking parameter at the end of the line */
  | 'MISSING_VALUE'
  /** a value-taking parameter followed directly by another parameter */
  | 'VALUE_IS_OPTION'
  /** a flag given a value (`-c=yes`, `-c true`) */
  | 'FLAG_WITH_VALUE'
  /** the same parameter twice */
  | 'REPEATED_OPTION'
  /** a word that belongs to no parameter */
  | 'UNEXPECTED_ARGUMENT'
  /** parameters that exclude each other */
  | 'CONFLICT'
  /** a parameter that needs another one, or must come after it */
  | 'MISPLACED'
  /** a parameter the tool cannot do without */
  | 'MISSING_OPTION'
  /** a value of the wrong form or out of range (also from FLOWTRAQ_* variables) */
  | 'BAD_VALUE'
  | 'BAD_TIME'
  | 'BAD_FILTER'
  /** the password is needed but there is no terminal to ask on (no /dev/tty, stdin not one) */
  | 'NO_PASSWORD'
  /** the server refused the request as malformed (HTTP 400) */
  | 'REFUSED_BY_SERVER';

export type FailureCode =
  /** the server answered with an error of its own (5xx, busy, unknown endpoint) */
  | 'SERVER_ERROR'
  /** the server's answer is not what the API promises */
  | 'BAD_ANSWER'
  /** the connection broke after it was established, or an answer was cut off */
  | 'CONNECTION_LOST'
  /** the tool cannot do what was asked (a feature this version lacks, a file it cannot write) */
  | 'NOT_AVAILABLE'
  /** what the request names does not exist on the server (a user) */
  | 'NOT_FOUND'
  /** the server refused a change that conflicts with what it holds (a user that exists, the last administrator) */
  | 'REFUSED'
  /** stdout cannot be written (a full disk, a quota, an I/O error); a reader that went away is not this */
  | 'OUTPUT_FAILED';

export type AuthFailureCode = 'BAD_CREDENTIALS' | 'BAD_SESSION_KEY' | 'WRONG_ADDRESS' | 'SESSION_KEYS_DISABLED' | 'THROTTLED' | 'NOT_ALLOWED' | 'TOKEN_EXPIRED' | 'LOGIN_REFUSED';

export type CliErrorCode = UsageErrorCode | FailureCode | AuthFailureCode | 'CONNECT_FAILED' | 'INTERRUPTED';

/** The base of every error a tool ends with; `message` is for the person reading stderr. */
export class CliError extends Error {
  override readonly name: string = 'CliError';

  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Exit 2: the command line (or a FLOWTRAQ_* variable) is wrong; nothing was sent to the server. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(code: UsageErrorCode, message: string) {
    super(code, message, EXIT.USAGE);
  }
}

/** Exit 3: the server did not accept the login, the session key or the token. */
export class AuthFailure extends CliError {
  override readonly name = 'AuthFailure';

  constructor(code: AuthFailureCode, message: string) {
    super(code, message, EXIT.AUTH);
  }
}

/** Exit 4: no connection to the server could be made. */
export class ConnectFailure extends CliError {
  override readonly name = 'ConnectFailure';

  constructor(message: string) {
    super('CONNECT_FAILED', message, EXIT.CONNECT);
  }
}

/** Exit 1: the server failed, broke off, or answered something the tool cannot use. */
export class RuntimeFailure extends CliError {
  override readonly name = 'RuntimeFailure';

  constructor(code: FailureCode, message: string) {
    super(code, message, EXIT.FAILURE);
  }
}

/** Exit 130: the person pressed Ctrl-C (at the password prompt). */
export class Interrupted extends CliError {
  override readonly name = 'Interrupted';

  constructor(message = 'interrupted') {
    super('INTERRUPTED', message, EXIT.INTERRUPTED);
  }
}
