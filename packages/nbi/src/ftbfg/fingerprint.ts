// ftbfg's model: which client subnets use which services (server address, port, protocol), each
// pair with when it was last seen, bounded by -bm by forgetting the least recently seen pairs.

import { KeyIndex } from '../engine/keyindex.js';
import { IdCounts } from './idcounts.js';
import { PairTable } from './pairtable.js';

/** A connection that does not fit the fingerprint: its service was never seen serving, or never this client subnet. */
export type Novelty = 'new_service' | 'new_client';

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
  /**
   * Services and client subnets by their text, each interned once with a small id; the pairs refer to
   * them by id. Each service counts its client subnets and each subnet its services, so that a side
   * whose pairs were all forgotten goes with them.
   */
  private readonly services = new KeyIndex();
  private readonly clients = new IdCounts();
  private readonly subnets = new KeyIndex();
  private readonly uses = new IdCounts();
  private readonly pairs = new PairTable();
  private evictedCount = 0;
  private warned = false;

  constructor(private readonly options: FingerprintOptions) {
    if (!(options.capBytes > 0)) throw new RangeError(`Fingerprint: capBytes must be > 0, got ${options.capBytes}`);
  }

  /** Client subnet–service pairs known. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Services known (each with at least one client subnet). */
  get serviceCount(): number {
    return this.services.size;
  }

  /** Pairs forgotten to stay under the cap, since the start. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Memory the fingerprint holds, bytes (what -bm caps): the services' and subnets' keys and ids, their counts, the pairs. */
  memoryBytes(): number {
    return this.services.byteLength + this.clients.byteLength + this.subnets.byteLength + this.uses.byteLength + this.pairs.byteLength;
  }

  /** How the client subnet `subnet` using `service` departs from the fingerprint; null when the pair is known. */
  novelty(subnet: string, service: string): Novelty | null {
    const s = this.services.idOf(service);
    if (s < 0) return 'new_service';
    const c = this.subnets.idOf(subnet);
    return c >= 0 && this.pairs.find(s, c) >= 0 ? null : 'new_client';
  }

  /** The client subnets known for `service`. */
  clientsOf(service: string): number {
    const s = this.services.idOf(service);
    return s < 0 ? 0 : this.clients.get(s);
  }

  /** Adds (or refreshes) every [subnet, service] pair of `pairs` as seen at `atMs`, then keeps to the cap. */
  learn(pairs: Iterable<readonly [subnet: string, service: string]>, atMs: number): void {
    for (const [subnet, service] of pairs) {
      const s = this.idIn(this.services, this.clients, service);
      const c = this.idIn(this.subnets, this.uses, subnet);
      if (this.pairs.see(s, c, atMs)) {
        this.clients.add(s, 1);
        this.uses.add(c, 1);
      }
    }
    this.enforceCap();
  }

  /** The id of `key` in `index`, added (with a count of 0) when new. */
  private idIn(index: KeyIndex, counts: IdCounts, key: string): number {
    const size = index.size;
    const id = index.add(key);
    if (index.size !== size) counts.start(id);
    return id;
  }

  /** Forgets the least recently seen pairs until the fingerprint is back under 90 % of the cap; a service or subnet left without pairs goes too. */
  private enforceCap(): void {
    const cap = this.options.capBytes;
    let bytes = this.memoryBytes();
    if (bytes <= cap) return;
    const before = this.pairs.size;
    while (bytes > cap * 0.9 && this.pairs.size > 0) {
      // as many of the oldest as their share of the memory to give back (then more, should it not be enough)
      const size = this.pairs.size;
      this.forget(Math.max(1, Math.min(size, Math.ceil((size * (bytes - cap * 0.9)) / bytes))));
      bytes = this.memoryBytes();
    }
    const evicted = before - this.pairs.size;
    this.evictedCount += evicted;
    if (!this.warned) {
      this.warned = true;
      this.options.onFirstEviction?.({ capBytes: cap, connections: before, evicted });
    }
  }

  /** Forgets the `count` least recently seen pairs, and the services and subnets left without any. */
  private forget(count: number): void {
    const order = this.pairs.oldestFirst();
    const forget = new Uint8Array(this.pairs.size);
    for (let k = 0; k < count; k++) {
      const e = order[k]!;
      forget[e] = 1;
      this.clients.add(this.pairs.serviceOf(e), -1);
      this.uses.add(this.pairs.subnetOf(e), -1);
    }
    const services = this.services.compact((id) => this.clients.get(id) > 0);
    this.clients.renumber(services, this.services.size);
    const subnets = this.subnets.compact((id) => this.uses.get(id) > 0);
    this.uses.renumber(subnets, this.subnets.size);
    this.pairs.retain(forget, services, subnets);
  }
}
