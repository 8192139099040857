// Reads a blacklist's text: one IPv4 or IPv6 address, CIDR block or hostname a line, `#` (and `;`,
// as in Spamhaus DROP lists) comments, blank lines; every other line is kept aside with its number.

import { isV4Words, makeCidr, parseIp, type Cidr } from '@opentraq/core';

export type ListEntry =
  | { readonly kind: 'address' | 'block'; readonly line: number; readonly text: string; readonly cidr: Cidr }
  | { readonly kind: 'hostname'; readonly line: number; readonly text: string; readonly host: string };

export interface BadLine {
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

export interface ParsedBlacklist {
  readonly entries: readonly ListEntry[];
  readonly bad: readonly BadLine[];
}

/** Longer lines are refused (a binary file, a list of another format). */
const MAX_LINE = 1000;
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
/** RFC 1123 names; underscores too, which real lists carry. */
const HOSTNAME = new RegExp(`^(?=.{1,253}\\.?$)${LABEL}(?:\\.${LABEL})*\\.?$`);

/** The block or address of `token`, or why it is not one. */
function readCidr(token: string): Cidr | string {
  const slash = token.indexOf('/');
  const addr = slash < 0 ? token : token.slice(0, slash);
  if (!/^[0-9A-Fa-f:.]+$/.test(addr)) return `'${addr}' is not an IPv4 or IPv6 address`;
  const words = parseIp(addr);
  if (words === null) return addr.includes(':') ? `'${addr}' is not an IPv6 address` : `'${addr}' is not an IPv4 address`;
  let v4 = !addr.includes(':');
  let prefix = v4 ? 32 : 128;
  if (slash >= 0) {
    const p = token.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > prefix) return `'/${p}' is not a prefix length for an ${v4 ? 'IPv4' : 'IPv6'} address (0 to ${prefix})`;
    prefix = Number(p);
  }
  // ::ffff:a.b.c.d is how IPv4 is stored: read it as the IPv4 address or block it is, as filters do
  if (!v4 && prefix >= 96 && isV4Words(words[0], words[1], words[2])) {
    v4 = true;
    prefix -= 96;
  }
  return makeCidr(words, prefix, v4);
}

function readToken(token: string, line: number): ListEntry | BadLine {
  const bad = (why: string): BadLine => ({ line, text: token, why });
  if (token.length > MAX_LINE) return bad(`the line is longer than ${MAX_LINE} characters`);
  if (/\s/.test(token)) return bad(`one address, block or hostname a line: '${token}' has several words`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(token)) return bad(`'${token}' is a URL: list its hostname or address alone`);
  if (/^[\d.]+:\d+$/.test(token)) return bad(`'${token}' has a port: list the address alone`);
  if (token.includes('*')) return bad(`'${token}': wildcards are not supported; list each hostname`);
  if (token.includes('/') || token.includes(':') || /^[\d.]+$/.test(token)) {
    const cidr = readCidr(token);
    if (typeof cidr === 'string') return bad(cidr);
    const single = cidr.bits === 128;
    return { kind: single ? 'address' : 'block', line, text: token, cidr };
  }
  if (!HOSTNAME.test(token)) return bad(`'${token}' is not an address, a CIDR block or a hostname`);
  return { kind: 'hostname', line, text: token, host: token.toLowerCase().replace(/\.$/, '') };
}

export function parseBlacklist(text: string): ParsedBlacklist {
  const entries: ListEntry[] = [];
  const bad: BadLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  for (const [i, raw] of lines.entries()) {
    const cut = raw.search(/[#;]/);
    const token = (cut < 0 ? raw : raw.slice(0, cut)).trim();
    if (token === '') continue;
    const r = readToken(token, i + 1);
    if ('why' in r) bad.push(r);
    else entries.push(r);
  }
  return { entries, bad };
}
