// Address → country lookups for ingestion (packed codes into clncc/srvcc) and for the tools
// (two-letter text), over the bundled country data or files the user points at.

import { unpackCountry } from '../fields/columns.js';
import { parseIp } from '../fields/ipcodec.js';
import { EnrichError } from './enricherror.js';
import { LookupCache } from './lookupcache.js';
import { openData, type DataLoadInfo, type DataOptions } from './opendata.js';
import type { RangeTable } from './rangetable.js';

export class CountryDb {
  readonly table: RangeTable;
  readonly info: DataLoadInfo;
  private readonly cache: LookupCache;

  /** Load the country data (see DataOptions); throws EnrichError when a file cannot be used. */
  static open(options: DataOptions = {}): CountryDb {
    const { data, info } = openData('country', options);
    return new CountryDb(data.table, info, options.cacheSlots);
  }

  constructor(table: RangeTable, info: DataLoadInfo, cacheSlots?: number) {
    this.table = table;
    this.info = info;
    this.cache = new LookupCache(table, cacheSlots);
  }

  /**
   * Packed country code ((c1 << 8) | c2, as in the clncc column) of an address in the four-word
   * form of ipcodec.ts (unsigned words, IPv4-mapped); 0 when unknown, private or reserved.
   */
  country(w0: number, w1: number, w2: number, w3: number): number {
    return this.cache.lookup(w0, w1, w2, w3);
  }

  /** Two-letter code of an address given as text, `--` when unknown; EnrichError USAGE when it is no address. */
  countryOf(address: string): string {
    const w = parseIp(address);
    if (w === null) throw new EnrichError('USAGE', `"${address}" is not an IPv4 or IPv6 address`);
    return unpackCountry(this.country(w[0], w[1], w[2], w[3]));
  }

  /** Bytes held by the tables and the lookup cache. */
  get memoryBytes(): number {
    return this.table.byteLength + this.cache.byteLength;
  }
}
