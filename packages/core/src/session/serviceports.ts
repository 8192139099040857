// The services table the tracker uses to tell a server port from an ephemeral one when nothing
// better says who initiated a session: ports 1-1023 plus a list of common registered service ports.

import { SessionError } from './sessionerror.js';

/** Decides whether `port` (of protocol `proto`) is a service port, i.e. the listening side's port. */
export type IsServicePort = (port: number, proto: number) => boolean;

/**
 * Registered ports (1024 and up) that servers commonly listen on, with what they are for. Kept short
 * on purpose: a port listed here makes its side the server whenever the other side's port is not a
 * service port, so ranges that clients also use (RTP, high ephemeral ports) are left out.
 */
export const REGISTERED_SERVICE_PORTS: ReadonlyMap<number, string> = new Map([
  [1080, 'socks'],
  [1194, 'openvpn'],
  [1433, 'ms-sql-s'],
  [1434, 'ms-sql-m'],
  [1521, 'oracle'],
  [1701, 'l2tp'],
  [1723, 'pptp'],
  [1812, 'radius'],
  [1813, 'radius-acct'],
  [1883, 'mqtt'],
  [2049, 'nfs'],
  [2181, 'zookeeper'],
  [2375, 'docker'],
  [2376, 'docker-tls'],
  [2379, 'etcd-client'],
  [2380, 'etcd-server'],
  [3128, 'squid'],
  [3260, 'iscsi'],
  [3268, 'ldap-gc'],
  [3269, 'ldaps-gc'],
  [3306, 'mysql'],
  [3389, 'ms-wbt-server (rdp)'],
  [3478, 'stun'],
  [4369, 'epmd'],
  [4500, 'ipsec-nat-t'],
  [4789, 'vxlan'],
  [5000, 'upnp / app servers'],
  [5060, 'sip'],
  [5061, 'sips'],
  [5222, 'xmpp-client'],
  [5223, 'apple-push'],
  [5269, 'xmpp-server'],
  [5353, 'mdns'],
  [5432, 'postgresql'],
  [5601, 'kibana'],
  [5671, 'amqps'],
  [5672, 'amqp'],
  [5900, 'vnc'],
  [5985, 'winrm'],
  [5986, 'winrm-https'],
  [6379, 'redis'],
  [6443, 'kubernetes-api'],
  [6514, 'syslog-tls'],
  [6667, 'ircd'],
  [7001, 'weblogic'],
  [8000, 'http-alt'],
  [8008, 'http-alt'],
  [8080, 'http-alt'],
  [8081, 'http-alt'],
  [8443, 'https-alt'],
  [8883, 'mqtt-tls'],
  [8888, 'http-alt'],
  [9000, 'app servers'],
  [9042, 'cassandra'],
  [9090, 'prometheus / web consoles'],
  [9092, 'kafka'],
  [9100, 'jetdirect'],
  [9200, 'elasticsearch'],
  [9300, 'elasticsearch-transport'],
  [9418, 'git'],
  [9443, 'https-alt'],
  [10000, 'webmin / backup agents'],
  [10050, 'zabbix-agent'],
  [10051, 'zabbix-trapper'],
  [11211, 'memcached'],
  [27017, 'mongodb'],
]);

const BITMAP = new Uint8Array(65536);
BITMAP.fill(1, 1, 1024);
for (const p of REGISTERED_SERVICE_PORTS.keys()) BITMAP[p] = 1;

/** The default services table: 1-1023 and REGISTERED_SERVICE_PORTS, whatever the protocol. */
export const defaultIsServicePort: IsServicePort = (port) => BITMAP[port & 0xffff] === 1;

/**
 * A services table from explicit lists (e.g. parsed from /etc/services): `tcp` and `udp` ports per
 * protocol; SCTP, DCCP and UDP-Lite use the TCP list. Ports 1-1023 count as service ports only when
 * `wellKnown` is true (the default), as in the built-in table.
 */
export function servicePortTable(lists: { tcp: Iterable<number>; udp: Iterable<number>; wellKnown?: boolean }): IsServicePort {
  const tcp = new Uint8Array(65536);
  const udp = new Uint8Array(65536);
  if (lists.wellKnown !== false) {
    tcp.fill(1, 1, 1024);
    udp.fill(1, 1, 1024);
  }
  for (const [name, list, map] of [['tcp', lists.tcp, tcp], ['udp', lists.udp, udp]] as const) {
    for (const p of list) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        throw new SessionError('BAD_OPTION', `services table: ${name} port ${String(p)} is not a port number (1-65535)`, 'isServicePort');
      }
      map[p] = 1;
    }
  }
  return (port, proto) => (proto === 17 ? udp : tcp)[port & 0xffff] === 1;
}
