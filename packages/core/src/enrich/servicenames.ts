// Port and protocol → service name, from a services(5) file or the bundled IANA list: names the
// PORTPROTO entity (`https/TCP`) and tells session assembly which side offers a service.

import fs from 'node:fs';
import { PROTO_MNEMONICS } from '../fields/fields.js';
import { BUNDLED_SERVICES } from './bundledservices.js';
import { EnrichError } from './enricherror.js';

/** Transport protocols that have ports, as named in services files, with their IP protocol numbers. */
const PORT_PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, sctp: 132, dccp: 33 };

/** Index of a port protocol's block in the tables below, -1 for protocols without ports. */
function protoIndex(proto: number): number {
  return proto === 6 ? 0 : proto === 17 ? 1 : proto === 132 ? 2 : proto === 33 ? 3 : -1;
}

const PROTO_LABELS: ReadonlyMap<number, string> = new Map([
  ...Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name] as const),
  [33, 'DCCP'],
]);

/** Where `ServiceNames.open('')` looks first. */
export const SYSTEM_SERVICES_FILE = '/etc/services';

export class ServiceNames {
  /** The file the names came from, or `bundled`. */
  readonly source: string;
  /** Name per protocol block * 65536 + port. */
  private readonly names = new Map<number, string>();
  /** 1 where a port is a service port: well-known (1–1023) or named. */
  private readonly service: Uint8Array;

  private constructor(source: string, entries: Iterable<readonly [name: string, port: number, proto: number]>) {
    this.source = source;
    this.service = new Uint8Array(4 * 65536);
    for (let b = 0; b < 4; b++) this.service.fill(1, b * 65536 + 1, b * 65536 + 1024);
    for (const [name, port, proto] of entries) {
      const at = protoIndex(proto) * 65536 + port;
      // The first line for a port wins, as with getservbyport(3).
      if (!this.names.has(at)) this.names.set(at, name);
      this.service[at] = 1;
    }
  }

  /** The bundled IANA list (bundledservices.ts). */
  static bundled(): ServiceNames {
    return new ServiceNames(
      'bundled',
      BUNDLED_SERVICES.flatMap(([name, port, protos]) => protos.split(' ').map((p) => [name, port, PORT_PROTOCOLS[p]!] as const)),
    );
  }

  /**
   * Parse services(5) text: `name port/protocol [aliases ...] [# comment]` per line. Protocols other
   * than tcp, udp, sctp and dccp are skipped; a line that is not of this form is a FORMAT error.
   */
  static parse(text: string, source: string): ServiceNames {
    const entries: [string, number, number][] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const hash = lines[i]!.indexOf('#');
      const line = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
      if (line === '') continue;
      const [name, portProto] = line.split(/\s+/);
      const m = /^(\d{1,5})\/([A-Za-z0-9-]+)$/.exec(portProto ?? '');
      if (m === null || Number(m[1]) > 65535) {
        throw new EnrichError('FORMAT', `line ${i + 1}: expected "name port/protocol [aliases] [# comment]", found "${line}"`, source);
      }
      const proto = PORT_PROTOCOLS[m[2]!.toLowerCase()];
      if (proto !== undefined) entries.push([name!, Number(m[1]), proto]);
    }
    return new ServiceNames(source, entries);
  }

  /** Read a services(5) file; EnrichError IO when it cannot be read. */
  static fromFile(path: string): ServiceNames {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new EnrichError('IO', `cannot read the services file: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, path, e);
    }
    return ServiceNames.parse(text, path);
  }

  /**
   * The names for a `servicesfile` setting: empty takes the system file (/etc/services) and, where
   * the machine has none, the bundled list; a path takes that file (an error if it cannot be read).
   */
  static open(servicesFile = '', systemFile = SYSTEM_SERVICES_FILE): ServiceNames {
    if (servicesFile !== '') return ServiceNames.fromFile(servicesFile);
    return fs.existsSync(systemFile) ? ServiceNames.fromFile(systemFile) : ServiceNames.bundled();
  }

  /** The service name of a port, or undefined when unnamed or the protocol has no ports. */
  name(port: number, proto: number): string | undefined {
    const b = protoIndex(proto);
    if (b < 0 || !(port >= 0 && port <= 65535)) return undefined;
    return this.names.get(b * 65536 + port);
  }

  /** Whether a port offers a service: well-known (1–1023) or named; false for protocols without ports. */
  isServicePort(port: number, proto: number): boolean {
    const b = protoIndex(proto);
    return b >= 0 && port >= 0 && port <= 65535 && this.service[b * 65536 + port] === 1;
  }

  /** PORTPROTO text: `https/TCP`, `8123/TCP` for an unnamed port, `2048/ICMP` for protocols without ports. */
  format(port: number, proto: number): string {
    return `${this.name(port, proto) ?? port}/${PROTO_LABELS.get(proto) ?? proto}`;
  }
}
