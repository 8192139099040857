// Session assembly throughput on one core: flows per second through FlowDecoder + SessionTracker
// (NetFlow v9 datagrams) and through the tracker alone (a synthetic stream at 1 M active sessions),
// with the resident memory the tracker needs for 1 M active sessions; and the ingest pipeline with
// and without enrichment (country and AS lookups of every session), to show what enrichment costs.
//
//   npm run build && node --expose-gc bench/sessions.mjs [seconds-per-case] [active-sessions]
//
// OPENTRAQ_CORPUS points at the flow corpus (default ../../shared/corpus next to the repository).
// Prints figures only; nothing here asserts a time.
import { FlowBatch, FlowDecoder, IngestPipeline, openEnrichment, SessionTracker } from '../packages/core/dist/index.js';
import { corpusDatagrams, xorshift } from './benchlib.mjs';

const SECONDS = Number(process.argv[2] ?? 3);
const ACTIVE = Number(process.argv[3] ?? 1_000_000);
const TARGET = 500_000;
const MiB = 1024 * 1024;



/** Big-endian byte writer for hand-made datagrams. */
class W {
  constructor(size) {
    this.b = new Uint8Array(size);
    this.v = new DataView(this.b.buffer);
    this.p = 0;
  }
  u8(x) {
    this.v.setUint8(this.p, x & 255);
    this.p += 1;
    return this;
  }
  u16(x) {
    this.v.setUint16(this.p, x & 0xffff);
    this.p += 2;
    return this;
  }
  u32(x) {
    this.v.setUint32(this.p, x >>> 0);
    this.p += 4;
    return this;
  }
  bytes() {
    return this.b.subarray(0, this.p);
  }
}

/** A population of sessions: client, server, ports, protocol (typed arrays, index = session). */
function population(n, seed) {
  const rnd = xorshift(seed);
  const SERVICES = [[443, 6], [443, 6], [443, 6], [80, 6], [53, 17], [53, 17], [445, 6], [22, 6], [3389, 6], [123, 17], [8080, 6], [993, 6]];
  const pop = { n, cln: new Uint32Array(n), srv: new Uint32Array(n), cport: new Uint16Array(n), sport: new Uint16Array(n), proto: new Uint8Array(n) };
  for (let j = 0; j < n; j++) renew(pop, j, rnd, SERVICES);
  pop.renew = (j) => renew(pop, j, rnd, SERVICES);
  return pop;
}

function renew(pop, j, rnd, services) {
  const [port, proto] = services[rnd() % services.length];
  pop.cln[j] = (0x0a000000 | (rnd() & 0xffffff)) >>> 0;
  pop.srv[j] = (0x20000000 + (rnd() % 0xb0000000)) >>> 0;
  pop.cport[j] = 32768 + (rnd() % 28232);
  pop.sport[j] = port;
  pop.proto[j] = proto;
}

/**
 * NetFlow v9 datagrams of 28 records (16 fields, 51 bytes each: a 1,452-byte datagram) drawn from a
 * population of `sessions` sessions, each record one direction of one session (client→server or back),
 * with sysUptime-relative times advancing 10 ms per datagram. Template packet first.
 */
function generatedV9(count, sessions) {
  const fields = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [5, 1], [6, 1], [2, 4], [1, 4], [22, 4], [21, 4], [10, 4], [14, 4], [16, 4], [17, 4], [15, 4]];
  const tpl = new W(200).u16(9).u16(1).u32(3_600_000).u32(1_700_000_000).u32(0).u32(1).u16(0).u16(4 + 4 + fields.length * 4).u16(300).u16(fields.length);
  for (const [id, len] of fields) tpl.u16(id).u16(len);
  const out = [{ src: '192.0.2.50', payload: tpl.bytes() }];
  const rnd = xorshift(9);
  const pop = population(sessions, 11);
  for (let d = 0; d < count; d++) {
    const uptime = 3_600_000 + d * 10;
    const w = new W(1500).u16(9).u16(28).u32(uptime).u32(1_700_000_000 + Math.floor(d / 100)).u32(d + 1).u32(1).u16(300).u16(4 + 28 * 51);
    for (let r = 0; r < 28; r++) {
      const j = rnd() % sessions;
      const fwd = (rnd() & 1) === 0;
      const last = uptime - (rnd() % 5000);
      const first = last - (rnd() % 60_000);
      const [sa, da, sp, dp] = fwd ? [pop.cln[j], pop.srv[j], pop.cport[j], pop.sport[j]] : [pop.srv[j], pop.cln[j], pop.sport[j], pop.cport[j]];
      w.u32(sa).u32(da).u16(sp).u16(dp).u8(pop.proto[j]).u8(0).u8(pop.proto[j] === 6 ? 0x1b : 0);
      w.u32(1 + (rnd() & 255)).u32(40 + (rnd() & 0xfffff)).u32(first).u32(last).u32(fwd ? 3 : 7).u32(fwd ? 7 : 3).u32(fwd ? 64512 : 15169).u32(fwd ? 15169 : 64512).u32(0x0a000001);
    }
    out.push({ src: '192.0.2.50', payload: w.bytes() });
  }
  return out;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

/**
 * Decode `datagrams` round and round for SECONDS, handing each 64 datagrams' flows to a tracker
 * (or not, for the decode-only figure). The template datagram is decoded once before timing.
 */
async function decodeCase(name, datagrams, withTracker) {
  const dec = new FlowDecoder();
  const batch = new FlowBatch(4096);
  let emitted = 0;
  // timeout 0: the replicated corpus repeats flows years old (captures from 2017 to 2023), which the
  // default timeout would end and restart at every pass
  const tracker = new SessionTracker({ conntracksize: 1_000_000, timeout: 0, onSessions: (_c, n) => (emitted += n) });
  const ctx = { nowMs: 0 };
  for (const d of datagrams) dec.decode(d.payload, d.src, ctx, batch);
  batch.reset();
  const pass = () => {
    let flows = 0;
    for (let k = 0; k < datagrams.length; k++) {
      const d = datagrams[k];
      flows += dec.decode(d.payload, d.src, ctx, batch).flows;
      if ((k & 63) === 63) {
        if (withTracker) tracker.ingest(batch, 0);
        batch.reset();
      }
    }
    if (withTracker) tracker.ingest(batch, 0);
    batch.reset();
    return flows;
  };
  const warm = Date.now() + 500;
  while (Date.now() < warm) pass();
  globalThis.gc?.();
  await settle();
  let flows = 0;
  const t0 = process.hrtime.bigint();
  const stop = t0 + BigInt(Math.round(SECONDS * 1e9));
  let now = t0;
  while (now < stop) {
    flows += pass();
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t0) / 1e9;
  const st = tracker.stats();
  return {
    case: name,
    flows,
    seconds: secs.toFixed(2),
    'flows/s': Math.round(flows / secs),
    sessions: withTracker ? `${st.active} active, ${emitted} emitted` : '',
  };
}

/**
 * The collector's ingest path (IngestPipeline: decode, sessions, enrichment in the sink) over
 * `datagrams` round and round for SECONDS, draining the tracker after every pass so that each session
 * of the pass is emitted — and enriched — once, as every real session is once it ends. `enrichment`
 * null: the same path without country and AS lookups.
 */
async function pipelineCase(name, datagrams, enrichment) {
  let emitted = 0;
  const pipeline = new IngestPipeline({ conntracksize: 1_000_000, timeout: 0, enrichment, onSessions: (_c, n) => (emitted += n) });
  const pass = () => {
    let flows = 0;
    for (const d of datagrams) flows += pipeline.datagram('netflow', d.payload, d.src, 0).flows;
    pipeline.drain();
    return flows;
  };
  pass();
  globalThis.gc?.();
  await settle();
  emitted = 0;
  let flows = 0;
  // CPU time as well as wall time: on a machine shared with other jobs the process's own CPU seconds
  // vary far less than the wall clock, and the two variants are compared on them.
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const stop = t0 + BigInt(Math.round(SECONDS * 1e9));
  let now = t0;
  while (now < stop) {
    flows += pass();
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  return {
    case: name,
    flows,
    seconds: secs.toFixed(2),
    'flows/s': Math.round(flows / secs),
    'flows/CPU s': Math.round(flows / cpuSecs),
    sessions: `${emitted} emitted${enrichment === null ? '' : ' and enriched'} (${(emitted / flows).toFixed(2)} a flow)`,
  };
}

/** Write flow `r` of `b`: one direction of session `j` of `pop`, over [startUs, endUs]. */
function putFlow(b, r, pop, j, fwd, startUs, endUs, exporter, flags) {
  const o = r * 4;
  b.exporter[o + 2] = 0xffff;
  b.exporter[o + 3] = exporter;
  b.srcAddr[o + 2] = 0xffff;
  b.dstAddr[o + 2] = 0xffff;
  b.srcAddr[o + 3] = fwd ? pop.cln[j] : pop.srv[j];
  b.dstAddr[o + 3] = fwd ? pop.srv[j] : pop.cln[j];
  b.srcPort[r] = fwd ? pop.cport[j] : pop.sport[j];
  b.dstPort[r] = fwd ? pop.sport[j] : pop.cport[j];
  b.proto[r] = pop.proto[j];
  b.expv[r] = 9;
  b.packets[r] = 1 + (j & 63);
  b.bytes[r] = 60 + (j & 0xffff);
  b.start[r] = startUs;
  b.end[r] = endUs;
  b.tcpFlags[r] = pop.proto[j] === 6 ? flags : 0;
  b.inIf[r] = fwd ? 3 : 7;
  b.outIf[r] = fwd ? 7 : 3;
  b.srcAs[r] = fwd ? 64512 : 15169;
  b.dstAs[r] = fwd ? 15169 : 64512;
  b.samplingRate[r] = 1;
}

/** Prefill a tracker with `active` sessions (one client→server flow each), in batches of 4096. */
function prefill(tracker, pop, t0) {
  const b = new FlowBatch(4096);
  for (let j = 0; j < pop.n; ) {
    const n = Math.min(4096, pop.n - j);
    for (let r = 0; r < n; r++, j++) putFlow(b, r, pop, j, true, t0 - 30e6, t0, 1 + (j & 3), 0x02);
    b.length = n;
    tracker.ingest(b, 0);
    b.reset();
  }
}

/**
 * The measured stream, 4096-flow batches: 45 % reverse flows of tracked sessions (pairing), 35 %
 * further client→server flows (long sessions exported at active timeout, 1 % spanning more than
 * toolong), 20 % flows of new sessions that replace one of the population (the table is full: each
 * evicts the least recently updated session). Time advances 10 µs per flow.
 */
function stream(pop, batches, t0, seed) {
  const rnd = xorshift(seed);
  const out = [];
  let t = t0;
  for (let k = 0; k < batches; k++) {
    const b = new FlowBatch(4096);
    for (let r = 0; r < 4096; r++) {
      t += 10;
      const j = rnd() % pop.n;
      const x = rnd() % 100;
      if (x < 45) putFlow(b, r, pop, j, false, t - 20e6, t, 1 + (j & 3), 0x1a);
      else if (x < 80) putFlow(b, r, pop, j, true, x === 79 ? t - 9 * 3600e6 : t - 60e6, t, 1 + (j & 3), 0x1a);
      else {
        pop.renew(j);
        putFlow(b, r, pop, j, true, t - 5e6, t, 1 + (j & 3), 0x02);
      }
    }
    b.length = 4096;
    out.push(b);
  }
  return out;
}

async function trackerCase() {
  globalThis.gc?.();
  await settle();
  const rss0 = process.memoryUsage().rss;
  let emitted = 0;
  const tracker = new SessionTracker({ conntracksize: ACTIVE, onSessions: (_c, n) => (emitted += n) });
  const pop = population(ACTIVE, 5);
  const popBytes = ACTIVE * 11;
  const t0 = 1_700_000_000e6;
  const p0 = process.hrtime.bigint();
  prefill(tracker, pop, t0);
  const prefillSecs = Number(process.hrtime.bigint() - p0) / 1e9;
  globalThis.gc?.();
  await settle();
  const rss1 = process.memoryUsage().rss;
  const st0 = tracker.stats();
  const batches = stream(pop, 256, t0, 7);
  // warm-up pass over part of the stream, then timed passes for SECONDS
  for (let k = 0; k < 32; k++) tracker.ingest(batches[k], 0);
  let flows = 0;
  const t1 = process.hrtime.bigint();
  const stop = t1 + BigInt(Math.round(SECONDS * 1e9));
  let now = t1;
  while (now < stop) {
    for (const b of batches) tracker.ingest(b, 0);
    flows += batches.length * 4096;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t1) / 1e9;
  const st = tracker.stats();
  return {
    rows: [
      { case: `tracker alone: prefill ${ACTIVE.toLocaleString('en-US')} new sessions`, flows: ACTIVE, seconds: prefillSecs.toFixed(2), 'flows/s': Math.round(ACTIVE / prefillSecs), sessions: `${st0.active} active` },
      {
        case: `tracker alone: mixed stream at ${st.active.toLocaleString('en-US')} active`,
        flows,
        seconds: secs.toFixed(2),
        'flows/s': Math.round(flows / secs),
        sessions: `${emitted} emitted (evicted ${st.emitted.evicted}, toolong ${st.emitted.toolong}), ${st.flips} flips`,
      },
    ],
    memory: {
      'active sessions': st0.active,
      'RSS growth, MiB': ((rss1 - rss0 - popBytes) / MiB).toFixed(0),
      'RSS, MiB': (rss1 / MiB).toFixed(0),
      'tracker typed arrays, MiB': (st0.memoryBytes / MiB).toFixed(0),
      'bytes per active session': Math.round(st0.memoryBytes / st0.active),
    },
  };
}

if (globalThis.gc === undefined) console.error('run with node --expose-gc for steadier figures');
// the tracker alone first, so that its RSS figure is not blurred by memory the other cases freed
const tc = await trackerCase();
const rows = [...tc.rows];
const nfCorpus = corpusDatagrams(['netflow9/gl-nprobe-netflow9-3.pcap', 'netflow9/pta-101-NFv9-CISCO-cust_primitives.pcap']);
const nfGen = generatedV9(20_000, 200_000);
for (const [name, datagrams] of [
  ['NetFlow v9 corpus (nProbe, IOS XR), replicated', nfCorpus],
  ['NetFlow v9 generated, 560,000 flows of 200,000 sessions', nfGen],
]) {
  const dec = await decodeCase(`${name}: decode only`, datagrams, false);
  const both = await decodeCase(`${name}: decode + sessions`, datagrams, true);
  rows.push(dec, both);
  console.error(`${both.case}: ${both['flows/s'].toLocaleString('en-US')} flows/s (decode only ${dec['flows/s'].toLocaleString('en-US')})`);
}
// Enrichment on the ingest path: the same pipeline with and without it, three times each, alternating,
// so that a change of machine load between the runs evens out; compared on the median CPU rate.
const enrichment = openEnrichment();
const pipeName = 'NetFlow v9 generated, pipeline (decode, sessions, each emitted once a pass)';
const pipeRows = [];
for (let k = 0; k < 3; k++) {
  for (const e of [null, enrichment]) pipeRows.push(await pipelineCase(`${pipeName}${e === null ? '' : ' + enrichment'}`, nfGen, e));
}
rows.push(...pipeRows);
const median = (enriched, col) => {
  const v = pipeRows.filter((r) => r.case.endsWith('+ enrichment') === enriched).map((r) => r[col]).sort((a, b) => a - b);
  return v[v.length >> 1];
};
console.table(rows.map((r) => ({ ...r, 'flows/s': r['flows/s'].toLocaleString('en-US'), 'flows/CPU s': r['flows/CPU s']?.toLocaleString('en-US') ?? '' })));
for (const col of ['flows/CPU s', 'flows/s']) {
  const [with_, without] = [median(true, col), median(false, col)];
  console.log(`enrichment on the ingest path, median ${col}: ${with_.toLocaleString('en-US')} with it, ${without.toLocaleString('en-US')} without: ${((1 - with_ / without) * 100).toFixed(1)} % slower`);
}
console.table([tc.memory]);
for (const r of rows.filter((r) => r.case.includes('decode + sessions') || r.case.includes('tracker') || r.case.includes('pipeline'))) {
  console.log(`${r.case}: ${r['flows/s'] >= TARGET ? 'meets' : 'BELOW'} the target of ${TARGET.toLocaleString('en-US')} flows/s per core`);
}
