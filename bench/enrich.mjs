// Enrichment benchmark: how long the bundled country and ASN data take to load (parsed, and from
// the binary cache files), the memory they hold, and lookups per second with and without the
// in-memory lookup cache on uniform, Zipf and generated-session address streams.
//
// Usage: node --expose-gc bench/enrich.mjs [--lookups 2000000] [--sessions 1000000] [--dir bench/out/enrich]
// Prints figures only; nothing here asserts a time.

import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AsnDb, CountryDb, SessionGenerator, openEnrichment } from '../packages/core/dist/index.js';

const { values: args } = parseArgs({
  options: {
    lookups: { type: 'string', default: '2000000' },
    sessions: { type: 'string', default: '1000000' },
    dir: { type: 'string', default: 'bench/out/enrich' },
  },
});
const LOOKUPS = Number(args.lookups);
const SESSIONS = Number(args.sessions);
const cacheDir = resolve(args.dir);

const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const gc = () => globalThis.gc?.();

/** Deterministic uniform numbers in [0, 1). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s >>> 12;
    return (s >>> 0) / 4294967296;
  };
}

// --- Load times and memory -------------------------------------------------------------------
rmSync(cacheDir, { recursive: true, force: true });
gc();
const m0 = process.memoryUsage();
let t0 = performance.now();
const parsed = openEnrichment();
const parseMs = performance.now() - t0;
gc();
const m1 = process.memoryUsage();
console.log(
  `load, parsing the bundled files: ${parseMs.toFixed(0)} ms (country ${parsed.countries.info.loadMs.toFixed(0)} ms, ASN ${parsed.asns.info.loadMs.toFixed(0)} ms)`,
);
console.log(
  `  tables: country ${parsed.countries.table.entries} steps, ${mib(parsed.countries.memoryBytes)}; ` +
    `ASN ${parsed.asns.table.entries} steps and ${parsed.asns.names.size} names, ${mib(parsed.asns.memoryBytes)}`,
);
console.log(`  process after load and GC: rss +${mib(m1.rss - m0.rss)}, heap +${mib(m1.heapUsed - m0.heapUsed)}, array buffers +${mib(m1.arrayBuffers - m0.arrayBuffers)}`);
t0 = performance.now();
openEnrichment({ cacheDir });
console.log(`load, parsing and writing the cache files: ${(performance.now() - t0).toFixed(0)} ms`);
t0 = performance.now();
const cached = openEnrichment({ cacheDir });
console.log(
  `load, from the cache files: ${(performance.now() - t0).toFixed(0)} ms (country ${cached.countries.info.fromCache}, ASN ${cached.asns.info.fromCache})`,
);

// --- Address streams ---------------------------------------------------------------------------
const r = rng(42);
function v4(x) {
  return [0, 0, 0xffff, x >>> 0];
}
function randomHost() {
  return r() < 0.8 ? v4(Math.floor(r() * 2 ** 32)) : [(0x20010000 + Math.floor(r() * 0x0fffffff)) >>> 0, Math.floor(r() * 2 ** 32), 0, Math.floor(r() * 2 ** 32)];
}
function streamOf(pick) {
  const s = new Uint32Array(4 * LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) s.set(pick(), 4 * i);
  return s;
}
function zipf(hosts) {
  const cdf = new Float64Array(hosts.length);
  let acc = 0;
  for (let i = 0; i < hosts.length; i++) cdf[i] = acc += 1 / (i + 1);
  return () => {
    const u = r() * acc;
    let lo = 0;
    let hi = hosts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return hosts[lo];
  };
}
const gen = new SessionGenerator({ seed: 7, sessions: Math.ceil(LOOKUPS / 2), batchSize: 65536 });
const sessionStream = new Uint32Array(4 * LOOKUPS);
let filled = 0;
for (const b of gen.batches()) {
  for (let i = 0; i < b.clnip.length / 4 && filled < LOOKUPS; i++) {
    sessionStream.set(b.clnip.subarray(4 * i, 4 * i + 4), 4 * filled++);
    if (filled < LOOKUPS) sessionStream.set(b.srvip.subarray(4 * i, 4 * i + 4), 4 * filled++);
  }
}
const streams = [
  ['uniform (80% IPv4)', streamOf(randomHost)],
  ['Zipf(1) over 100,000 hosts (80% IPv4)', streamOf(zipf(Array.from({ length: 100000 }, randomHost)))],
  ['generated sessions (client and server)', sessionStream],
];

function runCountry(db, s) {
  let x = 0;
  const t = performance.now();
  for (let i = 0; i < LOOKUPS; i++) x += db.country(s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]);
  return [LOOKUPS / (performance.now() - t) / 1000, x];
}
function runAsn(db, s) {
  let x = 0;
  const t = performance.now();
  for (let i = 0; i < LOOKUPS; i++) x += db.asn(s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]);
  return [LOOKUPS / (performance.now() - t) / 1000, x];
}
const best = (f) => Math.max(f()[0], f()[0], f()[0]);

console.log(`\nlookups per second (${LOOKUPS.toLocaleString('en')} a run, best of 3), in millions:`);
console.log('stream'.padEnd(42) + 'country uncached  cached   ASN uncached  cached');
for (const [name, s] of streams) {
  const row = [];
  for (const slots of [0, undefined]) {
    const opts = slots === undefined ? { cacheDir } : { cacheDir, cacheSlots: slots };
    row.push(best(() => runCountry(CountryDb.open(opts), s)));
  }
  for (const slots of [0, undefined]) {
    const opts = slots === undefined ? { cacheDir } : { cacheDir, cacheSlots: slots };
    row.push(best(() => runAsn(AsnDb.open(opts), s)));
  }
  console.log(name.padEnd(42) + row.map((v, i) => v.toFixed(1).padStart(i % 2 === 0 ? 16 : 8)).join(''));
}

// --- enrichSessions on generated batches -----------------------------------------------------
const batches = [];
for (const b of new SessionGenerator({ seed: 9, sessions: SESSIONS, batchSize: 65536 }).batches()) batches.push(b);
for (const slots of [0, undefined]) {
  const e = openEnrichment(slots === undefined ? { cacheDir } : { cacheDir, cacheSlots: slots });
  let rate = 0;
  for (let rep = 0; rep < 3; rep++) {
    for (const b of batches) {
      b.clnas.fill(0);
      b.srvas.fill(0);
    }
    const t = performance.now();
    for (const b of batches) e.enrichSessions(b, b.clncc.length);
    rate = Math.max(rate, SESSIONS / (performance.now() - t) / 1000);
  }
  console.log(`enrichSessions, ${slots === 0 ? 'no lookup cache' : 'default lookup cache'}: ${rate.toFixed(2)} M sessions/s (4 lookups each)`);
}
