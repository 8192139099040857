// ftserver's log: one readable line per event, filtered by `debuglevel`, to the `logfile` or stderr,
// with per-key rate limiting so that a flood of bad datagrams costs a few lines, not a full disk.

import fs from 'node:fs';
import path from 'node:path';
import { DEBUG_LEVELS, type DebugLevel } from '@opentraq/core';

/** Lower is more important: ALWAYS lines are always written, LOW only at debuglevel LOW. */
const RANK: Readonly<Record<DebugLevel, number>> = Object.fromEntries(DEBUG_LEVELS.map((l, i) => [l, i])) as Record<DebugLevel, number>;

export type LogFields = Readonly<Record<string, unknown>>;

/** Open a log file for appending, creating its directory (a fresh install's ./data/ ...) when missing. */
function openLog(file: string): number {
  if (file === '') return 2;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return fs.openSync(file, 'a', 0o640);
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[\w.:/@+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** `2026-11-23T20:00:00.123Z MEDIUM message key=value key="two words"` */
export function formatLogLine(level: DebugLevel, message: string, fields: LogFields | undefined, nowMs: number): string {
  let line = `${new Date(nowMs).toISOString()} ${level.padEnd(8)} ${message}`;
  if (fields !== undefined) for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
  return line + '\n';
}

export interface LoggerOptions {
  level: DebugLevel;
  /** A file to append to; empty or absent: standard error. */
  file?: string;
  /** For tests. */
  now?: () => number;
}

export class Logger {
  private level: DebugLevel;
  private fd: number;
  private file: string;
  private readonly now: () => number;
  /** key -> [window start ms, lines written in the window, lines suppressed] */
  private readonly limits = new Map<string, [number, number, number]>();

  constructor(opts: LoggerOptions) {
    this.level = opts.level;
    this.file = opts.file ?? '';
    this.fd = openLog(this.file);
    this.now = opts.now ?? Date.now;
  }

  /** Apply a reloaded debuglevel / logfile (SIGHUP); a file that cannot be opened keeps the old one and says so. */
  reconfigure(level: DebugLevel, file: string): void {
    this.level = level;
    // the same name is opened again too: after logrotate moved the file, lines go to the new one
    let fd: number;
    try {
      fd = openLog(file);
    } catch (e) {
      this.log('CRITICAL', 'cannot open the new logfile; still logging to the old one', { logfile: file, error: e });
      return;
    }
    if (this.fd !== 2) fs.closeSync(this.fd);
    this.fd = fd;
    this.file = file;
  }

  /** Whether lines go to a log file (false: to standard error). */
  get writesToFile(): boolean {
    return this.fd !== 2;
  }

  enabled(level: DebugLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  log(level: DebugLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const line = formatLogLine(level, message, fields, this.now());
    try {
      fs.writeSync(this.fd, line);
    } catch {
      // a full disk must not stop the collector; the metrics still count what happens
    }
  }

  /**
   * Like log, but at most `perMinute` lines a minute for the same key; the first line after a
   * suppressed stretch says how many were left out.
   */
  limited(key: string, level: DebugLevel, message: string, fields?: LogFields, perMinute = 10): void {
    if (!this.enabled(level)) return;
    const now = this.now();
    let e = this.limits.get(key);
    if (e === undefined || now - e[0] >= 60_000) {
      const suppressed = e?.[2] ?? 0;
      if (this.limits.size >= 10_000 && e === undefined) this.limits.delete(this.limits.keys().next().value!);
      e = [now, 0, 0];
      this.limits.set(key, e);
      if (suppressed > 0) fields = { ...fields, suppressed_before: suppressed };
    }
    if (e[1] >= perMinute) {
      e[2]++;
      return;
    }
    e[1]++;
    this.log(level, message, fields);
  }

  close(): void {
    if (this.fd !== 2) fs.closeSync(this.fd);
    this.fd = 2;
    this.file = '';
  }
}
