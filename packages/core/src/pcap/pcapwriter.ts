// Writes classic libpcap files (microsecond timestamps, little-endian, as tcpdump writes them on x86),
// so tests and tools can hand generated traffic to programs that read captures (softflowd, pmacctd, tshark).

import { LINKTYPE } from './parsepacket.js';
import { PcapError } from './pcaperror.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapWriterOptions {
  /** LINKTYPE_* of every packet; default 1 (Ethernet). */
  linkType?: number;
  /** Bytes kept of each frame; longer frames are cut, their wire length kept (as a capture with -s does). Default 65535. */
  snapLen?: number;
}

/** Builds a pcap file in memory: `add` frames in time order, then take `bytes()`. */
export class PcapWriter {
  readonly linkType: number;
  readonly snapLen: number;
  private buf: Uint8Array;
  private view: DataView;
  private size = 0;
  private packets = 0;

  constructor(options: PcapWriterOptions = {}) {
    const linkType = options.linkType ?? LINKTYPE.ethernet;
    const snapLen = options.snapLen ?? 65535;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0x0fffffff) {
      throw new PcapError('BAD_PACKET', 0, `link type must be a LINKTYPE number from 0 to 268435455, got ${String(linkType)}`);
    }
    if (!Number.isInteger(snapLen) || snapLen < 1 || snapLen > 262144) {
      throw new PcapError('BAD_PACKET', 0, `snapshot length must be a whole number of bytes from 1 to 262144, got ${String(snapLen)}`);
    }
    this.linkType = linkType;
    this.snapLen = snapLen;
    this.buf = new Uint8Array(4096);
    this.view = new DataView(this.buf.buffer);
    const v = this.view;
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    // bytes 8-15: time zone offset and accuracy, always 0
    v.setUint32(16, snapLen, true);
    v.setUint32(20, linkType, true);
    this.size = FILE_HEADER;
  }

  /** Frames written so far. */
  get count(): number {
    return this.packets;
  }

  /**
   * Append one frame captured at `timeUs` (µs since the Unix epoch). `wireLength` is the frame's
   * length on the wire when it was longer than the bytes given (default: the bytes given).
   */
  add(timeUs: number, frame: Uint8Array, wireLength = frame.length): void {
    const at = this.size;
    if (!Number.isSafeInteger(timeUs) || timeUs < 0 || timeUs >= 2 ** 32 * 1e6) {
      throw new PcapError('BAD_PACKET', at, `packet ${this.packets + 1}: time must be a whole number of µs since the epoch before 2106, got ${String(timeUs)}`);
    }
    if (!Number.isInteger(wireLength) || wireLength < frame.length || wireLength > 0xffffffff) {
      throw new PcapError('BAD_PACKET', at, `packet ${this.packets + 1}: wire length ${String(wireLength)} is below the ${frame.length} bytes given`);
    }
    const incl = Math.min(frame.length, this.snapLen);
    this.ensure(RECORD_HEADER + incl);
    const v = this.view;
    const sec = Math.floor(timeUs / 1e6);
    v.setUint32(at, sec, true);
    v.setUint32(at + 4, timeUs - sec * 1e6, true);
    v.setUint32(at + 8, incl, true);
    v.setUint32(at + 12, wireLength, true);
    this.buf.set(frame.subarray(0, incl), at + RECORD_HEADER);
    this.size = at + RECORD_HEADER + incl;
    this.packets++;
  }

  /** The file so far (a copy: the writer can go on). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.size);
  }

  private ensure(n: number): void {
    if (this.size + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.size + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
