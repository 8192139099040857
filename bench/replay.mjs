// Replays generated flow exports to a collector at a fixed rate, for ingestion benchmarks: NetFlow v9,
// IPFIX or sFlow v5, pre-encoded, paced per millisecond, with the totals the receiver should report.
//
//   npm run build && node bench/replay.mjs --format v9 --port 2055 --rate 1000000 --seconds 60
//
// Options: --format v9|ipfix|sflow   --port P   --rate FLOWS_PER_S   [--seconds 60] [--host 127.0.0.1]
//          [--sessions 200000] [--seed 1] [--datagram-bytes 1400] [--sampling 100 (sFlow)]
//
// What is sent: `--sessions` generated sessions, started 1 to 1.5 h ago and cut at the export time (an
// exporter reports flows that have ended), become flow records (sessionsToFlows: a client→server flow
// and, when the server answered, a server→client one, which the collector pairs), encoded once into
// a pool of datagrams. The pool is sent over and over; each pass carries its own source id / observation
// domain / sFlow sub-agent (1, 2, 3…), so no two passes' flows belong to one session and the collector
// cannot collapse them. Before each send only the header is touched: the pass's domain and the current
// export time (v9 unix_secs: flow times follow it, being sysUptime-relative; IPFIX export time; sFlow
// uptime). For sFlow a "flow" is a flow sample (one collector row): --rate counts samples, and the pool
// holds round(packets / --sampling) samples per flow record.
//
// stdout: one JSON object. `expected` is what a collector decoding everything must count (flow rows,
// and their packets and bytes after sampling scale-up), computed by decoding the pool with core's
// FlowDecoder. Diagnostics go to stderr; exit code 2 for bad arguments.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import {
  FlowBatch,
  FlowDecoder,
  IpfixEncoder,
  NetflowV9Encoder,
  SflowV5Encoder,
} from '../packages/core/dist/index.js';
import { poolFlows } from './benchlib.mjs';

const USAGE = 'usage: node bench/replay.mjs --format v9|ipfix|sflow --port P --rate FLOWS_PER_S [--seconds 60] [--host 127.0.0.1] [--sessions 200000] [--seed 1] [--datagram-bytes 1400] [--sampling 100]';

function fail(message) {
  process.stderr.write(`replay: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set(['format', 'port', 'rate', 'seconds', 'host', 'sessions', 'seed', 'datagram-bytes', 'sampling']);
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const name = a.startsWith('--') ? a.slice(2) : '';
    if (!known.has(name)) fail(`unknown option ${JSON.stringify(a)}`);
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) fail(`--${name} needs a value`);
    o[name] = v;
  }
  const num = (name, dflt, lo, hi, integer = true) => {
    const raw = o[name];
    if (raw === undefined) {
      if (dflt === undefined) fail(`--${name} is required`);
      return dflt;
    }
    const n = Number(raw);
    if (!Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) fail(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${lo} to ${hi}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const format = o.format;
  if (!['v9', 'ipfix', 'sflow'].includes(format)) fail(`--format must be v9, ipfix or sflow, got ${JSON.stringify(format)}`);
  return {
    format,
    port: num('port', undefined, 1, 65535),
    rate: num('rate', undefined, 1, 1e9, false),
    seconds: num('seconds', 60, 0.001, 86400, false),
    host: o.host ?? '127.0.0.1',
    sessions: num('sessions', 200_000, 1, 50_000_000),
    seed: num('seed', 1, 0, Number.MAX_SAFE_INTEGER),
    datagramBytes: num('datagram-bytes', 1400, 400, format === 'ipfix' ? 65535 : 65507),
    sampling: num('sampling', 100, 1, 4294967295),
  };
}

/** Encode the pool; per datagram: flows, packets and bytes a collector decodes from it. */
function encodePool(opt, flows, nowMs) {
  let datagrams;
  if (opt.format === 'v9') {
    datagrams = new NetflowV9Encoder({ sourceId: 1, maxDatagramBytes: opt.datagramBytes }).encode(flows, 0, flows.length, nowMs);
  } else if (opt.format === 'ipfix') {
    datagrams = new IpfixEncoder({ observationDomain: 1, maxDatagramBytes: opt.datagramBytes }).encode(flows, 0, flows.length, nowMs);
  } else {
    datagrams = new SflowV5Encoder({ subAgentId: 1, samplingRate: opt.sampling, maxDatagramBytes: opt.datagramBytes }).encode(flows, 0, flows.length, nowMs).datagrams;
  }
  const n = datagrams.length;
  const rows = new Float64Array(n);
  const packets = new Float64Array(n);
  const bytes = new Float64Array(n);
  const decoder = new FlowDecoder();
  const out = new FlowBatch(4096);
  for (let i = 0; i < n; i++) {
    out.reset();
    if (opt.format === 'sflow') decoder.decodeSflow(datagrams[i], '127.0.0.1', { nowMs }, out);
    else decoder.decode(datagrams[i], '127.0.0.1', { nowMs }, out);
    rows[i] = out.length;
    for (let r = 0; r < out.length; r++) {
      packets[i] += out.packets[r];
      bytes[i] += out.bytes[r];
    }
  }
  return { datagrams: datagrams.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)), rows, packets, bytes };
}

/** Header offsets: where the pass's domain goes, and how the export time is written. */
function headerLayout(format) {
  if (format === 'v9') return { domainAt: 16, timeAt: 8, time: 'secs' };
  if (format === 'ipfix') return { domainAt: 12, timeAt: 4, time: 'secs' };
  // sFlow, IPv4 agent: version, address type, address, sub-agent id, sequence, uptime.
  return { domainAt: 12, timeAt: 20, time: 'uptime' };
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const flows = poolFlows(opt.sessions, opt.seed, t0);
  const pool = encodePool(opt, flows, t0);
  const D = pool.datagrams.length;
  if (D < 2) fail(`--sessions ${opt.sessions} gives ${D} datagram; use more sessions`);
  let poolFlowsN = 0;
  for (const f of pool.rows) poolFlowsN += f;
  process.stderr.write(`replay: pool of ${opt.sessions} sessions → ${flows.length} flow records → ${D} ${opt.format} datagrams (${poolFlowsN} collector rows) in ${Date.now() - t0} ms\n`);

  const socket = dgram.createSocket({ type: opt.host.includes(':') ? 'udp6' : 'udp4', sendBufferSize: 16 << 20 });
  let sendErrors = 0;
  let lastError = '';
  socket.on('error', (e) => {
    sendErrors++;
    lastError = e.message;
  });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(opt.port, opt.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });

  // A datagram is patched again only a whole pass later; keep fewer than that queued in the socket.
  const maxQueued = Math.max(1, Math.min(2000, Math.floor(D / 2)));
  const layout = headerLayout(opt.format);
  const bootMs = t0 - 20 * 86_400_000;
  let pass = 0;
  let d = 0;
  let sentFlows = 0;
  let sentDatagrams = 0;
  let sentBytes = 0;
  let expPackets = 0;
  let expBytes = 0;
  const startMs = performance.now();
  const endMs = startMs + opt.seconds * 1000;
  const perMs = opt.rate / 1000;
  let timeValue = 0;
  let timeStamp = -1;

  while (true) {
    const now = performance.now();
    if (now >= endMs) break;
    const due = Math.floor((now - startMs) * perMs);
    if (sentFlows >= due || socket.getSendQueueCount() > maxQueued) {
      // Ahead of the schedule: sleep a millisecond; the socket backed up: let libuv send.
      if (sentFlows >= due) await new Promise((r) => setTimeout(r, 1));
      else await new Promise((r) => setImmediate(r));
      continue;
    }
    const wall = Date.now();
    if (wall !== timeStamp) {
      timeStamp = wall;
      timeValue = layout.time === 'secs' ? Math.floor(wall / 1000) : (wall - bootMs) % 4294967296;
    }
    // Send what this millisecond owes, in one synchronous burst.
    while (sentFlows < due && socket.getSendQueueCount() <= maxQueued) {
      if (d === 0) pass++;
      const buf = pool.datagrams[d];
      buf.writeUInt32BE(pass, layout.domainAt);
      buf.writeUInt32BE(timeValue, layout.timeAt);
      socket.send(buf);
      sentFlows += pool.rows[d];
      expPackets += pool.packets[d];
      expBytes += pool.bytes[d];
      sentBytes += buf.length;
      sentDatagrams++;
      d = d + 1 === D ? 0 : d + 1;
    }
  }
  const elapsed = (performance.now() - startMs) / 1000;
  // Let queued datagrams leave before closing.
  while (socket.getSendQueueCount() > 0) await new Promise((r) => setTimeout(r, 5));
  socket.close();
  const result = {
    format: opt.format,
    host: opt.host,
    port: opt.port,
    seconds: Number(elapsed.toFixed(3)),
    targetFlowsPerSecond: opt.rate,
    achievedFlowsPerSecond: Math.round(sentFlows / elapsed),
    flowsSent: sentFlows,
    datagramsSent: sentDatagrams,
    bytesSent: sentBytes,
    datagramsPerSecond: Math.round(sentDatagrams / elapsed),
    passes: pass,
    sourceIds: pass > 0 ? [1, pass] : [],
    pool: { sessions: opt.sessions, flowRecords: flows.length, datagrams: D, collectorRows: poolFlowsN, datagramBytes: opt.datagramBytes, ...(opt.format === 'sflow' ? { samplingRate: opt.sampling } : {}) },
    expected: { flows: sentFlows, packets: expPackets, bytes: expBytes },
    sendErrors,
    ...(sendErrors > 0 ? { lastSendError: lastError } : {}),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (result.achievedFlowsPerSecond < opt.rate * 0.98) {
    process.stderr.write(`replay: reached ${result.achievedFlowsPerSecond} flows/s of the ${opt.rate} asked (this process is the bottleneck; try --datagram-bytes 8900 on loopback)\n`);
  }
}

await main();
