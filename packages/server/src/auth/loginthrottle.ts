// Failed-login throttling per source address: after 5 failures within 60 s the address is locked out for
// 1 s, then 2 s, 4 s … up to 300 s for each further failure. Each failure remembers the account it was
// for, and a success forgives that account's failures only, so logging in with one's own account does
// not wipe out what guessing another one built up; 15 quiet minutes forgive everything.

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

interface Failure {
  readonly at: number;
  /** The user name the attempt was for; null when none can succeed (a session key, an impossible name). */
  readonly account: string | null;
}

interface Entry {
  /** The latest failures not forgiven, oldest first, at most maxFailures of them. */
  recent: Failure[];
  lockedUntil: number;
  /** Locks imposed since the address was last forgiven: the next lock lasts firstLock·2^locks. */
  locks: number;
  lastFailure: number;
  /**
   * The account every failure since the entry began was for, or null once they were for several (or for
   * none). Only that account's success wipes the entry, lock history included: failures pushed out of
   * `recent` by newer ones must not be forgotten by a success of an account that was not guessed.
   */
  soleAccount: string | null;
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

  /**
   * Records a failed attempt from `key` for `account` (the user name tried; null when a later success
   * cannot forgive it: a session key, a name no user can have); returns the lock it causes in ms (0: none).
   */
  fail(key: string, now: number, account: string | null = null): number {
    this.failures++;
    let e = this.entries.get(key);
    if (e !== undefined && now - e.lastFailure > this.forgetAfterMs) e = undefined;
    if (e === undefined) e = { recent: [], lockedUntil: 0, locks: 0, lastFailure: now, soleAccount: account };
    else if (e.soleAccount !== account) e.soleAccount = null;
    this.entries.delete(key);
    this.entries.set(key, e);
    e.lastFailure = now;
    e.recent.push({ at: now, account });
    if (e.recent.length > this.maxFailures) e.recent.shift();
    let lock = 0;
    // once locked, every further failure locks again for twice as long until the address is forgiven
    if (e.locks > 0 || (e.recent.length === this.maxFailures && now - e.recent[0]!.at <= this.windowMs)) {
      lock = Math.min(this.maxLockMs, this.firstLockMs * 2 ** Math.min(e.locks, 30));
      e.lockedUntil = now + lock;
      e.locks++;
    }
    this.evict(now);
    return lock;
  }

  /**
   * A successful login of `account` from `key`: that account's failures from there are forgiven (a
   * mistyped password, then the right one). Failures for other accounts still count; when every failure
   * was for this account the address starts with a clean slate, else its lock history stays (the doubling
   * goes on until the address has been quiet for forgetAfterMs).
   */
  succeed(key: string, account: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    e.recent = e.recent.filter((f) => f.account !== account);
    if (e.soleAccount === account || (e.recent.length === 0 && e.locks === 0)) this.entries.delete(key);
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
