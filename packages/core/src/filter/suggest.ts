// Likely fixes for misspelt names in a filter: the nearest field names or mnemonics,
// and the source/destination wording people carry over from other tools.

import { FILTER_FIELDS } from '../fields/fields.js';

/** Optimal-string-alignment distance: Levenshtein plus swaps of adjacent letters. */
export function editDistance(a: string, b: string): number {
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2.splice(0, prev2.length, ...prev);
    prev = cur;
  }
  return prev[b.length]!;
}

/** Candidates close enough to be what was meant (one edit for short words, two otherwise), nearest first. */
export function nearest(word: string, candidates: readonly string[]): string[] {
  const w = word.toUpperCase();
  const limit = w.length <= 4 ? 1 : 2;
  return candidates
    .map((c, order) => ({ c, order, d: editDistance(w, c.toUpperCase()) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.order - y.order)
    .map((x) => x.c);
}

/** `A`, `A or B`, `A, B or C`. */
export function alternatives(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

const FILTER_NAMES: readonly string[] = FILTER_FIELDS.map((f) => f.name);

/** Words for a side, as a prefix, with the side's prefix in our field names. */
const SIDE_PREFIXES: readonly (readonly [string, string])[] = [
  ['SOURCE', 'CLN'],
  ['CLIENT', 'CLN'],
  ['SRC', 'CLN'],
  ['CLI', 'CLN'],
  ['DEST', 'SRV'],
  ['DST', 'SRV'],
  ['SERVER', 'SRV'],
];

/** What follows a side prefix in other tools' names, mapped to our stems. */
const STEMS: Readonly<Record<string, string>> = {
  IP: 'IP',
  ADDR: 'IP',
  ADDRESS: 'IP',
  HOST: 'IP',
  PORT: 'PORT',
  PKTS: 'PKTS',
  PACKETS: 'PKTS',
  BYTS: 'BYTS',
  BYTES: 'BYTS',
  AS: 'AS',
  ASN: 'AS',
  CC: 'CC',
  COUNTRY: 'CC',
  MAC: 'MAC',
};

/** Whole-word names from other tools or plain English. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  IP: ['ADDR'],
  HOST: ['ADDR'],
  ADDRESS: ['ADDR'],
  NET: ['ADDR'],
  PROTOCOL: ['PROTO'],
  DURATION: ['TTIME'],
  TIME: ['TTIME'],
  COUNTRY: ['CLNCC', 'SRVCC'],
  CC: ['CLNCC', 'SRVCC'],
  AS: ['ASN'],
  IF: ['IFACE'],
  INTERFACE: ['IFACE'],
  TCPFLAGS: ['FLAGS'],
  QOS: ['TOS'],
  DSCP: ['TOS'],
  PKTS: ['PACKETS', 'TOTPKTS'],
  BYTS: ['BYTES', 'TOTBYTS'],
  EXPORTER: ['EXPIP'],
};

/** Filter fields the person probably meant by an unknown name, best first, at most three. */
export function suggestFields(word: string): string[] {
  const w = word.toUpperCase().replace(/[-_.]/g, '');
  const out: string[] = [];
  const add = (name: string): void => {
    if (FILTER_NAMES.includes(name) && !out.includes(name)) out.push(name);
  };
  for (const a of ALIASES[w] ?? []) add(a);
  for (const [prefix, side] of SIDE_PREFIXES) {
    if (w.length > prefix.length && w.startsWith(prefix)) {
      const stem = STEMS[w.slice(prefix.length)];
      if (stem !== undefined) add(side + stem);
      break;
    }
  }
  for (const n of nearest(w, FILTER_NAMES)) add(n);
  return out.slice(0, 3);
}
