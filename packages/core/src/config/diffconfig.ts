// What a SIGHUP reload changes: the settings whose value differs, split into those that take effect
// and those that cannot change while the server runs (reported, and kept at their running value).

import type { ConfigProblem } from './configerror.js';
import type { ConfigPath, ConfigValue, ServerConfig } from './serverconfig.js';
import { CONFIG_SETTINGS, configValue, withConfigValues, type ConfigSetting } from './settings.js';
import { formatValue, sameValue } from './valuetype.js';

export interface ConfigChange {
  readonly setting: ConfigSetting;
  readonly before: ConfigValue;
  readonly after: ConfigValue;
}

export interface ConfigDiff {
  /** Changed settings that take effect now, in the order of the settings table. */
  readonly changed: readonly ConfigChange[];
  /** Changed settings that cannot change while running; `config` keeps their running value. */
  readonly kept: readonly ConfigChange[];
  /** The configuration to run with: the new one, except the kept settings at their running value. */
  readonly config: ServerConfig;
  /** One NOT_RELOADABLE warning per kept setting, for the log. */
  readonly warnings: readonly ConfigProblem[];
}

function shown(s: ConfigSetting, v: ConfigValue): string {
  return `'${formatValue(s.type, v)}'`;
}

/**
 * Compares the running configuration with a freshly read one. Lists of ports and addresses compare
 * as sets (their order changes no listener).
 */
export function diffConfig(running: ServerConfig, next: ServerConfig): ConfigDiff {
  const changed: ConfigChange[] = [];
  const kept: ConfigChange[] = [];
  const restore = new Map<ConfigPath, ConfigValue>();
  const warnings: ConfigProblem[] = [];
  for (const s of CONFIG_SETTINGS) {
    const before = configValue(running, s.path);
    const after = configValue(next, s.path);
    if (sameValue(s.type, before, after)) continue;
    const change = { setting: s, before, after };
    if (s.reloadable) {
      changed.push(change);
      continue;
    }
    kept.push(change);
    restore.set(s.path, before);
    warnings.push({
      code: 'NOT_RELOADABLE',
      file: undefined,
      line: undefined,
      flag: undefined,
      key: s.path,
      value: formatValue(s.type, after),
      message: `${s.path} cannot change while ftserver runs: keeping ${shown(s, before)}; restart ftserver to use ${shown(s, after)}`,
    });
  }
  return { changed, kept, config: restore.size === 0 ? next : withConfigValues(next, restore), warnings };
}
