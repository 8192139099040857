// Fills the country and AS columns of stored sessions at ingestion: one object holding the country
// and ASN data, opened once from the server's `ip2cfile` setting and used on every batch.

import type { Columns } from '../fields/columns.js';
import { AsnDb } from './asndb.js';
import { CountryDb } from './countrydb.js';
import { probeDataFile } from './datafiles.js';
import { EnrichError } from './enricherror.js';
import type { DataOptions } from './opendata.js';

export interface EnrichmentOptions {
  /** Country data files (mmdb or CSV); default: the bundled country data. */
  countryFile?: string | readonly string[];
  /** ASN data files (mmdb or CSV); default: the bundled ASN data. */
  asnFile?: string | readonly string[];
  /** Directory for the binary caches of the loaded tables (e.g. the store's directory); none: no cache files. */
  cacheDir?: string;
  /** In-memory lookup cache slots per address family and kind; 0 turns them off. */
  cacheSlots?: number;
  /** Told when a cache file was corrupt or could not be written. */
  onWarning?: (message: string) => void;
}

export class Enrichment {
  readonly countries: CountryDb;
  readonly asns: AsnDb;

  constructor(countries: CountryDb, asns: AsnDb) {
    this.countries = countries;
    this.asns = asns;
  }

  /**
   * Enrich rows `start` to `rows - 1` of a batch: clncc/srvcc always get the country of clnip/srvip;
   * clnas/srvas get the AS of the address only where they are 0 (the exporter sent no AS).
   */
  enrichSessions(cols: Columns, rows: number, start = 0): void {
    const clnip = cols.clnip;
    const srvip = cols.srvip;
    const clncc = cols.clncc;
    const srvcc = cols.srvcc;
    const clnas = cols.clnas;
    const srvas = cols.srvas;
    if (!Number.isInteger(start) || !Number.isInteger(rows) || start < 0 || rows < start) {
      throw new EnrichError('USAGE', `enrichSessions: rows ${start} to ${rows - 1} is not a range of rows`);
    }
    const short = [clnip.length / 4, srvip.length / 4, clncc.length, srvcc.length, clnas.length, srvas.length].some((n) => n < rows);
    if (short) throw new EnrichError('USAGE', `enrichSessions: the batch has fewer than ${rows} rows in clnip, srvip, clncc, srvcc, clnas or srvas`);
    const cc = this.countries;
    const as = this.asns;
    for (let i = start; i < rows; i++) {
      const o = 4 * i;
      const c0 = clnip[o]!;
      const c1 = clnip[o + 1]!;
      const c2 = clnip[o + 2]!;
      const c3 = clnip[o + 3]!;
      const s0 = srvip[o]!;
      const s1 = srvip[o + 1]!;
      const s2 = srvip[o + 2]!;
      const s3 = srvip[o + 3]!;
      clncc[i] = cc.country(c0, c1, c2, c3);
      srvcc[i] = cc.country(s0, s1, s2, s3);
      if (clnas[i] === 0) clnas[i] = as.asn(c0, c1, c2, c3);
      if (srvas[i] === 0) srvas[i] = as.asn(s0, s1, s2, s3);
    }
  }

  /** The registered name of an AS, '' when the data has none. */
  asName(asn: number): string {
    return this.asns.asName(asn);
  }
}

/** Load country and ASN data; throws EnrichError when a given file cannot be used. */
export function openEnrichment(options: EnrichmentOptions = {}): Enrichment {
  const common: DataOptions = {};
  if (options.cacheDir !== undefined) common.cacheDir = options.cacheDir;
  if (options.cacheSlots !== undefined) common.cacheSlots = options.cacheSlots;
  if (options.onWarning !== undefined) common.onWarning = options.onWarning;
  const countries = CountryDb.open(options.countryFile === undefined ? common : { ...common, files: options.countryFile });
  const asns = AsnDb.open(options.asnFile === undefined ? common : { ...common, files: options.asnFile });
  return new Enrichment(countries, asns);
}

/**
 * The files of an `ip2cfile` setting (paths separated by spaces; empty: bundled data), sorted by the
 * data each holds: a file can hold country data, ASN data or both (one mmdb with both is used for
 * both). A kind no file holds keeps the bundled data. Throws EnrichError for a file that cannot be used.
 */
export function ip2cFileOptions(value: string): Pick<EnrichmentOptions, 'countryFile' | 'asnFile'> {
  const countryFile: string[] = [];
  const asnFile: string[] = [];
  for (const path of value.split(/\s+/).filter((p) => p !== '')) {
    const info = probeDataFile(path);
    if (info.kinds.includes('country')) countryFile.push(path);
    if (info.kinds.includes('asn')) asnFile.push(path);
  }
  const out: Pick<EnrichmentOptions, 'countryFile' | 'asnFile'> = {};
  if (countryFile.length > 0) out.countryFile = countryFile;
  if (asnFile.length > 0) out.asnFile = asnFile;
  return out;
}
