// The memory benchmark of issue 4: the resident memory of a running ftserver whose connection tracker
// holds 1,000,000 active sessions, and how long one durability cycle (which checkpoints them all) takes.
//
//   node bench/server-memory.mjs [--sessions 1000000] [--conntracksize 1100000] [--cycles 5]
//
// ftserver starts with a tracker large enough (--conntracksize; the default 447,248 slots would push
// sessions out to the store) and default storage settings. Generated sessions that started within
// the last 30 minutes (so none is idle for the 2 h timeout) are sent as NetFlow v9 over loopback,
// paced by the server's receive queue so that none is dropped, until /metrics counts the wanted number
// of active sessions (a few generated sessions share a 5-tuple with another and merge). Then the
// server is timed over --cycles storage cycles (one datagram of updates every half second keeps them
// coming: a server that received nothing skips its cycle); RSS (VmRSS, VmHWM) and each cycle's duration (its
// log line at debuglevel LOW, and opentraq_storage_cycle_seconds) are read. Prints figures only.
import { COLUMN_DEFS, FlowBatch, NetflowV9Encoder, SessionGenerator, allocColumns, sessionsToFlows, wordsPerRow } from '../packages/core/dist/index.js';
import { PacedSender, benchOptions, cpuSeconds, load, machine, median, memory, mib, raiseSocketBufferLimits, startFtserver, udpSocket, waitUdpDrained } from './serverlib.mjs';

const USAGE = 'usage: node bench/server-memory.mjs [--sessions 1000000] [--conntracksize 1100000] [--cycles 5]';

const { values: args, whole } = benchOptions('server-memory', USAGE, {
  sessions: { type: 'string', default: '1000000' },
  conntracksize: { type: 'string' },
  cycles: { type: 'string', default: '5' },
});
const SESSIONS = whole('sessions', args.sessions, 1000, 50_000_000);
const CONNTRACK = whole('conntracksize', args.conntracksize ?? String(Math.ceil(SESSIONS * 1.1)), SESSIONS, 500_000_000);
const CYCLES = whole('cycles', args.cycles, 1, 100);

const log = (m) => process.stderr.write(`server-memory: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Row `i` of session columns, copied into columns of its own. */
function oneSession(cols, i) {
  const one = allocColumns(1);
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    one[d.name].set(cols[d.name].subarray(i * w, i * w + w));
  }
  return one;
}

/** Storage cycle log lines (debuglevel LOW): finished, active, ms. */
function cycles(logText) {
  return [...logText.matchAll(/storage cycle finished=(\d+) active=(\d+) ms=(\d+)/g)].map((m) => ({ finished: Number(m[1]), active: Number(m[2]), ms: Number(m[3]) }));
}

/** Until the server has read and merged everything sent: its socket queue empty, decoded flows = sent, the tracker steady. */
async function ingested(server, port, flowsSent) {
  await waitUdpDrained(port, { timeoutMs: 600_000 });
  const until = Date.now() + 600_000;
  for (;;) {
    const m = await server.metrics();
    if (m.sum('opentraq_flows_decoded_total') >= flowsSent) break;
    if (Date.now() > until) throw new Error(`ftserver decoded ${m.sum('opentraq_flows_decoded_total')} of ${flowsSent} flows sent within 10 minutes`);
    await sleep(200);
  }
  // flows are merged into the tracker at the next tick (every second; later when a cycle holds the
  // event loop): done when the count of active sessions stays the same over two ticks
  let last = -1;
  for (;;) {
    await sleep(2100);
    const m = await server.metrics();
    const active = m.sum('opentraq_sessions_active');
    if (active === last) return m;
    last = active;
  }
}

async function main() {
  const limits = raiseSocketBufferLimits();
  log(`ftserver with --conntracksize ${fmt(CONNTRACK)}; filling it with ${fmt(SESSIONS)} active sessions`);
  const server = await startFtserver({ debuglevel: 'LOW', args: ['--conntracksize', String(CONNTRACK)] });
  try {
    await sleep(3000);
    const idle = memory(server.pid);
    const port = server.ports.netflow;
    const nowMs = Date.now();
    // Starts spread over [now - 30 min, now - 20 min]. Some sessions last hours, so their flows end in
    // the future, which moves the tracker's clock up to its 1 h lead ahead of now; with every session
    // active within the last 30 min, none is idle for the 2 h timeout even then.
    const gen = new SessionGenerator({ seed: 7, sessions: Math.ceil(SESSIONS * 1.2), startUs: (nowMs - 30 * 60_000) * 1000, spanUs: 10 * 60_000_000 });
    const encoder = new NetflowV9Encoder({ sourceId: 1, maxDatagramBytes: 1400 });
    const sender = await new PacedSender(port).open();
    const BATCH = 16384;
    const cols = allocColumns(BATCH);
    const flows = new FlowBatch(2 * BATCH);
    let keep;
    let sessionsSent = 0;
    let flowsSent = 0;
    let active = 0;
    const t0 = performance.now();
    const cpu0 = cpuSeconds(server.pid);
    let m;
    while (active < SESSIONS) {
      // send what is missing (all of it the first time), then count what the tracker holds
      let want = SESSIONS - active;
      while (want > 0) {
        const n = gen.fill(cols, Math.min(BATCH, want));
        if (n === 0) throw new Error(`the generator ran out after ${fmt(sessionsSent)} sessions with ${fmt(active)} active`);
        flows.reset();
        sessionsToFlows(cols, n, flows);
        // one ordinary session (no firewall events, which would close it) to send again later
        const plain = keep === undefined ? cols.asaevt.subarray(0, n).findIndex((e) => e === 0) : -1;
        if (plain >= 0) keep = oneSession(cols, plain);
        await sender.send(encoder.encode(flows, 0, flows.length, Date.now()));
        sessionsSent += n;
        flowsSent += flows.length;
        want -= n;
      }
      m = await ingested(server, port, flowsSent);
      active = m.sum('opentraq_sessions_active');
      log(`  sent ${fmt(sessionsSent)} sessions (${fmt(flowsSent)} flows): ${fmt(active)} active`);
    }
    const fillSeconds = (performance.now() - t0) / 1000;
    const fillCpu = cpuSeconds(server.pid) - cpu0;
    const filled = memory(server.pid);
    const before = cycles(server.log).length;
    log(`filled in ${fillSeconds.toFixed(1)} s; waiting for ${CYCLES} storage cycles`);
    // ftserver skips a cycle when nothing arrived since the last one; a live collector always receives
    // something, so the flows of one session already tracked (updates, no new session) are sent again
    // every half second while the cycles are timed
    const keepFlows = sessionsToFlows(keep, 1);
    const keepalive = encoder.encode(keepFlows, 0, keepFlows.length, Date.now());
    const until = Date.now() + 30 * 60_000;
    while (cycles(server.log).length < before + CYCLES) {
      if (Date.now() > until) throw new Error(`fewer than ${CYCLES} storage cycles in 30 minutes; the log ends: ${server.log.slice(-1500)}`);
      await sender.send(keepalive);
      await sleep(500);
    }
    await sender.close();
    const mem = memory(server.pid);
    const end = await server.metrics();
    const during = cycles(server.log).slice(before, before + CYCLES);
    const sock = udpSocket(port);
    const stopT = performance.now();
    await server.stop();
    const stopSeconds = (performance.now() - stopT) / 1000;
    const activeEnd = end.sum('opentraq_sessions_active');
    const out = {
      benchmark: 'server-memory',
      date: new Date().toISOString(),
      machine: machine(),
      conntracksize: CONNTRACK,
      socketBuffers: limits,
      sessionsSent,
      flowsSent,
      flowsDecoded: end.sum('opentraq_flows_decoded_total'),
      kernelDrops: sock?.drops ?? null,
      sessionsActive: activeEnd,
      sessionsStoredDuringFill: end.sum('opentraq_sessions_stored_total'),
      fill: { seconds: Number(fillSeconds.toFixed(1)), serverCpuSeconds: Number(fillCpu.toFixed(1)), senderWaits: sender.waits },
      rssMiB: { idle: mib(idle.rss), filled: mib(filled.rss), afterCycles: mib(mem.rss), peak: mib(mem.hwm) },
      bytesPerActiveSession: Math.round((mem.rss - idle.rss) / activeEnd),
      cycles: during,
      cycleMs: { median: median(during.map((c) => c.ms)), max: Math.max(...during.map((c) => c.ms)) },
      lastCycleSecondsMetric: end.sum('opentraq_storage_cycle_seconds'),
      stopSeconds: Number(stopSeconds.toFixed(1)),
      load: load(),
    };
    const lines = [
      `# ftserver memory at ${fmt(activeEnd)} active sessions (${machine()})`,
      '',
      '| what | figure |',
      '| --- | --- |',
      `| sessions sent / flows sent / flows decoded | ${fmt(sessionsSent)} / ${fmt(flowsSent)} / ${fmt(out.flowsDecoded)} (kernel drops ${out.kernelDrops}) |`,
      `| opentraq_sessions_active | ${fmt(activeEnd)} (conntracksize ${fmt(CONNTRACK)}) |`,
      `| RSS idle (started, nothing received yet) | ${out.rssMiB.idle} MiB |`,
      `| RSS with the sessions active, after ${CYCLES} cycles | ${out.rssMiB.afterCycles} MiB (+${mib(mem.rss - idle.rss)} MiB, ${fmt(out.bytesPerActiveSession)} bytes per active session) |`,
      `| peak RSS (VmHWM) | ${out.rssMiB.peak} MiB |`,
      `| durability cycle at that size (checkpoint of every active session) | median ${out.cycleMs.median} ms, max ${out.cycleMs.max} ms (${during.map((c) => c.ms).join(', ')}) |`,
      `| filling: wall / server CPU | ${out.fill.seconds} s / ${out.fill.serverCpuSeconds} s |`,
      `| clean stop (SIGTERM: every active session stored) | ${out.stopSeconds} s |`,
      `| load average (1, 5, 15 min) at the end | ${out.load.join(', ')} |`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await server.cleanup();
  }
}

await main();
