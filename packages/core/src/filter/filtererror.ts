// The one error type of the filter language, and its three-line rendering
// (message, the filter, a caret under the offending part) used by every tool.

export type FilterErrorCode =
  /** a name that is not a field (`SRCIP=...`) */
  | 'UNKNOWN_FIELD'
  /** a field that exists but cannot be filtered on (`START`, `MPLS`) */
  | 'NOT_FILTERABLE'
  /** a comparator or stray character where a condition should start */
  | 'MISSING_FIELD'
  /** a field not followed by a comparator */
  | 'MISSING_COMPARATOR'
  /** a comparator that does not exist, or that the field does not take */
  | 'BAD_COMPARATOR'
  /** nothing after the comparator, or an empty list item */
  | 'MISSING_VALUE'
  /** a value of the wrong form for its field (not a number, not a MAC, ...) */
  | 'BAD_VALUE'
  | 'BAD_ADDRESS'
  | 'BAD_PREFIX'
  /** a malformed or empty dash range, or a range on a field that has none */
  | 'BAD_RANGE'
  | 'OUT_OF_RANGE'
  | 'UNKNOWN_MNEMONIC'
  | 'UNBALANCED_PAREN'
  | 'EMPTY_PARENS'
  /** `&&`, `||`, `^^` or `!` without a condition on the side that needs one */
  | 'DANGLING_OPERATOR'
  /** `&`, `|` or `^` written for `&&`, `||`, `^^` */
  | 'SINGLE_OPERATOR'
  /** text left over where an operator or the end was expected */
  | 'TRAILING_GARBAGE'
  /** parentheses or `!` nested deeper than the parser allows */
  | 'TOO_DEEP';

export class FilterError extends Error {
  override readonly name = 'FilterError';
  /** The problem alone, without the hint. */
  readonly reason: string;

  /**
   * `pos`/`len` locate the offending characters in the filter text (`pos` may equal
   * the text's length when something is missing at the end). The message is
   * `reason (hint)`.
   */
  constructor(
    readonly code: FilterErrorCode,
    reason: string,
    readonly pos: number,
    readonly len: number,
    readonly hint?: string,
  ) {
    super(hint === undefined ? reason : `${reason} (${hint})`);
    this.reason = reason;
  }
}

/** Widest filter excerpt shown before the excerpt is cut around the error. */
const MAX_SHOWN = 100;
/** Characters shown before the error when the excerpt is cut. */
const LEAD = 40;

/**
 * Renders an error as filter.md shows it, three lines without a final newline:
 * `<prog>: bad filter: <message>`, the filter indented by two spaces, and carets
 * under the offending characters. Control characters are shown as spaces so the
 * caret stays aligned; a long filter is cut to a window around the error.
 */
export function formatFilterError(err: FilterError, text: string, prog: string): string {
  const chars = Array.from(text.replace(/[\u0000-\u001f\u007f]/g, ' '));
  // pos/len count UTF-16 units; the display counts code points.
  const pos = Math.max(0, Math.min(err.pos, text.length));
  const col = Array.from(text.slice(0, pos)).length;
  const width = Math.max(1, Array.from(text.slice(pos, pos + Math.max(0, err.len))).length);
  let from = 0;
  let to = chars.length;
  if (chars.length > MAX_SHOWN) {
    from = Math.max(0, Math.min(col - LEAD, chars.length - MAX_SHOWN));
    to = Math.min(chars.length, from + MAX_SHOWN);
  }
  const head = from > 0 ? '...' : '';
  const tail = to < chars.length ? '...' : '';
  const shown = head + chars.slice(from, to).join('') + tail;
  const caretAt = head.length + col - from;
  const caretLen = Math.max(1, Math.min(width, to - col));
  return `${prog}: bad filter: ${err.message}\n  ${shown}\n  ${' '.repeat(caretAt)}${'^'.repeat(caretLen)}`;
}
