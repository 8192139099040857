import { createHash } from 'node:crypto';
import t from 'tap';
import { allocColumns, COLUMN_DEFS, unpackCountry, type Columns } from '../../src/fields/columns.js';
import { formatIpAt, parseIp } from '../../src/fields/ipcodec.js';
import { AliasTable } from '../../src/gen/aliastable.js';
import { detExp, detLog, detPow } from '../../src/gen/detmath.js';
import {
  busiestHost,
  busiestHosts,
  dailyRhythm,
  GEN_DEFAULT_START_US,
  GEN_AS_TABLE,
  GEN_EXPORTERS,
  GEN_SERVICES,
  GeneratorError,
  generateSessions,
  SessionGenerator,
  type GeneratorOptions,
} from '../../src/gen/index.js';
import { Rng } from '../../src/gen/rng.js';

const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;

/** Row count and one digest per column over all batches: equal for equal rows, however they are batched. */
function hashBatches(batches: Iterable<Columns>): string {
  const hashes = COLUMN_DEFS.map(() => createHash('sha256'));
  let rows = 0;
  for (const b of batches) {
    rows += b.start.length;
    COLUMN_DEFS.forEach((d, k) => {
      const a = b[d.name];
      hashes[k]!.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    });
  }
  return `${rows}:${hashes.map((h) => h.digest('hex').slice(0, 16)).join('')}`;
}

t.test('determinism', async (t) => {
  const opts: GeneratorOptions = { seed: 12345, sessions: 20_000, hosts: 3000, batchSize: 4096 };
  const a = hashBatches(generateSessions(opts));
  t.equal(hashBatches(generateSessions(opts)), a, 'same seed and options: identical bytes');
  t.equal(hashBatches(generateSessions({ ...opts, batchSize: 777 })), a, 'batch size does not change the rows');
  t.equal(hashBatches(generateSessions({ ...opts, reuseBuffers: true })), a, 'reused buffers give the same rows');
  t.not(hashBatches(generateSessions({ ...opts, seed: 12346 })), a, 'another seed: other rows');
  t.not(hashBatches(generateSessions({ ...opts, ipv6Share: 0.5 })), a, 'another option: other rows');
  t.equal(a.split(':')[0], '20000', 'all sessions generated');
  t.same(busiestHosts(opts, 3), busiestHosts({ ...opts, sessions: 1 }, 3), 'busiest hosts do not depend on the session count');
});

t.test('fill, batches and buffers', async (t) => {
  const opts: GeneratorOptions = { seed: 3, sessions: 2500, hosts: 500 };
  const whole = hashBatches(generateSessions(opts));
  const g = new SessionGenerator(opts);
  const buf = allocColumns(1000);
  const parts: Columns[] = [];
  let n: number;
  while ((n = g.fill(buf)) > 0) {
    const copy = {} as Record<string, Float64Array | Uint32Array | Uint16Array | Uint8Array>;
    for (const d of COLUMN_DEFS) copy[d.name] = buf[d.name].slice(0, d.type === 'ip' ? n * 4 : n);
    parts.push(copy as Columns);
  }
  t.same(parts.map((p) => p.start.length), [1000, 1000, 500], 'fill() stops at capacity and at the total');
  t.equal(hashBatches(parts), whole, 'filling a caller buffer gives the same rows as batches()');
  t.equal(g.remaining, 0);
  t.equal(g.fill(buf), 0, 'nothing left');
  const g2 = new SessionGenerator(opts);
  t.equal(g2.fill(buf, 10), 10, 'count limits the rows');
  t.equal(g2.remaining, 2490);
  t.same([...generateSessions({ seed: 1, sessions: 0 })], [], 'no sessions, no batches');
  const bad = allocColumns(10);
  (bad as Record<string, unknown>).srvport = new Uint32Array(10);
  t.throws(() => new SessionGenerator(opts).fill(bad), { code: 'ERR_GEN_BUFFER', message: /srvport must be a Uint16Array/ });
  const partial = allocColumns(10, ['start', 'end']);
  t.throws(() => new SessionGenerator(opts).fill(partial), { code: 'ERR_GEN_BUFFER', message: /clnip/ });
});

t.test('option errors', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ seed: -1, sessions: 1 }, /seed/],
    [{ seed: 1.5, sessions: 1 }, /seed/],
    [{ seed: '7', sessions: 1 }, /seed/],
    [{ seed: 1, sessions: -3 }, /sessions/],
    [{ seed: 1 }, /sessions/],
    [{ seed: 1, sessions: 1, spanUs: 0 }, /spanUs/],
    [{ seed: 1, sessions: 1, ipv6Share: 1.5 }, /ipv6Share/],
    [{ seed: 1, sessions: 1, hosts: 10 }, /hosts/],
    [{ seed: 1, sessions: 1, batchSize: 0 }, /batchSize/],
    [{ seed: 1, sessions: 1, localCountry: 'usa' }, /localCountry/],
    [{ seed: 1, sessions: 1, reuseBuffers: 'yes' }, /reuseBuffers/],
    [{ seed: 1, sessions: 1, sesions: 5 }, /unknown generator option sesions/],
  ];
  for (const [opts, msg] of cases) {
    t.throws(() => new SessionGenerator(opts as unknown as GeneratorOptions), { code: 'ERR_GEN_OPTION', message: msg }, JSON.stringify(opts));
  }
  t.throws(() => busiestHost({ seed: 1, sessions: 1, hosts: 1 }), GeneratorError);
});

t.test('tiny and long spans', async (t) => {
  const start = GEN_DEFAULT_START_US + 123;
  for (const b of generateSessions({ seed: 9, sessions: 300, hosts: 64, startUs: start, spanUs: 1 })) {
    t.ok(b.start.every((s) => s === start), 'a 1 µs span puts every start on it');
  }
  let prev = -Infinity;
  let ok = true;
  const span = 400 * DAY_US;
  for (const b of generateSessions({ seed: 9, sessions: 5000, startUs: 0, spanUs: span })) {
    for (const s of b.start) {
      if (s < prev || s < 0 || s >= span) ok = false;
      prev = s;
    }
  }
  t.ok(ok, 'a 400-day span from the epoch: ordered, inside the span');
});

t.test('a realistic sample', async (t) => {
  const opts = { seed: 11, sessions: 100_000 } as const;
  const g = new SessionGenerator(opts);
  const { startUs, spanUs } = g.options;
  const exporterAddrs = new Set(GEN_EXPORTERS.map((e) => e.address));
  const asaAddr = GEN_EXPORTERS.find((e) => e.nsel)!.address;
  const gatewayMacs = new Set(GEN_EXPORTERS.map((e) => e.gatewayMac));
  const problems = new Map<string, number>();
  const problem = (what: string): void => void problems.set(what, (problems.get(what) ?? 0) + 1);
  const proto = new Map<number, number>();
  const expv = new Map<number, number>();
  const addrCount = new Map<string, number>();
  const addrAsCc = new Map<string, string>();
  const addrMac = new Map<string, number>();
  const bytes: number[] = [];
  const durs: number[] = [];
  let v6 = 0;
  let https = 0;
  let httpsDown = 0;
  let prev = -Infinity;
  const byHour = new Array<number>(24).fill(0);
  const byDay = new Array<number>(7).fill(0);
  const validCc = (v: number): boolean => v === 0 || /^[A-Z]{2}$/.test(unpackCountry(v));

  for (const b of g.batches()) {
    const ip = (col: Uint32Array, i: number): { v4: boolean; text: string } => {
      const o = i * 4;
      const v4 = col[o] === 0 && col[o + 1] === 0 && col[o + 2] === 0xffff;
      if (!v4 && col[o]! >>> 29 !== 1) problem('address neither IPv4-mapped nor global unicast IPv6 (2000::/3)');
      return { v4, text: formatIpAt(col, i) };
    };
    for (let i = 0; i < b.start.length; i++) {
      const start = b.start[i]!;
      const end = b.end[i]!;
      if (start < prev) problem('start order');
      prev = start;
      if (!Number.isInteger(start) || start < startUs || start >= startUs + spanUs) problem('start outside span');
      if (!(end >= start) || end - start > 8 * HOUR_US) problem('end before start or longer than 8 h');
      const cln = ip(b.clnip as Uint32Array, i);
      const srv = ip(b.srvip as Uint32Array, i);
      if (cln.v4 !== srv.v4) problem('client and server of different families');
      if (!cln.v4) v6++;
      const p = b.proto[i]!;
      proto.set(p, (proto.get(p) ?? 0) + 1);
      if (![1, 6, 17, 47, 50, 58].includes(p)) problem(`protocol ${p}`);
      if ((p === 1 && !cln.v4) || (p === 58 && cln.v4)) problem('ICMP version does not match the address family');
      const cp = b.clnport[i]!;
      const sp = b.srvport[i]!;
      if (p === 1 || p === 58) {
        const types = p === 1 ? [8, 3, 11] : [128, 1, 3];
        if (cp !== 0 || !types.includes(sp >> 8)) problem('ICMP ports');
      } else if (p === 47 || p === 50) {
        if (cp !== 0 || sp !== 0) problem('tunnel ports');
      } else if (sp === 0 || cp === 0) problem('TCP/UDP port 0');
      if (p === 6 && cp < 1024) problem('TCP client port below 1024');
      const flags = b.flags[i]!;
      if (p === 6 ? (flags & 2) === 0 : flags !== 0) problem('TCP flags');
      for (const [pk, by] of [
        [b.clnpkts[i]!, b.clnbyts[i]!],
        [b.srvpkts[i]!, b.srvbyts[i]!],
      ] as const) {
        if (!Number.isInteger(pk) || !Number.isInteger(by)) problem('fractional counters');
        if (pk === 0 ? by !== 0 : by / pk < 40 || by / pk > 1500) problem('bytes per packet outside 40..1500');
      }
      if (b.clnpkts[i]! < 1 || b.flows[i]! < 1 || b.samplerate[i]! < 1) problem('client packets, flows or sample rate below 1');
      if (b.invlan[i]! > 4095 || b.outvlan[i]! > 4095) problem('VLAN above 4095');
      if (!validCc(b.clncc[i]!) || !validCc(b.srvcc[i]!)) problem('country code letters');
      if (b.mpls[i]! > 0xfffff) problem('MPLS label above 20 bits');
      for (const m of [b.clnmac[i]!, b.srvmac[i]!]) if (!Number.isInteger(m) || m < 0 || m >= 2 ** 48) problem('MAC outside 48 bits');
      const exp = formatIpAt(b.expip as Uint32Array, i);
      if (!exporterAddrs.has(exp)) problem('unknown exporter');
      const ev = b.expv[i]!;
      expv.set(ev, (expv.get(ev) ?? 0) + 1);
      if (ev === 5 && (!cln.v4 || b.clnmac[i] !== 0 || b.invlan[i] !== 0)) problem('NetFlow v5 row with IPv6, MAC or VLAN');
      if (ev === 21 ? b.samplerate[i]! <= 1 || b.clnpkts[i]! % b.samplerate[i]! !== 0 : b.samplerate[i] !== 1) problem('sampling');
      const nsel = b.asaevt[i]! !== 0;
      if (nsel !== (exp === asaAddr)) problem('NSEL event outside the ASA or missing on it');
      if (!nsel && (b.asaextevt[i] !== 0 || b.clnxport[i] !== 0 || b.srvxport[i] !== 0 || formatIpAt(b.clnxip as Uint32Array, i) !== '::' || formatIpAt(b.srvxip as Uint32Array, i) !== '::')) problem('NSEL fields on a non-ASA row');
      if (nsel && ![2, 3].includes(b.asaevt[i]!)) problem('NSEL event code');
      for (const [a, as, cc, mac] of [
        [cln.text, b.clnas[i]!, b.clncc[i]!, b.clnmac[i]!],
        [srv.text, b.srvas[i]!, b.srvcc[i]!, b.srvmac[i]!],
      ] as const) {
        addrCount.set(a, (addrCount.get(a) ?? 0) + 1);
        const key = `${as}/${cc}`;
        const seen = addrAsCc.get(a);
        if (seen === undefined) addrAsCc.set(a, key);
        else if (seen !== key) problem('AS or country of an address changes');
        const local = a.startsWith('10.0.') || a.startsWith('2001:db8:');
        if (local !== (as === 64512 && unpackCountry(cc) === 'US')) problem('local AS/country on the wrong hosts');
        if (mac !== 0 && !gatewayMacs.has(mac)) {
          if (!local) problem('external host with its own MAC');
          const m = addrMac.get(a);
          if (m === undefined) addrMac.set(a, mac);
          else if (m !== mac) problem('MAC of a host changes');
        }
      }
      const total = b.clnbyts[i]! + b.srvbyts[i]!;
      bytes.push(total);
      durs.push(end - start);
      if (p === 6 && sp === 443) {
        https++;
        if (b.srvbyts[i]! > b.clnbyts[i]!) httpsDown++;
      }
      const d = new Date(start / 1000);
      byHour[d.getUTCHours()]!++;
      byDay[d.getUTCDay()]!++;
    }
  }
  const n = opts.sessions;
  t.same(Object.fromEntries(problems), {}, 'every row valid for its columns');

  const share = (p: number): number => (proto.get(p) ?? 0) / n;
  t.ok(share(6) >= 0.7 && share(6) <= 0.9, `TCP ${share(6)} in 70–90 %`);
  t.ok(share(17) >= 0.1 && share(17) <= 0.25, `UDP ${share(17)} in 10–25 %`);
  t.ok(share(1) + share(58) >= 0.005 && share(1) + share(58) <= 0.03, 'ICMP about 1.5 %');
  t.ok(share(47) > 0 && share(50) > 0, 'some GRE and ESP');
  t.ok(Math.abs(v6 / n - 0.1) < 0.02, `IPv6 share ${v6 / n} near the asked 0.1`);
  t.same([...expv.keys()].sort((a, b) => a - b), [5, 9, 10, 21], 'NetFlow v5, v9, IPFIX and sFlow all present');
  t.ok((expv.get(9)! + expv.get(10)!) / n > 0.6, 'NetFlow v9 and IPFIX dominate');
  t.ok(expv.get(21)! / n < 0.15, 'sFlow is a minority');

  const counts = [...addrCount.values()].sort((a, b) => b - a);
  const top = counts.slice(0, Math.ceil(counts.length / 100)).reduce((a, b) => a + b, 0);
  t.ok(top / (2 * n) > 0.3, `top 1 % of addresses in ${top / (2 * n)} of the address slots (> 30 %)`);
  const observedTop = [...addrCount.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([a]) => a);
  t.ok(observedTop.includes(busiestHost(opts)), `busiestHost ${busiestHost(opts)} among the observed top 3 ${observedTop.join(' ')}`);

  bytes.sort((a, b) => a - b);
  durs.sort((a, b) => a - b);
  const median = bytes[n >> 1]!;
  t.ok(median < 100_000, `median session ${median} bytes is small`);
  t.ok(bytes[n - 1]! > 1000 * median, `largest session ${bytes[n - 1]} bytes ≫ median ${median}`);
  t.ok(durs[n - 1]! > 100 * durs[n >> 1]!, 'durations heavy-tailed');
  t.ok(httpsDown / https > 0.7, `HTTPS servers send more than clients in ${httpsDown / https} of sessions`);

  t.ok(byHour[14]! > 3 * byHour[3]!, `14:00 UTC (${byHour[14]}) busier than 03:00 UTC (${byHour[3]})`);
  const weekday = (byDay[1]! + byDay[2]! + byDay[3]! + byDay[4]! + byDay[5]!) / 5;
  const weekend = (byDay[0]! + byDay[6]!) / 2;
  t.ok(weekday > 1.5 * weekend, `weekdays (${weekday}/day) busier than weekends (${weekend}/day)`);
});

t.test('deterministic math', async (t) => {
  const rng = new Rng(5, 'math');
  let worstLog = 0;
  let worstExp = 0;
  for (let i = 0; i < 20_000; i++) {
    const x = detExp(rng.nextFloat() * 1400 - 700);
    const y = rng.nextFloat() * 1400 - 700;
    worstLog = Math.max(worstLog, Math.abs(detLog(x) - Math.log(x)) / Math.max(1, Math.abs(Math.log(x))));
    worstExp = Math.max(worstExp, Math.abs(detExp(y) - Math.exp(y)) / Math.exp(y));
  }
  t.ok(worstLog < 1e-14, `detLog within 1e-14 of Math.log (worst ${worstLog})`);
  t.ok(worstExp < 1e-14, `detExp within 1e-14 of Math.exp (worst ${worstExp})`);
  t.equal(detLog(0), -Infinity);
  t.ok(Number.isNaN(detLog(-1)));
  t.equal(detLog(Infinity), Infinity);
  t.ok(Math.abs(detLog(5e-324) - Math.log(5e-324)) < 1e-12, 'subnormal');
  t.equal(detExp(-800), 0);
  t.equal(detExp(710), Infinity);
  t.ok(Math.abs(detPow(2, 10) - 1024) < 1e-10);
});

t.test('random source and alias tables', async (t) => {
  const a = new Rng(1, 'x');
  const b = new Rng(1, 'x');
  const c = new Rng(1, 'y');
  const sa = Array.from({ length: 8 }, () => a.nextU32());
  t.same(Array.from({ length: 8 }, () => b.nextU32()), sa, 'same seed and stream');
  t.not(Array.from({ length: 8 }, () => c.nextU32()).join(), sa.join(), 'another stream');
  t.not(new Rng(2 ** 40, 'x').nextU32(), new Rng(0, 'x').nextU32(), 'seeds above 2^32 count');
  let sum = 0;
  let sq = 0;
  const n = 50_000;
  for (let i = 0; i < n; i++) {
    const z = a.normal();
    sum += z;
    sq += z * z;
    const u = a.nextFloat();
    if (!(u > 0 && u < 1)) t.fail(`nextFloat ${u} outside (0, 1)`);
  }
  t.ok(Math.abs(sum / n) < 0.03 && Math.abs(sq / n - 1) < 0.05, 'normal variates: mean 0, variance 1');
  const weights = [5, 0, 1, 3, 1];
  const table = new AliasTable(weights, [50, 51, 52, 53, 54]);
  const hits = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = table.sample(a);
    hits.set(v, (hits.get(v) ?? 0) + 1);
  }
  t.notOk(hits.has(51), 'zero weight never drawn');
  for (const [i, w] of weights.entries()) if (w > 0) t.ok(Math.abs((hits.get(50 + i) ?? 0) / n - w / 10) < 0.01, `value ${50 + i} drawn in proportion`);
  t.throws(() => new AliasTable([0, 0]), RangeError);
  t.throws(() => new AliasTable([1, -1]), RangeError);
});

t.test('tables and rhythm', async (t) => {
  const monday = GEN_DEFAULT_START_US;
  t.equal(new Date(monday / 1000).getUTCDay(), 1, 'default start is a Monday');
  t.ok(dailyRhythm(monday + 14 * HOUR_US) > 5 * dailyRhythm(monday + 3 * HOUR_US), 'working hours far above night');
  t.ok(dailyRhythm(monday + 5 * DAY_US + 14 * HOUR_US) < dailyRhythm(monday + 14 * HOUR_US) / 2, 'Saturday afternoon below Monday afternoon');
  const isPrivate = (w: number): boolean => w >>> 24 === 10 || (w >>> 20) === 0xac1 || (w >>> 16) === 0xc0a8;
  for (const as of GEN_AS_TABLE) {
    t.match(as.country, /^[A-Z]{2}$/, `AS${as.asn} country`);
    for (const cidr of as.v4) {
      const w = parseIp(cidr.split('/')[0]!);
      t.ok(w && !isPrivate(w[3]), `AS${as.asn} ${cidr} public`);
    }
    const w6 = parseIp(as.v6.split('/')[0]!);
    t.ok(w6 && w6[0] >>> 29 === 1 && !as.v6.startsWith('2001:db8:'), `AS${as.asn} ${as.v6} global unicast, not the documentation prefix`);
  }
  t.equal(new Set(GEN_AS_TABLE.map((a) => a.asn)).size, GEN_AS_TABLE.length, 'AS numbers unique');
  t.equal(new Set(GEN_SERVICES.map((s) => s.name)).size, GEN_SERVICES.length, 'service names unique');
  for (const e of GEN_EXPORTERS) {
    t.ok(parseIp(e.address), `${e.name} address parses`);
    t.ok(GEN_EXPORTERS[e.v6Via]!.expv !== 5, `${e.name} IPv6 goes to an exporter that can carry it`);
  }
  const covered = new Set<number>();
  for (const e of GEN_EXPORTERS) for (let x = e.subnets[0]; x <= e.subnets[1]; x++) covered.add(x);
  t.equal(covered.size, 256, 'every internal /24 has an exporter');
});
