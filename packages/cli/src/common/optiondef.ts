// What a command-line parameter is: its FlowTraq name (`-tn`), GNU aliases (`--last`), whether it
// takes a value, and the words --help shows. The parser, the help text and the docs read these.

/**
 * - `flag`: no value (`-c`).
 * - `value`: exactly one value, which may start with a dash (`-tn -3m`).
 * - `optional-value`: a value when the next word is not a parameter (`-us` or `-us KEY`).
 * - `two-values`: two values (`-chpw USER PASS`); with `secondOptional`, one or two.
 */
export type OptionKind = 'flag' | 'value' | 'optional-value' | 'two-values';

/** The sections of --help, in the order they are printed. */
export type OptionGroup = 'Query' | 'Action' | 'Detector' | 'Connection' | 'Login' | 'Time frame' | 'Filtering' | 'Output' | 'Chart';

export interface OptionDef {
  /** FlowTraq name without the dash: `tn` for `-tn`. Case matters (`-c`, `-C`). */
  readonly name: string;
  /** GNU long names without the dashes: `last` for `--last`. */
  readonly long: readonly string[];
  readonly kind: OptionKind;
  /** What the value is called in help and messages (`RELTIME`); two words for `two-values`. */
  readonly arg?: string;
  /** An example value for messages (`1h`). */
  readonly example?: string;
  readonly group: OptionGroup;
  /** One line for --help. */
  readonly help: string;
  /** The FLOWTRAQ_* variable that supplies a default. */
  readonly env?: string;
  /** The default, as --help shows it. */
  readonly defaultText?: string;
  /** Never shown in messages (passwords, session keys). */
  readonly secret?: boolean;
  /**
   * For `value` options whose value may be two words (`-cnt UNIQUE IP`): given the first word,
   * whether the next word belongs to it too.
   */
  readonly takesSecondWord?: (first: string) => boolean;
  /**
   * For `two-values` options: the second value may be left out (`-chpw USER`, the password then asked
   * for); it is read as '' when the next word is absent or a parameter.
   */
  readonly secondOptional?: boolean;
}

/** `-tn` for the option named `tn`. */
export function flagOf(def: Pick<OptionDef, 'name'>): string {
  return `-${def.name}`;
}
