// Turns the text given for one setting (a file line's value or an option's argument) into its value:
// the one place where "empty" is interpreted, so the file and the command line agree.

import { copyValue, type ConfigSetting } from './settings.js';
import { emptyValue, parseValue, type ParsedValue } from './valuetype.js';

/**
 * An empty text gives the setting's empty value where emptiness is a choice (no listener, bundled
 * data), else its default; anything else is parsed by the setting's type.
 */
export function readSetting(setting: ConfigSetting, text: string): ParsedValue {
  if (text !== '') return parseValue(setting.type, text);
  if (setting.empty !== undefined) return { ok: true, value: emptyValue(setting.type) };
  return { ok: true, value: copyValue(setting.default) };
}
