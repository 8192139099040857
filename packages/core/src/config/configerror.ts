// Problems found in ftserver.conf or on ftserver's command line. Warnings are returned and the server
// logs them; errors are gathered from the whole input and thrown together as one ConfigError.

/** Every problem code, with whether it stops the server and what it means (docs/config.md lists them). */
export const CONFIG_PROBLEMS = [
  // Errors: the server does not start (and a reload changes nothing) until they are fixed.
  { code: 'BAD_VALUE', severity: 'error', doc: 'a value of the wrong form for its setting' },
  { code: 'OUT_OF_RANGE', severity: 'error', doc: 'a number, port or rate outside what the setting accepts' },
  { code: 'TOO_MANY_VALUES', severity: 'error', doc: 'more ports or addresses than the setting takes' },
  { code: 'DUPLICATE_VALUE', severity: 'error', doc: 'the same port, address or exporter twice in one list' },
  { code: 'PORT_CONFLICT', severity: 'error', doc: 'one port given to two listeners of the same protocol (UDP: netflowport, sflowport; TCP: listenport, ipfixtcpport)' },
  { code: 'TLS_INCOMPLETE', severity: 'error', doc: 'only one of `tls.cert` and `tls.key` is set' },
  { code: 'WRONG_SECTION', severity: 'error', doc: 'a setting outside the section it belongs to (at the top level or in another of opentraq’s sections)' },
  { code: 'BAD_SYNTAX', severity: 'error', doc: '`key=value` where `key value` is meant, or a double quote not closed at the end of the value' },
  { code: 'BAD_SECTION_TAG', severity: 'error', doc: 'a line starting with `<` that is not `<name>` or `</name>`' },
  { code: 'NESTED_SECTION', severity: 'error', doc: '`<name>` while another section is open: sections do not nest' },
  { code: 'MISMATCHED_SECTION', severity: 'error', doc: '`</name>` that does not close the open section' },
  { code: 'UNEXPECTED_CLOSE', severity: 'error', doc: '`</name>` with no section open' },
  { code: 'UNCLOSED_SECTION', severity: 'error', doc: 'a section still open at the end of the file' },
  { code: 'UNKNOWN_FLAG', severity: 'error', doc: 'a command-line option that is not a setting' },
  { code: 'MISSING_VALUE', severity: 'error', doc: 'a command-line option without its value' },
  // Warnings: logged; the line has no effect (for DUPLICATE_KEY, the earlier line has none).
  { code: 'UNKNOWN_KEY', severity: 'warning', doc: 'a key that is not a setting; ignored' },
  { code: 'UNKNOWN_SECTION', severity: 'warning', doc: 'a section opentraq does not have; its keys are ignored (each is an UNKNOWN_KEY)' },
  { code: 'FLOWTRAQ_KEY', severity: 'warning', doc: 'a FlowTraq setting that opentraq has no use for; ignored' },
  { code: 'DUPLICATE_KEY', severity: 'warning', doc: 'a setting given twice in the file; the last value is used' },
  { code: 'NOT_RELOADABLE', severity: 'warning', doc: 'a reload changed a setting that cannot change while the server runs; the running value is kept' },
] as const;

export type ConfigProblemCode = (typeof CONFIG_PROBLEMS)[number]['code'];

export interface ConfigProblem {
  readonly code: ConfigProblemCode;
  /** The configuration file, for problems found in one. */
  readonly file: string | undefined;
  /** 1-based line in `file`. */
  readonly line: number | undefined;
  /** The command-line option, for problems found on the command line. */
  readonly flag: string | undefined;
  /** The setting (`section.key`), or the key or `<section>` as written when it is not one. */
  readonly key: string;
  /** The offending value as written, when there is one. */
  readonly value: string | undefined;
  /** The whole message, starting with where: `ftserver.conf:12: sessiontables.timeout 'abc': expected …`. */
  readonly message: string;
}

/** Where a problem is: a line of a file, or a command-line option. */
export type ProblemPlace = { readonly file: string; readonly line: number } | { readonly flag: string };

/**
 * Builds a problem. With a value the message reads `file:line: key 'value': detail`, or
 * `--option 'value': detail`; without, `file:line: detail` or `--option: detail`.
 */
export function configProblem(code: ConfigProblemCode, place: ProblemPlace, key: string, detail: string, value?: string): ConfigProblem {
  const isFlag = 'flag' in place;
  let subject: string;
  if (isFlag) subject = value === undefined ? place.flag : `${place.flag} '${value}'`;
  else subject = value === undefined ? `${place.file}:${place.line}` : `${place.file}:${place.line}: ${key} '${value}'`;
  return {
    code,
    file: isFlag ? undefined : place.file,
    line: isFlag ? undefined : place.line,
    flag: isFlag ? place.flag : undefined,
    key,
    value,
    message: `${subject}: ${detail}`,
  };
}

/** Every error of one file or command line; `code`, `line`, `key` are those of the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigProblemCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly flag: string | undefined;
  readonly key: string;
  /** All the errors, in the order of the input; the message has one line for each. */
  readonly problems: readonly ConfigProblem[];
  /** The warnings found in the same input, for the log. */
  readonly warnings: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], warnings: readonly ConfigProblem[] = []) {
    const first = problems[0];
    if (first === undefined) throw new RangeError('ConfigError needs at least one problem');
    super(problems.map((p) => p.message).join('\n'));
    this.code = first.code;
    this.file = first.file;
    this.line = first.line;
    this.flag = first.flag;
    this.key = first.key;
    this.problems = problems;
    this.warnings = warnings;
  }
}
