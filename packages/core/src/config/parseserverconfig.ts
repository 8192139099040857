// Reads ftserver.conf (or a FlowTraq flowtraq.conf as it is): `key value` lines, `#` comments and
// `<section>` … `</section>` blocks. Every problem of the file is found in one pass and reported together.

import { checkConsistency, type SettingOrigin } from './checkconsistency.js';
import { closestName } from './closestname.js';
import { ConfigError, configProblem, type ConfigProblem, type ConfigProblemCode } from './configerror.js';
import { FLOWTRAQ_ONLY_SECTIONS, findFlowtraqOnlyKey } from './flowtraqkeys.js';
import { readSetting } from './readsetting.js';
import { CONFIG_SECTIONS, type ConfigPath, type ConfigValue, type ServerConfig } from './serverconfig.js';
import { CONFIG_SETTINGS, defaultServerConfig, findConfigSetting, withConfigValues } from './settings.js';

export interface ParsedServerConfig {
  /** Every setting: the file's values over the defaults. */
  readonly config: ServerConfig;
  /** Lines that had no effect or were overridden, for the log. */
  readonly warnings: readonly ConfigProblem[];
}

const OUR_SECTIONS: ReadonlySet<string> = new Set(CONFIG_SECTIONS);
const SECTION_TAG = /^<(\/?)([a-z][a-z0-9_-]*)>$/i;

/** The line without its comment: `#` at the start or after white space, outside double quotes. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** A value in double quotes loses them (keeping inner spaces and `#`); null when the quotes are unbalanced. */
function unquote(value: string): string | null {
  if (!value.startsWith('"')) return value;
  if (value.length < 2 || !value.endsWith('"') || value.slice(1, -1).includes('"')) return null;
  return value.slice(1, -1);
}

function tag(section: string): string {
  return `<${section}> … </${section}>`;
}

/** Settings named `key` in any section, for "belongs in" messages. */
function homesOf(key: string): string[] {
  return CONFIG_SETTINGS.filter((s) => s.key === key).map((s) => (s.section === undefined ? 'outside any section' : `in ${tag(s.section)}`));
}

interface OpenSection {
  readonly name: string;
  readonly line: number;
}

/**
 * Parses the text of a configuration file; `file` names it in messages. Returns the configuration
 * and the warnings; throws one ConfigError carrying every error of the file (and its warnings).
 */
export function parseServerConfig(text: string, file: string): ParsedServerConfig {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const values = new Map<ConfigPath, ConfigValue>();
  const origins = new Map<ConfigPath, SettingOrigin>();
  const invalid = new Set<ConfigPath>();
  const open: OpenSection[] = [];

  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const place = { file, line: i + 1 };
    const raw = i === 0 ? lines[i]!.replace(/^\uFEFF/, '') : lines[i]!;
    const body = stripComment(raw).trim();
    if (body === '') continue;
    const err = (code: ConfigProblemCode, key: string, detail: string, value?: string): void => {
      errors.push(configProblem(code, place, key, detail, value));
    };
    const warn = (code: ConfigProblemCode, key: string, detail: string): void => {
      warnings.push(configProblem(code, place, key, detail));
    };

    if (body.startsWith('<')) {
      const m = SECTION_TAG.exec(body);
      if (m === null) {
        err('BAD_SECTION_TAG', body, `'${body}' is not a section tag: expected <name> or </name> alone on the line`);
        continue;
      }
      const name = m[2]!.toLowerCase();
      const top = open[open.length - 1];
      if (m[1] === '') {
        if (top !== undefined) {
          err('NESTED_SECTION', `<${name}>`, `<${name}> opened inside <${top.name}> (line ${top.line}); close </${top.name}> first: sections do not nest`);
        }
        if (!OUR_SECTIONS.has(name) && !FLOWTRAQ_ONLY_SECTIONS.includes(name)) {
          const near = closestName(name, CONFIG_SECTIONS);
          warn('UNKNOWN_SECTION', `<${name}>`, `unknown section <${name}>${near === undefined ? '' : ` (did you mean <${near}>?)`}; its keys are ignored`);
        }
        open.push({ name, line: place.line });
      } else if (top === undefined) {
        err('UNEXPECTED_CLOSE', `</${name}>`, `</${name}> closes no open section`);
      } else if (top.name !== name) {
        const at = open.findIndex((o) => o.name === name);
        err('MISMATCHED_SECTION', `</${name}>`, `</${name}> does not close <${top.name}> (line ${top.line})`);
        // Closing an outer section closes the inner ones too; an unknown name most likely means the open one.
        open.length = at >= 0 ? at : open.length - 1;
      } else {
        open.pop();
      }
      continue;
    }

    const m = /^(\S+)\s*(.*)$/.exec(body)!;
    const key = m[1]!.toLowerCase();
    const written = m[2]!;
    const section = open[open.length - 1]?.name;
    const path = section === undefined ? key : `${section}.${key}`;
    const eq = key.indexOf('=');
    if (eq > 0 && homesOf(key.slice(0, eq)).length > 0) {
      const name = key.slice(0, eq);
      err('BAD_SYNTAX', section === undefined ? name : `${section}.${name}`, `write '${name} VALUE' (key, space, value), not '${m[1]!}'`);
      continue;
    }
    const setting = findConfigSetting(path);
    if (setting === undefined) {
      const homes = homesOf(key);
      const ourScope = section === undefined || OUR_SECTIONS.has(section);
      if (homes.length > 0 && ourScope) {
        err('WRONG_SECTION', path, `${key} belongs ${homes.join(' or ')}, not ${section === undefined ? 'outside any section' : `in <${section}>`}`);
        continue;
      }
      const flowtraq = findFlowtraqOnlyKey(path);
      if (flowtraq !== undefined) {
        warn('FLOWTRAQ_KEY', path, `${path} is a FlowTraq setting that opentraq does not use (${flowtraq.why}); ignored`);
        continue;
      }
      let hint = '';
      if (homes.length > 0) hint = ` (${key} belongs ${homes.join(' or ')})`;
      else if (ourScope) {
        const near = closestName(key, CONFIG_SETTINGS.filter((s) => s.section === section).map((s) => s.key));
        if (near !== undefined) hint = ` (did you mean ${near}?)`;
      }
      warn('UNKNOWN_KEY', path, `unknown setting ${path}${hint}; ignored`);
      continue;
    }

    const before = origins.get(setting.path);
    if (before !== undefined && 'line' in before.place) {
      warn('DUPLICATE_KEY', setting.path, `${setting.path} is set again (first on line ${before.place.line}); the value on this line is used`);
    }
    origins.set(setting.path, { place, text: written });
    const value = unquote(written);
    if (value === null) {
      err('BAD_SYNTAX', setting.path, 'a value that starts with a double quote must end with one, with no other double quote inside', written);
      invalid.add(setting.path);
      continue;
    }
    const parsed = readSetting(setting, value);
    if (parsed.ok) {
      values.set(setting.path, parsed.value as ConfigValue);
      invalid.delete(setting.path);
    } else {
      err(parsed.code, setting.path, parsed.detail, written);
      values.delete(setting.path);
      invalid.add(setting.path);
    }
  }
  for (const o of open) {
    errors.push(configProblem('UNCLOSED_SECTION', { file, line: o.line }, `<${o.name}>`, `<${o.name}> is never closed: add </${o.name}>`));
  }

  const config = withConfigValues(defaultServerConfig(), values);
  errors.push(...checkConsistency(config, new Set(values.keys()), invalid, (p) => origins.get(p)));
  if (errors.length > 0) {
    errors.sort((a, b) => a.line! - b.line!);
    throw new ConfigError(errors, warnings);
  }
  return { config, warnings };
}
