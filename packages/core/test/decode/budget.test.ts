// The decoder's process-wide memory budgets: template, held-set and interface-name floods from many
// (spoofed) exporters at the default limits keep the heap within the documented budget, established
// exporters keep their templates and can still add new ones, every path that frees state gives its
// charge back, and a flood of new source addresses cannot push real exporters out of the exporter table.
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FlowBatch, FlowDecoder, type DecodeContext } from '../../src/decode/index.js';
import {
  DOMAIN_OVERHEAD_BYTES,
  ESTABLISHED_AFTER_MS,
  HELD_SET_OVERHEAD_BYTES,
  INTERFACE_OVERHEAD_BYTES,
  interfaceCost,
  NEW_EXPORTER_SHARE,
  SAMPLING_ENTRY_BYTES,
  SFLOW_AGENT_OVERHEAD_BYTES,
  SFLOW_COUNTER_ENTRY_BYTES,
} from '../../src/decode/decoderbudget.js';
import { FlowPlanCache, MAX_IDLE_FLOW_PLANS } from '../../src/decode/flowplancache.js';
import { templateCost, templateSignature } from '../../src/decode/template.js';
import { Bytes, ipfix, ipfixOptionsTemplate, ipfixTemplates, ipfixWithdraw, set, v9, type Field } from './build.js';

// tap gives no per-file node flags: expose gc this way to measure the heap after collection.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Bytes the process holds for JS objects and ArrayBuffers (held sets and typed arrays live outside the heap). */
function used(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const MiB = 1024 * 1024;
const FIELDS = 512;
const PER_DATAGRAM = 14;
const DATAGRAMS = Math.ceil(1024 / PER_DATAGRAM);

/**
 * One IPFIX message of PER_DATAGRAM templates of FIELDS fields (unknown IANA elements, 4 bytes each),
 * patched in place for every datagram: template ids, and two fields that make each layout unique.
 */
class TemplateFlood {
  readonly buf: Uint8Array;
  private readonly starts: number[] = [];

  constructor(readonly options: boolean) {
    const head = options ? 6 : 4;
    const setLen = 4 + PER_DATAGRAM * (head + FIELDS * 4);
    this.buf = new Uint8Array(16 + setLen);
    const v = new DataView(this.buf.buffer);
    v.setUint16(0, 10);
    v.setUint16(2, this.buf.length);
    v.setUint32(4, 1_700_000_000);
    v.setUint16(16, options ? 3 : 2);
    v.setUint16(18, setLen);
    let p = 20;
    for (let k = 0; k < PER_DATAGRAM; k++) {
      this.starts.push(p);
      v.setUint16(p + 2, FIELDS);
      if (options) v.setUint16(p + 4, 1);
      p += head;
      for (let f = 0; f < FIELDS; f++, p += 4) {
        v.setUint16(p, 1000 + f);
        v.setUint16(p + 2, 4);
      }
    }
  }

  /** Datagram `r` of an exporter: template ids 256 + r * PER_DATAGRAM..., layouts numbered from `uniq`. */
  patch(r: number, uniq: number): Uint8Array {
    const v = new DataView(this.buf.buffer);
    const head = this.options ? 6 : 4;
    for (let k = 0; k < PER_DATAGRAM; k++) {
      const p = this.starts[k]!;
      v.setUint16(p, 256 + r * PER_DATAGRAM + k);
      const u = uniq + k;
      v.setUint16(p + head + 4, 20000 + (u & 0x1fff));
      v.setUint16(p + head + 8, 20000 + ((u >>> 13) & 0x1fff));
    }
    return this.buf;
  }
}

const BASIC: Field[] = [
  { id: 8, len: 4 },
  { id: 12, len: 4 },
  { id: 2, len: 4 },
  { id: 1, len: 4 },
];
const EXP_A = '198.51.100.20';
/** memory() of a decoder holding nothing. */
const EMPTY = { exporters: 0, templateBytes: 0, heldBytes: 0, interfaceBytes: 0, samplingBytes: 0, sflowCounterBytes: 0, flowPlans: 0, idleFlowPlans: 0 };
const basicData = (id: number): Uint8Array => set(id, new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u32(1).u32(100).done());

t.test('a template flood from 500 exporters at the default limits stays within the budget', async (t) => {
  const dec = new FlowDecoder();
  const cfg = dec.config;
  const out = new FlowBatch(64);
  const ctx = (nowMs: number): DecodeContext => ({ nowMs });

  // A long-standing exporter with flows, and its template, before the flood.
  const VET = '192.0.2.200';
  dec.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC }), basicData(300)), VET, ctx(0), out);
  t.equal(out.length, 1);

  const before = used();
  const data = new TemplateFlood(false);
  const opts = new TemplateFlood(true);
  const now = ESTABLISHED_AFTER_MS + 1;
  let peak = 0;
  let uniq = 0;
  for (let e = 0; e < 500; e++) {
    // Half the exporters send data templates (each a new layout: compiled plans), half options templates.
    const flood = e % 2 === 0 ? data : opts;
    const ex = `10.${(e >> 8) & 255}.${e & 255}.1`;
    for (let r = 0; r < DATAGRAMS; r++) {
      dec.decode(flood.patch(r, uniq), ex, ctx(now), out);
      uniq += PER_DATAGRAM;
    }
    out.reset();
    if (e % 50 === 49) {
      const growth = used() - before;
      peak = Math.max(peak, growth);
      // Without budgets this flood needs gigabytes: stop early instead of running out of heap.
      if (growth > 1024 * MiB) break;
    }
  }
  const totals = dec.memory();
  const growth = used() - before;
  peak = Math.max(peak, growth);
  const c = dec.counters();
  t.ok(c.template_budget > 0, `templates refused by the budget: ${c.template_budget}`);
  t.ok(totals.templateBytes <= cfg.maxTemplateBytesTotal * NEW_EXPORTER_SHARE, `template charge ${totals.templateBytes} within the new exporters' share`);
  t.ok(totals.templateBytes > cfg.maxTemplateBytesTotal * NEW_EXPORTER_SHARE - templateCost(FIELDS), 'and the share is filled');
  t.ok(totals.flowPlans <= Math.floor(cfg.maxFlowPlans * NEW_EXPORTER_SHARE), `${totals.flowPlans} plans alive`);
  t.equal(totals.flowPlans, Math.floor(cfg.maxFlowPlans * NEW_EXPORTER_SHARE), 'distinct layouts fill the plan share');

  // Charged bytes are an honest estimate of what the templates hold; plans cost about 11 KB each.
  const documented = cfg.maxTemplateBytesTotal + cfg.maxFlowPlans * 16 * 1024;
  t.ok(peak < documented, `heap + array buffers grew ${(peak / MiB).toFixed(1)} MiB at most, documented bound ${(documented / MiB).toFixed(0)} MiB`);
  t.ok(growth > totals.templateBytes * 0.8, `growth ${(growth / MiB).toFixed(1)} MiB is at least most of the ${(totals.templateBytes / MiB).toFixed(1)} MiB charged`);
  t.comment(`flood: heap + array buffers +${(growth / MiB).toFixed(1)} MiB, ${(totals.templateBytes / MiB).toFixed(1)} MiB templates charged, ${totals.flowPlans} plans, ${totals.exporters} exporters, ${c.templates_added} templates added, ${c.template_budget} refused`);

  // The established exporter lost nothing and may still add templates past the new exporters' share.
  t.same(dec.domains(VET)[0]!.templateIds, [300], 'the flood evicted none of its templates');
  dec.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 301, fields: [...BASIC, { id: 7, len: 2 }] })), VET, ctx(now), out);
  t.equal(dec.counters(VET).templates_added, 2, 'an established exporter adds a template of a new layout');
  t.equal(dec.counters(VET).template_budget, 0);
  const late = '203.0.113.5';
  dec.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 301, fields: [...BASIC, { id: 11, len: 2 }] })), late, ctx(now), out);
  t.equal(dec.counters(late).template_budget, 1, 'a new exporter is refused once the share is full');

  // Forgetting every exporter gives everything back; the most recently released plans wait, idle.
  for (const k of dec.exporterKeys()) dec.forget(k);
  t.same(dec.memory(), { ...EMPTY, idleFlowPlans: MAX_IDLE_FLOW_PLANS });
});

t.test('a held-set flood from many exporters stays within maxHeldBytesTotal', async (t) => {
  const dec = new FlowDecoder();
  const cfg = dec.config;
  const body = new Uint8Array(60_000).fill(0xab);
  const datagrams = [0, 1, 2, 3, 4].map((r) => ipfix({ exportTime: 1 }, set(300 + r, body)));
  const out = new FlowBatch(4);
  const before = used();
  for (let e = 0; e < 2000; e++) {
    const ex = `10.2.${e >> 8}.${e & 255}`;
    for (const d of datagrams) dec.decode(d, ex, { nowMs: 1 }, out);
  }
  const totals = dec.memory();
  const growth = used() - before;
  const c = dec.counters();
  t.ok(c.held_budget > 0, `sets refused by the budget: ${c.held_budget}`);
  t.ok(totals.heldBytes <= cfg.maxHeldBytesTotal * NEW_EXPORTER_SHARE, `held charge ${totals.heldBytes}`);
  t.ok(totals.heldBytes > cfg.maxHeldBytesTotal * NEW_EXPORTER_SHARE - (60_000 + HELD_SET_OVERHEAD_BYTES), 'the share is filled');
  t.ok(growth < cfg.maxHeldBytesTotal + 16 * MiB, `heap + array buffers grew ${(growth / MiB).toFixed(1)} MiB`);
  t.comment(`held flood: heap + array buffers +${(growth / MiB).toFixed(1)} MiB, ${(totals.heldBytes / MiB).toFixed(1)} MiB charged, ${c.sets_held} held, ${c.held_budget} refused`);

  dec.expire(1 + cfg.pendingMaxAgeMs + 1);
  t.equal(dec.memory().heldBytes, 0, 'expiry gives the held bytes back');
});

t.test('every way a template goes gives its charge and plan back', async (t) => {
  // maxFlowPlans 4: exporters not yet established may bring it to 3.
  const dec = new FlowDecoder({ maxFlowPlans: 4, maxExporters: 2, templateTimeoutMs: 1000 });
  const out = new FlowBatch(16);
  const A = '198.51.100.1';
  const B = '198.51.100.2';
  const [L1, L2, L3, L4, L5] = [0, 7, 11, 5, 6].map((id) => (id === 0 ? BASIC : [...BASIC, { id, len: id >= 7 ? 2 : 1 }]));
  const send = (ex: string, nowMs: number, ...sets: Uint8Array[]) => dec.decode(ipfix({ exportTime: 1 }, ...sets), ex, { nowMs }, out);
  const cost = (l: Field[]) => templateCost(l.length);

  // Each exporter's first template opens its domain (observation domain 0), charged with it.
  const D = DOMAIN_OVERHEAD_BYTES;
  send(A, 0, ipfixTemplates({ id: 300, fields: L1! }, { id: 301, fields: L1! }));
  t.same(dec.memory(), { ...EMPTY, exporters: 1, templateBytes: D + 2 * cost(L1!), flowPlans: 1 }, 'one plan for two templates of one layout; the domain charged once');
  send(B, 0, ipfixTemplates({ id: 300, fields: L2! }, { id: 301, fields: L3! }, { id: 302, fields: L4! }));
  t.equal(dec.counters(B).template_budget, 1, 'a fourth layout is refused');
  t.equal(dec.counters(B).templates_added, 2);
  t.equal(dec.memory().flowPlans, 3);

  send(A, 0, ipfixTemplates({ id: 300, fields: L2! }));
  t.equal(dec.counters(A).templates_changed, 1, 'a change to a layout in use needs no new plan');
  t.equal(dec.memory().flowPlans, 3);
  send(A, 0, ipfixWithdraw(2, 301));
  t.same(
    dec.memory(),
    { ...EMPTY, exporters: 2, templateBytes: 2 * D + 2 * cost(L2!) + cost(L3!), flowPlans: 2, idleFlowPlans: 1 },
    'withdrawing the last user of a layout lets its plan go idle',
  );

  send(B, 0, ipfixTemplates({ id: 302, fields: L4! }));
  t.equal(dec.counters(B).templates_added, 3, 'room for the fourth layout now: the idle plan is forgotten for it');
  t.same([dec.memory().flowPlans, dec.memory().idleFlowPlans], [3, 0]);
  send(B, 0, ipfixTemplates({ id: 300, fields: L5! }));
  t.equal(dec.counters(B).template_budget, 2, 'changing to yet another layout is refused ...');
  t.same(dec.domains(B)[0]!.templateIds, [301, 302], '... and the old layout of that id is forgotten, not left to misread its data');
  t.equal(dec.memory().templateBytes, 2 * D + cost(L2!) + cost(L3!) + cost(L4!));

  dec.expire(5000);
  t.same(dec.memory(), { ...EMPTY, exporters: 2, templateBytes: 2 * D, idleFlowPlans: 3 }, 'expiry: the domains stay, the plans wait idle');
  send(A, 6000, ipfixTemplates({ id: 300, fields: L1! }), basicData(999));
  t.equal(dec.memory().heldBytes, 12 + HELD_SET_OVERHEAD_BYTES + 4, 'a held set is charged its length and overhead');
  send('198.51.100.3', 6000);
  send('198.51.100.4', 6000);
  t.same(dec.memory(), { ...EMPTY, exporters: 2, idleFlowPlans: 3 }, 'exporter eviction gives everything back');
});

/** One IPFIX message: an options template (ingressInterface scope; interfaceName, interfaceDescription) and `n` records from `first`. */
function interfaceNames(first: number, n: number, nameLen: number, descLen: number): Uint8Array {
  const b = new Bytes();
  for (let k = 0; k < n; k++) {
    const name = new Uint8Array(nameLen).fill(0x61 + (k % 26));
    b.u32(first + k).u8(255).u16(nameLen).raw(name).u8(255).u16(descLen).raw(new Uint8Array(descLen).fill(0x41));
  }
  const opt = ipfixOptionsTemplate(256, [{ id: 10, len: 4 }], [{ id: 82, len: 65535 }, { id: 83, len: 65535 }]);
  return ipfix({ exportTime: 1 }, opt, set(256, b.done()));
}

t.test('an interface-name flood stays within the interface byte budgets, and a counter says so', async (t) => {
  const dec = new FlowDecoder();
  const cfg = dec.config;
  const out = new FlowBatch(4);
  // 20 records of 3000 bytes of text per datagram; 80 datagrams per exporter, 16 exporters: 77 MB of
  // text if nothing bounded it (the interface count limit alone, 8192 per exporter, allows it).
  const PER = 20;
  const datagrams = Array.from({ length: 80 }, (_, d) => interfaceNames(d * PER, PER, 1000, 2000));
  const before = used();
  let peak = 0;
  for (let e = 0; e < 16; e++) {
    const ex = `10.3.${e >> 8}.${e & 255}`;
    for (const d of datagrams) dec.decode(d, ex, { nowMs: 1 }, out);
    if (e % 4 === 3) {
      const growth = used() - before;
      peak = Math.max(peak, growth);
      if (growth > 512 * MiB) break;
    }
  }
  const totals = dec.memory();
  const c = dec.counters();
  t.ok(c.interface_budget > 0, `interface names refused by the budgets: ${c.interface_budget}`);
  t.equal(c.options_limit, 0, 'the interface count limit was never what stopped them');
  for (const key of dec.exporterKeys()) {
    const m = dec.memory(key)!;
    if (m.interfaceBytes > cfg.maxInterfaceBytesPerExporter) t.fail(`${key}: ${m.interfaceBytes} bytes of interface names`);
  }
  const first = dec.memory('10.3.0.0')!;
  t.ok(first.interfaceBytes > cfg.maxInterfaceBytesPerExporter - 3200, `the first exporter filled its own budget (${first.interfaceBytes} bytes, ${first.interfaces} interfaces)`);
  t.ok(dec.counters('10.3.0.0').interface_budget > 0, 'and was refused beyond it');
  t.ok(totals.interfaceBytes <= cfg.maxInterfaceBytesTotal * NEW_EXPORTER_SHARE, `interface charge ${totals.interfaceBytes} within the new exporters' share`);
  t.ok(totals.interfaceBytes > cfg.maxInterfaceBytesTotal * NEW_EXPORTER_SHARE - 3200, 'and the share is filled');
  const growth = used() - before;
  peak = Math.max(peak, growth);
  t.ok(peak < cfg.maxInterfaceBytesTotal + 16 * MiB, `heap grew ${(peak / MiB).toFixed(1)} MiB at most, for ${(totals.interfaceBytes / MiB).toFixed(1)} MiB charged`);
  t.ok(growth > totals.interfaceBytes * 0.8, 'the charge is an honest estimate of what the names hold');
  t.comment(`interface flood: heap +${(growth / MiB).toFixed(1)} MiB, ${(totals.interfaceBytes / MiB).toFixed(1)} MiB charged, ${c.interface_budget} refused`);

  // A name replaced by a longer one is charged the difference; one that does not fit keeps the old.
  const small = new FlowDecoder({ maxInterfaceBytesPerExporter: INTERFACE_OVERHEAD_BYTES + 100 });
  small.decode(interfaceNames(1, 1, 40, 40), EXP_A, { nowMs: 1 }, out);
  t.equal(small.memory(EXP_A)!.interfaceBytes, interfaceCost('a'.repeat(40), 'A'.repeat(40)));
  small.decode(interfaceNames(1, 1, 60, 60), EXP_A, { nowMs: 1 }, out);
  t.same([small.interfaces(EXP_A).get(1)?.name.length, small.counters(EXP_A).interface_budget], [40, 1], 'too long a replacement is refused, the old name kept');
  small.decode(interfaceNames(1, 1, 30, 10), EXP_A, { nowMs: 1 }, out);
  t.same([small.interfaces(EXP_A).get(1)?.name.length, small.memory(EXP_A)!.interfaceBytes], [30, interfaceCost('a'.repeat(30), 'A'.repeat(10))], 'a shorter one is taken');
  t.equal(small.memory().interfaceBytes, small.memory(EXP_A)!.interfaceBytes);

  for (const k of dec.exporterKeys()) dec.forget(k);
  t.equal(dec.memory().interfaceBytes, 0, 'forgetting the exporters gives the charge back');
});

t.test('a flood of 20,000 new source addresses does not push out an exporter that is sending', async (t) => {
  const dec = new FlowDecoder();
  const out = new FlowBatch(64);
  const REAL = '192.0.2.50';
  const tpl = ipfixTemplates({ id: 300, fields: BASIC });
  let now = 1_000;
  // The real exporter: templates and data, then data alone.
  dec.decode(ipfix({ exportTime: 1 }, tpl, basicData(300)), REAL, { nowMs: now }, out);
  dec.decode(ipfix({ exportTime: 1 }, basicData(300)), REAL, { nowMs: now }, out);
  t.equal(out.length, 2);
  t.ok(dec.memory(REAL)!.proven, 'flows from two datagrams: proven');

  // 20,000 spoofed sources, each sending once: garbage, a template, or a template with data; in one
  // burst, with no datagram from the real exporter in between.
  const garbage = new Uint8Array([0, 42, 1, 2, 3, 4]);
  const oneOff = ipfix({ exportTime: 1 }, ipfixTemplates({ id: 256, fields: BASIC }));
  const withData = ipfix({ exportTime: 1 }, ipfixTemplates({ id: 257, fields: BASIC }), basicData(257));
  for (let i = 0; i < 20_000; i++) {
    const ex = `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    dec.decode(i % 3 === 0 ? garbage : i % 3 === 1 ? oneOff : withData, ex, { nowMs: ++now }, out);
  }
  const c = dec.counters();
  t.equal(dec.memory().exporters, dec.config.maxExporters, 'the table is full');
  t.ok(c.exporter_evicted >= 10_000, `${c.exporter_evicted} spoofed exporters made room for each other`);
  t.same(dec.domains(REAL).map((d) => d.templateIds), [[300]], "the real exporter's templates survive");
  out.reset();
  const r = dec.decode(ipfix({ exportTime: 1 }, basicData(300)), REAL, { nowMs: ++now }, out);
  t.same([r.flows, r.held, r.dropped], [1, 0, null], 'and its next data decodes at once');
  t.equal(dec.counters(REAL).datagrams, 3, 'its counters too');
});

t.test('a full table of proven exporters refuses newcomers (counted) until one falls silent', async (t) => {
  const dec = new FlowDecoder({ maxExporters: 3, exporterIdleMs: 60_000 });
  const out = new FlowBatch(64);
  const send = (ex: string, nowMs: number) => dec.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: BASIC }), basicData(300)), ex, { nowMs }, out);
  for (const ex of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
    send(ex, 0);
    send(ex, 1_000);
  }
  send('192.0.2.2', 30_000);
  send('192.0.2.3', 30_000);
  const r = send('198.51.100.9', 40_000);
  t.same([r.dropped, r.flows], ['exporter_refused', 0], 'no room: the newcomer is refused');
  t.same([dec.counters().exporter_refused, dec.counters().datagrams], [1, 9], 'counted in the totals');
  t.equal(dec.memory('198.51.100.9'), undefined, 'and it has no state');
  const later = send('198.51.100.9', 61_001);
  t.same([later.dropped, later.flows], [null, 1], '192.0.2.1 silent for exporterIdleMs: the newcomer takes its place');
  t.same(dec.exporterKeys(), ['192.0.2.2', '192.0.2.3', '198.51.100.9'], 'the silent one is gone; least recently seen first');
  t.equal(dec.counters().exporter_evicted, 1);
  t.throws(() => new FlowDecoder({ exporterIdleMs: -1 }), { code: 'BAD_CONFIG', key: 'exporterIdleMs' });
});

t.test('held data sets lost with their exporter are counted: eviction (totals) and forget', async (t) => {
  const dec = new FlowDecoder({ maxExporters: 2 });
  const out = new FlowBatch(4);
  const hold = (ex: string, n: number): void => {
    for (let k = 0; k < n; k++) dec.decode(ipfix({ exportTime: 1 }, basicData(400 + k)), ex, { nowMs: 1 }, out);
  };
  hold('192.0.2.1', 3);
  hold('192.0.2.2', 2);
  t.equal(dec.counters().sets_held, 5);
  hold('192.0.2.3', 1);
  t.same([dec.counters().exporter_evicted, dec.counters().held_sets_lost], [1, 3], "the evicted exporter's 3 held sets count in the totals");
  hold('192.0.2.4', 1);
  t.same([dec.counters().exporter_evicted, dec.counters().held_sets_lost], [2, 5]);
  t.equal(dec.memory().heldBytes, 2 * (16 + HELD_SET_OVERHEAD_BYTES), 'their charge is given back');

  const tcp = new FlowDecoder();
  const key = '192.0.2.3#tcp:5000';
  for (let k = 0; k < 2; k++) tcp.decode(ipfix({ exportTime: 1 }, basicData(400 + k)), '192.0.2.3', { nowMs: 1, transport: 'tcp', session: 'tcp:5000' }, out);
  t.equal(tcp.counters(key).sets_held, 2);
  t.equal(tcp.forget(key), true);
  t.equal(tcp.counters().held_sets_lost, 2, 'a forgotten TCP session loses its held sets: counted');
  t.equal(tcp.forget(key), false);
  t.equal(tcp.counters().held_sets_lost, 2);
});

/** An sFlow v5 datagram from `agent` (IPv4 as a number) with 12 counter samples, ifIndex from `first`. */
function counterFlood(agent: number, first: number): Uint8Array {
  const n = 12;
  const b = new DataView(new ArrayBuffer(28 + n * (8 + 12 + 8 + 88)));
  let p = 0;
  const u32 = (v: number): void => {
    b.setUint32(p, v >>> 0);
    p += 4;
  };
  u32(5), u32(1), u32(agent), u32(0), u32(1), u32(1000), u32(n);
  for (let i = 0; i < n; i++) {
    u32(2), u32(12 + 8 + 88), u32(1), u32(first + i), u32(1), u32(1), u32(88);
    u32(first + i), u32(6), u32(0), u32(1e9), u32(1), u32(3);
    for (let k = 0; k < 16; k++) u32(k);
  }
  return new Uint8Array(b.buffer);
}

t.test('an sFlow interface-counter flood from one source is bounded by that source, from many by the decoder-wide budget', async (t) => {
  const dec = new FlowDecoder();
  const cfg = dec.config;
  const out = new FlowBatch(4);
  const SRC = '203.0.113.9';
  // The review's flood: one spoofable source, agent addresses and ifIndexes made up, 30 agents × 8192
  // interfaces (unbounded: 245,760 entries, about 83 MiB).
  let before = used();
  for (let a = 0; a < 30; a++) for (let i = 1; i <= 8192; i += 12) dec.decodeSflow(counterFlood(0x0a000000 + a, i), SRC, { nowMs: 1 }, out);
  let growth = used() - before;
  const m = dec.memory(SRC)!;
  const c = dec.counters(SRC);
  t.ok(m.sflowCounterBytes <= cfg.maxSflowCounterBytesPerExporter, `${m.sflowCounterBytes} bytes charged to the source, ${m.sflowInterfaces} interfaces of ${m.sflowAgents} agents`);
  t.ok(m.sflowCounterBytes > cfg.maxSflowCounterBytesPerExporter - SFLOW_COUNTER_ENTRY_BYTES - SFLOW_AGENT_OVERHEAD_BYTES, 'and it is full');
  t.ok(c.counters_evicted > 200_000, `its own least recently updated counters made room: ${c.counters_evicted} forgotten`);
  t.ok(growth < cfg.maxSflowCounterBytesPerExporter + 4 * MiB, `heap grew ${(growth / MiB).toFixed(1)} MiB`);
  t.ok(growth > m.sflowCounterBytes * 0.7, 'the charge is an honest estimate of what the counters hold');
  t.equal(dec.memory().sflowCounterBytes, m.sflowCounterBytes);
  t.comment(`one source: heap +${(growth / MiB).toFixed(1)} MiB for ${(m.sflowCounterBytes / MiB).toFixed(1)} MiB charged (${m.sflowInterfaces} interfaces)`);

  // Many sources, each filling its own share: the decoder-wide budget stops them at 3/4 (not established).
  before = used();
  for (let s = 0; s < 10; s++) {
    for (let a = 0; a < 3; a++) for (let i = 1; i <= 8192; i += 12) dec.decodeSflow(counterFlood(0x0a100000 + s * 16 + a, i), `198.18.0.${s}`, { nowMs: 1 }, out);
  }
  growth = used() - before;
  const total = dec.memory().sflowCounterBytes;
  const refused = dec.counters().counter_budget;
  t.ok(total <= cfg.maxSflowCounterBytesTotal * NEW_EXPORTER_SHARE, `${(total / MiB).toFixed(1)} MiB charged in all`);
  t.ok(total > cfg.maxSflowCounterBytesTotal * NEW_EXPORTER_SHARE - SFLOW_COUNTER_ENTRY_BYTES - SFLOW_AGENT_OVERHEAD_BYTES, 'the new sources filled their share');
  t.ok(refused > 0, `${refused} counter records refused (counter_budget)`);
  t.ok(growth < cfg.maxSflowCounterBytesTotal, `heap grew ${(growth / MiB).toFixed(1)} MiB`);
  let sum = 0;
  for (const k of dec.exporterKeys()) sum += dec.memory(k)!.sflowCounterBytes;
  t.equal(sum, total, 'the decoder-wide charge is the sum over sources');
  t.comment(`ten sources: heap +${(growth / MiB).toFixed(1)} MiB, ${(total / MiB).toFixed(1)} MiB charged in all, ${refused} refused`);

  // once the flood stops, its sources' counters expire and a new switch gets counters again
  const NEW = '192.0.2.77';
  dec.decodeSflow(counterFlood(0x0a200001, 1), NEW, { nowMs: 2 }, out);
  t.equal(dec.memory(NEW)!.sflowInterfaces, 0, 'during the flood a new switch is refused');
  const later = 2 + cfg.exporterIdleMs + 1000;
  dec.decodeSflow(counterFlood(0x0a200001, 1), NEW, { nowMs: later }, out);
  dec.expire(later);
  t.equal(dec.memory().sflowCounterBytes, dec.memory(NEW)!.sflowCounterBytes, 'the silent sources\' counters are gone');
  dec.decodeSflow(counterFlood(0x0a200001, 1), NEW, { nowMs: later + 1 }, out);
  t.ok(dec.memory(NEW)!.sflowInterfaces > 0, `the new switch keeps its ${dec.memory(NEW)!.sflowInterfaces} interfaces`);

  for (const k of dec.exporterKeys()) dec.forget(k);
  t.same([dec.memory().sflowCounterBytes, dec.sflowAgents().length], [0, 0], 'forgetting the sources gives everything back');
});

/** NetFlow v9 from one source id: an options template (system scope; samplerId, samplingInterval, samplerMode) and 256 sampler rates. */
function samplerOptions(srcId: number): Uint8Array {
  const rec = new Bytes();
  for (let i = 0; i < 256; i++) rec.u32(0).u16(i + 1).u32(100 + i).u8(2);
  const tpl = new Bytes().u16(300).u16(4).u16(12).u16(1).u16(4).u16(48).u16(2).u16(34).u16(4).u16(49).u16(1).done();
  return v9({ uptime: 1000, secs: 1_700_000_000, srcId }, set(1, tpl), set(300, rec.done()));
}

t.test('sampler rates from options data are charged, and bounded by maxSamplingBytesTotal', async (t) => {
  // The review's flood: 20 exporters × 256 source ids × 256 samplers, 1.3 M rates if nothing bounded them.
  const dec = new FlowDecoder();
  const cfg = dec.config;
  const out = new FlowBatch(4);
  const before = used();
  for (let e = 0; e < 20; e++) for (let s = 0; s < 256; s++) dec.decode(samplerOptions(s), `198.18.${e >> 8}.${e & 255}`, { nowMs: 1 }, out);
  const growth = used() - before;
  const m = dec.memory();
  const c = dec.counters();
  let rates = 0;
  for (const k of dec.exporterKeys()) rates += dec.memory(k)!.samplers;
  t.equal(m.samplingBytes, rates * SAMPLING_ENTRY_BYTES, `${rates} rates charged ${SAMPLING_ENTRY_BYTES} bytes each`);
  t.ok(m.samplingBytes <= cfg.maxSamplingBytesTotal * NEW_EXPORTER_SHARE && m.samplingBytes > cfg.maxSamplingBytesTotal * NEW_EXPORTER_SHARE - SAMPLING_ENTRY_BYTES, 'the new exporters filled their share');
  t.ok(c.sampling_budget > 0, `${c.sampling_budget} rates refused (sampling_budget)`);
  // What the flood holds besides rates: the domains, charged to the template budget with their templates.
  const charged = m.samplingBytes + m.templateBytes;
  t.ok(growth < charged * 1.1 + 2 * MiB, `heap grew ${(growth / MiB).toFixed(1)} MiB for ${(charged / MiB).toFixed(1)} MiB charged (rates ${(m.samplingBytes / MiB).toFixed(1)}, templates and domains ${(m.templateBytes / MiB).toFixed(1)})`);
  t.ok(growth > charged * 0.6, 'and the charges are honest estimates');
  t.comment(`sampler flood: heap +${(growth / MiB).toFixed(1)} MiB, ${rates} rates, ${(charged / MiB).toFixed(1)} MiB charged`);
  for (const k of dec.exporterKeys()) dec.forget(k);
  t.same([dec.memory().samplingBytes, dec.memory().templateBytes], [0, 0], 'forgetting the exporters gives the charges back');
});

t.test('a template flapping between two layouts reuses their compiled plans, counted as templates_flapped', async (t) => {
  // The plan cache: a released plan waits idle and comes back as the same compiled function.
  const cache = new FlowPlanCache();
  const fieldsA = BASIC.map((f) => ({ ...f, pen: 0 }));
  const fieldsB = [...fieldsA, { id: 7, len: 2, pen: 0 }];
  const a = cache.acquire(10, fieldsA, templateSignature(10, false, 0, fieldsA), 8)!;
  cache.release(a);
  t.same([cache.size, cache.idleSize], [0, 1], 'released: idle');
  const b = cache.acquire(10, fieldsB, templateSignature(10, false, 0, fieldsB), 8)!;
  t.equal(cache.acquire(10, fieldsA, templateSignature(10, false, 0, fieldsA), 8), a, 'the idle plan itself, not a new compilation');
  t.same([cache.size, cache.idleSize], [2, 0]);
  cache.release(b);
  t.equal(cache.acquire(10, fieldsB, templateSignature(10, false, 0, fieldsB), 2), b, 'coming back from idle needs no room under the limit');
  cache.release(a);
  cache.release(b);
  const c = cache.acquire(10, [...fieldsA, { id: 11, len: 2, pen: 0 }], 'c', 2);
  t.ok(c !== undefined, 'a new layout forgets idle plans to stay within the limit');
  t.same([cache.size, cache.idleSize], [1, 1]);
  for (let k = 0; k < MAX_IDLE_FLOW_PLANS + 10; k++) {
    const fields = [...fieldsA, { id: 20000 + k, len: 4, pen: 0 }];
    const p = cache.acquire(10, fields, templateSignature(10, false, 0, fields), 10_000)!;
    cache.release(p);
  }
  t.equal(cache.idleSize, MAX_IDLE_FLOW_PLANS, 'idle plans are bounded');

  // Two devices behind one address with the same observation domain, each sending its template 300.
  const dec = new FlowDecoder();
  const out = new FlowBatch(64);
  const L7: Field[] = [...BASIC, { id: 7, len: 2 }];
  const dataA = set(300, new Bytes().ip4('10.0.0.1').ip4('10.0.0.2').u32(3).u32(300).done());
  const dataB = set(300, new Bytes().ip4('10.9.0.1').ip4('10.9.0.2').u32(5).u32(500).u16(4444).done());
  for (let k = 0; k < 100; k++) {
    const even = k % 2 === 0;
    dec.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: even ? BASIC : L7 }), even ? dataA : dataB), EXP_A, { nowMs: 1 + k }, out);
  }
  const cn = dec.counters(EXP_A);
  t.same([cn.templates_added, cn.templates_changed, cn.templates_flapped, cn.flows], [1, 99, 98, 100], 'every change after the second goes back to the layout before');
  t.same([dec.memory().flowPlans, dec.memory().idleFlowPlans], [1, 1], 'two plans in all: one in use, one waiting');
  let wrong = 0;
  for (let r = 0; r < out.length; r++) {
    const even = r % 2 === 0;
    if (out.packets[r] !== (even ? 3 : 5) || out.bytes[r] !== (even ? 300 : 500) || out.srcPort[r] !== (even ? 0 : 4444)) wrong++;
  }
  t.equal(wrong, 0, 'each data set decoded with the layout sent before it');
  dec.decode(ipfix({ exportTime: 1 }, ipfixTemplates({ id: 300, fields: [...BASIC, { id: 11, len: 2 }] })), EXP_A, { nowMs: 200 }, out);
  t.equal(dec.counters(EXP_A).templates_flapped, 98, 'a third layout is a change, not a flap');
});
