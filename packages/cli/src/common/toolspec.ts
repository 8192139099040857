// What a command is, for the parser and --help: its parameters, the ones it refuses with a reason,
// the rules between parameters, and real examples. Each tool (and each detector) declares one.

import type { OptionDef } from './optiondef.js';

export interface Example {
  /** What the command does, one line. */
  readonly comment: string;
  readonly command: string;
}

/** A relation between two or more parameters, checked only among those a tool accepts. */
export type OptionRule =
  /** at most one of `names` */
  | { readonly kind: 'exclusive'; readonly names: readonly string[]; readonly why: string }
  /** `name` only together with `needs` */
  | { readonly kind: 'requires'; readonly name: string; readonly needs: string; readonly why: string }
  /** when both are given, `first` comes before `then` on the command line */
  | { readonly kind: 'before'; readonly first: string; readonly then: string; readonly why: string };

export interface ToolSpec {
  /** The command's name, which starts every message (`ftstat`). */
  readonly name: string;
  /** What it does, one line. */
  readonly summary: string;
  /** The synopsis after `Usage:`. */
  readonly usage: string;
  /** A paragraph for --help. */
  readonly description: string;
  /** Every parameter it takes, in --help order within each group. */
  readonly options: readonly OptionDef[];
  /** Parameters other tools take that this one refuses: FlowTraq name (no dash) → why. */
  readonly refuses: Readonly<Record<string, string>>;
  /** Rules of its own, besides SHARED_RULES. */
  readonly rules?: readonly OptionRule[];
  readonly examples: readonly Example[];
}

/** The rules of cli.md between shared parameters (the time-frame ones are checked with the times). */
export const SHARED_RULES: readonly OptionRule[] = [
  {
    kind: 'exclusive',
    names: ['c', 'C', 'j'],
    why: 'pick one output format: -c (CSV), -C (CSV with a header and summary lines) or -j (JSON); without them a table is printed',
  },
  {
    kind: 'exclusive',
    names: ['snd', 'rcv'],
    why: 'a ranking counts what each entity sent (-snd), what it received (-rcv), or both when neither is given',
  },
  { kind: 'requires', name: 'ei', needs: 'e', why: 'an interface index means something only on one exporter (e.g. -e 192.0.2.1 -ei 3)' },
  { kind: 'before', first: 'e', then: 'ei', why: 'the interface belongs to the exporter named before it (e.g. -e 192.0.2.1 -ei 3)' },
  { kind: 'before', first: 'e', then: 'ef', why: 'as in FlowTraq, the exporter comes first (e.g. -e 192.0.2.1 -ef nf9)' },
  { kind: 'requires', name: 'gx', needs: 'g', why: 'the width is that of the chart, which -g FILE asks for' },
  { kind: 'requires', name: 'gy', needs: 'g', why: 'the height is that of the chart, which -g FILE asks for' },
];
