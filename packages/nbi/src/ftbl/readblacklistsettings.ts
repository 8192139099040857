// ftbl's own parameters: -bl, the list (a file or an http(s) URL), and -br, how often it is reloaded
// (hours, decimals allowed) — read and checked before anything is loaded or sent.

import path from 'node:path';
import { UsageError, type OptionDef, type ParsedOptions } from '@opentraq/cli';
import { readDecimal } from '../params/readdecimal.js';
import { BLOCKED_PORT_REASON, isBlockedPort, urlPort } from './blockedport.js';
import { displayUrl, type ListSource } from './listsource.js';

export const DEFAULT_RELOAD_HOURS = 24;
const MIN_RELOAD_HOURS = 0.01;
const MAX_RELOAD_HOURS = 8760;

export const LIST_OPTION: OptionDef = {
  name: 'bl',
  long: ['blacklist'],
  kind: 'value',
  arg: 'FILE|URL',
  example: '/etc/opentraq/blacklist.txt',
  group: 'Detector',
  help: 'the list: one IPv4/IPv6 address, CIDR block or hostname a line, # comments; a file, or an http:// or https:// URL',
};

export const RELOAD_OPTION: OptionDef = {
  name: 'br',
  long: ['reload'],
  kind: 'value',
  arg: 'HOURS',
  example: '0.5',
  group: 'Detector',
  help: `how often the list is read (or downloaded) again and its hostnames resolved again, in hours (${MIN_RELOAD_HOURS}–${MAX_RELOAD_HOURS})`,
  defaultText: String(DEFAULT_RELOAD_HOURS),
};

export interface BlacklistSettings {
  readonly source: ListSource;
  readonly reloadMs: number;
}

function readSource(parsed: ParsedOptions): ListSource {
  const text = parsed.value('bl');
  const flag = parsed.spelling('bl');
  if (text === undefined) {
    throw new UsageError('MISSING_OPTION', 'ftbl needs its list: -bl FILE or -bl URL (one address, CIDR block or hostname a line), e.g. -bl /etc/opentraq/blacklist.txt');
  }
  if (text.trim() === '') throw new UsageError('BAD_VALUE', `${flag} is empty: give the list's file or its http(s) URL`);
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError('BAD_VALUE', `${flag} '${text}' is not a valid URL (e.g. https://lists.example.net/drop.txt)`);
    }
    const display = displayUrl(url);
    const port = urlPort(url);
    if (isBlockedPort(port)) {
      throw new UsageError('BAD_VALUE', `${flag} '${display}': the list cannot be downloaded from port ${port}: ${BLOCKED_PORT_REASON}; serve it on another port, e.g. 8080`);
    }
    return { kind: 'url', url, display };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme !== undefined) throw new UsageError('BAD_VALUE', `${flag} '${text}': ${scheme}:// is not supported; give a file, or an http:// or https:// URL`);
  return { kind: 'file', path: path.resolve(text), display: text };
}

export function readBlacklistSettings(parsed: ParsedOptions): BlacklistSettings {
  const source = readSource(parsed);
  const hours = readDecimal(parsed, 'br', { min: MIN_RELOAD_HOURS, max: MAX_RELOAD_HOURS }, 'a reload interval in hours') ?? DEFAULT_RELOAD_HOURS;
  return { source, reloadMs: Math.round(hours * 3_600_000) };
}
