// How ftbfg generalises a client address to the subnet its fingerprint keeps (-bc, the complexity
// index): a higher index keeps a longer prefix, a finer fingerprint with more entries to learn.

import { formatIp, isV4Words, makeCidr, parseIp } from '@opentraq/core';

export const MIN_COMPLEXITY = 1;
export const MAX_COMPLEXITY = 16;
export const DEFAULT_COMPLEXITY = 1;

/**
 * The prefix length a client keeps at complexity `index` (1–16). Index 0 would be a site (an IPv4
 * /16, an IPv6 /48); each step keeps a sixteenth more of the bits below it, so that 16 is one
 * address: IPv4 /(16 + index) — 1 → /17, 8 → /24, 16 → /32 — and IPv6 /(48 + 5 × index) — 1 → /53,
 * 8 → /88, 16 → /128.
 */
export function clientPrefix(v4: boolean, index: number): number {
  if (!(Number.isInteger(index) && index >= MIN_COMPLEXITY && index <= MAX_COMPLEXITY)) {
    throw new RangeError(`clientPrefix: the complexity index is a whole number from ${MIN_COMPLEXITY} to ${MAX_COMPLEXITY}, got ${index}`);
  }
  return v4 ? 16 + index : 48 + 5 * index;
}

/** The subnet of client address `ip` at complexity `index`, as CIDR text (`10.1.0.0/17`); null when `ip` is not an address. */
export function clientSubnet(ip: string, index: number): string | null {
  const words = parseIp(ip);
  if (words === null) return null;
  const v4 = isV4Words(words[0], words[1], words[2]);
  const prefix = clientPrefix(v4, index);
  const net = makeCidr(words, prefix, v4).words;
  return `${formatIp(net[0], net[1], net[2], net[3])}/${prefix}`;
}
