// Networks that never belong to a country or an autonomous system on the public Internet (IANA
// special-purpose registries): lookups there answer "unknown", whatever a data file says.

import { makeCidr, parseIp } from '../fields/ipcodec.js';
import { RangeBuilder, blankMasked, type StepFunction } from './rangebuilder.js';

/**
 * Private, loopback, link-local, shared (CGN), documentation, benchmarking, multicast and reserved
 * blocks. Data files sometimes carry registrations for them (a registry's own allocation, an
 * announcement leaked into a routing table); for a flow they only say "inside some network".
 */
export const RESERVED_NETWORKS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/8',
  '100::/64',
  '2001:2::/48',
  '2001:db8::/32',
  '3fff::/20',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

/** The reserved networks of one family as a step function: 1 inside, 0 outside. */
function reservedMask(words: 1 | 4): StepFunction {
  const builder = new RangeBuilder(words);
  for (const text of RESERVED_NETWORKS) {
    const [addr, len] = text.split('/') as [string, string];
    const v4 = !addr.includes(':');
    if (v4 !== (words === 1)) continue;
    const cidr = makeCidr(parseIp(addr)!, Number(len), v4);
    const last = cidr.words.map((x, k) => (x | ~cidr.masks[k]!) >>> 0);
    if (v4) builder.add([cidr.words[3]], [last[3]!], 1);
    else builder.add(cidr.words, last, 1);
  }
  return builder.build();
}

let masks: { v4: StepFunction; v6: StepFunction } | undefined;

/** `table` with every reserved network set to 0. */
export function blankReserved(table: StepFunction): StepFunction {
  masks ??= { v4: reservedMask(1), v6: reservedMask(4) };
  return blankMasked(table, table.words === 1 ? masks.v4 : masks.v6);
}
