// The shared flow-export corpus (../shared/corpus) for end-to-end tests: which captures there are, what
// each carries (NetFlow/IPFIX over UDP, sFlow, IPFIX over TCP), and their payloads ready to replay.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS, corpusIndex } from '../../packages/core/test/decode/corpusreplay.js';
import { parsePacket, readPcap, TcpReassembler } from '../../packages/core/src/pcap/index.js';

/** Where the corpus is: $OPENTRAQ_CORPUS, else ../shared/corpus next to the repository. */
export const CORPUS_DIR = path.resolve(CORPUS);

/**
 * What a capture is replayed as: `netflow` (NetFlow v1/v5/v7/v9, IPFIX, NSEL datagrams for the NetFlow
 * port), `sflow` (datagrams for the sFlow port), `ipfix-tcp` (a byte stream for the IPFIX TCP port).
 */
export type CorpusKind = 'netflow' | 'sflow' | 'ipfix-tcp';

export interface CorpusCapture {
  /** Path inside the corpus, e.g. `netflow9/akv-data.pcap`. */
  readonly name: string;
  /** Absolute path of the pcap. */
  readonly file: string;
  /** The manifest's format folder: netflow1, netflow5, netflow9, nsel, ipfix, sflow. */
  readonly format: string;
  readonly kind: CorpusKind;
  /** Captures to replay before this one (templates it needs), in order. */
  readonly requiresBefore: readonly string[];
  /** Data records (NetFlow/IPFIX) tshark decodes in this capture. */
  readonly records: number;
}

/** One UDP datagram of a capture, as the exporter sent it. */
export interface CorpusDatagram {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** Capture time, µs since the epoch. */
  readonly timeUs: number;
  readonly payload: Uint8Array;
}

/** The client→collector bytes of one TCP connection of a capture, reassembled in sequence order. */
export interface CorpusStream {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly bytes: Uint8Array;
}

export interface CorpusPayloads {
  /** UDP payloads in capture order. */
  readonly datagrams: CorpusDatagram[];
  /** IPFIX-over-TCP streams (connections to an IPFIX TCP port), in order of their first segment. */
  readonly streams: CorpusStream[];
}

/** TCP ports that carry IPFIX in the corpus (the others carry BGP and BMP next to the exports). */
export const IPFIX_TCP_PORTS: readonly number[] = [4739];

/** A reason to skip corpus tests (for tap's `skip`), or false when the corpus is there. */
export function corpusSkipReason(): string | false {
  if (existsSync(path.join(CORPUS_DIR, 'index.json'))) return false;
  return `the flow-export corpus is not at ${CORPUS_DIR} (no index.json): check out the shared corpus next to the repository (../shared/corpus) or set OPENTRAQ_CORPUS`;
}

/** Every capture of the corpus with its kind, in the manifest's order; [] when the corpus is missing. */
export function listCorpusCaptures(): CorpusCapture[] {
  if (corpusSkipReason() !== false) return [];
  return corpusIndex().map((e) => ({
    name: e.path,
    file: path.join(CORPUS_DIR, e.path),
    format: e.format,
    kind: e.wrap_mode === 'tcp' ? 'ipfix-tcp' : e.format === 'sflow' ? 'sflow' : 'netflow',
    requiresBefore: e.requires_before,
    records: e.decoded.records,
  }));
}

/** The UDP datagrams and IPFIX TCP streams of a capture. Throws (PcapError) when the file is not a pcap. */
export function payloads(capture: CorpusCapture): CorpusPayloads {
  const file = readPcap(new Uint8Array(readFileSync(capture.file)));
  const datagrams: CorpusDatagram[] = [];
  const tcp = new TcpReassembler();
  const streams = new Map<string, { src: string; srcPort: number; dst: string; dstPort: number; parts: Uint8Array[] }>();
  for (const pkt of file.packets) {
    const ip = parsePacket(pkt.data, file.linkType);
    if (ip === null || ip.fragment) continue;
    if (ip.proto === 17) {
      datagrams.push({ src: ip.src, srcPort: ip.srcPort, dst: ip.dst, dstPort: ip.dstPort, timeUs: pkt.timeUs, payload: ip.payload });
    } else if (ip.proto === 6 && IPFIX_TCP_PORTS.includes(ip.dstPort)) {
      const key = TcpReassembler.key(ip);
      let s = streams.get(key);
      if (s === undefined) streams.set(key, (s = { src: ip.src, srcPort: ip.srcPort, dst: ip.dst, dstPort: ip.dstPort, parts: [] }));
      const bytes = tcp.push(ip);
      if (bytes.length > 0) s.parts.push(bytes);
    }
  }
  return {
    datagrams,
    streams: [...streams.values()].map(({ parts, ...who }) => {
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      return { ...who, bytes };
    }),
  };
}
