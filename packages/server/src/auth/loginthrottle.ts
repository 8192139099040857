// Failed-login throttling per source address: after 5 failures within 60 s the address is locked out for
// 1 s, then 2 s, 4 s … up to 300 s for each further failure; a success or 15 quiet minutes clear it.

export interface LoginThrottleOptions {
  /** Failures within `windowMs` that lock the address (default 5). */
  readonly maxFailures?: number;
  /** Default 60 s. */
  readonly windowMs?: number;
  /** The first lock (default 1 s); each further one doubles. */
  readonly firstLockMs?: number;
  /** Default 300 s. */
  readonly maxLockMs?: number;
  /** An address is forgiven (no lock history) after this long without a failure (default 15 min). */
  readonly forgetAfterMs?: number;
  /** Addresses remembered at most; beyond, the one whose last failure is oldest is forgotten (default 100,000). */
  readonly maxAddresses?: number;
}

export interface ThrottleStats {
  /** Addresses locked out now (a gauge). */
  readonly lockedAddresses: number;
  /** Failed login attempts since start (a counter). */
  readonly failures: number;
  /** Attempts refused because their address was locked out, since start (a counter). */
  readonly refused: number;
  /** Addresses with recent failures in the table now (a gauge; at most maxAddresses). */
  readonly trackedAddresses: number;
}

interface Entry {
  /** Times of the latest failures, oldest first, at most maxFailures of them. */
  readonly recent: number[];
  lockedUntil: number;
  /** Locks imposed since the address was last forgiven: the next lock lasts firstLock·2^locks. */
  locks: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly firstLockMs: number;
  private readonly maxLockMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxAddresses: number;
  // Map order is the order of last failure (entries are re-inserted on each), so the oldest is first.
  private readonly entries = new Map<string, Entry>();
  private failures = 0;
  private refused = 0;

  constructor(opts: LoginThrottleOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
    this.firstLockMs = opts.firstLockMs ?? 1_000;
    this.maxLockMs = opts.maxLockMs ?? 300_000;
    // forgetting an address while it is still locked would free it early
    this.forgetAfterMs = Math.max(opts.forgetAfterMs ?? 15 * 60_000, this.maxLockMs);
    this.maxAddresses = opts.maxAddresses ?? 100_000;
  }

  /** Milliseconds until `key` may try again, 0 when it may now. A refusal is counted in the stats. */
  lockedFor(key: string, now: number): number {
    const e = this.entries.get(key);
    if (e === undefined || e.lockedUntil <= now) return 0;
    this.refused++;
    return e.lockedUntil - now;
  }

  /** Records a failed attempt from `key`; returns the lock it causes in ms (0: none). */
  fail(key: string, now: number): number {
    this.failures++;
    let e = this.entries.get(key);
    if (e !== undefined && now - e.lastFailure > this.forgetAfterMs) e = undefined;
    if (e === undefined) e = { recent: [], lockedUntil: 0, locks: 0, lastFailure: now };
    this.entries.delete(key);
    this.entries.set(key, e);
    e.lastFailure = now;
    e.recent.push(now);
    if (e.recent.length > this.maxFailures) e.recent.shift();
    let lock = 0;
    // once locked, every further failure locks again for twice as long until the address is forgiven
    if (e.locks > 0 || (e.recent.length === this.maxFailures && now - e.recent[0]! <= this.windowMs)) {
      lock = Math.min(this.maxLockMs, this.firstLockMs * 2 ** Math.min(e.locks, 30));
      e.lockedUntil = now + lock;
      e.locks++;
    }
    this.evict(now);
    return lock;
  }

  /** A successful login: the address starts with a clean slate. */
  succeed(key: string): void {
    this.entries.delete(key);
  }

  stats(now: number): ThrottleStats {
    let locked = 0;
    for (const e of this.entries.values()) if (e.lockedUntil > now) locked++;
    return { lockedAddresses: locked, failures: this.failures, refused: this.refused, trackedAddresses: this.entries.size };
  }

  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      const stale = now - e.lastFailure > this.forgetAfterMs;
      if (!stale && this.entries.size <= this.maxAddresses) break;
      this.entries.delete(key);
    }
  }
}
