// The core benchmark of issue 2: writes N generated sessions straight into the columnar
// store, then times the six reference queries single-threaded and on every core.
//
// Usage: node --expose-gc bench/core.mjs [--sessions 20000000] [--runs 5] [--dir bench/out/core] [--keep]
//        [--reuse] [--queries 1,3] [--warmup 1] [--core path/to/a/core/build]
// --reuse queries the store already in --dir; --queries runs only the listed reference queries;
// --warmup runs each query that many times on one thread and on the pool before timing it (the
// JIT of the calling thread and of every worker, the page cache: what a running server has);
// --core imports the engine from another build of packages/core (e.g. one compiled with
// `tsc --outDir` to compare two versions) instead of packages/core/dist.
// Prints figures only; nothing here asserts a time.

import { cpus, loadavg, totalmem } from 'node:os';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20000000' },
    runs: { type: 'string', default: '5' },
    dir: { type: 'string', default: 'bench/out/core' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    queries: { type: 'string', default: '1,2,3,4,5,6' },
    warmup: { type: 'string', default: '1' },
    core: { type: 'string', default: new URL('../packages/core/dist', import.meta.url).pathname },
  },
});
const { ColumnStore, GEN_DEFAULT_START_US, SessionGenerator, WorkerPool, busiestHost, parseFilter, rank, streamSessions } = await import(
  pathToFileURL(resolve(args.core, 'index.js')).href
);
const wanted = new Set(args.queries.split(',').map((x) => Number(x.trim())));
const SESSIONS = Number(args.sessions);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const dir = resolve(args.dir);
const SEED = 42;
const HOUR = 3_600_000_000;
const DAY = 24 * HOUR;
const genOpts = { seed: SEED, sessions: SESSIONS, batchSize: 65536, reuseBuffers: true, spanUs: 14 * DAY, startUs: GEN_DEFAULT_START_US };
const fromUs = GEN_DEFAULT_START_US;
const toUs = GEN_DEFAULT_START_US + 14 * DAY + 8 * HOUR; // sessions may end up to 8 h after the last start
const gc = globalThis.gc ?? (() => {});
const mib = (b) => (b / 1048576).toFixed(0);
const fmtRate = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(1)} M/s` : `${(r / 1e3).toFixed(0)} K/s`);

console.log(`# opentraq core benchmark`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`sessions: ${SESSIONS.toLocaleString('en-US')} over 14 days (generator seed ${SEED}), runs per query: ${RUNS} after ${WARMUP} untimed\n`);

// 1. Write.
let store;
if (args.reuse) {
  store = ColumnStore.open(dir, { segmentCount: 100000, segmentSize: 92635 });
} else {
  rmSync(dir, { recursive: true, force: true });
  store = ColumnStore.open(dir, { segmentCount: 100000, segmentSize: 92635, computeCrc: true });
  const gen = new SessionGenerator(genOpts);
  let genMs = 0;
  let writeMs = 0;
  let t = performance.now();
  for (const batch of gen.batches()) {
    const t1 = performance.now();
    genMs += t1 - t;
    store.append(batch, batch.start.length);
    t = performance.now();
    writeMs += t - t1;
  }
  const t1 = performance.now();
  store.flush();
  writeMs += performance.now() - t1;
  console.log(`generate: ${fmtRate(SESSIONS / (genMs / 1000))} (${(genMs / 1000).toFixed(1)} s)`);
  console.log(`write (encode + CRC + fsync + rename): ${fmtRate(SESSIONS / (writeMs / 1000))} (${(writeMs / 1000).toFixed(1)} s, one thread)`);
}
const st = store.stats();
console.log(`store: ${st.rows.toLocaleString('en-US')} sessions, ${st.segments} segments, ${mib(st.bytes)} MiB, ${(st.bytes / st.rows).toFixed(2)} bytes/session on disk\n`);

// 2. Queries.
const busy = busiestHost(genOpts);
const midDay = fromUs + 7 * DAY;
const midHour = fromUs + 7 * DAY + 14 * HOUR;
const queries = [
  { name: '1. -grp IP -cnt BYTES -r 10 (everything)', kind: 'rank', q: { entity: 'IP', count: 'BYTES', fromUs, toUs, rows: 10 } },
  {
    name: '2. same, -q "PROTO=TCP && SRVPORT=443"',
    kind: 'rank',
    q: { entity: 'IP', count: 'BYTES', fromUs, toUs, rows: 10, filter: parseFilter('PROTO=TCP && SRVPORT=443') },
  },
  { name: '3. -grp IPPAIR -cnt UNIQUE PORTPROTO -r 10', kind: 'rank', q: { entity: 'IPPAIR', count: 'UNIQUE', unique: 'PORTPROTO', fromUs, toUs, rows: 10 } },
  { name: '4. -grp COUNTRY -cnt SESSIONS -snd -w 24', kind: 'rank', q: { entity: 'COUNTRY', count: 'SESSIONS', direction: 'snd', fromUs, toUs, slices: 24 } },
  { name: `5. raw sessions, -q "ADDR=${busy}", one day`, kind: 'raw', q: { fromUs: midDay, toUs: midDay + DAY, filter: parseFilter(`ADDR=${busy}`) } },
  { name: '6. -grp IP -cnt BYTES -r 10, one hour mid-data', kind: 'rank', q: { entity: 'IP', count: 'BYTES', fromUs: midHour, toUs: midHour + HOUR, rows: 10 } },
];

function scannedRows(q) {
  let n = 0;
  for (const s of store.segments(q.fromUs, q.toUs)) n += s.rows;
  return n;
}

async function runOnce(query, pool) {
  const t = performance.now();
  let out;
  if (query.kind === 'rank') {
    const r = await rank(store, query.q, pool ? { pool } : {});
    out = { sessions: r.summary.sessions, entities: r.summary.entities, top: r.rows[0]?.text.join(' ') ?? '' };
  } else {
    let n = 0;
    for (const b of streamSessions(store, query.q)) n += b.rows;
    out = { sessions: n, entities: 0, top: '' };
  }
  return { ms: performance.now() - t, ...out };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
console.log(`load average before the queries: ${load()}`);
const pool = new WorkerPool(cpus().length);
console.log('| query | sessions in frame | entities | scanned rows | 1 thread: median ms | rows/s | ' + `${pool.size} workers: median ms | rows/s | peak RSS MiB |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const results = [];
for (const query of queries.filter((_, i) => wanted.has(i + 1))) {
  const scanned = scannedRows(query.q);
  const single = [];
  const multi = [];
  let info;
  for (let i = 0; i < WARMUP; i++) {
    await runOnce(query, null);
    if (query.kind === 'rank') await runOnce(query, pool);
  }
  gc();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  for (let i = 0; i < RUNS; i++) {
    // the previous run's arrays are garbage: collected first, they do not count in this run's peak
    gc();
    const a = await runOnce(query, null);
    single.push(a.ms);
    peak = Math.max(peak, process.memoryUsage().rss);
    gc();
    const b = await runOnce(query, query.kind === 'rank' ? pool : null);
    multi.push(b.ms);
    if (a.sessions !== b.sessions || a.top !== b.top) throw new Error(`${query.name}: single and multi-threaded answers differ`);
    info = a;
  }
  clearInterval(sampler);
  const m1 = median(single);
  const m2 = median(multi);
  results.push({ name: query.name, m1, m2 });
  const multiCells = query.kind === 'rank' ? `${m2.toFixed(0)} | ${fmtRate(scanned / (m2 / 1000))}` : 'n/a (streams on one thread) | —';
  console.log(
    `| ${query.name} | ${info.sessions.toLocaleString('en-US')} | ${info.entities.toLocaleString('en-US')} | ${scanned.toLocaleString('en-US')} | ${m1.toFixed(0)} | ${fmtRate(scanned / (m1 / 1000))} | ${multiCells} | ${mib(peak)} |`,
  );
}
await pool.close();
store.close();
console.log(`\nload average after the queries: ${load()}`);
if (!args.keep && !args.reuse) rmSync(dir, { recursive: true, force: true });
console.log(`\nmax RSS of the process: ${mib(process.resourceUsage().maxRSS * 1024)} MiB`);
