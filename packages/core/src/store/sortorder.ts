// The row order of a segment: stable ascending by start time. A two-pass radix sort handles the usual
// case (integer times spanning < 2^32 µs, about 71 minutes); anything else falls back to a comparison sort.

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
  if (integral && max - min <= 0xffffffff) return radixOrder(start, n, min);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => start[a]! - start[b]! || a - b);
}

function radixOrder(start: Float64Array, n: number, min: number): Uint32Array {
  const key = new Uint32Array(n);
  for (let i = 0; i < n; i++) key[i] = start[i]! - min;
  const pass = (from: Uint32Array | undefined, shift: number): Uint32Array => {
    const count = new Uint32Array(0x10001);
    for (let i = 0; i < n; i++) count[((key[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d <= 0x10000; d++) count[d]! += count[d - 1]!;
    const to = new Uint32Array(n);
    for (let j = 0; j < n; j++) {
      const i = from === undefined ? j : from[j]!;
      to[count[(key[i]! >>> shift) & 0xffff]!++] = i;
    }
    return to;
  };
  return pass(pass(undefined, 0), 16);
}
