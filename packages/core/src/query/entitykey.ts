// An entity key as values a program can use and as the text the tools print,
// decoded from the full-width words the engine groups by.

import type { ColumnName } from '../fields/columns.js';
import { unpackCountry } from '../fields/columns.js';
import { PROTO_MNEMONICS } from '../fields/fields.js';
import { formatIp, formatMac, type IpWords } from '../fields/ipcodec.js';
import type { KeyLayout } from './keyindex.js';

/** One entity column's value: an address as four words, anything else (MAC, country code, port, ...) as a number. */
export type KeyValue = number | IpWords;

const PROTO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(PROTO_MNEMONICS).map(([name, n]) => [n, name]));

/** TCP flags as in nfdump: CWR ECE URG ACK PSH RST SYN FIN, a dot for each flag not set. */
export function formatTcpFlags(v: number): string {
  const letters = 'CEUAPRSF';
  let s = '';
  for (let i = 0; i < 8; i++) s += v & (0x80 >> i) ? letters[i] : '.';
  return s;
}

function text(column: ColumnName, v: KeyValue): string {
  if (typeof v !== 'number') return formatIp(v[0], v[1], v[2], v[3]);
  switch (column) {
    case 'clnmac':
    case 'srvmac':
      return formatMac(v);
    case 'clncc':
    case 'srvcc':
      return unpackCountry(v);
    case 'proto':
      return PROTO_NAMES.get(v) ?? String(v);
    case 'flags':
      return formatTcpFlags(v);
    default:
      return String(v);
  }
}

/** Decodes the full key at words[off..]: one value and one text per column of the layout. */
export function decodeKey(layout: KeyLayout, words: Uint32Array, off: number): { values: KeyValue[]; text: string[] } {
  const values: KeyValue[] = [];
  const texts: string[] = [];
  let o = off;
  layout.kinds.forEach((kind, i) => {
    let v: KeyValue;
    if (kind === 'ip') {
      v = [words[o]!, words[o + 1]!, words[o + 2]!, words[o + 3]!];
      o += 4;
    } else if (kind === 'mac') {
      v = words[o]! * 4294967296 + words[o + 1]!;
      o += 2;
    } else v = words[o++]!;
    values.push(v);
    texts.push(text(layout.columns[i]!, v));
  });
  return { values, text: texts };
}
