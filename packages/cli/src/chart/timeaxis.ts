// The time axis of a chart: ticks on round local times (TZ) — every 10 s, 5 min, 3 h, midnight, the
// first of a month … — as many as fit the width, labelled as short as the frame allows.

import { formatLocalTime } from '@opentraq/core';

type Field = 'second' | 'minute' | 'hour' | 'day' | 'month';

interface Step {
  readonly field: Field;
  readonly n: number;
  /** Its length in ms, for choosing (months and DST days are near enough). */
  readonly ms: number;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const STEPS: readonly Step[] = [
  ...[1, 2, 5, 10, 15, 30].map((n) => ({ field: 'second' as const, n, ms: n * S })),
  ...[1, 2, 5, 10, 15, 30].map((n) => ({ field: 'minute' as const, n, ms: n * M })),
  ...[1, 2, 3, 6, 12].map((n) => ({ field: 'hour' as const, n, ms: n * H })),
  ...[1, 2, 7, 14].map((n) => ({ field: 'day' as const, n, ms: n * D })),
  ...[1, 2, 3, 6, 12, 24, 60, 120].map((n) => ({ field: 'month' as const, n, ms: n * 30 * D })),
];

export interface TimeTick {
  /** UTC epoch seconds. */
  readonly at: number;
  readonly label: string;
  /** A second line under the label: the date (MM/DD) at the first tick and wherever the day changes, when the frame spans days. */
  readonly date?: string;
}

export interface TimeAxis {
  readonly ticks: readonly TimeTick[];
  /** What the labels leave out: the zone and, within one day, the date (`local time (UTC), 11/24/2026`). */
  readonly caption: string;
}

/** The local time at or after `ms` that is a whole multiple of `step` in its field (minutes of the hour, hours of the day …). */
function firstTick(ms: number, step: Step): number {
  const d = new Date(ms);
  d.setMilliseconds(0);
  const floor = (v: number, n: number, offset = 0): number => Math.floor((v - offset) / n) * n + offset;
  switch (step.field) {
    case 'second':
      d.setSeconds(floor(d.getSeconds(), step.n));
      break;
    case 'minute':
      d.setSeconds(0);
      d.setMinutes(floor(d.getMinutes(), step.n));
      break;
    case 'hour':
      d.setMinutes(0, 0);
      d.setHours(floor(d.getHours(), step.n));
      break;
    case 'day': {
      // whole days since the epoch in local dates, so that steps run on across months; weeks start on Monday (day 4)
      const day = Math.floor(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / D);
      const u = new Date(floor(day, step.n, step.n % 7 === 0 ? 4 : 0) * D);
      d.setFullYear(u.getUTCFullYear(), u.getUTCMonth(), u.getUTCDate());
      d.setHours(0, 0, 0);
      break;
    }
    case 'month':
      d.setHours(0, 0, 0);
      d.setDate(1);
      d.setMonth(floor(d.getFullYear() * 12 + d.getMonth(), step.n) - d.getFullYear() * 12);
      break;
  }
  let t = d.getTime();
  while (t < ms) t = nextTick(t, step);
  return t;
}

function nextTick(ms: number, step: Step): number {
  const d = new Date(ms);
  switch (step.field) {
    case 'second':
      return ms + step.n * S;
    case 'minute':
      return ms + step.n * M;
    case 'hour':
      d.setHours(d.getHours() + step.n);
      break;
    case 'day':
      d.setDate(d.getDate() + step.n);
      break;
    case 'month':
      d.setMonth(d.getMonth() + step.n);
      break;
  }
  // a clock change can make a local time repeat: never go back
  return Math.max(d.getTime(), ms + S);
}

/** `MM/DD/YYYY hh:mm:ss` in local time. */
function local(ms: number): string {
  return formatLocalTime(ms * 1000).slice(0, 19);
}

function labelFor(ms: number, step: Step): string {
  const t = local(ms);
  if (step.field === 'month') return `${t.slice(0, 2)}/${t.slice(6, 10)}`;
  if (step.field === 'day') return t.slice(0, 5);
  return step.field === 'second' ? t.slice(11, 19) : t.slice(11, 16);
}

/** Whether [fromS, toS) lies within one local day (then the caption carries the date and no tick needs it). */
export function withinOneDay(fromS: number, toS: number): boolean {
  return local(fromS * 1000).slice(0, 10) === local(Math.max(fromS * 1000, toS * 1000 - 1)).slice(0, 10);
}

/**
 * Ticks for the frame [fromS, toS] (UTC epoch seconds) on an axis `widthPx` wide, no closer than
 * `labelWidthPx(sample)` plus a gap: `labelWidthPx` measures a label in the chart's font.
 */
export function timeAxis(fromS: number, toS: number, widthPx: number, labelWidthPx: (label: string) => number, zone: string): TimeAxis {
  const fromMs = fromS * 1000;
  const toMs = toS * 1000;
  const first = local(fromMs);
  const oneDay = withinOneDay(fromS, toS);
  const span = Math.max(toMs - fromMs, 1);
  let chosen = STEPS[STEPS.length - 1]!;
  for (const step of STEPS) {
    const room = labelWidthPx(labelFor(fromMs, step)) * 1.6;
    if ((step.ms / span) * widthPx >= room) {
      chosen = step;
      break;
    }
  }
  const dated = !oneDay && chosen.field !== 'day' && chosen.field !== 'month';
  const ticks: TimeTick[] = [];
  let lastDate = '';
  for (let t = firstTick(fromMs, chosen); t <= toMs && ticks.length < 1000; t = nextTick(t, chosen)) {
    const date = local(t).slice(0, 5);
    ticks.push({ at: t / 1000, label: labelFor(t, chosen), ...(dated && date !== lastDate && { date }) });
    lastDate = date;
  }
  return { ticks, caption: oneDay ? `local time (${zone}), ${first.slice(0, 10)}` : `local time (${zone})` };
}
