// FlowTraq-style command lines: `-un` is one parameter (never `-u -n`), `-tn -3m` takes `-3m` as its
// value, a quoted filter is one value. yargs' parser reads the values; the walk before it checks what
// yargs cannot: unknown and misplaced parameters, missing values, a value swallowed by the next option.

import { Parser } from 'yargs/helpers';
import { UsageError } from './clierror.js';
import { didYouMean } from './didyoumean.js';
import { flagOf, type OptionDef } from './optiondef.js';
import { ParsedOptions, type GivenOption } from './parsedoptions.js';
import { SHARED_OPTIONS } from './sharedoptions.js';
import { SHARED_RULES, type OptionRule, type ToolSpec } from './toolspec.js';

const HELP_WORDS = new Set(['--help', '-help', '-h']);
const VERSION_WORDS = new Set(['--version', '-version']);

/** The yargs parser configuration for FlowTraq-style options (DEPENDENCIES.md). */
const YARGS_CONFIGURATION = {
  'short-option-groups': false,
  'nargs-eats-options': true,
  'camel-case-expansion': false,
  'dot-notation': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'boolean-negation': false,
  'duplicate-arguments-array': true,
  'greedy-arrays': false,
} as const;

/** Every spelling of every parameter: `-tn`, `--tn`, `--last`. */
function spellingsOf(def: Pick<OptionDef, 'name' | 'long'>): string[] {
  return [`-${def.name}`, `--${def.name}`, ...def.long.map((l) => `--${l}`)];
}

/** A word that is written like a parameter: a dash and a letter, or two dashes and a letter. */
function looksLikeOption(word: string): boolean {
  return /^--?[A-Za-z]/.test(word);
}

function shown(def: OptionDef, value: string): string {
  return def.secret === true ? '' : ` '${value}'`;
}

function valueHint(def: OptionDef): string {
  const arg = def.arg ?? 'VALUE';
  return def.example === undefined ? arg : `${arg}, e.g. ${flagOf(def)} ${def.example}`;
}

interface Lookup {
  readonly byWord: ReadonlyMap<string, OptionDef>;
  /** Spellings of the parameters this tool refuses → why. */
  readonly refused: ReadonlyMap<string, { flag: string; why: string }>;
}

function lookupFor(spec: ToolSpec): Lookup {
  const byWord = new Map<string, OptionDef>();
  for (const def of spec.options) for (const w of spellingsOf(def)) byWord.set(w, def);
  const refused = new Map<string, { flag: string; why: string }>();
  for (const [name, why] of Object.entries(spec.refuses)) {
    const shared = SHARED_OPTIONS.get(name as never);
    for (const w of spellingsOf(shared ?? { name, long: [] })) refused.set(w, { flag: `-${name}`, why });
  }
  return { byWord, refused };
}

/** Whether `word` is a parameter word of this tool (one that cannot be a value). */
function isParameter(word: string, lookup: Lookup): boolean {
  const head = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
  return lookup.byWord.has(head) || lookup.refused.has(head) || HELP_WORDS.has(word) || VERSION_WORDS.has(word);
}

function unexpectedArgument(spec: ToolSpec, word: string, previous: GivenOption | undefined, argv: readonly string[], at: number): UsageError {
  const prevWord = at > 0 ? argv[at - 1]! : undefined;
  let context: string;
  if (word === '--') {
    return new UsageError('UNEXPECTED_ARGUMENT', `unexpected '--': ${spec.name} takes only parameters, no arguments after them`);
  } else if (previous !== undefined && previous.position === at - 1 && previous.def.kind === 'flag') {
    context = ` after ${previous.spelling}, which takes no value`;
  } else if (previous !== undefined && previous.def.kind !== 'flag' && prevWord !== undefined && !looksLikeOption(prevWord)) {
    const def = previous.def;
    const value = typeof previous.value === 'string' ? previous.value : '';
    const example = def.example === undefined ? '' : `, e.g. ${flagOf(def)} ${def.example}`;
    context = ` after ${previous.spelling}${shown(def, value)}: ${flagOf(def)} takes ${def.kind === 'two-values' ? 'two words' : 'one value'}; quote a value that has spaces as one shell word${example}`;
  } else {
    context = `: parameters start with a dash ('${spec.name} --help' lists them)`;
  }
  return new UsageError('UNEXPECTED_ARGUMENT', `unexpected argument '${word}'${context}`);
}

/**
 * Walks argv: each word is a parameter of the tool, a value of the parameter before it, or an error.
 * Returns what was given and argv rewritten for yargs (optional and two-word values joined with `=`).
 */
function walk(argv: readonly string[], spec: ToolSpec, lookup: Lookup): { given: Map<string, GivenOption>; forYargs: string[] } {
  const given = new Map<string, GivenOption>();
  const forYargs: string[] = [];
  let last: GivenOption | undefined;
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    const eq = looksLikeOption(word) ? word.indexOf('=') : -1;
    const head = eq > 0 ? word.slice(0, eq) : word;
    const def = lookup.byWord.get(head);
    if (def === undefined) {
      const refused = lookup.refused.get(head);
      if (refused !== undefined) throw new UsageError('NOT_APPLICABLE', `${head} does not apply to ${spec.name}: ${refused.why}`);
      if (looksLikeOption(word)) {
        const known = spec.options.flatMap((d) => [`-${d.name}`, ...d.long.map((l) => `--${l}`)]);
        throw new UsageError('UNKNOWN_OPTION', `unknown parameter '${head}'${didYouMean(head, known)}; '${spec.name} --help' lists the parameters`);
      }
      throw unexpectedArgument(spec, word, last, argv, i);
    }
    const earlier = given.get(def.name);
    if (earlier !== undefined) {
      const same = earlier.spelling === head ? '' : ` (as ${earlier.spelling} and ${head})`;
      throw new UsageError('REPEATED_OPTION', `${flagOf(def)} is given twice${same}: give it once`);
    }
    const inline = eq > 0 ? word.slice(eq + 1) : undefined;
    let value: GivenOption['value'];
    let next = i + 1;
    switch (def.kind) {
      case 'flag':
        if (inline !== undefined) throw new UsageError('FLAG_WITH_VALUE', `${head} takes no value (got '${word}'); write ${head} alone`);
        value = true;
        forYargs.push(word);
        break;
      case 'value': {
        let v = inline;
        if (v === undefined) {
          const w = argv[next];
          if (w === undefined) throw new UsageError('MISSING_VALUE', `${head} needs a value: ${valueHint(def)}`);
          if (isParameter(w, lookup)) {
            throw new UsageError('VALUE_IS_OPTION', `${head} needs a value (${valueHint(def)}) but is followed by the parameter ${w}; if '${w}' is meant as the value, write ${head}=${w}`);
          }
          v = w;
          next++;
        }
        const second = argv[next];
        if (def.takesSecondWord?.(v) === true && second !== undefined && !isParameter(second, lookup) && !looksLikeOption(second)) {
          v = `${v} ${second}`;
          next++;
        }
        value = v;
        forYargs.push(`${head}=${v}`);
        break;
      }
      case 'optional-value': {
        let v = inline;
        if (v === undefined) {
          const w = argv[next];
          if (w !== undefined && !isParameter(w, lookup)) {
            v = w;
            next++;
          }
        }
        value = v ?? '';
        forYargs.push(`${head}=${value}`);
        break;
      }
      case 'two-values': {
        const words = inline === undefined ? [argv[next], argv[next + 1]] : [inline, argv[next]];
        const missing = words.findIndex((w) => w === undefined || isParameter(w, lookup));
        if (missing === 1 && def.secondOptional === true) {
          value = [words[0]!, ''];
          next += inline === undefined ? 1 : 0;
          forYargs.push(head, words[0]!, '');
          break;
        }
        if (missing >= 0) {
          const w = words[missing];
          const why = w === undefined ? '' : ` (found the parameter ${w} instead)`;
          throw new UsageError('MISSING_VALUE', `${head} needs ${def.secondOptional === true ? 'a value' : 'two values'}: ${def.arg ?? 'VALUE VALUE'}${def.example === undefined ? '' : `, e.g. ${flagOf(def)} ${def.example}`}${why}`);
        }
        value = [words[0]!, words[1]!];
        next += inline === undefined ? 2 : 1;
        forYargs.push(head, words[0]!, words[1]!);
        break;
      }
    }
    const g: GivenOption = { def, value, position: i, spelling: head };
    given.set(def.name, g);
    last = g;
    i = next;
  }
  return { given, forYargs };
}

/** The values as yargs reads them from the checked words, by FlowTraq name. */
function readWithYargs(forYargs: readonly string[], spec: ToolSpec): Record<string, unknown> {
  const opts = spec.options;
  const result = Parser.detailed([...forYargs], {
    configuration: YARGS_CONFIGURATION,
    boolean: opts.filter((d) => d.kind === 'flag').map((d) => d.name),
    string: opts.filter((d) => d.kind !== 'flag').map((d) => d.name),
    narg: Object.fromEntries(opts.filter((d) => d.kind === 'two-values').map((d) => [d.name, 2])),
    alias: Object.fromEntries(opts.filter((d) => d.long.length > 0).map((d) => [d.name, [...d.long]])),
  });
  if (result.error !== null && result.error !== undefined) throw result.error;
  return result.argv as Record<string, unknown>;
}

function ruleViolation(rule: OptionRule, parsed: ParsedOptions): UsageError | null {
  switch (rule.kind) {
    case 'exclusive': {
      const present = rule.names.filter((n) => parsed.has(n));
      if (present.length < 2) return null;
      const list = present.map((n) => parsed.spelling(n));
      const both = list.length === 2 ? `${list[0]} and ${list[1]}` : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
      return new UsageError('CONFLICT', `${both} cannot be combined: ${rule.why}`);
    }
    case 'requires':
      if (!parsed.has(rule.name) || parsed.has(rule.needs)) return null;
      return new UsageError('MISPLACED', `${parsed.spelling(rule.name)} needs -${rule.needs} as well: ${rule.why}`);
    case 'before':
      if (!parsed.has(rule.first) || !parsed.has(rule.then) || parsed.position(rule.first) < parsed.position(rule.then)) return null;
      return new UsageError('MISPLACED', `${parsed.spelling(rule.first)} must come before ${parsed.spelling(rule.then)}: ${rule.why}`);
  }
}

/**
 * Parses `argv` (the words after the command) against `spec`. Throws UsageError for every mistake
 * in the words themselves and for broken rules between parameters (SHARED_RULES and the tool's);
 * values are checked by the readers (readTimeFrame, readSelection, ...). `--help` and `--version`
 * anywhere win over everything else.
 */
export function parseCommandLine(argv: readonly string[], spec: ToolSpec): ParsedOptions {
  if (argv.some((w) => HELP_WORDS.has(w))) return new ParsedOptions(new Map(), true, false);
  if (argv.some((w) => VERSION_WORDS.has(w))) return new ParsedOptions(new Map(), false, true);
  const lookup = lookupFor(spec);
  const { given, forYargs } = walk(argv, spec, lookup);
  const values = readWithYargs(forYargs, spec);
  const read = new Map<string, GivenOption>();
  for (const [name, g] of given) {
    const v = values[name];
    if (g.def.kind === 'flag') read.set(name, { ...g, value: true });
    else if (g.def.kind === 'two-values' && Array.isArray(v) && v.length === 2) read.set(name, { ...g, value: [String(v[0]), String(v[1])] });
    else if (typeof v === 'string') read.set(name, { ...g, value: v });
    else throw new Error(`yargs read ${flagOf(g.def)} as ${JSON.stringify(v)}, not as the checked value`);
  }
  const parsed = new ParsedOptions(read);
  const accepted = new Set(spec.options.map((d) => d.name));
  for (const rule of [...SHARED_RULES, ...(spec.rules ?? [])]) {
    // a rule binds only the parameters this tool takes; the others are refused before
    const applies =
      rule.kind === 'exclusive'
        ? rule.names.filter((n) => accepted.has(n)).length >= 2
        : [rule.kind === 'requires' ? rule.name : rule.first, rule.kind === 'requires' ? rule.needs : rule.then].every((n) => accepted.has(n));
    if (!applies) continue;
    const problem = ruleViolation(rule, parsed);
    if (problem !== null) throw problem;
  }
  return parsed;
}
