// Random session batches for the query engine tests: small value pools so that keys
// collide, both address families, sessions straddling the frame edges and instants.

import { allocColumns, packCountry, type Columns } from '../../src/fields/columns.js';
import { parseIp, parseMac, setIpAt } from '../../src/fields/ipcodec.js';
import { MemorySource } from '../../src/query/index.js';
import { rng } from '../seededrng.js';

export const FROM = 1_700_000_000_000_000;
export const TO = FROM + 3_600_000_000;

const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.9', '192.168.1.7', '8.8.8.8', '0.0.0.0', '255.255.255.255', '2001:db8::1', '2001:db8::2', 'fe80::1', '::1', '::'];
const EXPORTERS = ['10.255.0.1', '2001:db8:ff::1'];
const MACS = ['00:00:00:00:00:00', '00:11:22:33:44:55', 'ff:ff:ff:ff:ff:fe', '02:00:00:00:00:01'];
const COUNTRIES = ['US', 'NL', 'BE', '--'];

export interface Fixture {
  readonly source: MemorySource;
  readonly batches: { columns: Columns; rows: number }[];
}

export interface FixtureOptions {
  /**
   * Give about 4 % of the byte and packet counts a value from 2^33 to 2^45: their unit counts
   * (2^20 a byte) pass 2^53, which pro-rating must still get exactly; sums stay below 2^53.
   */
  readonly large?: boolean;
}

/** `segments` batches of about `rows` sessions each around the frame [FROM, TO). */
export function randomSessions(seed: number, segments: number, rows: number, opts: FixtureOptions = {}): Fixture {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const large = (v: number): number => (opts.large === true && r() < 0.04 ? 2 ** 33 + Math.floor(r() * (2 ** 45 - 2 ** 33)) : v);
  const source = new MemorySource();
  const batches: Fixture['batches'] = [];
  const span = TO - FROM;
  for (let s = 0; s < segments; s++) {
    const n = rows + Math.floor(r() * rows * 0.5);
    const c = allocColumns(n);
    // Each batch covers a window of its own, overlapping its neighbours and the frame edges.
    const lo = FROM - span * 0.3 + (s * span * 1.4) / segments;
    for (let i = 0; i < n; i++) {
      let start = Math.round(lo + r() * span * 0.5);
      const kind = r();
      let dur: number;
      if (kind < 0.1) dur = 0;
      else if (kind < 0.8) dur = Math.round(r() * 60_000_000);
      else dur = Math.round(r() * span * 1.2);
      if (kind > 0.97) start = pick([FROM, TO, FROM - 1, TO - 1]);
      c.start[i] = start;
      // Some end exactly at the frame start; when they start after it, they end before they start.
      c.end[i] = kind > 0.95 && kind <= 0.97 ? FROM : start + dur;
      const cln = pick(IPS);
      const srv = r() < 0.05 ? cln : pick(IPS);
      setIpAt(c.clnip as Uint32Array, i, parseIp(cln)!);
      setIpAt(c.srvip as Uint32Array, i, parseIp(srv)!);
      setIpAt(c.expip as Uint32Array, i, parseIp(pick(EXPORTERS))!);
      c.clnport[i] = pick([1024, 40000, 53, 80]);
      c.srvport[i] = pick([53, 80, 443, 22]);
      c.proto[i] = pick([6, 17, 1]);
      c.clnpkts[i] = large(Math.floor(r() * 50));
      c.srvpkts[i] = large(Math.floor(r() * 50));
      c.clnbyts[i] = large(pick([0, 40, 1500, Math.floor(r() * 1e6), Math.floor(r() * 3e9)]));
      c.srvbyts[i] = large(pick([0, 40, 1500, Math.floor(r() * 1e6)]));
      c.flags[i] = pick([0x02, 0x12, 0x1b, 0x04, 0]);
      c.tos[i] = pick([0, 0, 46, 184]);
      c.inif[i] = pick([1, 2, 3]);
      c.outif[i] = r() < 0.2 ? c.inif[i]! : pick([1, 2, 3]);
      c.invlan[i] = pick([0, 10, 20]);
      c.outvlan[i] = r() < 0.3 ? c.invlan[i]! : pick([0, 10, 20]);
      c.clnas[i] = pick([0, 64500, 64501, 4200000000]);
      c.srvas[i] = r() < 0.2 ? c.clnas[i]! : pick([0, 64500, 64501, 4200000000]);
      c.clncc[i] = packCountry(pick(COUNTRIES));
      c.srvcc[i] = r() < 0.3 ? c.clncc[i]! : packCountry(pick(COUNTRIES));
      c.clnmac[i] = parseMac(pick(MACS));
      c.srvmac[i] = r() < 0.1 ? c.clnmac[i]! : parseMac(pick(MACS));
      c.expv[i] = pick([9, 10]);
      c.samplerate[i] = 1;
      c.flows[i] = 1 + Math.floor(r() * 3);
    }
    batches.push({ columns: c, rows: n });
    source.append(c, n);
  }
  return { source, batches };
}
