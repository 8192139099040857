// The cross-check against the reference collector: the same NetFlow v9 (and IPFIX) datagrams go to
// nfcapd and to ftserver; nfdump's per-address totals must equal the server's IP ranking, exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import {
  IpfixEncoder, NetflowV9Encoder, SessionGenerator, allocColumns, sessionsToFlows, type FlowBatch,
} from '../../packages/core/src/index.js';
import { startServer, type RunningServer } from '../lib/ftserver.js';
import { Nfcapd, nfcapdFiles, nfdumpIpTotals, nfdumpSummary, type IpTotals } from '../lib/nfdump.js';
import { sendDatagrams } from '../lib/replay.js';
import { netflowReceived, until, wholeFrame } from '../lib/serverchecks.js';

/** Sessions per run: each gives one or two flow records, several thousand flows in all. */
const SESSIONS = 4000;
/** Few hosts, so that most addresses take part in many sessions (totals over many flows). */
const HOSTS = 300;
/** Every this many sessions, one becomes a session of its client with itself: nfdump and the ranking both count it as sent and as received. */
const SELF_EVERY = 89;

/**
 * `SESSIONS` generated sessions that start within the last two minutes and last at most 50 s (so none
 * ends in the future), some of an address with itself, as datagrams of `encoder` exported now.
 */
interface Stream {
  datagrams: Uint8Array[];
  /** Flow records the datagrams carry. */
  flows: number;
}

function datagramsNearNow(seed: number, encode: (flows: FlowBatch, nowMs: number) => Uint8Array[]): Stream {
  const nowMs = Date.now();
  const cols = allocColumns(SESSIONS);
  const rows = new SessionGenerator({ seed, sessions: SESSIONS, hosts: HOSTS, startUs: (nowMs - 120_000) * 1000, spanUs: 60_000_000 }).fill(cols);
  const start = cols.start as Float64Array;
  const end = cols.end as Float64Array;
  for (let i = 0; i < rows; i++) end[i] = start[i]! + Math.min(end[i]! - start[i]!, 50_000_000);
  const clnip = cols.clnip as Uint32Array;
  for (let i = 0; i < rows; i += SELF_EVERY) (cols.srvip as Uint32Array).set(clnip.subarray(i * 4, i * 4 + 4), i * 4);
  const flows = sessionsToFlows(cols, rows);
  return { datagrams: encode(flows, nowMs), flows: flows.length };
}

const v9 = (seed: number): Stream =>
  datagramsNearNow(seed, (flows, nowMs) => new NetflowV9Encoder({ sourceId: 9, templateEvery: 10 }).encode(flows, 0, flows.length, nowMs));

const ipfix = (seed: number): Stream =>
  datagramsNearNow(seed, (flows, nowMs) => new IpfixEncoder({ observationDomain: 10, templateEvery: 10 }).encode(flows, 0, flows.length, nowMs));

interface StatAnswer {
  columns: string[];
  data: (string | number | null)[][];
  summary: Record<string, unknown>;
}

/** The server's `IP`/`BYTES` ranking, every row, over a frame that holds every session whole. */
async function serverIpTotals(s: RunningServer, token: string): Promise<Map<string, Omit<IpTotals, 'flows'>>> {
  const stat = await s.getJson<StatAnswer>('/api/v1/stat', token, {
    group_by: 'IP',
    count_by: 'BYTES',
    ...wholeFrame(),
    rows: 1_000_000,
    format: 'json',
  });
  const col = (name: string): number => {
    const i = stat.columns.indexOf(name);
    if (i < 0) throw new Error(`the stat answer has no ${name} column: ${stat.columns.join(', ')}`);
    return i;
  };
  const [ip, value, bs, br, ps, pr] = ['IP', 'value', 'bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv'].map(col) as [number, number, number, number, number, number];
  const out = new Map<string, Omit<IpTotals, 'flows'>>();
  for (const row of stat.data) {
    const addr = row[ip] as string;
    const bytes = (row[bs] as number) + (row[br] as number);
    if (bytes !== row[value]) throw new Error(`${addr}: value ${String(row[value])} is not bytes_sent + bytes_recv = ${bytes}`);
    if (out.has(addr)) throw new Error(`${addr} is ranked twice`);
    out.set(addr, { bytes, packets: (row[ps] as number) + (row[pr] as number) });
  }
  return out;
}

/** Send the same datagrams to nfcapd and ftserver, then compare nfdump's totals with the server's, address by address. */
async function crossCheck(t: Test, { datagrams, flows }: Stream): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-nfdump-server-'));
  const [nfcapd, server] = await Promise.all([Nfcapd.start(), startServer({ dir })]);
  t.teardown(async () => {
    await server.stop();
    await nfcapd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  // paced: neither collector may lose a datagram to a full receive buffer
  await Promise.all([
    sendDatagrams(nfcapd.port, datagrams, { ratePerSecond: 5000 }),
    sendDatagrams(server.ports.netflow, datagrams, { ratePerSecond: 5000 }),
  ]);
  await nfcapd.stop();
  t.ok(nfcapdFiles(nfcapd.dir).length > 0, 'nfcapd wrote its capture file');
  t.equal(await netflowReceived(server, datagrams.length), datagrams.length, `the server received all ${datagrams.length} datagrams`);

  const want = await nfdumpIpTotals(nfcapd.dir);
  const summary = await nfdumpSummary(nfcapd.dir);
  t.equal(summary.flows, flows, `nfdump read every flow sent: ${summary.flows} (${summary.bytes} bytes, ${summary.packets} packets) over ${want.size} addresses`);

  // every datagram is in; decoding and session assembly may still be under way: wait for the byte total
  const token = await server.login();
  const wantBytes = [...want.values()].reduce((n, x) => n + x.bytes, 0);
  let got = new Map<string, Omit<IpTotals, 'flows'>>();
  await until(async () => {
    got = await serverIpTotals(server, token);
    return [...got.values()].reduce((n, x) => n + x.bytes, 0) === wantBytes;
  });

  t.equal(got.size, want.size, 'as many addresses ranked as nfdump lists');
  const wrong: string[] = [];
  for (const [addr, w] of want) {
    const g = got.get(addr);
    if (g === undefined || g.bytes !== w.bytes || g.packets !== w.packets) wrong.push(`${addr}: nfdump ${w.bytes} bytes ${w.packets} packets, ftserver ${g === undefined ? 'no row' : `${g.bytes} bytes ${g.packets} packets`}`);
  }
  t.same(wrong.slice(0, 20), [], `every address has nfdump's bytes and packets (${wrong.length} differ)`);
  const extra = [...got.keys()].filter((a) => !want.has(a));
  t.same(extra.slice(0, 20), [], 'no address nfdump does not know');
  t.ok([...want.keys()].some((a) => a.includes(':')) && [...want.keys()].some((a) => !a.includes(':')), 'IPv4 and IPv6 addresses both compared');
}

t.test('NetFlow v9: nfdump -s ip/bytes equals the IP/BYTES ranking', (t) => crossCheck(t, v9(4101)));

t.test('IPFIX: nfdump -s ip/bytes equals the IP/BYTES ranking', (t) => crossCheck(t, ipfix(4102)));
