// Where alerts go, read and checked before any connection: stdout (text or -j JSON), the syslog
// host and its port, transport, facility and level, the appended text, and the server (-nr).

import { UsageError, didYouMean, type ParsedOptions } from '@opentraq/cli';
import { parseIp } from '@opentraq/core';
import { FACILITIES, SEVERITIES, type FacilityName, type SeverityName } from '../output/syslogmessage.js';
import type { SyslogTarget } from '../output/syslogsender.js';
import { DEFAULT_SYSLOG_PORT } from './detectoroptions.js';

export interface OutputSettings {
  readonly stdout: boolean;
  readonly json: boolean;
  readonly syslog: (SyslogTarget & { readonly facility: FacilityName; readonly append: string | undefined }) | null;
  readonly severity: SeverityName;
  /** Record alerts in the server (not -nr). */
  readonly record: boolean;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function readLogHost(parsed: ParsedOptions): string {
  const text = parsed.value('lh')!;
  const flag = parsed.spelling('lh');
  const inner = /^\[(.*)\]$/.exec(text)?.[1];
  if (inner !== undefined) {
    if (!inner.includes(':') || parseIp(inner) === null) throw new UsageError('BAD_VALUE', `${flag} '${text}': '${inner}' in brackets is not an IPv6 address`);
    return inner;
  }
  if (text.includes(':')) {
    if (parseIp(text) !== null) return text;
    const m = /^([^:]+):(\d+)$/.exec(text);
    if (m !== null) throw new UsageError('BAD_VALUE', `${flag} '${text}': give the port with -lp (e.g. -lh ${m[1]} -lp ${m[2]})`);
    throw new UsageError('BAD_VALUE', `${flag} '${text}' is not an IPv6 address (e.g. fed9::1 or [fed9::1])`);
  }
  if (/^[\d.]+$/.test(text) ? parseIp(text) === null : !HOSTNAME.test(text)) {
    throw new UsageError('BAD_VALUE', `${flag} '${text}' is not a hostname or address (e.g. siem.example.net, 192.0.2.10, [fed9::1])`);
  }
  return text;
}

function readPort(parsed: ParsedOptions): number {
  const text = parsed.value('lp');
  if (text === undefined) return DEFAULT_SYSLOG_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling('lp')} '${text}' is not a port: give a whole number from 1 to 65535 (syslog's default is ${DEFAULT_SYSLOG_PORT})`);
  }
  return Number(text);
}

function oneOf<T extends string>(parsed: ParsedOptions, name: string, values: readonly T[], fallback: T, what: string): T {
  const text = parsed.value(name);
  if (text === undefined) return fallback;
  const upper = text.trim().toUpperCase();
  const hit = values.find((v) => v.toUpperCase() === upper);
  if (hit !== undefined) return hit;
  throw new UsageError('BAD_VALUE', `${parsed.spelling(name)} '${text}' is not ${what}${didYouMean(upper, values.map((v) => v.toUpperCase()))}: use one of ${values.join(' ')}`);
}

function readAppend(parsed: ParsedOptions): string | undefined {
  const text = parsed.value('lu');
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError('BAD_VALUE', `${parsed.spelling('lu')} is empty: give the text to append to each syslog message, e.g. -lu "site=ams1"`);
  // C0 control characters and DEL: a line break would split the message in a log file
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new UsageError('BAD_VALUE', `${parsed.spelling('lu')}: the text has a line break or another control character; give one line of text`);
  return text;
}

export function readOutputSettings(parsed: ParsedOptions): OutputSettings {
  const severity = oneOf(parsed, 'll', SEVERITIES, 'NOTICE', 'a syslog level');
  const json = parsed.flag('j');
  if (!parsed.has('lh')) return { stdout: true, json, syslog: null, severity, record: !parsed.flag('nr') };
  const stdout = parsed.flag('ls');
  if (json && !stdout) {
    throw new UsageError('MISPLACED', `${parsed.spelling('j')} formats the alerts on stdout, and with -lh they go to stdout only with -ls as well: add -ls, or leave out ${parsed.spelling('j')}`);
  }
  return {
    stdout,
    json,
    syslog: {
      host: readLogHost(parsed),
      port: readPort(parsed),
      transport: oneOf(parsed, 'lt', ['udp', 'tcp'] as const, 'udp', 'a syslog transport'),
      facility: oneOf(parsed, 'lf', FACILITIES, 'LOCAL0', 'a syslog facility'),
      append: readAppend(parsed),
    },
    severity,
    record: !parsed.flag('nr'),
  };
}
