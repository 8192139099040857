// Every capture of the shared corpus replayed into a real ftserver (UDP to its NetFlow and sFlow
// ports, IPFIX over a real TCP connection), each from its own loopback address; the API's sessions and
// rankings must add up to what the ingest pipeline makes of the same bytes in-process.
import t from 'tap';
import { IngestPipeline, formatIpAt, type Columns } from '../../packages/core/src/index.js';
import { corpusSkipReason, listCorpusCaptures, payloads, type CorpusCapture } from '../lib/corpus.js';
import { startServer } from '../lib/ftserver.js';
import { sendDatagrams, sendTcpStream } from '../lib/replay.js';
import { fetchMetric, ndjsonRows, until } from '../lib/serverchecks.js';

interface Totals {
  flows: number;
  bytes: number;
  packets: number;
  sessions: number;
}

const skip = corpusSkipReason();
if (skip !== false) throw new Error(skip);

const captures = listCorpusCaptures();
const byName = new Map(captures.map((c) => [c.name, c]));
/** Each capture's exporter address: 127.1.x.y, so that templates of different captures never meet. */
const addressOf = (i: number): string => `127.1.${(i >> 8) & 255}.${(i & 255) + 1}`;

function chain(c: CorpusCapture): CorpusCapture[] {
  return [...c.requiresBefore.map((n) => byName.get(n)!), c];
}

/** What the in-process pipeline makes of the captures: totals by exporter address. */
function reference(nowMs: number): Map<string, Totals> {
  const out = new Map<string, Totals>();

  const pipeline = new IngestPipeline({
    enrichment: null,
    onSessions: (cols: Columns, rows: number) => {
      for (let i = 0; i < rows; i++) {
        const exp = formatIpAt(cols.expip as Uint32Array, i);
        const tot = out.get(exp) ?? { flows: 0, bytes: 0, packets: 0, sessions: 0 };
        tot.flows += cols.flows[i]!;
        tot.bytes += cols.clnbyts[i]! + cols.srvbyts[i]!;
        tot.packets += cols.clnpkts[i]! + cols.srvpkts[i]!;
        tot.sessions++;
        out.set(exp, tot);
      }
    },
  });
  captures.forEach((c, i) => {
    const from = addressOf(i);
    for (const part of chain(c)) {
      const p = payloads(part);
      if (part.kind === 'ipfix-tcp') {
        for (const s of p.streams) {
          // the same framing the server's TCP listener does
          let at = 0;
          while (at + 4 <= s.bytes.length) {
            const len = (s.bytes[at + 2]! << 8) | s.bytes[at + 3]!;
            if (len < 16 || at + len > s.bytes.length) break;
            pipeline.tcpMessage(s.bytes.subarray(at, at + len), from, `ref:${s.srcPort}`, nowMs);
            at += len;
          }
        }
      } else {
        for (const d of p.datagrams) pipeline.datagram(part.kind, d.payload, from, nowMs);
      }
    }
  });
  pipeline.drain();
  return out;
}

t.test('the corpus through a real server', async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  const sent = { netflow: 0, sflow: 0, tcpBytes: 0 };
  for (let i = 0; i < captures.length; i++) {
    const from = addressOf(i);
    for (const part of chain(captures[i]!)) {
      const p = payloads(part);
      if (part.kind === 'ipfix-tcp') {
        for (const s of p.streams) {
          await sendTcpStream(server.ports.ipfixtcp, s.bytes, { bind: from });
          sent.tcpBytes += s.bytes.length;
        }
      } else {
        const port = part.kind === 'sflow' ? server.ports.sflow : server.ports.netflow;
        await sendDatagrams(port, p.datagrams.map((d) => d.payload), { bind: from, ratePerSecond: 20_000 });
        sent[part.kind] += p.datagrams.length;
      }
    }
  }
  const arrived = await until(async () => {
    const [nf, sf, tcp] = await Promise.all([
      fetchMetric(server, 'opentraq_datagrams_received_total', { port: server.ports.netflow }),
      fetchMetric(server, 'opentraq_datagrams_received_total', { port: server.ports.sflow }),
      fetchMetric(server, 'opentraq_bytes_received_total', { transport: 'tcp' }),
    ]);
    return nf === sent.netflow && sf === sent.sflow && tcp === sent.tcpBytes;
  }, 60_000);
  t.ok(arrived, 'every datagram and TCP byte reached the server');
  t.ok(sent.netflow > 1000 && sent.sflow > 10 && sent.tcpBytes > 0, `replayed ${sent.netflow} NetFlow/IPFIX datagrams, ${sent.sflow} sFlow datagrams, ${sent.tcpBytes} IPFIX/TCP bytes`);

  const want = reference(Date.now());
  const token = await server.login();
  const frame = { after_time: 0, before_time: Math.ceil(Date.now() / 1000) + 30 * 86400 };
  // the TCP messages are decoded as they arrive; the last ones may still be in the event queue
  let got = new Map<string, Totals>();
  await until(async () => {
    const r = await server.get('/api/v1/sessions', token, { ...frame, fields: 'EXPIP,CLNBYTS,SRVBYTS,CLNPKTS,SRVPKTS,FLOWS', format: 'ndjson' });
    t.equal(r.status, 200);
    got = new Map();
    for (const s of ndjsonRows(await r.text())) {
      const tot = got.get(s.EXPIP as string) ?? { flows: 0, bytes: 0, packets: 0, sessions: 0 };
      tot.flows += s.FLOWS as number;
      tot.bytes += (s.CLNBYTS as number) + (s.SRVBYTS as number);
      tot.packets += (s.CLNPKTS as number) + (s.SRVPKTS as number);
      tot.sessions++;
      got.set(s.EXPIP as string, tot);
    }
    return [...want].every(([k, w]) => got.get(k)?.flows === w.flows);
  }, 60_000);
  t.equal(got.size, want.size, 'sessions from as many exporters as the reference');
  for (const [exp, w] of want) {
    const g = got.get(exp);
    // NetFlow and IPFIX sessions name the sender (127.1.x.y: one per capture); sFlow ones their agent
    const m = /^127\.1\.(\d+)\.(\d+)$/.exec(exp);
    const name = m === null ? `sFlow agent ${exp}` : captures[Number(m[1]) * 256 + Number(m[2]) - 1]!.name;
    t.same(g && { flows: g.flows, bytes: g.bytes, packets: g.packets }, { flows: w.flows, bytes: w.bytes, packets: w.packets }, `${name}: flows, bytes and packets as decoded in-process`);
  }

  // the ranking answer agrees with the sessions answer, address by address
  const stat = await server.getJson<{ columns: string[]; data: unknown[][]; summary: Record<string, number> }>('/api/v1/stat', token, {
    ...frame,
    group_by: 'IP',
    count_by: 'BYTES',
    rows: 1_000_000,
  });
  const col = (n: string): number => stat.columns.indexOf(n);
  const r = await server.get('/api/v1/sessions', token, { ...frame, fields: 'CLNIP,SRVIP,CLNBYTS,SRVBYTS', format: 'ndjson' });
  const perIp = new Map<string, number>();
  for (const s of ndjsonRows(await r.text())) {
    const b = (s.CLNBYTS as number) + (s.SRVBYTS as number);
    // a session of an address with itself counts for it on both sides (docs/cli.md, -grp IP and nfdump's -s ip)
    perIp.set(s.CLNIP as string, (perIp.get(s.CLNIP as string) ?? 0) + b);
    perIp.set(s.SRVIP as string, (perIp.get(s.SRVIP as string) ?? 0) + b);
  }
  t.equal(stat.data.length, perIp.size, 'one ranking row per address');
  let wrong = 0;
  for (const row of stat.data) if (Math.round(perIp.get(row[col('IP')] as string) ?? -1) !== row[col('value')]) wrong++;
  t.equal(wrong, 0, 'every address ranked with the bytes of its sessions');
  const top = [...perIp.values()].sort((a, b) => b - a)[0]!;
  t.equal(stat.data[0]![col('value')], Math.round(top), 'the top address first');
});
