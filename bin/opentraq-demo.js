#!/usr/bin/env node
// The newcomer's demo: starts a real ftserver on free loopback ports with a fresh store, feeds it the
// real captures of the shared corpus (each from its own address) and a generated NetFlow v9 stream,
// then asks it ftstat- and ftsq-style questions over its HTTP API and prints the answers.
//
// Usage: opentraq-demo [--sessions N] [--dir DIR] [--keep]

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NetflowV9Encoder, SessionGenerator, allocColumns, parsePacket, readPcap, sessionsToFlows } from '@opentraq/core';

const USAGE = 'usage: opentraq-demo [--sessions N] [--dir DIR] [--keep]';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = process.env.OPENTRAQ_CORPUS ?? resolve(REPO, '../shared/corpus');
const PASSWORD = 'demo-password';

function fail(message) {
  process.stderr.write(`opentraq-demo: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      sessions: { type: 'string', default: '200000' },
      dir: { type: 'string', default: 'demo-data' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (err) {
  fail(err.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n  --sessions N  generated sessions sent as NetFlow v9 besides the corpus (default 200000)\n  --dir DIR     where the server keeps its store and users (default demo-data, emptied first)\n  --keep        leave the server running (stop it with Ctrl-C)\n`);
  process.exit(0);
}
const sessions = Number(args.sessions);
if (!Number.isSafeInteger(sessions) || sessions < 0 || sessions > 5_000_000) fail(`--sessions must be a whole number from 0 to 5000000 (got '${args.sessions}')`);
const dir = resolve(args.dir);

const freePort = () =>
  new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

const human = (n) => {
  const units = ['', ' K', ' M', ' G', ' T', ' P'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? String(Math.round(n)) : `${n.toFixed(1)}${units[i]}`;
};

/** Print rows as an aligned table (the real tools use cli-table3; this demo keeps to the server). */
async function send(port, payloads, bind) {
  const sock = dgram.createSocket(bind.includes(':') ? 'udp6' : 'udp4');
  await new Promise((res, rej) => {
    sock.once('error', rej);
    sock.bind(0, bind, res);
  });
  let n = 0;
  for (const p of payloads) {
    await new Promise((res, rej) => sock.send(p, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    // paced, so that the demo never overruns a small receive buffer
    if (++n % 200 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  sock.close();
  return n;
}

/** The UDP exports of the corpus: one entry per capture (with the captures it needs first). */
function corpusExports() {
  if (!existsSync(join(CORPUS, 'index.json'))) return null;
  const index = JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8'));
  const entries = Array.isArray(index) ? index : index.captures ?? index.files ?? [];
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const datagramsOf = (e) => {
    const pcap = readPcap(new Uint8Array(readFileSync(join(CORPUS, e.path))));
    const out = [];
    for (const pkt of pcap.packets) {
      const ip = parsePacket(pkt.data, pcap.linkType);
      if (ip !== null && !ip.fragment && ip.proto === 17) out.push(ip.payload);
    }
    return out;
  };
  return entries
    .filter((e) => e.wrap_mode !== 'tcp')
    .map((e) => ({
      name: e.path,
      kind: e.format === 'sflow' ? 'sflow' : 'netflow',
      datagrams: [...(e.requires_before ?? []).map((p) => byPath.get(p)).filter(Boolean), e].flatMap(datagramsOf),
    }));
}

// never wipe the store of a server still running on it (an earlier `--keep` run)
try {
  const { pid } = JSON.parse(readFileSync(join(dir, 'SESSIONDB', 'ftserver.lock'), 'utf8'));
  process.kill(pid, 0);
  fail(`an ftserver (pid ${pid}) is running on ${dir}; stop it first (kill ${pid}) or choose another --dir`);
} catch (e) {
  if (e?.code === 'EPERM') fail(`an ftserver of another user runs on ${dir}; choose another --dir`);
}
rmSync(dir, { recursive: true, force: true });
const ports = { api: await freePort(), netflow: await freePort(), sflow: await freePort() };
process.stdout.write(`Starting ftserver (store in ${dir}) ...\n`);
const server = spawn(
  process.execPath,
  [
    join(REPO, 'bin/ftserver'),
    '--databasepath', join(dir, 'SESSIONDB'),
    '--userdatapath', join(dir, 'USERDATA'),
    '--logfile', join(dir, 'ftserver.log'),
    '--listenport', String(ports.api),
    '--netflowport', String(ports.netflow),
    '--sflowport', String(ports.sflow),
    '--listenaddress', '127.0.0.1',
    '--storageinterval', '2',
    '--init-admin-password', PASSWORD,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let out = '';
await new Promise((res, rej) => {
  server.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ftserver: listening:')) res();
  });
  server.once('exit', (code) => rej(new Error(`ftserver exited (${code}) before listening; see ${join(dir, 'ftserver.log')}`)));
}).catch((e) => fail(e.message));
process.stdout.write(out.replace(/^/gm, '  '));
const stop = () => new Promise((res) => (server.exitCode !== null ? res() : (server.once('exit', res), server.kill('SIGTERM'))));
process.once('SIGINT', () => stop().then(() => process.exit(130)));

const t0 = Date.now();
let sent = 0;
const corpus = corpusExports();
if (corpus === null) {
  process.stdout.write(`\nNo flow corpus at ${CORPUS} (set OPENTRAQ_CORPUS): sending generated traffic only.\n`);
} else {
  process.stdout.write(`\nReplaying ${corpus.length} real captures from ${CORPUS}, each from its own 127.1.x.y address ...\n`);
  const c0 = Date.now();
  for (let i = 0; i < corpus.length; i++) {
    const c = corpus[i];
    sent += await send(c.kind === 'sflow' ? ports.sflow : ports.netflow, c.datagrams, `127.1.${i >> 8}.${(i & 255) + 1}`);
  }
  process.stdout.write(`  ${human(sent)} datagrams in ${((Date.now() - c0) / 1000).toFixed(1)} s\n`);
}
if (sessions > 0) {
  process.stdout.write(`Sending ${human(sessions)} generated sessions of the last hour as NetFlow v9 from 127.0.0.1 ...\n`);
  const cols = allocColumns(sessions);
  const rows = new SessionGenerator({ seed: 7, sessions, startUs: (Date.now() - 3_600_000) * 1000, spanUs: 3_500_000_000 }).fill(cols);
  const enc = new NetflowV9Encoder({ sourceId: 7 });
  const flows = sessionsToFlows(cols, rows);
  sent += await send(ports.netflow, enc.encode(flows, 0, flows.length, Date.now()), '127.0.0.1');
}

const api = (path) => `http://127.0.0.1:${ports.api}${path}`;
const metric = async (name) => {
  const text = await (await fetch(api('/metrics'))).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
};
// loopback UDP loses nothing at this pace, but a busy machine may: wait a while, then go on and say so
const deadline = Date.now() + 20_000;
let got = 0;
while ((got = await metric('opentraq_datagrams_received_total')) < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
process.stdout.write(`Sent ${human(sent)} datagrams in ${((Date.now() - t0) / 1000).toFixed(1)} s; the server received ${got === sent ? 'all of them' : `${human(got)} of them`}.\n`);

// The answers come from the real query tools (bin/ftstat, bin/ftsq), logged in through FLOWTRAQ_*
// variables as a script would. The corpus was recorded years ago, the server moves skewed exporters'
// flows to its own clock, and some captures carry no clock at all: a wide frame shows everything.
const tomorrow = new Date(Date.now() + 86_400_000);
const pad = (n) => String(n).padStart(2, '0');
const FRAME = ['-te', '01/01/1970 00:00:00', '-tl', `${pad(tomorrow.getUTCMonth() + 1)}/${pad(tomorrow.getUTCDate())}/${tomorrow.getUTCFullYear()} 00:00:00`];
const toolEnv = { ...process.env, TZ: 'UTC', NO_COLOR: '1', FLOWTRAQ_SERVER: '127.0.0.1', FLOWTRAQ_PORT: String(ports.api), FLOWTRAQ_USERNAME: 'admin', FLOWTRAQ_PASSWORD: PASSWORD };
const quoteArg = (a) => (/^[\w./:=-]+$/.test(a) ? a : `'${a}'`);

/** Runs a tool of bin/ with `args` after the frame, prints its command line and what it printed; its stdout. */
async function tool(title, name, args) {
  const argv = [...FRAME, ...args];
  process.stdout.write(`\n${title}\n$ ${name} ${argv.map(quoteArg).join(' ')}\n`);
  const child = spawn(process.execPath, [join(REPO, 'bin', name), ...argv], { env: toolEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.once('close', resolve));
  process.stdout.write(out);
  if (code !== 0) fail(`${name} exited with ${code}: ${err.trim()}`);
  return out;
}

await tool('Top addresses by bytes', 'ftstat', ['-grp', 'IP', '-cnt', 'BYTES', '-r', '10']);
await tool('Top services by sessions', 'ftstat', ['-grp', 'PORTPROTO', '-cnt', 'SESSIONS', '-r', '10']);
await tool('Top exporter interfaces by sessions', 'ftstat', ['-grp', 'IF', '-cnt', 'SESSIONS', '-r', '10']);
await tool('Host pairs talking over the most distinct services', 'ftstat', ['-grp', 'IPPAIR', '-cnt', 'UNIQUE', 'PORTPROTO', '-r', '10']);
// the busiest address, from the same ranking as CSV (rank,IP,value,...)
const busiest = (await tool('The busiest address, as a script reads it', 'ftstat', ['-grp', 'IP', '-cnt', 'BYTES', '-r', '1', '-c'])).split(',')[1];
if (busiest !== undefined && busiest !== '') await tool(`Sessions of ${busiest}`, 'ftsq', ['-q', `ADDR=${busiest}`, '-r', '8']);

process.stdout.write(`\nThe API answers on http://127.0.0.1:${ports.api} (user admin, password ${PASSWORD}); metrics at /metrics.\n`);
if (args.keep) {
  process.stdout.write('The server keeps running; stop it with Ctrl-C.\n');
} else {
  await stop();
  process.stdout.write(`Stopped ftserver; its store and log are in ${dir}.\n`);
}
