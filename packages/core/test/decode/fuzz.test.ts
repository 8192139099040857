// Fuzzing with real datagrams: 20,000 deterministic mutations of corpus NetFlow/IPFIX packets
// (bit flips, truncation, length and count fields set to edge values, splices). Nothing may throw,
// no row may hold NaN, and the decoder's memory, per exporter and in total, stays inside the configured
// bounds, its process-wide charge always the sum of what the exporters hold.
import t from 'tap';
import { FlowBatch, FlowDecoder, DROP_REASONS, type DecoderConfig } from '../../src/decode/index.js';
import { DOMAIN_OVERHEAD_BYTES, HELD_SET_OVERHEAD_BYTES, SAMPLING_ENTRY_BYTES } from '../../src/decode/decoderbudget.js';
import { templateCost } from '../../src/decode/template.js';
import { corpusIndex, udpPayloads } from './corpusreplay.js';
import { rng } from '../seededrng.js';

const ITERATIONS = 20_000;

/** Offsets of 16-bit length-like fields: the message header, each set header, template headers. */
function lengthFields(b: Uint8Array): number[] {
  const at: number[] = [2];
  const version = (b[0]! << 8) | b[1]!;
  let p = version === 9 ? 20 : version === 10 ? 16 : b.length;
  while (p + 4 <= b.length) {
    at.push(p, p + 2);
    const id = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    if (id <= 3 && p + 8 <= b.length) at.push(p + 4, p + 6);
    if (len < 4) break;
    p += len;
  }
  return at;
}

const EDGE = [0, 1, 2, 3, 4, 5, 15, 16, 255, 256, 0x7fff, 0x8000, 0xfffe, 0xffff];

/** Each capture's datagrams in order: replayed in order so templates mostly come before their data. */
const captures: Uint8Array[][] = [];
for (const e of corpusIndex()) {
  if (e.format === 'sflow' || e.wrap_mode === 'tcp') continue;
  captures.push(udpPayloads(e.path).map((p) => p.payload));
}
const datagrams = captures.flat();

const cfg: Partial<DecoderConfig> = {
  maxTemplatesPerExporter: 32,
  maxFieldsPerTemplate: 64,
  maxExporters: 16,
  // Proven exporters silent this long make room for new ones: eviction and refusal both happen.
  exporterIdleMs: 20_000,
  pendingMaxSets: 8,
  pendingMaxBytes: 16 * 1024,
  pendingMaxAgeMs: 20_000,
  maxSamplersPerDomain: 8,
  maxInterfacesPerExporter: 64,
  maxInterfaceBytesPerExporter: 4096,
  maxInterfaceBytesTotal: 16 * 1024,
  maxDomainsPerExporter: 8,
  templateTimeoutMs: 600_000,
  // Process-wide budgets below what 16 exporters may hold each, so that they bind too.
  maxTemplateBytesTotal: 128 * 1024,
  maxHeldBytesTotal: 12 * 1024,
  maxFlowPlans: 48,
  maxSamplingBytesTotal: 1024,
};

t.test(`${ITERATIONS} mutated corpus datagrams`, async (t) => {
  t.ok(datagrams.length > 1000, `${datagrams.length} corpus datagrams from ${captures.length} captures`);
  const r = rng(20240601);
  const pick = (n: number): number => Math.floor(r() * n);
  const dec = new FlowDecoder(cfg);
  const out = new FlowBatch(4096);
  let now = 1_700_000_000_000;
  let thrown = 0;
  let nan = 0;
  let over = 0;
  let leaks = 0;
  let capture = 0;
  let next = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    if (next >= captures[capture]!.length) {
      capture = pick(captures.length);
      next = 0;
    }
    const src = captures[capture]![next++]!;
    const b = src.slice();
    let buf = b;
    switch (r() < 0.4 ? 4 : pick(4)) {
      case 0: {
        const flips = 1 + pick(8);
        for (let k = 0; k < flips; k++) b[pick(b.length)]! ^= 1 << pick(8);
        break;
      }
      case 1:
        buf = b.subarray(0, pick(b.length + 1));
        break;
      case 2: {
        const fields = lengthFields(b);
        const at = fields[pick(fields.length)]!;
        const v = r() < 0.7 ? EDGE[pick(EDGE.length)]! : pick(65536);
        if (at + 1 < b.length) {
          b[at] = v >> 8;
          b[at + 1] = v & 255;
        }
        break;
      }
      case 3: {
        const other = datagrams[pick(datagrams.length)]!;
        const cut = pick(b.length);
        const join = new Uint8Array(cut + other.length - Math.min(other.length, cut));
        join.set(b.subarray(0, cut));
        join.set(other.subarray(Math.min(other.length, cut)), cut);
        buf = join;
        break;
      }
      default:
        break;
    }
    now += pick(5_000);
    try {
      // 20 exporter addresses for a table of 16: eviction happens too.
      dec.decode(buf, `10.0.0.${capture % 20}`, { nowMs: now }, out);
    } catch {
      thrown++;
    }
    if (i % 97 === 0) dec.expire(now);
    if (out.length > 3000 || i === ITERATIONS - 1) {
      for (let k = 0; k < out.length; k++) {
        if (Number.isNaN(out.start[k]!) || Number.isNaN(out.end[k]!) || Number.isNaN(out.bytes[k]!) || Number.isNaN(out.packets[k]!)) nan++;
      }
      out.reset();
    }
    if (i % 50 === 0) {
      for (const key of dec.exporterKeys()) {
        const m = dec.memory(key)!;
        if (
          m.templates > cfg.maxTemplatesPerExporter! ||
          m.templateFields > cfg.maxTemplatesPerExporter! * cfg.maxFieldsPerTemplate! ||
          m.heldSets > cfg.pendingMaxSets! ||
          m.heldBytes > cfg.pendingMaxBytes! ||
          m.domains > cfg.maxDomainsPerExporter! ||
          m.interfaces > cfg.maxInterfacesPerExporter! ||
          m.interfaceRates > cfg.maxInterfacesPerExporter! ||
          m.interfaceBytes > cfg.maxInterfaceBytesPerExporter! ||
          m.samplers > 2 * cfg.maxSamplersPerDomain! * cfg.maxDomainsPerExporter!
        ) {
          over++;
        }
      }
      if (dec.exporterKeys().length > cfg.maxExporters!) over++;
      // The process-wide charge is exactly the sum of what the exporters hold: nothing leaks.
      let tplBytes = 0;
      let heldBytes = 0;
      let ifBytes = 0;
      let samplingBytes = 0;
      for (const key of dec.exporterKeys()) {
        const m = dec.memory(key)!;
        ifBytes += m.interfaceBytes;
        tplBytes += templateCost(0) * m.templates + (templateCost(1) - templateCost(0)) * m.templateFields + DOMAIN_OVERHEAD_BYTES * m.domains;
        heldBytes += m.heldBytes + HELD_SET_OVERHEAD_BYTES * m.heldSets;
        samplingBytes += m.samplingBytes;
        if (m.samplingBytes !== SAMPLING_ENTRY_BYTES * (m.samplers + m.interfaceRates)) leaks++;
      }
      const total = dec.memory();
      if (total.templateBytes !== tplBytes || total.heldBytes !== heldBytes || total.interfaceBytes !== ifBytes || total.samplingBytes !== samplingBytes) leaks++;
      if (total.templateBytes > cfg.maxTemplateBytesTotal! || total.heldBytes > cfg.maxHeldBytesTotal! || total.flowPlans + total.idleFlowPlans > cfg.maxFlowPlans!) over++;
      if (total.interfaceBytes > cfg.maxInterfaceBytesTotal! || total.samplingBytes > cfg.maxSamplingBytesTotal!) over++;
    }
  }
  const totals = dec.counters();
  t.equal(thrown, 0, 'decode never throws');
  t.equal(totals.decoder_error, 0, 'no internal errors caught either');
  t.equal(nan, 0, 'no NaN in times or counters');
  t.equal(over, 0, 'per-exporter and process-wide memory within bounds at every check');
  t.equal(leaks, 0, 'process-wide charge equals the sum over exporters at every check');
  t.ok(
    totals.template_budget > 0 && totals.held_budget > 0 && totals.sampling_budget > 0,
    `the process-wide budgets were reached (${totals.template_budget} templates, ${totals.held_budget} held sets, ${totals.sampling_budget} sampling rates refused)`,
  );
  t.equal(totals.datagrams, ITERATIONS);
  const seen = DROP_REASONS.filter((d) => totals[d] > 0);
  t.ok(seen.length >= 10, `mutations reached ${seen.length} drop reasons: ${seen.join(' ')}`);
  t.ok(totals.flows > ITERATIONS, `and still decoded ${totals.flows} flows`);
  t.comment(`counters: ${Object.entries(totals).filter(([, v]) => v > 0).map(([k, v]) => `${k}=${v}`).join(' ')}`);
});
