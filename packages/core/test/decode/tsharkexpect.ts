// Test helper: turns tshark's decode of a record (the corpus expected JSON) into the FlowBatch values
// our decoder should produce, using only tshark's numbers: field names mapped to columns, times
// made absolute from the header, sampling rates taken from the option records tshark decoded.

export type TsharkRecord = Record<string, unknown> & { set_id?: number };

export interface TsharkTemplate {
  set_id: number;
  template_id: number;
  scope_fields?: { type: number; length: number }[];
  fields: { type: number; length: number; pen?: number }[];
}

export interface TsharkCflow {
  version: number;
  sysuptime_ms?: number;
  unix_secs?: number;
  unix_nsecs?: number;
  source_id?: number;
  od_id?: number;
  exporttime?: number;
  engine_type?: number;
  engine_id?: number;
  samplerate?: number;
  templates?: TsharkTemplate[];
  records?: TsharkRecord[];
}

export interface TsharkFrame {
  input: string;
  frame: number;
  malformed?: boolean;
  cflow?: TsharkCflow[];
}

export interface TsharkFile {
  inputs: string[];
  frames: TsharkFrame[];
}

/** What the comparison knows about one source id / observation domain, from tshark's records so far. */
interface DomainOracle {
  samplers: Map<number, number>;
  templateRates: Map<number, number>;
  interfaceRates: Map<number, number>;
  defaultRate: number;
  sysInitMs: number;
  templates: Map<number, TsharkTemplate>;
}

/** Expected values by FlowBatch column; addresses as text (formatIp), `undefined` = not checked. */
export type Expected = Record<string, number | string | undefined>;

/**
 * How a record's start/end were checked; `event-time-end`: a start and an observation time but no end
 * (Cisco ASA: creation and event time), the observation time taken as the end.
 */
export type TimeCheck = 'absolute' | 'uptime-header' | 'uptime-sysinit' | 'duration-only' | 'observation' | 'export-time' | 'event-time-end';

export class TsharkOracle {
  private readonly domains = new Map<string, DomainOracle>();
  /** tshark behaviours met (see `times` and `rel`), for the test's tables. */
  readonly quirks = new Set<string>();

  domainOf(h: TsharkCflow): DomainOracle {
    const key = `${h.version}:${h.version === 10 ? h.od_id : h.source_id}`;
    let d = this.domains.get(key);
    if (d === undefined) {
      d = { samplers: new Map(), templateRates: new Map(), interfaceRates: new Map(), defaultRate: 0, sysInitMs: Number.NaN, templates: new Map() };
      this.domains.set(key, d);
    }
    return d;
  }

  /** Learn the templates of a cflow header (before its records). */
  learnTemplates(h: TsharkCflow): void {
    const d = this.domainOf(h);
    for (const t of h.templates ?? []) if (t.fields !== undefined || t.scope_fields !== undefined) d.templates.set(t.template_id, t);
  }

  isOptions(h: TsharkCflow, r: TsharkRecord): boolean {
    if (r.set_id === undefined) return false;
    return this.domainOf(h).templates.get(r.set_id)?.scope_fields !== undefined;
  }

  /** Learn sampling / boot time from an options record. */
  learnOptions(h: TsharkCflow, r: TsharkRecord): void {
    const d = this.domainOf(h);
    const n = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : 0);
    if (typeof r['sys_init_time'] === 'string') d.sysInitMs = isoToUs(r['sys_init_time']) / 1000;
    const rate =
      n('sampling_interval') ||
      n('sampler_random_interval') ||
      (n('sampling_packet_interval') > 0
        ? (n('sampling_packet_interval') + n('sampling_packet_space')) / n('sampling_packet_interval')
        : n('sampling_size') > 0 && n('sampling_population') >= n('sampling_size')
          ? n('sampling_population') / n('sampling_size')
          : 0);
    if (rate <= 0) return;
    const id = r['sampler_id'] ?? r['selector_id'];
    const ifIndex = r['inputint'] ?? r['outputint'];
    if (typeof id === 'number') d.samplers.set(id, Math.round(rate));
    if (typeof ifIndex === 'number') d.interfaceRates.set(ifIndex, Math.round(rate));
    if (typeof id === 'number' || typeof ifIndex === 'number') return;
    if (typeof r['template_id'] === 'number') d.templateRates.set(r['template_id'], Math.round(rate));
    else d.defaultRate = Math.round(rate);
  }

  /** Expected column values for a flow record, and how its times were checked. */
  expect(h: TsharkCflow, r: TsharkRecord, nsel: boolean, samplingRate?: number): { e: Expected; time: TimeCheck; duration?: number } {
    const d = this.domainOf(h);
    const tpl = r.set_id === undefined ? undefined : d.templates.get(r.set_id);
    const pick = pickFrom(r, tpl);
    const e: Expected = {};
    const v6zero = (s: unknown): boolean => s === undefined || s === '::';
    const addr = (v4: string, v6: string): string => {
      const a = pick(v4, [typeOf(v4)]) as string | undefined;
      const b = pick(v6, [typeOf(v6)]) as string | undefined;
      if (a !== undefined && (a !== '0.0.0.0' || v6zero(b))) return a;
      if (b !== undefined) return b;
      return '::';
    };
    e['srcAddr'] = addr('srcaddr', 'srcaddrv6');
    e['dstAddr'] = addr('dstaddr', 'dstaddrv6');
    const num = (...names: string[]): number => {
      for (const name of names) {
        const v = pick(name, [typeOf(name)]);
        if (typeof v === 'number') return v;
      }
      return 0;
    };
    e['srcPort'] = num('srcport');
    e['proto'] = num('protocol');
    const icmp =
      r['icmp_type_code_ipv4'] ?? r['icmp_type_code_ipv6'] ??
      (r['icmp_ipv4_type'] !== undefined || r['icmp_ipv4_code'] !== undefined
        ? (num('icmp_ipv4_type') << 8) | num('icmp_ipv4_code')
        : r['icmp_ipv6_type'] !== undefined || r['icmp_ipv6_code'] !== undefined
          ? (num('icmp_ipv6_type') << 8) | num('icmp_ipv6_code')
          : undefined);
    const dst = num('dstport');
    e['dstPort'] = (e['proto'] === 1 || e['proto'] === 58) && dst === 0 && typeof icmp === 'number' ? icmp : dst;
    e['tcpFlags'] = num('tcpflags') & 0xff;
    // ToS: ipClassOfService, else the DSCP (IE 195) or IP precedence (IE 196) shifted into place.
    e['tos'] = r['tos'] !== undefined ? num('tos') : r['ip_dscp'] !== undefined ? (num('ip_dscp') & 63) << 2 : (num('ip_precedence') & 7) << 5;
    e['inIf'] = num('inputint', 'ingress_physical_interface');
    e['outIf'] = num('outputint', 'egress_physical_interface');
    e['srcAs'] = num('srcas');
    e['dstAs'] = num('dstas');
    e['srcVlan'] = num('vlanid', 'dot1q_vlan_id');
    e['dstVlan'] = num('post_vlanid', 'post_dot1q_vlan_id');
    const mac = (...names: string[]): number => {
      for (const name of names) {
        const v = pick(name, [typeOf(name)]);
        if (typeof v === 'string') return parseInt(v.replace(/:/g, ''), 16);
      }
      return 0;
    };
    e['srcMac'] = mac('srcmac', 'post_srcmac');
    e['dstMac'] = mac('dstmac', 'post_dstmac');
    // tshark 4.0 shows a single `mpls_label` (0) for templates with several label-stack IEs: compare
    // the top label only when the template has exactly one (the unit tests cover label stacks).
    const stack = (tpl?.fields ?? []).filter((f) => f.type >= 70 && f.type <= 79).length;
    if (stack <= 1) {
      const mpls = r['mpls_label'];
      e['mplsLabel'] = typeof mpls === 'number' ? mpls : 0;
    }
    const dir = r['direction'];
    e['direction'] = dir === 0 ? 1 : dir === 1 ? 2 : 0;
    e['endReason'] = num('flow_end_reason');
    e['fwEvent'] = num('firewall_event');
    e['fwExtEvent'] = num('fw_ext_event');
    const xa = (name: string): string => {
      const v = r[name];
      return typeof v === 'string' && v !== '0.0.0.0' ? v : '::';
    };
    e['xlateSrcAddr'] = xa('post_natsource_ipv4_address');
    e['xlateDstAddr'] = xa('post_natdestination_ipv4_address');
    e['xlateSrcPort'] = num('post_naptsource_transport_port');
    e['xlateDstPort'] = num('post_naptdestination_transport_port');

    // Sampling, from tshark's header or option records.
    let rate = 1;
    let origin = 0;
    if (h.version < 9) {
      if ((h.samplerate ?? 0) > 0) {
        rate = h.samplerate!;
        origin = 1;
      }
    } else {
      const tr = r.set_id === undefined ? 0 : (d.templateRates.get(r.set_id) ?? 0);
      if (tr > 0 || d.defaultRate > 0) {
        rate = tr > 0 ? tr : d.defaultRate;
        origin = 2;
      }
      const observedOn = r['direction'] === 1 ? r['outputint'] : r['inputint'];
      if (typeof observedOn === 'number' && (d.interfaceRates.get(observedOn) ?? 0) > 0) {
        rate = d.interfaceRates.get(observedOn)!;
        origin = 2;
      }
      const sid = r['sampler_id'] ?? r['selector_id'];
      if (typeof sid === 'number' && (d.samplers.get(sid) ?? 0) > 0) {
        rate = d.samplers.get(sid)!;
        origin = 2;
      }
      const si = num('sampling_interval');
      if (si > 0) {
        rate = si;
        origin = 3;
      }
      const spi = num('sampling_packet_interval');
      if (spi > 0) {
        rate = Math.round((spi + num('sampling_packet_space')) / spi);
        origin = 3;
      }
    }
    if (samplingRate !== undefined) {
      rate = samplingRate;
      origin = 2;
    }
    e['samplingRate'] = rate;
    e['samplingOrigin'] = origin;
    const octets = pick('octets', [1], 1, false) ?? pick('permanent_octets', [85], 85, false) ?? r['post_octets'] ?? r['initiator_octets'];
    const packets = pick('packets', [2], 2, false) ?? pick('permanent_packets', [86], 86, false) ?? r['post_packets'] ?? r['initiator_packets'];
    const rOctets = pick('octets', [1], 1, true) ?? pick('permanent_octets', [85], 85, true) ?? r['responder_octets'];
    const rPackets = pick('packets', [2], 2, true) ?? pick('permanent_packets', [86], 86, true) ?? r['responder_packets'];
    e['bytes'] = (typeof octets === 'number' ? octets : 0) * rate;
    e['packets'] = (typeof packets === 'number' ? packets : 0) * rate;
    e['revBytes'] = (typeof rOctets === 'number' ? rOctets : 0) * rate;
    e['revPackets'] = (typeof rPackets === 'number' ? rPackets : 0) * rate;
    e['biflow'] = rOctets !== undefined || rPackets !== undefined ? 1 : 0;
    e['nsel'] = nsel ? 1 : 0;
    e['expv'] = h.version;
    e['srcId'] = h.version === 10 ? h.od_id : h.version === 9 ? h.source_id : h.version === 5 ? ((h.engine_type ?? 0) << 8) | (h.engine_id ?? 0) : 0;

    // Times.
    const exportUs =
      h.version === 10 ? h.exporttime! * 1e6 : h.unix_secs! * 1e6 + (h.version < 9 && (h.unix_nsecs ?? 0) < 1e9 ? Math.floor((h.unix_nsecs ?? 0) / 1000) : 0);
    const rel = (ms: number | undefined): number | undefined => {
      if (ms === undefined) return undefined;
      if (h.version < 10) {
        // tshark subtracts plainly; sysUpTime is a 32-bit counter, so a difference beyond ±2^31 ms
        // means one side wrapped (softflowd exports First = 2^32 - 1 for a flow 1 ms before boot).
        let diff = h.sysuptime_ms! - ms;
        if (diff < -2147483648) diff += 4294967296;
        else if (diff >= 2147483648) diff -= 4294967296;
        if (diff !== h.sysuptime_ms! - ms) this.quirks.add('uptime-wrap');
        return exportUs - diff * 1000;
      }
      if (d.sysInitMs > 0) return (d.sysInitMs + ms) * 1000;
      return undefined;
    };
    const t = times(r);
    // tshark prints a sysUpTime-relative First/Last of exactly 0 as the absolute time 1970-01-01.
    for (const k of ['start', 'end'] as const) {
      if (t[k].abs === 0) {
        t[k] = { rel: 0 };
        this.quirks.add('uptime-zero-as-1970');
      }
    }
    // An observation time (NSEL: the event time) stands for a missing end, before the start does.
    const o = r['observation_time_milliseconds'];
    const obs = typeof o === 'string' ? isoToUs(o) : undefined;
    let time: TimeCheck;
    let start = t.start.abs;
    let end = t.end.abs;
    if (start !== undefined || end !== undefined) time = 'absolute';
    else {
      start = rel(t.start.rel);
      end = rel(t.end.rel);
      time = h.version === 10 ? 'uptime-sysinit' : 'uptime-header';
    }
    if (start === undefined && end === undefined) {
      if (t.start.rel !== undefined || t.end.rel !== undefined) {
        const s = t.start.rel ?? t.end.rel!;
        const f = t.end.rel ?? t.start.rel!;
        return { e, time: 'duration-only', duration: (f - s) * 1000 };
      }
      if (obs !== undefined) {
        start = end = obs;
        time = 'observation';
      } else {
        start = end = exportUs;
        time = 'export-time';
      }
    }
    if (end === undefined && obs !== undefined) {
      end = obs;
      time = 'event-time-end';
    }
    e['start'] = start ?? end;
    e['end'] = end ?? start;
    return { e, time };
  }
}

interface TimePoint {
  abs?: number;
  rel?: number;
}

/**
 * Start and end as tshark shows them: `abstimestart`/`timestart_ms` at the top of the record, or,
 * when a record has both uptime and absolute fields, inside `timedelta_tree`.
 */
function times(r: TsharkRecord): { start: TimePoint; end: TimePoint } {
  const out = { start: {} as TimePoint, end: {} as TimePoint };
  const put = (k: 'start' | 'end', abs: unknown, rel: unknown): void => {
    if (typeof abs === 'string') {
      // Several absolute forms (IE 150 seconds and 152 milliseconds): the finer one is used.
      const us = abs.endsWith('UTC') ? longToUs(abs) : isoToUs(abs);
      const cur = out[k].abs;
      if (cur === undefined || (cur % 1e6 === 0 && us % 1e6 !== 0)) out[k].abs = us;
    }
    if (typeof rel === 'number') out[k].rel ??= rel;
    if (typeof rel === 'string') out[k].rel ??= secondsToMs(rel);
  };
  put('start', r['abstimestart'], r['timestart_ms']);
  put('end', r['abstimeend'], r['timeend_ms']);
  const tree = r['timedelta_tree'];
  for (const node of Array.isArray(tree) ? tree : [tree]) {
    if (node === null || typeof node !== 'object') continue;
    const n = node as Record<string, unknown>;
    put('start', n['cflow.abstimestart'], n['cflow.timestart']);
    put('end', n['cflow.abstimeend'], n['cflow.timeend']);
  }
  return out;
}

/** `2395375.053000000` (seconds since boot) → ms. */
function secondsToMs(s: string): number {
  const [sec, frac = ''] = s.split('.');
  return Number(sec) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Nov 29, 2016 20:05:31.519000000 UTC` → µs. */
function longToUs(s: string): number {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? UTC$/.exec(s);
  if (m === null) throw new Error(`unexpected tshark time ${s}`);
  const ms = Date.UTC(+m[3]!, MONTHS.indexOf(m[1]!), +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  return ms * 1000 + Math.floor(Number((m[7] ?? '').padEnd(9, '0')) / 1000);
}

/** tshark field name → the IE it shows (for resolving repeated names against the template). */
function typeOf(name: string): number {
  const m: Record<string, number> = {
    srcaddr: 8, dstaddr: 12, srcaddrv6: 27, dstaddrv6: 28, srcport: 7, dstport: 11, protocol: 4, tcpflags: 6,
    tos: 5, ip_dscp: 195, ip_precedence: 196, inputint: 10, outputint: 14, ingress_physical_interface: 252, egress_physical_interface: 253,
    srcas: 16, dstas: 17, vlanid: 58, dot1q_vlan_id: 243, post_vlanid: 59, post_dot1q_vlan_id: 254,
    srcmac: 56, dstmac: 80, post_srcmac: 81, post_dstmac: 57, flow_end_reason: 136, firewall_event: 233,
    fw_ext_event: 33002, post_naptsource_transport_port: 227, post_naptdestination_transport_port: 228,
    sampling_interval: 34, sampling_packet_interval: 305, sampling_packet_space: 306,
  };
  return m[name] ?? -1;
}

/**
 * A record value by tshark name. When tshark shows a name several times (RFC 5103 reverse elements,
 * repeated IEs) the value is an array in template order: take the forward (or reverse) occurrence of `want`.
 */
function pickFrom(r: TsharkRecord, tpl: TsharkTemplate | undefined) {
  return (name: string, types: number[], want?: number, reverse = false): unknown => {
    const v = r[name];
    if (v === undefined) return undefined;
    const occ = (tpl?.fields ?? []).filter((f) => types.includes(f.type));
    const target = want ?? types[0]!;
    const isRev = (f: { pen?: number }): boolean => f.pen === 29305;
    if (!Array.isArray(v)) {
      if (occ.length === 0) return reverse ? undefined : v;
      const f = occ[0]!;
      if (f.type !== target && want !== undefined) return undefined;
      return isRev(f) === reverse ? v : undefined;
    }
    const idx = occ.findIndex((f) => f.type === target && isRev(f) === reverse);
    return idx < 0 ? undefined : v[idx];
  };
}

/** `2016-07-21T13:50:33.015000000Z` → µs since the epoch (nanoseconds dropped). */
export function isoToUs(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (m === null) throw new Error(`unexpected tshark time ${s}`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const frac = (m[7] ?? '').padEnd(9, '0');
  return ms * 1000 + Math.floor(Number(frac) / 1000);
}
