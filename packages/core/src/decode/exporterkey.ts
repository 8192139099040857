// Exporter addresses as the decoder keys them: one text per address whatever form the socket gives
// (a dual-stack socket reports IPv4 exporters as ::ffff:a.b.c.d), so state and configuration agree.

import { formatIp, parseIp } from '../fields/ipcodec.js';

/** An IP address as formatIp writes it (dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952 for IPv6); other text as given. */
export function canonicalExporter(exporter: string): string {
  const w = parseIp(exporter);
  return w === null ? exporter : formatIp(w[0], w[1], w[2], w[3]);
}

/** A key given to the inspection API: the address part canonical, a `#session` suffix kept. */
export function canonicalKey(key: string): string {
  const hash = key.indexOf('#');
  return hash < 0 ? canonicalExporter(key) : canonicalExporter(key.slice(0, hash)) + key.slice(hash);
}

/** Entries kept before the cache starts over: more than the exporters one socket normally hears from at once. */
const CACHE_LIMIT = 1024;

/**
 * canonicalExporter once per distinct string, not once per datagram: the socket hands a new string
 * for every datagram, but from few addresses. Starting over when full keeps a spoofing flood cheap.
 */
export class ExporterKeyCache {
  private readonly map = new Map<string, string>();
  private lastRaw = '';
  private lastKey = '';

  canonical(exporter: string): string {
    if (exporter === this.lastRaw) return this.lastKey;
    let key = this.map.get(exporter);
    if (key === undefined) {
      if (this.map.size >= CACHE_LIMIT) this.map.clear();
      key = canonicalExporter(exporter);
      this.map.set(exporter, key);
    }
    this.lastRaw = exporter;
    this.lastKey = key;
    return key;
  }
}
