// What a ranking can group by (ftstat -grp) and count distinct (-cnt UNIQUE X),
// defined over the stored columns. The query engine and the tools read this table.

import type { ColumnName } from './columns.js';
import type { FieldName } from './fields.js';

export type EntityName =
  | 'IP'
  | 'IPPAIR'
  | 'PORTPROTO'
  | 'QOS'
  | 'TCPFLAGS'
  | 'IF'
  | 'IFPAIR'
  | 'COUNTRY'
  | 'VLAN'
  | 'VLANPAIR'
  | 'ASN'
  | 'ASNPAIR'
  | 'MAC'
  | 'MACPAIR';

/**
 * Shapes of entity:
 * - `sided`: one value per session side; a session counts for its client-side and
 *   its server-side value (IP: both addresses). -snd/-rcv apply.
 * - `pair`: the two sides' values together, one entity per session. `unordered`
 *   pairs put the smaller value first (IPPAIR); ordered pairs are (client side, server side).
 * - `session`: one value per session (PORTPROTO, QOS, TCPFLAGS).
 */
export type EntityShape = 'sided' | 'pair' | 'session';

export interface EntityDef {
  readonly name: EntityName;
  readonly shape: EntityShape;
  /** For sided and pair entities: the client-side and server-side key columns. */
  readonly client?: readonly ColumnName[];
  readonly server?: readonly ColumnName[];
  /** For session entities: the key columns. */
  readonly key?: readonly ColumnName[];
  /** Pairs only: whether (A,B) and (B,A) are one entity. */
  readonly unordered?: boolean;
  /** CSV/JSON header names of the entity columns, in order. */
  readonly csv: readonly string[];
  /**
   * The "either" filter field whose terms also restrict which side is ranked
   * (filter.md: -grp IP -q "ADDR=10.0.0.0/8" ranks only addresses in 10/8).
   */
  readonly eitherField?: FieldName;
  /** May be the X of -cnt UNIQUE X. */
  readonly uniqueTarget: boolean;
  readonly doc: string;
}

export const ENTITIES: readonly EntityDef[] = [
  { name: 'IP', shape: 'sided', client: ['clnip'], server: ['srvip'], csv: ['IP'], eitherField: 'ADDR', uniqueTarget: true, doc: 'an address; a session counts for both its addresses' },
  { name: 'IPPAIR', shape: 'pair', client: ['clnip'], server: ['srvip'], unordered: true, csv: ['IP_A', 'IP_B'], eitherField: 'ADDR', uniqueTarget: false, doc: 'an unordered pair of addresses' },
  { name: 'PORTPROTO', shape: 'session', key: ['srvport', 'proto'], csv: ['PORT', 'PROTO'], uniqueTarget: true, doc: 'the server port with its protocol' },
  { name: 'QOS', shape: 'session', key: ['tos'], csv: ['QOS'], uniqueTarget: true, doc: 'ToS / DiffServ value' },
  { name: 'TCPFLAGS', shape: 'session', key: ['flags'], csv: ['TCPFLAGS'], uniqueTarget: true, doc: 'the accumulated TCP flags of the session' },
  {
    name: 'IF',
    shape: 'sided',
    client: ['expip', 'inif'],
    server: ['expip', 'outif'],
    csv: ['EXPIP', 'IF'],
    eitherField: 'IFACE',
    uniqueTarget: true,
    doc: 'an exporter interface; the input interface stands on the client side, the output interface on the server side',
  },
  { name: 'IFPAIR', shape: 'pair', client: ['expip', 'inif'], server: ['expip', 'outif'], unordered: false, csv: ['EXPIP', 'IF_A', 'IF_B'], eitherField: 'IFACE', uniqueTarget: false, doc: 'the (input, output) interface pair of an exporter' },
  { name: 'COUNTRY', shape: 'sided', client: ['clncc'], server: ['srvcc'], csv: ['COUNTRY'], uniqueTarget: true, doc: 'the country of an address' },
  { name: 'VLAN', shape: 'sided', client: ['invlan'], server: ['outvlan'], csv: ['VLAN'], eitherField: 'VLAN', uniqueTarget: true, doc: 'a VLAN id; the input VLAN stands on the client side' },
  { name: 'VLANPAIR', shape: 'pair', client: ['invlan'], server: ['outvlan'], unordered: false, csv: ['VLAN_A', 'VLAN_B'], eitherField: 'VLAN', uniqueTarget: false, doc: 'the (input, output) VLAN pair' },
  { name: 'ASN', shape: 'sided', client: ['clnas'], server: ['srvas'], csv: ['ASN'], eitherField: 'ASN', uniqueTarget: true, doc: 'an autonomous system' },
  { name: 'ASNPAIR', shape: 'pair', client: ['clnas'], server: ['srvas'], unordered: true, csv: ['ASN_A', 'ASN_B'], eitherField: 'ASN', uniqueTarget: false, doc: 'an unordered pair of autonomous systems' },
  { name: 'MAC', shape: 'sided', client: ['clnmac'], server: ['srvmac'], csv: ['MAC'], eitherField: 'MAC', uniqueTarget: true, doc: 'a MAC address' },
  { name: 'MACPAIR', shape: 'pair', client: ['clnmac'], server: ['srvmac'], unordered: true, csv: ['MAC_A', 'MAC_B'], eitherField: 'MAC', uniqueTarget: false, doc: 'an unordered pair of MAC addresses' },
];

export const ENTITY_BY_NAME: ReadonlyMap<string, EntityDef> = new Map(ENTITIES.map((e) => [e.name, e]));

export type CountName = 'BYTES' | 'BITS' | 'PACKETS' | 'SESSIONS' | 'UNIQUE';

export const COUNTS: readonly CountName[] = ['BYTES', 'BITS', 'PACKETS', 'SESSIONS', 'UNIQUE'];

/** Entities that may follow -cnt UNIQUE. */
export const UNIQUE_TARGETS: readonly EntityName[] = ENTITIES.filter((e) => e.uniqueTarget).map((e) => e.name);
