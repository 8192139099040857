// The parameters every tool and detector shares (cli.md "Parameters shared by every tool"): one
// definition each, picked by name into a tool's spec, so that -tn means the same everywhere.

import { DEFAULT_REL_TIME } from '@opentraq/core';
import type { OptionDef } from './optiondef.js';
import { EXPORT_FORMAT_NAMES } from './exportformat.js';

export const DEFAULT_SERVER = 'localhost';
export const DEFAULT_PORT = 9640;

const DEFS = [
  {
    name: 's',
    long: ['server'],
    kind: 'value',
    arg: 'SERVER',
    example: 'flows.example.net',
    group: 'Connection',
    help: 'address or hostname of the ftserver; IPv6 in brackets ([fed9::1]); https://HOST for a server with TLS',
    env: 'FLOWTRAQ_SERVER',
    defaultText: DEFAULT_SERVER,
  },
  { name: 'p', long: ['port'], kind: 'value', arg: 'PORT', example: '9640', group: 'Connection', help: 'port of the server\'s API', env: 'FLOWTRAQ_PORT', defaultText: String(DEFAULT_PORT) },
  { name: 'un', long: ['user', 'username'], kind: 'value', arg: 'USER', example: 'admin', group: 'Login', help: 'user name; required unless -us KEY is given', env: 'FLOWTRAQ_USERNAME' },
  {
    name: 'up',
    long: ['password'],
    kind: 'value',
    arg: 'PASS',
    example: 's3cret',
    group: 'Login',
    help: 'password; when absent it is asked for on the terminal (without echo)',
    env: 'FLOWTRAQ_PASSWORD',
    secret: true,
  },
  {
    name: 'us',
    long: ['session-key'],
    kind: 'optional-value',
    arg: 'KEY',
    group: 'Login',
    help: 'without KEY: after logging in, print a session key on stderr; with KEY: log in with that session key',
    secret: true,
  },
  { name: 'te', long: ['start'], kind: 'value', arg: 'TIME', example: "'10/15/2012 16:20:00'", group: 'Time frame', help: 'absolute start, MM/DD/YY[YY] hh:mm:ss[.microsec] local time; needs -tl' },
  { name: 'tl', long: ['end'], kind: 'value', arg: 'TIME', example: "'10/15/2012 17:20:00'", group: 'Time frame', help: 'absolute end; needs -te' },
  {
    name: 'tn',
    long: ['last'],
    kind: 'value',
    arg: 'RELTIME',
    example: '1h30m',
    group: 'Time frame',
    help: 'the frame ending now: <n><unit>... with units s m h d w M(onths) y, e.g. 1h30m; excludes -te/-tl',
    defaultText: DEFAULT_REL_TIME,
  },
  { name: 'e', long: ['exporter'], kind: 'value', arg: 'IP', example: '192.0.2.1', group: 'Filtering', help: 'only sessions reported by the exporter with this address; comes before -ei/-ef' },
  { name: 'ei', long: ['interface'], kind: 'value', arg: 'INDEX', example: '3', group: 'Filtering', help: 'only sessions seen on this interface index of that exporter (in or out); needs -e' },
  { name: 'ef', long: ['export-format'], kind: 'value', arg: 'VERSION', example: 'nf9', group: 'Filtering', help: `only sessions from this export format: ${EXPORT_FORMAT_NAMES.join(' ')}` },
  { name: 'q', long: ['filter', 'query'], kind: 'value', arg: 'FILTER', example: '"SRVPORT=80 && PROTO=TCP"', group: 'Filtering', help: 'a filter string (docs/filter.md), quoted as one shell word' },
  { name: 'snd', long: ['sent'], kind: 'flag', group: 'Filtering', help: 'rankings count only what each entity sent (sessions: initiated); excludes -rcv' },
  { name: 'rcv', long: ['received'], kind: 'flag', group: 'Filtering', help: 'rankings count only what each entity received (sessions: accepted); excludes -snd' },
  { name: 'r', long: ['rows'], kind: 'value', arg: 'NUM', example: '25', group: 'Output', help: 'rows to print', defaultText: '128' },
  { name: 'c', long: ['csv'], kind: 'flag', group: 'Output', help: 'CSV without a header row (exact numbers)' },
  { name: 'C', long: ['csv-header'], kind: 'flag', group: 'Output', help: 'CSV with a header row, then summary lines starting with #' },
  { name: 'j', long: ['json'], kind: 'flag', group: 'Output', help: 'JSON' },
  { name: 'v', long: ['progress'], kind: 'flag', group: 'Output', help: 'progress on stderr: a spinner showing how far the query is, and a closing line' },
  { name: 'w', long: ['slices'], kind: 'value', arg: 'NUM', example: '24', group: 'Output', help: 'also break every row into NUM equal time slices of the frame (a time series)' },
  { name: 'g', long: ['chart'], kind: 'value', arg: 'FILE', example: 'top.png', group: 'Chart', help: 'also write a stacked chart of the top rows over time (.png, .tga or .svg)' },
  { name: 'gx', long: ['chart-width'], kind: 'value', arg: 'X', example: '1200', group: 'Chart', help: 'chart width in pixels; only with -g', defaultText: '800' },
  { name: 'gy', long: ['chart-height'], kind: 'value', arg: 'Y', example: '500', group: 'Chart', help: 'chart height in pixels; only with -g', defaultText: '400' },
] as const satisfies readonly OptionDef[];

export type SharedOptionName = (typeof DEFS)[number]['name'];

export const SHARED_OPTIONS: ReadonlyMap<SharedOptionName, OptionDef> = new Map(DEFS.map((d) => [d.name, d as OptionDef]));

/** The shared parameters `names`, in that order, for a tool's spec. */
export function sharedOptions(...names: SharedOptionName[]): OptionDef[] {
  return names.map((n) => SHARED_OPTIONS.get(n)!);
}

/** Connection and login: what every tool that talks to a server takes. */
export const CONNECTION_OPTIONS: readonly SharedOptionName[] = ['s', 'p', 'un', 'up', 'us'];
/** Time frame and session selection: what every data-retrieval tool takes. */
export const SELECTION_OPTIONS: readonly SharedOptionName[] = ['te', 'tl', 'tn', 'e', 'ei', 'ef', 'q'];
