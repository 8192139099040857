// The ingest benchmark of issue 4: the highest rate a collector (ftserver, or nfcapd as the reference)
// takes from bench/replay.mjs over loopback without losing a flow, with the collector's CPU (per thread too)
// and memory.
//
//   node bench/ingest.mjs --format v9|ipfix|sflow [--seconds 60] [--rates 100000,250000,...]
//        [--collector ftserver|nfcapd] [--bisect 3] [--repeat 1] [--datagram-bytes 1400] [--node-args="--cpu-prof ..."]
//        [--server-args="--toolong 0"] [--query-every SECONDS] [--out FILE]
//
// Per rate: a fresh collector (ftserver: temporary store, default storage settings; nfcapd: temporary
// directory, -B 32 MiB like ftserver's buffer), replay.mjs as a child process at that rate, then wait
// until the collector's socket queue is empty and check what it stored against replay's totals:
// ftserver through its API (every session's FLOWS, packets and bytes, streamed), nfcapd with nfdump.
// Lossless = flows, packets and bytes all equal. ftserver runs with --toolong 0 unless --server-args says
// otherwise: a session cut into toolong pieces counts a flow spanning the cut in both pieces, so the sum
// of FLOWS would exceed the flows received by the number of such cuts (packets and bytes are split exactly). The rates are tried in increasing order up to the
// first lossy one, then bisected between the last lossless and that one. --query-every S (ftserver
// only) asks the server, every S seconds while the replay sends, what a dashboard would — the top 10
// addresses by bytes over the last two hours, GET /api/v1/stat — and reports how long those took.
// Prints a table and JSON; nothing here asserts a rate.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO,
  RECEIVE_BUFFER,
  benchOptions,
  cpuSeconds,
  load,
  machine,
  median,
  memory,
  mib,
  nfdumpTotals,
  raiseSocketBufferLimits,
  startFtserver,
  startNfcapd,
  threadCpuSeconds,
  threadShares,
  udpSocket,
  waitUdpDrained,
} from './serverlib.mjs';

const USAGE =
  'usage: node bench/ingest.mjs --format v9|ipfix|sflow [--seconds 60] [--rates 100000,250000,500000,...] [--collector ftserver|nfcapd] [--bisect 3] [--repeat 1] [--datagram-bytes 1400] [--node-args="ARGS"] [--server-args="--toolong 0"] [--query-every SECONDS] [--out FILE]';
const DEFAULT_RATES = [100_000, 250_000, 500_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000, 3_000_000];

function options() {
  const { values, fail, whole: wholeText } = benchOptions('ingest', USAGE, {
    format: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    rates: { type: 'string' },
    collector: { type: 'string', default: 'ftserver' },
    bisect: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '1' },
    'datagram-bytes': { type: 'string', default: '1400' },
    'node-args': { type: 'string', default: '' },
    'server-args': { type: 'string', default: '--toolong 0' },
    out: { type: 'string' },
    'query-every': { type: 'string' },
  });
  if (!['v9', 'ipfix', 'sflow'].includes(values.format)) fail(`--format must be v9, ipfix or sflow, got ${JSON.stringify(values.format ?? '')}`);
  if (!['ftserver', 'nfcapd'].includes(values.collector)) fail(`--collector must be ftserver or nfcapd, got ${JSON.stringify(values.collector)}`);
  if (values.collector === 'nfcapd' && values.format === 'sflow') {
    fail("nfcapd does not read sFlow, and Debian's nfdump 1.7.1 package has no sfcapd: there is no reference collector for --format sflow");
  }
  const seconds = Number(values.seconds);
  if (!(seconds > 0 && seconds <= 3600)) fail(`--seconds must be a number of seconds from 0 to 3600, got ${JSON.stringify(values.seconds)}`);
  const whole = (name, lo, hi) => wholeText(name, values[name], lo, hi);
  let rates = DEFAULT_RATES;
  if (values.rates !== undefined) {
    rates = values.rates.split(',').map((s) => Number(s.trim()));
    if (rates.some((r) => !Number.isInteger(r) || r < 1000 || r > 100_000_000)) fail(`--rates must be whole flows per second from 1000 to 100000000, comma-separated, got ${JSON.stringify(values.rates)}`);
    rates = [...new Set(rates)].sort((a, b) => a - b);
  }
  return {
    format: values.format,
    collector: values.collector,
    seconds,
    rates,
    bisect: whole('bisect', 0, 20),
    repeat: whole('repeat', 1, 20),
    datagramBytes: whole('datagram-bytes', 400, 65000),
    nodeArgs: values['node-args'].split(' ').filter((s) => s !== ''),
    serverArgs: values['server-args'].split(' ').filter((s) => s !== ''),
    out: values.out,
    queryEvery: values['query-every'] === undefined ? null : queryEvery(values['query-every'], values.collector, fail),
  };
}

const opt = options();
const log = (m) => process.stderr.write(`ingest: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function queryEvery(text, collector, fail) {
  const n = Number(text);
  if (!(n >= 0.5 && n <= 600)) fail(`--query-every must be a number of seconds from 0.5 to 600, got ${JSON.stringify(text)}`);
  if (collector !== 'ftserver') fail('--query-every asks ftserver; nfcapd has no query API');
  return n;
}

/**
 * While `sending()` is true: every `seconds`, the top 10 addresses by bytes over the last two hours
 * through the API, one at a time. Resolves with each query's milliseconds (and errors) when stopped.
 */
function pollQueries(server, seconds, sending) {
  const ms = [];
  const errors = [];
  const done = (async () => {
    while (sending()) {
      const t0 = performance.now();
      const now = Math.floor(Date.now() / 1000);
      try {
        await server.getText('/api/v1/stat', { group_by: 'IP', count_by: 'BYTES', rows: 10, after_time: now - 7200, before_time: now + 60 });
        ms.push(Math.round(performance.now() - t0));
      } catch (e) {
        errors.push(e.message.slice(0, 300));
      }
      const wait = seconds * 1000 - (performance.now() - t0);
      if (wait > 0) await sleep(wait);
    }
  })();
  return done.then(() => ({ ms, errors }));
}

/** Run replay.mjs at `rate` to `port`; its JSON. `onSending` is called when it begins to send. */
function replay(port, rate, onSending) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bench/replay.mjs'), '--format', opt.format, '--port', String(port), '--rate', String(rate), '--seconds', String(opt.seconds), '--datagram-bytes', String(opt.datagramBytes)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let sending = false;
    child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s) => {
      err += s;
      // replay starts sending right after it reports its pool
      if (!sending && err.includes('replay: pool of')) {
        sending = true;
        onSending();
      }
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`replay.mjs exited with ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`replay.mjs printed no JSON: ${out.slice(0, 500)} ${err.slice(-1000)}`));
      }
    });
  });
}

/**
 * What ftserver holds: every session's FLOWS (summed) with the `# Total` line of the CSV answer
 * (sessions, packets, bytes), streamed, over a frame wide enough for everything replay sent.
 */
async function ftserverTotals(server) {
  const now = Math.floor(Date.now() / 1000);
  const params = { fields: 'FLOWS', format: 'csv', header: 1, after_time: now - 3 * 86400, before_time: now + 86400 };
  let flows = 0;
  let rows = 0;
  let total = null;
  let tail = '';
  await server.getStream('/api/v1/sessions', params, (text) => {
    const lines = (tail + text).split('\n');
    tail = lines.pop();
    for (const l of lines) {
      if (l.startsWith('#')) total = l;
      else if (l !== 'FLOWS' && l !== '') {
        flows += Number(l);
        rows++;
      }
    }
  });
  const m = total === null ? null : /^# Total sessions: (\d+), Total packets: (\d+), Total bytes: (\d+)$/.exec(total);
  if (m === null) throw new Error(`the sessions answer has no "# Total" line (got ${JSON.stringify(total)})`);
  if (Number(m[1]) !== rows) throw new Error(`the sessions answer has ${rows} rows but its total line says ${m[1]}`);
  return { flows, sessions: rows, packets: Number(m[2]), bytes: Number(m[3]) };
}

/**
 * Wait until the store files stop changing: no finished session pending, and a storage cycle run since
 * the socket drained (or, when the last cycle came before that, a few cycle intervals without one: the
 * server skips cycles when nothing arrived). Queries see pending and active sessions anyway; this only
 * keeps the verification from racing a cycle that rewrites the newest partial segment.
 */
async function settled(server, timeoutMs = 120_000) {
  const t0 = Date.now();
  const first = (await server.metrics()).sum('opentraq_storage_cycles_total');
  for (;;) {
    const m = await server.metrics();
    const quiet = Date.now() - t0 > 8000;
    if (m.sum('opentraq_sessions_pending') === 0 && (m.sum('opentraq_storage_cycles_total') > first || quiet)) return m;
    if (Date.now() - t0 > timeoutMs) throw new Error(`ftserver still held ${m.sum('opentraq_sessions_pending')} finished sessions in memory ${timeoutMs} ms after the end of the replay`);
    await sleep(200);
  }
}

/** Storage cycles logged at debuglevel LOW: how many, and the longest, ms. */
function cycleStats(logText) {
  const ms = [...logText.matchAll(/storage cycle .* ms=(\d+)/g)].map((m) => Number(m[1]));
  return { cycles: ms.length, maxMs: ms.length === 0 ? 0 : Math.max(...ms), totalMs: ms.reduce((a, b) => a + b, 0) };
}

/** One rate against one fresh collector. */
async function runRate(rate) {
  const loadBefore = load();
  const collector =
    opt.collector === 'ftserver'
      ? await startFtserver({ debuglevel: 'LOW', nodeArgs: opt.nodeArgs, args: opt.serverArgs })
      : await startNfcapd({ bufferBytes: RECEIVE_BUFFER });
  const port = opt.collector === 'ftserver' ? collector.ports[opt.format === 'sflow' ? 'sflow' : 'netflow'] : collector.port;
  try {
    await sleep(1000);
    let cpuStart = cpuSeconds(collector.pid);
    let threadsStart = threadCpuSeconds(collector.pid);
    let tStart = performance.now();
    let sending = false;
    let polling = null;
    const result = await replay(port, rate, () => {
      cpuStart = cpuSeconds(collector.pid);
      threadsStart = threadCpuSeconds(collector.pid);
      tStart = performance.now();
      sending = true;
      if (opt.queryEvery !== null) polling = pollQueries(collector, opt.queryEvery, () => sending);
    });
    sending = false;
    const queries = polling === null ? null : await polling;
    const drained = await waitUdpDrained(port, { timeoutMs: 300_000 });
    const wall = (performance.now() - tStart) / 1000;
    const cpu = cpuSeconds(collector.pid) - cpuStart;
    const threads = threadShares(collector.pid, threadsStart, threadCpuSeconds(collector.pid), wall);
    const mem = memory(collector.pid);
    const sock = udpSocket(port);
    const loadAfter = load();
    let stored;
    let extra = {};
    if (opt.collector === 'ftserver') {
      const m = await settled(collector);
      let lastError;
      for (let attempt = 0; attempt < 3 && stored === undefined; attempt++) {
        try {
          stored = await ftserverTotals(collector);
        } catch (e) {
          // a query racing a storage cycle can fail (the cycle rewrites the last segment); the store is settled, so ask again
          lastError = e;
          log(`verify query failed (${e.message.slice(0, 300)}); asking again`);
          await sleep(1000);
        }
      }
      if (stored === undefined) throw lastError;
      await collector.stop();
      extra = {
        datagramsReceived: m.sum('opentraq_datagrams_received_total'),
        flowsDecoded: m.sum('opentraq_flows_decoded_total'),
        sessionsActive: m.sum('opentraq_sessions_active'),
        receiveBufferGranted: [...m.series].find(([k]) => k.startsWith('opentraq_receive_buffer_bytes{') && k.includes(`port="${port}"`))?.[1] ?? null,
        storageCycles: cycleStats(collector.log),
      };
    } else {
      await collector.stop();
      stored = await nfdumpTotals(collector.dir);
      extra = { receiveBufferAsked: RECEIVE_BUFFER };
    }
    const e = result.expected;
    const lossless = stored.flows === e.flows && stored.packets === e.packets && stored.bytes === e.bytes;
    return {
      rate,
      achievedFlowsPerSecond: result.achievedFlowsPerSecond,
      senderLimited: result.achievedFlowsPerSecond < rate * 0.98,
      seconds: result.seconds,
      datagramsSent: result.datagramsSent,
      sendErrors: result.sendErrors,
      expected: e,
      stored,
      lossless,
      lostFlows: e.flows - stored.flows,
      drainedQueue: drained,
      kernelDrops: sock?.drops ?? null,
      collectorCpuSeconds: Number(cpu.toFixed(2)),
      collectorCpuPercent: Math.round((cpu / wall) * 100),
      collectorThreadCpuPercent: threads,
      ...(queries === null
        ? {}
        : { queriesWhileSending: { count: queries.ms.length, medianMs: queries.ms.length === 0 ? null : median(queries.ms), maxMs: queries.ms.length === 0 ? null : Math.max(...queries.ms), errors: queries.errors } }),
      collectorPeakRssMiB: mib(mem.hwm),
      collectorRssMiB: mib(mem.rss),
      load: { before: loadBefore, after: loadAfter },
      ...extra,
    };
  } finally {
    await collector.cleanup();
  }
}

/** Every repetition at `rate`; it is lossless when all are. Stops at the first lossy repetition. */
async function tryRate(rate, runs) {
  const mine = [];
  for (let i = 0; i < opt.repeat; i++) {
    log(`${opt.collector} ${opt.format} at ${rate.toLocaleString('en-US')} flows/s for ${opt.seconds} s (run ${i + 1}/${opt.repeat}, load ${load().join(' ')})`);
    let r;
    try {
      r = await runRate(rate);
    } catch (e) {
      // a run that cannot be completed (a collector that died, a query that kept failing) is a result too
      r = { rate, error: e.message, lossless: false, senderLimited: false, load: { before: load(), after: load() } };
      runs.push(r);
      mine.push(r);
      log(`  FAILED: ${e.message.slice(0, 2000)}`);
      break;
    }
    runs.push(r);
    mine.push(r);
    log(
      `  sent ${r.achievedFlowsPerSecond.toLocaleString('en-US')}/s, stored ${r.stored.flows.toLocaleString('en-US')} of ${r.expected.flows.toLocaleString('en-US')} flows: ${r.lossless ? 'lossless' : `LOST ${r.lostFlows.toLocaleString('en-US')}`}` +
        `, kernel drops ${r.kernelDrops}, CPU ${r.collectorCpuPercent} %, peak RSS ${r.collectorPeakRssMiB} MiB` +
        (r.storageCycles ? `, longest storage cycle ${r.storageCycles.maxMs} ms` : '') +
        (r.queriesWhileSending ? `; ${r.queriesWhileSending.count} queries while sending, median ${r.queriesWhileSending.medianMs} ms, longest ${r.queriesWhileSending.maxMs} ms, ${r.queriesWhileSending.errors.length} failed` : ''),
    );
    if (!r.lossless || r.senderLimited) break;
  }
  return { lossless: mine.every((r) => r.lossless), senderLimited: mine.some((r) => r.senderLimited) };
}

async function main() {
  const limits = raiseSocketBufferLimits(RECEIVE_BUFFER);
  log(`net.core.rmem_max ${limits.rmem_max.before} -> ${limits.rmem_max.after}${limits.rmem_max.note ? ` (${limits.rmem_max.note})` : ''}`);
  const runs = [];
  let good = null;
  let bad = null;
  let stoppedBy = 'every step was lossless';
  for (const rate of opt.rates) {
    const t = await tryRate(rate, runs);
    if (t.lossless && !t.senderLimited) {
      good = rate;
      continue;
    }
    if (t.lossless) {
      stoppedBy = `the sender could not reach ${rate.toLocaleString('en-US')} flows/s`;
      break;
    }
    bad = rate;
    stoppedBy = `loss at ${rate.toLocaleString('en-US')} flows/s`;
    break;
  }
  // bisect between the last lossless step and the first lossy one, in steps of 10,000 flows/s
  for (let i = 0; i < opt.bisect && bad !== null; i++) {
    const lo = good ?? 0;
    const mid = Math.round((lo + bad) / 2 / 10_000) * 10_000;
    if (mid <= lo || mid >= bad) break;
    const t = await tryRate(mid, runs);
    if (t.lossless && !t.senderLimited) good = mid;
    else if (!t.lossless) bad = mid;
    else break;
  }
  // the headline: the fastest lossless run (a sender that fell short of its rate still measured what it sent)
  const best = runs.filter((r) => r.lossless).reduce((a, b) => (a === null || b.achievedFlowsPerSecond > a.achievedFlowsPerSecond ? b : a), null);
  const summary = {
    benchmark: 'ingest',
    collector: opt.collector,
    format: opt.format,
    seconds: opt.seconds,
    repeat: opt.repeat,
    datagramBytes: opt.datagramBytes,
    serverArgs: opt.collector === 'ftserver' ? opt.serverArgs : undefined,
    queryEvery: opt.queryEvery,
    date: new Date().toISOString(),
    machine: machine(),
    socketBuffers: { limits, asked: RECEIVE_BUFFER },
    highestLosslessRate: good,
    highestLosslessAchievedFlowsPerSecond: best?.achievedFlowsPerSecond ?? null,
    firstLossyRate: bad,
    search: stoppedBy,
    runs,
  };
  const table = [
    `| rate asked | sent flows/s | stored / expected flows | lossless | kernel drops | collector CPU | main / busiest other / other threads % | peak RSS MiB | load before → after |${opt.collector === 'ftserver' ? ' longest cycle ms |' : ''}`,
    `| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |${opt.collector === 'ftserver' ? ' ---: |' : ''}`,
    ...runs.map((r) =>
      r.error !== undefined
        ? `| ${r.rate.toLocaleString('en-US')} | failed: ${r.error.slice(0, 200).replaceAll('|', '/').replaceAll('\n', ' ')} |`
        : `| ${r.rate.toLocaleString('en-US')} | ${r.achievedFlowsPerSecond.toLocaleString('en-US')} | ${r.stored.flows.toLocaleString('en-US')} / ${r.expected.flows.toLocaleString('en-US')} | ${r.lossless ? 'yes' : 'no'} | ${r.kernelDrops ?? '?'} | ${r.collectorCpuSeconds} s (${r.collectorCpuPercent} %) | ${r.collectorThreadCpuPercent.mainThread} / ${r.collectorThreadCpuPercent.busiestOtherThread} / ${r.collectorThreadCpuPercent.otherThreads} | ${r.collectorPeakRssMiB} | ${r.load.before[0]} → ${r.load.after[0]} |` +
        (r.storageCycles ? ` ${r.storageCycles.maxMs} |` : ''),
    ),
  ];
  process.stdout.write(`# ${opt.collector}, ${opt.format}, ${opt.seconds} s per rate (${machine()})\n\n${table.join('\n')}\n\n`);
  if (opt.queryEvery !== null) {
    const lines = runs.filter((r) => r.queriesWhileSending).map((r) => `- ${r.rate.toLocaleString('en-US')}: ${r.queriesWhileSending.count} queries, median ${r.queriesWhileSending.medianMs} ms, longest ${r.queriesWhileSending.maxMs} ms, ${r.queriesWhileSending.errors.length} failed`);
    process.stdout.write(`top 10 addresses by bytes over the last two hours, asked every ${opt.queryEvery} s while sending:\n${lines.join('\n')}\n\n`);
  }
  process.stdout.write(
    `highest lossless rate asked: ${good === null ? 'none of the rates tried' : `${good.toLocaleString('en-US')} flows/s`}; fastest lossless run: ${best === null ? 'none' : `${best.achievedFlowsPerSecond.toLocaleString('en-US')} flows/s sent`}; search ended: ${stoppedBy}\n\n`,
  );
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (opt.out !== undefined) fs.writeFileSync(opt.out, `${JSON.stringify(summary, null, 2)}\n`);
}

await main();
