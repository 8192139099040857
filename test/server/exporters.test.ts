// Real exporters from Debian (softflowd v1/v5/v9/IPFIX, pmacctd nfprobe and sfprobe) read generated
// captures and export into one running ftserver; the API must give back every conversation as a session.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { EXPORTER_CASES, fiveTuple, sfprobeTail, wantsFor, type ExporterCase, type Want } from '../lib/exportercases.js';
import { killAll, type RunResult } from '../lib/exporters.js';
import { startServer, type RunningServer } from '../lib/ftserver.js';
import { fetchMetric, until, wholeFrame } from '../lib/serverchecks.js';
import { buildCapture, standardTraffic } from '../lib/traffic.js';

/** A session of the API's JSON answer, by field name. */
type ApiSession = Record<string, string | number>;

const FIELDS = [
  'START', 'END', 'CLNIP', 'CLNPORT', 'SRVIP', 'SRVPORT', 'PROTO', 'CLNPKTS', 'CLNBYTS', 'SRVPKTS', 'SRVBYTS', 'FLAGS',
  'INVLAN', 'OUTVLAN', 'CLNMAC', 'SRVMAC', 'EXPIP', 'EXPV', 'SRCID', 'SAMPLERATE', 'FLOWS',
];

/** TCP flags from the API's text (`CEUAPRSF`, a dot for each flag not set). */
function flagBits(text: string): number {
  if (!/^[C.][E.][U.][A.][P.][R.][S.][F.]$/.test(text)) throw new Error(`FLAGS ${JSON.stringify(text)} is not the 8-letter CEUAPRSF form`);
  let v = 0;
  for (let i = 0; i < 8; i++) if (text[i] !== '.') v |= 0x80 >> i;
  return v;
}

/** A MAC address from the API's text (`02:00:00:00:00:01`) as a number. */
function macValue(text: string): number {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(text)) throw new Error(`MAC ${JSON.stringify(text)} is not six lower-case hex pairs`);
  return parseInt(text.replace(/:/g, ''), 16);
}

async function allSessions(s: RunningServer, token: string): Promise<ApiSession[]> {
  const r = await s.getJson<{ columns: string[]; data: ApiSession[] }>('/api/v1/sessions', token, {
    ...wholeFrame(),
    fields: FIELDS.join(','),
    format: 'json',
  });
  const absent = FIELDS.filter((f) => !r.columns.includes(f));
  if (absent.length > 0) throw new Error(`the sessions answer lacks ${absent.join(', ')}: columns ${r.columns.join(', ')}`);
  return r.data;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'opentraq-server-exporters-'));
t.teardown(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

// The captures' packets are 20 s old when the exporters read them: recent enough that the server's
// tracker (clock: now) keeps the sessions open, old enough that no exporter time can be in the future.
const captureStartUs = (Math.floor(Date.now() / 1000) - 20) * 1e6;

/** One exporter's run: its own addresses (traffic variant), its capture, and what it must deliver. */
interface Plan {
  c: ExporterCase;
  pcap: string;
  wants: Want[];
}

const plans: Plan[] = EXPORTER_CASES.map((c, variant) => {
  // pmacctd's sfprobe loses what it has not sent when the file ends: a tail it may lose in part
  const traffic = c.kind === 'sflow' ? [...standardTraffic(variant), sfprobeTail()] : standardTraffic(variant);
  const pcap = path.join(dir, `${c.tag}.pcap`);
  writeFileSync(pcap, buildCapture(traffic, captureStartUs));
  return { c, pcap, wants: wantsFor(c, traffic) };
});

t.test('every exporter into one server: each conversation a session, as the exporter reported it', async (t) => {
  const server = await startServer({ dir: mkdtempSync(path.join(dir, 'server-')) });
  t.teardown(() => server.stop());
  const receivedFrom = Date.now();
  // all at once (pmacctd spends most of its 4 s sleeping); every one must finish
  const runs = await Promise.all(
    plans.map(async (p): Promise<[Plan, RunResult]> => [p, await p.c.exporter({ pcap: p.pcap, port: p.c.kind === 'sflow' ? server.ports.sflow : server.ports.netflow, dir })]),
  );
  for (const [p, r] of runs) t.ok((p.c.finished ?? ((x: RunResult) => x.code === 0))(r), `${p.c.name} finished (${r.code ?? r.signal}): ${r.stderr.slice(-300)}`);

  // the exporters have exited: wait until the datagram count stops moving, then until every wanted
  // session has all its packets (the pipeline may still be working through its queue)
  let last = -1;
  for (let quiet = 0, deadline = Date.now() + 20_000; quiet < 4 && Date.now() < deadline; ) {
    const n = await fetchMetric(server, 'opentraq_datagrams_received_total');
    quiet = n === last ? quiet + 1 : 0;
    last = n;
    await new Promise((r) => setTimeout(r, 100));
  }
  const receivedTo = Date.now();
  t.ok(last > 0, `the server received ${last} datagrams`);
  t.equal(await fetchMetric(server, 'opentraq_dropped_total'), 0, 'the server dropped nothing');

  const token = await server.login();
  const wanted = new Map<string, { p: Plan; w: Want }>();
  for (const p of plans) for (const w of p.wants) wanted.set(fiveTuple(w), { p, w });
  const key = (s: ApiSession): string => fiveTuple({ clnip: s.CLNIP!, clnport: s.CLNPORT!, srvip: s.SRVIP!, srvport: s.SRVPORT!, proto: s.PROTO! });
  let sessions: ApiSession[] = [];
  const complete = (): boolean => {
    const got = new Map(sessions.map((s) => [key(s), s]));
    return [...wanted].every(([k, { w }]) => w.name === 'tail' || (got.get(k)?.CLNPKTS === w.clnpkts && got.get(k)?.SRVPKTS === w.srvpkts));
  };
  await until(async () => {
    sessions = await allSessions(server, token);
    return complete();
  }, 20_000);

  const byKey = new Map<string, ApiSession[]>();
  for (const s of sessions) byKey.set(key(s), [...(byKey.get(key(s)) ?? []), s]);
  t.same([...byKey].filter(([, v]) => v.length > 1).map(([k]) => k), [], 'one session per conversation (no duplicates)');
  t.same([...byKey.keys()].filter((k) => !wanted.has(k)).sort(), [], 'no session that no conversation explains');

  for (const p of plans) {
    t.test(p.c.name, async (t) => {
      const missing = p.wants.filter((w) => !byKey.has(fiveTuple(w))).map((w) => w.name);
      t.same(missing, [], 'every conversation is there, client = initiator');
      for (const w of p.wants) {
        const s = byKey.get(fiveTuple(w))?.[0];
        if (s === undefined) continue;
        if (w.name === 'tail') {
          // sfprobe's tail: whatever it sent of it before stopping, the rest lost at exit
          const n = s.CLNPKTS as number;
          t.ok(n > 0 && n <= w.clnpkts, `tail: ${n} of ${w.clnpkts} datagrams exported before sfprobe stopped`);
          t.equal(s.CLNBYTS, n * (w.clnbyts / w.clnpkts), 'tail bytes = packets × IP length');
          t.equal(s.SRVPKTS, 0, 'tail: one way');
          continue;
        }
        const got = {
          clnpkts: s.CLNPKTS, clnbyts: s.CLNBYTS, srvpkts: s.SRVPKTS, srvbyts: s.SRVBYTS, flags: flagBits(s.FLAGS as string),
          invlan: s.INVLAN, outvlan: s.OUTVLAN, clnmac: macValue(s.CLNMAC as string), srvmac: macValue(s.SRVMAC as string), flows: s.FLOWS,
        };
        const exp = {
          clnpkts: w.clnpkts, clnbyts: w.clnbyts, srvpkts: w.srvpkts, srvbyts: w.srvbyts, flags: w.flags,
          invlan: w.invlan, outvlan: w.outvlan, clnmac: w.clnmac, srvmac: w.srvmac, flows: w.flows,
        };
        t.same(got, exp, `${w.name}: packets and IP-layer bytes per side, TCP flags, VLAN, MACs, flow records`);
        t.same(
          { expip: s.EXPIP, expv: s.EXPV, samplerate: s.SAMPLERATE, ...(p.c.srcid === undefined ? {} : { srcid: s.SRCID }) },
          { expip: '127.0.0.1', expv: p.c.expv, samplerate: 1, ...(p.c.srcid === undefined ? {} : { srcid: p.c.srcid }) },
          `${w.name}: exporter address, export version, unsampled${p.c.srcid === undefined ? '' : ', source id'}`,
        );
        const start = Math.round((s.START as number) * 1e6);
        const end = Math.round((s.END as number) * 1e6);
        if (p.c.time === 'receive') {
          t.ok(start >= receivedFrom * 1000 && end <= receivedTo * 1000 && start <= end, `${w.name}: sFlow start and end are receive times`);
        } else {
          // v9 times are sysUptime-relative to a header time in whole seconds: up to 1 s early, plus
          // the milliseconds softflowd may let pass between reading its uptime and the wall clock (a
          // loaded machine showed 5 ms)
          const early = p.c.time === 'v9' ? 1_100_000 : 2000;
          t.ok(start <= w.firstUs + 1000 && start >= w.firstUs - early, `${w.name}: start ${start} vs first packet ${w.firstUs}`);
          t.ok(end <= w.lastUs + 1000 && end >= w.lastUs - early, `${w.name}: end ${end} vs last packet ${w.lastUs}`);
        }
      }
    });
  }
});
