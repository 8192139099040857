// Address → autonomous system lookups, and AS number → registered name, for ingestion (clnas/srvas
// when the exporter sent none) and for the tools' ASN entities.

import { parseIp } from '../fields/ipcodec.js';
import type { AsNameTable } from './asnametable.js';
import { EnrichError } from './enricherror.js';
import { LookupCache } from './lookupcache.js';
import { openData, type DataLoadInfo, type DataOptions } from './opendata.js';
import type { RangeTable } from './rangetable.js';

export class AsnDb {
  readonly table: RangeTable;
  readonly names: AsNameTable;
  readonly info: DataLoadInfo;
  private readonly cache: LookupCache;

  /** Load the ASN data (see DataOptions); throws EnrichError when a file cannot be used. */
  static open(options: DataOptions = {}): AsnDb {
    const { data, info } = openData('asn', options);
    return new AsnDb(data.table, data.names, info, options.cacheSlots);
  }

  constructor(table: RangeTable, names: AsNameTable, info: DataLoadInfo, cacheSlots?: number) {
    this.table = table;
    this.names = names;
    this.info = info;
    this.cache = new LookupCache(table, cacheSlots);
  }

  /** AS number of an address in the four-word form of ipcodec.ts (unsigned words); 0 when unknown, private or reserved. */
  asn(w0: number, w1: number, w2: number, w3: number): number {
    return this.cache.lookup(w0, w1, w2, w3);
  }

  /** AS number of an address given as text; EnrichError USAGE when it is no address. */
  asnOf(address: string): number {
    const w = parseIp(address);
    if (w === null) throw new EnrichError('USAGE', `"${address}" is not an IPv4 or IPv6 address`);
    return this.asn(w[0], w[1], w[2], w[3]);
  }

  /** The registered name of an AS, '' when the data has none. */
  asName(asn: number): string {
    return this.names.name(asn);
  }

  /** Bytes held by the tables, the names and the lookup cache. */
  get memoryBytes(): number {
    return this.table.byteLength + this.cache.byteLength + this.names.asns.byteLength + this.names.offsets.byteLength + 2 * this.names.text.length;
  }
}
