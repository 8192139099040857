// Writes a configuration back as ftserver.conf text, sections in the documented order, so that
// parseServerConfig reads the same configuration again (used for the documented default file).

import type { ServerConfig } from './serverconfig.js';
import { CONFIG_SETTINGS, configValue, type ConfigSetting } from './settings.js';
import { formatValue } from './valuetype.js';

export interface FormatConfigOptions {
  /** Put each setting's documentation above it as a comment. */
  readonly comments?: boolean;
}

/** A path that the file would misread bare (spaces at its ends, `#` starting a comment) is quoted. */
function fileText(s: ConfigSetting, config: ServerConfig): string {
  const text = formatValue(s.type, configValue(config, s.path));
  const needsQuotes = (s.type.kind === 'path' || s.type.kind === 'paths') && (text !== text.trim() || /(^|\s)#/.test(text));
  return needsQuotes ? `"${text}"` : text;
}

function commentText(s: ConfigSetting): string {
  const plain = s.doc.replace(/`/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
  return s.empty === undefined ? plain : `${plain} Empty: ${s.empty}.`;
}

/** The configuration as file text: top-level settings, then each section; every setting written. */
export function formatServerConfig(config: ServerConfig, options: FormatConfigOptions = {}): string {
  const out: string[] = [];
  let section: string | undefined;
  for (const s of CONFIG_SETTINGS) {
    if (s.section !== section) {
      if (section !== undefined) out.push(`</${section}>`);
      section = s.section;
      if (section !== undefined) out.push(`<${section}>`);
    }
    if (options.comments === true) out.push(`# ${commentText(s)}`);
    const text = fileText(s, config);
    out.push(text === '' ? s.key : `${s.key} ${text}`);
  }
  if (section !== undefined) out.push(`</${section}>`);
  return out.join('\n') + '\n';
}
