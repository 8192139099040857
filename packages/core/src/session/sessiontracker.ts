// Connection tracking: pairs unidirectional flow records (and merges bidirectional ones) into
// client/server session records, with idle timeout, toolong splitting and bounded memory.

import { allocColumns, type Columns } from '../fields/columns.js';
import { FlowInitiator, type FlowBatch } from '../decode/flowbatch.js';
import { FlowView } from './flowview.js';
import { flowKey, hashKey, ICMP_QUERY, ICMP_REPLY, KEY_WORDS, K_PORTS, K_PROTO, SENT_BY_B } from './flowkey.js';
import { NSEL_LEDGER_HORIZON_US, NselLedger, nselLedgerCapacity } from './nselledger.js';
import { SessionError } from './sessionerror.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionTrackerOptions } from './sessionoptions.js';
import { SessionOutput } from './sessionoutput.js';
import { SessionRowWriter } from './sessionrowwriter.js';
import { EMIT_REASONS, type EmitReason, type SessionTrackerStats } from './sessionstats.js';
import {
  Evidence, F_ACT, F_ASA, F_ASB, F_BA, F_BB, F_END, F_EVT, F_EXPV, F_EXTEVT, F_FLAGS, F_FLOWS, F_HASH, F_INIF, F_MACA, F_MACB,
  F_MPLS, F_ORIGIN, F_OUTIF, F_PA, F_PB, F_RATE, F_START, F_STATE, F_TOS, F_VLANIN, F_VLANOUT, F_XA, F_XB, F_XPA, F_XPB, S16, S32,
  S64, SessionTable, SLOT_BYTES, ST_ATTR_B, ST_CLIENT_B, ST_LEVEL_MASK, ST_LEVEL_SHIFT, ST_NSEL, ST_NSEL_CLOSED,
} from './sessiontable.js';

/** A flow record spans at most this many toolong pieces; an earlier start is a broken timestamp. */
const MAX_PIECES = 1024;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
/** NSEL firewall events (NF_F_FW_EVENT). */
const NSEL_TEARDOWN = 2;
const NSEL_UPDATE = 5;
/** Protocols whose port fields are transport ports (TCP, UDP, DCCP, SCTP, UDP-Lite). */
const PORTED = new Uint8Array(256);
for (const p of [6, 17, 33, 132, 136]) PORTED[p] = 1;

/**
 * Assembles sessions from FlowBatch rows. See docs/sessions.md for the rules; in short:
 * - key: exporter, source id, protocol and the two endpoints in a fixed order (flowKey);
 * - client: SYN without ACK (or an ICMP query) > biflowDirection / NSEL / biflow initiator > service port > first flow's source;
 * - counters per endpoint; NSEL teardown totals replace, never add to, the updates before them,
 *   also those of pieces emitted before the teardown (toolong pieces, and sessions that left the
 *   table early: the NselLedger remembers what they counted);
 * - a session idle for `timeout`, pushed out of a full table, longer than `toolong` (its first part),
 *   or drained, is written to the outgoing batch that onSessions receives.
 */
export class SessionTracker {
  options: ResolvedSessionOptions;
  private readonly table: SessionTable;
  private readonly out: SessionOutput;
  /** The columns of the batch being ingested, and the key of the flow being merged. */
  private readonly view = new FlowView();
  private readonly key = new Uint32Array(KEY_WORDS);
  private timeoutUs: number;
  private toolongUs: number;
  private clockUs = 0;
  private busy = false;
  /** Counters (pA, bA, pB, bB) already emitted in toolong pieces of NSEL sessions still tracked. */
  private readonly nselBase = new Map<number, Float64Array>();
  /** What NSEL sessions that left without a teardown had counted (their nselBase, carried on). */
  private readonly ledger: NselLedger;
  private nResumed = 0;
  private nFlows = 0;
  private nCreated = 0;
  private nUpdated = 0;
  private nFlips = 0;
  private nClipped = 0;
  private readonly nEmitted: Record<EmitReason, number> = { timeout: 0, evicted: 0, toolong: 0, closed: 0, drain: 0 };

  constructor(options: SessionTrackerOptions) {
    this.options = resolveSessionOptions(options);
    this.table = new SessionTable(this.options.conntracksize);
    this.ledger = new NselLedger(nselLedgerCapacity(this.options.conntracksize));
    this.out = new SessionOutput(this.options.batchRows, this.options.onSessions);
    this.timeoutUs = this.options.timeout * 1e6;
    this.toolongUs = this.options.toolong * 1e6;
  }

  /** Sessions tracked now. */
  get size(): number {
    return this.table.size;
  }

  /**
   * Change `timeout` and `toolong` while running (a configuration reload). A shorter timeout applies
   * at the next expire(); a shorter toolong to the next flow merged into a session that exceeds it.
   * Throws SessionError (BAD_OPTION) for a value resolveSessionOptions would refuse; nothing changes then.
   */
  setTimeouts(timeout: number, toolong: number): void {
    const o = resolveSessionOptions({ ...this.options, timeout, toolong });
    this.options = o;
    this.timeoutUs = o.timeout * 1e6;
    this.toolongUs = o.toolong * 1e6;
  }

  /**
   * Merge every row of `batch` into the tracked sessions. `nowUs` is the wall clock (µs since the
   * epoch; 0 when replaying offline). Sessions that finish are handed to onSessions in batches of
   * batchRows; a partial batch waits for flush(). Idle sessions are expired as a side effect.
   */
  ingest(batch: FlowBatch, nowUs: number): void {
    this.enter('ingest', nowUs);
    try {
      const n = batch.length;
      const view = this.view.bind(batch);
      const t = this.table;
      t.reserve(n);
      const key = this.key;
      const timeoutUs = this.timeoutUs;
      const lead = nowUs > 0 ? nowUs + this.options.maxClockLeadUs : Infinity;
      const maxSpan = this.toolongUs * MAX_PIECES;
      const startCol = view.start;
      const endCol = view.end;
      const nselCol = view.nsel;
      // this.clockUs follows `clock` row by row: the sink may read stats(), the NSEL ledger stamps with it
      let clock = this.clockUs > nowUs ? this.clockUs : nowUs;
      this.clockUs = clock;
      for (let i = 0; i < n; i++) {
        if (this.out.full) this.out.flush();
        let fs = startCol[i]!;
        let fe = endCol[i]!;
        if (fe < fs) {
          const x = fs;
          fs = fe;
          fe = x;
        }
        if (maxSpan > 0 && fe - fs > maxSpan) {
          fs = fe - maxSpan;
          this.nClipped++;
        }
        const capped = fe < lead ? fe : lead;
        if (capped > clock) {
          clock = capped;
          this.clockUs = clock;
        }
        const meta = flowKey(view, i, key, 0);
        const h = hashKey(key, 0);
        let s = t.find(key, 0, h);
        // (the client of a new record is decided before anything changes: isServicePort may throw)
        if (s < 0) {
          const ev = this.firstEvidence(meta, view, i);
          if (t.size === t.capacity) this.evict();
          s = t.add(key, 0, h);
          fs = this.startRecord(s, ev, fs, fe, view, i);
        } else if (timeoutUs > 0 && clock - t.f64[s * S64 + F_ACT]! > timeoutUs) {
          const ev = this.firstEvidence(meta, view, i);
          this.emit(s, 'timeout');
          fs = this.startRecord(s, ev, fs, fe, view, i);
          t.touch(s);
        } else if ((t.u8[s * SLOT_BYTES + F_STATE]! & ST_NSEL_CLOSED) !== 0 && nselCol[i] === 1 && fs > t.f64[s * S64 + F_START]!) {
          // created after the closed connection was (an NSEL record's start is its connection's
          // creation time): a new connection with the same key — a 5-tuple reused after the teardown,
          // or an ICMP exchange overlapping the last (the key has no ICMP identifier)
          const ev = this.firstEvidence(meta, view, i);
          this.emit(s, 'closed');
          fs = this.startRecord(s, ev, fs, fe, view, i);
          t.touch(s);
        } else {
          this.nUpdated++;
          this.weighEvidence(s, meta, view, i);
          t.touch(s);
        }
        this.merge(s, meta, view, i, fs, fe, clock);
      }
      this.nFlows += n;
      this.expireIdle();
      if (this.out.full) this.out.flush();
    } finally {
      this.view.release();
      this.busy = false;
    }
  }

  /**
   * Advance the clock to `nowUs` (if later) and emit the sessions idle longer than timeout. Cheap:
   * it looks at the least recently updated sessions only (call it every second or so).
   */
  expire(nowUs: number): void {
    this.enter('expire', nowUs);
    try {
      if (nowUs > this.clockUs) this.clockUs = nowUs;
      this.expireIdle();
      if (this.out.full) this.out.flush();
    } finally {
      this.busy = false;
    }
  }

  /** Hand every emitted record not yet delivered to onSessions (a partial batch). */
  flush(): void {
    this.enter('flush', 0);
    try {
      this.out.flush();
    } finally {
      this.busy = false;
    }
  }

  /** Emit every tracked session (reason 'drain') and flush: the tracker is empty afterwards. */
  drain(): void {
    this.enter('drain', 0);
    try {
      const t = this.table;
      while (t.head >= 0) {
        if (this.out.full) this.out.flush();
        const s = t.head;
        this.emit(s, 'drain');
        this.release(s);
      }
      this.out.flush();
    } finally {
      this.busy = false;
    }
  }

  /**
   * The tracked sessions with their counters so far, least recently updated first, in new columns.
   * Emitted records still pending are flushed to onSessions first, so that every session is either
   * delivered or in the snapshot.
   */
  snapshot(): { cols: Columns; rows: number } {
    this.enter('snapshot', 0);
    try {
      this.out.flush();
      const t = this.table;
      const w = new SessionRowWriter(allocColumns(t.size));
      let row = 0;
      for (let s = t.head; s >= 0; s = t.after(s)) {
        const o = s * S64;
        w.write(row++, t, s, t.f64[o + F_START]!, t.f64[o + F_END]!, t.f64[o + F_PA]!, t.f64[o + F_BA]!, t.f64[o + F_PB]!, t.f64[o + F_BB]!, t.u32[s * S32 + F_FLOWS]!);
      }
      return { cols: w.cols, rows: row };
    } finally {
      this.busy = false;
    }
  }

  stats(): SessionTrackerStats {
    const emitted = {} as Record<EmitReason, number>;
    for (const r of EMIT_REASONS) emitted[r] = this.nEmitted[r];
    return {
      flows: this.nFlows,
      created: this.nCreated,
      updated: this.nUpdated,
      flips: this.nFlips,
      clipped: this.nClipped,
      emitted,
      active: this.table.size,
      capacity: this.table.capacity,
      pendingRows: this.out.pending,
      clockUs: this.clockUs,
      nselRemembered: this.ledger.size,
      nselResumed: this.nResumed,
      memoryBytes: this.table.memoryBytes() + this.nselBase.size * 32 + this.ledger.memoryBytes(),
    };
  }

  private enter(what: string, nowUs: number): void {
    if (this.busy) throw new SessionError('REENTRANT', `${what}() called from inside onSessions: the callback must not call back into the tracker`);
    if (typeof nowUs !== 'number' || !Number.isFinite(nowUs) || nowUs < 0) {
      throw new SessionError('BAD_TIME', `${what}(): nowUs must be a finite number of microseconds since the epoch >= 0, got ${String(nowUs)}`);
    }
    this.busy = true;
  }

  /** Emit the least recently updated sessions while they are idle longer than timeout. */
  private expireIdle(): void {
    this.ledger.expire(this.clockUs - NSEL_LEDGER_HORIZON_US);
    const timeoutUs = this.timeoutUs;
    if (timeoutUs <= 0) return;
    const t = this.table;
    const limit = this.clockUs - timeoutUs;
    for (let s = t.head; s >= 0 && t.f64[s * S64 + F_ACT]! < limit; s = t.head) {
      this.emit(s, 'timeout');
      this.release(s);
    }
  }

  private evict(): void {
    const s = this.table.head;
    this.emit(s, 'evicted');
    this.release(s);
  }

  private release(s: number): void {
    if ((this.table.u8[s * SLOT_BYTES + F_STATE]! & ST_NSEL) !== 0) this.nselBase.delete(s);
    this.table.remove(s);
  }

  /** Write slot `s`'s current record to the outgoing batch. */
  private emit(s: number, reason: EmitReason): void {
    const t = this.table;
    const f64 = t.f64;
    const o = s * S64;
    this.out.write(t, s, f64[o + F_START]!, f64[o + F_END]!, f64[o + F_PA]!, f64[o + F_BA]!, f64[o + F_PB]!, f64[o + F_BB]!, t.u32[s * S32 + F_FLOWS]!);
    this.nEmitted[reason]++;
    // an NSEL connection leaving before its teardown: its teardown may still come, with totals
    if (reason !== 'closed' && (t.u8[s * SLOT_BYTES + F_STATE]! & (ST_NSEL | ST_NSEL_CLOSED)) === ST_NSEL) {
      const base = this.nselBase.get(s);
      this.ledger.put(
        t.u32, s * S32, t.u32[s * S32 + F_HASH]!,
        f64[o + F_PA]! + (base === undefined ? 0 : base[0]!),
        f64[o + F_BA]! + (base === undefined ? 0 : base[1]!),
        f64[o + F_PB]! + (base === undefined ? 0 : base[2]!),
        f64[o + F_BB]! + (base === undefined ? 0 : base[3]!),
        f64[o + F_END]!,
        this.clockUs,
      );
    }
  }

  /**
   * The client evidence a flow carries, as state bits (ST_CLIENT_B and the level): a SYN without
   * ACK or an ICMP query comes from the client, an ICMP reply goes to it (handshake); a record whose
   * exporter names the initiator (IPFIX biflowDirection: the source, or the destination for
   * reverseInitiator), or failing that an NSEL or biflow record, names it (initiator; biflowDirection
   * arbitrary or perimeter names nobody); otherwise the sender, as a first guess.
   */
  private flowEvidence(meta: number, b: FlowView, i: number): number {
    const senderB = meta & SENT_BY_B;
    if ((meta & ICMP_QUERY) !== 0) return (Evidence.handshake << ST_LEVEL_SHIFT) | senderB;
    if ((meta & ICMP_REPLY) !== 0) return (Evidence.handshake << ST_LEVEL_SHIFT) | (senderB ^ 1);
    if (b.proto[i] === 6 && (b.tcpFlags[i]! & (TCP_SYN | TCP_ACK)) === TCP_SYN) return (Evidence.handshake << ST_LEVEL_SHIFT) | senderB;
    const initiator = b.initiator[i]!;
    if (initiator === FlowInitiator.source) return (Evidence.initiator << ST_LEVEL_SHIFT) | senderB;
    if (initiator === FlowInitiator.destination) return (Evidence.initiator << ST_LEVEL_SHIFT) | (senderB ^ 1);
    if (initiator === FlowInitiator.unstated && (b.nsel[i] === 1 || b.biflow[i] === 1)) return (Evidence.initiator << ST_LEVEL_SHIFT) | senderB;
    return (Evidence.firstSeen << ST_LEVEL_SHIFT) | senderB;
  }

  /** Stronger evidence than the session has decides its client (a flip when it names the other side). */
  private weighEvidence(s: number, meta: number, b: FlowView, i: number): void {
    const u8 = this.table.u8;
    const ev = this.flowEvidence(meta, b, i);
    const st = u8[s * SLOT_BYTES + F_STATE]!;
    if ((ev & ST_LEVEL_MASK) <= (st & ST_LEVEL_MASK)) return;
    if (((ev ^ st) & ST_CLIENT_B) !== 0) this.nFlips++;
    u8[s * SLOT_BYTES + F_STATE] = (st & ~(ST_CLIENT_B | ST_LEVEL_MASK)) | ev;
  }

  /** The client of a record that flow `i` (key in this.key) starts: its evidence, else the services table. */
  private firstEvidence(meta: number, b: FlowView, i: number): number {
    const ev = this.flowEvidence(meta, b, i);
    if ((ev & ST_LEVEL_MASK) >> ST_LEVEL_SHIFT >= Evidence.initiator) return ev;
    const proto = this.key[K_PROTO]!;
    if (PORTED[proto] !== 1) return ev;
    const ports = this.key[K_PORTS]!;
    const svcA = Boolean(this.options.isServicePort(ports >>> 16, proto));
    const svcB = Boolean(this.options.isServicePort(ports & 0xffff, proto));
    return svcA === svcB ? ev : (Evidence.servicePort << ST_LEVEL_SHIFT) | (svcA ? ST_CLIENT_B : 0);
  }

  /**
   * Make slot `s` (key already set) an empty record over [fs, fe] with client state `ev`, for flow
   * `i`; returns the flow's start, moved up when the record continues a remembered NSEL connection.
   */
  private startRecord(s: number, ev: number, fs: number, fe: number, b: FlowView, i: number): number {
    const t = this.table;
    const o8 = s * SLOT_BYTES;
    if ((t.u8[o8 + F_STATE]! & ST_NSEL) !== 0) this.nselBase.delete(s);
    // everything after the key, hash and links is cleared, then the fields that do not start at 0
    t.u8.fill(0, o8 + F_FLOWS * 4, o8 + SLOT_BYTES);
    t.f64.fill(0, s * S64 + F_PA, s * S64 + F_START);
    t.u8[o8 + F_STATE] = ev;
    t.f64[s * S64 + F_START] = fs;
    t.f64[s * S64 + F_END] = fe;
    t.f64[s * S64 + F_ACT] = -Infinity;
    this.nCreated++;
    if (b.nsel[i] === 1) {
      fs = this.resume(s, b, i, fs, fe);
      t.f64[s * S64 + F_START] = fs;
    }
    return fs;
  }

  /**
   * NSEL flow `i` starts record `s`: if the ledger remembers the connection, its counted totals
   * become the record's base (a teardown adds only the rest) and the flow counts from the end of
   * the last piece emitted (its counters follow that piece, as in merge()); returns the flow's start.
   * Only an update or a teardown of a connection created before that end continues it: anything
   * else with the same key is a new connection reusing the 5-tuple, and the entry is dropped.
   */
  private resume(s: number, b: FlowView, i: number, fs: number, fe: number): number {
    const t = this.table;
    const led = this.ledger;
    const e = led.find(t.u32, s * S32, t.u32[s * S32 + F_HASH]!);
    if (e < 0) return fs;
    const end = led.end(e);
    const event = b.fwEvent[i]!;
    if ((event === NSEL_UPDATE || event === NSEL_TEARDOWN) && fs <= end) {
      this.nselBase.set(s, led.counted(e));
      this.nResumed++;
      fs = end < fe ? end : fe;
    }
    led.remove(e);
    return fs;
  }

  /** Add flow `i` (times already sanitised to [fs, fe]) to slot `s`. */
  private merge(s: number, meta: number, b: FlowView, i: number, fs: number, fe: number, clock: number): void {
    const t = this.table;
    const u8 = t.u8;
    const u16 = t.u16;
    const u32 = t.u32;
    const f64 = t.f64;
    const o8 = s * SLOT_BYTES;
    const o16 = s * S16;
    const o32 = s * S32;
    const o64 = s * S64;
    const senderB = (meta & SENT_BY_B) !== 0;
    let st = u8[o8 + F_STATE]!;
    const clientB = (st & ST_CLIENT_B) !== 0;
    u8[o8 + F_FLAGS]! |= b.tcpFlags[i]!;
    // ToS, interfaces, VLANs: the latest client→server flow's; a server→client flow's only until one arrives
    if (u32[o32 + F_FLOWS] === 0 || senderB === clientB || ((st & ST_ATTR_B) !== 0) !== clientB) {
      u8[o8 + F_TOS] = b.tos[i]!;
      u32[o32 + F_INIF] = b.inIf[i]!;
      u32[o32 + F_OUTIF] = b.outIf[i]!;
      u16[o16 + F_VLANIN] = b.srcVlan[i]!;
      u16[o16 + F_VLANOUT] = b.dstVlan[i]!;
      st = senderB ? st | ST_ATTR_B : st & ~ST_ATTR_B;
    }
    // per-endpoint values: the latest known (non-zero) one
    const srcAs = b.srcAs[i]!;
    const dstAs = b.dstAs[i]!;
    if (srcAs !== 0) u32[o32 + (senderB ? F_ASB : F_ASA)] = srcAs;
    if (dstAs !== 0) u32[o32 + (senderB ? F_ASA : F_ASB)] = dstAs;
    const srcMac = b.srcMac[i]!;
    const dstMac = b.dstMac[i]!;
    if (srcMac !== 0) f64[o64 + (senderB ? F_MACB : F_MACA)] = srcMac;
    if (dstMac !== 0) f64[o64 + (senderB ? F_MACA : F_MACB)] = dstMac;
    const o = i * 4;
    const xs = b.xlateSrcAddr;
    if ((xs[o]! | xs[o + 1]! | xs[o + 2]! | xs[o + 3]!) !== 0) {
      const x = o32 + (senderB ? F_XB : F_XA);
      u32[x] = xs[o]!;
      u32[x + 1] = xs[o + 1]!;
      u32[x + 2] = xs[o + 2]!;
      u32[x + 3] = xs[o + 3]!;
      u16[o16 + (senderB ? F_XPB : F_XPA)] = b.xlateSrcPort[i]!;
    }
    const xd = b.xlateDstAddr;
    if ((xd[o]! | xd[o + 1]! | xd[o + 2]! | xd[o + 3]!) !== 0) {
      const x = o32 + (senderB ? F_XA : F_XB);
      u32[x] = xd[o]!;
      u32[x + 1] = xd[o + 1]!;
      u32[x + 2] = xd[o + 2]!;
      u32[x + 3] = xd[o + 3]!;
      u16[o16 + (senderB ? F_XPA : F_XPB)] = b.xlateDstPort[i]!;
    }
    const mpls = b.mplsLabel[i]!;
    if (mpls !== 0) u32[o32 + F_MPLS] = mpls;
    // the highest rate, with its origin; among flows of that rate the latest one's origin (options
    // data that arrived, or a reloaded override, names the rate better than what came before)
    const rate = b.samplingRate[i]!;
    if (rate >= u32[o32 + F_RATE]!) {
      u32[o32 + F_RATE] = rate;
      u8[o8 + F_ORIGIN] = b.samplingOrigin[i]!;
    }
    u8[o8 + F_EXPV] = b.expv[i]!;
    // counters by endpoint: a biflow's reverse counters belong to the receiver
    let fpA: number, fbA: number, fpB: number, fbB: number;
    if (senderB) {
      fpB = b.packets[i]!;
      fbB = b.bytes[i]!;
      fpA = b.revPackets[i]!;
      fbA = b.revBytes[i]!;
    } else {
      fpA = b.packets[i]!;
      fbA = b.bytes[i]!;
      fpB = b.revPackets[i]!;
      fbB = b.revBytes[i]!;
    }
    const event = b.fwEvent[i]!;
    if (b.nsel[i] === 1) {
      // NSEL records start at the connection's creation but count only what followed the previous
      // record: their counters belong after the record so far (a teardown's too, once made a delta)
      if (u32[o32 + F_FLOWS] !== 0) {
        const oe = f64[o64 + F_END]!;
        if (fs < oe) fs = oe < fe ? oe : fe;
      }
      st |= ST_NSEL;
      if (event === NSEL_TEARDOWN) {
        // a teardown carries the connection's totals: add only what the records before it missed
        const base = this.nselBase.get(s);
        fpA = Math.max(0, fpA - f64[o64 + F_PA]! - (base === undefined ? 0 : base[0]!));
        fbA = Math.max(0, fbA - f64[o64 + F_BA]! - (base === undefined ? 0 : base[1]!));
        fpB = Math.max(0, fpB - f64[o64 + F_PB]! - (base === undefined ? 0 : base[2]!));
        fbB = Math.max(0, fbB - f64[o64 + F_BB]! - (base === undefined ? 0 : base[3]!));
        st |= ST_NSEL_CLOSED;
      } else if (event === NSEL_UPDATE && (st & ST_NSEL_CLOSED) !== 0) {
        // an update (at teardown) arriving after the teardown: already in its totals
        fpA = fbA = fpB = fbB = 0;
      }
    }
    if (event !== 0 && !(event === NSEL_UPDATE && (st & ST_NSEL_CLOSED) !== 0)) {
      u16[o16 + F_EVT] = event;
      u16[o16 + F_EXTEVT] = b.fwExtEvent[i]!;
    }
    u8[o8 + F_STATE] = st;
    const os = f64[o64 + F_START]!;
    const oe = f64[o64 + F_END]!;
    const lo = fs < os ? fs : os;
    const hi = fe > oe ? fe : oe;
    if (this.toolongUs > 0 && hi - lo > this.toolongUs) {
      this.split(s, fs, fe, fpA, fbA, fpB, fbB);
    } else {
      f64[o64 + F_PA]! += fpA;
      f64[o64 + F_BA]! += fbA;
      f64[o64 + F_PB]! += fpB;
      f64[o64 + F_BB]! += fbB;
      f64[o64 + F_START] = lo;
      f64[o64 + F_END] = hi;
      u32[o32 + F_FLOWS]!++;
    }
    const a = fe < clock ? fe : clock;
    if (a > f64[o64 + F_ACT]!) f64[o64 + F_ACT] = a;
  }

  /**
   * Slot `s` plus a flow [fs, fe] with these counters spans more than toolong: emit records of
   * toolong from the earliest start on, until the rest fits, and keep the rest in the slot. The
   * record so far and the flow are each taken as spread evenly over their time; a part crossing
   * a cut gives each side its share of counters (rounded, so the parts add up exactly).
   */
  private split(s: number, fs: number, fe: number, fpA: number, fbA: number, fpB: number, fbB: number): void {
    const t = this.table;
    const f64 = t.f64;
    const o64 = s * S64;
    const T = this.toolongUs;
    const oFlows = t.u32[s * S32 + F_FLOWS]!;
    let oLive = oFlows > 0;
    let os = f64[o64 + F_START]!;
    let oe = f64[o64 + F_END]!;
    let opA = f64[o64 + F_PA]!;
    let obA = f64[o64 + F_BA]!;
    let opB = f64[o64 + F_PB]!;
    let obB = f64[o64 + F_BB]!;
    let fLive = true;
    const nsel = (t.u8[s * SLOT_BYTES + F_STATE]! & ST_NSEL) !== 0;
    for (;;) {
      const lo = oLive && (!fLive || os < fs) ? os : fs;
      const hi = oLive && (!fLive || oe > fe) ? oe : fe;
      if (hi - lo <= T) break;
      const cut = lo + T;
      let qpA = 0, qbA = 0, qpB = 0, qbB = 0, qEnd = lo, qFlows = 0;
      if (oLive) {
        if (oe <= cut) {
          qpA += opA; qbA += obA; qpB += opB; qbB += obB;
          if (oe > qEnd) qEnd = oe;
          qFlows += oFlows;
          oLive = false;
        } else if (os < cut) {
          const f = (cut - os) / (oe - os);
          let x = Math.round(opA * f); qpA += x; opA -= x;
          x = Math.round(obA * f); qbA += x; obA -= x;
          x = Math.round(opB * f); qpB += x; opB -= x;
          x = Math.round(obB * f); qbB += x; obB -= x;
          os = cut;
          qEnd = cut;
          qFlows += oFlows;
        }
      }
      if (fLive) {
        if (fe <= cut) {
          qpA += fpA; qbA += fbA; qpB += fpB; qbB += fbB;
          if (fe > qEnd) qEnd = fe;
          qFlows += 1;
          fLive = false;
        } else if (fs < cut) {
          const f = (cut - fs) / (fe - fs);
          let x = Math.round(fpA * f); qpA += x; fpA -= x;
          x = Math.round(fbA * f); qbA += x; fbA -= x;
          x = Math.round(fpB * f); qpB += x; fpB -= x;
          x = Math.round(fbB * f); qbB += x; fbB -= x;
          fs = cut;
          qEnd = cut;
          qFlows += 1;
        }
      }
      this.out.write(t, s, lo, qEnd, qpA, qbA, qpB, qbB, qFlows);
      this.nEmitted.toolong++;
      if (nsel) {
        let base = this.nselBase.get(s);
        if (base === undefined) this.nselBase.set(s, (base = new Float64Array(4)));
        base[0]! += qpA;
        base[1]! += qbA;
        base[2]! += qpB;
        base[3]! += qbB;
      }
    }
    // what is left: the live parts (at least one: the part reaching the latest end is never cut off)
    f64[o64 + F_PA] = (oLive ? opA : 0) + (fLive ? fpA : 0);
    f64[o64 + F_BA] = (oLive ? obA : 0) + (fLive ? fbA : 0);
    f64[o64 + F_PB] = (oLive ? opB : 0) + (fLive ? fpB : 0);
    f64[o64 + F_BB] = (oLive ? obB : 0) + (fLive ? fbB : 0);
    f64[o64 + F_START] = oLive && (!fLive || os < fs) ? os : fs;
    f64[o64 + F_END] = oLive && (!fLive || oe > fe) ? oe : fe;
    t.u32[s * S32 + F_FLOWS] = (oLive ? oFlows : 0) + (fLive ? 1 : 0);
  }
}
