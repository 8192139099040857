// A loaded blacklist as ftbl uses it: its addresses and blocks once each, split into filter terms
// that fit in a request (ADDR=a,b,c/24,...), and the lookup that says which entry lists an address.

import { formatIp, parseIp, type Cidr } from '@opentraq/core';

export interface ListedValue {
  readonly cidr: Cidr;
  /** As the filter writes it: `203.0.113.0/24`, `198.51.100.7`, `2001:db8::/48`. */
  readonly filterText: string;
  /** The line that listed it first, as written (an address, a block, or the hostname it was resolved from). */
  readonly entry: { readonly line: number; readonly text: string };
  /** The query (from 0) whose filter term holds it. */
  readonly chunk: number;
}

export interface ListMatch {
  /** The most specific listed value that holds the address. */
  readonly value: ListedValue;
  /** The first query that returns sessions of the address (several may, when blocks overlap). */
  readonly firstChunk: number;
}

/** What the list holds, for messages. */
export interface ListCounts {
  readonly addresses: number;
  readonly blocks: number;
  readonly hostnames: number;
  /** The addresses the hostnames resolved to. */
  readonly hostAddresses: number;
}

/** The text of a block in the filter language; a single address without its prefix. */
export function cidrText(cidr: Cidr): string {
  const [a, b, c, d] = cidr.words;
  const prefix = cidr.v4 ? cidr.bits - 96 : cidr.bits;
  return cidr.bits === 128 ? formatIp(a, b, c, d) : `${formatIp(a, b, c, d)}/${prefix}`;
}

/** Characters `text` takes in a query string (the API client encodes parameters as URLSearchParams does). */
export function encodedLength(text: string): number {
  return new URLSearchParams({ q: text }).toString().length - 2;
}

const ENCODED_COMMA = encodedLength(',');
const TERM_HEAD = 'ADDR=';

function maskedKey(words: readonly number[], masks: readonly number[]): string {
  return `${(words[0]! & masks[0]!) >>> 0}:${(words[1]! & masks[1]!) >>> 0}:${(words[2]! & masks[2]!) >>> 0}:${(words[3]! & masks[3]!) >>> 0}`;
}

interface Level {
  readonly masks: readonly number[];
  readonly byKey: Map<string, number>;
}

export class Blacklist {
  readonly values: readonly ListedValue[];
  /** One filter term per query, `ADDR=v1,v2,...`, each at most the budget long once encoded. */
  readonly terms: readonly string[];
  /** Prefix lengths present, longest first, each with its values by masked address. */
  private readonly levels: readonly Level[];

  /**
   * `listed`: the addresses and blocks in list order (the same block twice is kept once, with its
   * first line); `termBudget`: the most characters one encoded `ADDR=...` term may take.
   */
  constructor(
    listed: readonly { readonly cidr: Cidr; readonly entry: { readonly line: number; readonly text: string } }[],
    termBudget: number,
    readonly counts: ListCounts,
    /** When it was loaded, ms since the epoch. */
    readonly loadedAtMs: number,
  ) {
    const values: ListedValue[] = [];
    const terms: string[] = [];
    const seen = new Set<string>();
    let term = '';
    let length = 0;
    for (const { cidr, entry } of listed) {
      const filterText = cidrText(cidr);
      if (seen.has(filterText)) continue;
      seen.add(filterText);
      const cost = encodedLength(filterText);
      if (term !== '' && length + ENCODED_COMMA + cost > termBudget) {
        terms.push(term);
        term = '';
      }
      if (term === '') {
        term = `${TERM_HEAD}${filterText}`;
        length = encodedLength(TERM_HEAD) + cost;
      } else {
        term += `,${filterText}`;
        length += ENCODED_COMMA + cost;
      }
      values.push({ cidr, filterText, entry, chunk: terms.length });
    }
    if (term !== '') terms.push(term);
    this.values = values;
    this.terms = terms;
    const levels = new Map<number, Level>();
    values.forEach((v, i) => {
      let level = levels.get(v.cidr.bits);
      if (level === undefined) levels.set(v.cidr.bits, (level = { masks: v.cidr.masks, byKey: new Map() }));
      level.byKey.set(maskedKey(v.cidr.words, v.cidr.masks), i);
    });
    this.levels = [...levels.entries()].sort((a, b) => b[0] - a[0]).map(([, level]) => level);
  }

  /** The values listed (addresses and blocks, once each). */
  get size(): number {
    return this.values.length;
  }

  /** Which listed value holds `address` (text, as the API writes it), or null when none does. */
  lookup(address: string): ListMatch | null {
    const words = parseIp(address);
    if (words === null) return null;
    let best: ListedValue | null = null;
    let firstChunk = Infinity;
    for (const level of this.levels) {
      const i = level.byKey.get(maskedKey(words, level.masks));
      if (i === undefined) continue;
      const v = this.values[i]!;
      best ??= v;
      firstChunk = Math.min(firstChunk, v.chunk);
    }
    return best === null ? null : { value: best, firstChunk };
  }
}
