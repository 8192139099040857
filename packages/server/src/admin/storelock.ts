// The store lock: <databasepath>/ftserver.lock names the process that owns the store, so that two
// servers, or a server and a restore or clear, never change the same directory at once.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AdminError, errnoOf, ioError } from './adminerror.js';

export const LOCK_FILE = 'ftserver.lock';

/** What a lock file says, and whether its process still runs. */
export interface StoreLockHolder {
  readonly pid: number;
  readonly startedAt: string;
  readonly hostname: string;
  /**
   * The process runs (same host and `kill(pid, 0)` finds it). A lock written on another host (a store
   * on a shared file system) cannot be checked from here and counts as alive.
   */
  readonly alive: boolean;
}

/** A writer that has just created the file may not have written its content yet: wait this long for it. */
const UNREADABLE_WAIT_MS = 1000;
const UNREADABLE_STEP_MS = 25;
/** Rounds of "create, else inspect and maybe take over" before giving up on a lock that keeps changing. */
const MAX_ROUNDS = 5;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function parseLock(text: string): Omit<StoreLockHolder, 'alive'> | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object') return null;
  const { pid, startedAt, hostname } = v as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || typeof startedAt !== 'string' || typeof hostname !== 'string') return null;
  return { pid: pid as number, startedAt, hostname };
}

/**
 * When a process started (ms since the epoch), from /proc (Linux); Infinity for a zombie (it has ended);
 * undefined elsewhere or when unknown.
 * A lock names a pid; after a crash the pid can belong to another process (always so in a container,
 * where the server is pid 1 again), and only its start time tells the two apart.
 */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // a zombie has ended; only its parent has not reaped it yet
    if (fields[0] === 'Z') return Infinity;
    const startTicks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    if (!Number.isFinite(startTicks) || btime === null) return undefined;
    // USER_HZ is 100 on every Linux Node runs on
    return Number(btime[1]) * 1000 + startTicks * 10;
  } catch {
    return undefined;
  }
}

/** Locks this process holds now (the same process asking twice is refused like any other). */
const HELD = new Set<string>();

function isAlive(file: string, pid: number, startedAt: string, hostname: string): boolean {
  if (hostname !== os.hostname()) return true;
  if (pid === process.pid) return HELD.has(file);
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user
    if (errnoOf(e) !== 'EPERM') return false;
  }
  // a process that started after the lock was written is not the one that wrote it (2 s for clock steps)
  const started = processStartMs(pid);
  const locked = Date.parse(startedAt);
  return started === undefined || !Number.isFinite(locked) || started <= locked + 2000;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw ioError('read the lock file', file, e);
  }
}

/** Who holds the lock of `dir`, or null when there is no lock file or it does not hold a lock record. */
export function readStoreLock(dir: string): StoreLockHolder | null {
  const text = readText(path.join(dir, LOCK_FILE));
  const lock = text === null ? null : parseLock(text);
  return lock === null ? null : { ...lock, alive: isAlive(path.join(dir, LOCK_FILE), lock.pid, lock.startedAt, lock.hostname) };
}

function lockedError(dir: string, file: string, holder: Omit<StoreLockHolder, 'alive'>): AdminError {
  const where = holder.hostname === os.hostname() ? '' : ` on host ${holder.hostname}, which cannot be checked from here`;
  return new AdminError(
    'LOCKED',
    `the store ${dir} is in use by ftserver process ${holder.pid} (started ${holder.startedAt})${where}: ` +
      `stop that server first, then run the command again. If no ftserver is running with that store, delete ${file}.`,
    { path: file },
  );
}

/**
 * Throw AdminError LOCKED when a running process holds the lock of `dir`: a quick check before long
 * work that needs the lock later (acquireStoreLock is the check that counts).
 */
export function assertStoreUnlocked(dir: string): void {
  const holder = readStoreLock(dir);
  if (holder?.alive === true) throw lockedError(dir, path.join(dir, LOCK_FILE), holder);
}

/** Ownership of a store directory until release(). */
export class StoreLock {
  readonly path: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly hostname: string;
  /** Set when a stale lock (its process gone) was taken over: one line for the log. */
  readonly note: string | undefined;
  private readonly text: string;
  private released = false;

  /** @internal acquireStoreLock() makes these. */
  constructor(file: string, content: Omit<StoreLockHolder, 'alive'>, text: string, note: string | undefined) {
    this.path = file;
    this.pid = content.pid;
    this.startedAt = content.startedAt;
    this.hostname = content.hostname;
    this.text = text;
    this.note = note;
  }

  /**
   * Write this lock into `dir` too: a directory about to be renamed into the locked one's place (a
   * restore), so that the store stays locked across the swap and release() removes the lock after it.
   */
  carryTo(dir: string): void {
    const file = path.join(dir, LOCK_FILE);
    try {
      fs.writeFileSync(file, this.text, { flag: 'wx', mode: 0o644 });
    } catch (e) {
      throw ioError('write the lock file', file, e);
    }
  }

  /**
   * Remove the lock file if it is still this lock's. Never throws: a lock file that cannot be removed
   * names a process that has ended, and the next acquire takes it over.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    HELD.delete(this.path);
    try {
      if (fs.readFileSync(this.path, 'utf8') === this.text) fs.unlinkSync(this.path);
    } catch {
      // see above: a leftover lock of a dead process is stale, not harmful
    }
  }
}

/** Create the lock file exclusively; false when it already exists. */
function tryCreate(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644);
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    if (errnoOf(e) === 'ENOENT') throw new AdminError('NOT_FOUND', `the store directory ${path.dirname(file)} does not exist`, { path: path.dirname(file), cause: e });
    throw ioError('create the lock file', file, e);
  }
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw ioError('write the lock file', file, e);
  }
  fs.closeSync(fd);
  return true;
}

/** The text of an existing lock file, waiting a moment for a writer that has created but not yet filled it. */
function settledText(file: string): string | null {
  const deadline = Date.now() + UNREADABLE_WAIT_MS;
  for (;;) {
    const text = readText(file);
    if (text === null || parseLock(text) !== null || Date.now() >= deadline) return text;
    sleepSync(UNREADABLE_STEP_MS);
  }
}

/**
 * Move the stale lock file aside and remove it, unless it changed since it was judged stale (another
 * process took it over first and wrote its own): then it is put back. True when removed.
 */
function removeStale(dir: string, file: string, staleText: string): boolean {
  const aside = path.join(dir, `.${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return false;
    throw ioError('move the stale lock file aside', file, e);
  }
  const moved = readText(aside);
  if (moved !== staleText) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third process created a lock meanwhile: it is the owner now
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  return true;
}

/**
 * Take the store lock of `dir` (which must exist): creates <dir>/ftserver.lock holding
 * {pid, startedAt, hostname}. Throws AdminError LOCKED when a process that still runs holds it (or a
 * process on another host, which cannot be checked); takes over a lock whose process has ended and
 * says so in `note`. The exclusive create makes two processes starting at once see one winner.
 */
export function acquireStoreLock(dir: string): StoreLock {
  const file = path.join(dir, LOCK_FILE);
  const content = { pid: process.pid, startedAt: new Date().toISOString(), hostname: os.hostname() };
  const text = JSON.stringify(content) + '\n';
  const notes: string[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (tryCreate(file, text)) {
      HELD.add(file);
      return new StoreLock(file, content, text, notes.length === 0 ? undefined : notes.join('; '));
    }
    const existing = settledText(file);
    if (existing === null) continue;
    const holder = parseLock(existing);
    if (holder !== null && isAlive(file, holder.pid, holder.startedAt, holder.hostname)) throw lockedError(dir, file, holder);
    if (removeStale(dir, file, existing)) {
      notes.push(
        holder === null
          ? `removed ${file}, which did not hold a lock record (left by a crash while it was written?)`
          : `took over the lock of ftserver process ${holder.pid} (started ${holder.startedAt}), which is no longer running`,
      );
    }
  }
  const holder = parseLock(readText(file) ?? '');
  if (holder !== null) throw lockedError(dir, file, holder);
  throw new AdminError('LOCKED', `the lock file ${file} kept changing while this process tried to take it: another process is starting with this store`, { path: file });
}
