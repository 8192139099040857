// The physical columns of a stored session: the one schema that the store,
// the decoders' column builders and the query engine share.
// Every filter field and output column in fields.ts is defined over these.

/** How a column is held in memory. `ip` is four Uint32 words per row (see ipcodec.ts). */
export type ColumnType = 'f64' | 'u32' | 'u16' | 'u8' | 'ip';

/** A column's values for a batch of rows. */
export type ColumnArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;

export interface ColumnDef {
  /** Column name, lower case; also the key in a {@link Columns} record. */
  readonly name: ColumnName;
  readonly type: ColumnType;
  /** One line for docs/storage-format.md and docs/fields.md. */
  readonly doc: string;
}

/**
 * Schema version of the column set. Bump when a column is added, removed or
 * changes type; the store records it per segment and upgrades older ones.
 * 2: `sampleorigin` added (schema 1 segments read it as 0, none).
 */
export const SCHEMA_VERSION = 2;

export const COLUMN_DEFS = [
  { name: 'start', type: 'f64', doc: 'session start, microseconds since the Unix epoch (UTC)' },
  { name: 'end', type: 'f64', doc: 'session end (last packet), microseconds since the Unix epoch (UTC)' },
  { name: 'clnip', type: 'ip', doc: 'client (initiator) address' },
  { name: 'srvip', type: 'ip', doc: 'server (responder) address' },
  { name: 'clnport', type: 'u16', doc: 'client port (ICMP: 0)' },
  { name: 'srvport', type: 'u16', doc: 'server port (ICMP: type << 8 | code)' },
  { name: 'proto', type: 'u8', doc: 'IP protocol number' },
  { name: 'clnpkts', type: 'f64', doc: 'packets sent by the client (after sampling scale-up)' },
  { name: 'srvpkts', type: 'f64', doc: 'packets sent by the server' },
  { name: 'clnbyts', type: 'f64', doc: 'bytes sent by the client (layer 3, after sampling scale-up)' },
  { name: 'srvbyts', type: 'f64', doc: 'bytes sent by the server' },
  { name: 'flags', type: 'u8', doc: 'TCP flags OR-ed over the session (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128)' },
  { name: 'tos', type: 'u8', doc: 'ToS / DiffServ byte' },
  { name: 'inif', type: 'u32', doc: 'input interface index (SNMP ifIndex) on the exporter' },
  { name: 'outif', type: 'u32', doc: 'output interface index on the exporter' },
  { name: 'invlan', type: 'u16', doc: 'input VLAN id (0: none)' },
  { name: 'outvlan', type: 'u16', doc: 'output VLAN id (0: none)' },
  { name: 'clnas', type: 'u32', doc: 'autonomous system of the client address (0: unknown)' },
  { name: 'srvas', type: 'u32', doc: 'autonomous system of the server address (0: unknown)' },
  { name: 'clncc', type: 'u16', doc: "client country code, two ASCII letters packed as (c1 << 8) | c2 (0: unknown)" },
  { name: 'srvcc', type: 'u16', doc: 'server country code, packed like clncc' },
  { name: 'clnmac', type: 'f64', doc: 'client MAC address as a 48-bit integer (0: unknown)' },
  { name: 'srvmac', type: 'f64', doc: 'server MAC address as a 48-bit integer (0: unknown)' },
  { name: 'expip', type: 'ip', doc: 'address of the exporter that reported the session' },
  { name: 'srcid', type: 'u32', doc: 'NetFlow v9 source id / IPFIX observation domain / sFlow sub-agent of the exporter' },
  { name: 'expv', type: 'u8', doc: 'export format: 1 5 7 9 NetFlow, 10 IPFIX, 18 20 21 sFlow v2/4/5' },
  { name: 'asaevt', type: 'u16', doc: 'Cisco ASA (NSEL) event code' },
  { name: 'asaextevt', type: 'u16', doc: 'Cisco ASA (NSEL) extended event code' },
  { name: 'clnxip', type: 'ip', doc: 'translated (NAT) client address, NSEL/IPFIX (:: when none)' },
  { name: 'srvxip', type: 'ip', doc: 'translated (NAT) server address, NSEL/IPFIX (:: when none)' },
  { name: 'clnxport', type: 'u16', doc: 'translated client port' },
  { name: 'srvxport', type: 'u16', doc: 'translated server port' },
  { name: 'mpls', type: 'u32', doc: 'top MPLS label (20 bits; 0: none)' },
  { name: 'samplerate', type: 'u32', doc: 'sampling rate the counters were scaled by (1: unsampled)' },
  {
    name: 'sampleorigin',
    type: 'u8',
    doc: 'where samplerate came from: 0 none, 1 header, 2 options, 3 record, 4 config (0 with samplerate > 1: stored before schema 2, origin unknown)',
  },
  { name: 'flows', type: 'u32', doc: 'number of flow records assembled into this session record' },
] as const satisfies readonly { name: string; type: ColumnType; doc: string }[];

export type ColumnName = (typeof COLUMN_DEFS)[number]['name'];

/** A batch of rows, one typed array per column (ip columns hold 4 words a row). */
export type Columns = { [K in ColumnName]: ColumnArray };

export const COLUMNS: ReadonlyMap<ColumnName, ColumnDef> = new Map(
  COLUMN_DEFS.map((c) => [c.name, c as ColumnDef]),
);

export const COLUMN_NAMES: readonly ColumnName[] = COLUMN_DEFS.map((c) => c.name);

/** Words per row in memory for a column type. */
export function wordsPerRow(type: ColumnType): number {
  return type === 'ip' ? 4 : 1;
}

/** Allocate an empty typed array for `rows` rows of a column type. */
export function allocColumn(type: ColumnType, rows: number): ColumnArray {
  switch (type) {
    case 'f64':
      return new Float64Array(rows);
    case 'u32':
      return new Uint32Array(rows);
    case 'u16':
      return new Uint16Array(rows);
    case 'u8':
      return new Uint8Array(rows);
    case 'ip':
      return new Uint32Array(rows * 4);
  }
}

/** Allocate a full batch of `rows` zeroed rows. */
export function allocColumns(rows: number, names: readonly ColumnName[] = COLUMN_NAMES): Columns {
  const cols = {} as Record<ColumnName, ColumnArray>;
  for (const n of names) cols[n] = allocColumn(COLUMNS.get(n)!.type, rows);
  return cols as Columns;
}

/** Pack a two-letter country code; '' or '--' gives 0 (unknown). */
export function packCountry(cc: string): number {
  if (cc.length !== 2 || cc === '--') return 0;
  const u = cc.toUpperCase();
  return (u.charCodeAt(0) << 8) | u.charCodeAt(1);
}

export function unpackCountry(v: number): string {
  if (v === 0) return '--';
  return String.fromCharCode(v >>> 8, v & 0xff);
}
