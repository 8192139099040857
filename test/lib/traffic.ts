// Generated test traffic with known answers: conversations (TCP handshake, data and teardown; DNS over
// UDP; ICMP echo; IPv6 TCP; a VLAN-tagged TCP session) written as a pcap, and what each side sent.
import { PcapWriter } from '../../packages/core/src/pcap/index.js';
import {
  ethernet, ETHERTYPE_IPV4, ETHERTYPE_IPV6, filler, icmp6Echo, icmpEcho, ipv4, ipv6, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP,
  PROTO_UDP, TCP, tcp, udp,
} from './frames.js';

/** One packet of a conversation: its IP packet (header included) and who sent it. */
export interface PlannedPacket {
  fromClient: boolean;
  ip: Uint8Array;
  /** TCP flags (0 for other protocols). */
  flags: number;
  /** Capture time, µs since the epoch (set by `buildCapture`). */
  timeUs: number;
}

/** What one side of a conversation sent, counted from the generated packets. */
export interface SideTotals {
  packets: number;
  /** IP-layer bytes: IPv4 total length / IPv6 40 + payload length, summed. */
  bytes: number;
  /** Ethernet frame bytes (with the 802.1Q tag when there is one, without FCS), summed. */
  frameBytes: number;
  /** TCP flags OR-ed. */
  flags: number;
}

export interface Conversation {
  name: string;
  ipVersion: 4 | 6;
  proto: number;
  client: string;
  server: string;
  clientPort: number;
  /** ICMP: 0 (echo sessions are keyed by type/code: see `serverPort`). */
  serverPort: number;
  /** 802.1Q VLAN id of the frames; 0: untagged. */
  vlan: number;
  clientMac: string;
  serverMac: string;
  packets: PlannedPacket[];
  /** Capture times of the first and last packet, µs since the epoch (set by `buildCapture`). */
  firstUs: number;
  lastUs: number;
  toServer: SideTotals;
  toClient: SideTotals;
}

interface Endpoints {
  name: string;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  vlan?: number;
  clientMac?: string;
  serverMac?: string;
}

function conversation(e: Endpoints, ipVersion: 4 | 6, proto: number, packets: PlannedPacket[]): Conversation {
  return {
    name: e.name,
    ipVersion,
    proto,
    client: e.client,
    server: e.server,
    clientPort: e.clientPort,
    serverPort: e.serverPort,
    vlan: e.vlan ?? 0,
    clientMac: e.clientMac ?? '02:00:00:00:00:01',
    serverMac: e.serverMac ?? '02:00:00:00:00:02',
    packets,
    firstUs: 0,
    lastUs: 0,
    toServer: { packets: 0, bytes: 0, frameBytes: 0, flags: 0 },
    toClient: { packets: 0, bytes: 0, frameBytes: 0, flags: 0 },
  };
}

function ipPacket(v: 4 | 6, src: string, dst: string, proto: number, payload: Uint8Array): Uint8Array {
  return v === 4 ? ipv4({ src, dst, proto, payload }) : ipv6({ src, dst, nextHeader: proto, payload });
}

/**
 * A TCP connection: three-way handshake, a request of `request` bytes, the response in segments of
 * `response` bytes (each acknowledged by the client), then FIN from the client, FIN from the server,
 * and the client's last ACK.
 */
export function tcpConversation(e: Endpoints, v: 4 | 6, request: number, response: readonly number[]): Conversation {
  const out: PlannedPacket[] = [];
  let cseq = 0x10000000;
  let sseq = 0x20000000;
  const seg = (fromClient: boolean, flags: number, len: number): void => {
    const [src, dst, sport, dport] = fromClient ? [e.client, e.server, e.clientPort, e.serverPort] : [e.server, e.client, e.serverPort, e.clientPort];
    const payload = filler(len, fromClient ? 'GET / HTTP/1.1 ' : 'HTTP/1.1 200 OK ');
    const seq = fromClient ? cseq : sseq;
    const ack = flags & TCP.ACK ? (fromClient ? sseq : cseq) : 0;
    out.push({ fromClient, flags, timeUs: 0, ip: ipPacket(v, src, dst, PROTO_TCP, tcp({ src, dst, sport, dport, seq, ack, flags, payload })) });
    const used = len + (flags & (TCP.SYN | TCP.FIN) ? 1 : 0);
    if (fromClient) cseq += used;
    else sseq += used;
  };
  seg(true, TCP.SYN, 0);
  seg(false, TCP.SYN | TCP.ACK, 0);
  seg(true, TCP.ACK, 0);
  seg(true, TCP.PSH | TCP.ACK, request);
  response.forEach((len, i) => {
    seg(false, i === response.length - 1 ? TCP.PSH | TCP.ACK : TCP.ACK, len);
    seg(true, TCP.ACK, 0);
  });
  seg(true, TCP.FIN | TCP.ACK, 0);
  seg(false, TCP.FIN | TCP.ACK, 0);
  seg(true, TCP.ACK, 0);
  return conversation(e, v, PROTO_TCP, out);
}

/** A DNS message: one question for `name` type A, and one A answer when `answer` is given. */
function dnsMessage(id: number, name: string, answer?: string): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Array.from(l, (c) => c.charCodeAt(0))]);
  const question = [...labels, 0, 0, 1, 0, 1];
  const head = [id >> 8, id & 255, answer === undefined ? 0x01 : 0x81, answer === undefined ? 0x00 : 0x80, 0, 1, 0, answer === undefined ? 0 : 1, 0, 0, 0, 0];
  const rr = answer === undefined ? [] : [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...answer.split('.').map(Number)];
  return Uint8Array.from([...head, ...question, ...rr]);
}

/** DNS over UDP: one query per name, each answered. */
export function dnsConversation(e: Endpoints, names: readonly string[]): Conversation {
  const out: PlannedPacket[] = [];
  names.forEach((name, i) => {
    const q = dnsMessage(0x4000 + i, name);
    const r = dnsMessage(0x4000 + i, name, `203.0.113.${10 + i}`);
    out.push({ fromClient: true, flags: 0, timeUs: 0, ip: ipv4({ src: e.client, dst: e.server, proto: PROTO_UDP, payload: udp({ src: e.client, dst: e.server, sport: e.clientPort, dport: e.serverPort, payload: q }) }) });
    out.push({ fromClient: false, flags: 0, timeUs: 0, ip: ipv4({ src: e.server, dst: e.client, proto: PROTO_UDP, payload: udp({ src: e.server, dst: e.client, sport: e.serverPort, dport: e.clientPort, payload: r }) }) });
  });
  return conversation(e, 4, PROTO_UDP, out);
}

/** `count` echo requests, each answered; IPv4 ICMP or ICMPv6 by the addresses. */
export function pingConversation(e: Endpoints, v: 4 | 6, count: number, dataBytes: number): Conversation {
  const out: PlannedPacket[] = [];
  const data = filler(dataBytes, 'ping ');
  const id = 0x1234;
  for (let seq = 1; seq <= count; seq++) {
    for (const fromClient of [true, false]) {
      const [src, dst] = fromClient ? [e.client, e.server] : [e.server, e.client];
      const body =
        v === 4
          ? icmpEcho({ type: fromClient ? 8 : 0, id, seq, data })
          : icmp6Echo({ type: fromClient ? 128 : 129, id, seq, data, src, dst });
      out.push({ fromClient, flags: 0, timeUs: 0, ip: ipPacket(v, src, dst, v === 4 ? PROTO_ICMP : PROTO_ICMPV6, body) });
    }
  }
  return conversation({ ...e, clientPort: 0, serverPort: v === 4 ? 8 << 8 : 128 << 8 }, v, v === 4 ? PROTO_ICMP : PROTO_ICMPV6, out);
}

/** `count` UDP datagrams of `bytes` payload one way only (client to server), e.g. to the discard port. */
export function oneWayUdp(e: Endpoints, count: number, bytes: number): Conversation {
  const out: PlannedPacket[] = [];
  for (let i = 0; i < count; i++) {
    const payload = udp({ src: e.client, dst: e.server, sport: e.clientPort, dport: e.serverPort, payload: filler(bytes, 'tail ') });
    out.push({ fromClient: true, flags: 0, timeUs: 0, ip: ipv4({ src: e.client, dst: e.server, proto: PROTO_UDP, payload }) });
  }
  return conversation(e, 4, PROTO_UDP, out);
}

/**
 * Lay the conversations out in time — one after the other, `gapUs` between packets — as Ethernet
 * frames in one pcap, and fill in each conversation's times and per-side totals.
 */
export function buildCapture(convs: readonly Conversation[], startUs: number, gapUs = 1000): Uint8Array {
  const w = new PcapWriter();
  let t = startUs;
  for (const c of convs) {
    c.firstUs = t;
    for (const p of c.packets) {
      const frame = ethernet({
        src: p.fromClient ? c.clientMac : c.serverMac,
        dst: p.fromClient ? c.serverMac : c.clientMac,
        etherType: c.ipVersion === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
        ...(c.vlan > 0 ? { vlan: c.vlan } : {}),
        payload: p.ip,
      });
      w.add(t, frame);
      p.timeUs = t;
      const side = p.fromClient ? c.toServer : c.toClient;
      side.packets++;
      side.bytes += p.ip.length;
      side.frameBytes += frame.length;
      side.flags |= p.flags;
      c.lastUs = t;
      t += gapUs;
    }
  }
  return w.bytes();
}

/** How many address sets `standardTraffic` has (variants 0 .. STANDARD_VARIANTS - 1). */
export const STANDARD_VARIANTS = 9;

/**
 * The conversations of the end-to-end tests (issue 3: a–e, and ICMPv6 echo). Each `variant` has
 * addresses of its own (IPv4 hosts moved up by 24 per variant, IPv6 in 2001:db8:<variant>::/48), so
 * captures of different variants never make the same session: several exporters can feed one collector.
 */
export function standardTraffic(variant = 0): Conversation[] {
  if (!Number.isInteger(variant) || variant < 0 || variant >= STANDARD_VARIANTS) {
    throw new RangeError(`standardTraffic: variant must be a whole number from 0 to ${STANDARD_VARIANTS - 1}, got ${String(variant)}`);
  }
  const a = (host: number): string => `192.0.2.${host + 24 * variant}`;
  const b = (host: number): string => `198.51.100.${host + 24 * variant}`;
  const v6 = (host: number): string => (variant === 0 ? `2001:db8::${host}` : `2001:db8:${variant}::${host}`);
  return [
    tcpConversation({ name: 'tcp4', client: a(1), server: b(2), clientPort: 40000, serverPort: 80 }, 4, 310, [1400, 1400, 700]),
    dnsConversation({ name: 'dns', client: a(1), server: b(53), clientPort: 53000, serverPort: 53 }, ['example.com', 'www.example.org']),
    pingConversation({ name: 'icmp', client: a(1), server: b(7), clientPort: 0, serverPort: 0 }, 4, 3, 56),
    tcpConversation({ name: 'tcp6', client: v6(1), server: v6(2), clientPort: 50000, serverPort: 80 }, 6, 200, [1200, 900]),
    pingConversation({ name: 'icmp6', client: v6(1), server: v6(3), clientPort: 0, serverPort: 0 }, 6, 2, 32),
    tcpConversation(
      { name: 'vlan', client: a(10), server: b(20), clientPort: 41000, serverPort: 22, vlan: 100, clientMac: '02:00:00:00:01:0a', serverMac: '02:00:00:00:01:14' },
      4,
      48,
      [520],
    ),
  ];
}
