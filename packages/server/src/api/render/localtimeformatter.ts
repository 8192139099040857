// `MM/DD/YYYY hh:mm:ss.ffffff` in the local time zone (TZ) for hundreds of thousands of rows a
// second: the zone offset is looked up once an hour of data, the date once a day; the digits are
// the same as core's formatLocalTime, which it falls back to in an hour where the offset changes.

import { formatLocalTime } from '@opentraq/core';
import { writeText } from './ascii.js';

const US_PER_SECOND = 1_000_000;
const US_PER_MINUTE = 60 * US_PER_SECOND;
const US_PER_HOUR = 60 * US_PER_MINUTE;
const US_PER_DAY = 24 * US_PER_HOUR;

/** The longest text written: a five-digit or negative year still fits. */
export const LOCAL_TIME_MAX_BYTES = 32;

/** Local wall clock minus UTC, in ms, at the instant `ms`; whole seconds in every real zone. */
function offsetMsAt(ms: number, scratch: Date): number {
  const d = new Date(ms);
  scratch.setUTCFullYear(d.getFullYear(), d.getMonth(), d.getDate());
  scratch.setUTCHours(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
  return scratch.getTime() - ms;
}

function two(buf: Uint8Array, pos: number, v: number): void {
  const t = (v / 10) | 0;
  buf[pos] = 48 + t;
  buf[pos + 1] = 48 + (v - t * 10);
}

export class LocalTimeFormatter {
  private readonly scratch = new Date(0);
  /** The hour of data (µs / 1 h) the offset below was found for. */
  private hour = NaN;
  /** The offset in µs, or NaN when it changes within that hour. */
  private offsetUs = NaN;
  private day = NaN;
  /** `MM/DD/YYYY ` of that day. */
  private dayText = '';

  /** Writes the time `us` (µs since the epoch, a safe integer) as ASCII at buf[pos]; returns the end. */
  write(buf: Uint8Array, pos: number, us: number): number {
    const hour = Math.floor(us / US_PER_HOUR);
    if (hour !== this.hour) {
      const first = hour * (US_PER_HOUR / 1000);
      const a = offsetMsAt(first, this.scratch);
      const b = offsetMsAt(first + US_PER_HOUR / 1000 - 1, this.scratch);
      this.hour = hour;
      // real zones never change offset twice within an hour, so equal ends mean one offset throughout
      this.offsetUs = a === b ? a * 1000 : NaN;
    }
    if (Number.isNaN(this.offsetUs)) return writeText(buf, pos, formatLocalTime(us));
    const wall = us + this.offsetUs;
    const day = Math.floor(wall / US_PER_DAY);
    if (day !== this.day) {
      const d = new Date(day * 86_400_000);
      this.day = day;
      const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
      const dd = String(d.getUTCDate()).padStart(2, '0');
      this.dayText = `${mm}/${dd}/${String(d.getUTCFullYear()).padStart(4, '0')} `;
    }
    let p = writeText(buf, pos, this.dayText);
    const tod = wall - day * US_PER_DAY;
    const h = Math.floor(tod / US_PER_HOUR);
    const m = Math.floor((tod - h * US_PER_HOUR) / US_PER_MINUTE);
    const rest = tod - h * US_PER_HOUR - m * US_PER_MINUTE;
    const s = Math.floor(rest / US_PER_SECOND);
    let micro = rest - s * US_PER_SECOND;
    two(buf, p, h);
    buf[p + 2] = 58;
    two(buf, p + 3, m);
    buf[p + 5] = 58;
    two(buf, p + 6, s);
    buf[p + 8] = 46;
    p += 15;
    for (let k = 1; k <= 6; k++) {
      const q = (micro / 10) | 0;
      buf[p - k] = 48 + (micro - q * 10);
      micro = q;
    }
    return p;
  }
}
