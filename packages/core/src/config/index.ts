// Public door of ftserver's configuration: the settings table, the ftserver.conf parser, the
// command-line options, merging, reload differences and the generated docs/config.md.
export {
  CONFIG_SECTIONS,
  DEBUG_LEVELS,
  type ConfigOverrides,
  type ConfigPath,
  type ConfigSection,
  type ConfigValue,
  type ConfigValueAt,
  type DebugLevel,
  type NetflowConfig,
  type ServerConfig,
  type SessionTablesConfig,
  type SflowConfig,
  type StorageConfig,
  type TlsConfig,
  type UserdataConfig,
} from './serverconfig.js';
export { CONFIG_SETTINGS, configValue, defaultServerConfig, findConfigSetting, type ConfigSetting } from './settings.js';
export { describeValueType, MAX_SAMPLING_RATE, type ConfigValueType } from './valuetype.js';
export { CONFIG_PROBLEMS, ConfigError, type ConfigProblem, type ConfigProblemCode } from './configerror.js';
export { FLOWTRAQ_ONLY_KEYS, type FlowtraqOnlyKey } from './flowtraqkeys.js';
export { parseServerConfig, type ParsedServerConfig } from './parseserverconfig.js';
export { configFromFlags, DEFAULT_CONFIG_FILE, type ServerFlagOptions, type ServerFlags } from './configfromflags.js';
export { mergeConfig } from './mergeconfig.js';
export { diffConfig, type ConfigChange, type ConfigDiff } from './diffconfig.js';
export { formatServerConfig, type FormatConfigOptions } from './formatserverconfig.js';
export { renderConfigDoc } from './configdoc.js';
