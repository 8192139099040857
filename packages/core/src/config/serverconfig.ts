// The shape of ftserver's configuration once parsed: one typed value per setting of
// ftserver.conf, grouped by the file's sections. What each setting means is in settings.ts.

export const DEBUG_LEVELS = ['ALWAYS', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
/** Log verbosity, least to most verbose. */
export type DebugLevel = (typeof DEBUG_LEVELS)[number];

export interface SessionTablesConfig {
  readonly conntracksize: number;
  readonly memcachesize: number;
  readonly timeout: number;
  readonly toolong: number;
}

export interface NetflowConfig {
  readonly netflowport: readonly number[];
  readonly ipfixtcpport: readonly number[];
  readonly ignoreoldnetflows: boolean;
  /** Addresses the flow listeners bind; empty: all addresses, IPv4 and IPv6. */
  readonly listenaddress: readonly string[];
  /** Sampling rate per exporter address (canonical text, as formatIp writes it); fits DecoderConfig.samplingOverrides. */
  readonly samplingrate: ReadonlyMap<string, number>;
}

export interface SflowConfig {
  readonly sflowport: readonly number[];
}

export interface StorageConfig {
  readonly storageinterval: number;
  readonly databasepath: string;
  readonly segmentcount: number;
  readonly segmentsize: number;
  readonly computecrc: boolean;
}

export interface UserdataConfig {
  readonly userdatapath: string;
  readonly maxsessionkeyage: number;
}

export interface TlsConfig {
  /** PEM certificate chain; empty: no TLS. */
  readonly cert: string;
  /** PEM private key; empty: no TLS. */
  readonly key: string;
}

/** Everything ftserver.conf and the command line can set; docs/config.md describes each setting. */
export interface ServerConfig {
  readonly querythreads: number;
  /** Empty: standard error. */
  readonly logfile: string;
  readonly debuglevel: DebugLevel;
  readonly listenport: number;
  /** The query API's address (extension); empty: all. */
  readonly apiaddress: readonly string[];
  /** Paths separated by single spaces, as `ip2cFileOptions` takes them; empty: the bundled data. */
  readonly ip2cfile: string;
  /** Empty: /etc/services, else the bundled list. */
  readonly servicesfile: string;
  readonly maxclientlatency: number;
  readonly sessiontables: SessionTablesConfig;
  readonly netflow: NetflowConfig;
  readonly sflow: SflowConfig;
  readonly storage: StorageConfig;
  readonly userdata: UserdataConfig;
  readonly tls: TlsConfig;
}

export const CONFIG_SECTIONS = ['sessiontables', 'netflow', 'sflow', 'storage', 'userdata', 'tls'] as const;
/** A `<name>` … `</name>` section of the file. */
export type ConfigSection = (typeof CONFIG_SECTIONS)[number];

type TopKey = Exclude<keyof ServerConfig, ConfigSection>;

/** A setting's name as the documentation and messages write it: `querythreads`, `netflow.netflowport`. */
export type ConfigPath = TopKey | { [S in ConfigSection]: `${S}.${keyof ServerConfig[S] & string}` }[ConfigSection];

/** The type of the value of the setting at `P`. */
export type ConfigValueAt<P extends ConfigPath> = P extends `${infer S}.${infer K}`
  ? S extends ConfigSection
    ? K extends keyof ServerConfig[S]
      ? ServerConfig[S][K]
      : never
    : never
  : P extends TopKey
    ? ServerConfig[P]
    : never;

/** Any setting's value. */
export type ConfigValue = ConfigValueAt<ConfigPath>;

/** Some settings, as the command line gives them: applied over a whole configuration by mergeConfig. */
export type ConfigOverrides = { [K in TopKey]?: ServerConfig[K] } & { [S in ConfigSection]?: Partial<ServerConfig[S]> };
