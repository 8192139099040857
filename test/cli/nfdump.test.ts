// ftstat against the reference collector: the same NetFlow v9 datagrams go to nfcapd and to ftserver;
// `ftstat -grp IP -cnt BYTES -C` and `-cnt PACKETS -C` must equal nfdump's per-address totals exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { NetflowV9Encoder, SessionGenerator, allocColumns, sessionsToFlows } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { Nfcapd, nfdumpIpTotals, nfdumpSummary } from '../lib/nfdump.js';
import { sendDatagrams } from '../lib/replay.js';
import { netflowReceived, until } from '../lib/serverchecks.js';
import { FTSTAT, parseCsv, runTool } from './clirun.js';

const SESSIONS = 3000;
const HOSTS = 250;

t.test('ftstat -grp IP -cnt BYTES / PACKETS equal nfdump -s ip/bytes, address by address', async (t) => {
  const nowMs = Date.now();
  const cols = allocColumns(SESSIONS);
  const rows = new SessionGenerator({ seed: 5202, sessions: SESSIONS, hosts: HOSTS, startUs: (nowMs - 120_000) * 1000, spanUs: 60_000_000 }).fill(cols);
  const start = cols.start as Float64Array;
  const end = cols.end as Float64Array;
  // none ends in the future: every session lies whole in the frame below, so nothing is pro-rated
  for (let i = 0; i < rows; i++) end[i] = start[i]! + Math.min(end[i]! - start[i]!, 50_000_000);
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
  const want = await nfdumpIpTotals(nfcapd.dir);
  t.equal((await nfdumpSummary(nfcapd.dir)).flows, flows.length, `nfdump read all ${flows.length} flows (${want.size} addresses)`);

  const frame = ['-te', new Date(nowMs - 3_600_000).toISOString(), '-tl', new Date(nowMs + 3_600_000).toISOString()];
  const base = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-grp', 'IP', '-r', '1000000', '-C', ...frame];
  const wantBytes = [...want.values()].reduce((n, x) => n + x.bytes, 0);
  // decoding and session assembly may still be under way: wait for the byte total
  await until(async () => {
    const r = await runTool(FTSTAT, [...base, '-cnt', 'BYTES']);
    return r.stdout.includes(`, Total bytes: ${wantBytes}\n`);
  });

  for (const count of ['BYTES', 'PACKETS'] as const) {
    const r = await runTool(FTSTAT, [...base, '-cnt', count]);
    t.equal(r.code, 0, `ftstat -cnt ${count} -C: exit 0 ${r.stderr}`);
    const table = parseCsv(r.stdout).filter((row) => !row[0]!.startsWith('#'));
    const header = table[0]!;
    const ip = header.indexOf('IP');
    const value = header.indexOf('value');
    const got = new Map(table.slice(1).map((row) => [row[ip]!, Number(row[value])]));
    t.equal(got.size, want.size, `-cnt ${count}: as many addresses as nfdump lists`);
    const wrong: string[] = [];
    for (const [addr, w] of want) {
      const expected = count === 'BYTES' ? w.bytes : w.packets;
      if (got.get(addr) !== expected) wrong.push(`${addr}: nfdump ${expected}, ftstat ${String(got.get(addr))}`);
    }
    t.same(wrong.slice(0, 20), [], `-cnt ${count}: every address has nfdump's number (${wrong.length} differ)`);
    const values = [...got.values()];
    t.ok(values.every((v, i) => i === 0 || values[i - 1]! >= v), `-cnt ${count}: ranked, largest first`);
  }
  t.ok([...want.keys()].some((a) => a.includes(':')) && [...want.keys()].some((a) => !a.includes(':')), 'IPv4 and IPv6 addresses both compared');
});
