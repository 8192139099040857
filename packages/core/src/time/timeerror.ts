// The one error type of the time-frame languages (-tn, -te, -tl): every bad value becomes a TimeError.
// The CLI prints `message` as a usage error (exit 2); `code` is stable for scripts and tests.

export type TimeOption = '-tn' | '-te' | '-tl';

export type TimeErrorCode =
  // relative times (-tn)
  | 'EMPTY'
  | 'BAD_UNIT'
  | 'MISSING_NUMBER'
  | 'MISSING_UNIT'
  | 'BAD_NUMBER'
  | 'ORDER'
  | 'REPEATED_UNIT'
  | 'ZERO_LENGTH'
  | 'TOO_LARGE'
  // absolute times (-te, -tl)
  | 'BAD_FORMAT'
  | 'BAD_YEAR'
  | 'BAD_MONTH'
  | 'BAD_DAY'
  | 'BAD_HOUR'
  | 'BAD_MINUTE'
  | 'BAD_SECOND'
  | 'BAD_OFFSET'
  | 'NONEXISTENT_TIME'
  // combinations of options
  | 'TE_WITHOUT_TL'
  | 'TL_WITHOUT_TE'
  | 'TN_WITH_TE'
  | 'START_AFTER_END';

export interface TimeErrorContext {
  /** The command-line option the value was given to, when known. */
  option?: TimeOption;
  /** The offending value, quoted at the start of the message. */
  value?: string;
  /** Index into `value` of the part the error is about. */
  position?: number;
}

export class TimeError extends Error {
  override readonly name = 'TimeError';
  readonly code: TimeErrorCode;
  readonly option: TimeOption | undefined;
  readonly value: string | undefined;
  readonly position: number | undefined;

  /**
   * `detail` says what is wrong and what is expected. With a value, the message starts with the
   * option and the quoted value (`-te '13/01/2012': month 13 ...`); without one, `detail` is the message.
   */
  constructor(code: TimeErrorCode, detail: string, context: TimeErrorContext = {}) {
    const { option, value } = context;
    const prefix = value === undefined ? '' : `${option === undefined ? '' : option + ' '}'${value}': `;
    super(prefix + detail);
    this.code = code;
    this.option = context.option;
    this.value = context.value;
    this.position = context.position;
  }
}
