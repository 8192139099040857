// The template-based half of decoding, shared by NetFlow v9 and IPFIX: learning and withdrawing
// templates, holding data sets that arrive before their template, sampling and time context per set,
// and running the compiled flow plans. The wire walkers (netflow/v9.ts, ipfix/message.ts) drive it.

import { allZero } from './bytes.js';
import type { ClockPolicy } from './clockpolicy.js';
import type { FlowPlan } from './compileflowplan.js';
import { DOMAIN_OVERHEAD_BYTES, HELD_SET_OVERHEAD_BYTES, type DecoderBudget } from './decoderbudget.js';
import { C, type CounterName } from './counters.js';
import type { DecoderConfig } from './decoderconfig.js';
import { domainKey, type DomainState, type ExporterState, type HeldSet } from './exporterstate.js';
import type { FlowBatch } from './flowbatch.js';
import { decodeOptionsSet } from './optionsrecord.js';
import { SetContext } from './setcontext.js';
import { layoutHash, minRecordLength, packLayout, sameLayout, templateCost, templateSignature, type Template, type TemplateField } from './template.js';

const TWO32 = 4294967296;
/** Largest record a data set can hold (65535-byte message, its 16-byte header, a 4-byte set header). */
const MAX_RECORD = 65535 - 16 - 4;
/** An IPFIX uptime-based boot estimate this much too early means the exporter rebooted (or uptime wrapped). */
const REBOOT_GAP_MS = 3_600_000;

export type CountFn = (st: ExporterState, counter: number, n: number) => void;

export class TemplateEngine {
  private readonly x = new SetContext();
  private st!: ExporterState;
  private out!: FlowBatch;
  private version: 9 | 10 = 9;
  private srcId = 0;
  private dkey = 0;
  private exportUs = 0;
  private uptime = 0;
  private nowMs = 0;
  private tcp = false;

  /** Totals for the datagram being decoded. */
  flows = 0;
  optionsRecords = 0;
  held = 0;
  firstDrop: CounterName | null = null;

  constructor(
    private readonly cfg: DecoderConfig,
    private readonly budget: DecoderBudget,
    private readonly clock: ClockPolicy,
    private readonly countFn: CountFn,
  ) {}

  /** Start a datagram from one exporter (or a message from one TCP session). */
  startDatagram(st: ExporterState, out: FlowBatch, nowMs: number): void {
    this.st = st;
    this.out = out;
    this.nowMs = nowMs;
    this.tcp = st.tcp;
    this.flows = 0;
    this.optionsRecords = 0;
    this.held = 0;
    this.firstDrop = null;
    if (st.held.length > 0) this.expireHeld(st, nowMs);
  }

  /** Start one v9 export packet or IPFIX message (header values). */
  startMessage(version: 9 | 10, srcId: number, exportUs: number, uptime: number): void {
    this.version = version;
    this.srcId = srcId;
    this.dkey = domainKey(version, srcId);
    this.exportUs = exportUs;
    this.uptime = uptime;
    this.clock.observe(this.st, this.nowMs, exportUs);
  }

  private count(counter: number, n = 1): void {
    this.countFn(this.st, counter, n);
  }

  drop(reason: CounterName, n = 1): void {
    if (this.firstDrop === null) this.firstDrop = reason;
    this.countFn(this.st, C[reason], n);
  }

  get maxFields(): number {
    return this.cfg.maxFieldsPerTemplate;
  }

  /**
   * Why a template record of `count` fields would be refused whatever its fields (its id is new in the
   * domain and there is no room or budget for it), or null: a flood is then skipped without reading it.
   */
  refusal(id: number, count: number): CounterName | null {
    const st = this.st;
    if (st.getTemplate(this.dkey, id) !== undefined) return null;
    const room = st.room(this.dkey, this.cfg.maxTemplatesPerExporter, this.cfg.maxDomainsPerExporter);
    if (room !== 'ok') return room;
    const budget = this.budget;
    return budget.templateFits(templateCost(count) + this.domainCost(), budget.established(st, this.nowMs)) ? null : 'template_budget';
  }

  /** A template or options template record; `fields` lists scope fields first. */
  addTemplate(id: number, isOptions: boolean, scopeCount: number, fields: TemplateField[]): void {
    const st = this.st;
    const minLen = minRecordLength(fields);
    if (fields.length === 0 || fields.length > this.cfg.maxFieldsPerTemplate || minLen === 0 || minLen > MAX_RECORD) {
      this.drop('bad_template');
      return;
    }
    const layout = packLayout(fields);
    const existing = st.getTemplate(this.dkey, id);
    if (existing !== undefined && sameLayout(existing, this.version, isOptions, scopeCount, layout)) {
      existing.lastSeenMs = this.nowMs;
      this.count(C.templates_refreshed);
      return;
    }
    if (existing === undefined) {
      const room = st.room(this.dkey, this.cfg.maxTemplatesPerExporter, this.cfg.maxDomainsPerExporter);
      if (room !== 'ok') {
        this.drop(room);
        return;
      }
    }
    const budget = this.budget;
    const established = budget.established(st, this.nowMs);
    const cost = templateCost(fields.length);
    let plan: FlowPlan | null = null;
    let fits = budget.templateFits(cost - (existing?.cost ?? 0) + this.domainCost(), established);
    if (fits && !isOptions) {
      const sig = templateSignature(this.version, false, 0, fields);
      const acquired = budget.plans.acquire(this.version, fields, sig, budget.planLimit(established));
      if (acquired === undefined) fits = false;
      else plan = acquired;
    }
    if (!fits) {
      // A changed template that cannot be stored must not leave its old layout to misread the new data.
      if (existing !== undefined) st.removeTemplate(this.dkey, id);
      this.drop('template_budget');
      return;
    }
    let previous = 0;
    if (existing !== undefined) {
      previous = layoutHash(existing.isOptions, existing.scopeCount, existing.layout);
      if (existing.previous === layoutHash(isOptions, scopeCount, layout)) this.count(C.templates_flapped);
    }
    const t: Template = { id, version: this.version, isOptions, scopeCount, layout, minLen, plan, cost, previous, lastSeenMs: this.nowMs };
    this.count(st.putTemplate(this.dkey, t) === 'added' ? C.templates_added : C.templates_changed);
    if (st.held.length > 0) this.decodeHeld(id);
  }

  /** What a template opening the current domain costs besides itself: the domain's state, when new. */
  private domainCost(): number {
    return this.st.domain(this.dkey) === undefined ? DOMAIN_OVERHEAD_BYTES : 0;
  }

  /** IPFIX withdrawal of one template. */
  withdraw(id: number): void {
    if (this.st.removeTemplate(this.dkey, id)) this.count(C.templates_withdrawn);
  }

  /** IPFIX withdrawal of all data templates (set 2, id 2) or all options templates (set 3, id 3). */
  withdrawAll(options: boolean): void {
    const n = this.st.removeAllTemplates(this.dkey, options);
    if (n > 0) this.count(C.templates_withdrawn, n);
  }

  /** A data set (id >= 256) with its body at b[p, end). */
  dataSet(id: number, b: Uint8Array, p: number, end: number): void {
    const st = this.st;
    let t = st.getTemplate(this.dkey, id);
    if (t !== undefined && !this.tcp && this.nowMs - t.lastSeenMs > this.cfg.templateTimeoutMs) {
      st.removeTemplate(this.dkey, id);
      this.count(C.templates_expired);
      t = undefined;
    }
    if (t === undefined) {
      this.hold(id, b, p, end);
      return;
    }
    const dom = st.domain(this.dkey)!;
    if (t.isOptions) {
      const res = decodeOptionsSet(b, p, end, t, st, dom, this.cfg, this.budget.established(st, this.nowMs));
      this.optionsRecords += res.records;
      this.count(C.options_records, res.records);
      if (res.bad || (res.records === 0 && !allZero(b, p, end))) this.drop('bad_record');
      if (res.refused > 0) this.drop('options_limit', res.refused);
      if (res.overBudget > 0) this.drop('interface_budget', res.overBudget);
      if (res.samplingOverBudget > 0) this.drop('sampling_budget', res.samplingOverBudget);
      return;
    }
    this.decodeFlows(t, dom, b, p, end);
  }

  private decodeFlows(t: Template, dom: DomainState, b: Uint8Array, p: number, end: number): void {
    const plan = t.plan!;
    const x = this.x;
    const st = this.st;
    const out = this.out;
    const override = this.cfg.samplingOverrides.size > 0 ? this.cfg.samplingOverrides.get(st.address) : undefined;
    if (override !== undefined) {
      x.rate = override;
      x.origin = 4;
      x.locked = 1;
    } else {
      const tr = dom.templateRates.size > 0 ? (dom.templateRates.get(t.id) ?? 0) : 0;
      x.rate = tr > 0 ? tr : dom.defaultRate > 0 ? dom.defaultRate : 1;
      x.origin = tr > 0 || dom.defaultRate > 0 ? 2 : 0;
      x.locked = 0;
    }
    x.samplers = dom.samplers.size > 0 ? dom.samplers : null;
    x.interfaceRates = dom.interfaceRates.size > 0 ? dom.interfaceRates : null;
    x.initiator = dom.initiator;
    x.exportUs = this.exportUs;
    const fromUptime = plan.startFromUptime || plan.endFromUptime;
    const estimate = this.version === 10 && fromUptime && !(dom.sysInitMs > 0);
    if (this.version === 9) {
      x.uptime = this.uptime;
    } else if (fromUptime) {
      const exportMs = this.exportUs / 1000;
      const boot = dom.sysInitMs > 0 ? dom.sysInitMs : Number.isFinite(dom.bootEstimateMs) ? dom.bootEstimateMs : exportMs;
      x.uptime = mod32(exportMs - boot);
    }
    const a = st.addr;
    x.e0 = a[0];
    x.e1 = a[1];
    x.e2 = a[2];
    x.e3 = a[3];
    x.srcId = this.srcId;
    x.expv = this.version;
    x.bad = 0;
    out.reserve(Math.floor((end - p) / plan.minLen));
    const r0 = out.length;
    const n = plan.decode(b, p, end, out, x);
    // An overrun, or a set with bytes that are not padding but hold no whole record.
    if (x.bad !== 0 || (n === 0 && !allZero(b, p, end))) this.drop('bad_record');
    if (n > 0) {
      if (estimate) this.refineBoot(dom, out, r0, n, plan.startFromUptime, plan.endFromUptime);
      // After refineBoot, which works in the exporter's own time.
      const old = this.clock.settle(st, out, r0, this.nowMs);
      if (old > 0) this.drop('too_old', old);
      if (n > old) {
        this.flows += n - old;
        this.count(C.flows, n - old);
      }
    }
  }

  /**
   * IPFIX sysUpTime-relative times without systemInitTimeMilliseconds: estimate the boot time as
   * export time minus the largest uptime in the set (a flow cannot end after it is exported), keep
   * the earliest estimate (tightest bound), and re-time the rows if the estimate moved.
   */
  private refineBoot(dom: DomainState, out: FlowBatch, r0: number, n: number, fromStart: boolean, fromEnd: boolean): void {
    const exportMs = this.exportUs / 1000;
    const used = this.x.uptime;
    const col = fromEnd ? out.end : out.start;
    let vmax = -1;
    for (let r = r0; r < r0 + n; r++) {
      const v = mod32(used - (this.exportUs - col[r]!) / 1000);
      if (v > vmax) vmax = v;
    }
    const candidate = exportMs - vmax;
    const est = dom.bootEstimateMs;
    if (Number.isFinite(est) && candidate >= est && candidate - est <= REBOOT_GAP_MS) return;
    dom.bootEstimateMs = candidate;
    const next = mod32(exportMs - candidate);
    if (next === used) return;
    const ex = this.exportUs;
    const retime = (c: Float64Array): void => {
      for (let r = r0; r < r0 + n; r++) {
        const v = mod32(used - (ex - c[r]!) / 1000);
        c[r] = ex - ((next - v) | 0) * 1000;
      }
    };
    if (fromStart) retime(out.start);
    if (fromEnd) retime(out.end);
  }

  private hold(id: number, b: Uint8Array, p: number, end: number): void {
    const st = this.st;
    const len = end - p;
    const cfg = this.cfg;
    if (cfg.pendingMaxSets === 0 || len > cfg.pendingMaxBytes) {
      this.drop('unknown_template_dropped');
      return;
    }
    while (st.held.length >= cfg.pendingMaxSets || st.heldBytes + len > cfg.pendingMaxBytes) {
      st.shiftHeld();
      this.drop('unknown_template_dropped');
    }
    if (!this.budget.heldFits(len + HELD_SET_OVERHEAD_BYTES, this.budget.established(st, this.nowMs))) {
      this.drop('held_budget');
      return;
    }
    st.pushHeld({
      version: this.version,
      srcId: this.srcId,
      templateId: id,
      data: b.slice(p, end),
      exportUs: this.exportUs,
      uptime: this.uptime,
      heldAtMs: this.nowMs,
    });
    this.held++;
    this.count(C.sets_held);
  }

  private expireHeld(st: ExporterState, nowMs: number): void {
    const keep: HeldSet[] = [];
    let expired = 0;
    for (const h of st.held) {
      if (nowMs - h.heldAtMs > this.cfg.pendingMaxAgeMs) expired++;
      else {
        keep.push(h);
      }
    }
    if (expired > 0) {
      st.keepHeld(keep);
      this.drop('unknown_template_expired', expired);
    }
  }

  /** Decode the held sets waiting for template `id` of the current domain, oldest first. */
  private decodeHeld(id: number): void {
    const st = this.st;
    const mine: HeldSet[] = [];
    const rest: HeldSet[] = [];
    for (const h of st.held) {
      if (h.templateId === id && h.version === this.version && h.srcId === this.srcId) mine.push(h);
      else rest.push(h);
    }
    if (mine.length === 0) return;
    st.keepHeld(rest);
    const saved = [this.exportUs, this.uptime] as const;
    for (const h of mine) {
      this.exportUs = h.exportUs;
      this.uptime = h.uptime;
      this.dataSet(id, h.data, 0, h.data.length);
      this.count(C.held_sets_decoded);
    }
    [this.exportUs, this.uptime] = saved;
  }

  /** Expire templates and held sets of one exporter (periodic sweep). */
  sweep(st: ExporterState, nowMs: number): void {
    if (!st.tcp) {
      const n = st.expireTemplates(nowMs - this.cfg.templateTimeoutMs);
      if (n > 0) this.countFn(st, C.templates_expired, n);
    }
    if (st.held.length > 0) {
      this.st = st;
      this.expireHeld(st, nowMs);
    }
  }
}

function mod32(v: number): number {
  const m = v % TWO32;
  return m < 0 ? m + TWO32 : m;
}
