// Passwords recently proved right by scrypt, remembered as an HMAC under a key that lives only in this
// process (as Apache's mod_authn_socache does), so that a tool logging in again soon skips the hash.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

interface Entry {
  /** The password record the password was checked against: a new password or user is another object. */
  readonly record: object;
  readonly mac: Buffer;
  readonly expiresAt: number;
}

/**
 * Per user at most one entry: HMAC-SHA256(key, name, password) of the last password scrypt accepted,
 * valid for `ttlMs` from that check (not from later uses). A password that does not match its entry
 * is no answer: the caller hashes it with scrypt as always, so a wrong password costs the full hash
 * and counts as a failure, and nothing here tells a wrong password from a user without an entry. The
 * key never leaves memory, so the entries are worthless outside this process; a restart forgets them.
 */
export class VerifiedCredentials {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** True when `password` is the one scrypt accepted for `name` and `record` less than ttl ago. */
  matches(name: string, record: object, password: string): boolean {
    const e = this.entries.get(name);
    if (e === undefined) return false;
    if (e.record !== record || this.now() >= e.expiresAt) {
      this.entries.delete(name);
      return false;
    }
    return timingSafeEqual(this.mac(name, password), e.mac);
  }

  /** After scrypt accepted `password` for `name` with `record`. */
  remember(name: string, record: object, password: string): void {
    if (this.ttlMs <= 0) return;
    this.entries.set(name, { record, mac: this.mac(name, password), expiresAt: this.now() + this.ttlMs });
  }

  /** The user's password, rights or existence changed: a login must prove the password with scrypt again. */
  forget(name: string): void {
    this.entries.delete(name);
  }

  get size(): number {
    return this.entries.size;
  }

  private mac(name: string, password: string): Buffer {
    // the name's length first, so that no other (name, password) pair gives the same bytes
    return createHmac('sha256', this.key).update(`${name.length}:${name}\u0000`).update(password.normalize('NFC'), 'utf8').digest();
  }
}
