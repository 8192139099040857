// ftstat against the reference collector: the same NetFlow v9 datagrams go to nfcapd and to ftserver;
// `ftstat -grp IP -cnt BYTES -C` and `-cnt PACKETS -C` must equal nfdump's per-address totals exactly,
// sessions of an address with itself included.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { NetflowV9Encoder, SessionGenerator, allocColumns, parseIp, sessionsToFlows, setIpAt, type IpWords } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { Nfcapd, nfdumpFlows, nfdumpIpTotals, nfdumpSummary } from '../lib/nfdump.js';
import { sendDatagrams } from '../lib/replay.js';
import { netflowReceived, until } from '../lib/serverchecks.js';
import { FTSTAT, parseCsv, runTool } from './clirun.js';

const SESSIONS = 3000;
const HOSTS = 250;
/** Every this many sessions, one becomes a session of its client with itself (server address := client address). */
const SELF_EVERY = 97;
/** Addresses that only ever talk to themselves (documentation blocks: the generator never picks them). */
const SELF_ONLY = ['192.0.2.77', '3fff::77'];
/** Sessions of each SELF_ONLY address; in the last two the client port is the server port too. */
const SELF_ONLY_SESSIONS = 4;

function words(ip: string): IpWords {
  const w = parseIp(ip);
  if (w === null) throw new Error(`not an address: ${ip}`);
  return w;
}

t.test('ftstat -grp IP -cnt BYTES / PACKETS equal nfdump -s ip/bytes, address by address', async (t) => {
  const nowMs = Date.now();
  const cols = allocColumns(SESSIONS);
  const rows = new SessionGenerator({ seed: 5202, sessions: SESSIONS, hosts: HOSTS, startUs: (nowMs - 120_000) * 1000, spanUs: 60_000_000 }).fill(cols);
  const start = cols.start as Float64Array;
  const end = cols.end as Float64Array;
  // none ends in the future: every session lies whole in the frame below, so nothing is pro-rated
  for (let i = 0; i < rows; i++) end[i] = start[i]! + Math.min(end[i]! - start[i]!, 50_000_000);
  // sessions of an address with itself (broadcast, loopback, misconfigured hosts do this): some of
  // hosts that also talk to others, and all of the SELF_ONLY addresses'
  const clnip = cols.clnip as Uint32Array;
  const srvip = cols.srvip as Uint32Array;
  for (let i = 0; i < rows; i += SELF_EVERY) srvip.set(clnip.subarray(i * 4, i * 4 + 4), i * 4);
  SELF_ONLY.forEach((ip, k) => {
    for (let j = 0; j < SELF_ONLY_SESSIONS; j++) {
      const i = 1 + k * SELF_ONLY_SESSIONS + j;
      setIpAt(clnip, i, words(ip));
      setIpAt(srvip, i, words(ip));
      if (j >= SELF_ONLY_SESSIONS - 2) cols.clnport[i] = cols.srvport[i]!;
    }
  });
  const flows = sessionsToFlows(cols, rows);
  const datagrams = new NetflowV9Encoder({ sourceId: 11, templateEvery: 10 }).encode(flows, 0, flows.length, nowMs);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-cli-nfdump-'));
  const [nfcapd, server] = await Promise.all([Nfcapd.start(), startServer({ dir })]);
  t.teardown(async () => {
    await server.stop();
    await nfcapd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  await Promise.all([sendDatagrams(nfcapd.port, datagrams, { ratePerSecond: 5000 }), sendDatagrams(server.ports.netflow, datagrams, { ratePerSecond: 5000 })]);
  await nfcapd.stop();
  t.equal(await netflowReceived(server, datagrams.length), datagrams.length, 'the server received every datagram');
  const summary = await nfdumpSummary(nfcapd.dir);
  const nfFlows = await nfdumpFlows(nfcapd.dir);
  const totals = await nfdumpIpTotals(nfcapd.dir);
  t.equal(summary.flows, flows.length, `nfdump read all ${flows.length} flows (${totals.size} addresses)`);

  // what nfdump does with a flow from an address to itself: it counts it for the address twice, as
  // source and as destination; ftstat counts it so too (what the address sent plus what it received)
  const self = nfFlows.filter((f) => f.src === f.dst);
  t.ok(self.length >= rows / SELF_EVERY, `${self.length} flows from an address to itself`);
  for (const ip of SELF_ONLY) {
    const own = nfFlows.filter((f) => f.src === ip || f.dst === ip);
    t.ok(own.length > 0 && own.every((f) => f.src === ip && f.dst === ip), `${ip}: ${own.length} flows, each from ${ip} to itself`);
    const bytes = own.reduce((n, f) => n + f.inBytes + f.outBytes, 0);
    t.same(totals.get(ip), { bytes: 2 * bytes, packets: 2 * own.reduce((n, f) => n + f.inPackets + f.outPackets, 0), flows: 2 * own.length }, `nfdump -s ip counts each of ${ip}'s flows twice: ${2 * bytes} bytes`);
  }

  const frame = ['-te', new Date(nowMs - 3_600_000).toISOString(), '-tl', new Date(nowMs + 3_600_000).toISOString()];
  const base = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-grp', 'IP', '-r', '1000000', '-C', ...frame];
  // every datagram is in; wait for the total over the selection (each flow once) to be sure
  const total = `, Total bytes: ${summary.bytes}\n`;
  t.ok(await until(async () => (await runTool(FTSTAT, [...base, '-cnt', 'BYTES'])).stdout.includes(total)), `ftstat -C totals nfdump's ${summary.bytes} bytes`);

  for (const count of ['BYTES', 'PACKETS'] as const) {
    const r = await runTool(FTSTAT, [...base, '-cnt', count]);
    t.equal(r.code, 0, `ftstat -cnt ${count} -C: exit 0 ${r.stderr}`);
    const table = parseCsv(r.stdout).filter((row) => !row[0]!.startsWith('#'));
    const header = table[0]!;
    const ip = header.indexOf('IP');
    const value = header.indexOf('value');
    const got = new Map(table.slice(1).map((row) => [row[ip]!, Number(row[value])]));
    t.equal(got.size, totals.size, `-cnt ${count}: as many addresses as nfdump lists`);
    const wrong: string[] = [];
    for (const [addr, w] of totals) {
      const expected = count === 'BYTES' ? w.bytes : w.packets;
      if (got.get(addr) !== expected) wrong.push(`${addr}: nfdump ${expected}, ftstat ${String(got.get(addr))}`);
    }
    t.same(wrong.slice(0, 20), [], `-cnt ${count}: every address has nfdump's number, flows from an address to itself included (${wrong.length} differ)`);
    for (const addr of SELF_ONLY) {
      const twice = 2 * self.filter((f) => f.src === addr).reduce((n, f) => n + (count === 'BYTES' ? f.inBytes + f.outBytes : f.inPackets + f.outPackets), 0);
      t.equal(got.get(addr), twice, `-cnt ${count}: ${addr}, which only talks to itself, has its sessions' volume as sent and as received: ${twice}`);
    }
    const values = [...got.values()];
    t.ok(values.every((v, i) => i === 0 || values[i - 1]! >= v), `-cnt ${count}: ranked, largest first`);
  }
  t.ok([...totals.keys()].some((a) => a.includes(':')) && [...totals.keys()].some((a) => !a.includes(':')), 'IPv4 and IPv6 addresses both compared');
});
