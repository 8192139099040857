// How far one exporter's clock is from the collector's: a robust estimate of (receive time − export
// header time) and whether it counts as skewed, with the transitions the decoder reports.

/** Per-second minima kept: the estimate is their median, so a few odd seconds do not move it. */
const WINDOW = 15;
/** Datagrams received within this long give one sample: their smallest offset (the least delayed). */
const BUCKET_MS = 1000;

/** What changed in an exporter's clock status: a skew newly found, one that moved, or back to normal. */
export type ClockTransition = 'clock_skew' | 'clock_skew_changed' | 'clock_normal';

/** An exporter's clock as measured (FlowDecoder.skewOf). */
export interface ExporterClockInfo {
  /** Estimated receive time − exporter time, ms: positive when the exporter's clock is behind. */
  readonly skewMs: number;
  /** Whether the exporter counts as skewed (|skew| beyond clockSkewThresholdMs; back to normal at half of it). */
  readonly skewed: boolean;
  /** Whether its flow times are being shifted by skewMs (skewed, and ignoreOldFlowsUs is 0). */
  readonly corrected: boolean;
}

/** Shared sort space for the median (decoding is single-threaded). */
const scratch = new Float64Array(WINDOW + 1);

export class ExporterClock {
  private readonly samples = new Float64Array(WINDOW);
  private count = 0;
  private head = 0;
  /** Smallest offset of the current one-second bucket; NaN before the first datagram. */
  private open = Number.NaN;
  private bucketEndMs = 0;
  /** The current estimate, ms (receive − header). */
  estimateMs = 0;
  /** Status as last reported. */
  skewed = false;
  /** Skew given in the last report (for "changed materially"). */
  reportedMs = 0;

  /**
   * One export header (`headerMs`, exporter clock) received at `nowMs`. Returns the status change
   * this causes at `thresholdMs`, or null.
   */
  observe(nowMs: number, headerMs: number, thresholdMs: number): ClockTransition | null {
    const d = nowMs - headerMs;
    // A receive clock that stepped back (server clock set) starts a new bucket too.
    if (Number.isNaN(this.open) || nowMs >= this.bucketEndMs || nowMs < this.bucketEndMs - BUCKET_MS) {
      if (!Number.isNaN(this.open)) this.push(this.open);
      this.open = d;
      this.bucketEndMs = nowMs + BUCKET_MS;
    } else if (d < this.open) {
      this.open = d;
    } else {
      return null;
    }
    this.estimateMs = this.median();
    return this.judge(thresholdMs);
  }

  private push(v: number): void {
    this.samples[this.head] = v;
    this.head = (this.head + 1) % WINDOW;
    if (this.count < WINDOW) this.count++;
  }

  /**
   * Lower median of the kept minima and the open bucket: never the mean of two, so a clock that
   * jumps moves the estimate from the old value to the new one without passing through the middle.
   */
  private median(): number {
    const n = this.count + 1;
    const s = scratch.subarray(0, n);
    s.set(this.samples.subarray(0, this.count));
    s[this.count] = this.open;
    s.sort();
    return s[(n - 1) >> 1]!;
  }

  /** Hysteresis: skewed beyond the threshold, normal again within half of it. */
  private judge(thresholdMs: number): ClockTransition | null {
    const e = this.estimateMs;
    const a = Math.abs(e);
    if (!this.skewed) {
      if (a <= thresholdMs) return null;
      this.skewed = true;
      this.reportedMs = e;
      return 'clock_skew';
    }
    if (a <= thresholdMs / 2) {
      this.skewed = false;
      this.reportedMs = 0;
      return 'clock_normal';
    }
    if (Math.abs(e - this.reportedMs) > 2 * thresholdMs) {
      this.reportedMs = e;
      return 'clock_skew_changed';
    }
    return null;
  }
}
