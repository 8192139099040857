// Reassembles TCP payload per direction of each connection: in sequence order, without
// retransmitted or overlapping bytes, holding early segments until the gap before them is filled.

import type { IpPacket } from './parsepacket.js';

interface Direction {
  /** Next expected sequence number (mod 2^32); -1 until the first segment fixes it. */
  next: number;
  /** Segments beyond `next`, by sequence number. */
  early: Map<number, Uint8Array>;
  earlyBytes: number;
  finished: boolean;
}

const TWO32 = 4294967296;
/** Signed distance a - b in sequence space. */
const seqDiff = (a: number, b: number): number => ((a - b) | 0);

/** Bytes held out of order per direction before the earliest are dropped (a broken capture). */
const MAX_EARLY_BYTES = 16 * 1024 * 1024;

export class TcpReassembler {
  private readonly dirs = new Map<string, Direction>();

  /** Key of the direction a packet travels: `src:port>dst:port`. */
  static key(p: IpPacket): string {
    return `${p.src}:${p.srcPort}>${p.dst}:${p.dstPort}`;
  }

  /**
   * Add a TCP packet; returns the bytes that became contiguous in its direction (possibly none).
   * Non-TCP packets give an empty array.
   */
  push(pkt: IpPacket): Uint8Array {
    const tcp = pkt.tcp;
    if (tcp === undefined || pkt.fragment) return new Uint8Array(0);
    const key = TcpReassembler.key(pkt);
    let d = this.dirs.get(key);
    if (d === undefined) {
      d = { next: -1, early: new Map(), earlyBytes: 0, finished: false };
      this.dirs.set(key, d);
    }
    const syn = (tcp.flags & 2) !== 0;
    let seq = tcp.seq;
    if (syn) {
      d.next = (seq + 1) % TWO32;
      seq = d.next;
    } else if (d.next < 0) {
      d.next = seq;
    }
    if ((tcp.flags & 1) !== 0) d.finished = true;
    let data = pkt.payload;
    if (data.length === 0) return new Uint8Array(0);
    const lag = seqDiff(d.next, seq);
    if (lag >= data.length) return new Uint8Array(0);
    if (lag > 0) {
      data = data.subarray(lag);
      seq = d.next;
    }
    if (seq !== d.next) {
      if (!d.early.has(seq) || d.early.get(seq)!.length < data.length) {
        d.earlyBytes += data.length - (d.early.get(seq)?.length ?? 0);
        d.early.set(seq, data.slice());
      }
      if (d.earlyBytes > MAX_EARLY_BYTES) {
        d.early.clear();
        d.earlyBytes = 0;
      }
      return new Uint8Array(0);
    }
    const parts: Uint8Array[] = [data];
    d.next = (d.next + data.length) % TWO32;
    for (;;) {
      let advanced = false;
      for (const [s, seg] of d.early) {
        const l = seqDiff(d.next, s);
        if (l < 0) continue;
        d.early.delete(s);
        d.earlyBytes -= seg.length;
        if (l < seg.length) {
          parts.push(seg.subarray(l));
          d.next = (d.next + seg.length - l) % TWO32;
          advanced = true;
        }
      }
      if (!advanced) break;
    }
    if (parts.length === 1) return parts[0]!;
    const total = parts.reduce((n, x) => n + x.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const x of parts) {
      out.set(x, o);
      o += x.length;
    }
    return out;
  }

  /** Whether a FIN was seen in this direction. */
  finished(key: string): boolean {
    return this.dirs.get(key)?.finished ?? false;
  }
}
