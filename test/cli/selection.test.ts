// -e, -ei and -ef end to end on real data: an ftserver fed by two exporters of different formats,
// NetFlow v9 from 127.0.0.1 and IPFIX from 127.0.0.2, and ftsq/ftstat selecting one exporter, one
// interface of one exporter, one format: each answer equal to the same selection as a -q filter
// (EXPIP, IFACE, EXPV), and its size and totals to what the test sent.
import t, { type Test } from 'tap';
import { COLUMN_DEFS, IpfixEncoder, NetflowV9Encoder, sessionsToFlows, wordsPerRow, type Columns, type FlowBatch } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { ndjsonRows, until } from '../lib/serverchecks.js';
import { plannedSessions, sessionKey, type SessionPlan } from '../lib/v9traffic.js';
import { FTSQ, FTSTAT, runTool, type ToolRun } from './clirun.js';

const V9_EXPORTER = '127.0.0.1';
const IPFIX_EXPORTER = '127.0.0.2';

const server = await startServer({ args: ['--maxsessionkeyage', '3600'] });
t.teardown(() => server.stop());

const nowMs = Date.now();

/** `plan` encoded by `encode`, eight sessions (both their flows) at a time, as v9Traffic groups them. */
function datagrams(plan: SessionPlan, encode: (flows: FlowBatch) => Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let g = 0; g < plan.sessions.length; g += 8) {
    const n = Math.min(8, plan.sessions.length - g);
    const part = {} as Columns;
    for (const d of COLUMN_DEFS) {
      const w = wordsPerRow(d.type);
      (part as Record<string, unknown>)[d.name] = plan.columns[d.name].subarray(g * w, (g + n) * w);
    }
    out.push(...encode(sessionsToFlows(part, n)));
  }
  return out;
}

const v9 = plannedSessions(400, 6101, { nowMs });
const ipfix = plannedSessions(300, 6202, { nowMs });
const v9Encoder = new NetflowV9Encoder({ sourceId: 61, templateEvery: 10 });
const ipfixEncoder = new IpfixEncoder({ observationDomain: 62, templateEvery: 10 });
await sendDatagrams(server.ports.netflow, datagrams(v9, (f) => v9Encoder.encode(f, 0, f.length, nowMs)), { ratePerSecond: 5000, bind: V9_EXPORTER });
await sendDatagrams(server.ports.netflow, datagrams(ipfix, (f) => ipfixEncoder.encode(f, 0, f.length, nowMs)), { ratePerSecond: 5000, bind: IPFIX_EXPORTER });
const token = await server.login();
const stored = async (): Promise<number> => ndjsonRows(await (await server.get('/api/v1/sessions', token, { format: 'ndjson', time_range: '1h' })).text()).length;
await until(async () => (await stored()) === v9.sessions.length + ipfix.sessions.length);

// a frame around every session sent (they start in the two minutes before nowMs and last at most 50 s)
const fromMs = Math.floor(nowMs / 1000) * 1000 - 600_000;
const FRAME = ['-te', new Date(fromMs).toISOString(), '-tl', new Date(fromMs + 1_200_000).toISOString()];
const CONNECT = ['-s', '127.0.0.1', '-p', String(server.ports.api)];
const keyRun = await runTool(FTSQ, [...CONNECT, '-un', 'admin', '-up', ADMIN_PASSWORD, '-us', '-c', '-r', '1', ...FRAME]);
const KEYED = [...CONNECT, '-us', keyRun.stderr.trim()];

/** ftsq -j over the frame with `args`: the session keys it printed (the run must exit 0). */
async function sessionKeys(t: Test, args: string[]): Promise<{ keys: string[]; run: ToolRun }> {
  const run = await runTool(FTSQ, [...KEYED, ...args, '-j', ...FRAME]);
  t.equal(run.code, 0, `ftsq ${args.join(' ')}: exit 0${run.code === 0 ? '' : ` (${run.stderr.trim()})`}`);
  const keys = ndjsonRows(run.stdout).map((r) => sessionKey(r.CLNIP as string, r.CLNPORT as number, r.SRVIP as string, r.SRVPORT as number, r.PROTO as number));
  return { keys: keys.sort(), run };
}

const sortedKeys = (sessions: readonly { key: string }[]): string[] => sessions.map((s) => s.key).sort();
const totals = (sessions: readonly { bytes: number; packets: number }[]): string =>
  `# Total sessions: ${sessions.length}, Total packets: ${sessions.reduce((n, s) => n + s.packets, 0)}, Total bytes: ${sessions.reduce((n, s) => n + s.bytes, 0)}`;

t.test('the two exporters were stored', async (t) => {
  t.equal(await stored(), v9.sessions.length + ipfix.sessions.length, 'every session of both');
  t.match(keyRun.stderr, /^[A-Za-z0-9_-]{20,}\n$/, 'a session key for the runs below');
});

t.test('-e IP: one exporter\'s sessions, as -q "EXPIP=IP"', async (t) => {
  for (const [exporter, sent] of [
    [V9_EXPORTER, v9.sessions],
    [IPFIX_EXPORTER, ipfix.sessions],
  ] as const) {
    const { keys, run } = await sessionKeys(t, ['-e', exporter]);
    t.same(keys, sortedKeys(sent), `-e ${exporter}: exactly the sessions that exporter sent (${sent.length} of ${v9.sessions.length + ipfix.sessions.length})`);
    const filtered = await runTool(FTSQ, [...KEYED, '-q', `EXPIP=${exporter}`, '-j', ...FRAME]);
    t.equal(run.stdout, filtered.stdout, `-e ${exporter} prints what -q "EXPIP=${exporter}" does`);
    const stat = await runTool(FTSTAT, [...KEYED, '-e', exporter, '-grp', 'PORTPROTO', '-cnt', 'SESSIONS', '-C', ...FRAME]);
    t.match(stat.stdout, `\n${totals(sent)}\n`, `ftstat -e ${exporter}: the totals of what it sent`);
  }
});

t.test('-ef VERSION: one export format, as -q "EXPV=N"', async (t) => {
  for (const [format, expv, sent] of [
    ['nf9', 9, v9.sessions],
    ['ipfix', 10, ipfix.sessions],
  ] as const) {
    const { keys, run } = await sessionKeys(t, ['-ef', format]);
    t.same(keys, sortedKeys(sent), `-ef ${format}: the sessions of the ${format} exporter only`);
    const filtered = await runTool(FTSQ, [...KEYED, '-q', `EXPV=${expv}`, '-j', ...FRAME]);
    t.equal(run.stdout, filtered.stdout, `-ef ${format} prints what -q "EXPV=${expv}" does`);
    const stat = await runTool(FTSTAT, [...KEYED, '-ef', format, '-grp', 'IP', '-cnt', 'BYTES', '-C', ...FRAME]);
    t.match(stat.stdout, `\n${totals(sent)}\n`, `ftstat -ef ${format}: the totals of what was sent in that format`);
  }
  const crossed = await sessionKeys(t, ['-e', V9_EXPORTER, '-ef', 'ipfix']);
  t.same(crossed.keys, [], '-e of the v9 exporter with -ef ipfix: nothing, exit 0');
  const sflow = await sessionKeys(t, ['-ef', 'sf5']);
  t.same(sflow.keys, [], '-ef sf5: no sFlow was sent');
});

t.test('-e IP -ei INDEX: one interface of one exporter, in or out, as -q "EXPIP=IP && IFACE=INDEX"', async (t) => {
  for (const [exporter, plan] of [
    [IPFIX_EXPORTER, ipfix],
    [V9_EXPORTER, v9],
  ] as const) {
    // the exporter's busiest interface: a part of its sessions, neither none nor all
    const inif = plan.columns.inif as Uint32Array;
    const outif = plan.columns.outif as Uint32Array;
    const counts = new Map<number, number>();
    plan.sessions.forEach((_, i) => {
      for (const ifIndex of new Set([inif[i]!, outif[i]!])) counts.set(ifIndex, (counts.get(ifIndex) ?? 0) + 1);
    });
    const [ifIndex] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const onIt = plan.sessions.filter((_, i) => inif[i] === ifIndex || outif[i] === ifIndex);
    t.ok(onIt.length > 0 && onIt.length < plan.sessions.length, `${exporter}: interface ${ifIndex} carries ${onIt.length} of its ${plan.sessions.length} sessions`);
    const { keys, run } = await sessionKeys(t, ['-e', exporter, '-ei', String(ifIndex)]);
    t.same(keys, sortedKeys(onIt), `-e ${exporter} -ei ${ifIndex}: exactly the sessions it sent with that interface in or out`);
    const filter = `EXPIP=${exporter} && IFACE=${ifIndex}`;
    const filtered = await runTool(FTSQ, [...KEYED, '-q', filter, '-j', ...FRAME]);
    t.equal(run.stdout, filtered.stdout, `the same as -q "${filter}"`);
    const stat = await runTool(FTSTAT, [...KEYED, '-e', exporter, '-ei', String(ifIndex), '-grp', 'IP', '-cnt', 'PACKETS', '-C', ...FRAME]);
    t.match(stat.stdout, `\n${totals(onIt)}\n`, 'ftstat -e -ei: the totals of those sessions');
    const statFiltered = await runTool(FTSTAT, [...KEYED, '-q', filter, '-grp', 'IP', '-cnt', 'PACKETS', '-C', ...FRAME]);
    t.equal(stat.stdout, statFiltered.stdout, 'ftstat: the same ranking as with the filter');
  }
});
