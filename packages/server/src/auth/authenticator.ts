// Logins for the query API: password or session-key login, auth tokens with a sliding idle timeout,
// address-bound session keys that survive restarts, and per-address throttling of failed attempts
// (a success forgives only the failures of the account that logged in).

import fs from 'node:fs';
import { AuthError } from './autherror.js';
import { normaliseAddress, throttleKey } from './clientaddress.js';
import { MAX_NAME_LENGTH } from './credentialrules.js';
import { LoginThrottle, type LoginThrottleOptions, type ThrottleStats } from './loginthrottle.js';
import { SerialQueue } from './serialqueue.js';
import { SessionKeyStore, type SessionKeyEntry } from './sessionkeystore.js';
import { TokenTable, type TokenOwner } from './tokentable.js';
import type { UserInfo, UserStore } from './userstore.js';

export interface AuthenticatorOptions {
  /** `userdata.userdatapath`: where sessionkeys.json lives (beside users.json). */
  readonly userdataDir: string;
  /** `userdata.maxsessionkeyage` in seconds; 0 disables session keys. */
  readonly maxSessionKeyAge: number;
  /** A token dies after this long without use (default 900 s). */
  readonly tokenIdleSeconds?: number;
  /** Live tokens at most; beyond, the least recently used die (default 100,000). */
  readonly maxTokens?: number;
  /** Failed-login throttling (defaults: 5 failures in 60 s, locks of 1 s doubling to 300 s, 100,000 addresses). */
  readonly throttle?: LoginThrottleOptions;
  /** Session-key limits and lazy write delay. */
  readonly sessionKeys?: { readonly lazyWriteMs?: number; readonly maxKeysPerUser?: number; readonly maxKeys?: number };
  /** ms clock, for tests. */
  readonly now?: () => number;
  /** Told about background writes of sessionkeys.json that failed (retried later and by flush). */
  readonly onError?: (e: AuthError) => void;
}

export interface LoginResult {
  readonly token: string;
  /** Present when a session key was asked for. */
  readonly sessionKey?: string;
  readonly user: UserInfo;
}

/** Password attempts from one address waiting their turn at most; more are refused at once. */
const MAX_QUEUED_ATTEMPTS = 64;

function checkSeconds(name: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 10 * 365 * 86_400) {
    throw new AuthError('BAD_OPTION', `${name} must be a whole number of seconds from ${min} to ten years, not ${String(value)}`);
  }
  return value;
}

function ownerOf(user: UserInfo): TokenOwner {
  return { name: user.name, created: user.created };
}

export class Authenticator {
  private readonly users: UserStore;
  private readonly now: () => number;
  private readonly tokens: TokenTable;
  private readonly throttle: LoginThrottle;
  private readonly keys: SessionKeyStore;
  /** Password attempts run one at a time per throttling key, so that parallel guesses meet the lock. */
  private readonly attempts = new Map<string, SerialQueue>();
  private readonly unsubscribe: () => void;
  private maxKeyAgeMs: number;

  /** Reads sessionkeys.json (throws AuthError SESSION_KEYS_FILE when it is unreadable or corrupt). */
  constructor(users: UserStore, opts: AuthenticatorOptions) {
    this.users = users;
    this.now = opts.now ?? Date.now;
    this.maxKeyAgeMs = checkSeconds('maxsessionkeyage', opts.maxSessionKeyAge, 0) * 1000;
    const idleMs = checkSeconds('the token idle time', opts.tokenIdleSeconds ?? 900, 1) * 1000;
    this.tokens = new TokenTable(idleMs, opts.maxTokens ?? 100_000);
    this.throttle = new LoginThrottle(opts.throttle);
    try {
      fs.mkdirSync(opts.userdataDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new AuthError('SESSION_KEYS_FILE', `cannot create the user data directory ${opts.userdataDir}: ${(e as Error).message}`, { path: opts.userdataDir, cause: e });
    }
    this.keys = SessionKeyStore.open(opts.userdataDir, (e) => this.keyIsLive(e, this.now()), { ...opts.sessionKeys, onError: opts.onError });
    this.unsubscribe = users.onChange((name, change) => {
      // a new password revokes what the old one gave; a removed user keeps nothing
      if (change !== 'removed' && change !== 'password') return;
      this.tokens.revokeUser(name);
      this.keys.revokeUser(name);
    });
  }

  /**
   * Logs in with a password. Throws BAD_CREDENTIALS (the same for an unknown user and a wrong password),
   * THROTTLED, or SESSION_KEYS_DISABLED when a key is wanted while maxsessionkeyage is 0 (before the
   * password is checked: `-us` promises a key, so a login without one would be a silent failure).
   */
  async login(username: string, password: string, remoteAddress: string, wantSessionKey: boolean): Promise<LoginResult> {
    const address = normaliseAddress(remoteAddress);
    if (wantSessionKey === true && this.maxKeyAgeMs === 0) throw this.keysDisabled();
    const key = throttleKey(address);
    this.refuseIfLocked(key);
    let queue = this.attempts.get(key);
    if (queue === undefined) {
      queue = new SerialQueue();
      this.attempts.set(key, queue);
    }
    if (queue.size >= MAX_QUEUED_ATTEMPTS) {
      throw new AuthError('THROTTLED', `more than ${MAX_QUEUED_ATTEMPTS} logins at once from this address; try again in a second`, { retryAfterSeconds: 1 });
    }
    try {
      return await queue.run(() => this.passwordAttempt(username, password, address, key, wantSessionKey === true));
    } finally {
      if (queue.size === 0 && this.attempts.get(key) === queue) this.attempts.delete(key);
    }
  }

  /**
   * Logs in with a session key: only from the address that asked for it, and only within maxsessionkeyage
   * seconds of its last use (each use restarts the clock). Throws BAD_SESSION_KEY, WRONG_ADDRESS,
   * SESSION_KEYS_DISABLED or THROTTLED; failures count towards throttling like wrong passwords.
   */
  loginWithSessionKey(key: string, remoteAddress: string): { token: string; user: UserInfo } {
    const address = normaliseAddress(remoteAddress);
    if (this.maxKeyAgeMs === 0) throw this.keysDisabled();
    const tkey = throttleKey(address);
    this.refuseIfLocked(tkey);
    const now = this.now();
    const entry = this.keys.find(key);
    if (entry === undefined || !this.keyIsLive(entry, now)) {
      if (entry !== undefined) this.keys.revoke(entry);
      this.throttle.fail(tkey, now);
      throw new AuthError('BAD_SESSION_KEY', 'the session key is unknown or has expired; log in with -un/-up and -us to get a new one');
    }
    if (entry.address !== address) {
      this.throttle.fail(tkey, now);
      throw new AuthError('WRONG_ADDRESS', 'the session key is bound to the address that requested it, and this request comes from another one; request a key from this machine');
    }
    this.throttle.succeed(tkey, entry.user);
    this.keys.touch(entry, now);
    const user = this.users.recordLogin(entry.user)!;
    return { token: this.tokens.issue(ownerOf(user), now), user };
  }

  /** The user of a live token (with their current rights), or null; a successful check counts as a use. */
  check(token: string): UserInfo | null {
    if (typeof token !== 'string') return null;
    const owner = this.tokens.use(token, this.now());
    if (owner === undefined) return null;
    const user = this.users.get(owner.name);
    if (user === undefined || user.created !== owner.created) {
      this.tokens.revoke(token);
      return null;
    }
    return user;
  }

  /** Applies a reloaded `userdata.maxsessionkeyage`; 0 revokes every key, a shorter age expires keys at once. */
  setMaxSessionKeyAge(seconds: number): void {
    this.maxKeyAgeMs = checkSeconds('maxsessionkeyage', seconds, 0) * 1000;
    const now = this.now();
    this.keys.prune((e) => this.keyIsLive(e, now));
  }

  throttleStats(): ThrottleStats {
    return this.throttle.stats(this.now());
  }

  /** Live tokens and stored session keys, for metrics. */
  counts(): { tokens: number; sessionKeys: number } {
    return { tokens: this.tokens.size, sessionKeys: this.keys.size };
  }

  /** Writes pending session-key uses and last-login times (call at stop); throws WRITE_FAILED. */
  async flush(): Promise<void> {
    const results = await Promise.allSettled([this.keys.flush(), this.users.flush()]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /** Flushes and stops following the user store (for a server that is stopping, or tests). */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.flush();
  }

  private keyIsLive(e: SessionKeyEntry, now: number): boolean {
    if (this.maxKeyAgeMs === 0 || now - e.lastUse > this.maxKeyAgeMs) return false;
    return this.users.get(e.user)?.created === e.userCreated;
  }

  private keysDisabled(): AuthError {
    return new AuthError('SESSION_KEYS_DISABLED', 'session keys are disabled on this server (userdata.maxsessionkeyage is 0); log in with -un/-up instead');
  }

  private refuseIfLocked(key: string): void {
    const ms = this.throttle.lockedFor(key, this.now());
    if (ms > 0) {
      const seconds = Math.max(1, Math.ceil(ms / 1000));
      throw new AuthError('THROTTLED', `too many failed logins from this address; try again in ${seconds} s`, { retryAfterSeconds: seconds });
    }
  }

  private async passwordAttempt(username: string, password: string, address: string, key: string, wantSessionKey: boolean): Promise<LoginResult> {
    // a lock may have begun while this attempt waited behind others from the same address
    this.refuseIfLocked(key);
    const user = await this.users.verify(username, password);
    if (user === null) {
      // a name no user can have is never forgiven by a success, and need not be kept (it may be huge)
      this.throttle.fail(key, this.now(), typeof username === 'string' && username.length <= MAX_NAME_LENGTH ? username : null);
      throw new AuthError('BAD_CREDENTIALS', 'unknown user or wrong password');
    }
    this.throttle.succeed(key, user.name);
    const owner = ownerOf(user);
    let sessionKey: string | undefined;
    if (wantSessionKey) {
      // a reload may have disabled keys while the password was hashed
      if (this.maxKeyAgeMs === 0) throw this.keysDisabled();
      sessionKey = await this.keys.issue(owner, address, this.now());
    }
    const token = this.tokens.issue(owner, this.now());
    return sessionKey === undefined ? { token, user } : { token, sessionKey, user };
  }
}
