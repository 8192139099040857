// Writes one tracked session (a slot of the SessionTable, with the counters of the record being
// written) as a row of the session columns, turning endpoint A / B into client / server.

import type { Columns } from '../fields/columns.js';
import { K_A, K_B, K_PORTS, K_PROTO, K_SRCID } from './flowkey.js';
import {
  F_ASA, F_ASB, F_EVT, F_EXPV, F_EXTEVT, F_FLAGS, F_INIF, F_MACA, F_MACB, F_MPLS, F_ORIGIN, F_OUTIF, F_RATE, F_STATE, F_TOS,
  F_VLANIN, F_VLANOUT, F_XA, F_XB, F_XPA, F_XPB, S16, S32, S64, SLOT_BYTES, ST_ATTR_B, ST_CLIENT_B, type SessionTable,
} from './sessiontable.js';

export class SessionRowWriter {
  readonly cols: Columns;
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly clnip: Uint32Array;
  private readonly srvip: Uint32Array;
  private readonly clnport: Uint16Array;
  private readonly srvport: Uint16Array;
  private readonly proto: Uint8Array;
  private readonly clnpkts: Float64Array;
  private readonly srvpkts: Float64Array;
  private readonly clnbyts: Float64Array;
  private readonly srvbyts: Float64Array;
  private readonly flags: Uint8Array;
  private readonly tos: Uint8Array;
  private readonly inif: Uint32Array;
  private readonly outif: Uint32Array;
  private readonly invlan: Uint16Array;
  private readonly outvlan: Uint16Array;
  private readonly clnas: Uint32Array;
  private readonly srvas: Uint32Array;
  private readonly clncc: Uint16Array;
  private readonly srvcc: Uint16Array;
  private readonly clnmac: Float64Array;
  private readonly srvmac: Float64Array;
  private readonly expip: Uint32Array;
  private readonly srcid: Uint32Array;
  private readonly expv: Uint8Array;
  private readonly asaevt: Uint16Array;
  private readonly asaextevt: Uint16Array;
  private readonly clnxip: Uint32Array;
  private readonly srvxip: Uint32Array;
  private readonly clnxport: Uint16Array;
  private readonly srvxport: Uint16Array;
  private readonly mpls: Uint32Array;
  private readonly samplerate: Uint32Array;
  private readonly sampleorigin: Uint8Array;
  private readonly flows: Uint32Array;

  /** `cols` must be a full set of columns as allocColumns makes them. */
  constructor(cols: Columns) {
    this.cols = cols;
    this.start = cols.start as Float64Array;
    this.end = cols.end as Float64Array;
    this.clnip = cols.clnip as Uint32Array;
    this.srvip = cols.srvip as Uint32Array;
    this.clnport = cols.clnport as Uint16Array;
    this.srvport = cols.srvport as Uint16Array;
    this.proto = cols.proto as Uint8Array;
    this.clnpkts = cols.clnpkts as Float64Array;
    this.srvpkts = cols.srvpkts as Float64Array;
    this.clnbyts = cols.clnbyts as Float64Array;
    this.srvbyts = cols.srvbyts as Float64Array;
    this.flags = cols.flags as Uint8Array;
    this.tos = cols.tos as Uint8Array;
    this.inif = cols.inif as Uint32Array;
    this.outif = cols.outif as Uint32Array;
    this.invlan = cols.invlan as Uint16Array;
    this.outvlan = cols.outvlan as Uint16Array;
    this.clnas = cols.clnas as Uint32Array;
    this.srvas = cols.srvas as Uint32Array;
    this.clncc = cols.clncc as Uint16Array;
    this.srvcc = cols.srvcc as Uint16Array;
    this.clnmac = cols.clnmac as Float64Array;
    this.srvmac = cols.srvmac as Float64Array;
    this.expip = cols.expip as Uint32Array;
    this.srcid = cols.srcid as Uint32Array;
    this.expv = cols.expv as Uint8Array;
    this.asaevt = cols.asaevt as Uint16Array;
    this.asaextevt = cols.asaextevt as Uint16Array;
    this.clnxip = cols.clnxip as Uint32Array;
    this.srvxip = cols.srvxip as Uint32Array;
    this.clnxport = cols.clnxport as Uint16Array;
    this.srvxport = cols.srvxport as Uint16Array;
    this.mpls = cols.mpls as Uint32Array;
    this.samplerate = cols.samplerate as Uint32Array;
    this.sampleorigin = cols.sampleorigin as Uint8Array;
    this.flows = cols.flows as Uint32Array;
  }

  /**
   * Row `row` := slot `s` of `t` over [start, end] with these counters (sent by endpoint A / B) and
   * flow count. Country codes are left 0 for the enrichment stage.
   */
  write(row: number, t: SessionTable, s: number, start: number, end: number, pA: number, bA: number, pB: number, bB: number, flows: number): void {
    const u32 = t.u32;
    const u16 = t.u16;
    const f64 = t.f64;
    const o32 = s * S32;
    const o16 = s * S16;
    const o64 = s * S64;
    const st = t.u8[s * SLOT_BYTES + F_STATE]!;
    const cB = (st & ST_CLIENT_B) !== 0;
    const r4 = row * 4;
    const cl = o32 + (cB ? K_B : K_A);
    const sv = o32 + (cB ? K_A : K_B);
    this.start[row] = start;
    this.end[row] = end;
    const clnip = this.clnip;
    const srvip = this.srvip;
    clnip[r4] = u32[cl]!;
    clnip[r4 + 1] = u32[cl + 1]!;
    clnip[r4 + 2] = u32[cl + 2]!;
    clnip[r4 + 3] = u32[cl + 3]!;
    srvip[r4] = u32[sv]!;
    srvip[r4 + 1] = u32[sv + 1]!;
    srvip[r4 + 2] = u32[sv + 2]!;
    srvip[r4 + 3] = u32[sv + 3]!;
    const proto = u32[o32 + K_PROTO]!;
    const ports = u32[o32 + K_PORTS]!;
    if (proto === 1 || proto === 58) {
      this.clnport[row] = 0;
      this.srvport[row] = ports & 0xffff;
    } else {
      this.clnport[row] = cB ? ports & 0xffff : ports >>> 16;
      this.srvport[row] = cB ? ports >>> 16 : ports & 0xffff;
    }
    this.proto[row] = proto;
    this.clnpkts[row] = cB ? pB : pA;
    this.srvpkts[row] = cB ? pA : pB;
    this.clnbyts[row] = cB ? bB : bA;
    this.srvbyts[row] = cB ? bA : bB;
    this.flags[row] = t.u8[s * SLOT_BYTES + F_FLAGS]!;
    this.tos[row] = t.u8[s * SLOT_BYTES + F_TOS]!;
    // interfaces and VLANs are stored as their flow saw them: swap when that flow went server → client
    const fromClient = ((st & ST_ATTR_B) !== 0) === cB;
    this.inif[row] = u32[o32 + (fromClient ? F_INIF : F_OUTIF)]!;
    this.outif[row] = u32[o32 + (fromClient ? F_OUTIF : F_INIF)]!;
    this.invlan[row] = u16[o16 + (fromClient ? F_VLANIN : F_VLANOUT)]!;
    this.outvlan[row] = u16[o16 + (fromClient ? F_VLANOUT : F_VLANIN)]!;
    this.clnas[row] = u32[o32 + (cB ? F_ASB : F_ASA)]!;
    this.srvas[row] = u32[o32 + (cB ? F_ASA : F_ASB)]!;
    this.clncc[row] = 0;
    this.srvcc[row] = 0;
    this.clnmac[row] = f64[o64 + (cB ? F_MACB : F_MACA)]!;
    this.srvmac[row] = f64[o64 + (cB ? F_MACA : F_MACB)]!;
    const expip = this.expip;
    expip[r4] = u32[o32]!;
    expip[r4 + 1] = u32[o32 + 1]!;
    expip[r4 + 2] = u32[o32 + 2]!;
    expip[r4 + 3] = u32[o32 + 3]!;
    this.srcid[row] = u32[o32 + K_SRCID]!;
    this.expv[row] = t.u8[s * SLOT_BYTES + F_EXPV]!;
    this.asaevt[row] = u16[o16 + F_EVT]!;
    this.asaextevt[row] = u16[o16 + F_EXTEVT]!;
    const xc = o32 + (cB ? F_XB : F_XA);
    const xs = o32 + (cB ? F_XA : F_XB);
    const clnxip = this.clnxip;
    const srvxip = this.srvxip;
    clnxip[r4] = u32[xc]!;
    clnxip[r4 + 1] = u32[xc + 1]!;
    clnxip[r4 + 2] = u32[xc + 2]!;
    clnxip[r4 + 3] = u32[xc + 3]!;
    srvxip[r4] = u32[xs]!;
    srvxip[r4 + 1] = u32[xs + 1]!;
    srvxip[r4 + 2] = u32[xs + 2]!;
    srvxip[r4 + 3] = u32[xs + 3]!;
    this.clnxport[row] = u16[o16 + (cB ? F_XPB : F_XPA)]!;
    this.srvxport[row] = u16[o16 + (cB ? F_XPA : F_XPB)]!;
    this.mpls[row] = u32[o32 + F_MPLS]!;
    const rate = u32[o32 + F_RATE]!;
    this.samplerate[row] = rate > 1 ? rate : 1;
    this.sampleorigin[row] = t.u8[s * SLOT_BYTES + F_ORIGIN]!;
    this.flows[row] = flows;
  }
}
