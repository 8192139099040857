// The real exporters of the end-to-end tests (softflowd, pmacctd nfprobe and sfprobe) and what each
// must deliver for the generated conversations: shared by the pipeline test and the server test.
import path from 'node:path';
import { parseMac } from '../../packages/core/src/fields/ipcodec.js';
import { pmacctdEndedNormally, requireProgram, run, softflowdArgs, writePmacctConfig, type RunResult } from './exporters.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP } from './frames.js';
import { oneWayUdp, type Conversation } from './traffic.js';

/**
 * pmacctd's sfprobe loses the samples it has not sent yet when it stops at the end of a savefile (see
 * docs/formats.md): its capture ends with this many datagrams of a separate one-way UDP flow, so that
 * what it loses is never part of the conversations checked.
 */
export const SFPROBE_TAIL = 128;

/** The one-way UDP flow that ends sfprobe's capture (see SFPROBE_TAIL); checked apart as `tail`. */
export function sfprobeTail(): Conversation {
  return oneWayUdp({ name: 'tail', client: '192.0.2.200', server: '198.51.100.200', clientPort: 40009, serverPort: 9 }, SFPROBE_TAIL, 64);
}

/** How an exporter reports what the tests check. */
export interface Expectation {
  expv: number;
  /** Can it carry IPv6 flows? */
  ipv6: boolean;
  /** Which session column gets the 802.1Q VLAN id, or none (the format or the exporter has no field for it). */
  vlan: 'invlan' | 'outvlan' | null;
  macs: boolean;
  /**
   * How start/end compare with the capture times: `ms` to the millisecond (late by at most 1 ms, or
   * early by at most 2), `v9` early by under a second (NetFlow v9 headers carry whole seconds), `receive`
   * the collector's receive time (sFlow has no flow times).
   */
  time: 'ms' | 'v9' | 'receive';
  /** Flow records per session: `uni` 2 (one per direction), `bi` 1 (RFC 5103 biflow), `sample` one per packet. */
  records: 'uni' | 'bi' | 'sample';
  srcid?: number;
}

/** One session the collector should deliver, with the columns checked. */
export interface Want {
  name: string;
  clnip: string;
  clnport: number;
  srvip: string;
  srvport: number;
  proto: number;
  clnpkts: number;
  clnbyts: number;
  srvpkts: number;
  srvbyts: number;
  flags: number;
  invlan: number;
  outvlan: number;
  clnmac: number;
  srvmac: number;
  flows: number;
  firstUs: number;
  lastUs: number;
}

/** Where an exporter reads and sends: its capture, the collector's UDP port, a directory for its files. */
export interface ExporterRun {
  pcap: string;
  port: number;
  dir: string;
}

export interface ExporterCase extends Expectation {
  name: string;
  /** Short name for its files (pid file, configuration). */
  tag: string;
  /** Which collector port it sends to; an `sflow` exporter's capture ends with `sfprobeTail()`. */
  kind: 'netflow' | 'sflow';
  /** Run the exporter over the capture to the end; resolves when it has exited. */
  exporter: (r: ExporterRun) => Promise<RunResult>;
  /** Whether its exit status means it finished (default: exit code 0). */
  finished?: (r: RunResult) => boolean;
  /** What this exporter does differently from the rules above (each documented in docs/formats.md). */
  quirks?: (wants: Want[], traffic: readonly Conversation[]) => Want[];
}

/** The sessions a conversation should give with an exporter that reports it as the Expectation says. */
export function want(v: Conversation, e: Expectation): Want {
  const icmp = v.proto === PROTO_ICMP || v.proto === PROTO_ICMPV6;
  return {
    name: v.name,
    clnip: v.client,
    clnport: v.clientPort,
    srvip: v.server,
    srvport: v.serverPort,
    proto: v.proto,
    clnpkts: v.toServer.packets,
    clnbyts: v.toServer.bytes,
    srvpkts: v.toClient.packets,
    srvbyts: v.toClient.bytes,
    flags: v.proto === PROTO_TCP ? v.toServer.flags | v.toClient.flags : 0,
    invlan: e.vlan === 'invlan' ? v.vlan : 0,
    outvlan: e.vlan === 'outvlan' ? v.vlan : 0,
    clnmac: e.macs ? parseMac(v.clientMac) : 0,
    srvmac: e.macs ? parseMac(v.serverMac) : 0,
    // ICMP requests and replies are flows of their own (their type differs), even in biflow mode
    flows: e.records === 'sample' ? v.packets.length : e.records === 'bi' && !icmp ? 1 : 2,
    firstUs: v.firstUs,
    lastUs: v.lastUs,
  };
}

/** Every session an exporter should deliver for `traffic` (its capture's conversations, after buildCapture). */
export function wantsFor(c: ExporterCase, traffic: readonly Conversation[]): Want[] {
  const base = traffic.filter((v) => c.ipv6 || v.ipVersion === 4).map((v) => want(v, c));
  return c.quirks === undefined ? base : c.quirks(base, traffic);
}

/** `clnip clnport srvip srvport proto`: how a delivered session is matched with what was wanted. */
export function fiveTuple(s: Want | Readonly<Record<string, string | number>>): string {
  return `${s['clnip']} ${s['clnport']} ${s['srvip']} ${s['srvport']} ${s['proto']}`;
}

/**
 * softflowd -b (IPFIX biflows) observed quirks: (1) VLAN-tagged traffic is tracked per direction, so
 * the connection is two biflow records, the server's packets in the reverse counters of the second,
 * which carries the VLAN in postVlanId (59) with vlanId 0: the session has every packet and takes its
 * VLAN columns from that later record. (2) The ICMPv6 echo replies come as a record of their own whose
 * forward direction is the requester (empty) and whose type/code is 0, not 129: it cannot be told
 * from an unrelated ICMPv6 type 0 and stays a session of its own, beside the requests' session.
 */
export function softflowdBiflowQuirks(wants: Want[], traffic: readonly Conversation[]): Want[] {
  const out: Want[] = [];
  for (const w of wants) {
    const v = traffic.find((c) => c.name === w.name)!;
    if (v.vlan > 0) {
      out.push({ ...w, flows: 2, invlan: 0, outvlan: v.vlan });
    } else if (v.proto === PROTO_ICMPV6) {
      const req = v.packets.filter((p) => p.fromClient);
      const rep = v.packets.filter((p) => !p.fromClient);
      out.push({ ...w, srvpkts: 0, srvbyts: 0, flows: 1, firstUs: req[0]!.timeUs, lastUs: req.at(-1)!.timeUs });
      out.push({ ...w, name: `${w.name} replies`, srvport: 0, clnpkts: 0, clnbyts: 0, flows: 1, firstUs: rep[0]!.timeUs, lastUs: rep.at(-1)!.timeUs });
    } else {
      out.push(w);
    }
  }
  return out;
}

const softflowd = (version: 1 | 5 | 9 | 10, tag: string, biflow = false) => (r: ExporterRun) =>
  run(requireProgram('softflowd'), softflowdArgs({ pcap: r.pcap, port: r.port, version, biflow, dir: r.dir, tag }), 20_000);
const pmacctd = (plugin: 'nfprobe9' | 'nfprobe10' | 'sfprobe', engine: number, tag: string) => (r: ExporterRun) => {
  const conf = writePmacctConfig({ file: path.join(r.dir, `${tag}.conf`), pcap: r.pcap, port: r.port, plugin, engine });
  return run(requireProgram('pmacctd'), ['-f', conf], 30_000);
};

/** Every exporter and format of the end-to-end tests. */
export const EXPORTER_CASES: readonly ExporterCase[] = [
  { name: 'softflowd NetFlow v1', tag: 'sf1', kind: 'netflow', exporter: softflowd(1, 'sf1'), expv: 1, ipv6: false, vlan: null, macs: false, time: 'ms', records: 'uni' },
  { name: 'softflowd NetFlow v5', tag: 'sf5', kind: 'netflow', exporter: softflowd(5, 'sf5'), expv: 5, ipv6: false, vlan: null, macs: false, time: 'ms', records: 'uni' },
  { name: 'softflowd NetFlow v9', tag: 'sf9', kind: 'netflow', exporter: softflowd(9, 'sf9'), expv: 9, ipv6: true, vlan: 'invlan', macs: true, time: 'v9', records: 'uni' },
  { name: 'softflowd IPFIX', tag: 'sf10', kind: 'netflow', exporter: softflowd(10, 'sf10'), expv: 10, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'uni' },
  // -b: one RFC 5103 biflow record per connection (with the quirks above)
  {
    name: 'softflowd IPFIX biflows (-b)', tag: 'sf10b', kind: 'netflow', exporter: softflowd(10, 'sf10b', true),
    expv: 10, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'bi', quirks: softflowdBiflowQuirks,
  },
  {
    name: 'pmacctd nfprobe NetFlow v9', tag: 'nfprobe9', kind: 'netflow', exporter: pmacctd('nfprobe9', 42, 'nfprobe9'), finished: pmacctdEndedNormally,
    expv: 9, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'uni', srcid: 42,
  },
  {
    name: 'pmacctd nfprobe IPFIX', tag: 'nfprobe10', kind: 'netflow', exporter: pmacctd('nfprobe10', 43, 'nfprobe10'), finished: pmacctdEndedNormally,
    expv: 10, ipv6: true, vlan: 'invlan', macs: true, time: 'ms', records: 'uni', srcid: 43,
  },
  {
    name: 'pmacctd sfprobe sFlow v5', tag: 'sfprobe', kind: 'sflow', exporter: pmacctd('sfprobe', 7, 'sfprobe'), finished: pmacctdEndedNormally,
    expv: 21, ipv6: true, vlan: 'invlan', macs: true, time: 'receive', records: 'sample', srcid: 7,
  },
];
