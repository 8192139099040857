// The local time zone (process.env.TZ, read by Date at every call), or another one, as offsets and wall-
// clock readings. Maps a wall-clock reading to the instants it names: one, two (fall-back) or none (gap).

import { civilToUs, civilFromUs, floorDiv, type CivilDateTime } from './civil.js';

const MS_PER_DAY = 86_400_000;

/** Local offset from UTC (local minus UTC) in µs at the instant `ms` (ms since the epoch). */
function offsetUsAtMs(ms: number): number {
  const d = new Date(ms);
  const wall = civilToUs({
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    micro: d.getMilliseconds() * 1000,
  });
  return wall - ms * 1000;
}

/**
 * A time zone as its offset from UTC (wall clock minus UTC, in ms; whole seconds) at the instant `ms`
 * (ms since the epoch): another zone than the process's, e.g. that of a client (the server's `tz=`).
 */
export type ZoneOffset = (ms: number) => number;

/** The process's zone (TZ). */
export const LOCAL_ZONE: ZoneOffset = (ms) => offsetUsAtMs(ms) / 1000;

/** Offset in µs at the instant `us`; offsets change on whole seconds, so the ms floor is exact. */
function offsetUsAt(us: number, zone: ZoneOffset): number {
  const ms = floorDiv(us, 1000);
  return zone === LOCAL_ZONE ? offsetUsAtMs(ms) : zone(ms) * 1000;
}

/** The wall-clock reading in `zone` (default: local) at instant `us`, as µs counted as if UTC. */
export function localWallUs(us: number, zone: ZoneOffset = LOCAL_ZONE): number {
  return us + offsetUsAt(us, zone);
}

export function localFields(us: number): CivilDateTime {
  return civilFromUs(localWallUs(us));
}

export type LocalResolution =
  | { kind: 'unique'; us: number }
  /** Fall-back: the reading occurs twice; `earlier` is the first occurrence (still on the old offset). */
  | { kind: 'ambiguous'; earlier: number; later: number }
  /**
   * Spring-forward: the reading never occurs. `shifted` is the instant the reading names on the
   * offset in force before the jump (the wall clock moved forward by the gap length); `gapStartWallUs`
   * and `gapEndWallUs` are the wall-clock readings at which the clocks jumped.
   */
  | { kind: 'gap'; shifted: number; gapStartWallUs: number; gapEndWallUs: number };

/**
 * The instants whose wall-clock reading in `zone` (default: local) is `wallUs`. The offsets a day either
 * side cover the transition around the reading: real zones never change offset twice within two days.
 */
export function resolveLocal(wallUs: number, zone: ZoneOffset = LOCAL_ZONE): LocalResolution {
  const wallMs = floorDiv(wallUs, 1000);
  const before = offsetUsAt((wallMs - MS_PER_DAY) * 1000, zone);
  const after = offsetUsAt((wallMs + MS_PER_DAY) * 1000, zone);
  const hits: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const us = wallUs - offset;
    if (offsetUsAt(us, zone) === offset) hits.push(us);
  }
  if (hits.length === 1) return { kind: 'unique', us: hits[0]! };
  if (hits.length === 2) return { kind: 'ambiguous', earlier: Math.min(...hits), later: Math.max(...hits) };
  const transition = findTransitionMs(wallMs - MS_PER_DAY, wallMs + MS_PER_DAY, after, zone);
  return {
    kind: 'gap',
    shifted: wallUs - before,
    gapStartWallUs: transition * 1000 + before,
    gapEndWallUs: transition * 1000 + after,
  };
}

/** First ms in (lo, hi] whose offset is `target`, given the offset at lo differs and at hi equals it. */
function findTransitionMs(lo: number, hi: number, target: number, zone: ZoneOffset): number {
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetUsAt(mid * 1000, zone) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The zone's name for messages ("America/New_York"); falls back to TZ as given. */
export function localZoneName(): string {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  return name ?? process.env['TZ'] ?? 'the local time zone';
}
