// Applies command-line settings over the file's: the flags win, each value is checked again (so
// overrides built in code are held to the file's rules), and conflicts they create are reported.

import { checkConsistency, type SettingOrigin } from './checkconsistency.js';
import { ConfigError, configProblem, type ConfigProblem } from './configerror.js';
import { readSetting } from './readsetting.js';
import type { ConfigOverrides, ConfigPath, ConfigValue, ServerConfig } from './serverconfig.js';
import { CONFIG_SETTINGS, withConfigValues } from './settings.js';
import { formatValue } from './valuetype.js';

/**
 * `config` with the settings of `flags` (configFromFlags' result, or any `{ settings }`) replacing
 * its own. Throws a ConfigError, naming the options, for a value a setting does not accept and for a
 * port or TLS conflict between a given setting and the rest.
 */
export function mergeConfig(config: ServerConfig, flags: { readonly settings: ConfigOverrides }): ServerConfig {
  const values = new Map<ConfigPath, ConfigValue>();
  const origins = new Map<ConfigPath, SettingOrigin>();
  const problems: ConfigProblem[] = [];
  const invalid = new Set<ConfigPath>();
  const given = flags.settings as Record<string, unknown>;
  for (const s of CONFIG_SETTINGS) {
    const holder = s.section === undefined ? given : (given[s.section] as Record<string, unknown> | undefined);
    const v = holder?.[s.key];
    if (v === undefined) continue;
    const text = formatValue(s.type, v);
    const place = { flag: s.flag };
    const parsed = readSetting(s, text);
    if (parsed.ok) {
      values.set(s.path, parsed.value as ConfigValue);
      origins.set(s.path, { place, text });
    } else {
      problems.push(configProblem(parsed.code, place, s.path, parsed.detail, text));
      invalid.add(s.path);
    }
  }
  const merged = withConfigValues(config, values);
  problems.push(...checkConsistency(merged, new Set(values.keys()), invalid, (p) => origins.get(p)));
  if (problems.length > 0) throw new ConfigError(problems);
  return merged;
}
