// Where the server is: -s (or FLOWTRAQ_SERVER) and -p (or FLOWTRAQ_PORT), checked before any
// connection. IPv6 may be bracketed; `https://HOST[:PORT]` selects TLS for a server that has it on.

import { parseIp } from '@opentraq/core';
import { UsageError } from './clierror.js';
import type { ParsedOptions } from './parsedoptions.js';
import { DEFAULT_PORT, DEFAULT_SERVER } from './sharedoptions.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ServerAddress {
  /** Hostname or address, without brackets. */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** For the HTTP client: `http://[::1]:9640`. */
  readonly origin: string;
  /** For messages: `localhost:9640`, `[::1]:9640`. */
  readonly display: string;
}

/** A FLOWTRAQ_* variable's value; empty counts as unset. */
export function envValue(env: Environment, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function parsePort(text: string, source: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError('BAD_VALUE', `${source} '${text}' is not a port: give a whole number from 1 to 65535 (the API's default is ${DEFAULT_PORT})`);
  }
  return Number(text);
}

/** The host part of -s: an address, a hostname, or a bracketed IPv6 address. */
function parseHost(text: string, source: string): string {
  const bracketed = /^\[(.*)\]$/.exec(text);
  if (bracketed !== null) {
    const inner = bracketed[1]!;
    if (!inner.includes(':') || parseIp(inner) === null) throw new UsageError('BAD_VALUE', `${source} '${text}': '${inner}' in brackets is not an IPv6 address`);
    return inner;
  }
  if (text.includes(':')) {
    if (parseIp(text) !== null) return text;
    const m = /^([^:]+):(\d+)$/.exec(text);
    if (m !== null) throw new UsageError('BAD_VALUE', `${source} '${text}': give the port with -p (e.g. -s ${m[1]} -p ${m[2]})`);
    throw new UsageError('BAD_VALUE', `${source} '${text}' is not an IPv6 address (e.g. fed9::1 or [fed9::1])`);
  }
  if (/^[\d.]+$/.test(text)) {
    if (parseIp(text) === null) throw new UsageError('BAD_VALUE', `${source} '${text}' is not an IPv4 address`);
    return text;
  }
  if (!HOSTNAME.test(text)) {
    throw new UsageError('BAD_VALUE', `${source} '${text}' is not a hostname or address (e.g. flows.example.net, 192.0.2.10, [fed9::1])`);
  }
  return text;
}

/** -s/-p, else FLOWTRAQ_SERVER/FLOWTRAQ_PORT, else localhost:9640. */
export function readServerAddress(parsed: ParsedOptions, env: Environment): ServerAddress {
  const sText = parsed.value('s') ?? envValue(env, 'FLOWTRAQ_SERVER');
  const sSource = parsed.has('s') ? parsed.spelling('s') : 'FLOWTRAQ_SERVER';
  const pText = parsed.value('p') ?? envValue(env, 'FLOWTRAQ_PORT');
  const pSource = parsed.has('p') ? parsed.spelling('p') : 'FLOWTRAQ_PORT';
  let tls = false;
  let host = DEFAULT_SERVER;
  let urlPort: number | undefined;
  if (sText !== undefined) {
    const scheme = /^(https?):\/\/(.*)$/i.exec(sText);
    if (scheme !== null) {
      tls = scheme[1]!.toLowerCase() === 'https';
      // host, optional :port, optional trailing slash; nothing else belongs in -s
      const m = /^(\[[^\]]*\]|[^/:[\]]*)(?::(\d*))?\/?$/.exec(scheme[2]!);
      if (m === null || m[1] === '') {
        throw new UsageError('BAD_VALUE', `${sSource} '${sText}': give a server as HOST, [IPV6] or ${scheme[1]!.toLowerCase()}://HOST[:PORT], without a path`);
      }
      host = parseHost(m[1]!, sSource);
      if (m[2] !== undefined) urlPort = parsePort(m[2], `the port in ${sSource}`);
    } else {
      if (sText.trim() === '') throw new UsageError('BAD_VALUE', `${sSource} is empty: give a hostname or address`);
      host = parseHost(sText, sSource);
    }
  }
  let port = DEFAULT_PORT;
  if (urlPort !== undefined) {
    if (parsed.has('p')) throw new UsageError('CONFLICT', `${sSource} '${sText}' has a port and ${pSource} gives another: give the port once`);
    port = urlPort;
  } else if (pText !== undefined) {
    port = parsePort(pText, pSource);
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { host, port, tls, origin: `${tls ? 'https' : 'http'}://${hostPart}:${port}`, display: `${hostPart}:${port}` };
}
