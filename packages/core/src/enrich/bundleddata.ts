// Where the data shipped with the package lives: npm packages of ip-location-db, found through the
// module resolver so that lookups work from any working directory and nothing is downloaded.

import { createRequire } from 'node:module';
import type { DataKind } from './rangesink.js';

const require = createRequire(import.meta.url);

/**
 * Country: geo-whois-asn-country (CC0 per its package; from RIR whois and geofeeds), both families in
 * one mmdb. ASN: RouteViews + RIR + DB-IP (CC BY 4.0), IPv4 as integers (quicker to parse) and IPv6 as text.
 */
const BUNDLED: Readonly<Record<DataKind, readonly string[]>> = {
  country: ['@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'],
  asn: ['@ip-location-db/asn/asn-ipv4-num.csv', '@ip-location-db/asn/asn-ipv6.csv'],
};

/** Absolute paths of the bundled files for one kind of data. */
export function bundledFiles(kind: DataKind): string[] {
  return BUNDLED[kind].map((id) => require.resolve(id));
}
