// Reads classic libpcap files (microsecond and nanosecond magic, either byte order) into packets.
// The whole file is in memory; packet data are views into it, not copies.

import { PcapError } from './pcaperror.js';

export interface PcapPacket {
  /** Capture time, µs since the Unix epoch. */
  readonly timeUs: number;
  /** Captured bytes (a view into the file buffer). */
  readonly data: Uint8Array;
  /** Length of the packet on the wire (>= data.length when the capture was cut at the snapshot length). */
  readonly origLen: number;
}

export interface PcapFile {
  /** LINKTYPE_* of every packet (1 = Ethernet). */
  readonly linkType: number;
  readonly nanosecond: boolean;
  readonly snapLen: number;
  readonly packets: readonly PcapPacket[];
}

const MAX_RECORD = 256 * 1024;

/** Parse a classic pcap file. Throws PcapError when the file is not one, or a record is corrupt. */
export function readPcap(buf: Uint8Array): PcapFile {
  if (buf.length < 24) {
    if (buf.length >= 4 && magicOf(buf) === 0x0a0d0d0a) throw pcapng();
    throw new PcapError(buf.length < 4 ? 'NOT_PCAP' : 'TRUNCATED', 0, `file is ${buf.length} bytes, shorter than the 24-byte pcap header`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicBE = dv.getUint32(0, false);
  let little: boolean;
  let nanosecond: boolean;
  switch (magicBE) {
    case 0xa1b2c3d4:
      little = false;
      nanosecond = false;
      break;
    case 0xd4c3b2a1:
      little = true;
      nanosecond = false;
      break;
    case 0xa1b23c4d:
      little = false;
      nanosecond = true;
      break;
    case 0x4d3cb2a1:
      little = true;
      nanosecond = true;
      break;
    case 0x0a0d0d0a:
      throw pcapng();
    default:
      throw new PcapError('NOT_PCAP', 0, `magic number 0x${magicBE.toString(16).padStart(8, '0')} is not a pcap magic number`);
  }
  const snapLen = dv.getUint32(16, little);
  const linkType = dv.getUint32(20, little) & 0x0fffffff;
  const limit = Math.min(MAX_RECORD, Math.max(snapLen, 65535));
  const packets: PcapPacket[] = [];
  let p = 24;
  while (p < buf.length) {
    if (buf.length - p < 16) throw new PcapError('TRUNCATED', p, `record header cut short (${buf.length - p} of 16 bytes)`);
    const sec = dv.getUint32(p, little);
    const frac = dv.getUint32(p + 4, little);
    const incl = dv.getUint32(p + 8, little);
    const orig = dv.getUint32(p + 12, little);
    if (incl > limit) throw new PcapError('BAD_RECORD', p, `record captured length ${incl} exceeds ${limit} bytes`);
    if (p + 16 + incl > buf.length) throw new PcapError('TRUNCATED', p, `record data cut short (${buf.length - p - 16} of ${incl} bytes)`);
    packets.push({
      timeUs: sec * 1e6 + (nanosecond ? Math.floor(frac / 1000) : frac),
      data: buf.subarray(p + 16, p + 16 + incl),
      origLen: orig,
    });
    p += 16 + incl;
  }
  return { linkType, nanosecond, snapLen, packets };
}

function magicOf(buf: Uint8Array): number {
  return ((buf[0]! << 24) | (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!) >>> 0;
}

function pcapng(): PcapError {
  return new PcapError('PCAPNG', 0, 'file is pcapng, only classic pcap is read (convert with: editcap -F pcap in.pcapng out.pcap)');
}
