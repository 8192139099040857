// Public door of enrichment: country and AS of addresses (from the bundled ip-location-db data or
// the user's mmdb/CSV files) for stored sessions and the tools, and service names for ports.
export { openEnrichment, ip2cFileOptions, Enrichment, type EnrichmentOptions } from './enrichment.js';
export { CountryDb } from './countrydb.js';
export { AsnDb } from './asndb.js';
export type { DataOptions, DataLoadInfo } from './opendata.js';
export { probeDataFile, type DataFileInfo, type DataFileFormat } from './datafiles.js';
export type { DataKind } from './rangesink.js';
export { RangeTable } from './rangetable.js';
export { AsNameTable } from './asnametable.js';
export { DEFAULT_CACHE_SLOTS } from './lookupcache.js';
export { RESERVED_NETWORKS } from './reserved.js';
export { ServiceNames, SYSTEM_SERVICES_FILE } from './servicenames.js';
export { BUNDLED_SERVICES } from './bundledservices.js';
export { EnrichError, type EnrichErrorCode } from './enricherror.js';
