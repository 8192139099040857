// ftserver's command line: `-c FILE` and one option per setting (`--netflowport 2055`), read by a
// small table-driven parser over the settings table so that a new setting is a new flag at once.

import { closestName } from './closestname.js';
import { ConfigError, configProblem, type ConfigProblem } from './configerror.js';
import { readSetting } from './readsetting.js';
import type { ConfigOverrides, ConfigValue } from './serverconfig.js';
import { CONFIG_SETTINGS, type ConfigSetting } from './settings.js';
import { parseValue } from './valuetype.js';

/** The file read when no `-c` is given. */
export const DEFAULT_CONFIG_FILE = './ftserver.conf';

export interface ServerFlags {
  /** The file named by `-c FILE` / `--config FILE`; undefined when none was given. */
  readonly configFile: string | undefined;
  /** The settings given on the command line; mergeConfig applies them over the file's. */
  readonly settings: ConfigOverrides;
  /** Arguments that are not options, in order (a subcommand and its operands), and all after `--`. */
  readonly positionals: readonly string[];
  /** The caller's own switches (ServerFlagOptions.switches) that were present. */
  readonly switches: ReadonlySet<string>;
}

export interface ServerFlagOptions {
  /** Options of the caller's that take no value, spelled as on the command line (`--help`, `-h`, `--yes`). */
  readonly switches?: readonly string[];
}

const BY_FLAG = new Map<string, ConfigSetting>(CONFIG_SETTINGS.map((s) => [s.flag, s]));
const LIST_KINDS: ReadonlySet<string> = new Set(['ports', 'addresses', 'rates', 'paths']);
const CONFIG_FLAGS = ['-c', '--config'];

/** A value option's argument must not look like an option (a forgotten value); `-` alone is a value. */
function looksLikeOption(arg: string | undefined): boolean {
  return arg !== undefined && arg.length > 1 && arg.startsWith('-');
}

/** The option a user probably meant by an unknown one: same key, dotted path, or a near spelling. */
function suggestFlag(name: string): string | undefined {
  const bare = name.replace(/^-+/, '').toLowerCase();
  const exact = CONFIG_SETTINGS.find((s) => s.key === bare || s.path === bare);
  if (exact !== undefined) return exact.flag;
  return closestName(`--${bare}`, [...BY_FLAG.keys(), ...CONFIG_FLAGS]);
}

/**
 * Reads the command line (without the node and script arguments). Value options take the next
 * argument or `--name=VALUE`; a list option may repeat (its values add up); a yes/no option alone
 * means yes, and takes `=VALUE`, a following yes/no word, or the `--no-NAME` form. Throws one
 * ConfigError with every problem: unknown options, missing values, invalid values.
 */
export function configFromFlags(argv: readonly string[], options: ServerFlagOptions = {}): ServerFlags {
  const switchSet = new Set(options.switches ?? []);
  // Problems keep the index of their argument, so that they are reported in command-line order.
  const problems: { at: number; problem: ConfigProblem }[] = [];
  const texts = new Map<ConfigSetting, { flag: string; text: string; at: number }>();
  const positionals: string[] = [];
  const switches = new Set<string>();
  let configFile: string | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (switchSet.has(arg)) {
      switches.add(arg);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const place = { flag: name };

    if (CONFIG_FLAGS.includes(name)) {
      const next = argv[i + 1];
      if (inline !== undefined) configFile = inline;
      else if (next !== undefined && !looksLikeOption(next)) configFile = argv[++i];
      else problems.push({ at: i, problem: configProblem('MISSING_VALUE', place, 'config', `${name} needs the configuration file's path`) });
      continue;
    }

    let setting = BY_FLAG.get(name);
    let text = inline;
    if (setting === undefined && name.startsWith('--no-')) {
      const positive = BY_FLAG.get(`--${name.slice(5)}`);
      if (positive?.type.kind === 'bool') {
        if (inline !== undefined) {
          problems.push({ at: i, problem: configProblem('BAD_VALUE', place, positive.path, `${name} takes no value (it means ${positive.flag}=no)`, inline) });
          continue;
        }
        setting = positive;
        text = 'no';
      }
    }
    if (setting === undefined) {
      const near = suggestFlag(name);
      problems.push({ at: i, problem: configProblem('UNKNOWN_FLAG', place, name, `unknown option${near === undefined ? '' : ` (did you mean ${near}?)`}`) });
      continue;
    }
    if (text === undefined) {
      const next = argv[i + 1];
      if (setting.type.kind === 'bool') {
        text = next !== undefined && parseValue(setting.type, next).ok ? argv[++i]! : 'yes';
      } else if (next === undefined || looksLikeOption(next)) {
        problems.push({
          at: i,
          problem: configProblem('MISSING_VALUE', place, setting.path, `${name} needs a value: ${name} VALUE, or ${name}=VALUE for a value that starts with -`),
        });
        continue;
      } else {
        text = argv[++i]!;
      }
    }
    const previous = texts.get(setting);
    const joined = previous !== undefined && LIST_KINDS.has(setting.type.kind) ? `${previous.text} ${text}` : text;
    texts.set(setting, { flag: name, text: joined, at: i });
  }

  const settings: Record<string, unknown> = {};
  for (const [setting, { flag, text, at }] of texts) {
    const parsed = readSetting(setting, text.trim());
    if (!parsed.ok) {
      problems.push({ at, problem: configProblem(parsed.code, { flag }, setting.path, parsed.detail, text) });
      continue;
    }
    const holder = setting.section === undefined ? settings : ((settings[setting.section] ??= {}) as Record<string, unknown>);
    holder[setting.key] = parsed.value as ConfigValue;
  }
  if (problems.length > 0) throw new ConfigError(problems.sort((a, b) => a.at - b.at).map((p) => p.problem));
  return { configFile, settings: settings as ConfigOverrides, positionals, switches };
}
