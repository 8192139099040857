// How an entity of a ranking reads in an alert: a label (`10.0.0.1`, `443/TCP`) for structured data
// and JSON, and a phrase with its kind (`address 10.0.0.1`, `service 443/TCP`) for the alert line.

import { PROTO_MNEMONICS, type EntityName } from '@opentraq/core';
import type { StatCell } from '@opentraq/cli';

const PROTO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name]));

function cell(v: StatCell | undefined): string {
  return v === null || v === undefined || v === '' ? '-' : String(v);
}

function proto(v: StatCell | undefined): string {
  return typeof v === 'number' ? (PROTO_NAMES.get(v) ?? String(v)) : cell(v);
}

/** The entity alone: `10.0.0.1`, `10.0.0.1 10.0.0.2`, `443/TCP`, `192.0.2.1/3` (exporter/interface), `AS64512`. */
export function entityLabel(entity: EntityName, cells: readonly StatCell[]): string {
  const [a, b, c] = cells;
  switch (entity) {
    case 'PORTPROTO':
      return `${cell(a)}/${proto(b)}`;
    case 'IF':
      return `${cell(a)}/${cell(b)}`;
    case 'IFPAIR':
      return `${cell(a)}/${cell(b)}>${cell(c)}`;
    case 'ASN':
      return `AS${cell(a)}`;
    case 'ASNPAIR':
      return `AS${cell(a)} AS${cell(b)}`;
    default:
      return cells.map(cell).join(' ');
  }
}

/** The entity as the alert line names it: `address 10.0.0.1`, `service 443/TCP`, `interface 3 of exporter 192.0.2.1`. */
export function entityPhrase(entity: EntityName, cells: readonly StatCell[]): string {
  const [a, b, c] = cells;
  switch (entity) {
    case 'IP':
      return `address ${cell(a)}`;
    case 'IPPAIR':
      return `address pair ${cell(a)} and ${cell(b)}`;
    case 'PORTPROTO':
      return `service ${cell(a)}/${proto(b)}`;
    case 'QOS':
      return `ToS ${cell(a)}`;
    case 'TCPFLAGS':
      return `TCP flags ${cell(a)}`;
    case 'IF':
      return `interface ${cell(b)} of exporter ${cell(a)}`;
    case 'IFPAIR':
      return `interfaces ${cell(b)} to ${cell(c)} of exporter ${cell(a)}`;
    case 'COUNTRY':
      return `country ${cell(a)}`;
    case 'VLAN':
      return `VLAN ${cell(a)}`;
    case 'VLANPAIR':
      return `VLANs ${cell(a)} to ${cell(b)}`;
    case 'ASN':
      return `AS${cell(a)}`;
    case 'ASNPAIR':
      return `AS pair AS${cell(a)} and AS${cell(b)}`;
    case 'MAC':
      return `MAC ${cell(a)}`;
    case 'MACPAIR':
      return `MAC pair ${cell(a)} and ${cell(b)}`;
  }
}
