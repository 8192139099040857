// The decoder's process-wide memory budgets: template, held-set and interface-name floods from many
// (spoofed) exporters at the default limits keep the heap within the documented budget, established
// exporters keep their templates and can still add new ones, every path that frees state gives its
// charge back, and a flood of new source addresses cannot push real exporters out of the exporter table.
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FlowBatch, FlowDecoder, type DecodeContext } from '../../src/decode/index.js';
import { ESTABLISHED_AFTER_MS, HELD_SET_OVERHEAD_BYTES, INTERFACE_OVERHEAD_BYTES, interfaceCost, NEW_EXPORTER_SHARE } from '../../src/decode/decoderbudget.js';
import { templateCost } from '../../src/decode/template.js';
import { Bytes, ipfix, ipfixOptionsTemplate, ipfixTemplates, ipfixWithdraw, set, type Field } from './build.js';

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

  // Forgetting every exporter gives everything back.
  for (const k of dec.exporterKeys()) dec.forget(k);
  t.same(dec.memory(), { exporters: 0, templateBytes: 0, heldBytes: 0, interfaceBytes: 0, flowPlans: 0 });
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

  send(A, 0, ipfixTemplates({ id: 300, fields: L1! }, { id: 301, fields: L1! }));
  t.same(dec.memory(), { exporters: 1, templateBytes: 2 * cost(L1!), heldBytes: 0, interfaceBytes: 0, flowPlans: 1 }, 'one plan for two templates of one layout');
  send(B, 0, ipfixTemplates({ id: 300, fields: L2! }, { id: 301, fields: L3! }, { id: 302, fields: L4! }));
  t.equal(dec.counters(B).template_budget, 1, 'a fourth layout is refused');
  t.equal(dec.counters(B).templates_added, 2);
  t.equal(dec.memory().flowPlans, 3);

  send(A, 0, ipfixTemplates({ id: 300, fields: L2! }));
  t.equal(dec.counters(A).templates_changed, 1, 'a change to a layout in use needs no new plan');
  t.equal(dec.memory().flowPlans, 3);
  send(A, 0, ipfixWithdraw(2, 301));
  t.same(dec.memory(), { exporters: 2, templateBytes: 2 * cost(L2!) + cost(L3!), heldBytes: 0, interfaceBytes: 0, flowPlans: 2 }, 'withdrawing the last user of a layout lets its plan go');

  send(B, 0, ipfixTemplates({ id: 302, fields: L4! }));
  t.equal(dec.counters(B).templates_added, 3, 'room for the fourth layout now');
  send(B, 0, ipfixTemplates({ id: 300, fields: L5! }));
  t.equal(dec.counters(B).template_budget, 2, 'changing to yet another layout is refused ...');
  t.same(dec.domains(B)[0]!.templateIds, [301, 302], '... and the old layout of that id is forgotten, not left to misread its data');
  t.equal(dec.memory().templateBytes, cost(L2!) + cost(L3!) + cost(L4!));

  dec.expire(5000);
  t.same(dec.memory(), { exporters: 2, templateBytes: 0, heldBytes: 0, interfaceBytes: 0, flowPlans: 0 }, 'expiry');
  send(A, 6000, ipfixTemplates({ id: 300, fields: L1! }), basicData(999));
  t.equal(dec.memory().heldBytes, 12 + HELD_SET_OVERHEAD_BYTES + 4, 'a held set is charged its length and overhead');
  send('198.51.100.3', 6000);
  send('198.51.100.4', 6000);
  t.same(dec.memory(), { exporters: 2, templateBytes: 0, heldBytes: 0, interfaceBytes: 0, flowPlans: 0 }, 'exporter eviction');
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
