// The time frame every query runs over: a half-open span of µs since the Unix epoch.
// Shared by relative (-tn) and absolute (-te/-tl) frames.

export interface TimeFrame {
  /** Start, µs since the epoch (an exact integer). */
  readonly fromUs: number;
  /** End, µs since the epoch; always greater than fromUs. */
  readonly toUs: number;
}
