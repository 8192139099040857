// ftbfg's model: which client subnets use which services (server address, port, protocol), each
// pair with when it was last seen, bounded by -bm by forgetting the least recently seen pairs.

/** A connection that does not fit the fingerprint: its service was never seen serving, or never this client subnet. */
export type Novelty = 'new_service' | 'new_client';

/** What one service costs besides its client subnets: its key, its entry and its own map (an estimate of V8's layout). */
const SERVICE_BYTES = 160;
/** What one client subnet of a service costs besides its text: a map entry and its last-seen time. */
const CLIENT_BYTES = 72;

export interface FingerprintEvictionNotice {
  /** The cap (-bm), bytes. */
  readonly capBytes: number;
  /** Client–service pairs known when the cap was reached, and how many of them were forgotten. */
  readonly connections: number;
  readonly evicted: number;
}

export interface FingerprintOptions {
  /** The memory cap, bytes. */
  readonly capBytes: number;
  /** Called the first time the cap forces pairs out (nbi.md: a warning is logged once). */
  readonly onFirstEviction?: (notice: FingerprintEvictionNotice) => void;
}

/** A service as the fingerprint keys it: `10.9.0.1 443 6` (server address, port, protocol number). */
export function serviceKey(server: string, port: number, proto: number): string {
  return `${server} ${port} ${proto}`;
}

export class Fingerprint {
  /** Service → client subnet → when the pair was last seen (ms since the epoch). */
  private readonly services = new Map<string, Map<string, number>>();
  private pairs = 0;
  private bytes = 0;
  private evictedCount = 0;
  private warned = false;

  constructor(private readonly options: FingerprintOptions) {
    if (!(options.capBytes > 0)) throw new RangeError(`Fingerprint: capBytes must be > 0, got ${options.capBytes}`);
  }

  /** Client subnet–service pairs known. */
  get connections(): number {
    return this.pairs;
  }

  /** Services known (each with at least one client subnet). */
  get serviceCount(): number {
    return this.services.size;
  }

  /** Pairs forgotten to stay under the cap, since the start. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Memory the fingerprint holds, bytes (what -bm caps). */
  memoryBytes(): number {
    return this.bytes;
  }

  /** How the client subnet `subnet` using `service` departs from the fingerprint; null when the pair is known. */
  novelty(subnet: string, service: string): Novelty | null {
    const clients = this.services.get(service);
    if (clients === undefined) return 'new_service';
    return clients.has(subnet) ? null : 'new_client';
  }

  /** The client subnets known for `service`. */
  clientsOf(service: string): number {
    return this.services.get(service)?.size ?? 0;
  }

  /** Adds (or refreshes) every [subnet, service] pair of `pairs` as seen at `atMs`, then keeps to the cap. */
  learn(pairs: Iterable<readonly [subnet: string, service: string]>, atMs: number): void {
    for (const [subnet, service] of pairs) {
      let clients = this.services.get(service);
      if (clients === undefined) {
        clients = new Map();
        this.services.set(service, clients);
        this.bytes += SERVICE_BYTES + service.length * 2;
      }
      const seen = clients.get(subnet);
      if (seen === undefined) {
        this.pairs++;
        this.bytes += CLIENT_BYTES + subnet.length * 2;
      }
      if (seen === undefined || atMs > seen) clients.set(subnet, atMs);
    }
    this.enforceCap();
  }

  /** Forgets the least recently seen pairs until the fingerprint is back under 90 % of the cap; a service left without clients goes too. */
  private enforceCap(): void {
    const cap = this.options.capBytes;
    if (this.bytes <= cap) return;
    const before = this.pairs;
    const all: [number, string, string][] = [];
    for (const [service, clients] of this.services) for (const [subnet, seen] of clients) all.push([seen, service, subnet]);
    all.sort((a, b) => a[0] - b[0]);
    for (const [, service, subnet] of all) {
      if (this.bytes <= cap * 0.9) break;
      const clients = this.services.get(service)!;
      clients.delete(subnet);
      this.pairs--;
      this.bytes -= CLIENT_BYTES + subnet.length * 2;
      if (clients.size === 0) {
        this.services.delete(service);
        this.bytes -= SERVICE_BYTES + service.length * 2;
      }
    }
    const evicted = before - this.pairs;
    this.evictedCount += evicted;
    if (!this.warned) {
      this.warned = true;
      this.options.onFirstEviction?.({ capBytes: cap, connections: before, evicted });
    }
  }
}
