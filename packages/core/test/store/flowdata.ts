// Test data for the store: plausible flow sessions (Zipf-like hosts, heavy-tailed sizes, a few
// protocols and ports) and plain random batches, both from a seeded generator so failures repeat.

import { allocColumns, packCountry, type Columns } from '../../src/fields/index.js';
import { rng } from '../seededrng.js';
export { rng } from '../seededrng.js';

/** Index in 0..n-1, heavily skewed to small values (a few hosts do most of the talking). */
function skewed(r: () => number, n: number, power = 3): number {
  return Math.min(n - 1, Math.floor(n * Math.pow(r(), power)));
}

function pick<T>(r: () => number, items: readonly T[], power = 2): T {
  return items[skewed(r, items.length, power)]!;
}

function setV4(words: Uint32Array | Float64Array | Uint16Array | Uint8Array, row: number, v4: number): void {
  words[4 * row] = 0;
  words[4 * row + 1] = 0;
  words[4 * row + 2] = 0xffff;
  words[4 * row + 3] = v4 >>> 0;
}

const COUNTRIES = ['US', 'NL', 'DE', 'GB', 'FR', 'CN', 'JP', 'BR', 'IN', 'RU', 'CA', 'AU', 'SE', 'IT', 'ES'];
const SERVER_PORTS = [443, 80, 53, 123, 22, 25, 993, 8080, 3389, 5060, 1194, 8443];

/**
 * `rows` sessions over about `spanSeconds`, millisecond timestamps, emitted roughly in end order
 * (so start is not sorted), IPv4 only; NAT, ASA, MPLS columns empty as on a plain NetFlow feed.
 */
export function plausibleFlows(rows: number, seed = 1, spanSeconds = 300): Columns {
  const r = rng(seed);
  const c = allocColumns(rows);
  const t0 = Date.UTC(2024, 4, 1, 12) * 1000;
  const exporters = [0xc0a80001, 0xc0a80002, 0xc0a80003];
  for (let i = 0; i < rows; i++) {
    const proto = r() < 0.8 ? 6 : r() < 0.9 ? 17 : 1;
    const oneShot = proto !== 6 && r() < 0.6;
    const durMs = oneShot ? 0 : Math.floor(Math.exp(r() * 11));
    const endMs = Math.floor((i / rows) * spanSeconds * 1000) + Math.floor(r() * 50);
    const startMs = Math.max(0, endMs - durMs);
    c.start[i] = t0 + startMs * 1000;
    c.end[i] = t0 + endMs * 1000;
    setV4(c.clnip, i, 0x0a000000 + skewed(r, 20000, 3));
    const server = skewed(r, 60000, 4);
    setV4(c.srvip, i, 0x5db80000 + server * 7919);
    c.clnport[i] = proto === 1 ? 0 : 32768 + Math.floor(r() * 28232);
    c.srvport[i] = proto === 1 ? 0x0800 : r() < 0.95 ? pick(r, SERVER_PORTS) : 1024 + Math.floor(r() * 60000);
    c.proto[i] = proto;
    const cp = 1 + Math.floor(Math.exp(r() * r() * 9));
    const sp = oneShot ? 1 : Math.max(1, Math.floor(cp * (0.5 + r())));
    c.clnpkts[i] = cp;
    c.srvpkts[i] = sp;
    c.clnbyts[i] = cp * (40 + Math.floor(r() * r() * 1460));
    c.srvbyts[i] = sp * (40 + Math.floor(r() * 1460));
    c.flags[i] = proto === 6 ? pick(r, [0x1b, 0x1f, 0x1a, 0x02, 0x12, 0x14, 0x19, 0x18]) : 0;
    c.tos[i] = r() < 0.9 ? 0 : pick(r, [0x10, 0x28, 0xb8, 0x48]);
    const exporter = skewed(r, 3, 1.5);
    c.inif[i] = 1 + exporter * 10 + skewed(r, 4);
    c.outif[i] = 1 + exporter * 10 + skewed(r, 4);
    c.invlan[i] = pick(r, [0, 10, 20, 100]);
    c.outvlan[i] = pick(r, [0, 10, 20]);
    c.clnas[i] = 0;
    c.srvas[i] = 1000 + ((server * 2654435761) >>> 0) % 3000;
    c.clncc[i] = 0;
    c.srvcc[i] = packCountry(COUNTRIES[((server * 40503) >>> 0) % COUNTRIES.length]!);
    c.clnmac[i] = 0;
    c.srvmac[i] = 0x001122334400 + exporter;
    setV4(c.expip, i, exporters[exporter]!);
    c.srcid[i] = exporter;
    c.expv[i] = exporter === 2 ? 10 : 9;
    c.samplerate[i] = 1;
    c.flows[i] = r() < 0.9 ? 1 : 2 + skewed(r, 4);
  }
  return c;
}

/** Uniformly random values over each column's whole type range (ip: a mix of IPv4-mapped and IPv6). */
export function randomColumns(rows: number, seed = 2): Columns {
  const r = rng(seed);
  const c = allocColumns(rows);
  const t0 = Date.UTC(2024, 0, 1) * 1000;
  for (let i = 0; i < rows; i++) {
    c.start[i] = t0 + Math.floor(r() * 3.6e9);
    c.end[i] = c.start[i]! + Math.floor(r() * r() * 1e8);
  }
  const big = (): number => Math.floor(r() * 2 ** 53);
  for (const [name, arr] of Object.entries(c)) {
    if (name === 'start' || name === 'end') continue;
    if (arr instanceof Float64Array) for (let i = 0; i < rows; i++) arr[i] = r() < 0.5 ? big() : Math.floor(r() * 1e6);
    else if (name.endsWith('ip')) {
      for (let i = 0; i < rows; i++) {
        if (r() < 0.5) setV4(arr, i, Math.floor(r() * 2 ** 32));
        else for (let k = 0; k < 4; k++) arr[4 * i + k] = Math.floor(r() * 2 ** 32);
      }
    } else {
      const max = arr instanceof Uint8Array ? 2 ** 8 : arr instanceof Uint16Array ? 2 ** 16 : 2 ** 32;
      for (let i = 0; i < rows; i++) arr[i] = Math.floor(r() * max);
    }
  }
  return c;
}
