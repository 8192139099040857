// What the decoder does about exporter clocks: measures each exporter's skew from its export headers,
// reports changes, and then either shifts its flow times by the skew or drops records that are too old.

import { C } from './counters.js';
import type { DecoderConfig } from './decoderconfig.js';
import { clockEventMessage, DecoderEventQueue } from './decoderevents.js';
import { ExporterClock } from './exporterclock.js';
import type { ExporterState } from './exporterstate.js';
import type { FlowBatch } from './flowbatch.js';
import type { CountFn } from './templateengine.js';

/**
 * Receive times before 2000-01-01 are not a wall clock (captures replayed with a counter as clock,
 * or a server whose own clock is unset): exporters are neither measured nor judged against them.
 */
export const ABSOLUTE_CLOCK_MIN_MS = 946_684_800_000;

export class ClockPolicy {
  readonly events: DecoderEventQueue;

  constructor(
    private readonly cfg: DecoderConfig,
    private readonly countFn: CountFn,
    onEventLost: () => void,
  ) {
    this.events = new DecoderEventQueue(onEventLost);
  }

  /** An export header stamped `exportUs` (exporter clock) from `st`, received at `nowMs`. */
  observe(st: ExporterState, nowMs: number, exportUs: number): void {
    const threshold = this.cfg.clockSkewThresholdMs;
    if (threshold === 0 || !(nowMs >= ABSOLUTE_CLOCK_MIN_MS)) return;
    const clock = (st.clock ??= new ExporterClock());
    const change = clock.observe(nowMs, exportUs / 1000, threshold);
    if (change === null) return;
    const correcting = this.cfg.ignoreOldFlowsUs === 0;
    const skewMs = Math.round(clock.estimateMs);
    this.events.push({
      type: change,
      exporter: st.key,
      skewMs,
      corrected: correcting && change !== 'clock_normal',
      atMs: nowMs,
      message: clockEventMessage(change, st.key, skewMs, correcting),
    });
  }

  /**
   * Rows [r0, out.length) were just written for `st`, received at `nowMs`: with ignoreOldFlowsUs,
   * remove those that ended before the window (returns how many, for the caller to count as
   * too_old); otherwise, when `st` is skewed, shift their start and end by its skew.
   */
  settle(st: ExporterState, out: FlowBatch, r0: number, nowMs: number): number {
    const n = out.length - r0;
    if (n <= 0) return 0;
    const window = this.cfg.ignoreOldFlowsUs;
    if (window > 0) return nowMs >= ABSOLUTE_CLOCK_MIN_MS ? dropOld(out, r0, nowMs * 1000 - window) : 0;
    const clock = st.clock;
    if (clock === null || !clock.skewed || this.cfg.clockSkewThresholdMs === 0) return 0;
    const us = Math.round(clock.estimateMs * 1000);
    const { start, end } = out;
    for (let r = r0; r < r0 + n; r++) {
      start[r] = start[r]! + us;
      end[r] = end[r]! + us;
    }
    this.countFn(st, C.clock_skew_corrected, n);
    return 0;
  }
}

/** Remove the rows from r0 whose later time (end, or start when the two are swapped) is before `cutoffUs`. */
function dropOld(out: FlowBatch, r0: number, cutoffUs: number): number {
  const { start, end } = out;
  let r = r0;
  while (r < out.length && !(Math.max(start[r]!, end[r]!) < cutoffUs)) r++;
  if (r === out.length) return 0;
  return out.keepRows(r, (i) => !(Math.max(start[i]!, end[i]!) < cutoffUs));
}
