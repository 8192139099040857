// Test helper: replays corpus captures (classic pcap) through a FlowDecoder the way the server would —
// UDP datagrams one by one, IPFIX-over-TCP streams through the framer — and records which rows each frame gave.
import { readFileSync } from 'node:fs';
import { FlowBatch, FlowDecoder, IpfixStreamFramer, type DecodeResult } from '../../src/decode/index.js';
import { parsePacket, readPcap, TcpReassembler, type IpPacket } from '../../src/pcap/index.js';

export const CORPUS = process.env['OPENTRAQ_CORPUS'] ?? new URL('../../../../../shared/corpus/', import.meta.url).pathname;

export interface IndexEntry {
  path: string;
  format: string;
  expected: string | null;
  expected_inputs: string[];
  requires_before: string[];
  wrap_mode: string | null;
  frames: number;
  decoded: { records: number; sets_without_template: number; malformed_frames: number };
}

export function corpusIndex(): IndexEntry[] {
  return JSON.parse(readFileSync(CORPUS + 'index.json', 'utf8')) as IndexEntry[];
}

export interface FrameRows {
  input: string;
  /** 1-based frame number in its pcap. */
  frame: number;
  rowsFrom: number;
  rowsTo: number;
  results: DecodeResult[];
  packet: IpPacket | null;
}

export interface ReplayOptions {
  /** TCP ports that carry IPFIX streams (default 4739). */
  ipfixTcpPorts?: readonly number[];
  /** UDP destination ports never handed to the decoder (default: sFlow 6343). */
  skipUdpPorts?: readonly number[];
}

/** The UDP payloads of a pcap (export datagrams) with their source address. */
export function udpPayloads(path: string): { src: string; timeUs: number; payload: Uint8Array }[] {
  const file = readPcap(new Uint8Array(readFileSync(CORPUS + path)));
  const out: { src: string; timeUs: number; payload: Uint8Array }[] = [];
  for (const pkt of file.packets) {
    const ip = parsePacket(pkt.data, file.linkType);
    if (ip !== null && ip.proto === 17 && !ip.fragment) out.push({ src: ip.src, timeUs: pkt.timeUs, payload: ip.payload });
  }
  return out;
}

/**
 * Replay `inputs` in order. The decoder clock advances 1 ms per packet (capture times are ignored:
 * the wrapped captures carry export times years apart, and tshark never times templates out).
 */
export function replay(inputs: readonly string[], decoder: FlowDecoder, out: FlowBatch, opts: ReplayOptions = {}): FrameRows[] {
  const tcpPorts = opts.ipfixTcpPorts ?? [4739];
  const skip = opts.skipUdpPorts ?? [6343];
  const frames: FrameRows[] = [];
  let clock = 1_700_000_000_000;
  for (const input of inputs) {
    const file = readPcap(new Uint8Array(readFileSync(CORPUS + input)));
    const tcp = new TcpReassembler();
    const framers = new Map<string, IpfixStreamFramer>();
    file.packets.forEach((pkt, i) => {
      const nowMs = ++clock;
      const ip = parsePacket(pkt.data, file.linkType);
      const rec: FrameRows = { input, frame: i + 1, rowsFrom: out.length, rowsTo: out.length, results: [], packet: ip };
      if (ip !== null && !ip.fragment) {
        if (ip.proto === 17 && !skip.includes(ip.dstPort) && ip.payload.length > 0) {
          rec.results.push(decoder.decode(ip.payload, ip.src, { nowMs }, out));
        } else if (ip.proto === 6 && (tcpPorts.includes(ip.dstPort) || tcpPorts.includes(ip.srcPort))) {
          const bytes = tcp.push(ip);
          if (bytes.length > 0) {
            const key = TcpReassembler.key(ip);
            let fr = framers.get(key);
            if (fr === undefined) framers.set(key, (fr = new IpfixStreamFramer()));
            fr.push(bytes, (msg) => {
              rec.results.push(decoder.decode(msg, ip.src, { nowMs, transport: 'tcp', session: String(ip.srcPort) }, out));
            });
          }
        }
      }
      rec.rowsTo = out.length;
      frames.push(rec);
    });
  }
  return frames;
}

/** Decode every message of an IPFIX byte stream cut at its own length fields (no framer). */
export function decodeWholeMessages(stream: Uint8Array, decoder: FlowDecoder, exporter: string, out: FlowBatch): number {
  let p = 0;
  let n = 0;
  while (p + 4 <= stream.length) {
    const len = (stream[p + 2]! << 8) | stream[p + 3]!;
    if (len < 16 || p + len > stream.length) break;
    decoder.decode(stream.subarray(p, p + len), exporter, { nowMs: 0, transport: 'tcp', session: 'whole' }, out);
    p += len;
    n++;
  }
  return n;
}

export function newBatch(): FlowBatch {
  return new FlowBatch(256);
}
