// Addresses of an ip column (four words a row) as text straight into an output buffer: IPv4 from a
// table of the 256 octets, IPv6 (RFC 5952, as core's formatIp) through a small cache of recent addresses.

import type { ColumnArray } from '@opentraq/core';
import { LITTLE_ENDIAN, wordOf } from './ascii.js';

/** The longest address text: eight groups of four hex digits and seven colons. */
export const IP_MAX_BYTES = 39;

/** Per octet: its digits followed by a dot, as one word (at most four bytes), and how many of the bytes count. */
const OCTET_DOT = Uint32Array.from({ length: 256 }, (_, v) => wordOf(`${v}.`));
const OCTET_DOT_BYTES = Uint8Array.from({ length: 256 }, (_, v) => String(v).length + 1);

const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Writes the 16-bit group `g` in hex without leading zeros; returns the end. */
function hexGroup(buf: Uint8Array, pos: number, g: number): number {
  if (g >= 0x1000) buf[pos++] = HEX_DIGITS[g >>> 12]!;
  if (g >= 0x100) buf[pos++] = HEX_DIGITS[(g >>> 8) & 15]!;
  if (g >= 0x10) buf[pos++] = HEX_DIGITS[(g >>> 4) & 15]!;
  buf[pos] = HEX_DIGITS[g & 15]!;
  return pos + 1;
}

/**
 * RFC 5952 text of an IPv6 address: lowercase hex groups without leading zeros, the longest run of
 * two or more zero groups (the first of equal runs) written `::`. `groups` is scratch for the eight groups.
 */
function writeIpv6(buf: Uint8Array, pos: number, w0: number, w1: number, w2: number, w3: number, groups: Uint16Array): number {
  groups[0] = w0 >>> 16;
  groups[1] = w0;
  groups[2] = w1 >>> 16;
  groups[3] = w1;
  groups[4] = w2 >>> 16;
  groups[5] = w2;
  groups[6] = w3 >>> 16;
  groups[7] = w3;
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  let p = pos;
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      buf[p++] = 58;
      buf[p++] = 58;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestAt + bestLen) buf[p++] = 58;
    p = hexGroup(buf, p, groups[i]!);
  }
  return p;
}

/** IPv6 addresses remembered, direct-mapped by a hash of the words: a power of two. */
const SLOTS = 4096;
/** Bytes a cached text takes: IP_MAX_BYTES rounded up to whole words. */
const TEXT_STRIDE = 40;

/**
 * One per answer: the cache holds the IPv6 addresses seen last (the exporters', busy servers), so that
 * most rows copy their text instead of formatting it. Text is copied a word (four bytes) at a time:
 * the buffer written to must have three bytes of room past the text, which are left as junk.
 */
export class IpFormatter {
  private readonly words = new Uint32Array(SLOTS * 4);
  /** Text length per slot; 0: empty (no address is shorter than 2). */
  private readonly lengths = new Uint8Array(SLOTS);
  private readonly texts = new Uint8Array(SLOTS * TEXT_STRIDE);
  private readonly textWords = new Uint32Array(this.texts.buffer);
  private readonly groups = new Uint16Array(8);

  /** Writes the address at words col[o .. o + 3] at buf[pos] (`view`: a DataView of buf); returns the end. */
  write(buf: Uint8Array, view: DataView, pos: number, col: ColumnArray, o: number): number {
    const w0 = col[o]!;
    const w1 = col[o + 1]!;
    const w2 = col[o + 2]!;
    const w3 = col[o + 3]!;
    if (w2 === 0xffff && w0 === 0 && w1 === 0) {
      let p = pos;
      let x = w3 >>> 24;
      view.setUint32(p, OCTET_DOT[x]!, LITTLE_ENDIAN);
      p += OCTET_DOT_BYTES[x]!;
      x = (w3 >>> 16) & 255;
      view.setUint32(p, OCTET_DOT[x]!, LITTLE_ENDIAN);
      p += OCTET_DOT_BYTES[x]!;
      x = (w3 >>> 8) & 255;
      view.setUint32(p, OCTET_DOT[x]!, LITTLE_ENDIAN);
      p += OCTET_DOT_BYTES[x]!;
      x = w3 & 255;
      view.setUint32(p, OCTET_DOT[x]!, LITTLE_ENDIAN);
      // the last octet without its dot
      return p + OCTET_DOT_BYTES[x]! - 1;
    }
    // `::`, the translated addresses of every session without NAT
    if ((w0 | w1 | w2 | w3) === 0) {
      buf[pos] = 58;
      buf[pos + 1] = 58;
      return pos + 2;
    }
    const slot = (Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(w2 ^ Math.imul(w3, 0xc2b2ae35), 0x27d4eb2f)) >>> 20;
    const k = slot * 4;
    const words = this.words;
    let len = this.lengths[slot]!;
    if (len === 0 || words[k] !== w0 || words[k + 1] !== w1 || words[k + 2] !== w2 || words[k + 3] !== w3) {
      const at = slot * TEXT_STRIDE;
      len = writeIpv6(this.texts, at, w0, w1, w2, w3, this.groups) - at;
      words[k] = w0;
      words[k + 1] = w1;
      words[k + 2] = w2;
      words[k + 3] = w3;
      this.lengths[slot] = len;
    }
    const tw = this.textWords;
    const from = slot * (TEXT_STRIDE / 4);
    for (let j = 0; j < len; j += 4) view.setUint32(pos + j, tw[from + (j >> 2)]!, LITTLE_ENDIAN);
    return pos + len;
  }
}
