#!/usr/bin/env node
// The newcomer's demo: fills a columnar store with a week of generated sessions, then
// answers real rankings and a raw-session query through the query engine.
//
// Usage: opentraq-demo [--sessions N] [--dir DIR] [--workers N]

import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ColumnStore,
  GEN_DEFAULT_SPAN_US,
  GEN_DEFAULT_START_US,
  SessionGenerator,
  WorkerPool,
  formatIpAt,
  formatLocalTime,
  parseFilter,
  rank,
  streamSessions,
} from '@opentraq/core';

const USAGE = 'usage: opentraq-demo [--sessions N] [--dir DIR] [--workers N]';

function fail(message) {
  process.stderr.write(`opentraq-demo: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      sessions: { type: 'string', default: '2000000' },
      dir: { type: 'string', default: 'demo-data/SESSIONDB' },
      workers: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (err) {
  fail(err.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const sessions = Number(args.sessions);
const workers = Number(args.workers);
if (!Number.isSafeInteger(sessions) || sessions < 1000) fail(`--sessions must be a whole number ≥ 1000 (got '${args.sessions}')`);
if (!Number.isSafeInteger(workers) || workers < 1 || workers > 64) fail(`--workers must be a whole number from 1 to 64 (got '${args.workers}')`);
const dir = resolve(args.dir);

const human = (n) => {
  const units = ['', ' K', ' M', ' G', ' T', ' P'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? String(Math.round(n)) : `${n.toFixed(1)}${units[i]}`;
};
const bytesHuman = (n) => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${n.toFixed(1)} ${units[i]}`;
};

/** Prints rows as a left/right aligned text table. */
function table(headers, rows, rightAligned) {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((s, c) => (rightAligned.has(c) ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ').trimEnd();
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
}

// 1. Fill the store.
rmSync(dir, { recursive: true, force: true });
const store = ColumnStore.open(dir, { segmentCount: 927, segmentSize: 92635, computeCrc: true });
const gen = new SessionGenerator({ seed: 20261123, sessions, batchSize: 65536, reuseBuffers: true });
console.log(`Generating ${human(sessions)} sessions over 7 days into ${dir} ...`);
let t0 = performance.now();
for (const batch of gen.batches()) store.append(batch, batch.start.length);
store.flush();
const writeS = (performance.now() - t0) / 1000;
const st = store.stats();
console.log(
  `Stored ${st.rows.toLocaleString('en-US')} sessions in ${st.segments} segments: ${bytesHuman(st.bytes)} on disk, ` +
    `${(st.bytes / st.rows).toFixed(1)} bytes/session, ${human(st.rows / writeS)} sessions/s (generate + write).\n`,
);

// 2. Query it.
const pool = new WorkerPool(workers);
const fromUs = GEN_DEFAULT_START_US;
const toUs = GEN_DEFAULT_START_US + GEN_DEFAULT_SPAN_US;
const lastDay = { fromUs: toUs - 86_400_000_000, toUs };
const frameText = (f) => `${formatLocalTime(f.fromUs)} – ${formatLocalTime(f.toUs)}`;

async function ranking(title, q, valueHeader, volume) {
  t0 = performance.now();
  const r = await rank(store, q, { pool });
  const ms = performance.now() - t0;
  console.log(`== ${title}`);
  console.log(`   ${frameText(q)}; ${human(r.summary.sessions)} sessions, ${r.summary.entities.toLocaleString('en-US')} distinct entities, ${ms.toFixed(0)} ms on ${workers} worker(s)\n`);
  const fmt = volume ? bytesHuman : (v) => Math.round(v).toLocaleString('en-US');
  table(
    ['#', ...r.columns, valueHeader, '%', 'sent', 'recv', 'initiated', 'accepted'],
    r.rows.map((row) => [
      String(row.rank),
      ...row.text,
      fmt(row.value),
      row.percent.toFixed(2),
      bytesHuman(row.bytesSent),
      bytesHuman(row.bytesRecv),
      Math.round(row.sessionsInitiated).toLocaleString('en-US'),
      Math.round(row.sessionsAccepted).toLocaleString('en-US'),
    ]),
    new Set([0, r.columns.length + 1, r.columns.length + 2, r.columns.length + 3, r.columns.length + 4, r.columns.length + 5, r.columns.length + 6]),
  );
  return r;
}

const top = await ranking('Top 10 addresses by bytes (ftstat -grp IP -cnt BYTES -r 10)', { entity: 'IP', count: 'BYTES', fromUs, toUs, rows: 10 }, 'bytes', true);
await ranking(
  'Top 10 HTTPS servers by bytes sent (ftstat -grp IP -cnt BYTES -snd -q "PROTO=TCP && SRVPORT=443" -r 10)',
  { entity: 'IP', count: 'BYTES', direction: 'snd', filter: parseFilter('PROTO=TCP && SRVPORT=443'), fromUs, toUs, rows: 10 },
  'bytes sent',
  true,
);
await ranking('Top 10 services by sessions (ftstat -grp PORTPROTO -cnt SESSIONS -r 10)', { entity: 'PORTPROTO', count: 'SESSIONS', fromUs, toUs, rows: 10 }, 'sessions', false);
await ranking('Countries by sessions initiated, last day (ftstat -grp COUNTRY -cnt SESSIONS -snd -tn 1d)', { entity: 'COUNTRY', count: 'SESSIONS', direction: 'snd', ...lastDay, rows: 10 }, 'sessions', false);
await ranking('Host pairs over the most distinct services (ftstat -grp IPPAIR -cnt UNIQUE PORTPROTO -r 5)', { entity: 'IPPAIR', count: 'UNIQUE', unique: 'PORTPROTO', fromUs, toUs, rows: 5 }, 'services', false);

// 3. Raw sessions of the busiest address.
const busiest = top.rows[0].text[0];
const filter = parseFilter(`ADDR=${busiest}`);
console.log(`== The first 8 sessions of ${busiest} on the last day (ftsq -q "ADDR=${busiest}" -r 8)\n`);
const rows = [];
for (const b of streamSessions(store, { ...lastDay, filter, limit: 8 })) {
  const c = b.columns;
  for (let i = 0; i < b.rows; i++) {
    rows.push([
      formatLocalTime(c.start[i]),
      `${formatIpAt(c.clnip, i)}:${c.clnport[i]}`,
      `${formatIpAt(c.srvip, i)}:${c.srvport[i]}`,
      String(c.proto[i]),
      bytesHuman(c.clnbyts[i]),
      bytesHuman(c.srvbyts[i]),
    ]);
  }
}
table(['START', 'CLIENT', 'SERVER', 'PROTO', 'CLNBYTS', 'SRVBYTS'], rows, new Set([3, 4, 5]));

await pool.close();
store.close();
console.log(`The store stays in ${dir}; rerun with --sessions N for another size.`);
