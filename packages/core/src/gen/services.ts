// The traffic mix: each service is a protocol and port with its share of sessions, who its clients and
// servers are, and the shape of its sessions (request/response sizes, packet sizes, duration, marking).

import type { GenPoolName } from './pools.js';

/**
 * How a service's sessions look on the wire:
 * - `tcp`: handshake, data both ways, ACKs; flags mostly SYN|ACK|PSH|FIN, some resets and refusals.
 * - `udp`: request and response datagrams. `oneway`: client datagrams only (syslog).
 * - `icmp`: echo (request/reply counts) or a single error message, by the service's ICMP type.
 * - `tunnel`: GRE/ESP between VPN gateways: long, big, no ports.
 * - `scan`: a TCP SYN probe: 1–2 SYNs, unanswered or refused with a RST.
 */
export type GenServiceKind = 'tcp' | 'udp' | 'oneway' | 'icmp' | 'tunnel' | 'scan';

/** One port, a list (the first ones chosen more often), or an inclusive range. */
export type GenPortSpec = number | { readonly list: readonly number[] } | { readonly lo: number; readonly hi: number };

/** Pools with their shares; shares need not add up to 1. */
export type GenPoolMix = readonly (readonly [GenPoolName, number])[];

export interface GenService {
  readonly name: string;
  readonly kind: GenServiceKind;
  /** IP protocol over IPv4; ICMP (1) is ICMPv6 (58) over IPv6. */
  readonly proto: number;
  /** Server port; ICMP: type << 8 | code. */
  readonly port: GenPortSpec;
  /** ICMP only: type << 8 | code of the ICMPv6 counterpart. */
  readonly icmp6?: number;
  /** Share of all sessions, in percent. */
  readonly weight: number;
  readonly clients: GenPoolMix;
  /** An external client always gets an internal server: the external shares are dropped for it. */
  readonly servers: GenPoolMix;
  /** A fixed client port and the share of sessions using it (instead of the OS's ephemeral range). */
  readonly clnport?: readonly [number, number];
  /** Client ports from this range instead of the ephemeral range (RTP, scanners). */
  readonly clnRange?: { readonly lo: number; readonly hi: number };
  /** Median payload bytes client→server and server→client, each with its log-normal sigma. */
  readonly req: readonly [number, number];
  readonly resp: readonly [number, number];
  /** Typical payload bytes per data packet (capped by the path MTU). */
  readonly seg: number;
  /** Share of sessions in which the client sends the bulk (uploads). */
  readonly upload?: number;
  /** Share of sessions whose bulk is Pareto-heavy: the few huge transfers. */
  readonly heavy?: number;
  /** Median duration in seconds with its log-normal sigma. */
  readonly dur: readonly [number, number];
  /** DSCP code point and the share of sessions marked with it. */
  readonly dscp?: readonly [number, number];
}

const APP_PORTS = [8000, 8081, 8888, 9000, 9090, 9200, 9443, 10000, 27017, 6379, 5672, 5900, 6443, 11211, 2049, 111, 3128, 1521, 5000, 7001];
const SCAN_PORTS = [23, 22, 445, 3389, 80, 443, 8080, 21, 25, 5900, 1433, 3306, 8443, 2323, 6379, 9200, 139, 135, 53, 110];
const HIGH = { lo: 1024, hi: 65535 };
const DB = { req: [2000, 1.5], resp: [20000, 2.5], seg: 1200, dur: [5, 2.5] } as const;
const MAIL_READ = { req: [1500, 1.2], resp: [12000, 2], seg: 1200 } as const;
const KERBEROS = { req: [1500, 0.5], resp: [1600, 0.5], seg: 1400, dur: [0.01, 1] } as const;

export const GEN_SERVICES: readonly GenService[] = [
  // TCP: about 80 % of sessions.
  { name: 'https', kind: 'tcp', proto: 6, port: 443, weight: 46.35, clients: [['int-clients', 1]], servers: [['ext-web', 0.9], ['int-web', 0.1]], req: [700, 1], resp: [9000, 2.2], seg: 1100, upload: 0.04, heavy: 0.003, dur: [1.5, 1.8] },
  { name: 'https-in', kind: 'tcp', proto: 6, port: 443, weight: 2, clients: [['ext-clients', 1]], servers: [['int-dmz', 1]], req: [600, 1], resp: [6000, 1.8], seg: 1100, dur: [1, 1.5] },
  { name: 'http', kind: 'tcp', proto: 6, port: 80, weight: 7, clients: [['int-clients', 1]], servers: [['ext-web', 0.85], ['int-web', 0.15]], req: [450, 0.8], resp: [5000, 2.4], seg: 1200, heavy: 0.003, dur: [0.8, 1.8] },
  { name: 'http-in', kind: 'tcp', proto: 6, port: 80, weight: 0.6, clients: [['ext-clients', 1]], servers: [['int-dmz', 1]], req: [400, 0.8], resp: [3000, 1.8], seg: 1200, dur: [0.5, 1.5] },
  { name: 'http-alt', kind: 'tcp', proto: 6, port: 8080, weight: 1.5, clients: [['int-clients', 1]], servers: [['int-web', 0.6], ['ext-web', 0.4]], req: [500, 1], resp: [4000, 2], seg: 1200, dur: [1, 1.8] },
  { name: 'https-alt', kind: 'tcp', proto: 6, port: 8443, weight: 1, clients: [['int-clients', 1]], servers: [['int-web', 0.6], ['ext-web', 0.4]], req: [500, 1], resp: [4000, 2], seg: 1200, dur: [1, 1.8] },
  { name: 'ssh', kind: 'tcp', proto: 6, port: 22, weight: 2, clients: [['int-clients', 0.85], ['ext-clients', 0.15]], servers: [['int-ssh', 0.8], ['ext-ssh', 0.2]], req: [3000, 2], resp: [8000, 2.4], seg: 200, upload: 0.2, heavy: 0.01, dur: [30, 2.5], dscp: [18, 0.3] },
  { name: 'smtp', kind: 'tcp', proto: 6, port: 25, weight: 0.8, clients: [['int-mail', 0.5], ['ext-clients', 0.5]], servers: [['ext-mail', 0.5], ['int-mail', 0.5]], req: [20000, 1.8], resp: [600, 0.5], seg: 1200, dur: [2, 1.2] },
  { name: 'submission', kind: 'tcp', proto: 6, port: 587, weight: 0.4, clients: [['int-clients', 1]], servers: [['int-mail', 0.7], ['ext-mail', 0.3]], req: [15000, 2], resp: [800, 0.5], seg: 1200, dur: [1.5, 1] },
  { name: 'imaps', kind: 'tcp', proto: 6, port: 993, weight: 1.5, clients: [['int-clients', 1]], servers: [['ext-mail', 0.7], ['int-mail', 0.3]], ...MAIL_READ, dur: [60, 2.2] },
  { name: 'imap', kind: 'tcp', proto: 6, port: 143, weight: 0.1, clients: [['int-clients', 1]], servers: [['int-mail', 1]], ...MAIL_READ, dur: [60, 2.2] },
  { name: 'pop3s', kind: 'tcp', proto: 6, port: 995, weight: 0.1, clients: [['int-clients', 1]], servers: [['ext-mail', 1]], ...MAIL_READ, dur: [3, 1] },
  { name: 'dns-tcp', kind: 'tcp', proto: 6, port: 53, weight: 0.3, clients: [['int-dns', 1]], servers: [['ext-dns', 1]], req: [60, 0.3], resp: [900, 0.8], seg: 900, dur: [0.05, 1] },
  { name: 'rdp', kind: 'tcp', proto: 6, port: 3389, weight: 0.8, clients: [['int-clients', 1]], servers: [['int-rdp', 1]], req: [150000, 2], resp: [2000000, 2], seg: 600, dur: [900, 1.6], dscp: [34, 0.2] },
  { name: 'smb', kind: 'tcp', proto: 6, port: 445, weight: 3.5, clients: [['int-clients', 1]], servers: [['int-file', 0.7], ['int-dc', 0.3]], req: [4000, 2], resp: [60000, 2.6], seg: 1300, upload: 0.15, heavy: 0.005, dur: [20, 2.5], dscp: [8, 0.05] },
  { name: 'msrpc', kind: 'tcp', proto: 6, port: 135, weight: 0.8, clients: [['int-clients', 1]], servers: [['int-dc', 1]], req: [800, 0.6], resp: [600, 0.6], seg: 800, dur: [0.02, 1] },
  { name: 'ldap', kind: 'tcp', proto: 6, port: 389, weight: 1.5, clients: [['int-clients', 1]], servers: [['int-dc', 1]], req: [1200, 1], resp: [3000, 1.5], seg: 1200, dur: [0.5, 2] },
  { name: 'ldaps', kind: 'tcp', proto: 6, port: 636, weight: 0.4, clients: [['int-clients', 1]], servers: [['int-dc', 1]], req: [1200, 1], resp: [3000, 1.5], seg: 1200, dur: [0.5, 2] },
  { name: 'kerberos-tcp', kind: 'tcp', proto: 6, port: 88, weight: 0.4, clients: [['int-clients', 1]], servers: [['int-dc', 1]], ...KERBEROS },
  { name: 'mssql', kind: 'tcp', proto: 6, port: 1433, weight: 0.6, clients: [['int-clients', 1]], servers: [['int-db', 1]], ...DB },
  { name: 'mysql', kind: 'tcp', proto: 6, port: 3306, weight: 0.6, clients: [['int-clients', 1]], servers: [['int-db', 1]], ...DB },
  { name: 'postgresql', kind: 'tcp', proto: 6, port: 5432, weight: 0.5, clients: [['int-clients', 1]], servers: [['int-db', 1]], ...DB },
  { name: 'apple-push', kind: 'tcp', proto: 6, port: 5223, weight: 0.5, clients: [['int-clients', 1]], servers: [['ext-web', 1]], req: [300, 0.8], resp: [300, 0.8], seg: 200, dur: [1800, 1] },
  { name: 'ftp', kind: 'tcp', proto: 6, port: 21, weight: 0.1, clients: [['int-clients', 1]], servers: [['ext-web', 1]], req: [200, 0.5], resp: [600, 0.5], seg: 200, dur: [10, 1.5] },
  { name: 'jetdirect', kind: 'tcp', proto: 6, port: 9100, weight: 0.2, clients: [['int-clients', 1]], servers: [['int-printers', 1]], req: [300000, 1.8], resp: [200, 0.5], seg: 1400, dur: [5, 1.2] },
  { name: 'tcp-apps', kind: 'tcp', proto: 6, port: { list: APP_PORTS }, weight: 3, clients: [['int-clients', 1]], servers: [['int-agents', 0.5], ['ext-apps', 0.5]], req: [800, 1.5], resp: [6000, 2.2], seg: 1000, heavy: 0.002, dur: [3, 2] },
  { name: 'tcp-high', kind: 'tcp', proto: 6, port: HIGH, weight: 1, clients: [['int-clients', 1]], servers: [['int-agents', 0.6], ['ext-apps', 0.4]], req: [600, 1.5], resp: [3000, 2], seg: 1000, dur: [2, 2] },
  { name: 'scan', kind: 'scan', proto: 6, port: { list: SCAN_PORTS }, weight: 1.8, clients: [['ext-scanners', 1]], servers: [['int-any', 1]], clnRange: HIGH, req: [0, 0], resp: [0, 0], seg: 0, dur: [1, 0] },
  { name: 'scan-wide', kind: 'scan', proto: 6, port: { lo: 1, hi: 65535 }, weight: 0.7, clients: [['ext-scanners', 1]], servers: [['int-any', 1]], clnRange: HIGH, req: [0, 0], resp: [0, 0], seg: 0, dur: [1, 0] },
  // UDP: about 18 %.
  { name: 'dns', kind: 'udp', proto: 17, port: 53, weight: 7, clients: [['int-clients', 1]], servers: [['int-dns', 0.85], ['ext-resolvers', 0.15]], req: [40, 0.3], resp: [110, 0.5], seg: 512, dur: [0.015, 1.2] },
  { name: 'dns-recursive', kind: 'udp', proto: 17, port: 53, weight: 2.5, clients: [['int-dns', 1]], servers: [['ext-dns', 1]], req: [40, 0.3], resp: [150, 0.6], seg: 512, dur: [0.04, 1] },
  { name: 'quic', kind: 'udp', proto: 17, port: 443, weight: 4, clients: [['int-clients', 1]], servers: [['ext-web', 1]], req: [2000, 1.5], resp: [20000, 2.3], seg: 1200, heavy: 0.003, dur: [3, 2] },
  { name: 'ntp', kind: 'udp', proto: 17, port: 123, weight: 0.6, clients: [['int-clients', 1]], servers: [['int-ntp', 1]], clnport: [123, 0.3], req: [48, 0], resp: [48, 0], seg: 48, dur: [0.002, 1] },
  { name: 'ntp-upstream', kind: 'udp', proto: 17, port: 123, weight: 0.2, clients: [['int-ntp', 1]], servers: [['ext-ntp', 1]], clnport: [123, 0.9], req: [48, 0], resp: [48, 0], seg: 48, dur: [0.03, 1] },
  { name: 'snmp', kind: 'udp', proto: 17, port: 161, weight: 0.8, clients: [['int-nms', 1]], servers: [['int-agents', 1]], req: [90, 0.5], resp: [400, 1], seg: 400, dur: [0.01, 1], dscp: [16, 0.5] },
  { name: 'syslog', kind: 'oneway', proto: 17, port: 514, weight: 0.5, clients: [['int-agents', 1]], servers: [['int-log', 1]], clnport: [514, 0.4], req: [3000, 2], resp: [0, 0], seg: 180, dur: [30, 2.5], dscp: [16, 0.3] },
  { name: 'netbios-ns', kind: 'udp', proto: 17, port: 137, weight: 0.2, clients: [['int-clients', 1]], servers: [['int-dc', 1]], clnport: [137, 1], req: [50, 0.1], resp: [100, 0.3], seg: 100, dur: [0.01, 1] },
  { name: 'dhcp', kind: 'udp', proto: 17, port: 67, weight: 0.1, clients: [['int-clients', 1]], servers: [['int-dc', 1]], clnport: [68, 1], req: [300, 0.1], resp: [330, 0.1], seg: 330, dur: [0.01, 1] },
  { name: 'kerberos', kind: 'udp', proto: 17, port: 88, weight: 0.3, clients: [['int-clients', 1]], servers: [['int-dc', 1]], ...KERBEROS },
  { name: 'stun', kind: 'udp', proto: 17, port: 3478, weight: 0.3, clients: [['int-clients', 1]], servers: [['ext-apps', 1]], req: [100, 0.5], resp: [100, 0.5], seg: 100, dur: [0.05, 1] },
  { name: 'rtp', kind: 'udp', proto: 17, port: { lo: 16384, hi: 32767 }, weight: 0.5, clients: [['int-clients', 1]], servers: [['ext-apps', 0.7], ['int-agents', 0.3]], clnRange: { lo: 16384, hi: 32767 }, req: [1500000, 1.5], resp: [1500000, 1.5], seg: 172, dur: [180, 1.2], dscp: [46, 0.9] },
  { name: 'sip', kind: 'udp', proto: 17, port: 5060, weight: 0.2, clients: [['int-clients', 1]], servers: [['ext-apps', 1]], clnport: [5060, 0.5], req: [2000, 1], resp: [2000, 1], seg: 600, dur: [60, 2], dscp: [24, 0.8] },
  { name: 'ike', kind: 'udp', proto: 17, port: 500, weight: 0.05, clients: [['int-vpn', 1]], servers: [['ext-vpn', 1]], clnport: [500, 1], req: [1200, 0.5], resp: [1200, 0.5], seg: 600, dur: [1, 1] },
  { name: 'ipsec-nat-t', kind: 'udp', proto: 17, port: 4500, weight: 0.1, clients: [['int-vpn', 1]], servers: [['ext-vpn', 1]], clnport: [4500, 1], req: [5000000, 2], resp: [5000000, 2], seg: 1000, dur: [3600, 1] },
  { name: 'openvpn', kind: 'udp', proto: 17, port: 1194, weight: 0.1, clients: [['int-clients', 1]], servers: [['ext-vpn', 1]], req: [500000, 2], resp: [2000000, 2], seg: 1000, dur: [1200, 1.5] },
  { name: 'udp-high', kind: 'udp', proto: 17, port: HIGH, weight: 0.5, clients: [['int-clients', 1]], servers: [['ext-apps', 1]], req: [5000, 2], resp: [20000, 2.2], seg: 800, dur: [20, 2] },
  // ICMP: about 1.5 %.
  { name: 'icmp-echo', kind: 'icmp', proto: 1, port: 0x0800, icmp6: 0x8000, weight: 1.1, clients: [['int-clients', 0.9], ['ext-scanners', 0.1]], servers: [['int-any', 0.5], ['ext-web', 0.5]], req: [56, 0], resp: [56, 0], seg: 56, dur: [1, 0] },
  { name: 'icmp-unreachable', kind: 'icmp', proto: 1, port: 0x0303, icmp6: 0x0104, weight: 0.3, clients: [['int-any', 1]], servers: [['ext-clients', 1]], req: [28, 0], resp: [0, 0], seg: 28, dur: [0, 0] },
  { name: 'icmp-time-exceeded', kind: 'icmp', proto: 1, port: 0x0b00, icmp6: 0x0300, weight: 0.1, clients: [['int-agents', 1]], servers: [['ext-clients', 1]], req: [28, 0], resp: [0, 0], seg: 28, dur: [0, 0] },
  // Tunnels between VPN gateways: about 0.5 %.
  { name: 'gre', kind: 'tunnel', proto: 47, port: 0, weight: 0.25, clients: [['int-vpn', 1]], servers: [['ext-vpn', 1]], req: [20000000, 2], resp: [30000000, 2], seg: 800, dur: [7200, 1] },
  { name: 'esp', kind: 'tunnel', proto: 50, port: 0, weight: 0.25, clients: [['int-vpn', 1]], servers: [['ext-vpn', 1]], req: [20000000, 2], resp: [30000000, 2], seg: 800, dur: [7200, 1] },
];
