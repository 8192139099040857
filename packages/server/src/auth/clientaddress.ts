// One spelling per client address, so that a session key bound to 127.0.0.2 is accepted from
// ::ffff:127.0.0.2 (a dual-stack socket's view of the same client) and IPv6 compares by value.

import net from 'node:net';
import { AuthError } from './autherror.js';

/** The eight 16-bit groups of a valid IPv6 address without its zone. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const groups: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let v4: number[] = [];
  if (tail.includes('.')) {
    const b = tail.split('.').map(Number);
    v4 = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    // keep the colon when it is part of a '::' just before the IPv4 part
    text = text.slice(0, text[lastColon - 1] === ':' ? lastColon + 1 : lastColon);
  }
  const hex = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  if (gap < 0) {
    groups.push(...hex(text), ...v4);
  } else {
    const head = hex(text.slice(0, gap));
    const rest = [...hex(text.slice(gap + 2)), ...v4];
    groups.push(...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest);
  }
  return groups;
}

/** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as '::'. */
function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: readonly number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

function isV4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/**
 * The canonical form of a client address: IPv4 as is, IPv4-mapped IPv6 as the IPv4 address, other IPv6
 * in RFC 5952 form (with its zone, if any). Strings that are no IP address (a Unix socket, a proxy's
 * label) are compared as given. Throws AuthError BAD_REQUEST for an empty or missing address.
 */
export function normaliseAddress(address: string): string {
  if (typeof address !== 'string' || address.trim() === '') throw new AuthError('BAD_REQUEST', 'the client address is unknown, so the login cannot be checked');
  const text = address.trim();
  if (net.isIPv4(text) || !net.isIPv6(text)) return text;
  const zoneAt = text.indexOf('%');
  const zone = zoneAt < 0 ? '' : text.slice(zoneAt);
  const groups = ipv6Groups(zoneAt < 0 ? text : text.slice(0, zoneAt));
  if (isV4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  return formatIPv6(groups) + zone;
}

/**
 * What login throttling counts failures against: the address itself for IPv4, the /64 network for
 * IPv6 (one host usually owns a whole /64, and could otherwise step past its lock-out address by address).
 */
export function throttleKey(normalised: string): string {
  if (!net.isIPv6(normalised)) return normalised;
  const zoneAt = normalised.indexOf('%');
  const groups = ipv6Groups(zoneAt < 0 ? normalised : normalised.slice(0, zoneAt));
  return `${formatIPv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}
