// Loads one kind of address data for a lookup class: from the caller's files or the bundled ones,
// through the binary cache file when a cache directory is given, timing what it did.

import { EnrichError } from './enricherror.js';
import { bundledFiles } from './bundleddata.js';
import { loadDataFiles, type LoadedData } from './datafiles.js';
import type { DataKind } from './rangesink.js';
import { cacheFileName, cacheKey, cacheSupported, readTableCache, writeTableCache } from './tablecache.js';

/** How CountryDb and AsnDb find and hold their data. */
export interface DataOptions {
  /** Data files, mmdb or CSV (several when the data comes split, e.g. IPv4 and IPv6 CSVs). Default: the bundled data. */
  files?: string | readonly string[];
  /** Directory for a binary cache of the loaded tables (created if missing); none: no cache file. */
  cacheDir?: string;
  /** Slots per address family of the in-memory lookup cache (power of two); 0 turns it off. Default 16384. */
  cacheSlots?: number;
  /** Told, in one line, when a cache file was corrupt or could not be written; the data loads regardless. */
  onWarning?: (message: string) => void;
}

/** Where a lookup class's data came from and what loading it cost. */
export interface DataLoadInfo {
  readonly kind: DataKind;
  readonly sources: readonly string[];
  readonly bundled: boolean;
  /** The cache file used or written, when there is one. */
  readonly cacheFile: string | undefined;
  /** Whether the tables came from the cache file rather than from the sources. */
  readonly fromCache: boolean;
  /** Why the cache file was not used, when it was not: missing, stale or corrupt. */
  readonly cacheProblem: string | undefined;
  readonly loadMs: number;
}

function fileList(files: string | readonly string[] | undefined, kind: DataKind): string[] | undefined {
  if (files === undefined) return undefined;
  const list = typeof files === 'string' ? [files] : [...files];
  if (list.length === 0 || list.some((f) => typeof f !== 'string' || f === '')) {
    throw new EnrichError('USAGE', `${kind} files must be non-empty paths; leave the option out for the bundled data`);
  }
  return list;
}

export function openData(kind: DataKind, options: DataOptions): { data: LoadedData; info: DataLoadInfo } {
  const t0 = performance.now();
  const given = fileList(options.files, kind);
  const sources = given ?? bundledFiles(kind);
  const done = (data: LoadedData, cacheFile: string | undefined, fromCache: boolean, cacheProblem: string | undefined) => ({
    data,
    info: { kind, sources, bundled: given === undefined, cacheFile, fromCache, cacheProblem, loadMs: performance.now() - t0 },
  });
  if (options.cacheDir === undefined || !cacheSupported) return done(loadDataFiles(kind, sources), undefined, false, undefined);

  const file = cacheFileName(options.cacheDir, kind);
  let key: string;
  try {
    key = cacheKey(kind, sources);
  } catch {
    // A source we cannot stat: loading it reports the problem with its path.
    return done(loadDataFiles(kind, sources), undefined, false, undefined);
  }
  const cached = readTableCache(file, key);
  if ('data' in cached) return done(cached.data, file, true, undefined);
  if (cached.problem === 'corrupt') options.onWarning?.(`enrichment cache ${file} is corrupt (${cached.detail}); rebuilding it`);
  const data = loadDataFiles(kind, sources);
  try {
    writeTableCache(file, key, data);
  } catch (e) {
    options.onWarning?.(`cannot write the enrichment cache ${file}: ${(e as Error).message}`);
  }
  return done(data, file, false, `${cached.problem}: ${cached.detail}`);
}
