// The one table of ftserver's settings: for each its place in the file, value type, default, flag,
// whether SIGHUP can change it, and its documentation. The parser, flags, reload and docs derive from it.

import { DEFAULT_SESSION_OPTIONS, MAX_CONNTRACKSIZE } from '../session/index.js';
import {
  CONFIG_SECTIONS,
  DEBUG_LEVELS,
  type ConfigPath,
  type ConfigSection,
  type ConfigValue,
  type ConfigValueAt,
  type ServerConfig,
} from './serverconfig.js';
import { MAX_SECONDS, type ConfigValueType, type ValueTypeFor } from './valuetype.js';

export interface ConfigSetting {
  /** `key` or `section.key`. */
  readonly path: ConfigPath;
  /** The `<section>` the key must be in; undefined: outside any section. */
  readonly section: ConfigSection | undefined;
  readonly key: string;
  readonly type: ConfigValueType;
  readonly default: ConfigValue;
  /**
   * What the key with an empty value means, for the settings where empty is a choice (no listener,
   * bundled data, standard error); undefined: an empty value is the default.
   */
  readonly empty: string | undefined;
  /** False: a SIGHUP reload reports a change and keeps the running value. */
  readonly reloadable: boolean;
  /** The command-line option: `--netflowport`. */
  readonly flag: string;
  /** An opentraq addition that a FlowTraq flowtraq.conf does not have. */
  readonly extension: boolean;
  readonly doc: string;
}

interface SettingExtras {
  readonly doc: string;
  readonly empty?: string;
  readonly flag?: string;
  readonly reloadable?: boolean;
  readonly extension?: boolean;
}

/** One row of the table; the type and default must fit the ServerConfig field at `path`. */
function setting<P extends ConfigPath>(path: P, type: ValueTypeFor<ConfigValueAt<P>>, dflt: ConfigValueAt<P>, extras: SettingExtras): ConfigSetting & { readonly path: P } {
  const dot = path.indexOf('.');
  const key = dot < 0 ? path : path.slice(dot + 1);
  return {
    path,
    section: dot < 0 ? undefined : (path.slice(0, dot) as ConfigSection),
    key,
    type,
    default: dflt,
    empty: extras.empty,
    reloadable: extras.reloadable ?? true,
    flag: extras.flag ?? `--${key}`,
    extension: extras.extension ?? false,
    doc: extras.doc,
  };
}

type Missing<L extends readonly ConfigSetting[]> = Exclude<ConfigPath, L[number]['path']>;

/** Passes the list through; fails to compile when a field of ServerConfig has no setting. */
function everySetting<L extends readonly ConfigSetting[]>(list: L & ([Missing<L>] extends [never] ? unknown : { missingSettings: Missing<L> })): L {
  return list;
}

const MAX_MEMCACHESIZE = 2 ** 28;
const MAX_SEGMENTSIZE = 2 ** 24;
const MAX_SEGMENTCOUNT = 1_000_000;

/** Every setting, in the order of the documentation and of a written configuration file. */
export const CONFIG_SETTINGS: readonly ConfigSetting[] = everySetting([
  setting('querythreads', { kind: 'int', min: 1, max: 20 }, 3, {
    doc: 'Queries answered at the same time; more wait in a queue. 3 to 6 usually suffice.',
  }),
  setting('logfile', { kind: 'path' }, 'ftserver.log', {
    doc: 'The server’s log file.',
    empty: 'standard error',
  }),
  setting('debuglevel', { kind: 'enum', values: DEBUG_LEVELS }, 'MEDIUM', {
    doc: 'How much the log says, from ALWAYS (least) to LOW (most); LOW can grow the log fast.',
  }),
  setting('listenport', { kind: 'port' }, 9640, {
    doc: 'TCP port of the query API (HTTP; HTTPS only when `tls.cert` and `tls.key` are set).',
  }),
  setting('apiaddress', { kind: 'addresses', max: 1 }, [], {
    doc: 'Address the query API binds (e.g. 127.0.0.1 to answer only local tools).',
    empty: 'all addresses, IPv4 and IPv6',
    extension: true,
  }),
  setting('ip2cfile', { kind: 'paths' }, '', {
    doc: 'IP-to-country and ASN data files (MaxMind `.mmdb` or CSV ranges), see [enrichment.md](enrichment.md).',
    empty: 'the bundled data',
    reloadable: false,
  }),
  setting('servicesfile', { kind: 'path' }, '', {
    doc: 'Port-to-service names in the format of /etc/services; also decides which side of a session is the server.',
    empty: '/etc/services, else the bundled list',
    reloadable: false,
  }),
  setting('maxclientlatency', { kind: 'seconds', min: 0, max: 86_400 }, 60, {
    doc: 'Seconds a client may stop reading a streamed result before it is disconnected; 0 never disconnects.',
  }),
  setting('sessiontables.conntracksize', { kind: 'int', min: 1, max: MAX_CONNTRACKSIZE }, DEFAULT_SESSION_OPTIONS.conntracksize, {
    doc: 'Sessions the connection tracker holds (about 220 bytes each); when full, the least recently updated is stored as finished.',
    reloadable: false,
  }),
  setting('sessiontables.memcachesize', { kind: 'int', min: 1, max: MAX_MEMCACHESIZE }, 2_687_159, {
    doc: 'Finished sessions held in memory (and queryable there) between two storage cycles; when this many wait, a cycle starts early.',
  }),
  setting('sessiontables.timeout', { kind: 'seconds', min: 0, max: MAX_SECONDS }, DEFAULT_SESSION_OPTIONS.timeout, {
    doc: 'Seconds without traffic after which a session leaves the connection tracker; 0 keeps it until the tracker is full.',
    flag: '--sessiontimeout',
  }),
  setting('sessiontables.toolong', { kind: 'seconds', min: 0, max: MAX_SECONDS }, DEFAULT_SESSION_OPTIONS.toolong, {
    doc: 'Longest time one stored session record spans; a longer session becomes consecutive records. 0: no limit.',
  }),
  setting('netflow.netflowport', { kind: 'ports', proto: 'udp', max: 8 }, [2055, 9666, 9996], {
    doc: 'UDP ports for NetFlow v1, v5, v7, v9, cFlow/jFlow, IPFIX over UDP and NSEL; each port has its own socket.',
    empty: 'no NetFlow/IPFIX UDP listener',
  }),
  setting('netflow.ipfixtcpport', { kind: 'ports', proto: 'tcp', max: 8 }, [], {
    doc: 'TCP ports for IPFIX over TCP; many exporters may connect to one port.',
    empty: 'no IPFIX TCP listener',
  }),
  setting('netflow.ignoreoldnetflows', { kind: 'bool' }, false, {
    doc: 'yes: drop records older than the store’s retention window; no: correct exporter clock skew and keep them.',
  }),
  setting('netflow.listenaddress', { kind: 'addresses', max: 8 }, [], {
    doc: 'Addresses the NetFlow, IPFIX and sFlow listeners bind (the query API: `apiaddress`).',
    empty: 'all addresses, IPv4 and IPv6',
    extension: true,
  }),
  setting('netflow.samplingrate', { kind: 'rates' }, new Map<string, number>(), {
    doc: 'Sampling rate per exporter address, replacing what the exporter reports; packets and bytes are scaled by it.',
    empty: 'no overrides (the rates the exporters report)',
    extension: true,
    reloadable: false,
  }),
  setting('sflow.sflowport', { kind: 'ports', proto: 'udp', max: 4 }, [6343], {
    doc: 'UDP ports for sFlow v2, v4 and v5.',
    empty: 'no sFlow listener',
  }),
  setting('storage.storageinterval', { kind: 'seconds', min: 1, max: 3600 }, 5, {
    doc: 'Seconds between writes of new sessions to disk: a crash loses at most the flows of the last interval.',
  }),
  setting('storage.databasepath', { kind: 'path' }, './data/SESSIONDB', {
    doc: 'Directory of the session store.',
    reloadable: false,
  }),
  setting('storage.segmentcount', { kind: 'int', min: 1, max: MAX_SEGMENTCOUNT }, 927, {
    doc: 'Segments kept; when full, the oldest is deleted. The store holds segmentcount × segmentsize sessions.',
  }),
  setting('storage.segmentsize', { kind: 'int', min: 1, max: MAX_SEGMENTSIZE }, 92_635, {
    doc: 'Sessions in one segment.',
  }),
  setting('storage.computecrc', { kind: 'bool' }, true, {
    doc: 'yes: a checksum per column, verified when read.',
  }),
  setting('userdata.userdatapath', { kind: 'path' }, './data/USERDATA', {
    doc: 'Directory of the users and their settings.',
    reloadable: false,
  }),
  setting('userdata.maxsessionkeyage', { kind: 'seconds', min: 0, max: MAX_SECONDS }, 0, {
    doc: 'Seconds a session key stays valid without use (each use restarts the count); 0 disables session keys.',
  }),
  setting('tls.cert', { kind: 'path' }, '', {
    doc: 'PEM certificate (chain) of the query API; with `tls.key` the API is HTTPS only.',
    empty: 'no TLS (plain HTTP)',
    flag: '--tlscert',
    extension: true,
  }),
  setting('tls.key', { kind: 'path' }, '', {
    doc: 'PEM private key of `tls.cert`.',
    empty: 'no TLS (plain HTTP)',
    flag: '--tlskey',
    extension: true,
  }),
]);

const BY_PATH = new Map<string, ConfigSetting>(CONFIG_SETTINGS.map((s) => [s.path, s]));

/** The setting at `section.key` (or `key`), case-insensitive; undefined when there is none. */
export function findConfigSetting(path: string): ConfigSetting | undefined {
  return BY_PATH.get(path.toLowerCase());
}

/** Reads one setting's value. */
export function configValue<P extends ConfigPath>(config: ServerConfig, path: P): ConfigValueAt<P> {
  const dot = path.indexOf('.');
  const holder = (dot < 0 ? config : config[path.slice(0, dot) as ConfigSection]) as unknown as Record<string, unknown>;
  return holder[dot < 0 ? path : path.slice(dot + 1)] as ConfigValueAt<P>;
}

/** A copy of `base` with the given settings replaced (values are taken as they are: check them first). */
export function withConfigValues(base: ServerConfig, values: ReadonlyMap<ConfigPath, ConfigValue>): ServerConfig {
  const out: Record<string, unknown> = { ...base };
  for (const s of CONFIG_SECTIONS) out[s] = { ...base[s] };
  for (const [path, value] of values) {
    const dot = path.indexOf('.');
    if (dot < 0) out[path] = value;
    else (out[path.slice(0, dot)] as Record<string, unknown>)[path.slice(dot + 1)] = value;
  }
  return out as unknown as ServerConfig;
}

/** The configuration of an empty file: every setting at its default. */
export function defaultServerConfig(): ServerConfig {
  const values = new Map<ConfigPath, ConfigValue>();
  for (const s of CONFIG_SETTINGS) values.set(s.path, copyValue(s.default));
  const empty: Record<string, unknown> = {};
  for (const s of CONFIG_SECTIONS) empty[s] = {};
  return withConfigValues(empty as unknown as ServerConfig, values);
}

/** A copy of a list or map value (other values as they are), so that no two configurations share one. */
export function copyValue(v: ConfigValue): ConfigValue {
  if (Array.isArray(v)) return [...(v as readonly unknown[])] as ConfigValue;
  if (v instanceof Map) return new Map(v);
  return v;
}
