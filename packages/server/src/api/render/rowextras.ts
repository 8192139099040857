// The descriptive columns of a ranking that the stored sessions do not hold (AS names,
// countries, service names): looked up by the server in its enrichment data, faked in tests.

export interface RowExtras {
  /** The AS of an address and its registered name ('' when the data has none); null: unknown. */
  asnOf(ip: string): { asn: number; name: string } | null;
  /** The two-letter country code of an address; null: unknown. */
  countryOf(ip: string): string | null;
  /** The service name of a server port and protocol number (`https` for 443/6); null: none. */
  serviceOf(port: number, proto: number): string | null;
  /** The registered name of an AS (the `as_name` of ASN rankings); absent or null: unknown. */
  asName?(asn: number): string | null;
}
