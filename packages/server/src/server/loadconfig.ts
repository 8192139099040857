// The configuration ftserver runs with: the file (`-c FILE`, else ./ftserver.conf when it exists,
// else the defaults) with the command-line settings over it. Read at start and again on SIGHUP.

import fs from 'node:fs';
import { DEFAULT_CONFIG_FILE, defaultServerConfig, mergeConfig, parseServerConfig, type ConfigProblem, type ServerConfig, type ServerFlags } from '@opentraq/core';

export interface LoadedConfig {
  readonly config: ServerConfig;
  /** The file read, or null when the defaults were used. */
  readonly file: string | null;
  readonly warnings: readonly ConfigProblem[];
}

export class ConfigFileError extends Error {
  readonly code = 'CONFIG_FILE';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

/** Throws ConfigError (bad values, with line numbers) or ConfigFileError (a named file that cannot be read). */
export function loadConfig(flags: ServerFlags): LoadedConfig {
  const named = flags.configFile;
  const file = named ?? DEFAULT_CONFIG_FILE;
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (named !== undefined || code !== 'ENOENT') {
      throw new ConfigFileError(`cannot read the configuration file ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  const parsed = text === null ? { config: defaultServerConfig(), warnings: [] } : parseServerConfig(text, file);
  return { config: mergeConfig(parsed.config, flags), file: text === null ? null : file, warnings: parsed.warnings };
}
