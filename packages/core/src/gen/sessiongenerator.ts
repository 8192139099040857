// Deterministic generator of realistic sessions, written straight into column batches: the workload
// of the core benchmark, the README demo and randomized tests. Times are UTC.

import { SamplingOrigin } from '../decode/flowbatch.js';
import { allocColumns, type Columns } from '../fields/columns.js';
import { parseIp, V4_MAPPED_W2 } from '../fields/ipcodec.js';
import { detExp, detLog } from './detmath.js';
import { GEN_EXPORTERS, NAT_BLOCK_V4, SUBNET_VLAN_BASE, type GenExporter } from './exporters.js';
import { NetworkModel, type BusyHost } from './model.js';
import { resolveOptions, type GeneratorOptions, type ResolvedGeneratorOptions } from './options.js';
import { Rng } from './rng.js';
import { KIND_ICMP, KIND_ONEWAY, KIND_SCAN, KIND_TCP, KIND_TUNNEL, KIND_UDP, type ServicePlan } from './serviceplan.js';
import { StartClock } from './startclock.js';
import { checkColumns, sliceColumns, TypedColumns } from './typedcolumns.js';

/** Sessions last at most this long (the server's default `sessiontables.toolong`). */
const MAX_DURATION_US = 28_800_000_000;
/** No direction carries more than 64 GiB. */
const MAX_PAYLOAD = 68_719_476_736;
/** Transfers are not faster than this (bytes per second), so huge sessions last long enough. */
const MAX_RATE = 1e8;
/** Pareto shape of the heavy transfers and the cap on their multiplier. */
const PARETO_ALPHA = 1.2;
const PARETO_CAP = 1e4;

const FIN = 1;
const SYN = 2;
const RST = 4;
const PSH = 8;
const ACK = 16;
const ECE = 64;
const CWR = 128;

const EXPORTER_WORDS = GEN_EXPORTERS.map((e) => parseIp(e.address)!);

export class SessionGenerator {
  readonly options: Readonly<ResolvedGeneratorOptions>;
  private readonly model: NetworkModel;
  private readonly clock: StartClock;
  private readonly rng: Rng;
  private readonly ipv6Share: number;
  private done = 0;
  // The row being built, stage by stage: no per-row objects.
  private plan: ServicePlan;
  private v6 = false;
  private c = 0;
  private s = 0;
  private ei = 0;
  private clnport = 0;
  private srvport = 0;
  private tos = 0;
  private asaevt = 0;
  private asaextevt = 0;
  private flows = 0;
  private cp = 0;
  private sp = 0;
  private cb = 0;
  private sb = 0;
  private durUs = 0;
  private flags = 0;

  constructor(opts: GeneratorOptions) {
    this.options = Object.freeze(resolveOptions(opts));
    const o = this.options;
    this.model = new NetworkModel(o.seed, o.hosts, o.localAs, o.localCountry);
    this.clock = new StartClock(o.seed, o.startUs, o.spanUs, o.sessions);
    this.rng = new Rng(o.seed, 'rows');
    this.ipv6Share = o.ipv6Share;
    this.plan = this.model.plans[0]!;
  }

  /** Sessions not generated yet. */
  get remaining(): number {
    return this.options.sessions - this.done;
  }

  /**
   * Generate the next rows into `cols` from row 0: min(count, capacity, remaining) rows, where the
   * capacity is the length of `cols.start`. Every column is overwritten, so buffers can be reused.
   * @returns rows written; 0 when all sessions have been generated
   */
  fill(cols: Columns, count = Number.MAX_SAFE_INTEGER): number {
    const n = Math.min(count, this.remaining, checkColumns(cols));
    const out = new TypedColumns(cols);
    for (let i = 0; i < n; i++) this.row(out, i);
    this.done += n;
    return n;
  }

  /**
   * Batches of `batchSize` rows (the last one shorter) until all sessions are generated. Each batch's
   * arrays hold exactly its rows. With `reuseBuffers` every batch shares one set of buffers and is
   * only valid until the next one is requested.
   */
  *batches(): Generator<Columns, void, undefined> {
    let buf: Columns | null = null;
    while (this.remaining > 0) {
      if (!buf || !this.options.reuseBuffers) buf = allocColumns(Math.min(this.options.batchSize, this.remaining));
      const n = this.fill(buf);
      yield n === buf.start.length ? buf : sliceColumns(buf, n);
    }
  }

  /** The `n` hosts expected to take part in the most sessions, busiest first. */
  busiestHosts(n = 1): BusyHost[] {
    return this.model.busiestHosts(n);
  }

  // A row is built in stages that leave their results in fields: each stage stays small enough for the
  // JIT to inline the random draws into it (a call that returns a double boxes it on the heap).
  private row(out: TypedColumns, i: number): void {
    this.clock.advance(this.rng);
    this.pick();
    this.shape(this.plan, this.v6);
    this.exporterView();
    this.write(out, i);
  }

  /** Service, address family, client and server, exporter, ports and ToS. */
  private pick(): void {
    const rng = this.rng;
    const model = this.model;
    const pop = model.population;
    const plan = model.plans[model.planTable.sample(rng)]!;
    this.plan = plan;
    const v6 = rng.nextFloat() < this.ipv6Share;
    this.v6 = v6;

    const c = plan.clients.sample(rng);
    const cInt = c < pop.nInt;
    const servers = cInt ? plan.servers : plan.serversInternal!;
    let s = servers.sample(rng);
    for (let tries = 0; s === c && tries < 3; tries++) s = servers.sample(rng);
    // Still itself (a tiny pool): an external client always has an internal server, so both are internal here.
    if (s === c) s = c + 1 < pop.nInt ? c + 1 : 0;
    this.c = c;
    this.s = s;

    const ei = pop.exporter[cInt ? c : s]!;
    this.ei = v6 ? GEN_EXPORTERS[ei]!.v6Via : ei;

    this.srvport = plan.serverPort(rng, v6);
    let clnport = 0;
    if (plan.kind !== KIND_ICMP && plan.kind !== KIND_TUNNEL) {
      if (plan.fixedClnShare > 0 && rng.nextFloat() < plan.fixedClnShare) clnport = plan.fixedClnPort;
      else if (plan.clnCount > 0) clnport = plan.clnLo + rng.nextInt(plan.clnCount);
      else clnport = pop.ephLo[c]! + rng.nextInt(pop.ephCount[c]!);
    }
    this.clnport = clnport;

    let tos = plan.tosShare > 0 && rng.nextFloat() < plan.tosShare ? plan.tos : 0;
    // ECN-capable transport on a few TCP and QUIC sessions.
    if ((plan.proto === 6 || this.srvport === 443) && rng.nextFloat() < 0.03) tos |= 2;
    this.tos = tos;
  }

  /** What the exporter makes of the session: firewall events, sampling, flow records. */
  private exporterView(): void {
    const ex = GEN_EXPORTERS[this.ei]!;
    this.asaevt = 0;
    this.asaextevt = 0;
    if (ex.nsel) {
      if (this.plan.kind === KIND_SCAN) {
        this.asaevt = 3; // flow denied
        this.asaextevt = 1001; // by an ingress ACL: nothing reached the server
        this.sp = 0;
        this.sb = 0;
        this.flags = SYN;
      } else {
        this.asaevt = 2; // flow deleted (torn down)
      }
    }
    if (ex.samplerate > 1) {
      this.flows = this.sample(ex.samplerate);
    } else {
      const dirs = this.sp > 0 ? 2 : 1;
      this.flows = ex.activeTimeoutS > 0 ? dirs * (1 + Math.floor(this.durUs / (ex.activeTimeoutS * 1e6))) : 1;
    }
  }

  private write(out: TypedColumns, i: number): void {
    const pop = this.model.population;
    const { c, s, ei, v6, plan } = this;
    const ex = GEN_EXPORTERS[ei]!;
    const cInt = c < pop.nInt;
    const sInt = s < pop.nInt;
    const start = this.clock.current;
    out.start[i] = start;
    out.end[i] = start + this.durUs;
    this.writeHost(out.clnip, i, c, v6);
    this.writeHost(out.srvip, i, s, v6);
    out.clnport[i] = this.clnport;
    out.srvport[i] = this.srvport;
    out.proto[i] = v6 ? plan.proto6 : plan.proto;
    out.clnpkts[i] = this.cp;
    out.srvpkts[i] = this.sp;
    out.clnbyts[i] = this.cb;
    out.srvbyts[i] = this.sb;
    out.flags[i] = this.flags;
    out.tos[i] = this.tos;
    out.inif[i] = this.ifIndex(c, ei, ex);
    out.outif[i] = this.ifIndex(s, ei, ex);
    out.invlan[i] = this.vlan(c, ei, ex);
    out.outvlan[i] = this.vlan(s, ei, ex);
    out.clnas[i] = pop.asn[c]!;
    out.srvas[i] = pop.asn[s]!;
    out.clncc[i] = pop.cc[c]!;
    out.srvcc[i] = pop.cc[s]!;
    out.clnmac[i] = this.mac(c, ei, ex);
    out.srvmac[i] = this.mac(s, ei, ex);
    const ew = EXPORTER_WORDS[ei]!;
    const expip = out.expip;
    const o = i * 4;
    expip[o] = ew[0];
    expip[o + 1] = ew[1];
    expip[o + 2] = ew[2];
    expip[o + 3] = ew[3];
    out.srcid[i] = ex.srcid;
    out.expv[i] = ex.expv;
    out.asaevt[i] = this.asaevt;
    out.asaextevt[i] = this.asaextevt;
    this.writeNat(out, i, ex, c, s, cInt, sInt, v6);
    out.mpls[i] = ex.mpls && !(cInt && sInt) ? 24000 + pop.asIndex[cInt ? s : c]! : 0;
    out.samplerate[i] = ex.samplerate;
    // the sampled exporter is an sFlow agent: its rate comes in each sample's header
    out.sampleorigin[i] = ex.samplerate > 1 ? SamplingOrigin.header : SamplingOrigin.none;
    out.flows[i] = this.flows;
  }

  /** Packets, bytes, duration and TCP flags of one session of a service. */
  private shape(plan: ServicePlan, v6: boolean): void {
    const rng = this.rng;
    switch (plan.kind) {
      case KIND_TCP: {
        const f = rng.nextFloat();
        if (f < 0.035) {
          // A failed connection: SYN retransmissions (after 1 s, then 2 s more), refused with a RST or unanswered.
          const n = 1 + rng.nextInt(3);
          const refused = f < 0.02;
          this.cp = n;
          this.cb = n * (v6 ? 80 : 60);
          this.sp = refused ? 1 : 0;
          this.sb = refused ? (v6 ? 60 : 40) : 0;
          this.flags = refused ? SYN | RST | ACK : SYN;
          this.durUs = n === 1 ? (refused ? this.lognormalUs(0.02, 1) : 0) : n === 2 ? 1_000_000 : 3_000_000;
          return;
        }
        const hdr = v6 ? 72 : 52; // IP + TCP with timestamps
        const seg = Math.min(1500 - hdr, plan.seg);
        this.payloads(plan);
        const reqPk = Math.ceil(this.cb / seg);
        const respPk = Math.ceil(this.sb / seg);
        // SYN and FIN (or final ACK) each way, data segments, and an ACK for every other segment received.
        this.cp = 2 + reqPk + Math.floor(respPk / 2);
        this.sp = 2 + respPk + Math.floor(reqPk / 2);
        this.cb += this.cp * hdr;
        this.sb += this.sp * hdr;
        const g = rng.nextFloat();
        this.flags = g < 0.83 ? FIN | SYN | PSH | ACK : g < 0.89 ? FIN | SYN | ACK : g < 0.95 ? SYN | RST | PSH | ACK : g < 0.985 ? SYN | PSH | ACK : CWR | ECE | FIN | SYN | PSH | ACK;
        this.durUs = this.duration(plan);
        return;
      }
      case KIND_UDP:
      case KIND_ONEWAY: {
        const hdr = v6 ? 48 : 28;
        const seg = Math.min(1500 - hdr, plan.seg);
        const minPayload = Math.max(0, 40 - hdr); // keeps bytes per packet at 40 or more
        this.payloads(plan);
        this.cp = Math.max(1, Math.ceil(this.cb / seg));
        this.cb = Math.max(this.cb, this.cp * minPayload) + this.cp * hdr;
        const answered = plan.kind === KIND_UDP && rng.nextFloat() < 0.97;
        this.sp = answered ? Math.max(1, Math.ceil(this.sb / seg)) : 0;
        this.sb = answered ? Math.max(this.sb, this.sp * minPayload) + this.sp * hdr : 0;
        this.flags = 0;
        this.durUs = this.cp + this.sp > 1 ? this.duration(plan) : 0;
        return;
      }
      case KIND_ICMP: {
        const hdr = v6 ? 48 : 28; // IP + ICMP header
        this.flags = 0;
        if (plan.port === 0x0800) {
          // Echo: one ping, the Windows default of four, or a longer run; 32- or 56-byte payloads.
          const r = rng.nextFloat();
          const n = r < 0.35 ? 1 : r < 0.75 ? 4 : 2 + rng.nextInt(29);
          const size = hdr + (rng.nextFloat() < 0.5 ? 32 : 56);
          this.cp = n;
          this.cb = n * size;
          const replied = rng.nextFloat() < 0.9;
          this.sp = replied ? n : 0;
          this.sb = replied ? n * size : 0;
          this.durUs = (n - 1) * 1_000_000 + (replied ? this.lognormalUs(0.01, 1.2) : 0);
        } else {
          // An error message quoting the offending packet's header (IPv6 quotes more).
          this.cp = 1;
          this.cb = hdr + (v6 ? 48 + 8 * rng.nextInt(32) : 28);
          this.sp = 0;
          this.sb = 0;
          this.durUs = 0;
        }
        return;
      }
      case KIND_TUNNEL: {
        const hdr = (plan.proto === 47 ? 24 : 58) + (v6 ? 20 : 0); // outer IP + GRE, or ESP header, IV and trailer
        const seg = Math.min(1500 - hdr, plan.seg);
        this.payloads(plan);
        this.cp = Math.max(1, Math.ceil(this.cb / seg));
        this.sp = Math.max(1, Math.ceil(this.sb / seg));
        this.cb += this.cp * hdr;
        this.sb += this.sp * hdr;
        this.flags = 0;
        this.durUs = this.duration(plan);
        return;
      }
      case KIND_SCAN: {
        const syn = v6 ? 64 : 44;
        if (rng.nextFloat() < 0.85) {
          const n = rng.nextFloat() < 0.7 ? 1 : 2;
          this.cp = n;
          this.cb = n * syn;
          this.sp = 0;
          this.sb = 0;
          this.flags = SYN;
          this.durUs = n === 2 ? 1_000_000 : 0;
        } else {
          this.cp = 1;
          this.cb = syn;
          this.sp = 1;
          this.sb = v6 ? 60 : 40;
          this.flags = SYN | RST | ACK;
          this.durUs = this.lognormalUs(0.03, 1);
        }
        return;
      }
      default:
        throw new RangeError(`service ${plan.name} has an unknown kind ${plan.kind}`);
    }
  }

  /** Payload bytes each way into cb/sb: log-normal, some uploads, a few Pareto-heavy transfers. */
  private payloads(plan: ServicePlan): void {
    const rng = this.rng;
    let req = plan.reqMed * detExp(plan.reqSigma * rng.normal());
    let resp = plan.respMed * detExp(plan.respSigma * rng.normal());
    if (plan.upload > 0 && rng.nextFloat() < plan.upload) {
      const t = req;
      req = resp;
      resp = t;
    }
    if (plan.heavy > 0 && rng.nextFloat() < plan.heavy) {
      const m = Math.min(PARETO_CAP, detExp(-detLog(rng.nextFloat()) / PARETO_ALPHA));
      if (req > resp) req *= m;
      else resp *= m;
    }
    this.cb = Math.min(MAX_PAYLOAD, Math.round(req));
    this.sb = Math.min(MAX_PAYLOAD, Math.round(resp));
  }

  /** Duration in µs: log-normal around the service's median, no faster than MAX_RATE, capped. */
  private duration(plan: ServicePlan): number {
    const us = Math.max(this.lognormalUs(plan.durMed, plan.durSigma), Math.round(((this.cb + this.sb) / MAX_RATE) * 1e6));
    return Math.min(MAX_DURATION_US, us);
  }

  private lognormalUs(medianS: number, sigma: number): number {
    return Math.min(MAX_DURATION_US, Math.round(medianS * 1e6 * detExp(sigma * this.rng.normal())));
  }

  /**
   * Sampled export (sFlow): the exporter saw about one packet in `rate`; counters are scaled back up,
   * so they are multiples of the rate, and each sampled packet is one flow record.
   */
  private sample(rate: number): number {
    const kc = Math.max(1, Math.round(this.cp / rate));
    const ks = Math.round(this.sp / rate);
    this.cb = Math.round((this.cb / this.cp) * kc * rate);
    this.cp = kc * rate;
    if (ks > 0) {
      this.sb = Math.round((this.sb / this.sp) * ks * rate);
      this.sp = ks * rate;
    } else {
      this.sb = 0;
      this.sp = 0;
    }
    return kc + ks;
  }

  private writeHost(col: Uint32Array, i: number, h: number, v6: boolean): void {
    const o = i * 4;
    if (v6) {
      const w = this.model.population.v6;
      const p = h * 4;
      col[o] = w[p]!;
      col[o + 1] = w[p + 1]!;
      col[o + 2] = w[p + 2]!;
      col[o + 3] = w[p + 3]!;
    } else {
      col[o] = 0;
      col[o + 1] = 0;
      col[o + 2] = V4_MAPPED_W2;
      col[o + 3] = this.model.population.v4[h]!;
    }
  }

  /** NSEL translated addresses and ports: PAT for inside clients going out, static NAT for DMZ servers. */
  private writeNat(out: TypedColumns, i: number, ex: GenExporter, c: number, s: number, cInt: boolean, sInt: boolean, v6: boolean): void {
    const cx = out.clnxip;
    const sx = out.srvxip;
    const cxp = out.clnxport;
    const sxp = out.srvxport;
    const o = i * 4;
    if (!ex.nsel) {
      cx[o] = cx[o + 1] = cx[o + 2] = cx[o + 3] = 0;
      sx[o] = sx[o + 1] = sx[o + 2] = sx[o + 3] = 0;
      cxp[i] = 0;
      sxp[i] = 0;
      return;
    }
    this.writeHost(cx, i, c, v6);
    this.writeHost(sx, i, s, v6);
    cxp[i] = this.clnport;
    sxp[i] = this.srvport;
    if (v6) return;
    if (cInt && !sInt) {
      cx[o + 3] = (NAT_BLOCK_V4 | (1 + (c % 8))) >>> 0;
      cxp[i] = 1024 + this.rng.nextInt(64512);
    } else if (!cInt && sInt) {
      sx[o + 3] = (NAT_BLOCK_V4 | (32 + (s % 64))) >>> 0;
    }
  }

  /** A host is on the exporter's inside when the exporter is the one serving its subnet. */
  private local(h: number, ei: number): boolean {
    const pop = this.model.population;
    return h < pop.nInt && pop.exporter[h] === ei;
  }

  private ifIndex(h: number, ei: number, ex: GenExporter): number {
    const pop = this.model.population;
    if (this.local(h, ei)) return ex.accessBase + ((ex.accessBy === 'subnet' ? pop.subnet[h]! : h) % ex.accessCount);
    const k = h < pop.nInt ? pop.subnet[h]! : pop.asIndex[h]!;
    return ex.uplinks[k % ex.uplinks.length]!;
  }

  private vlan(h: number, ei: number, ex: GenExporter): number {
    if (!ex.reportsVlan) return 0;
    return this.local(h, ei) ? SUBNET_VLAN_BASE + this.model.population.subnet[h]! : ex.uplinkVlan;
  }

  private mac(h: number, ei: number, ex: GenExporter): number {
    if (!ex.reportsMac) return 0;
    return this.local(h, ei) ? this.model.population.mac[h]! : ex.gatewayMac;
  }
}

/** Column batches of `batchSize` rows until `sessions` rows are generated (see SessionGenerator.batches). */
export function generateSessions(opts: GeneratorOptions): Generator<Columns, void, undefined> {
  return new SessionGenerator(opts).batches();
}
