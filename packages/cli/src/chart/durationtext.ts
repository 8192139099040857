// The length of a time slice in words for the value axis of a chart (`Bytes per 1 min`): a whole
// number of the largest unit that fits exactly, else one decimal of the unit of its size.

/** A slice's length for the value axis: `15 s`, `2.5 min`, `1 h`, `7 days`. */
export function durationText(seconds: number): string {
  const one = (v: number): string => String(Math.round(v * 10) / 10);
  // a whole number of a larger unit reads better: 1 min, not 60 s
  for (const [unit, s] of [['days', 86400], ['h', 3600], ['min', 60]] as const) {
    const v = seconds / s;
    if (v >= 1 && Math.abs(v - Math.round(v)) < 1e-9) return `${Math.round(v)} ${unit === 'days' && Math.round(v) === 1 ? 'day' : unit}`;
  }
  if (seconds < 120) return `${one(seconds)} s`;
  if (seconds < 2 * 3600) return `${one(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${one(seconds / 3600)} h`;
  return `${one(seconds / 86400)} days`;
}
