// The offset from UTC of a time zone — the server's own (TZ) or one named by a client (tz=) — at
// any instant, for formatting millions of times: looked up once an hour of data, and exactly at a change.

import { LOCAL_ZONE, type ZoneOffset } from '@opentraq/core';

const MS_PER_HOUR = 3_600_000;

/** An IANA zone through Intl (the same time zone data as Date's). */
function namedOffset(format: Intl.DateTimeFormat): ZoneOffset {
  const scratch = new Date(0);
  const fields = { era: 'AD', year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  return (ms) => {
    for (const p of format.formatToParts(ms)) {
      if (p.type === 'era') fields.era = p.value;
      else if (p.type in fields) (fields as Record<string, number | string>)[p.type] = Number(p.value);
    }
    // years before 1 come as "2 BC"; setUTCFullYear, unlike Date.UTC, takes years below 100 as they are
    const year = fields.era === 'BC' || fields.era === 'B' ? 1 - fields.year : fields.year;
    scratch.setUTCFullYear(year, fields.month - 1, fields.day);
    scratch.setUTCHours(fields.hour, fields.minute, fields.second, 0);
    return scratch.getTime() - ms;
  };
}

/** Thrown by ZoneOffsets.named for a name that is not a time zone. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';
  readonly code = 'UNKNOWN_TIME_ZONE';

  constructor(readonly zone: string) {
    super(`unknown time zone ${JSON.stringify(zone.length > 80 ? `${zone.slice(0, 80)}...` : zone)}: give an IANA name such as Europe/Amsterdam, America/New_York or UTC`);
  }
}

/** Hours remembered, direct-mapped by hour: a power of two. START and END of one row may lie in different hours. */
const SLOTS = 16;

/**
 * Offsets of one zone. Real zones change their offset at most once within an hour, on a whole second:
 * the offsets at both ends of an hour are looked up, and when they differ the instant of the change is
 * found by bisection, so that every instant gets its exact offset at the cost of a few lookups an hour.
 */
export class ZoneOffsets {
  /** Per slot: the hour (ms / 1 h) it describes (NaN: none), the offsets before and after the change, */
  private readonly hours = new Float64Array(SLOTS).fill(NaN);
  private readonly before = new Float64Array(SLOTS);
  private readonly after = new Float64Array(SLOTS);
  /** ... and the first ms on the `after` offset (beyond the hour: no change within it). */
  private readonly changeAt = new Float64Array(SLOTS);

  private constructor(
    /** The IANA name, or 'local' for the process's TZ. */
    readonly zone: string,
    private readonly raw: ZoneOffset,
  ) {}

  /** The zone of the process (TZ), as Date and core's formatLocalTime read it. */
  static local(): ZoneOffsets {
    return new ZoneOffsets('local', LOCAL_ZONE);
  }

  /** An IANA zone by name (any case; `UTC` too); throws UnknownTimeZoneError. The name kept is the canonical one. */
  static named(name: string): ZoneOffsets {
    let format: Intl.DateTimeFormat;
    try {
      if (name === '' || name.length > 100) throw new RangeError('not a zone');
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new UnknownTimeZoneError(name);
    }
    return new ZoneOffsets(format.resolvedOptions().timeZone, namedOffset(format));
  }

  /** Wall clock minus UTC, in ms (whole seconds), at the instant `ms` (ms since the epoch). */
  offsetMsAt(ms: number): number {
    const hour = Math.floor(ms / MS_PER_HOUR);
    const slot = hour & (SLOTS - 1);
    if (this.hours[slot] !== hour) this.load(hour, slot);
    return ms < this.changeAt[slot]! ? this.before[slot]! : this.after[slot]!;
  }

  /** The zone as core's time functions take it (relFrame counts calendar units in it). */
  get offset(): ZoneOffset {
    return this.raw === LOCAL_ZONE ? LOCAL_ZONE : (ms) => this.offsetMsAt(ms);
  }

  private load(hour: number, slot: number): void {
    const first = hour * MS_PER_HOUR;
    const last = first + MS_PER_HOUR - 1000;
    const before = this.raw(first);
    const after = this.raw(last);
    this.hours[slot] = hour;
    this.before[slot] = before;
    this.after[slot] = after;
    if (before === after) {
      this.changeAt[slot] = first + MS_PER_HOUR;
      return;
    }
    // the first whole second on the new offset, in (first, last]
    let lo = first / 1000;
    let hi = last / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.raw(mid * 1000) === after) hi = mid;
      else lo = mid;
    }
    this.changeAt[slot] = hi * 1000;
  }
}
