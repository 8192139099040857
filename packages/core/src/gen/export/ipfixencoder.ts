// IPFIX (RFC 7011) export messages from FlowBatch rows: UDP datagrams, or one byte stream of messages
// for a TCP transport session. One IPv4 and one IPv6 template, absolute millisecond flow times.

import type { FlowBatch } from '../../decode/flowbatch.js';
import { templatedOptions, TemplatedEncoder } from './templatedencoder.js';

export interface IpfixEncoderOptions {
  /** Observation domain id of the header. Default 0. */
  readonly observationDomain?: number;
  /** Template id of IPv4 records, 256-65534; IPv6 records use templateId + 1. Default 256. */
  readonly templateId?: number;
  /** Templates go in the first message and then in every Nth (N = this; 0: only the first). Default 20. */
  readonly templateEvery?: number;
  /** Largest message in bytes (a UDP payload, or a message of the TCP stream). Default 1400. */
  readonly maxDatagramBytes?: number;
  /** Sequence number of the first message: data records sent before it in this domain. Default 0. */
  readonly sequence?: number;
}

/**
 * Encodes flow records into IPFIX messages. One encoder is one exporter's observation domain (over UDP,
 * or one TCP connection): the sequence number (data records sent before each message, modulo 2^32)
 * and the template refresh count carry over from call to call.
 *
 * Records carry the fields NetflowV9Encoder sends with flowStartMilliseconds / flowEndMilliseconds
 * (152/153) for times: nfdump 1.7, tshark and our decoder read them; the flow's µs below the
 * millisecond are dropped. TCP flags are sent in one byte (reduced-size tcpControlBits).
 */
export class IpfixEncoder {
  private readonly core: TemplatedEncoder;

  /** Throws ExportEncoderError (ERR_EXPORT_OPTION) for an invalid option. */
  constructor(options: IpfixEncoderOptions = {}) {
    const o = templatedOptions(
      'IpfixEncoder',
      {
        domain: options.observationDomain,
        domainName: 'observationDomain',
        templateId: options.templateId,
        templateEvery: options.templateEvery,
        maxBytes: options.maxDatagramBytes,
        sequence: options.sequence,
        bootTimeMs: undefined,
      },
      65535,
    );
    this.core = new TemplatedEncoder(10, o);
  }

  get observationDomain(): number {
    return this.core.options.domain;
  }

  get templateId(): number {
    return this.core.options.templateId;
  }

  /** Sequence number the next message will carry. */
  get sequence(): number {
    return this.core.sequence;
  }

  /** Messages encoded so far. */
  get messages(): number {
    return this.core.datagrams;
  }

  /**
   * Rows [from, to) of `batch` as IPFIX messages (one per UDP datagram) with export time
   * `exportTimeMs`, in row order. Throws ExportEncoderError for a bad range or a row the format cannot
   * carry (see NetflowV9Encoder.encode), before anything is encoded.
   */
  encode(batch: FlowBatch, from: number, to: number, exportTimeMs: number): Uint8Array[] {
    return this.core.encode(batch, from, to, exportTimeMs);
  }

  /** The same messages concatenated: what a TCP transport session carries (RFC 7011 §10.4). */
  encodeStream(batch: FlowBatch, from: number, to: number, exportTimeMs: number): Uint8Array {
    const msgs = this.core.encode(batch, from, to, exportTimeMs);
    const out = new Uint8Array(msgs.reduce((n, m) => n + m.length, 0));
    let p = 0;
    for (const m of msgs) {
      out.set(m, p);
      p += m.length;
    }
    return out;
  }
}
