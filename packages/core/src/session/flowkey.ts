// The session key of a flow record: exporter, source id, protocol and the two endpoints in a fixed
// order, so that a flow and its reverse get the same key; plus which endpoint sent the flow.

import type { FlowView } from './flowview.js';

/** Words of a key: 0-3 exporter address, 4 source id, 5-8 endpoint A, 9-12 endpoint B, 13 ports, 14 protocol. */
export const KEY_WORDS = 15;
export const K_SRCID = 4;
export const K_A = 5;
export const K_B = 9;
export const K_PORTS = 13;
export const K_PROTO = 14;

/** flowKey result bit: endpoint B sent the flow (else A did). */
export const SENT_BY_B = 1;
/** flowKey result bit: an ICMP query (echo request…): the sender is the client. */
export const ICMP_QUERY = 2;
/** flowKey result bit: an ICMP reply, re-keyed as its query: the receiver is the client. */
export const ICMP_REPLY = 4;

/** ICMP reply type → its query type, per protocol (-1: not a reply); query types marked in QUERY. */
const REPLY_V4 = new Int16Array(256).fill(-1);
const REPLY_V6 = new Int16Array(256).fill(-1);
const QUERY_V4 = new Uint8Array(256);
const QUERY_V6 = new Uint8Array(256);
// ICMPv4: echo, timestamp, information, address mask (RFC 792, RFC 950).
for (const [reply, query] of [[0, 8], [14, 13], [16, 15], [18, 17]] as const) {
  REPLY_V4[reply] = query;
  QUERY_V4[query] = 1;
}
// ICMPv6: echo (RFC 4443), node information (RFC 4620).
for (const [reply, query] of [[129, 128], [140, 139]] as const) {
  REPLY_V6[reply] = query;
  QUERY_V6[query] = 1;
}

/**
 * Write row `i`'s key into `key` (KEY_WORDS words from `at`) and return the SENT_BY_B / ICMP_* bits.
 *
 * Endpoints are ordered by address, then port: A is the smaller (address, port). The ports word is
 * A's port << 16 | B's port. ICMP (protocol 1 and 58) has no ports: the word is the type << 8 | code
 * that decoders put in dstPort, the source port is ignored (some exporters put the ICMP identifier
 * there), and a reply is keyed as its query (echo reply 0/x as echo request 8/x), so that request
 * and reply meet in one session; endpoints of ICMP keys are ordered by address alone.
 */
export function flowKey(b: FlowView, i: number, key: Uint32Array, at: number): number {
  const o = i * 4;
  const ex = b.exporter;
  key[at] = ex[o]!;
  key[at + 1] = ex[o + 1]!;
  key[at + 2] = ex[o + 2]!;
  key[at + 3] = ex[o + 3]!;
  key[at + K_SRCID] = b.srcId[i]!;
  const proto = b.proto[i]!;
  key[at + K_PROTO] = proto;
  let sp = b.srcPort[i]!;
  let dp = b.dstPort[i]!;
  let meta = 0;
  const icmp = proto === 1 || proto === 58;
  if (icmp) {
    const type = dp >>> 8;
    const query = (proto === 1 ? REPLY_V4 : REPLY_V6)[type]!;
    if (query >= 0) {
      dp = (query << 8) | (dp & 0xff);
      meta = ICMP_REPLY;
    } else if ((proto === 1 ? QUERY_V4 : QUERY_V6)[type] === 1) {
      meta = ICMP_QUERY;
    }
    sp = 0;
  }
  const sa = b.srcAddr;
  const da = b.dstAddr;
  const s0 = sa[o]!, s1 = sa[o + 1]!, s2 = sa[o + 2]!, s3 = sa[o + 3]!;
  const d0 = da[o]!, d1 = da[o + 1]!, d2 = da[o + 2]!, d3 = da[o + 3]!;
  let srcFirst: boolean;
  if (s0 !== d0) srcFirst = s0 < d0;
  else if (s1 !== d1) srcFirst = s1 < d1;
  else if (s2 !== d2) srcFirst = s2 < d2;
  else if (s3 !== d3) srcFirst = s3 < d3;
  else srcFirst = icmp || sp <= dp;
  if (srcFirst) {
    key[at + 5] = s0; key[at + 6] = s1; key[at + 7] = s2; key[at + 8] = s3;
    key[at + 9] = d0; key[at + 10] = d1; key[at + 11] = d2; key[at + 12] = d3;
    key[at + K_PORTS] = icmp ? dp : ((sp << 16) | dp) >>> 0;
  } else {
    key[at + 5] = d0; key[at + 6] = d1; key[at + 7] = d2; key[at + 8] = d3;
    key[at + 9] = s0; key[at + 10] = s1; key[at + 11] = s2; key[at + 12] = s3;
    key[at + K_PORTS] = icmp ? dp : ((dp << 16) | sp) >>> 0;
    meta |= SENT_BY_B;
  }
  return meta;
}

/** 32-bit hash of the key at `key[at]` (MurmurHash3's mixing, word by word). */
export function hashKey(key: Uint32Array, at: number): number {
  let h = 0x9747b28c;
  for (let j = at; j < at + KEY_WORDS; j++) {
    let w = Math.imul(key[j]!, 0xcc9e2d51);
    w = (w << 15) | (w >>> 17);
    h ^= Math.imul(w, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
