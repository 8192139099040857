// The kinds of value a setting can hold, and for each how it is read from text, written back,
// described to a user who got it wrong, and compared at reload. The file and the flags share these.

import { isIP } from 'node:net';
import { formatIp, parseIp } from '../fields/ipcodec.js';

/** Longest duration any setting accepts: ten years, as the session tracker does. */
export const MAX_SECONDS = 10 * 365 * 86400;
/** Largest per-exporter sampling rate: sampling intervals are 32-bit on the wire. */
export const MAX_SAMPLING_RATE = 0xffffffff;

export interface IntType {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}
export interface SecondsType {
  readonly kind: 'seconds';
  readonly min: number;
  readonly max: number;
}
export interface PortType {
  readonly kind: 'port';
}
export interface PortListType {
  readonly kind: 'ports';
  readonly proto: 'udp' | 'tcp';
  /** Most ports in the list. */
  readonly max: number;
}
export interface BoolType {
  readonly kind: 'bool';
}
export interface EnumType {
  readonly kind: 'enum';
  readonly values: readonly string[];
}
export interface PathType {
  readonly kind: 'path';
}
/** Several paths separated by spaces (ip2cfile); kept as one string. */
export interface PathListType {
  readonly kind: 'paths';
}
export interface AddressListType {
  readonly kind: 'addresses';
  readonly max: number;
}
/** `address=rate` pairs (per-exporter sampling rates). */
export interface RateMapType {
  readonly kind: 'rates';
}

export type ConfigValueType =
  | IntType
  | SecondsType
  | PortType
  | PortListType
  | BoolType
  | EnumType
  | PathType
  | PathListType
  | AddressListType
  | RateMapType;

/** Which value types can describe a value of TypeScript type V (keeps the settings table honest). */
export type ValueTypeFor<V> = V extends number
  ? IntType | SecondsType | PortType
  : V extends boolean
    ? BoolType
    : V extends string
      ? string extends V
        ? PathType | PathListType
        : EnumType
      : V extends readonly number[]
        ? PortListType
        : V extends readonly string[]
          ? AddressListType
          : V extends ReadonlyMap<string, number>
            ? RateMapType
            : never;

export type ValueProblemCode = 'BAD_VALUE' | 'OUT_OF_RANGE' | 'TOO_MANY_VALUES' | 'DUPLICATE_VALUE';

export type ParsedValue =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: ValueProblemCode; readonly detail: string };

const PATH_CHARS = 'a path cannot contain control characters or double quotes';

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1']);
const FALSE_WORDS = new Set(['no', 'false', 'off', '0']);

/** What a valid value looks like, completing "expected …". */
export function describeValueType(t: ConfigValueType): string {
  switch (t.kind) {
    case 'int':
      return t.max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${t.min}` : `a whole number from ${t.min} to ${t.max}`;
    case 'seconds':
      return t.max === MAX_SECONDS ? `a whole number of seconds ≥ ${t.min}` : `a whole number of seconds from ${t.min} to ${t.max}`;
    case 'port':
      return 'a port number from 1 to 65535';
    case 'ports':
      return `up to ${t.max} ${t.proto.toUpperCase()} port numbers (1 to 65535) separated by spaces`;
    case 'bool':
      return 'yes or no';
    case 'enum':
      return `one of ${t.values.join(' ')}`;
    case 'path':
      return 'a path';
    case 'paths':
      return 'paths separated by spaces';
    case 'addresses':
      return t.max === 1 ? "an IPv4 or IPv6 address" : `up to ${t.max} IPv4 or IPv6 addresses separated by spaces`;
    case 'rates':
      return `exporter=rate pairs separated by spaces (192.0.2.1=100 2001:db8::1=1000), each rate a whole number from 1 to ${MAX_SAMPLING_RATE}`;
  }
}

function fail(code: ValueProblemCode, detail: string): ParsedValue {
  return { ok: false, code, detail };
}

function items(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

function parseRange(text: string, min: number, max: number, expected: string): ParsedValue {
  const n = wholeNumber(text);
  if (n === null) return fail('BAD_VALUE', `expected ${expected}`);
  if (n < min || n > max) return fail('OUT_OF_RANGE', `expected ${expected}`);
  return { ok: true, value: n };
}

function parsePorts(t: PortListType, text: string): ParsedValue {
  const list = items(text);
  const ports: number[] = [];
  for (const item of list) {
    const n = wholeNumber(item);
    if (n === null) return fail('BAD_VALUE', `'${item}' is not a port number; expected ${describeValueType(t)}`);
    if (n < 1 || n > 65535) return fail('OUT_OF_RANGE', `port ${item} is out of range; expected ${describeValueType(t)}`);
    if (ports.includes(n)) return fail('DUPLICATE_VALUE', `port ${n} is listed twice`);
    ports.push(n);
  }
  if (ports.length > t.max) return fail('TOO_MANY_VALUES', `${ports.length} ports given, at most ${t.max} are allowed`);
  return { ok: true, value: ports };
}

function parseAddresses(t: AddressListType, text: string): ParsedValue {
  const out: string[] = [];
  for (const item of items(text)) {
    const bare = item.startsWith('[') && item.endsWith(']') ? item.slice(1, -1) : item;
    if (isIP(bare) === 0) return fail('BAD_VALUE', `'${item}' is not an IPv4 or IPv6 address; expected ${describeValueType(t)}`);
    if (out.includes(bare)) return fail('DUPLICATE_VALUE', `address ${bare} is listed twice`);
    out.push(bare);
  }
  if (out.length > t.max) return fail('TOO_MANY_VALUES', `${out.length} addresses given, at most ${t.max} are allowed`);
  return { ok: true, value: out };
}

function parseRates(text: string): ParsedValue {
  const out = new Map<string, number>();
  for (const item of items(text)) {
    const eq = item.lastIndexOf('=');
    if (eq < 0) return fail('BAD_VALUE', `'${item}' is not exporter=rate; expected ${describeValueType({ kind: 'rates' })}`);
    const words = parseIp(item.slice(0, eq));
    if (words === null) return fail('BAD_VALUE', `'${item.slice(0, eq)}' is not an IPv4 or IPv6 address; expected ${describeValueType({ kind: 'rates' })}`);
    const exporter = formatIp(...words);
    const rate = wholeNumber(item.slice(eq + 1));
    if (rate === null || rate < 1 || rate > MAX_SAMPLING_RATE) {
      return fail(rate === null ? 'BAD_VALUE' : 'OUT_OF_RANGE', `the rate in '${item}' must be a whole number from 1 to ${MAX_SAMPLING_RATE}`);
    }
    if (out.has(exporter)) return fail('DUPLICATE_VALUE', `exporter ${exporter} is listed twice`);
    out.set(exporter, rate);
  }
  return { ok: true, value: out };
}

/**
 * Reads a non-empty value. Lists take spaces or commas between items; booleans take yes/no,
 * true/false, on/off or 1/0; enum values and booleans are case-insensitive.
 */
export function parseValue(t: ConfigValueType, text: string): ParsedValue {
  switch (t.kind) {
    case 'int':
    case 'seconds':
      return parseRange(text, t.min, t.max, describeValueType(t));
    case 'port':
      return parseRange(text, 1, 65535, describeValueType(t));
    case 'ports':
      return parsePorts(t, text);
    case 'bool': {
      const w = text.toLowerCase();
      if (TRUE_WORDS.has(w)) return { ok: true, value: true };
      if (FALSE_WORDS.has(w)) return { ok: true, value: false };
      return fail('BAD_VALUE', `expected ${describeValueType(t)}`);
    }
    case 'enum': {
      const v = t.values.find((x) => x.toLowerCase() === text.toLowerCase());
      return v === undefined ? fail('BAD_VALUE', `expected ${describeValueType(t)}`) : { ok: true, value: v };
    }
    case 'path':
      return /[\u0000-\u001f\u007f"]/.test(text) ? fail('BAD_VALUE', PATH_CHARS) : { ok: true, value: text };
    case 'paths':
      return /["\u0000-\u0008\u000a-\u001f\u007f]/.test(text) ? fail('BAD_VALUE', PATH_CHARS) : { ok: true, value: text.split(/\s+/).filter((x) => x !== '').join(' ') };
    case 'addresses':
      return parseAddresses(t, text);
    case 'rates':
      return parseRates(text);
  }
}

/** The value as the file would hold it (lists space-separated, booleans yes/no); parseValue reads it back. */
export function formatValue(t: ConfigValueType, value: unknown): string {
  switch (t.kind) {
    case 'bool':
      return value === true ? 'yes' : 'no';
    case 'ports':
    case 'addresses':
      return (value as readonly unknown[]).map(String).join(' ');
    case 'rates':
      return [...(value as ReadonlyMap<string, number>)].map(([a, r]) => `${a}=${r}`).join(' ');
    default:
      return String(value);
  }
}

/** Equal for the server: lists of ports or addresses compare as sets, since order changes no listener. */
export function sameValue(t: ConfigValueType, a: unknown, b: unknown): boolean {
  switch (t.kind) {
    case 'ports':
    case 'addresses': {
      const x = a as readonly unknown[];
      const y = b as readonly unknown[];
      return x.length === y.length && x.every((v) => y.includes(v));
    }
    case 'rates': {
      const x = a as ReadonlyMap<string, number>;
      const y = b as ReadonlyMap<string, number>;
      return x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
    }
    default:
      return a === b;
  }
}

/** The value of an empty list / path kind (what `key` alone on a line gives, when the setting allows it). */
export function emptyValue(t: ConfigValueType): unknown {
  switch (t.kind) {
    case 'ports':
    case 'addresses':
      return [];
    case 'rates':
      return new Map<string, number>();
    case 'path':
    case 'paths':
      return '';
    default:
      return undefined;
  }
}
