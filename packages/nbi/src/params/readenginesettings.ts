// The detector parameters read and checked before any connection: granularity and timing, the
// alert rule's thresholds, the memory cap, and the history to learn from (-tn, or -te/-tl).

import { UsageError, didYouMean, readTimeFrame, readWholeNumber, type ParsedOptions } from '@opentraq/cli';
import { TimeError, resolveTimeFrame, type TimeFrame } from '@opentraq/core';
import { GRANULARITIES, GRANULARITY_NAMES, type Granularity } from '../engine/granularity.js';
import type { AlertRule } from '../engine/judge.js';
import { DEFAULT_DEVIATIONS, DEFAULT_HISTORY, DEFAULT_MEMORY_MB, DEFAULT_SETTLE_S, DEFAULT_THRESHOLD } from './detectoroptions.js';
import { readDecimal } from './readdecimal.js';

/**
 * Rows asked per ranking for each KiB of -bm. It bounds what one answer costs to read, window or
 * training query alike; an entity's baselines take far less (about 12 bytes a slot it is seen in, 40
 * for its key), so -bm holds several times the entities one ranking shows.
 */
const BYTES_PER_ROW = 1024;
const MIN_ROWS = 1000;
const MAX_ROWS = 1_000_000;
/**
 * Cells (rows asked × slices) one training answer may hold: 12 slots a query with -bm 32, 4 with
 * -bm 100. Each answer is parsed whole, and its rows repeat a dozen columns besides the slices, so
 * that small answers are what keeps a detector small while it trains (with 4 slots rather than 19,
 * fttcv's peak over 100,000 addresses fell by 12 MB); the server's cost per query is small.
 */
const TRAINING_CELLS = 409_600;

export interface BaselineSettings {
  readonly granularity: Granularity;
  readonly byDayOfWeek: boolean;
  readonly settleMs: number;
  readonly capBytes: number;
  readonly rows: number;
  readonly maxTrainingSlices: number;
  readonly history: { readonly fromMs: number; readonly toMs: number };
  /** How the history was given, for messages (`-tn 1w`). */
  readonly historyText: string;
  readonly rule: AlertRule;
}

function readGranularity(parsed: ParsedOptions): Granularity {
  const text = parsed.value('bg');
  if (text === undefined) return GRANULARITIES.DAY;
  const name = text.trim().toUpperCase();
  if (name === 'DAY' || name === 'WEEK') return GRANULARITIES[name];
  throw new UsageError('BAD_VALUE', `${parsed.spelling('bg')} '${text}' is not a granularity${didYouMean(name, GRANULARITY_NAMES)}: use DAY (10-minute slots, checked every 2 minutes) or WEEK (hourly slots of the week, every 10 minutes)`);
}

function readHistory(parsed: ParsedOptions, nowMs: number): { frame: TimeFrame; text: string } {
  if (parsed.has('tn') || parsed.has('te') || parsed.has('tl')) {
    const f = readTimeFrame(parsed, nowMs * 1000);
    return { frame: f.frame, text: f.text };
  }
  try {
    return { frame: resolveTimeFrame({ tn: DEFAULT_HISTORY }, nowMs * 1000), text: `-tn ${DEFAULT_HISTORY}` };
  } catch (e) {
    if (e instanceof TimeError) throw new UsageError('BAD_TIME', e.message);
    throw e;
  }
}

/** `low`: whether this detector reports LOW values (fttcv without -bnl). */
export function readBaselineSettings(parsed: ParsedOptions, low: boolean, nowMs: number): BaselineSettings {
  const granularity = readGranularity(parsed);
  const byDayOfWeek = parsed.flag('bdow');
  if (byDayOfWeek && granularity === GRANULARITIES.WEEK) {
    throw new UsageError('CONFLICT', `${parsed.spelling('bdow')} cannot be combined with -bg WEEK: WEEK baselines are per hour of the week already; -bdow separates the days of -bg DAY`);
  }
  const settleS = readWholeNumber(parsed, 'bd', 0, 3600, 'a settling delay in seconds') ?? DEFAULT_SETTLE_S;
  const memoryMb = readWholeNumber(parsed, 'bm', 1, 1_048_576, 'a memory size in MB') ?? DEFAULT_MEMORY_MB;
  const threshold = readDecimal(parsed, 'bt', { min: 0, max: 1e15 }, 'an absolute threshold') ?? DEFAULT_THRESHOLD;
  const deviations = readDecimal(parsed, 'bk', { min: 0, max: 1000, aboveMin: true }, 'a number of standard deviations') ?? DEFAULT_DEVIATIONS;
  const { frame, text } = readHistory(parsed, nowMs);
  const capBytes = memoryMb * 2 ** 20;
  const rows = Math.min(MAX_ROWS, Math.max(MIN_ROWS, Math.floor(capBytes / BYTES_PER_ROW)));
  return {
    granularity,
    byDayOfWeek,
    settleMs: settleS * 1000,
    capBytes,
    rows,
    maxTrainingSlices: Math.max(1, Math.min(granularity.slotsPerPeriod, Math.floor(TRAINING_CELLS / rows))),
    history: { fromMs: Math.floor(frame.fromUs / 1000), toMs: Math.floor(frame.toUs / 1000) },
    historyText: text,
    rule: { deviations, threshold, low },
  };
}
