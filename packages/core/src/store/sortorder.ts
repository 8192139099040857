// The row order of a segment: stable ascending by start time. A radix sort over 16-bit digits handles
// the usual cases (integer times spanning < 2^32 µs, about 71 minutes: two passes; < 2^48 µs, about
// 8.9 years: three); anything else falls back to a comparison sort.

/** Row indices in stable ascending order of start, or undefined when the rows are already in order. */
export function sortOrder(start: Float64Array, n: number): Uint32Array | undefined {
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const v = start[i]!;
    if (i > 0 && v < start[i - 1]!) sorted = false;
    if (v < min) min = v;
    if (v > max) max = v;
    if (!Number.isSafeInteger(v)) integral = false;
  }
  if (sorted) return undefined;
  if (integral && max - min < 2 ** 48) return radixOrder(start, n, min, max - min >= 2 ** 32);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => start[a]! - start[b]! || a - b);
}

function radixOrder(start: Float64Array, n: number, min: number, wide: boolean): Uint32Array {
  // key = start - min, split into its low 32 bits and (when wide) the 16 bits above them
  const low = new Uint32Array(n);
  const high = wide ? new Uint16Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const k = start[i]! - min;
    low[i] = k % 4294967296;
    if (high !== undefined) high[i] = Math.floor(k / 4294967296);
  }
  const pass = (from: Uint32Array | undefined, digit: (i: number) => number): Uint32Array => {
    const count = new Uint32Array(0x10001);
    for (let i = 0; i < n; i++) count[digit(i) + 1]!++;
    for (let d = 1; d <= 0x10000; d++) count[d]! += count[d - 1]!;
    const to = new Uint32Array(n);
    for (let j = 0; j < n; j++) {
      const i = from === undefined ? j : from[j]!;
      to[count[digit(i)]!++] = i;
    }
    return to;
  };
  const byLow = pass(pass(undefined, (i) => low[i]! & 0xffff), (i) => low[i]! >>> 16);
  return high === undefined ? byLow : pass(byLow, (i) => high[i]!);
}
