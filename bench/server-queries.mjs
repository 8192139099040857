// The query benchmark of issue 4: the six reference queries of bench/core.mjs through ftserver's HTTP
// API, and their nfdump counterparts over the same flows stored by nfcapd, side by side in one run.
//
//   node bench/server-queries.mjs [--sessions 20000000] [--runs 3] [--dir DIR] [--keep] [--reuse] [--node-args="ARGS"]
//
// Preparation (timed, not part of the comparison): N generated sessions (seed 42, 14 days, as in
// core.mjs) are written straight into the server's store with core's ColumnStore and the server's
// default segment settings — what the store holds after ingesting them, without spending an hour
// replaying them. The same sessions become flow records (sessionsToFlows: a client and a server flow
// each), encoded as NetFlow v9 and sent over loopback to nfcapd (-y: LZ4, as in the issue's figure),
// paced by nfcapd's receive queue so that none is dropped; nfdump's totals must equal the flows sent.
// Then ftserver starts on that store and each query is timed end to end (HTTP request to the last
// byte of the answer, one login before) and each nfdump command to its exit, --runs times each.
// Prints figures only; nothing here asserts a time.
import fs from 'node:fs';
import path from 'node:path';
import {
  ColumnStore,
  FlowBatch,
  GEN_DEFAULT_START_US,
  NetflowV9Encoder,
  SessionGenerator,
  busiestHost,
  sessionsToFlows,
} from '../packages/core/dist/index.js';
import {
  PacedSender,
  benchOptions,
  cpuSeconds,
  load,
  machine,
  median,
  memory,
  mib,
  nfdump,
  nfdumpCsvTable,
  nfdumpTotals,
  raiseSocketBufferLimits,
  startFtserver,
  startNfcapd,
  tempDir,
} from './serverlib.mjs';

const USAGE = 'usage: node bench/server-queries.mjs [--sessions 20000000] [--runs 3] [--dir DIR] [--keep] [--reuse] [--node-args="ARGS"]';

const { values: args, fail, whole } = benchOptions('server-queries', USAGE, {
  sessions: { type: 'string', default: '20000000' },
  runs: { type: 'string', default: '3' },
  dir: { type: 'string' },
  keep: { type: 'boolean', default: false },
  reuse: { type: 'boolean', default: false },
  'node-args': { type: 'string', default: '' },
});
const SESSIONS = whole('sessions', args.sessions, 1000, 200_000_000);
const RUNS = whole('runs', args.runs, 1, 50);
if (args.reuse && args.dir === undefined) fail('--reuse needs --dir: the directory a run with --keep prepared');
const DIR = path.resolve(args.dir ?? tempDir('opentraq-bench-queries-'));
const KEEP = args.keep || args.reuse;
/** Arguments for node itself when it runs ftserver (e.g. --cpu-prof, or a V8 heap flag to compare). */
const NODE_ARGS = args['node-args'].split(' ').filter((s) => s !== '');

const SEED = 42;
const HOUR = 3_600_000_000;
const DAY = 24 * HOUR;
const genOpts = { seed: SEED, sessions: SESSIONS, batchSize: 65536, reuseBuffers: true, spanUs: 14 * DAY, startUs: GEN_DEFAULT_START_US };
const fromUs = GEN_DEFAULT_START_US;
const toUs = GEN_DEFAULT_START_US + 14 * DAY + 8 * HOUR;
const midDay = fromUs + 7 * DAY;
const midHour = fromUs + 7 * DAY + 14 * HOUR;
const busy = busiestHost(genOpts);
/** ftserver's default storage settings (server.md §4). */
const SEGMENT_SIZE = 92635;
const SEGMENT_COUNT = 927;

const storeDir = path.join(DIR, 'ftserver');
const nfDir = path.join(DIR, 'nfcapd');
const manifestFile = path.join(DIR, 'manifest.json');
const log = (m) => process.stderr.write(`server-queries: ${m}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** nfdump's -t form of a µs time (read as UTC: serverlib runs nfdump with TZ=UTC). */
function nfTime(us) {
  const d = new Date(us / 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}.${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
const nfWindow = (a, b) => `${nfTime(a)}-${nfTime(b)}`;

/** The six queries of core.mjs: the API call, and nfdump's counterpart when it has one. */
const sec = (us) => String(us / 1e6);
const frame = (a, b) => ({ after_time: sec(a), before_time: sec(b) });
const QUERIES = [
  {
    name: '1. -grp IP -cnt BYTES -r 10 (everything)',
    api: ['/api/v1/stat', { group_by: 'IP', count_by: 'BYTES', rows: 10, ...frame(fromUs, toUs) }],
    nfdump: ['-s', 'ip/bytes', '-n', '10', '-N', '-o', 'csv'],
    compare: 'ip',
  },
  {
    name: '2. same, -q "PROTO=TCP && SRVPORT=443"',
    api: ['/api/v1/stat', { group_by: 'IP', count_by: 'BYTES', rows: 10, query: 'PROTO=TCP && SRVPORT=443', ...frame(fromUs, toUs) }],
    nfdump: ['-s', 'ip/bytes', '-n', '10', '-N', '-o', 'csv', 'proto tcp and port 443'],
    compare: 'ip',
  },
  {
    name: '3. -grp IPPAIR -cnt UNIQUE PORTPROTO -r 10',
    api: ['/api/v1/stat', { group_by: 'IPPAIR', count_by: 'UNIQUE', unique: 'PORTPROTO', rows: 10, ...frame(fromUs, toUs) }],
    none: 'nfdump has no address-pair statistic and no count of distinct values',
  },
  {
    name: '4. -grp COUNTRY -cnt SESSIONS -snd -w 24',
    api: ['/api/v1/stat', { group_by: 'COUNTRY', count_by: 'SESSIONS', direction: 'snd', slices: 24, ...frame(fromUs, toUs) }],
    none: "nfdump 1.7.1 looks countries up only in a geoDB built by its geolookup tool, which Debian's package lacks; it has no time series either",
  },
  {
    name: `5. raw sessions, -q "ADDR=${busy}", one day (CSV)`,
    api: ['/api/v1/sessions', { query: `ADDR=${busy}`, format: 'csv', ...frame(midDay, midDay + DAY) }],
    nfdump: ['-t', nfWindow(midDay, midDay + DAY), '-o', 'csv', `host ${busy}`],
    window: [midDay, midDay + DAY],
    compare: 'lines',
  },
  {
    name: '6. -grp IP -cnt BYTES -r 10, one hour mid-data',
    api: ['/api/v1/stat', { group_by: 'IP', count_by: 'BYTES', rows: 10, ...frame(midHour, midHour + HOUR) }],
    nfdump: ['-t', nfWindow(midHour, midHour + HOUR), '-s', 'ip/bytes', '-n', '10', '-N', '-o', 'csv'],
    window: [midHour, midHour + HOUR],
    compare: 'ip',
  },
];

/** The store and nfcapd files: generated, written, sent; returns the manifest (what was made, how long it took). */
async function prepare() {
  fs.rmSync(storeDir, { recursive: true, force: true });
  fs.rmSync(nfDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(storeDir, 'SESSIONDB'), { recursive: true });
  fs.mkdirSync(nfDir, { recursive: true });
  const limits = raiseSocketBufferLimits();
  const nf = await startNfcapd({ dir: nfDir, lz4: true });
  const sender = await new PacedSender(nf.port).open();
  const store = ColumnStore.open(path.join(storeDir, 'SESSIONDB'), { segmentCount: SEGMENT_COUNT, segmentSize: SEGMENT_SIZE, computeCrc: true });
  const encoder = new NetflowV9Encoder({ sourceId: 1, maxDatagramBytes: 1400 });
  const flows = new FlowBatch(2 * 65536);
  const expected = { sessions: 0, flows: 0, packets: 0, bytes: 0 };
  const ms = { generate: 0, store: 0, encode: 0, send: 0 };
  let exportMs = 0;
  let t = performance.now();
  const t0 = t;
  for (const batch of new SessionGenerator(genOpts).batches()) {
    const n = batch.start.length;
    let t1 = performance.now();
    ms.generate += t1 - t;
    store.append(batch, n);
    let t2 = performance.now();
    ms.store += t2 - t1;
    flows.reset();
    sessionsToFlows(batch, n, flows);
    let maxEnd = 0;
    for (let i = 0; i < flows.length; i++) {
      expected.packets += flows.packets[i];
      expected.bytes += flows.bytes[i];
      if (flows.end[i] > maxEnd) maxEnd = flows.end[i];
    }
    // an exporter sends a flow after it ends: the export time follows the latest end, never going back
    exportMs = Math.max(exportMs, Math.ceil(maxEnd / 1000) + 1000);
    const datagrams = encoder.encode(flows, 0, flows.length, exportMs);
    t1 = performance.now();
    ms.encode += t1 - t2;
    await sender.send(datagrams);
    t = performance.now();
    ms.send += t - t1;
    expected.sessions += n;
    expected.flows += flows.length;
    if (expected.sessions % (65536 * 32) === 0) log(`  ${fmt(expected.sessions)} sessions (${((t - t0) / 1000).toFixed(0)} s)`);
  }
  let t1 = performance.now();
  store.flush();
  const st = store.stats();
  store.close();
  ms.store += performance.now() - t1;
  t1 = performance.now();
  await sender.close();
  await nf.stop(300_000);
  ms.send += performance.now() - t1;
  t1 = performance.now();
  const got = await nfdumpTotals(nfDir);
  const readMs = performance.now() - t1;
  if (got.flows !== expected.flows || got.packets !== expected.packets || got.bytes !== expected.bytes) {
    throw new Error(`nfcapd stored ${JSON.stringify(got)} but ${JSON.stringify(expected)} was sent: it lost flows, the comparison would be unfair`);
  }
  const nfBytes = fs.readdirSync(nfDir).reduce((a, f) => a + fs.statSync(path.join(nfDir, f)).size, 0);
  // nfdump's best case for the time-window queries: files holding only the window's flows, as if nfcapd
  // had received them live and the right files were picked with -R first:last
  const windows = {};
  for (const [i, q] of QUERIES.entries()) {
    if (q.window === undefined) continue;
    const sub = path.join(DIR, `nfcapd-window-${i + 1}`);
    fs.rmSync(sub, { recursive: true, force: true });
    fs.mkdirSync(sub);
    await nfdump(['-R', nfDir, '-t', nfWindow(...q.window), '-y', '-w', path.join(sub, 'nfcapd.202601010000')]);
    windows[i + 1] = await nfdumpTotals(sub);
  }
  const manifest = {
    sessions: SESSIONS,
    seed: SEED,
    busy,
    expected,
    store: { segments: st.segments, rows: st.rows, bytes: st.bytes, bytesPerSession: Number((st.bytes / st.rows).toFixed(2)) },
    nfcapd: { files: fs.readdirSync(nfDir).length, bytes: nfBytes, bytesPerFlow: Number((nfBytes / expected.flows).toFixed(2)), lz4: true },
    windows,
    prepareSeconds: Object.fromEntries(Object.entries({ ...ms, nfdumpTotals: readMs }).map(([k, v]) => [k, Number((v / 1000).toFixed(1))])),
    sender: { datagrams: sender.datagrams, waits: sender.waits, errors: sender.errors },
    socketBuffers: limits,
    date: new Date().toISOString(),
  };
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Top rows of a ranking, comparable across the two: address → bytes. */
function apiTop(text) {
  const j = JSON.parse(text);
  const ip = j.columns.indexOf('IP');
  const value = j.columns.indexOf('value');
  return ip < 0 ? null : j.data.map((r) => `${r[ip]}=${Math.round(Number(r[value]))}`);
}

function nfTop(text) {
  return nfdumpCsvTable(text, 'ts').map((r) => `${r.val}=${Number(r.byt)}`);
}

function countLines(text, skipHeader) {
  let n = 0;
  for (const l of text.split('\n')) if (l !== '' && !l.startsWith('#')) n++;
  return skipHeader ? n - 1 : n;
}

async function timeApi(server, q) {
  const [p, params] = q.api;
  const t = performance.now();
  const text = await server.getText(p, params);
  return { ms: performance.now() - t, text };
}

async function timeNfdump(dir, q) {
  const t = performance.now();
  const text = await nfdump(['-R', dir, ...q.nfdump]);
  return { ms: performance.now() - t, text };
}

const stats = (xs) => ({ best: Math.round(Math.min(...xs)), median: Math.round(median(xs)), all: xs.map(Math.round) });

async function main() {
  log(`${fmt(SESSIONS)} sessions in ${DIR}`);
  let manifest = null;
  if (args.reuse) {
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    } catch {
      fail(`--reuse: ${manifestFile} cannot be read; prepare the directory first with --dir ${DIR} --keep`);
    }
    if (manifest.sessions !== SESSIONS) fail(`--reuse: ${DIR} holds ${manifest.sessions} sessions, not ${SESSIONS}`);
  } else {
    log('preparing: generate, write the store, encode as NetFlow v9 and send to nfcapd');
    manifest = await prepare();
    log(`prepared in ${JSON.stringify(manifest.prepareSeconds)} s`);
  }
  const server = await startFtserver({ dir: storeDir, nodeArgs: NODE_ARGS });
  const results = [];
  try {
    await server.login();
    for (const [i, q] of QUERIES.entries()) {
      const loadBefore = load();
      const api = [];
      let apiText = '';
      const cpu0 = cpuSeconds(server.pid);
      for (let r = 0; r < RUNS; r++) {
        const a = await timeApi(server, q);
        api.push(a.ms);
        apiText = a.text;
      }
      const serverCpu = (cpuSeconds(server.pid) - cpu0) / RUNS;
      const row = { query: q.name, api: { call: `GET ${q.api[0]}?${new URLSearchParams(q.api[1])}`, ...stats(api), serverCpuSecondsPerRun: Number(serverCpu.toFixed(2)), answerBytes: apiText.length } };
      if (q.none !== undefined) {
        row.nfdump = { none: q.none };
      } else {
        const all = [];
        let nfText = '';
        for (let r = 0; r < RUNS; r++) {
          const n = await timeNfdump(nfDir, q);
          all.push(n.ms);
          nfText = n.text;
        }
        row.nfdump = { command: `nfdump -R DIR ${q.nfdump.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`, ...stats(all) };
        row.speedup = Number((row.nfdump.median / row.api.median).toFixed(1));
        if (q.window !== undefined) {
          const sub = [];
          for (let r = 0; r < RUNS; r++) sub.push((await timeNfdump(path.join(DIR, `nfcapd-window-${i + 1}`), q)).ms);
          row.nfdumpWindowFiles = { flows: manifest.windows[i + 1]?.flows ?? null, ...stats(sub) };
          row.speedupWindowFiles = Number((row.nfdumpWindowFiles.median / row.api.median).toFixed(1));
        }
        if (q.compare === 'ip') {
          const a = apiTop(apiText);
          const b = nfTop(nfText);
          row.answers = { ftserver: a, nfdump: b, same: JSON.stringify(a) === JSON.stringify(b) };
        } else {
          row.answers = { ftserverSessions: countLines(apiText, false), nfdumpFlows: countLines(nfText, true) };
        }
      }
      row.load = { before: loadBefore, after: load() };
      results.push(row);
      log(`${q.name}: API ${row.api.median} ms${row.nfdump.median === undefined ? '' : `, nfdump ${row.nfdump.median} ms, ${row.speedup}×`}`);
    }
    const mem = memory(server.pid);
    const out = {
      benchmark: 'server-queries',
      date: new Date().toISOString(),
      machine: machine(),
      runs: RUNS,
      dir: DIR,
      manifest,
      serverRssMiB: mib(mem.rss),
      serverPeakRssMiB: mib(mem.hwm),
      results,
    };
    const lines = [
      `# ftserver API vs nfdump, ${fmt(SESSIONS)} sessions = ${fmt(manifest.expected.flows)} NetFlow v9 flows (${machine()})`,
      '',
      `store: ${manifest.store.segments} segments, ${mib(manifest.store.bytes)} MiB (${manifest.store.bytesPerSession} B/session); nfcapd: ${manifest.nfcapd.files} LZ4 files, ${mib(manifest.nfcapd.bytes)} MiB (${manifest.nfcapd.bytesPerFlow} B/flow)`,
      '',
      '| query | ftserver API ms: median (best) | nfdump ms: median (best) | speedup | nfdump, window files only: ms | speedup | answers | load |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
      ...results.map((r) => {
        const nf = r.nfdump.none === undefined ? `${r.nfdump.median} (${r.nfdump.best})` : 'none';
        const w = r.nfdumpWindowFiles === undefined ? '—' : `${r.nfdumpWindowFiles.median} (${r.nfdumpWindowFiles.best})`;
        const ans =
          r.answers === undefined ? '—' : r.answers.same !== undefined ? (r.answers.same ? 'same top 10' : 'top 10 differ') : `${fmt(r.answers.ftserverSessions)} sessions / ${fmt(r.answers.nfdumpFlows)} flows`;
        return `| ${r.query} | ${r.api.median} (${r.api.best}) | ${nf} | ${r.speedup === undefined ? '—' : `${r.speedup}×`} | ${w} | ${r.speedupWindowFiles === undefined ? '—' : `${r.speedupWindowFiles}×`} | ${ans} | ${r.load.before[0]} → ${r.load.after[0]} |`;
      }),
      '',
      `ftserver RSS after the queries ${mib(mem.rss)} MiB, peak ${mib(mem.hwm)} MiB`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await server.stop();
    if (!KEEP) fs.rmSync(DIR, { recursive: true, force: true });
  }
}

await main();
