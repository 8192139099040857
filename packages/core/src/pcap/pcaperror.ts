// The one error type of the pcap reader and writer: a file that is not a classic pcap, is corrupt,
// or a packet that cannot be written. `code` is stable for callers; the message says where in the file.

export type PcapErrorCode =
  /** The file does not start with a classic pcap magic number. */
  | 'NOT_PCAP'
  /** The file is pcapng (not supported: convert with `editcap -F pcap`). */
  | 'PCAPNG'
  /** The global header or a record header is cut short. */
  | 'TRUNCATED'
  /** A record's captured length is impossible (above the snapshot length or 256 KiB). */
  | 'BAD_RECORD'
  /** PcapWriter: a packet that cannot be written (time not a whole number of µs >= 0, frame above the snapshot length). */
  | 'BAD_PACKET';

export class PcapError extends Error {
  override readonly name = 'PcapError';
  readonly code: PcapErrorCode;
  /** Byte offset in the file the error is about. */
  readonly offset: number;

  constructor(code: PcapErrorCode, offset: number, detail: string) {
    super(`pcap byte ${offset}: ${detail}`);
    this.code = code;
    this.offset = offset;
  }
}
