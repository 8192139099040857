// The session keys (cli.md): kept in <userdatapath>/sessionkeys.json so that scripts holding a key keep
// working across a restart. Only a SHA-256 of each key is stored; last-use times are written lazily.

import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { AuthError } from './autherror.js';
import { readPrivateFileSync, writePrivateFile } from './privatefile.js';
import { SerialQueue } from './serialqueue.js';
import type { TokenOwner } from './tokentable.js';

export const SESSION_KEYS_FILE = 'sessionkeys.json';
const FILE_VERSION = 1;
const KEY_FORM = /^[A-Za-z0-9_-]{43}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One key as kept in memory and in the file. */
export interface SessionKeyEntry {
  /** SHA-256 of the key, hex. */
  readonly sha256: string;
  readonly user: string;
  /** The user's `created` time when the key was issued: a removed and re-added user does not inherit keys. */
  readonly userCreated: number;
  /** The normalised address that asked for the key; the only one it works from. */
  readonly address: string;
  lastUse: number;
}

export interface SessionKeyStoreOptions {
  /** Delay of the lazy write that records last-use times (default 5 s). */
  readonly lazyWriteMs?: number;
  /** Keys kept per user at most; beyond, the least recently used go (default 1,000). */
  readonly maxKeysPerUser?: number;
  /** Keys kept at most (default 100,000). */
  readonly maxKeys?: number;
  /** Told about background writes that failed (they are retried by the next write and by flush). */
  readonly onError?: (e: AuthError) => void;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function parseEntries(text: string, file: string): SessionKeyEntry[] {
  const bad = (what: string): AuthError =>
    new AuthError('SESSION_KEYS_FILE', `${file}: ${what}; fix the file or delete it (every session key is then forgotten and users log in again)`, { path: file });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('not a JSON object');
  const o = doc as Record<string, unknown>;
  if (o.version !== FILE_VERSION) throw bad(`version is ${JSON.stringify(o.version)}; this server reads version ${FILE_VERSION}`);
  if (!Array.isArray(o.keys)) throw bad('"keys" must be an array');
  return o.keys.map((k: unknown, i): SessionKeyEntry => {
    if (typeof k !== 'object' || k === null) throw bad(`keys[${i}] is not an object`);
    const e = k as Record<string, unknown>;
    if (typeof e.sha256 !== 'string' || !SHA256_HEX.test(e.sha256)) throw bad(`keys[${i}].sha256 must be 64 lower-case hex digits`);
    if (typeof e.user !== 'string' || e.user === '') throw bad(`keys[${i}].user must be a user name`);
    if (typeof e.userCreated !== 'number' || !Number.isFinite(e.userCreated)) throw bad(`keys[${i}].userCreated must be a time in ms`);
    if (typeof e.address !== 'string' || e.address === '') throw bad(`keys[${i}].address must be an address`);
    if (typeof e.lastUse !== 'number' || !Number.isFinite(e.lastUse)) throw bad(`keys[${i}].lastUse must be a time in ms`);
    return { sha256: e.sha256, user: e.user, userCreated: e.userCreated, address: e.address, lastUse: e.lastUse };
  });
}

export class SessionKeyStore {
  readonly path: string;
  private readonly dir: string;
  private readonly lazyWriteMs: number;
  private readonly maxKeysPerUser: number;
  private readonly maxKeys: number;
  private readonly onError: ((e: AuthError) => void) | undefined;
  // Map order is the order of last use (entries are re-inserted on each use): the least recent first.
  private readonly keys = new Map<string, SessionKeyEntry>();
  private readonly writes = new SerialQueue();
  /** Bumped by every change; the file holds `savedVersion`. */
  private version = 0;
  private savedVersion = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(dir: string, opts: SessionKeyStoreOptions) {
    this.dir = dir;
    this.path = path.join(dir, SESSION_KEYS_FILE);
    this.lazyWriteMs = opts.lazyWriteMs ?? 5_000;
    this.maxKeysPerUser = opts.maxKeysPerUser ?? 1_000;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.onError = opts.onError;
  }

  /**
   * Reads `dir`/sessionkeys.json (none: no keys). `keep` says which stored keys are still good (user
   * alive, not expired); the others are dropped and the file rewritten soon. Throws SESSION_KEYS_FILE.
   */
  static open(dir: string, keep: (e: SessionKeyEntry) => boolean, opts: SessionKeyStoreOptions = {}): SessionKeyStore {
    const store = new SessionKeyStore(dir, opts);
    let content;
    try {
      content = readPrivateFileSync(store.path);
    } catch (e) {
      throw new AuthError('SESSION_KEYS_FILE', `cannot read ${store.path}: ${(e as Error).message}`, { path: store.path, cause: e });
    }
    if (content === null) return store;
    const entries = parseEntries(content.text, store.path).sort((a, b) => a.lastUse - b.lastUse);
    for (const e of entries) if (keep(e)) store.keys.set(e.sha256, e);
    if (store.keys.size !== entries.length) store.changed(0);
    return store;
  }

  get size(): number {
    return this.keys.size;
  }

  /** A new key for `owner`, usable from `address`; resolves once it is on disk (throws WRITE_FAILED). */
  async issue(owner: TokenOwner, address: string, now: number): Promise<string> {
    const key = randomBytes(32).toString('base64url');
    const entry: SessionKeyEntry = { sha256: hashKey(key), user: owner.name, userCreated: owner.created, address, lastUse: now };
    this.keys.set(entry.sha256, entry);
    const evicted = this.bound(owner.name);
    this.version++;
    try {
      await this.save();
    } catch (e) {
      // a key that would not survive a restart must not be handed out, nor cost another key its place
      this.keys.delete(entry.sha256);
      this.restore(evicted);
      throw e;
    }
    return key;
  }

  /** The entry of `key`, if it was issued and not dropped (expiry is the caller's business). */
  find(key: string): SessionKeyEntry | undefined {
    if (typeof key !== 'string' || !KEY_FORM.test(key)) return undefined;
    return this.keys.get(hashKey(key));
  }

  /** Records a use; written within lazyWriteMs. */
  touch(entry: SessionKeyEntry, now: number): void {
    entry.lastUse = now;
    this.keys.delete(entry.sha256);
    this.keys.set(entry.sha256, entry);
    this.changed(this.lazyWriteMs);
  }

  revoke(entry: SessionKeyEntry): void {
    if (this.keys.delete(entry.sha256)) this.changed(0);
  }

  revokeUser(name: string): void {
    let any = false;
    for (const [h, e] of this.keys) {
      if (e.user !== name) continue;
      this.keys.delete(h);
      any = true;
    }
    if (any) this.changed(0);
  }

  /** Drops the keys that `keep` rejects (expired under a new maxsessionkeyage, or all of them). */
  prune(keep: (e: SessionKeyEntry) => boolean): void {
    let any = false;
    for (const [h, e] of this.keys) {
      if (keep(e)) continue;
      this.keys.delete(h);
      any = true;
    }
    if (any) this.changed(0);
  }

  /** Writes what is not on disk yet; throws WRITE_FAILED. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.version !== this.savedVersion) await this.save();
  }

  /** Keeps the per-user and total limits by dropping least recently used keys; returns those dropped. */
  private bound(user: string): SessionKeyEntry[] {
    const evicted: SessionKeyEntry[] = [];
    let ofUser = 0;
    for (const e of this.keys.values()) if (e.user === user) ofUser++;
    for (const [h, e] of this.keys) {
      if (ofUser <= this.maxKeysPerUser) break;
      if (e.user !== user) continue;
      this.keys.delete(h);
      evicted.push(e);
      ofUser--;
    }
    for (const [h, e] of this.keys) {
      if (this.keys.size <= this.maxKeys) break;
      this.keys.delete(h);
      evicted.push(e);
    }
    return evicted;
  }

  /** Puts entries back, keeping the map in order of last use. */
  private restore(entries: readonly SessionKeyEntry[]): void {
    if (entries.length === 0) return;
    const all = [...entries, ...this.keys.values()].sort((a, b) => a.lastUse - b.lastUse);
    this.keys.clear();
    for (const e of all) this.keys.set(e.sha256, e);
  }

  /** Notes a change and makes sure a write happens within `delayMs`. */
  private changed(delayMs: number): void {
    this.version++;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save().catch((e: AuthError) => this.onError?.(e));
    }, delayMs);
    this.timer.unref();
  }

  private save(): Promise<void> {
    return this.writes.run(async () => {
      const version = this.version;
      if (version === this.savedVersion) return;
      const keys = [...this.keys.values()].map((e) => ({ sha256: e.sha256, user: e.user, userCreated: e.userCreated, address: e.address, lastUse: e.lastUse }));
      try {
        await writePrivateFile(this.dir, SESSION_KEYS_FILE, JSON.stringify({ version: FILE_VERSION, keys }, null, 1) + '\n');
      } catch (e) {
        throw new AuthError('WRITE_FAILED', `cannot write ${this.path}: ${(e as Error).message}`, { path: this.path, cause: e });
      }
      this.savedVersion = Math.max(this.savedVersion, version);
    });
  }
}
