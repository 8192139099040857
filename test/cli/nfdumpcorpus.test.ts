// ftstat against nfdump over the corpus's real NetFlow v5 and v9 captures, sent to nfcapd and ftserver: -grp IP
// equals nfdump's per-address totals exactly, or differs only where the two read the bytes differently on purpose.
import t from 'tap';
import { corpusSkipReason, listCorpusCaptures, payloads, type CorpusCapture } from '../lib/corpus.js';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import {
  Nfcapd, nfdumpFlows, nfdumpIpTotals, v5CountedRecordsOnly, v9TemplatesFirst, type IpTotals, type NfdumpCounters,
} from '../lib/nfdump.js';
import { sendDatagrams } from '../lib/replay.js';
import { netflowReceived } from '../lib/serverchecks.js';
import { FTSTAT, mapLimit, parseCsv, runTool } from './clirun.js';

const skip = corpusSkipReason();
if (skip !== false) throw new Error(skip);

/**
 * Where nfdump 1.7.1 and ftserver read the same bytes differently (both on purpose), and how nfdump is
 * shown what ftserver reads so that the numbers can still be compared exactly. As sent, such a capture
 * must differ (else the entry is out of date); adjusted, it must agree.
 */
interface Difference {
  /** What each side does, for the test output and docs/cli.md. */
  why: string;
  /** Compare unscaled counters: nfcapd -s -1 (no rate applied) and ftserver --samplingrate <exporter>=1. */
  unscaled?: true;
  /** nfcapd is sent every template ahead of the data (v9TemplatesFirst). */
  templatesFirst?: true;
  /** nfcapd is sent each v5 datagram cut after the records its header counts (v5CountedRecordsOnly). */
  countedRecordsOnly?: true;
  /** nfdump's IN counters only (`-s ip/ibyte`): the records carry OUT_BYTES/OUT_PKTS next to IN_BYTES/IN_PKTS. */
  inCountersOnly?: true;
  /** nfdump's 0.0.0.0 is ftserver's `::`: the records carry no address at all. */
  noAddresses?: true;
}

const SOFTFLOWD_SAMPLING =
  'softflowd announces 1-in-100 sampling in a v9 options record (template 256: samplingInterval 34, samplingAlgorithm 35, system scope; ' +
  'tshark 4.0 does not show it): ftserver scales every record by 100 (docs/formats.md, Sampling, rule 5), nfdump 1.7.1 leaves them as sent';
const OUT_COUNTERS =
  'the records carry IN_BYTES/IN_PKTS (fields 1/2) and OUT_BYTES/OUT_PKTS (23/24): nfdump 1.7.1 adds 23/24 to the flow as its OUT counters, ' +
  'ftserver takes 1/2 when a record has both (docs/formats.md, Information elements used: the lowest rank wins)';

const DIFFERENCES: ReadonlyMap<string, Difference> = new Map<string, Difference>([
  ['netflow5/ls-softflowd.pcap', {
    why: 'the header counts 2 records but the datagram has 1,728 bytes: ftserver decodes the 2 and ignores the bytes after them ' +
      '(docs/formats.md, Length checks); nfdump 1.7.1 reads those bytes as a further v5 packet and lists the flows it finds there too',
    countedRecordsOnly: true,
  }],
  ['netflow9/akv-data+templates.pcap', {
    why: 'a data set comes before its template in the same packet: ftserver holds it and decodes it when the template follows ' +
      '(docs/formats.md, Data arriving before its template), nfdump 1.7.1 drops it; and an options record announces 1-in-100 sampling ' +
      'for the whole source id: ftserver scales every record by it (Sampling, rule 5), nfdump 1.7.1 none',
    templatesFirst: true,
    unscaled: true,
  }],
  ['netflow9/gl-nprobe-netflow9-4.pcap', {
    why: 'two data packets arrive before the packet with their template: ftserver holds them and decodes them when it comes ' +
      '(docs/formats.md, Data arriving before its template), nfdump 1.7.1 drops them',
    templatesFirst: true,
  }],
  ['netflow9/akv-samplingrate-data.pcap', {
    why: 'every record carries its own samplingInterval (34) of 2048: ftserver scales by it (docs/formats.md, Sampling, rule 2), nfdump 1.7.1 does not',
    unscaled: true,
  }],
  ['netflow9/akv-multiplesamplingrates-data.pcap', {
    why: 'records name sampler 1 (1:2000) or sampler 2 (1:4000) of the options data: ftserver scales each by its sampler\'s rate ' +
      '(docs/formats.md, Sampling, rule 3); nfdump 1.7.1 scales the records of sampler 1 and leaves the one record of sampler 2 as sent',
    unscaled: true,
  }],
  ['netflow9/gl-netflow9.pcap', { why: SOFTFLOWD_SAMPLING, unscaled: true }],
  ['netflow9/ls-invalid01.pcap', { why: SOFTFLOWD_SAMPLING, unscaled: true }],
  ['netflow9/ls-0length-fields.pcap', { why: OUT_COUNTERS, inCountersOnly: true }],
  ['netflow9/ls-fortigate-fortios-542-appid.pcap', { why: OUT_COUNTERS, inCountersOnly: true }],
  ['netflow9/ls-cisco-wlc.pcap', {
    why: 'the records (a Cisco WLC\'s per-client application counts: staIPv4Address 366, no source or destination address) carry no flow ' +
      'addresses: nfdump 1.7.1 lists them as 0.0.0.0 to 0.0.0.0, ' +
      'ftserver as :: to :: (no address, docs/formats.md, FlowBatch columns); either way one address to itself, counted as source and as destination by both',
    noAddresses: true,
  }],
]);

const captures = listCorpusCaptures().filter((c) => c.format === 'netflow5' || c.format === 'netflow9');
const byName = new Map(listCorpusCaptures().map((c) => [c.name, c]));

/** A capture's datagrams with those of the captures it needs first (templates, options), in replay order. */
function chainDatagrams(c: CorpusCapture): Uint8Array[] {
  return [...c.requiresBefore.map((n) => byName.get(n)!), c].flatMap((part) => payloads(part).datagrams.map((d) => d.payload));
}

/**
 * One exporter address of the replay, each capture from its own (so templates of different captures
 * never meet): `agree` captures from 127.1.x.y, compared all at once; a capture with a known
 * difference as sent from 127.3.x.y and adjusted from 127.2.x.y, each compared on its own.
 */
interface Replay {
  capture: CorpusCapture;
  role: 'agree' | 'known' | 'adjusted';
  exporter: string;
  difference: Difference | null;
}

const address = (net: number, i: number): string => `127.${net}.${(i >> 8) & 255}.${(i & 255) + 1}`;
const AGREE_EXPORTERS = '127.1.0.0/16';

const replays: Replay[] = captures.flatMap((capture, i): Replay[] => {
  const difference = DIFFERENCES.get(capture.name);
  if (difference === undefined) return [{ capture, role: 'agree', exporter: address(1, i), difference: null }];
  return [
    { capture, role: 'known', exporter: address(3, i), difference },
    { capture, role: 'adjusted', exporter: address(2, i), difference },
  ];
});

type Count = 'BYTES' | 'PACKETS';

/** ftstat's IP ranking of the sessions `select` picks (`-e EXPORTER` or `-q FILTER`): address → value. */
async function ftstatRanking(base: readonly string[], select: readonly string[], count: Count): Promise<Map<string, number>> {
  const r = await runTool(FTSTAT, [...base, ...select, '-cnt', count]);
  if (r.code !== 0) throw new Error(`ftstat ${select.join(' ')} -cnt ${count} exited with ${String(r.code)}: ${r.stderr}`);
  const table = parseCsv(r.stdout).filter((row) => !row[0]!.startsWith('#'));
  const header = table[0] ?? [];
  const ip = header.indexOf('IP');
  const value = header.indexOf('value');
  if (ip < 0 || value < 0) throw new Error(`ftstat -C printed no IP and value columns: ${r.stdout.slice(0, 500)}`);
  const out = new Map<string, number>();
  for (const row of table.slice(1)) {
    if (out.has(row[ip]!)) throw new Error(`ftstat ranks ${row[ip]} twice`);
    out.set(row[ip]!, Number(row[value]));
  }
  return out;
}

/** Every address where `got` does not have `want`'s number (or is missing, or extra). */
function differences(want: ReadonlyMap<string, IpTotals>, got: ReadonlyMap<string, number>, count: Count): string[] {
  const out: string[] = [];
  for (const [ip, w] of want) {
    const expected = count === 'BYTES' ? w.bytes : w.packets;
    if (got.get(ip) !== expected) out.push(`${ip}: nfdump ${expected}, ftstat ${got.has(ip) ? String(got.get(ip)) : 'no row'}`);
  }
  for (const [ip, v] of got) if (!want.has(ip)) out.push(`${ip}: nfdump no row, ftstat ${v}`);
  return out;
}

/** What ftstat must rank for the flows nfdump read: its per-address totals as it prints them (a flow from an address to itself counts twice in both). */
async function nfdumpWant(dir: string, opts: { filter?: string; difference: Difference | null }): Promise<Map<string, IpTotals>> {
  const counters: NfdumpCounters = opts.difference?.inCountersOnly === true ? 'in' : 'all';
  const want = await nfdumpIpTotals(dir, { ...(opts.filter === undefined ? {} : { filter: opts.filter }), counters });
  const none = want.get('0.0.0.0');
  if (opts.difference?.noAddresses === true && none !== undefined) {
    want.delete('0.0.0.0');
    want.set('::', none);
  }
  return want;
}

t.test('ftstat -grp IP equals nfdump -s ip over the NetFlow v5 and v9 corpus', async (t) => {
  const startedMs = Date.now();
  const unscaledExporters = replays.filter((r) => r.role === 'adjusted' && r.difference?.unscaled === true).map((r) => r.exporter);
  // agree: the captures read alike, as sent; other: those with a known difference (filtered by
  // exporter), as sent and adjusted; unscaled: adjusted ones whose sampling rates differ
  const [agree, other, unscaled, server] = await Promise.all([
    Nfcapd.start(),
    Nfcapd.start(),
    Nfcapd.start({ samplingRate: -1 }),
    startServer({ args: ['--samplingrate', unscaledExporters.map((e) => `${e}=1`).join(' ')] }),
  ]);
  t.teardown(async () => {
    await server.stop();
    await Promise.all([agree.cleanup(), other.cleanup(), unscaled.cleanup()]);
  });
  const nfcapdOf = (r: Replay): Nfcapd => (r.role === 'agree' ? agree : r.role === 'adjusted' && r.difference?.unscaled === true ? unscaled : other);

  let sent = 0;
  for (const r of replays) {
    const datagrams = chainDatagrams(r.capture);
    let forNfcapd = datagrams;
    if (r.role === 'adjusted' && r.difference?.countedRecordsOnly === true) forNfcapd = forNfcapd.map(v5CountedRecordsOnly);
    if (r.role === 'adjusted' && r.difference?.templatesFirst === true) forNfcapd = v9TemplatesFirst(forNfcapd);
    await Promise.all([
      sendDatagrams(nfcapdOf(r).port, forNfcapd, { bind: r.exporter, ratePerSecond: 2000 }),
      sendDatagrams(server.ports.netflow, datagrams, { bind: r.exporter, ratePerSecond: 2000 }),
    ]);
    sent += datagrams.length;
  }
  await Promise.all([agree.stop(), other.stop(), unscaled.stop()]);
  // the server decodes each datagram as it takes it in: once all are counted, every session is there
  t.equal(await netflowReceived(server, sent), sent, `the server received all ${sent} datagrams (${captures.length} captures, ${replays.length} exporters)`);

  // ftserver moves the flows of an exporter whose clock is off (every corpus capture: they are years
  // old) to its own time (docs/formats.md, Exporter clocks): the frame is around the replay, 30 days
  // either side, so that each session lies whole in it and nothing is pro-rated
  const day = 86_400_000;
  const frame = ['-te', new Date(startedMs - 30 * day).toISOString(), '-tl', new Date(Date.now() + 30 * day).toISOString()];
  const base = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-grp', 'IP', '-r', '1000000', '-C', ...frame];

  // the captures that read alike: all at once, every address of all of them
  const agreeFlows = await nfdumpFlows(agree.dir);
  const want = await nfdumpWant(agree.dir, { difference: null });
  const inCapture = (ip: string): string =>
    [...new Set(agreeFlows.filter((f) => f.src === ip || f.dst === ip).map((f) => replays.find((r) => r.exporter === f.router)?.capture.name ?? f.router))].join(', ');
  const agreeing = replays.filter((r) => r.role === 'agree');
  for (const count of ['BYTES', 'PACKETS'] as const) {
    const wrong = differences(want, await ftstatRanking(base, ['-q', `EXPIP=${AGREE_EXPORTERS}`], count), count).map((d) => `${d} (${inCapture(d.split(': ')[0]!)})`);
    t.same(wrong.slice(0, 20), [], `${agreeing.length} captures as sent, -cnt ${count}: ${want.size} addresses of ${agreeFlows.length} flows, each with nfdump's number (${wrong.length} differ)`);
  }
  for (const r of agreeing) {
    const flows = agreeFlows.filter((f) => f.router === r.exporter);
    const self = flows.filter((f) => f.src === f.dst).length;
    const ips = new Set(flows.flatMap((f) => [f.src, f.dst]));
    t.comment(`compared as sent: ${r.capture.name}: ${flows.length === 0 ? 'no flow record on either side (templates or options only, or a corrupt packet)' : `${flows.length} flows, ${ips.size} addresses${self > 0 ? `, ${self} flows from an address to itself` : ''}`}`);
  }
  const addresses = [...want.keys()];
  t.ok(addresses.some((a) => a.includes(':')) && addresses.some((a) => !a.includes(':')), 'IPv4 and IPv6 addresses both compared');
  t.ok(agreeFlows.some((f) => f.src === f.dst), 'a flow from an address to itself is among them');

  // a known difference: as sent it must still differ, adjusted it must agree
  const checked = await mapLimit(replays.filter((r) => r.role !== 'agree'), 2, async (r) => {
    const dir = nfcapdOf(r).dir;
    const filter = `router ip ${r.exporter}`;
    const flows = await nfdumpFlows(dir, filter);
    const wantOne = await nfdumpWant(dir, { filter, difference: r.role === 'adjusted' ? r.difference : null });
    const wrong = { BYTES: [] as string[], PACKETS: [] as string[] };
    // as sent, one count showing the difference is enough
    for (const count of r.role === 'known' ? (['BYTES'] as const) : (['BYTES', 'PACKETS'] as const)) {
      wrong[count] = differences(wantOne, await ftstatRanking(base, ['-e', r.exporter], count), count);
    }
    return { ...r, flows: flows.length, addresses: wantOne.size, wrong };
  });
  for (const r of checked) {
    const d = r.difference!;
    const name = r.capture.name;
    if (r.role === 'known') {
      t.ok(r.wrong.BYTES.length > 0, `${name} as sent (nfdump: ${r.flows} flows, ${r.addresses} addresses) differs from nfdump as known: ${d.why}`, { differences: r.wrong.BYTES.slice(0, 10) });
      continue;
    }
    const how = [
      d.unscaled === true ? 'counters unscaled on both sides' : '',
      d.templatesFirst === true ? 'nfcapd sent the templates first' : '',
      d.countedRecordsOnly === true ? 'nfcapd sent the counted v5 records only' : '',
      d.inCountersOnly === true ? 'nfdump\'s IN counters' : '',
      d.noAddresses === true ? 'nfdump\'s 0.0.0.0 as ::' : '',
    ].filter((x) => x !== '').join(', ');
    for (const count of ['BYTES', 'PACKETS'] as const) {
      t.same(r.wrong[count].slice(0, 10), [], `${name} adjusted (${how}), -cnt ${count}: ${r.addresses} addresses of ${r.flows} flows, each with nfdump's number (${r.wrong[count].length} differ)`);
    }
  }
});
