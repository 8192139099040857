// The detector benchmark of issue 6: training time and memory of each detector over weeks of stored
// history with many entities, and what one poll (a window check in DAY mode) costs the server.
//
//   node bench/nbi.mjs [--sessions 20000000] [--hosts 100000] [--weeks 4] [--memory-mb 100]
//        [--detectors ftdos,fttcv,...] [--dir DIR] [--keep] [--reuse]
//
// Preparation (timed, not part of the figures): N generated sessions among --hosts hosts over the last
// --weeks weeks, ending now, written straight into the server's store with core's ColumnStore and the
// server's default segment settings (what the store would hold after ingesting them; replaying weeks of
// traffic would take hours). ftserver then starts on that store.
// Per detector (one at a time, alone against the server): the launcher in bin/ with (those that train) -tn <weeks>w,
// -bm --memory-mb, -bd 0, -v, -nr; training time from the start to nbi.md's "Training complete" line,
// the entities it reports, its peak RSS (VmHWM); then the server's cost of one poll: query seconds
// (opentraq_query_duration_seconds) and server CPU seconds between the detector's first and second
// window lines (the second poll, so that nothing of the training is counted; the server's CPU with no
// detector, measured for 30 s first, is subtracted), against issue 6's budget of 1 % of the 2-minute step. Prints figures only; nothing here asserts a time or a size.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ColumnStore, SessionGenerator } from '../packages/core/dist/index.js';
import { ADMIN_PASSWORD, REPO, benchOptions, cpuSeconds, load, machine, memory, mib, startFtserver, tempDir } from './serverlib.mjs';

const USAGE =
  'usage: node bench/nbi.mjs [--sessions 20000000] [--hosts 100000] [--weeks 4] [--memory-mb 100] [--detectors ftdos,fttcv,ftscan,ftbfg,ftth,ftbl] [--dir DIR] [--keep] [--reuse]';

const { values: args, fail, whole } = benchOptions('nbi', USAGE, {
  sessions: { type: 'string', default: '20000000' },
  hosts: { type: 'string', default: '100000' },
  weeks: { type: 'string', default: '4' },
  'memory-mb': { type: 'string', default: '100' },
  detectors: { type: 'string' },
  dir: { type: 'string' },
  keep: { type: 'boolean', default: false },
  reuse: { type: 'boolean', default: false },
});
const SESSIONS = whole('sessions', args.sessions, 1000, 200_000_000);
const HOSTS = whole('hosts', args.hosts, 100, 10_000_000);
const WEEKS = whole('weeks', args.weeks, 1, 12);
const MEMORY_MB = whole('memory-mb', args['memory-mb'], 1, 1_048_576);
if (args.reuse && args.dir === undefined) fail('--reuse needs --dir: the directory a run with --keep prepared');
const DIR = path.resolve(args.dir ?? tempDir('opentraq-bench-nbi-'));
const KEEP = args.keep || args.reuse;

/** Each detector's own parameters: what it ranks; ftth gets a threshold, ftbl a list. */
const DETECTORS = {
  ftdos: [],
  fttcv: ['-grp', 'IP', '-cnt', 'BYTES'],
  ftscan: [],
  ftbfg: [],
  ftth: ['-grp', 'IP', '-cnt', 'BYTES', '-bt', '100000000'],
  ftbl: ['-bl', path.join(DIR, 'blacklist.txt')],
};
/** The detectors that train on the history (the others check each window against fixed rules). */
const TRAINED = new Set(['ftdos', 'fttcv', 'ftscan', 'ftbfg']);
const chosen = (args.detectors ?? Object.keys(DETECTORS).filter((d) => fs.existsSync(path.join(REPO, 'bin', d))).join(',')).split(',');
for (const d of chosen) {
  if (!(d in DETECTORS)) fail(`--detectors: unknown detector ${JSON.stringify(d)} (known: ${Object.keys(DETECTORS).join(', ')})`);
  if (!fs.existsSync(path.join(REPO, 'bin', d))) fail(`--detectors: bin/${d} does not exist in this build`);
}

const MINUTE_MS = 60_000;
const WEEK_US = 7 * 86_400_000_000;
const STEP_S = 120;
/** ftth's and ftbl's windows follow each other (their defaults: 300 s and 120 s), not a 2-minute step. */
const FIXED_WINDOW_S = { ftth: 300, ftbl: 120 };
const stepOf = (name) => (TRAINED.has(name) ? STEP_S : FIXED_WINDOW_S[name]);
const SEGMENT_SIZE = 92635;
const SEGMENT_COUNT = 927;
const storeDir = path.join(DIR, 'ftserver');
const manifestFile = path.join(DIR, 'manifest.json');
const log = (m) => process.stderr.write(`nbi: ${m}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function prepare() {
  fs.rmSync(storeDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(storeDir, 'SESSIONDB'), { recursive: true });
  // the history ends at the last whole minute, so the detectors' newest windows hold the latest of it
  const endUs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS * 1000;
  const genOpts = { seed: 42, sessions: SESSIONS, hosts: HOSTS, batchSize: 65536, reuseBuffers: true, spanUs: WEEKS * WEEK_US, startUs: endUs - WEEKS * WEEK_US };
  const store = ColumnStore.open(path.join(storeDir, 'SESSIONDB'), { segmentCount: SEGMENT_COUNT, segmentSize: SEGMENT_SIZE, computeCrc: true });
  const t0 = performance.now();
  let n = 0;
  for (const batch of new SessionGenerator(genOpts).batches()) {
    store.append(batch, batch.start.length);
    n += batch.start.length;
    if (n % (65536 * 64) === 0) log(`  ${fmt(n)} sessions (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  store.flush();
  const st = store.stats();
  store.close();
  const manifest = { sessions: SESSIONS, hosts: HOSTS, weeks: WEEKS, endUs, segments: st.segments, bytes: st.bytes, seconds: (performance.now() - t0) / 1000 };
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return manifest;
}

/** A detector process: its stderr lines with their arrival times, its exit. */
function startDetector(name, api) {
  const argv = [
    ...['-s', '127.0.0.1', '-p', String(api), '-un', 'admin', '-up', ADMIN_PASSWORD],
    // ftth and ftbl learn nothing: no history, no -bm (they refuse both)
    ...(TRAINED.has(name) ? ['-tn', `${WEEKS}w`, '-bm', String(MEMORY_MB)] : []),
    ...['-bd', '0', '-v', '-nr', '-j'],
    ...DETECTORS[name],
  ];
  const proc = spawn(process.execPath, [path.join(REPO, 'bin', name), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const d = { name, proc, lines: [], alerts: 0, peak: 0, exited: new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal }))) };
  let rest = '';
  proc.stderr.setEncoding('utf8').on('data', (s) => {
    const parts = (rest + s).split('\n');
    rest = parts.pop();
    for (const line of parts) d.lines.push({ at: performance.now(), line });
  });
  proc.stdout.setEncoding('utf8').on('data', (s) => (d.alerts += s.split('\n').length - 1));
  const sampler = setInterval(() => {
    const m = memory(proc.pid);
    if (m.hwm > d.peak) d.peak = m.hwm;
  }, 100);
  void d.exited.then(() => clearInterval(sampler));
  return d;
}

async function waitLine(d, test, timeoutMs, what) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const hit = d.lines.find((l) => test(l.line));
    if (hit !== undefined) return hit;
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`${d.name} exited while waiting for ${what}:\n${d.lines.map((l) => l.line).join('\n')}`);
    if (performance.now() > until) throw new Error(`${d.name}: no ${what} within ${timeoutMs / 1000} s:\n${d.lines.map((l) => l.line).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const isWindowLine = (name) => (l) => l.startsWith(`${name}: window `);

async function serverCost(server) {
  const m = await server.metrics();
  const q = (k) => [...m.series].filter(([s]) => s.startsWith(`opentraq_query_duration_seconds_${k}{`)).reduce((a, [, v]) => a + v, 0);
  return { querySeconds: q('sum'), queries: q('count'), cpu: cpuSeconds(server.pid) };
}

async function measure(server, name) {
  const t0 = performance.now();
  const d = startDetector(name, server.ports.api);
  try {
    const trained = TRAINED.has(name)
      ? await waitLine(d, (l) => l.startsWith('Training complete') || isWindowLine(name)(l), 3_600_000, 'end of training')
      : { line: '', at: t0 };
    const entities = Number(/tracking (\d+) entities/.exec(trained.line)?.[1] ?? NaN);
    const trainingS = trained.line.startsWith('Training complete') ? (trained.at - t0) / 1000 : NaN;
    const trainingPeak = d.peak;
    await waitLine(d, isWindowLine(name), (stepOf(name) + 60) * 1000, 'first window');
    // the first window is checked right after training, and so is every window that fell due while it
    // trained (a training longer than a step): the poll measured is the next one, alone
    const windowCount = () => d.lines.filter((l) => isWindowLine(name)(l.line)).length;
    for (let seen = 0; seen !== windowCount(); ) {
      seen = windowCount();
      await new Promise((r) => setTimeout(r, 3000));
    }
    const caughtUp = windowCount();
    const before = await serverCost(server);
    const t1 = performance.now();
    await waitLine(d, () => windowCount() > caughtUp, (stepOf(name) + 60) * 1000, 'the next window');
    const second = d.lines.filter((l) => isWindowLine(name)(l.line))[caughtUp];
    await new Promise((r) => setTimeout(r, 500));
    const after = await serverCost(server);
    const seconds = (performance.now() - t1) / 1000;
    d.proc.kill('SIGTERM');
    await d.exited;
    const notes = d.lines.map((l) => l.line).filter((l) => l.startsWith(`${name}: `) && !isWindowLine(name)(l) && !/stopped \(SIGTERM\)/.test(l));
    return {
      detector: name,
      trainingS,
      entities,
      trainingPeakMiB: mib(trainingPeak),
      peakMiB: mib(d.peak),
      pollQueries: after.queries - before.queries,
      pollQuerySeconds: after.querySeconds - before.querySeconds,
      pollServerCpuSeconds: after.cpu - before.cpu,
      intervalSeconds: seconds,
      window: second.line,
      notes,
    };
  } finally {
    if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
  }
}

const manifest = args.reuse ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : prepare();
if (!args.reuse) log(`store: ${fmt(manifest.sessions)} sessions among ${fmt(manifest.hosts)} hosts over ${manifest.weeks} weeks, ${manifest.segments} segments, ${mib(manifest.bytes)} MiB, written in ${manifest.seconds.toFixed(0)} s`);
fs.writeFileSync(path.join(DIR, 'blacklist.txt'), '# a few of the generated network\'s addresses and blocks\n10.0.0.0/24\n192.0.2.1\n');
const server = await startFtserver({ dir: storeDir, debuglevel: 'LOW' });
const results = [];
let idleCpuPerS = NaN;
try {
  // what the server spends with no detector (storage cycles, housekeeping), to tell a poll's own cost
  const idle0 = cpuSeconds(server.pid);
  const idleT0 = performance.now();
  await new Promise((r) => setTimeout(r, 30_000));
  idleCpuPerS = (cpuSeconds(server.pid) - idle0) / ((performance.now() - idleT0) / 1000);
  log(`server idle: ${(idleCpuPerS * 1000).toFixed(1)} ms of CPU a second`);
  for (const name of chosen) {
    log(`${name}: ${TRAINED.has(name) ? `training over ${manifest.weeks} weeks, then ` : ''}two windows (up to ${2 * stepOf(name)} s)`);
    const r = await measure(server, name);
    r.pollOwnCpuSeconds = Math.max(0, r.pollServerCpuSeconds - idleCpuPerS * r.intervalSeconds);
    log(`${name}: ${Number.isNaN(r.trainingS) ? 'no training' : `trained in ${r.trainingS.toFixed(1)} s`}, ${Number.isNaN(r.entities) ? '' : `${fmt(r.entities)} entities, `}peak RSS ${r.peakMiB} MiB; a poll: ${r.pollQueries} queries, ${(r.pollQuerySeconds * 1000).toFixed(0)} ms of query time, ${(r.pollServerCpuSeconds * 1000).toFixed(0)} ms of server CPU in ${r.intervalSeconds.toFixed(0)} s (${(r.pollOwnCpuSeconds * 1000).toFixed(0)} ms above idle)`);
    results.push(r);
  }
} finally {
  await server.stop();
  if (!KEEP) fs.rmSync(DIR, { recursive: true, force: true });
}

/** A poll's share of the server's time: one poll every step of the detector. */
const pct = (s, name) => `${((100 * s) / stepOf(name)).toFixed(3)} %`;
const mb = (mibText) => (Number(mibText) * 1.048576).toFixed(1);
console.log(`# detectors, ${fmt(manifest.sessions)} stored sessions among ${fmt(manifest.hosts)} hosts over ${manifest.weeks} weeks, -bm ${MEMORY_MB} (${machine()}, load ${load()})\n`);
console.log(`server CPU with no detector: ${(idleCpuPerS * 1000).toFixed(1)} ms a second\n`);
console.log('| detector | training s | entities | peak RSS MiB (training) | peak RSS MB | poll: queries | poll: query ms | poll: server CPU ms above idle | share of the server\'s time (a poll per step) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const training = Number.isNaN(r.trainingS) ? '—' : r.trainingS.toFixed(1);
  const entities = Number.isNaN(r.entities) ? '—' : fmt(r.entities);
  console.log(
    `| ${r.detector} | ${training} | ${entities} | ${r.peakMiB} (${r.trainingPeakMiB}) | ${mb(r.peakMiB)} | ${r.pollQueries} | ${(r.pollQuerySeconds * 1000).toFixed(0)} | ${(r.pollOwnCpuSeconds * 1000).toFixed(0)} | ${pct(Math.max(r.pollQuerySeconds, r.pollOwnCpuSeconds), r.detector)} |`,
  );
}
for (const r of results) for (const n of r.notes) console.log(`\n${n}`);
console.log(`\n${JSON.stringify({ manifest, memoryMb: MEMORY_MB, results }, null, 2)}`);
