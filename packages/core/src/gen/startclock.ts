// Session start times over the span with a daily and weekly rhythm (UTC), produced in non-decreasing
// order: the span is cut into bins whose session counts follow the rhythm, and each bin's starts are
// drawn as sorted uniform order statistics, one per call, without buffering.

import { dailyRhythm } from './dailyrhythm.js';
import { detExp, detLog } from './detmath.js';
import { Rng } from './rng.js';

const US_PER_MIN = 60_000_000;
const US_PER_DAY = 86_400_000_000;
/** Bins are a minute long unless that would make more than this many. */
const MAX_BINS = 1 << 20;

export class StartClock {
  private readonly startUs: number;
  private readonly spanUs: number;
  private readonly binUs: number;
  private readonly nBins: number;
  /** Cumulative rhythm weight at the start of each bin, nBins + 1 entries. */
  private readonly cum: Float64Array;
  private readonly total: number;
  private bin = -1;
  /** Sessions still to come in the current bin, and log of the upper end of the remaining (0,1) interval. */
  private left = 0;
  private logTop = 0;
  private binStart = 0;
  private binWidth = 0;
  private now = 0;

  constructor(seed: number, startUs: number, spanUs: number, total: number) {
    this.startUs = startUs;
    this.spanUs = spanUs;
    this.total = total;
    let binUs = US_PER_MIN;
    if (Math.ceil(spanUs / binUs) > MAX_BINS) binUs = Math.ceil(spanUs / MAX_BINS / 1_000_000) * 1_000_000;
    this.binUs = binUs;
    this.nBins = Math.ceil(spanUs / binUs);
    this.cum = new Float64Array(this.nBins + 1);
    // Burstiness: per-minute AR(1) noise (log-normal, sigma 0.35) on top of a per-day level (sigma 0.1).
    const rng = new Rng(seed, 'rhythm');
    let ar = rng.normal();
    let day = -1;
    let dayLevel = 1;
    for (let b = 0; b < this.nBins; b++) {
      const t0 = startUs + b * binUs;
      const width = Math.min(binUs, spanUs - b * binUs);
      const d = Math.floor(t0 / US_PER_DAY);
      if (d !== day) {
        day = d;
        dayLevel = detExp(0.1 * rng.normal());
      }
      ar = 0.9 * ar + 0.4358898943540674 * rng.normal();
      const w = dailyRhythm(t0 + width / 2) * dayLevel * detExp(0.35 * ar) * (width / binUs);
      this.cum[b + 1] = this.cum[b]! + w;
    }
  }

  /** Sessions the rhythm assigns to bin b: differences of the rounded-down cumulative share. */
  private countIn(b: number): number {
    const c = this.cum;
    const tot = c[this.nBins]!;
    const hi = b + 1 === this.nBins ? this.total : Math.floor((this.total * c[b + 1]!) / tot);
    return hi - Math.floor((this.total * c[b]!) / tot);
  }

  /** The latest start time from advance(), µs since the epoch (integer). */
  get current(): number {
    return this.now;
  }

  /** Move to the next start time (in `current`); never earlier than the previous one. */
  advance(rng: Rng): void {
    while (this.left === 0) {
      this.bin++;
      if (this.bin >= this.nBins) throw new RangeError('start clock exhausted: more starts asked than sessions planned');
      this.left = this.countIn(this.bin);
      this.logTop = 0;
      this.binStart = this.startUs + this.bin * this.binUs;
      this.binWidth = Math.min(this.binUs, this.spanUs - this.bin * this.binUs);
    }
    // Ascending order statistics of `left` uniforms: the largest of k uniforms on (0, top) is top·u^(1/k),
    // so walking down from 1 and mirroring (x = 1 - y) yields the smallest first.
    this.logTop += detLog(rng.nextFloat()) / this.left;
    this.left--;
    const x = 1 - detExp(this.logTop);
    this.now = Math.min(this.binStart + this.binWidth - 1, this.binStart + Math.floor(x * this.binWidth));
  }
}
