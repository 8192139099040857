// NetFlow v9 (RFC 3954) export datagrams from FlowBatch rows, as a router would send them: one IPv4 and
// one IPv6 template, refreshed every N datagrams, sysUptime-relative flow times, 8-byte counters.

import type { FlowBatch } from '../../decode/flowbatch.js';
import { templatedOptions, TemplatedEncoder } from './templatedencoder.js';

export interface NetflowV9EncoderOptions {
  /** Source id of the header (the exporter's observation domain). Default 0. */
  readonly sourceId?: number;
  /** Template id of IPv4 records, 256-65534; IPv6 records use templateId + 1. Default 256. */
  readonly templateId?: number;
  /**
   * Exporter boot time, ms since the epoch: sysUptime = export time - boot time. Default: 20 days
   * before the first export time, so flows up to 20 days older than their export need no wrap.
   */
  readonly bootTimeMs?: number;
  /** Templates go in the first datagram and then in every Nth (N = this; 0: only the first). Default 20. */
  readonly templateEvery?: number;
  /** Largest datagram (UDP payload) in bytes. Default 1400. */
  readonly maxDatagramBytes?: number;
  /** Sequence number of the first datagram. Default 0. */
  readonly sequence?: number;
}

/**
 * Encodes flow records into NetFlow v9 export packets. One encoder is one exporter's source id: the
 * sequence number (one per packet) and the template refresh count carry over from call to call.
 *
 * Every record carries addresses, ports, protocol, ToS, TCP flags, interfaces, packets and bytes
 * (8 bytes each), first/last switched (sysUptime), ASes, VLANs, MACs, top MPLS label, NAT addresses and
 * ports (IEs 225-228, 281/282) and firewall event (233). The header's sysUptime is taken at the whole
 * second of its unix_secs, so a decoder computing unix_secs - (sysUptime - first) gets each flow's
 * start and end back to the millisecond (µs below it are dropped).
 */
export class NetflowV9Encoder {
  private readonly core: TemplatedEncoder;

  /** Throws ExportEncoderError (ERR_EXPORT_OPTION) for an invalid option. */
  constructor(options: NetflowV9EncoderOptions = {}) {
    const o = templatedOptions(
      'NetflowV9Encoder',
      {
        domain: options.sourceId,
        domainName: 'sourceId',
        templateId: options.templateId,
        templateEvery: options.templateEvery,
        maxBytes: options.maxDatagramBytes,
        sequence: options.sequence,
        bootTimeMs: options.bootTimeMs,
      },
      65507,
    );
    this.core = new TemplatedEncoder(9, o);
  }

  get sourceId(): number {
    return this.core.options.domain;
  }

  get templateId(): number {
    return this.core.options.templateId;
  }

  /** Sequence number the next datagram will carry. */
  get sequence(): number {
    return this.core.sequence;
  }

  /** Datagrams encoded so far. */
  get datagrams(): number {
    return this.core.datagrams;
  }

  /** Exporter boot time (ms since the epoch); NaN before the first encode when not given. */
  get bootTimeMs(): number {
    return this.core.bootTimeMs;
  }

  /**
   * Rows [from, to) of `batch` as export datagrams stamped `exportTimeMs` (ms since the epoch), in row
   * order. Throws ExportEncoderError for a bad range, or for a row the format cannot carry (one IPv4 and
   * one IPv6 address; an IPv6 NAT address on an IPv4 flow; counters that are not whole numbers; times
   * more than 24.8 days from the export time) — before anything is encoded.
   */
  encode(batch: FlowBatch, from: number, to: number, exportTimeMs: number): Uint8Array[] {
    return this.core.encode(batch, from, to, exportTimeMs);
  }
}
