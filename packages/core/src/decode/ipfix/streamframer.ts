// Cuts an IPFIX-over-TCP byte stream (RFC 7011 §10.4) into whole messages, whatever the read sizes:
// messages spanning reads, many messages in one read. A bad header means the stream is lost.

import { u16 } from '../bytes.js';

export type IpfixStreamErrorCode = 'BAD_VERSION' | 'BAD_LENGTH';

export class IpfixStreamError extends Error {
  override readonly name = 'IpfixStreamError';
  readonly code: IpfixStreamErrorCode;
  /** Offset in the stream (bytes since the first push) of the bad message header. */
  readonly offset: number;

  constructor(code: IpfixStreamErrorCode, offset: number, detail: string) {
    super(`IPFIX stream byte ${offset}: ${detail}; the stream cannot be resynchronised and must be closed`);
    this.code = code;
    this.offset = offset;
  }
}

const MAX_MESSAGE = 65535;

/**
 * Feed it the bytes of one TCP connection with `push`; each complete message is passed to
 * `onMessage` before `push` returns. The message bytes may be a view into the chunk or into the
 * framer's own buffer: use them (decode, copy) during the callback only.
 */
export class IpfixStreamFramer {
  private readonly buf = new Uint8Array(MAX_MESSAGE);
  private have = 0;
  private offset = 0;
  /** Set when the stream broke; every later push is refused. */
  error: IpfixStreamError | null = null;
  /** Messages emitted so far. */
  messages = 0;

  /** Bytes received that belong to a message not yet complete. */
  get buffered(): number {
    return this.have;
  }

  /** Returns false when the stream is broken (see `error`): close the connection. */
  push(chunk: Uint8Array, onMessage: (msg: Uint8Array) => void): boolean {
    if (this.error !== null) return false;
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (this.have === 0 && n - p >= 4) {
        const len = this.check(chunk, p);
        if (len < 0) return false;
        if (n - p >= len) {
          this.emit(chunk.subarray(p, p + len), onMessage);
          p += len;
          continue;
        }
      }
      if (this.have < 4) {
        const take = Math.min(4 - this.have, n - p);
        this.buf.set(chunk.subarray(p, p + take), this.have);
        this.have += take;
        p += take;
        if (this.have < 4) break;
      }
      const len = this.check(this.buf, 0);
      if (len < 0) return false;
      const take = Math.min(len - this.have, n - p);
      this.buf.set(chunk.subarray(p, p + take), this.have);
      this.have += take;
      p += take;
      if (this.have === len) {
        this.have = 0;
        this.emit(this.buf.subarray(0, len), onMessage);
      }
    }
    return true;
  }

  /**
   * The stream ended (the connection closed): the bytes received of a message not yet complete, as a
   * copy, or null when it ended between two messages or had broken (see `error`). The framer is empty
   * afterwards. Decoded with `transport: 'tcp'` they count as `truncated_stream` for the connection.
   */
  finish(): Uint8Array | null {
    const n = this.have;
    this.have = 0;
    if (n === 0 || this.error !== null) return null;
    this.offset += n;
    return this.buf.slice(0, n);
  }

  /** Length of the message whose header starts at b[p]; -1 (and `error`) when invalid. */
  private check(b: Uint8Array, p: number): number {
    const version = u16(b, p);
    const len = u16(b, p + 2);
    // Everything before the current message has been emitted, so its stream offset is `offset`.
    const at = this.offset;
    if (version !== 10) {
      this.error = new IpfixStreamError('BAD_VERSION', at, `version ${version} where an IPFIX message header (version 10) must start`);
      return -1;
    }
    if (len < 16) {
      this.error = new IpfixStreamError('BAD_LENGTH', at, `message length ${len} is shorter than the 16-byte header`);
      return -1;
    }
    return len;
  }

  private emit(msg: Uint8Array, onMessage: (msg: Uint8Array) => void): void {
    this.offset += msg.length;
    this.messages++;
    onMessage(msg);
  }
}
