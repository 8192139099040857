// The parameters of one command line, as parseCommandLine read them: the value of each, where it
// stood, and how the person spelt it (for messages that quote their own words back).

import type { OptionDef } from './optiondef.js';

export interface GivenOption {
  readonly def: OptionDef;
  /** `true` for a flag; the value (possibly '') for a value option; two values for `two-values`. */
  readonly value: true | string | readonly [string, string];
  /** Index of the parameter's word in argv. */
  readonly position: number;
  /** The parameter as written, without any `=value` (`-tn`, `--last`). */
  readonly spelling: string;
}

export class ParsedOptions {
  constructor(
    private readonly given: ReadonlyMap<string, GivenOption>,
    /** --help (or -h) was asked for: print the help and nothing else. */
    readonly help: boolean = false,
    /** --version was asked for. */
    readonly version: boolean = false,
  ) {}

  /** Whether the parameter named `name` (FlowTraq name, no dash) is on the command line. */
  has(name: string): boolean {
    return this.given.has(name);
  }

  /** A flag's state: true when given. */
  flag(name: string): boolean {
    return this.given.get(name)?.value === true;
  }

  /** The value of a value or optional-value parameter ('' for an optional one given bare); undefined when absent. */
  value(name: string): string | undefined {
    const v = this.given.get(name)?.value;
    return typeof v === 'string' ? v : undefined;
  }

  /** The two values of a two-values parameter (the second '' when it is optional and was left out). */
  values(name: string): readonly [string, string] | undefined {
    const v = this.given.get(name)?.value;
    return Array.isArray(v) ? (v as readonly [string, string]) : undefined;
  }

  /** How the parameter was written (`--last` or `-tn`); `-name` when absent. */
  spelling(name: string): string {
    return this.given.get(name)?.spelling ?? `-${name}`;
  }

  /** Index of the parameter in argv, -1 when absent. */
  position(name: string): number {
    return this.given.get(name)?.position ?? -1;
  }

  /** The names given, in command-line order. */
  names(): string[] {
    return [...this.given.values()].sort((a, b) => a.position - b.position).map((g) => g.def.name);
  }
}
