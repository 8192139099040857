// `MM/DD/YYYY hh:mm:ss.ffffff` in a time zone for a million rows a second: the text up to the
// second is kept per second in a small cache, so most rows only append their six fraction digits.

import { LITTLE_ENDIAN, writeSixDigits, writeText, writeTwoDigits } from './ascii.js';
import type { ZoneOffsets } from './zoneoffsets.js';

/** The longest text written (the years of safe-integer µs have four digits; the slack is for safety). */
export const LOCAL_TIME_MAX_BYTES = 32;

/** `MM/DD/YYYY hh:mm:ss.`: the part shared by every instant of one second. */
const PREFIX_BYTES = 20;
/**
 * Seconds kept, direct-mapped by second: a power of two. START comes in order and hits one entry;
 * END (START + duration) stays within a few seconds of it for most sessions.
 */
const SLOTS = 256;

export class LocalTimeFormatter {
  /** The second each slot holds (NaN: empty). */
  private readonly seconds = new Float64Array(SLOTS).fill(NaN);
  private readonly prefixes = new Uint8Array(SLOTS * PREFIX_BYTES);
  /** The same bytes as little-endian words: a prefix is copied with five 32-bit stores. */
  private readonly words = new Uint32Array(this.prefixes.buffer);
  private readonly scratch = new Date(0);

  constructor(private readonly zone: ZoneOffsets) {}

  /**
   * Writes the instant `raw` (µs since the epoch, rounded to a whole µs) at buf[pos] and returns the end;
   * an instant that is not a safe integer number of µs (NaN, a damaged column) writes `missing`.
   */
  write(buf: Uint8Array, view: DataView, pos: number, raw: number, missing: string): number {
    const us = Math.round(raw);
    if (!Number.isSafeInteger(us)) return writeText(buf, pos, missing);
    const sec = Math.floor(us / 1_000_000);
    const slot = sec & (SLOTS - 1);
    const from = slot * PREFIX_BYTES;
    if (this.seconds[slot] !== sec) this.fill(sec, from);
    const w = this.words;
    const at = from >> 2;
    view.setUint32(pos, w[at]!, LITTLE_ENDIAN);
    view.setUint32(pos + 4, w[at + 1]!, LITTLE_ENDIAN);
    view.setUint32(pos + 8, w[at + 2]!, LITTLE_ENDIAN);
    view.setUint32(pos + 12, w[at + 3]!, LITTLE_ENDIAN);
    view.setUint32(pos + 16, w[at + 4]!, LITTLE_ENDIAN);
    writeSixDigits(buf, pos + PREFIX_BYTES, us - sec * 1_000_000);
    return pos + PREFIX_BYTES + 6;
  }

  private fill(sec: number, at: number): void {
    const ms = sec * 1000;
    const d = this.scratch;
    d.setTime(ms + this.zone.offsetMsAt(ms));
    const p = this.prefixes;
    const year = d.getUTCFullYear();
    writeTwoDigits(p, at, d.getUTCMonth() + 1);
    p[at + 2] = 47;
    writeTwoDigits(p, at + 3, d.getUTCDate());
    p[at + 5] = 47;
    writeTwoDigits(p, at + 6, Math.floor(year / 100));
    writeTwoDigits(p, at + 8, year % 100);
    p[at + 10] = 32;
    writeTwoDigits(p, at + 11, d.getUTCHours());
    p[at + 13] = 58;
    writeTwoDigits(p, at + 14, d.getUTCMinutes());
    p[at + 16] = 58;
    writeTwoDigits(p, at + 17, d.getUTCSeconds());
    p[at + 19] = 46;
    this.seconds[sec & (SLOTS - 1)] = sec;
  }
}
