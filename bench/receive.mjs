// What ftserver's receiving thread costs a flow, in one process without sockets: the replay's pool of
// NetFlow v9 datagrams (bench/replay.mjs, 200,000 sessions, each pass under its own source id) through
// IngestPipeline as ftserver configures it (conntracksize 447,248, toolong 0, enrichment), finished
// sessions copied into a MemorySource as the server's hot store does (appendUnsorted; a build without
// it: append). Also times those copies alone, 8,192-row batches as the tracker hands them over: the
// unsorted copy the receiving thread makes, and the sorted one (append, with its sort by start) that a
// query's first read of a batch makes.
//
//   npm run build && node bench/receive.mjs [--flows 12000000] [--runs 3] [--core path/to/core/dist]
//
// --core imports IngestPipeline, MemorySource and sortOrder from another build of packages/core (a
// worktree of an older commit built with `tsc -b packages/core`), to compare two builds on the same
// machine; run them alternately. The pool itself always comes from this build. Prints figures only.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { allocColumns, NetflowV9Encoder } from '../packages/core/dist/index.js';
import { poolFlows } from './benchlib.mjs';
import { benchOptions } from './serverlib.mjs';

const USAGE = 'usage: node bench/receive.mjs [--flows 12000000] [--runs 3] [--core path/to/core/dist]';
const { values, whole } = benchOptions('receive', USAGE, {
  flows: { type: 'string', default: '12000000' },
  runs: { type: 'string', default: '3' },
  core: { type: 'string' },
});
const FLOWS = whole('flows', values.flows, 100_000, 1_000_000_000);
const RUNS = whole('runs', values.runs, 1, 100);
const coreDir = values.core === undefined ? new URL('../packages/core/dist/', import.meta.url) : pathToFileURL(path.resolve(values.core) + '/');
const core = await import(new URL('index.js', coreDir).href);
const { sortOrder } = await import(new URL('store/sortorder.js', coreDir).href);
const BATCH = 8192;
const CONNTRACK = 447_248;

function pool(nowMs) {
  const flows = poolFlows(200_000, 1, nowMs);
  return new NetflowV9Encoder({ sourceId: 1, maxDatagramBytes: 1400 }).encode(flows, 0, flows.length, nowMs).map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength));
}

/** What ftserver's receiving thread does with finished sessions (older builds sorted them here). */
function hotStoreCopy(mem, cols, rows) {
  if (typeof mem.appendUnsorted === 'function') mem.appendUnsorted(cols, rows);
  else mem.append(cols, rows);
}

/** One run: a fresh pipeline, 3 M flows to fill the tracker, then `FLOWS` timed. */
function pipelineRun(datagrams) {
  let held = 0;
  let mem = new core.MemorySource();
  const p = new core.IngestPipeline({
    onSessions: (cols, rows) => {
      hotStoreCopy(mem, cols, rows);
      held += rows;
      // the storage thread takes them every cycle: drop them here so that memory stays flat
      if (held > 1_000_000) {
        mem = new core.MemorySource();
        held = 0;
      }
    },
    conntracksize: CONNTRACK,
    toolong: 0,
  });
  let flows = 0;
  let pass = 0;
  let d = 0;
  const feed = (limit) => {
    let now = Date.now();
    for (let k = 1; flows < limit; k++) {
      if (d === 0) pass++;
      const b = datagrams[d];
      b.writeUInt32BE(pass, 16); // source id: each pass's sessions are new
      b.writeUInt32BE(Math.floor(now / 1000), 8);
      flows += p.datagram('netflow', b, '127.0.0.1', now).flows;
      d = (d + 1) % datagrams.length;
      if (k % 200 === 0) {
        now = Date.now();
        p.tick(now);
      }
    }
  };
  feed(3_000_000);
  const from = flows;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  feed(from + FLOWS);
  const c = process.cpuUsage(c0);
  const secs = (performance.now() - t0) / 1000;
  return { flows: flows - from, cpuUsPerFlow: (c.user + c.system) / (flows - from), flowsPerSecond: Math.round((flows - from) / secs), active: p.size };
}

/** The hot store's copy, MemorySource.append and sortOrder on 8,192 rows whose starts lie within 2 s, ns a row. */
function copyRun() {
  const cols = allocColumns(BATCH);
  let x = 1;
  for (let i = 0; i < BATCH; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    cols.start[i] = 1.7e15 + (x % 2_000_000);
    cols.end[i] = cols.start[i] + 1000;
  }
  const reps = 500;
  const time = (copy) => {
    let mem = new core.MemorySource();
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) {
      if (k % 50 === 0) mem = new core.MemorySource();
      copy(mem);
    }
    return ((performance.now() - t0) * 1e6) / (reps * BATCH);
  };
  const hotStore = time((mem) => hotStoreCopy(mem, cols, BATCH));
  const append = time((mem) => mem.append(cols, BATCH));
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) sortOrder(cols.start, BATCH);
  const sort = ((performance.now() - t0) * 1e6) / (reps * BATCH);
  return { hotStoreNsPerRow: Number(hotStore.toFixed(1)), appendNsPerRow: Number(append.toFixed(1)), sortNsPerRow: Number(sort.toFixed(1)) };
}

const datagrams = pool(Date.now());
console.error(`receive: core ${coreDir.pathname}, pool of ${datagrams.length} v9 datagrams, ${FLOWS.toLocaleString('en-US')} flows a run, ${RUNS} runs`);
// the copies first: after a pipeline run the heap it leaves makes them slower and noisier
const copies = [];
for (let r = 0; r < RUNS; r++) {
  copies.push(copyRun());
  console.error(`receive: copies, run ${r + 1}: hot store ${copies[r].hotStoreNsPerRow} ns a row; sorted (append) ${copies[r].appendNsPerRow}, of which the sort ${copies[r].sortNsPerRow}`);
}
const runs = [];
for (let r = 0; r < RUNS; r++) {
  const pipe = pipelineRun(datagrams);
  runs.push({ ...pipe, cpuUsPerFlow: Number(pipe.cpuUsPerFlow.toFixed(3)) });
  console.error(`receive: pipeline, run ${r + 1}: ${pipe.cpuUsPerFlow.toFixed(3)} µs CPU a flow (${pipe.flowsPerSecond.toLocaleString('en-US')} flows/s on one thread, ${pipe.active.toLocaleString('en-US')} active)`);
}
console.log(JSON.stringify({ core: coreDir.pathname, flowsPerRun: FLOWS, conntracksize: CONNTRACK, copies, runs }, null, 2));
