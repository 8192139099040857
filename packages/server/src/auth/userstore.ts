// The users of ftserver in <userdatapath>/users.json: scrypt password hashes, the administrator flag,
// creation and last-login times. Writes are serialised and atomic; hashes never leave this module.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AuthError } from './autherror.js';
import { checkPassword, checkUserName, isAcceptablePassword } from './credentialrules.js';
import {
  SCRYPT_PARAMS,
  checkScryptParams,
  decoyRecord,
  hashPassword,
  hashPasswordSync,
  parseScryptRecord,
  verifyPassword,
  type ScryptParams,
  type ScryptRecord,
} from './passwordhash.js';
import { readPrivateFileSync, writePrivateFile, writePrivateFileSync } from './privatefile.js';
import { SerialQueue } from './serialqueue.js';
import { VerifiedCredentials } from './verifiedcredentials.js';

export const USERS_FILE = 'users.json';
const FILE_VERSION = 1;
const FIRST_ADMIN = 'admin';

/** What the rest of the server may know about a user. */
export interface UserInfo {
  readonly name: string;
  readonly admin: boolean;
  /** ms since the epoch. */
  readonly created: number;
  /** ms since the epoch; null when the user never logged in. */
  readonly lastLogin: number | null;
}

/** What a change listener is told happened to a user (after users.json holds it). */
export type UserChange = 'added' | 'removed' | 'password' | 'admin';

export type UserChangeListener = (name: string, change: UserChange) => void;

export interface UserStoreOptions {
  /** The first administrator's password when the file is created (`--init-admin-password`). */
  readonly initAdminPassword?: string;
  /** scrypt cost for new hashes; lower only in tests (default N = 2^15, r = 8, p = 1). */
  readonly scrypt?: Partial<ScryptParams>;
  /** Delay of the lazy write that records last-login times (default 5 s). */
  readonly lastLoginWriteMs?: number;
  /**
   * How long a password scrypt accepted is remembered (as an HMAC under a per-process key), so that
   * the same password again skips the hash: default 300 s; 0 hashes every login.
   */
  readonly verifiedLoginMs?: number;
  /** ms clock, for tests. */
  readonly now?: () => number;
  /** Told about lazy last-login writes that failed (they are retried by the next write and by flush). */
  readonly onError?: (e: AuthError) => void;
}

export interface OpenedUserStore {
  readonly store: UserStore;
  /** The generated password of `admin` when the file was just created without initAdminPassword; else null. */
  readonly initialAdminPassword: string | null;
  /** True when users.json did not exist and was created with the user `admin`. */
  readonly created: boolean;
  /** Things the server should log: permissions that were too open (and what was done). */
  readonly warnings: readonly string[];
}

/** A user as kept in memory: immutable; last-login times live apart so that they never race a change. */
interface UserRecord {
  readonly name: string;
  readonly admin: boolean;
  readonly created: number;
  readonly kdf: ScryptRecord;
}

function modeText(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}

function noSuchUser(name: string): AuthError {
  return new AuthError('NO_SUCH_USER', `there is no user ${JSON.stringify(name)}`);
}

/** Parses users.json; throws AuthError USERS_FILE naming the file and what is wrong. */
function parseUsersFile(text: string, file: string): { records: UserRecord[]; lastLogins: Map<string, number> } {
  const bad = (what: string): AuthError =>
    new AuthError('USERS_FILE', `${file}: ${what}; the server will not start with it and does not overwrite it: fix it or restore it from a backup`, { path: file });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('not a JSON object');
  const o = doc as Record<string, unknown>;
  if (o.version !== FILE_VERSION) {
    const newer = typeof o.version === 'number' && o.version > FILE_VERSION;
    throw bad(`version is ${JSON.stringify(o.version)}; this server reads version ${FILE_VERSION}${newer ? ' (the file was written by a newer opentraq)' : ''}`);
  }
  if (!Array.isArray(o.users)) throw bad('"users" must be an array');
  const records: UserRecord[] = [];
  const lastLogins = new Map<string, number>();
  const seen = new Set<string>();
  o.users.forEach((u: unknown, i) => {
    const at = `users[${i}]`;
    if (typeof u !== 'object' || u === null || Array.isArray(u)) throw bad(`${at} is not an object`);
    const r = u as Record<string, unknown>;
    try {
      checkUserName(r.name);
    } catch (e) {
      throw bad(`${at}.name: ${(e as Error).message}`);
    }
    const name = r.name as string;
    if (seen.has(name)) throw bad(`the user ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    if (typeof r.admin !== 'boolean') throw bad(`${at}.admin (user ${name}) must be true or false`);
    if (typeof r.created !== 'number' || !Number.isFinite(r.created)) throw bad(`${at}.created (user ${name}) must be a time in ms since 1970`);
    if (r.lastLogin !== null && (typeof r.lastLogin !== 'number' || !Number.isFinite(r.lastLogin))) throw bad(`${at}.lastLogin (user ${name}) must be null or a time in ms since 1970`);
    let kdf: ScryptRecord;
    try {
      kdf = parseScryptRecord(r.kdf);
    } catch (e) {
      throw bad(`${at} (user ${name}): ${(e as Error).message}`);
    }
    records.push({ name, admin: r.admin, created: r.created, kdf });
    if (typeof r.lastLogin === 'number') lastLogins.set(name, r.lastLogin);
  });
  if (records.length === 0) throw bad('it has no users, so nobody could log in (delete it to have a new admin created)');
  if (!records.some((r) => r.admin)) throw bad('no user is an administrator, so nobody could manage users (set "admin": true for one)');
  return { records, lastLogins };
}

export class UserStore {
  /** users.json */
  readonly path: string;
  private readonly dir: string;
  private readonly params: ScryptParams;
  private readonly decoy: ScryptRecord;
  private readonly now: () => number;
  private readonly lastLoginWriteMs: number;
  private readonly onError: ((e: AuthError) => void) | undefined;
  private readonly users = new Map<string, UserRecord>();
  private readonly lastLogins = new Map<string, number>();
  private readonly writes = new SerialQueue();
  private readonly listeners = new Set<UserChangeListener>();
  /** Last-login times changed since the file was last written. */
  private lastLoginsDirty = false;
  private readonly verified: VerifiedCredentials;
  private hashed = 0;
  private remembered = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(dir: string, params: ScryptParams, opts: UserStoreOptions) {
    this.dir = dir;
    this.path = path.join(dir, USERS_FILE);
    this.params = params;
    this.decoy = decoyRecord(params);
    this.now = opts.now ?? Date.now;
    this.lastLoginWriteMs = opts.lastLoginWriteMs ?? 5_000;
    this.onError = opts.onError;
    this.verified = new VerifiedCredentials(opts.verifiedLoginMs ?? 300_000, this.now);
  }

  /**
   * Opens the users file in `dir` (created with mode 0700 if missing). Without a file, creates one with
   * the administrator `admin`. A file that cannot be read or is not valid is never overwritten: that
   * throws AuthError USERS_FILE. A file readable by others is chmod-ed to 0600 (and a warning returned).
   */
  static open(dir: string, opts: UserStoreOptions = {}): OpenedUserStore {
    const params: ScryptParams = { ...SCRYPT_PARAMS, ...opts.scrypt };
    try {
      checkScryptParams(params);
    } catch (e) {
      throw new AuthError('BAD_OPTION', (e as Error).message);
    }
    if (opts.initAdminPassword !== undefined) {
      try {
        checkPassword(opts.initAdminPassword);
      } catch (e) {
        throw new AuthError('BAD_PASSWORD', `the initial admin password is not usable: ${(e as Error).message}`);
      }
    }
    const store = new UserStore(dir, params, opts);
    const warnings: string[] = [];
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const dirMode = fs.statSync(dir).mode & 0o777;
      if (process.platform !== 'win32' && (dirMode & 0o077) !== 0) {
        warnings.push(`the user data directory ${dir} is open to other users (mode ${modeText(dirMode)}); 0700 is safer`);
      }
    } catch (e) {
      throw new AuthError('USERS_FILE', `cannot create the user data directory ${dir}: ${(e as Error).message}`, { path: dir, cause: e });
    }
    let content;
    try {
      content = readPrivateFileSync(store.path);
    } catch (e) {
      throw new AuthError('USERS_FILE', `cannot read ${store.path}: ${(e as Error).message}; the server will not start without its users`, { path: store.path, cause: e });
    }
    if (content === null) {
      const password = opts.initAdminPassword ?? randomBytes(18).toString('base64url');
      store.users.set(FIRST_ADMIN, { name: FIRST_ADMIN, admin: true, created: store.now(), kdf: hashPasswordSync(password, params) });
      try {
        writePrivateFileSync(dir, USERS_FILE, store.serialise(store.users));
      } catch (e) {
        throw new AuthError('USERS_FILE', `cannot create ${store.path}: ${(e as Error).message}`, { path: store.path, cause: e });
      }
      return { store, initialAdminPassword: opts.initAdminPassword === undefined ? password : null, created: true, warnings };
    }
    if (content.tightenedFrom !== null) {
      warnings.push(`${store.path} was open to other users (mode ${modeText(content.tightenedFrom)}); its mode is now 0600`);
    }
    const parsed = parseUsersFile(content.text, store.path);
    for (const r of parsed.records) store.users.set(r.name, r);
    for (const [name, t] of parsed.lastLogins) store.lastLogins.set(name, t);
    return { store, initialAdminPassword: null, created: false, warnings };
  }

  get(name: string): UserInfo | undefined {
    const r = typeof name === 'string' ? this.users.get(name) : undefined;
    return r === undefined ? undefined : this.info(r);
  }

  /** Every user, sorted by name (code-unit order, so the same on every machine). */
  list(): UserInfo[] {
    return [...this.users.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((n) => this.info(this.users.get(n)!));
  }

  /**
   * The user when `password` is theirs, else null. An unknown name costs one scrypt hash like a wrong
   * password, so timing does not reveal which names exist. The password scrypt last accepted for a user
   * is remembered for verifiedLoginMs (VerifiedCredentials): the same password again within that time
   * is checked by its HMAC instead; anything else is hashed. Success records the login (recordLogin).
   */
  async verify(name: string, password: string): Promise<UserInfo | null> {
    if (typeof name !== 'string' || !isAcceptablePassword(password)) return null;
    const rec = this.users.get(name);
    if (rec !== undefined && this.verified.matches(name, rec.kdf, password)) {
      this.remembered++;
      return this.recordLogin(name) ?? null;
    }
    this.hashed++;
    const ok = await verifyPassword(password, rec?.kdf ?? this.decoy);
    if (!ok || rec === undefined) return null;
    // the user may have been removed, or given a new password, while the hash was computed
    if (this.users.get(name)?.kdf !== rec.kdf) return null;
    this.verified.remember(name, rec.kdf, password);
    return this.recordLogin(name) ?? null;
  }

  /** Password checks since start: by scrypt, and by a password remembered from an earlier one (for metrics and tests). */
  get verifications(): { readonly hashed: number; readonly remembered: number } {
    return { hashed: this.hashed, remembered: this.remembered };
  }

  /**
   * Sets the user's last login to now (also for session-key logins). The file is written lazily, within
   * a few seconds, or by flush(); a crash may lose the last few seconds of last-login times.
   */
  recordLogin(name: string): UserInfo | undefined {
    const r = this.users.get(name);
    if (r === undefined) return undefined;
    this.lastLogins.set(name, this.now());
    this.lastLoginsDirty = true;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.writeNow().catch((e: AuthError) => this.onError?.(e));
      }, this.lastLoginWriteMs);
      this.timer.unref();
    }
    return this.info(r);
  }

  async add(name: string, password: string, admin: boolean): Promise<UserInfo> {
    checkUserName(name);
    checkPassword(password);
    if (typeof admin !== 'boolean') throw new AuthError('BAD_REQUEST', 'the administrator flag must be true or false');
    if (this.users.has(name)) throw this.exists(name);
    const kdf = await hashPassword(password, this.params);
    return this.writes.run(async () => {
      if (this.users.has(name)) throw this.exists(name);
      const rec: UserRecord = { name, admin, created: this.now(), kdf };
      await this.commit(name, rec);
      this.emit(name, 'added');
      return this.info(rec);
    });
  }

  /** Removes the user; their tokens and session keys die with them (listeners). */
  async remove(name: string): Promise<void> {
    checkUserName(name);
    return this.writes.run(async () => {
      const rec = this.users.get(name);
      if (rec === undefined) throw noSuchUser(name);
      if (rec.admin && this.adminCount() === 1) throw new AuthError('LAST_ADMIN', `${name} is the last administrator and cannot be removed; make another user an administrator first`);
      await this.commit(name, undefined);
      this.lastLogins.delete(name);
      this.emit(name, 'removed');
    });
  }

  /** Grants or revokes administrative rights; effective at once for logged-in users. */
  async setAdmin(name: string, admin: boolean): Promise<UserInfo> {
    checkUserName(name);
    if (typeof admin !== 'boolean') throw new AuthError('BAD_REQUEST', 'the administrator flag must be true or false');
    return this.writes.run(async () => {
      const rec = this.users.get(name);
      if (rec === undefined) throw noSuchUser(name);
      if (rec.admin === admin) return this.info(rec);
      if (!admin && this.adminCount() === 1) throw new AuthError('LAST_ADMIN', `${name} is the last administrator and cannot lose the rights; make another user an administrator first`);
      const next: UserRecord = { ...rec, admin };
      await this.commit(name, next);
      this.emit(name, 'admin');
      return this.info(next);
    });
  }

  /** Sets a new password; the user's tokens and session keys are revoked (listeners). */
  async setPassword(name: string, password: string): Promise<void> {
    checkUserName(name);
    checkPassword(password);
    if (!this.users.has(name)) throw noSuchUser(name);
    const kdf = await hashPassword(password, this.params);
    return this.writes.run(async () => {
      const rec = this.users.get(name);
      if (rec === undefined) throw noSuchUser(name);
      await this.commit(name, { ...rec, kdf });
      this.emit(name, 'password');
    });
  }

  /** Calls `listener` after each change is in the file; returns the function that unsubscribes. */
  onChange(listener: UserChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Writes pending last-login times and waits for writes in progress; throws WRITE_FAILED. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writeNow();
  }

  private info(r: UserRecord): UserInfo {
    return { name: r.name, admin: r.admin, created: r.created, lastLogin: this.lastLogins.get(r.name) ?? null };
  }

  private exists(name: string): AuthError {
    return new AuthError('USER_EXISTS', `a user called ${JSON.stringify(name)} already exists`);
  }

  private adminCount(): number {
    let n = 0;
    for (const r of this.users.values()) if (r.admin) n++;
    return n;
  }

  private emit(name: string, change: UserChange): void {
    for (const l of this.listeners) l(name, change);
  }

  /** Writes the users with one change applied, then applies it in memory (nothing changes if the write fails). */
  private async commit(name: string, rec: UserRecord | undefined): Promise<void> {
    const next = new Map(this.users);
    if (rec === undefined) next.delete(name);
    else next.set(name, rec);
    await this.write(next, '; the change was not made');
    if (rec === undefined) this.users.delete(name);
    else this.users.set(name, rec);
    this.verified.forget(name);
  }

  private writeNow(): Promise<void> {
    return this.writes.run(async () => {
      if (this.lastLoginsDirty) await this.write(this.users, '; the last-login times stay in memory and are written again later');
    });
  }

  /** Called only inside `writes`, so that two writes never interleave. */
  private async write(users: ReadonlyMap<string, UserRecord>, consequence: string): Promise<void> {
    const text = this.serialise(users);
    this.lastLoginsDirty = false;
    try {
      await writePrivateFile(this.dir, USERS_FILE, text);
    } catch (e) {
      this.lastLoginsDirty = true;
      throw new AuthError('WRITE_FAILED', `cannot write ${this.path}: ${(e as Error).message}${consequence}`, { path: this.path, cause: e });
    }
  }

  private serialise(users: ReadonlyMap<string, UserRecord>): string {
    const list = [...users.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((r) => ({ name: r.name, admin: r.admin, created: r.created, lastLogin: this.lastLogins.get(r.name) ?? null, kdf: r.kdf }));
    return JSON.stringify({ version: FILE_VERSION, users: list }, null, 2) + '\n';
  }
}
