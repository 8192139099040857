// NetFlow v7 from a real exporter: Debian's fprobe captures traffic this test makes on the loopback
// interface and exports it as v7; every record we decode must equal tshark's decode of the same datagrams.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FlowBatch, FlowDecoder } from '../../src/decode/index.js';
import { formatIpAt } from '../../src/fields/ipcodec.js';
import { PcapWriter } from '../../src/pcap/index.js';

/** The absolute path of a program (sbin directories included); throws saying what to install. */
function program(name: string, pkg: string): string {
  for (const dir of [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/sbin']) {
    if (dir === '') continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not installed: apt-get install -y --no-install-recommends ${pkg} (.ci/run installs it in CI)`);
}

/** An Ethernet/IPv4/UDP frame around a payload (checksums 0: tshark does not need them). */
function udpFrame(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  const v = new DataView(f.buffer);
  v.setUint16(12, 0x0800);
  v.setUint8(14, 0x45);
  v.setUint16(16, 20 + 8 + payload.length);
  v.setUint8(22, 64);
  v.setUint8(23, 17);
  f.set(src.split('.').map(Number), 26);
  f.set(dst.split('.').map(Number), 30);
  v.setUint16(34, sport);
  v.setUint16(36, dport);
  v.setUint16(38, 8 + payload.length);
  f.set(payload, 42);
  return f;
}

/** Lines of fprobe's output, and a promise for its exit. */
function start(file: string, args: string[]): { child: ChildProcess; output: () => string; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const take = (s: Buffer): void => {
    out += s.toString('utf8');
    // Printed once the capture is open and the collector socket made.
    if (out.includes('collector #1')) onReady();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, output: () => out, ready, exited };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Traffic between two loopback addresses: a TCP connection with data both ways, UDP both ways, a UDP datagram to a closed port (ICMP port unreachable). */
async function traffic(client: string, server: string): Promise<{ tcpPort: number; udpPort: number }> {
  const srv = net.createServer((s) => {
    let got = 0;
    s.on('data', (d) => {
      got += d.length;
      if (got >= 5000) s.end(Buffer.alloc(20_000, 0x42));
    });
  });
  await new Promise<void>((r) => srv.listen(0, server, r));
  const tcpPort = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve, reject) => {
    const c = net.connect({ host: server, port: tcpPort, localAddress: client }, () => c.write(Buffer.alloc(5000, 0x41)));
    c.on('data', () => {});
    c.on('end', () => c.end());
    c.on('close', () => resolve());
    c.on('error', reject);
  });
  await new Promise<void>((r) => srv.close(() => r()));

  const us = dgram.createSocket('udp4');
  await new Promise<void>((r) => us.bind(0, server, r));
  const udpPort = us.address().port;
  us.on('message', (_m, rinfo) => us.send(Buffer.alloc(300, 0x43), rinfo.port, rinfo.address));
  const uc = dgram.createSocket('udp4');
  await new Promise<void>((r) => uc.bind(0, client, r));
  let replies = 0;
  const answered = new Promise<void>((r) => uc.on('message', () => ++replies === 3 && r()));
  for (let i = 0; i < 3; i++) uc.send(Buffer.alloc(100, 0x44), udpPort, server);
  await answered;
  // A closed port: one the kernel just gave out (so no socket, not even a wildcard one, holds it), closed again.
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, server, r));
  const closedPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const closed = new Promise<void>((r) => uc.once('error', () => r()));
  uc.connect(closedPort, server, () => uc.send(Buffer.alloc(10)));
  await Promise.race([closed, sleep(500)]);
  uc.close();
  us.close();
  return { tcpPort, udpPort };
}

/** tshark's value of a cflow field per record (the records of every datagram in order). */
type TsharkRecord = Record<string, string>;

const FIELDS = [
  'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'octets', 'tcpflags', 'tos', 'inputint', 'outputint',
  'srcas', 'dstas', 'timestart', 'timeend', 'sysuptime', 'unix_secs', 'unix_nsecs', 'count',
] as const;

function tsharkRecords(tshark: string, pcapFile: string, port: number): TsharkRecord[] {
  const args = ['-r', pcapFile, '-n', '-d', `udp.port==${port},cflow`, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const f of FIELDS) args.push('-e', `cflow.${f}`);
  const r = spawnSync(tshark, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tshark failed (${String(r.status)}): ${r.stderr}`);
  const out: TsharkRecord[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const cols = line.split('\t').map((c) => c.split('|'));
    const header = (name: (typeof FIELDS)[number]): string => cols[FIELDS.indexOf(name)]![0]!;
    const n = Number(header('count'));
    for (let k = 0; k < n; k++) {
      const rec: TsharkRecord = {};
      for (const [i, f] of FIELDS.entries()) rec[f] = ['sysuptime', 'unix_secs', 'unix_nsecs', 'count'].includes(f) ? cols[i]![0]! : cols[i]![k]!;
      out.push(rec);
    }
  }
  return out;
}

/** `2395375.053000000` (tshark's seconds since boot) → ms. */
function secondsToMs(s: string): number {
  const [sec, frac = ''] = s.split('.');
  return Number(sec) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3));
}

t.test('fprobe NetFlow v7: our decode equals tshark record by record', async (t) => {
  const fprobe = program('fprobe', 'fprobe');
  const tshark = program('tshark', 'tshark');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-fprobe-'));
  // A /24 of the loopback range of our own, so that parallel runs and other traffic stay apart.
  const net24 = `127.77.${1 + Math.floor(Math.random() * 254)}`;
  const client = `${net24}.1`;
  const server = `${net24}.2`;

  const collector = dgram.createSocket('udp4');
  const datagrams: { payload: Uint8Array; from: string; sport: number; timeUs: number }[] = [];
  collector.on('message', (m, rinfo) => datagrams.push({ payload: new Uint8Array(m), from: rinfo.address, sport: rinfo.port, timeUs: Date.now() * 1000 }));
  await new Promise<void>((r) => collector.bind(0, '127.0.0.1', r));
  const port = collector.address().port;

  // -p no promiscuous mode; -s 1 -d 1: flows idle for a second are exported within about two.
  const fp = start(fprobe, ['-p', '-i', 'lo', '-f', `net ${net24}.0/24`, '-n', '7', '-s', '1', '-d', '1', '-e', '60', '-l', '2', `127.0.0.1:${port}`]);
  t.teardown(() => {
    if (fp.child.exitCode === null) fp.child.kill('SIGKILL');
    collector.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await Promise.race([fp.ready, fp.exited, sleep(10_000)]);
  t.ok(fp.output().includes('collector #1'), `fprobe started: ${fp.output().trim().split('\n').pop() ?? ''}`);
  await sleep(300);
  const { tcpPort, udpPort } = await traffic(client, server);
  // Until the five flows are exported and nothing more has come for three seconds (at most 30 s).
  const until = Date.now() + 30_000;
  let seen = -1;
  let quietSince = Date.now();
  while (Date.now() < until) {
    await sleep(250);
    if (datagrams.length !== seen) {
      seen = datagrams.length;
      quietSince = Date.now();
    } else if (seen > 0 && Date.now() - quietSince > 3000) {
      break;
    }
  }
  fp.child.kill('SIGTERM');
  await Promise.race([fp.exited, sleep(10_000)]);
  t.not(fp.child.exitCode ?? fp.child.signalCode, null, 'fprobe stopped');

  t.ok(datagrams.length > 0, `${datagrams.length} datagrams from fprobe`);
  const w = new PcapWriter();
  for (const d of datagrams) w.add(d.timeUs, udpFrame(d.from, '127.0.0.1', d.sport, port, d.payload));
  const file = path.join(dir, 'fprobe-v7.pcap');
  writeFileSync(file, w.bytes());
  const expected = tsharkRecords(tshark, file, port);

  const dec = new FlowDecoder();
  const out = new FlowBatch(64);
  for (const d of datagrams) {
    const r = dec.decode(d.payload, d.from, { nowMs: d.timeUs / 1000 }, out);
    t.same([r.version, r.dropped], [7, null], 'a v7 datagram, nothing dropped');
  }
  t.equal(out.length, expected.length, `${out.length} records, as many as tshark shows`);
  let compared = 0;
  for (let i = 0; i < Math.min(out.length, expected.length); i++) {
    const e = expected[i]!;
    const r = out.row(i);
    const exportUs = Number(e['unix_secs']) * 1e6 + Math.floor(Number(e['unix_nsecs']) / 1000);
    const rel = (s: string): number => exportUs - (secondsToMs(e['sysuptime']!) - secondsToMs(s)) * 1000;
    const got = {
      src: formatIpAt(out.srcAddr, i), dst: formatIpAt(out.dstAddr, i), srcPort: r.srcPort, dstPort: r.dstPort, proto: r.proto,
      packets: r.packets, bytes: r.bytes, tcpFlags: r.tcpFlags, tos: r.tos, inIf: r.inIf, outIf: r.outIf, srcAs: r.srcAs, dstAs: r.dstAs,
      start: r.start, end: r.end, expv: r.expv, rate: r.samplingRate,
    };
    const want = {
      src: e['srcaddr'], dst: e['dstaddr'], srcPort: Number(e['srcport']), dstPort: Number(e['dstport']), proto: Number(e['protocol']),
      packets: Number(e['packets']), bytes: Number(e['octets']), tcpFlags: Number(e['tcpflags']), tos: Number(e['tos']),
      inIf: Number(e['inputint']), outIf: Number(e['outputint']), srcAs: Number(e['srcas']), dstAs: Number(e['dstas']),
      start: rel(e['timestart']!), end: rel(e['timeend']!), expv: 7, rate: 1,
    };
    t.same(got, want, `record ${i}: ${want.src}:${want.srcPort} → ${want.dst}:${want.dstPort} proto ${want.proto}`);
    compared++;
  }

  // And the records are the traffic made: both directions of the TCP connection and of the UDP exchange, and the ICMP error.
  const rows = Array.from({ length: out.length }, (_, i) => ({ src: formatIpAt(out.srcAddr, i), dst: formatIpAt(out.dstAddr, i), sp: out.srcPort[i]!, dp: out.dstPort[i]!, proto: out.proto[i]!, bytes: out.bytes[i]! }));
  /** Bytes of the records that match, -1 when none does. */
  const find = (f: (x: (typeof rows)[number]) => boolean): number => {
    const m = rows.filter(f);
    return m.length === 0 ? -1 : m.reduce((a, x) => a + x.bytes, 0);
  };
  t.ok(find((x) => x.proto === 6 && x.src === client && x.dp === tcpPort) > 5000, 'TCP client → server carries the 5000 bytes sent');
  t.ok(find((x) => x.proto === 6 && x.src === server && x.sp === tcpPort) > 20_000, 'TCP server → client carries the 20000 bytes');
  t.ok(find((x) => x.proto === 17 && x.src === client && x.dp === udpPort) >= 3 * 128, 'UDP requests: 3 × (100 + 28) bytes');
  t.ok(find((x) => x.proto === 17 && x.src === server && x.sp === udpPort) >= 3 * 328, 'UDP replies');
  t.ok(find((x) => x.proto === 1 && x.src === server && x.dst === client) > 0, 'ICMP port unreachable');
  t.comment(`fprobe v7: ${datagrams.length} datagrams, ${compared} records compared with tshark`);
});
