// The auth tokens handed out at login, in memory only (a restart logs everyone out): each lives until it
// has not been used for the idle time, and dies with its user. Bounded: the least recently used go first.

import { randomBytes } from 'node:crypto';

/** Whom a token was issued to: the name and the `created` time, so a removed and re-added user is a stranger. */
export interface TokenOwner {
  readonly name: string;
  readonly created: number;
}

interface TokenEntry extends TokenOwner {
  lastUse: number;
}

export class TokenTable {
  // Map order is the order of last use (entries are re-inserted on each use): expired ones are at the front.
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(
    private readonly idleMs: number,
    private readonly maxTokens: number,
  ) {}

  get size(): number {
    return this.tokens.size;
  }

  /** A new token for `owner`: 32 random bytes, base64url (43 characters). */
  issue(owner: TokenOwner, now: number): string {
    this.sweep(now);
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { name: owner.name, created: owner.created, lastUse: now });
    for (const oldest of this.tokens.keys()) {
      if (this.tokens.size <= this.maxTokens) break;
      this.tokens.delete(oldest);
    }
    return token;
  }

  /** The owner of a live token, which counts as a use; undefined when unknown or idle too long. */
  use(token: string, now: number): TokenOwner | undefined {
    const e = this.tokens.get(token);
    if (e === undefined) return undefined;
    this.tokens.delete(token);
    if (now - e.lastUse > this.idleMs) return undefined;
    e.lastUse = now;
    this.tokens.set(token, e);
    return e;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** Drops every token of the user called `name`. */
  revokeUser(name: string): void {
    for (const [token, e] of this.tokens) if (e.name === name) this.tokens.delete(token);
  }

  private sweep(now: number): void {
    for (const [token, e] of this.tokens) {
      if (now - e.lastUse <= this.idleMs) break;
      this.tokens.delete(token);
    }
  }
}
