// The field table: every session field a person or script can name, with its
// filter semantics and output form. Filter compiler, outputs and docs derive from it.

import type { ColumnName } from './columns.js';

/** What a filter value for the field looks like. */
export type ValueKind = 'ip' | 'int' | 'decimal' | 'cc' | 'mac' | 'flag';

/** How a field reads in text output (tables, CSV, JSON). */
export type DisplayFormat = 'time' | 'ip' | 'int' | 'proto' | 'flags' | 'cc' | 'mac' | 'decimal';

/** Which side of a session the field describes; `either` fields match when either side does. */
export type Role = 'client' | 'server' | 'either' | 'session';

export type Comparator = '=' | '!=' | '>=' | '<=' | '>' | '<';

export const EQUALITY: readonly Comparator[] = ['=', '!='];
export const ALL_COMPARATORS: readonly Comparator[] = ['=', '!=', '>=', '<=', '>', '<'];

/** Where a field's value comes from. */
export type FieldSource =
  /** one stored column */
  | { readonly kind: 'column'; readonly column: ColumnName }
  /** either of two sided fields (the names of the client and server variants; checked by the field tests) */
  | { readonly kind: 'either'; readonly client: string; readonly server: string }
  /** the sum of two stored columns */
  | { readonly kind: 'sum'; readonly columns: readonly [ColumnName, ColumnName] }
  /** (end - start) in seconds */
  | { readonly kind: 'duration' };

export interface FilterSpec {
  readonly value: ValueKind;
  readonly comparators: readonly Comparator[];
  /** inclusive bounds for int values */
  readonly min?: number;
  readonly max?: number;
  /** names accepted in place of numbers (case-insensitive), e.g. PROTO=TCP */
  readonly mnemonics?: Readonly<Record<string, number>>;
}

export interface FieldDef {
  /** Upper-case name used in filters, ftsq columns, CSV headers and JSON keys. */
  readonly name: FieldName;
  readonly role: Role;
  readonly source: FieldSource;
  readonly doc: string;
  /** Present when the field can be used in a filter. */
  readonly filter?: FilterSpec;
  /** Present when the field is an ftsq output column; `table` marks the readable subset. */
  readonly output?: { readonly format: DisplayFormat; readonly table: boolean };
}

export const PROTO_MNEMONICS: Readonly<Record<string, number>> = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMP6: 58,
  SCTP: 132,
};

export const TCP_FLAG_MNEMONICS: Readonly<Record<string, number>> = {
  FFIN: 0x01,
  FSYN: 0x02,
  FRST: 0x04,
  FPSH: 0x08,
  FACK: 0x10,
  FURG: 0x20,
  FECN: 0x40,
  FCWR: 0x80,
};

const U8 = { min: 0, max: 255 };
const U16 = { min: 0, max: 65535 };
const U32 = { min: 0, max: 4294967295 };
const VLAN = { min: 0, max: 4095 };
const COUNT = { min: 0, max: Number.MAX_SAFE_INTEGER };

const col = (column: ColumnName): FieldSource => ({ kind: 'column', column });
const either = (client: string, server: string): FieldSource => ({ kind: 'either', client, server });
const ipFilter: FilterSpec = { value: 'ip', comparators: EQUALITY };
const intFilter = (range: { min: number; max: number }): FilterSpec => ({ value: 'int', comparators: ALL_COMPARATORS, ...range });

const DEFS = [
  { name: 'START', role: 'session', source: col('start'), doc: 'session start time', output: { format: 'time', table: true } },
  { name: 'END', role: 'session', source: col('end'), doc: 'session end time', output: { format: 'time', table: true } },
  { name: 'CLNIP', role: 'client', source: col('clnip'), doc: 'client address', filter: ipFilter, output: { format: 'ip', table: true } },
  { name: 'CLNPORT', role: 'client', source: col('clnport'), doc: 'client port', filter: intFilter(U16), output: { format: 'int', table: true } },
  { name: 'SRVIP', role: 'server', source: col('srvip'), doc: 'server address', filter: ipFilter, output: { format: 'ip', table: true } },
  { name: 'SRVPORT', role: 'server', source: col('srvport'), doc: 'server port', filter: intFilter(U16), output: { format: 'int', table: true } },
  {
    name: 'PROTO',
    role: 'session',
    source: col('proto'),
    doc: 'IP protocol',
    filter: { value: 'int', comparators: ALL_COMPARATORS, ...U8, mnemonics: PROTO_MNEMONICS },
    output: { format: 'proto', table: true },
  },
  { name: 'CLNPKTS', role: 'client', source: col('clnpkts'), doc: 'packets sent by the client', filter: intFilter(COUNT), output: { format: 'int', table: true } },
  { name: 'SRVPKTS', role: 'server', source: col('srvpkts'), doc: 'packets sent by the server', filter: intFilter(COUNT), output: { format: 'int', table: true } },
  { name: 'CLNBYTS', role: 'client', source: col('clnbyts'), doc: 'bytes sent by the client', filter: intFilter(COUNT), output: { format: 'int', table: true } },
  { name: 'SRVBYTS', role: 'server', source: col('srvbyts'), doc: 'bytes sent by the server', filter: intFilter(COUNT), output: { format: 'int', table: true } },
  {
    name: 'FLAGS',
    role: 'session',
    source: col('flags'),
    doc: 'TCP flags seen in the session; = tests that a flag is set, != that it is not',
    filter: { value: 'flag', comparators: EQUALITY, mnemonics: TCP_FLAG_MNEMONICS },
    output: { format: 'flags', table: true },
  },
  { name: 'TOS', role: 'session', source: col('tos'), doc: 'ToS / DiffServ byte', filter: intFilter(U8), output: { format: 'int', table: false } },
  { name: 'INIF', role: 'client', source: col('inif'), doc: 'input interface index', filter: intFilter(U32), output: { format: 'int', table: false } },
  { name: 'OUTIF', role: 'server', source: col('outif'), doc: 'output interface index', filter: intFilter(U32), output: { format: 'int', table: false } },
  { name: 'INVLAN', role: 'client', source: col('invlan'), doc: 'input VLAN', filter: intFilter(VLAN), output: { format: 'int', table: false } },
  { name: 'OUTVLAN', role: 'server', source: col('outvlan'), doc: 'output VLAN', filter: intFilter(VLAN), output: { format: 'int', table: false } },
  { name: 'CLNAS', role: 'client', source: col('clnas'), doc: 'autonomous system of the client address', filter: intFilter(U32), output: { format: 'int', table: false } },
  { name: 'SRVAS', role: 'server', source: col('srvas'), doc: 'autonomous system of the server address', filter: intFilter(U32), output: { format: 'int', table: false } },
  { name: 'CLNCC', role: 'client', source: col('clncc'), doc: 'country code of the client address', filter: { value: 'cc', comparators: EQUALITY }, output: { format: 'cc', table: false } },
  { name: 'SRVCC', role: 'server', source: col('srvcc'), doc: 'country code of the server address', filter: { value: 'cc', comparators: EQUALITY }, output: { format: 'cc', table: false } },
  { name: 'CLNMAC', role: 'client', source: col('clnmac'), doc: 'client MAC address', filter: { value: 'mac', comparators: EQUALITY }, output: { format: 'mac', table: false } },
  { name: 'SRVMAC', role: 'server', source: col('srvmac'), doc: 'server MAC address', filter: { value: 'mac', comparators: EQUALITY }, output: { format: 'mac', table: false } },
  { name: 'EXPIP', role: 'session', source: col('expip'), doc: 'address of the exporter that reported the session', filter: ipFilter, output: { format: 'ip', table: false } },
  {
    name: 'EXPV',
    role: 'session',
    source: col('expv'),
    doc: 'export format: 1 5 7 9 NetFlow v1/5/7/9, 10 IPFIX, 18 20 21 sFlow v2/4/5',
    filter: { value: 'int', comparators: EQUALITY, ...U8 },
    output: { format: 'int', table: false },
  },
  { name: 'ASAEVT', role: 'session', source: col('asaevt'), doc: 'Cisco ASA (NSEL) event code', filter: intFilter(U16), output: { format: 'int', table: false } },
  { name: 'ASAEXTEVT', role: 'session', source: col('asaextevt'), doc: 'Cisco ASA (NSEL) extended event code', filter: intFilter(U16), output: { format: 'int', table: false } },
  // Columns beyond FlowTraq's list: carried by -c/-C/-j after the ones above.
  { name: 'SRCID', role: 'session', source: col('srcid'), doc: 'exporter source id / observation domain', output: { format: 'int', table: false } },
  { name: 'CLNXIP', role: 'client', source: col('clnxip'), doc: 'translated (NAT) client address', output: { format: 'ip', table: false } },
  { name: 'CLNXPORT', role: 'client', source: col('clnxport'), doc: 'translated client port', output: { format: 'int', table: false } },
  { name: 'SRVXIP', role: 'server', source: col('srvxip'), doc: 'translated (NAT) server address', output: { format: 'ip', table: false } },
  { name: 'SRVXPORT', role: 'server', source: col('srvxport'), doc: 'translated server port', output: { format: 'int', table: false } },
  { name: 'MPLS', role: 'session', source: col('mpls'), doc: 'top MPLS label', output: { format: 'int', table: false } },
  { name: 'SAMPLERATE', role: 'session', source: col('samplerate'), doc: 'sampling rate the counters were scaled by', output: { format: 'int', table: false } },
  { name: 'FLOWS', role: 'session', source: col('flows'), doc: 'flow records assembled into this session record', output: { format: 'int', table: false } },
  // After FLOWS, so that the CSV columns of earlier versions keep their places. Output only, like
  // SAMPLERATE: the filter language is FlowTraq's fields (filter.md), opentraq's extra columns are not in it.
  {
    name: 'SAMPLEORIGIN',
    role: 'session',
    source: col('sampleorigin'),
    doc: 'where SAMPLERATE came from: 0 none (unsampled), 1 header (NetFlow v5 header, sFlow sample), 2 options (v9/IPFIX options data), 3 record (a sampling field in the flow record), 4 config (a per-exporter override)',
    output: { format: 'int', table: false },
  },
  // Derived fields: filter only.
  { name: 'ADDR', role: 'either', source: either('CLNIP', 'SRVIP'), doc: 'either address', filter: ipFilter },
  { name: 'PORT', role: 'either', source: either('CLNPORT', 'SRVPORT'), doc: 'either port', filter: intFilter(U16) },
  { name: 'PACKETS', role: 'either', source: either('CLNPKTS', 'SRVPKTS'), doc: 'either packet count (a logical OR, not a sum)', filter: intFilter(COUNT) },
  { name: 'BYTES', role: 'either', source: either('CLNBYTS', 'SRVBYTS'), doc: 'either byte count (a logical OR, not a sum)', filter: intFilter(COUNT) },
  { name: 'TOTPKTS', role: 'session', source: { kind: 'sum', columns: ['clnpkts', 'srvpkts'] }, doc: 'client + server packets', filter: intFilter(COUNT) },
  { name: 'TOTBYTS', role: 'session', source: { kind: 'sum', columns: ['clnbyts', 'srvbyts'] }, doc: 'client + server bytes', filter: intFilter(COUNT) },
  {
    name: 'TTIME',
    role: 'session',
    source: { kind: 'duration' },
    doc: 'session duration in seconds',
    filter: { value: 'decimal', comparators: ALL_COMPARATORS, min: 0, max: Number.MAX_SAFE_INTEGER },
  },
  { name: 'IFACE', role: 'either', source: either('INIF', 'OUTIF'), doc: 'either interface', filter: intFilter(U32) },
  { name: 'VLAN', role: 'either', source: either('INVLAN', 'OUTVLAN'), doc: 'either VLAN', filter: intFilter(VLAN) },
  { name: 'ASN', role: 'either', source: either('CLNAS', 'SRVAS'), doc: 'either autonomous system', filter: intFilter(U32) },
  { name: 'MAC', role: 'either', source: either('CLNMAC', 'SRVMAC'), doc: 'either MAC address', filter: { value: 'mac', comparators: EQUALITY } },
] as const;

export type FieldName = (typeof DEFS)[number]['name'];

export const FIELDS: readonly FieldDef[] = DEFS as unknown as readonly FieldDef[];

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.name, f]));

/** Look a field up by name, case-insensitively. */
export function findField(name: string): FieldDef | undefined {
  return FIELD_BY_NAME.get(name.toUpperCase());
}

/** Fields usable in filters, in table order. */
export const FILTER_FIELDS: readonly FieldDef[] = FIELDS.filter((f) => f.filter !== undefined);

/** ftsq output columns, in the stable order of cli.md followed by opentraq's extra columns. */
export const OUTPUT_FIELDS: readonly FieldDef[] = FIELDS.filter((f) => f.output !== undefined);
