// The query tools' benchmark of issue 5: the wall time of one small query, process start to exit
// (`ftstat -grp IP -cnt BYTES -tn 15m` against a small store, logging in with a password and with a
// session key), beside `nfdump -s ip/bytes` over the same flows, and `ftsq -c` streaming millions of
// sessions to /dev/null.
//
//   node bench/cli.mjs [--sessions 20000] [--runs 20] [--stream-sessions 5000000] [--stream-runs 3]
//                      [--baseline-bundle DIR] [--skip-stream]
//
// Preparation (not timed): --sessions generated sessions starting in the 10 minutes before now are
// written straight into a store with core's ColumnStore (the server's default segment settings), and
// the same sessions as NetFlow v9 flows are sent to nfcapd, paced by its receive queue; nfdump's totals
// must equal what was sent. ftserver then starts on the store. Every command runs --runs times,
// round-robin so that the machine's load weighs on all alike; wall time from spawn to exit, and the
// child's CPU time (user + system, from /usr/bin/time, 10 ms resolution) when that program exists.
// --baseline-bundle DIR also times the same queries run by another build of the tools (a directory
// holding ftstat.mjs, e.g. a copy of packages/cli/dist/bundle made before a change), interleaved.
// The server remembers a password scrypt accepted for 5 minutes (docs/server.md): after the warm-up,
// every timed -un/-up run logs in without the hash, as a script's repeated queries do.
// The streaming part writes --stream-sessions sessions into a second store, starts ftserver on it and
// times `ftsq -c` and `ftsq -j` over all of them with stdout on /dev/null, and the same answer read by
// curl straight from the API (what the server streams without the tool); one more run into a pipe
// counts the lines. Beside the wall time it gives the CPU time of the tool and of the server during
// each run (/proc), steadier figures than wall time on a shared machine.
// Prints figures only; nothing here asserts a time.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ColumnStore, FlowBatch, NetflowV9Encoder, SessionGenerator, sessionsToFlows } from '../packages/core/dist/index.js';
import {
  ADMIN_PASSWORD,
  PacedSender,
  REPO,
  benchOptions,
  cpuSeconds,
  load,
  machine,
  median,
  nfdump,
  nfdumpCsvTable,
  nfdumpTotals,
  raiseSocketBufferLimits,
  requireProgram,
  startFtserver,
  startNfcapd,
  tempDir,
} from './serverlib.mjs';

const USAGE =
  'usage: node bench/cli.mjs [--sessions 20000] [--runs 20] [--stream-sessions 5000000] [--stream-runs 3] [--baseline-bundle DIR] [--skip-stream]';

const { values: args, fail, whole } = benchOptions('cli', USAGE, {
  sessions: { type: 'string', default: '20000' },
  runs: { type: 'string', default: '20' },
  'stream-sessions': { type: 'string', default: '5000000' },
  'stream-runs': { type: 'string', default: '3' },
  'baseline-bundle': { type: 'string' },
  'skip-stream': { type: 'boolean', default: false },
});
const SESSIONS = whole('sessions', args.sessions, 100, 10_000_000);
const RUNS = whole('runs', args.runs, 1, 200);
const STREAM_SESSIONS = whole('stream-sessions', args['stream-sessions'], 1000, 100_000_000);
const STREAM_RUNS = whole('stream-runs', args['stream-runs'], 1, 20);
const BASELINE = args['baseline-bundle'] === undefined ? undefined : path.resolve(args['baseline-bundle']);
if (BASELINE !== undefined && !fs.existsSync(path.join(BASELINE, 'ftstat.mjs'))) fail(`--baseline-bundle: ${BASELINE} holds no ftstat.mjs`);

const SEGMENT_SIZE = 92635;
const SEGMENT_COUNT = 927;
const MINUTE_US = 60_000_000;
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const log = (m) => process.stderr.write(`cli: ${m}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Clock ticks per second of /proc's CPU times. */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of a process's main thread (/proc/<pid>/task/<pid>/stat), or NaN when it is gone. */
function threadCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return NaN;
  }
}

/** Runs `file args` to its exit with stdout going to `stdout` ('ignore' is /dev/null); wall ms and CPU ms (or null). */
function timed(file, argv, { stdout = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    const wrapped = TIME === null ? [file, argv] : [TIME, ['-f', '%U %S', '--', file, ...argv]];
    const t0 = performance.now();
    const child = spawn(wrapped[0], wrapped[1], { stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - t0;
      const lines = stderr.trim().split('\n');
      let cpu = null;
      if (TIME !== null) {
        const m = /^(\d+\.\d+) (\d+\.\d+)$/.exec(lines.at(-1) ?? '');
        if (m !== null) {
          cpu = (Number(m[1]) + Number(m[2])) * 1000;
          lines.pop();
        }
      }
      if (code !== 0) reject(new Error(`${file} ${argv.join(' ')} exited with ${code}: ${lines.join('\n').slice(-2000)}`));
      else resolve({ ms, cpu });
    });
  });
}

/** A launcher for the ftstat of another bundle directory, written beside the benchmark's files. */
function baselineLauncher(dir, bundle) {
  const file = path.join(dir, 'ftstat-baseline.mjs');
  fs.writeFileSync(file, `import(${JSON.stringify(path.join(bundle, 'ftstat.mjs'))}).then(({ main, exitWhenFlushed }) => main(process.argv.slice(2)).then(exitWhenFlushed));\n`);
  return file;
}

/** `sessions` generated sessions starting within the `spanUs` before now − 30 s, into a new store at `dir`; the flows to nfcapd when given. */
async function fillStore(dir, sessions, spanUs, nfPort) {
  fs.mkdirSync(dir, { recursive: true });
  const startUs = Date.now() * 1000 - 30_000_000 - spanUs;
  const store = ColumnStore.open(dir, { segmentCount: SEGMENT_COUNT, segmentSize: SEGMENT_SIZE, computeCrc: true });
  const sender = nfPort === undefined ? null : await new PacedSender(nfPort).open();
  const encoder = new NetflowV9Encoder({ sourceId: 1, maxDatagramBytes: 1400 });
  const flows = new FlowBatch(2 * 65536);
  const sent = { flows: 0, packets: 0, bytes: 0 };
  let exportMs = 0;
  for (const batch of new SessionGenerator({ seed: 7, sessions, startUs, spanUs, batchSize: 65536, reuseBuffers: true }).batches()) {
    const n = batch.start.length;
    store.append(batch, n);
    if (sender === null) continue;
    flows.reset();
    sessionsToFlows(batch, n, flows);
    let maxEnd = 0;
    for (let i = 0; i < flows.length; i++) {
      sent.packets += flows.packets[i];
      sent.bytes += flows.bytes[i];
      if (flows.end[i] > maxEnd) maxEnd = flows.end[i];
    }
    sent.flows += flows.length;
    exportMs = Math.max(exportMs, Math.ceil(maxEnd / 1000) + 1000);
    await sender.send(encoder.encode(flows, 0, flows.length, exportMs));
  }
  store.flush();
  const st = store.stats();
  store.close();
  if (sender !== null) await sender.close();
  return { startUs, rows: st.rows, bytes: st.bytes, segments: st.segments, sent };
}

const stats = (xs) => (xs.length === 0 || xs.some((x) => x === null) ? null : { median: Math.round(median(xs)), best: Math.round(Math.min(...xs)) });

/** Top rows of a ranking as `address=bytes`, from ftstat -c and from nfdump's CSV. */
const ftTop = (csv) => csv.split('\n').filter((l) => l !== '').slice(0, 10).map((l) => { const c = l.split(','); return `${c[1]}=${c[2]}`; });
const nfTop = (text) => nfdumpCsvTable(text, 'ts').slice(0, 10).map((r) => `${r.val}=${Number(r.byt)}`);

function capture(file, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
    child.once('close', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(`${file} ${argv.join(' ')}: exit ${code}: ${err.slice(-2000)}`))));
  });
}

async function smallQuery(work) {
  const nfDir = path.join(work, 'nfcapd');
  fs.mkdirSync(nfDir, { recursive: true });
  raiseSocketBufferLimits();
  const nf = await startNfcapd({ dir: nfDir });
  log(`small store: ${fmt(SESSIONS)} sessions in the last 10 minutes, and their flows to nfcapd`);
  const filled = await fillStore(path.join(work, 'small', 'SESSIONDB'), SESSIONS, 10 * MINUTE_US, nf.port);
  await nf.stop(120_000);
  const got = await nfdumpTotals(nfDir);
  if (got.flows !== filled.sent.flows || got.packets !== filled.sent.packets || got.bytes !== filled.sent.bytes) {
    throw new Error(`nfcapd stored ${JSON.stringify(got)} but ${JSON.stringify(filled.sent)} was sent`);
  }
  const server = await startFtserver({ dir: path.join(work, 'small'), args: ['--maxsessionkeyage', '36000'] });
  try {
    const node = process.execPath;
    const ftstat = path.join(REPO, 'bin/ftstat');
    const connect = ['-s', '127.0.0.1', '-p', String(server.ports.api)];
    const password = [...connect, '-un', 'admin', '-up', ADMIN_PASSWORD];
    const key = (await capture(node, [ftstat, ...password, '-us', '-grp', 'IP', '-cnt', 'BYTES', '-r', '1', '-c'])).err.trim();
    const query = ['-grp', 'IP', '-cnt', 'BYTES', '-tn', '15m'];
    const nfdumpBin = requireProgram('nfdump', 'apt-get install -y --no-install-recommends nfdump');
    const commands = [
      { name: 'node -e 0 (Node alone)', file: node, argv: ['-e', '0'] },
      { name: 'ftstat --help', file: node, argv: [ftstat, '--help'] },
      { name: 'ftstat -un admin -up … -grp IP -cnt BYTES -tn 15m', file: node, argv: [ftstat, ...password, ...query] },
      { name: 'ftstat -us KEY -grp IP -cnt BYTES -tn 15m', file: node, argv: [ftstat, ...connect, '-us', key, ...query] },
      { name: 'nfdump -R DIR -s ip/bytes', file: nfdumpBin, argv: ['-R', nfDir, '-s', 'ip/bytes'] },
    ];
    if (BASELINE !== undefined) {
      const launcher = baselineLauncher(work, BASELINE);
      commands.push(
        { name: `baseline: ftstat -un admin -up … (${path.relative(REPO, BASELINE)})`, file: node, argv: [launcher, ...password, ...query] },
        { name: `baseline: ftstat -us KEY (${path.relative(REPO, BASELINE)})`, file: node, argv: [launcher, ...connect, '-us', key, ...query] },
      );
    }
    // one warm-up of each (the page cache, the server's first query)
    for (const c of commands) await timed(c.file, c.argv);
    const loadBefore = load();
    const wall = commands.map(() => []);
    const cpu = commands.map(() => []);
    for (let r = 0; r < RUNS; r++) {
      for (const [i, c] of commands.entries()) {
        const x = await timed(c.file, c.argv);
        wall[i].push(x.ms);
        cpu[i].push(x.cpu);
      }
    }
    const loadAfter = load();
    // the answers: ftstat over a frame holding every session against nfdump over every flow
    const all = ['-te', new Date(filled.startUs / 1000 - 3_600_000).toISOString(), '-tl', new Date(Date.now() + 86_400_000).toISOString()];
    const ft = ftTop((await capture(node, [ftstat, ...connect, '-us', key, '-grp', 'IP', '-cnt', 'BYTES', '-r', '10', '-c', ...all])).out);
    const nfText = await nfdump(['-R', nfDir, '-s', 'ip/bytes', '-n', '10', '-N', '-o', 'csv']);
    const nf10 = nfTop(nfText);
    return {
      store: { sessions: filled.rows, bytes: filled.bytes, segments: filled.segments, flows: filled.sent.flows },
      runs: RUNS,
      load: { before: loadBefore, after: loadAfter },
      rows: commands.map((c, i) => ({ command: c.name, wallMs: stats(wall[i]), cpuMs: stats(cpu[i]) })),
      answers: { ftstat: ft, nfdump: nf10, same: JSON.stringify(ft) === JSON.stringify(nf10) },
    };
  } finally {
    await server.stop();
  }
}

/** Lines in `ftsq`'s output, read through a pipe (the untimed check of the timed runs). */
function countLines(file, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let err = '';
    child.stdout.on('data', (b) => {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
    });
    child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
    child.once('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`ftsq: exit ${code}: ${err.slice(-2000)}`))));
  });
}

async function streaming(work) {
  log(`stream store: ${fmt(STREAM_SESSIONS)} sessions over the last 6 hours`);
  const t0 = performance.now();
  const filled = await fillStore(path.join(work, 'big', 'SESSIONDB'), STREAM_SESSIONS, 360 * MINUTE_US, undefined);
  log(`  written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const server = await startFtserver({ dir: path.join(work, 'big'), args: ['--maxsessionkeyage', '36000'] });
  try {
    const node = process.execPath;
    const ftsq = path.join(REPO, 'bin/ftsq');
    const connect = ['-s', '127.0.0.1', '-p', String(server.ports.api)];
    const key = (await capture(node, [path.join(REPO, 'bin/ftstat'), ...connect, '-un', 'admin', '-up', ADMIN_PASSWORD, '-us', '-grp', 'IP', '-cnt', 'SESSIONS', '-r', '1', '-c'])).err.trim();
    // every session: a frame from an hour before the first start to a day ahead (sessions last up to 8 h)
    const all = ['-te', new Date(filled.startUs / 1000 - 3_600_000).toISOString(), '-tl', new Date(Date.now() + 86_400_000).toISOString()];
    const lines = await countLines(node, [ftsq, ...connect, '-us', key, '-c', ...all]);
    // the API alone, read by curl: what the server streams without the tool
    let curl = null;
    try {
      curl = requireProgram('curl', 'apt-get install -y curl');
    } catch {
      log('curl is not installed: the API alone is not timed');
    }
    const token = await server.login();
    const url = (format) => server.url('/api/v1/sessions', { after_time: Math.floor((filled.startUs - 3_600_000_000) / 1e6), before_time: Math.floor(Date.now() / 1000) + 86_400, format });
    const devnull = fs.openSync('/dev/null', 'w');
    const runs = { csv: [], json: [], apiCsv: [] };
    /** One timed run, with the server's CPU time during it: the whole process, and its main thread (which reads the store, formats and writes). */
    const withServerCpu = async (file, argv) => {
      const before = cpuSeconds(server.pid);
      const mainBefore = threadCpuSeconds(server.pid);
      const x = await timed(file, argv, { stdout: devnull });
      return { ...x, serverCpu: (cpuSeconds(server.pid) - before) * 1000, serverMainCpu: (threadCpuSeconds(server.pid) - mainBefore) * 1000 };
    };
    const loadBefore = load();
    try {
      for (let r = 0; r < STREAM_RUNS; r++) {
        runs.csv.push(await withServerCpu(node, [ftsq, ...connect, '-us', key, '-c', ...all]));
        runs.json.push(await withServerCpu(node, [ftsq, ...connect, '-us', key, '-j', ...all]));
        if (curl !== null) runs.apiCsv.push(await withServerCpu(curl, ['-sf', '-H', `Authorization: Bearer ${token}`, url('csv')]));
      }
    } finally {
      fs.closeSync(devnull);
    }
    const loadAfter = load();
    const rate = (xs) => Math.round(filled.rows / (median(xs.map((x) => x.ms)) / 1000));
    const serverStats = (xs) => ({ serverCpuMs: stats(xs.map((x) => x.serverCpu)), serverMainCpuMs: stats(xs.map((x) => x.serverMainCpu)) });
    return {
      store: { sessions: filled.rows, bytes: filled.bytes, segments: filled.segments },
      linesCounted: lines,
      runs: STREAM_RUNS,
      load: { before: loadBefore, after: loadAfter },
      csv: { wallMs: stats(runs.csv.map((x) => x.ms)), cpuMs: stats(runs.csv.map((x) => x.cpu)), ...serverStats(runs.csv), sessionsPerSecond: rate(runs.csv) },
      json: { wallMs: stats(runs.json.map((x) => x.ms)), cpuMs: stats(runs.json.map((x) => x.cpu)), ...serverStats(runs.json), sessionsPerSecond: rate(runs.json) },
      apiCsv: runs.apiCsv.length === 0 ? null : { wallMs: stats(runs.apiCsv.map((x) => x.ms)), ...serverStats(runs.apiCsv), sessionsPerSecond: rate(runs.apiCsv) },
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  const work = tempDir('opentraq-bench-cli-');
  try {
    const small = await smallQuery(work);
    const stream = args['skip-stream'] ? null : await streaming(work);
    const cell = (s) => (s === null ? '—' : `${s.median} (${s.best})`);
    const serverCell = (x) => (x.serverCpuMs === null || x.serverMainCpuMs === null ? '—' : `${x.serverCpuMs.median}, ${x.serverMainCpuMs.median}`);
    const lines = [
      `# query tools (${machine()})`,
      '',
      `small store: ${fmt(small.store.sessions)} sessions, ${small.store.segments} segment(s); nfcapd: ${fmt(small.store.flows)} NetFlow v9 flows of the same sessions`,
      `${small.runs} runs each, round-robin; load average ${small.load.before.join(' ')} before, ${small.load.after.join(' ')} after`,
      '',
      '| command | wall ms: median (best) | CPU ms: median (best) |',
      '| --- | ---: | ---: |',
      ...small.rows.map((r) => `| \`${r.command}\` | ${cell(r.wallMs)} | ${cell(r.cpuMs)} |`),
      '',
      `top 10 addresses by bytes, ftstat over every session vs nfdump over every flow: ${small.answers.same ? 'the same' : 'DIFFERENT'}`,
    ];
    if (stream !== null) {
      lines.push(
        '',
        `ftsq over ${fmt(stream.store.sessions)} sessions (${stream.store.segments} segments) to /dev/null, ${stream.runs} runs; ${fmt(stream.linesCounted)} lines counted in a pipe; load ${stream.load.before.join(' ')} → ${stream.load.after.join(' ')}`,
        '',
        '| command | wall ms: median (best) | CPU ms of the tool | CPU ms of ftserver: all threads, main thread (medians) | sessions/s |',
        '| --- | ---: | ---: | ---: | ---: |',
        `| \`ftsq -c\` | ${cell(stream.csv.wallMs)} | ${cell(stream.csv.cpuMs)} | ${serverCell(stream.csv)} | ${fmt(stream.csv.sessionsPerSecond)} |`,
        `| \`ftsq -j\` | ${cell(stream.json.wallMs)} | ${cell(stream.json.cpuMs)} | ${serverCell(stream.json)} | ${fmt(stream.json.sessionsPerSecond)} |`,
        ...(stream.apiCsv === null ? [] : [`| the API alone: \`curl …/api/v1/sessions?format=csv\` | ${cell(stream.apiCsv.wallMs)} | — | ${serverCell(stream.apiCsv)} | ${fmt(stream.apiCsv.sessionsPerSecond)} |`]),
      );
    }
    const out = { benchmark: 'cli', date: new Date().toISOString(), machine: machine(), small, stream };
    process.stdout.write(`${lines.join('\n')}\n\n${JSON.stringify(out, null, 2)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
